// merge_hosts_block (pure) and sync_hosts_file (in-place effect).
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cluster/host_validation.hpp"
#include "cluster/hosts_block.hpp"

using namespace vessel;
using namespace vessel::cluster;

namespace {

const std::string kBlockAB =
    "# BEGIN vessel\n"
    "# Managed by vessel: edits inside this block are overwritten.\n"
    "10.0.0.1 alpha\n"
    "10.0.0.2 beta\n"
    "# END vessel\n";

const std::vector<HostEntry> kAB = {{"10.0.0.2", "beta"}, {"10.0.0.1", "alpha"}};

std::string read_all(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_all(const std::string& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/vessel-cluster-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("validate_hostname follows RFC 1123", "[cluster][hosts]") {
  CHECK(validate_hostname("node-1"));
  CHECK(validate_hostname("a.b.example"));
  CHECK(validate_hostname("1worker"));
  CHECK(validate_hostname(std::string(63, 'a')));
  CHECK_FALSE(validate_hostname(""));
  CHECK_FALSE(validate_hostname(std::string(64, 'a')));
  CHECK_FALSE(validate_hostname("-lead"));
  CHECK_FALSE(validate_hostname("trail-"));
  CHECK_FALSE(validate_hostname("a..b"));
  CHECK_FALSE(validate_hostname("a."));
  CHECK_FALSE(validate_hostname("bad\nname"));
  CHECK_FALSE(validate_hostname("two words"));
  CHECK_FALSE(validate_hostname("under_score"));
  std::string long_name;
  for (int i = 0; i < 64; ++i) long_name += "abc.";
  long_name += "x";
  CHECK_FALSE(validate_hostname(long_name));
}

TEST_CASE("canonical_ip accepts v4/v6 literals and canonicalises", "[cluster][hosts]") {
  CHECK(canonical_ip("10.0.0.1").value() == "10.0.0.1");
  CHECK(canonical_ip("::0:1").value() == "::1");
  CHECK(canonical_ip("FE80::A").value() == "fe80::a");
  CHECK_FALSE(canonical_ip("10.0.0.256"));
  CHECK_FALSE(canonical_ip("10.0.0.1\n1.2.3.4 evil"));
  CHECK_FALSE(canonical_ip("host.example"));
  CHECK_FALSE(canonical_ip(""));
  CHECK_FALSE(canonical_ip(std::string(100, '1')));
  CHECK(canonical_peer_ip("::ffff:10.1.2.3").value() == "10.1.2.3");
  CHECK(canonical_peer_ip("::1").value() == "::1");
}

TEST_CASE("merge_hosts_block keeps foreign lines byte-for-byte", "[cluster][hosts]") {
  struct Case {
    const char* what;
    std::string in;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"empty file", "", kBlockAB},
      {"appends after foreign lines", "127.0.0.1 localhost\n",
       "127.0.0.1 localhost\n" + kBlockAB},
      {"no trailing newline: newline added before block, line kept",
       "127.0.0.1 localhost", "127.0.0.1 localhost\n" + kBlockAB},
      {"CRLF foreign lines kept", "127.0.0.1 localhost\r\n# admin note\r\n",
       "127.0.0.1 localhost\r\n# admin note\r\n" + kBlockAB},
      {"existing block replaced in place, lines after it kept",
       "127.0.0.1 localhost\n# BEGIN vessel\n9.9.9.9 old\n# END vessel\n10.9.9.9 admin\n",
       "127.0.0.1 localhost\n" + kBlockAB + "10.9.9.9 admin\n"},
      {"block at end without trailing newline",
       "::1 ip6-localhost\n# BEGIN vessel\n9.9.9.9 old\n# END vessel",
       "::1 ip6-localhost\n" + kBlockAB},
      {"CRLF markers recognised", "a\r\n# BEGIN vessel\r\n9.9.9.9 old\r\n# END vessel\r\nb\r\n",
       "a\r\n" + kBlockAB + "b\r\n"},
      {"markers with trailing spaces recognised", "# BEGIN vessel  \n1.1.1.1 x\n# END vessel\t\n",
       kBlockAB},
      {"foreign comment mentioning vessel is not a marker",
       "# BEGIN vessel stuff\n#  END vessel\n", "# BEGIN vessel stuff\n#  END vessel\n" + kBlockAB},
      {"duplicate blocks: first replaced, later removed",
       "x\n# BEGIN vessel\n1.1.1.1 a\n# END vessel\ny\n# BEGIN vessel\n2.2.2.2 b\n# END vessel\nz\n",
       "x\n" + kBlockAB + "y\nz\n"},
      {"unterminated BEGIN runs to end of file", "x\n# BEGIN vessel\n1.1.1.1 stale\n",
       "x\n" + kBlockAB},
      {"stray END dropped", "x\n# END vessel\ny\n", "x\ny\n" + kBlockAB},
      {"nested BEGIN inside block is part of block",
       "# BEGIN vessel\n# BEGIN vessel\n1.1.1.1 a\n# END vessel\nkeep\n", kBlockAB + "keep\n"},
      {"lone CR line endings (no LF) kept as one line", "a\rb", "a\rb\n" + kBlockAB},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto m = merge_hosts_block(c.in, kAB);
    CHECK(m.content == c.out);
    CHECK(m.rejected.empty());
    // Idempotent: merging the output again changes nothing.
    CHECK(merge_hosts_block(m.content, kAB).content == m.content);
  }
}

TEST_CASE("merge_hosts_block drops invalid entries with a reason", "[cluster][hosts]") {
  std::vector<HostEntry> entries = {
      {"10.0.0.1", "alpha"},
      {"10.0.0.3", "evil\n6.6.6.6 bank"},
      {"10.0.0.4\n6.6.6.6 bank", "gamma"},
      {"10.0.0.1", "alpha"},   // duplicate collapses
      {"::0:1", "six"},        // canonicalised
  };
  auto m = merge_hosts_block("", entries);
  CHECK(m.content ==
        "# BEGIN vessel\n# Managed by vessel: edits inside this block are overwritten.\n"
        "10.0.0.1 alpha\n::1 six\n# END vessel\n");
  REQUIRE(m.rejected.size() == 2);
  CHECK(m.rejected[0].reason.rfind("name: ", 0) == 0);
  CHECK(m.rejected[1].reason.rfind("ip: ", 0) == 0);
  CHECK(m.content.find("bank") == std::string::npos);
}

TEST_CASE("merge_hosts_block with no entries leaves an empty block", "[cluster][hosts]") {
  auto m = merge_hosts_block("x\n# BEGIN vessel\n1.1.1.1 a\n# END vessel\n", {});
  CHECK(m.content ==
        "x\n# BEGIN vessel\n# Managed by vessel: edits inside this block are overwritten.\n"
        "# END vessel\n");
}

TEST_CASE("sync_hosts_file rewrites in place and skips unchanged content", "[cluster][hosts]") {
  TempDir dir;
  const std::string p = (dir.path / "hosts").string();
  write_all(p, "127.0.0.1 localhost\n" + kBlockAB + "10.9.9.9 admin\n");
  struct stat before {};
  REQUIRE(stat(p.c_str(), &before) == 0);

  // Shorter content: the tail must be truncated, not left behind.
  auto r = sync_hosts_file(p, {{"10.0.0.1", "alpha"}});
  REQUIRE(r.ok());
  CHECK(r->written);
  struct stat after {};
  REQUIRE(stat(p.c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);
  CHECK(read_all(p) ==
        "127.0.0.1 localhost\n# BEGIN vessel\n# Managed by vessel: edits inside this block are "
        "overwritten.\n10.0.0.1 alpha\n# END vessel\n10.9.9.9 admin\n");

  auto again = sync_hosts_file(p, {{"10.0.0.1", "alpha"}});
  REQUIRE(again.ok());
  CHECK_FALSE(again->written);

  auto rej = sync_hosts_file(p, {{"10.0.0.1", "alpha"}, {"1.2.3.4", "bad name"}});
  REQUIRE(rej.ok());
  CHECK_FALSE(rej->written);
  REQUIRE(rej->rejected.size() == 1);
}

TEST_CASE("sync_hosts_file creates a missing file and refuses huge ones", "[cluster][hosts]") {
  TempDir dir;
  const std::string p = (dir.path / "new-hosts").string();
  auto r = sync_hosts_file(p, kAB);
  REQUIRE(r.ok());
  CHECK(read_all(p) == kBlockAB);

  const std::string big = (dir.path / "big").string();
  write_all(big, std::string(kMaxHostsFileBytes + 1, '#'));
  auto b = sync_hosts_file(big, kAB);
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().find("larger than") != std::string::npos);
  CHECK(read_all(big).size() == kMaxHostsFileBytes + 1);  // untouched

  auto d = sync_hosts_file(dir.path.string(), kAB);
  CHECK_FALSE(d.ok());
}

// Docker/podman bind-mount /etc/hosts; rename() over it fails with EBUSY.
// Reproduce that in a private mount namespace inside a forked child so the
// test process's own mounts are never touched. Needs root (CAP_SYS_ADMIN).
TEST_CASE("sync_hosts_file works on a bind-mounted file", "[cluster][hosts][root]") {
  // The suite runs as root (the PID-1 tests need it too); a skip here
  // would be a pass that proved nothing, so it fails instead.
  REQUIRE(geteuid() == 0);
  TempDir dir;
  const std::string src = (dir.path / "src-hosts").string();
  const std::string target = (dir.path / "hosts").string();
  write_all(src, "127.0.0.1 localhost\n");
  write_all(target, "placeholder\n");

  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Child: exit codes say which step failed; no Catch macros here.
    if (unshare(CLONE_NEWNS) != 0) _exit(10);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(11);
    if (mount(src.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) _exit(12);
    // Sanity: the mount is real, so rename-over must fail.
    const std::string tmp = target + ".tmp";
    write_all(tmp, "x\n");
    if (rename(tmp.c_str(), target.c_str()) == 0) _exit(13);
    auto r = sync_hosts_file(target, kAB);
    if (!r.ok() || !r->written) _exit(14);
    if (read_all(target) != "127.0.0.1 localhost\n" + kBlockAB) _exit(15);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  INFO("child exit " << code << " (10-12: could not set up the bind mount)");
  CHECK(code == 0);
  // The write went through the bind mount to the source file.
  CHECK(read_all(src) == "127.0.0.1 localhost\n" + kBlockAB);
}

TEST_CASE("overlay_entries: primary names win over fallback entries", "[cluster][hosts]") {
  std::vector<HostEntry> primary = {{"10.0.0.2", "master"}, {"10.0.0.300", "w1"}, {"10.0.0.12", "W2"}};
  std::vector<HostEntry> fallback = {{"10.0.0.1", "master"}, {"10.0.0.11", "w1"}, {"10.0.0.9", "w2"},
                                     {"10.0.0.7", "extra"}, {"10.0.0.8", "bad name"}};
  auto out = overlay_entries(primary, fallback);
  std::vector<HostEntry> expect = {
      {"10.0.0.12", "W2"},     // case-insensitive: hides fallback "w2"
      {"10.0.0.7", "extra"},   // no primary entry of that name
      {"10.0.0.2", "master"},  // primary wins
      {"10.0.0.11", "w1"},     // the primary w1 was invalid, so it cannot hide the fallback
  };
  CHECK(out.entries == expect);
  REQUIRE(out.rejected.size() == 2);
  CHECK(out.rejected[0].reason.rfind("ip:", 0) == 0);
  CHECK(out.rejected[1].reason.rfind("name:", 0) == 0);
  // Control: with no primary entries the fallback is used as is.
  CHECK(overlay_entries({}, fallback).entries.size() == 4);
}
