#include <catch2/catch.hpp>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "render_test_util.hpp"
#include "util/fs.hpp"

using namespace vessel;
using vessel::test::TempDir;

namespace {
std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}
std::string contents(const std::string& path) {
  auto r = read_file(path, 1 << 24);
  REQUIRE(r.ok());
  return *r;
}
}  // namespace

TEST_CASE("write_file_atomic writes content and mode, replaces, and leaves no temp file", "[render][fs]") {
  TempDir d;
  const auto path = d / "core-site.xml";
  REQUIRE(write_file_atomic(path, "first\n", 0600).ok());
  CHECK(contents(path) == "first\n");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);

  REQUIRE(write_file_atomic(path, "second", 0755).ok());
  CHECK(contents(path) == "second");
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  CHECK(names_in(d.path) == std::vector<std::string>{"core-site.xml"});
}

TEST_CASE("write_file_atomic reports the path and errno text when the directory is missing", "[render][fs]") {
  TempDir d;
  const auto path = d / "nope/file";
  auto s = write_file_atomic(path, "x");
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error(), Catch::Contains(path) && Catch::Contains("No such file or directory"));
}

TEST_CASE("a failed rename removes the temp file and keeps the target", "[render][fs]") {
  TempDir d;
  // A non-empty directory cannot be replaced by rename(2).
  const auto target = d / "conf";
  REQUIRE(::mkdir(target.c_str(), 0755) == 0);
  REQUIRE(write_file_atomic(target + "/keep", "old").ok());
  auto s = write_file_atomic(target, "new");
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error(), Catch::Contains("rename into " + target));
  CHECK(names_in(d.path) == std::vector<std::string>{"conf"});
  CHECK(contents(target + "/keep") == "old");
}

TEST_CASE("a write that runs out of space leaves the old content and no temp file", "[render][fs]") {
  TempDir d;
  const auto path = d / "hdfs-site.xml";
  REQUIRE(write_file_atomic(path, "old content\n").ok());
  // RLIMIT_FSIZE makes write(2) fail with EFBIG past 4 KiB, like a full disk
  // partway through the file, without needing a root-only small mount. Done in
  // a child so the limit does not leak into the test runner.
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{4096, 4096};
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(3);
    auto s = write_file_atomic(path, std::string(1 << 20, 'x'));
    if (s.ok()) ::_exit(1);
    bool named = s.error().find(path) != std::string::npos &&
                 s.error().find("File too large") != std::string::npos;
    ::_exit(named ? 0 : 2);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // failed, and the error named path + errno
  CHECK(contents(path) == "old content\n");
  CHECK(names_in(d.path) == std::vector<std::string>{"hdfs-site.xml"});
}

TEST_CASE("write_file_in_place keeps the inode and truncates to the new length", "[render][fs]") {
  TempDir d;
  const auto path = d / "hosts";
  REQUIRE(write_file_atomic(path, "127.0.0.1 localhost\n10.0.0.1 a-long-old-entry\n").ok());
  struct stat before {}, after {};
  REQUIRE(::stat(path.c_str(), &before) == 0);
  REQUIRE(write_file_in_place(path, "127.0.0.1 localhost\n").ok());
  REQUIRE(::stat(path.c_str(), &after) == 0);
  CHECK(before.st_ino == after.st_ino);
  CHECK(contents(path) == "127.0.0.1 localhost\n");
  REQUIRE(write_file_in_place(path, std::string(10000, 'y')).ok());
  CHECK(contents(path) == std::string(10000, 'y'));
}

TEST_CASE("write_file_in_place reports ENOSPC with the path (/dev/full)", "[render][fs]") {
  auto s = write_file_in_place("/dev/full", "10.0.0.1 master\n");
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error(), Catch::Contains("/dev/full") && Catch::Contains("No space left on device"));
}

TEST_CASE("ensure_dir creates parents with the exact mode and owner", "[render][fs]") {
  TempDir d;
  const auto leaf = d / "data/hdfs/name";
  ::umask(022);
  REQUIRE(ensure_dir(leaf, 0700, ::getuid(), ::getgid()).ok());
  struct stat st {};
  REQUIRE(::stat(leaf.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0700);
  CHECK(st.st_uid == ::getuid());
  // Idempotent on an existing tree.
  CHECK(ensure_dir(leaf, 0700, ::getuid(), ::getgid()).ok());

  REQUIRE(write_file_atomic(d / "file", "x").ok());
  auto s = ensure_dir(d / "file/sub", 0755, static_cast<uid_t>(-1), static_cast<gid_t>(-1));
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error(), Catch::Contains(d / "file") && Catch::Contains("not a directory"));
  CHECK_FALSE(ensure_dir("relative/path", 0755, -1, -1).ok());
}

TEST_CASE("read_file caps the size and names the path on error", "[render][fs]") {
  TempDir d;
  const auto path = d / "user_data";
  REQUIRE(write_file_atomic(path, std::string(100, 'a')).ok());
  auto whole = read_file(path, 100);
  REQUIRE(whole.ok());
  CHECK(whole->size() == 100);
  auto capped = read_file(path, 99);
  REQUIRE_FALSE(capped.ok());
  CHECK_THAT(capped.error(), Catch::Contains(path) && Catch::Contains("larger than 99"));
  auto missing = read_file(d / "absent", 10);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error(), Catch::Contains(d / "absent") && Catch::Contains("No such file"));
}
