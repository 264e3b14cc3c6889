// The bad-input matrix: one table of hostile or broken node configurations,
// each run through the real pipeline (file or ConfigDrive source ->
// load_node_config -> make_plan with the repo's roles/) with its expected
// outcome. Every row must end in a clear error naming the field and the
// source, or in a documented fallback (a warning, an escaped rendering).
// Never a crash, a hang or a secret in a message. The "no partial write"
// case for a full file system is a separate test below.
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app/effects.hpp"
#include "app/plan.hpp"
#include "source/load.hpp"
#include "config_test_util.hpp"
#include "role_test_util.hpp"

using namespace vessel;
using testutil::TempDir;

namespace {

enum class Outcome {
  load_error,  // load_node_config fails; `expect` are substrings of the error
  plan_error,  // loads, make_plan fails; `expect` are substrings of the error
  warns,       // loads and plans; `expect` are substrings of one warning each
               // (warnings name the document and field, not the source)
  renders,     // loads and plans; `expect` are substrings of rendered `file`
};

struct Case {
  const char* name;
  std::string user_data;
  Outcome outcome;
  std::vector<std::string> expect;
  std::string file = {};                      // renders: file name, e.g. "core-site.xml"
  std::optional<std::string> meta_data = {};  // also pass a meta_data file
  bool configdrive = false;                   // lay both out as a ConfigDrive instead
  std::string role_override = {};
};

constexpr const char* kToken = "tok-SECRET-9f2";

// A valid standalone config plus `extra` lines under `vessel:` (2-space indent).
std::string cfg(const std::string& extra, const std::string& role = "standalone") {
  return "vessel:\n  cluster_id: c1\n  token: " + std::string(kToken) + "\n  role: " + role + "\n" + extra;
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string binary_blob() {
  std::string b;
  for (int round = 0; round < 4; ++round)
    for (int c = 0; c < 256; ++c) b += static_cast<char>((c * 37 + round) & 0xff);
  return b;
}

std::string yaml_bomb() {
  std::string y = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  const char* names = "abcdefghi";
  for (int i = 1; i < 9; ++i) {
    y += std::string(1, names[i]) + ": &" + names[i] + " [";
    for (int k = 0; k < 9; ++k) y += std::string(k ? ", *" : "*") + names[i - 1];
    y += "]\n";
  }
  return y + "vessel: {cluster_id: bomb, role: standalone, hosts: *i}\n";
}

std::string mime(const std::string& headers_and_body) {
  return "Content-Type: multipart/mixed; boundary=\"BOUND\"\nMIME-Version: 1.0\n\n" + headers_and_body;
}

std::vector<Case> cases() {
  const std::string gz_cfg = testutil::gzip(cfg(""));
  return {
      // --- sizes and encodings -------------------------------------------
      {"empty user_data", "", Outcome::load_error, {"file: user_data: no vessel configuration"}},
      {"blank user_data", " \n\t\r\n", Outcome::load_error, {"file: user_data: no vessel configuration"}},
      // Binary text is one YAML scalar: no mapping, so no vessel config.
      {"binary user_data", binary_blob(), Outcome::load_error, {"file: user_data: no vessel configuration"}},
      {"20 MiB user_data", std::string(20u << 20, 'a'), Outcome::load_error,
       {"--user-data", "larger than 16777216 bytes"}},
      {"gzip bomb", testutil::gzip(std::string(17u << 20, ' ')), Outcome::load_error,
       {"file: user_data: gzip: decompressed data exceeds 16777216 bytes"}},
      {"truncated gzip", gz_cfg.substr(0, gz_cfg.size() / 2), Outcome::load_error,
       {"file: user_data: gzip: corrupt or truncated data"}},
      {"gzip magic only", "\x1f\x8b", Outcome::load_error, {"file: user_data: gzip: corrupt or truncated data"}},
      {"YAML bomb (anchors and aliases)", yaml_bomb(), Outcome::load_error,
       {"file: user_data: more than 100000 nodes (alias expansion?)"}},
      {"deeply nested JSON", "{\"vessel\": " + repeat("[", 100000) + repeat("]", 100000) + "}",
       Outcome::load_error, {"file: user_data: nested deeper than 64"}},
      {"nested YAML past our depth cap", "vessel: " + repeat("[", 100) + repeat("]", 100), Outcome::load_error,
       {"file: user_data: nested deeper than 64"}},
      // yaml-cpp's own recursion guard fires first at this depth.
      {"deeply nested YAML", "vessel: " + repeat("[", 10000) + repeat("]", 10000), Outcome::load_error,
       {"file: user_data: invalid YAML at line 1"}},
      {"invalid YAML", "vessel: {cluster_id: [oops\n", Outcome::load_error, {"file: user_data: invalid YAML at line"}},
      {"invalid JSON", "{\"vessel\": {\"token\": \"" + std::string(kToken) + "\" x}}", Outcome::load_error,
       {"file: user_data: invalid JSON at byte"}},
      {"JSON number overflow", "{\"vessel\": {\"cluster_id\": \"c1\", \"spark\": {\"worker_cores\": 1e999}}}",
       Outcome::load_error, {"file: user_data: invalid JSON: number out of range"}},
      // --- MIME ------------------------------------------------------------
      {"MIME message with no parts", mime("no delimiter here\n"), Outcome::load_error,
       {"file: user_data: MIME: multipart boundary not found"}},
      {"MIME with only a closing delimiter", mime("--BOUND--\n"), Outcome::load_error,
       {"file: user_data: MIME: multipart boundary not found"}},
      {"MIME with one empty part", mime("--BOUND\n--BOUND--\n"), Outcome::load_error,
       {"file: user_data: no vessel configuration"}},
      {"MIME non-text part only",
       mime("--BOUND\nContent-Type: application/octet-stream\n\nvessel: {cluster_id: x}\n--BOUND--\n"),
       Outcome::load_error, {"file: user_data: no vessel configuration"}},
      {"MIME without closing boundary", mime("--BOUND\nContent-Type: text/plain\n\nvessel: {cluster_id: x}\n"),
       Outcome::load_error, {"file: user_data: MIME: multipart not terminated"}},
      {"MIME multipart without boundary", "Content-Type: multipart/mixed\n\n--x--\n", Outcome::load_error,
       {"file: user_data: MIME: multipart without a valid boundary"}},
      {"MIME quoted-printable part",
       mime("--BOUND\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nx=3D1\n--BOUND--\n"),
       Outcome::load_error, {"file: user_data: MIME: part 1: unsupported Content-Transfer-Encoding"}},
      {"MIME invalid base64 part",
       mime("--BOUND\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!notbase64\n--BOUND--\n"),
       Outcome::load_error, {"file: user_data: MIME: part 1: invalid base64"}},
      {"#include user_data", "#include\nhttp://example.com/evil\n", Outcome::load_error,
       {"file: user_data: no vessel configuration"}},
      // --- structure and types --------------------------------------------
      {"vessel is a list", "vessel: [a, b]\n", Outcome::load_error, {"file: user_data: vessel: expected a mapping"}},
      {"top-level list", "- cluster_id: x\n", Outcome::load_error, {"file: user_data: no vessel configuration"}},
      {"missing cluster_id", "vessel:\n  role: standalone\n", Outcome::load_error,
       {"file: user_data: vessel.cluster_id: required"}},
      {"cluster_id is a mapping", "vessel:\n  cluster_id: {a: b}\n", Outcome::load_error,
       {"file: user_data: vessel.cluster_id: expected a string, got a mapping"}},
      {"cluster_id with path separators", "vessel:\n  cluster_id: ../../etc\n", Outcome::load_error,
       {"file: user_data: vessel.cluster_id: expected 1-64 characters", "\"../../etc\""}},
      {"cluster_id is ..", "vessel:\n  cluster_id: ..\n", Outcome::load_error,
       {"file: user_data: vessel.cluster_id: expected 1-64 characters"}},
      {"cluster_id too long", "vessel:\n  cluster_id: " + std::string(65, 'c') + "\n", Outcome::load_error,
       {"file: user_data: vessel.cluster_id: expected 1-64 characters"}},
      {"hdfs.replication not a number", cfg("  hdfs: {replication: abc}\n"), Outcome::load_error,
       {"file: user_data: vessel.hdfs.replication: expected an integer, got \"abc\""}},
      {"hdfs.replication zero", cfg("  hdfs: {replication: 0}\n"), Outcome::load_error,
       {"file: user_data: vessel.hdfs.replication: must be 1..512, got 0"}},
      {"hdfs.replication overflows int", cfg("  hdfs: {replication: 99999999999999}\n"), Outcome::load_error,
       {"file: user_data: vessel.hdfs.replication: expected an integer"}},
      {"spark.worker_cores is a list", cfg("  spark: {worker_cores: [1, 2]}\n"), Outcome::load_error,
       {"file: user_data: vessel.spark.worker_cores: expected an integer, got a list"}},
      {"spark.worker_memory with a space", cfg("  spark: {worker_memory: 2 GB}\n"), Outcome::load_error,
       {"file: user_data: vessel.spark.worker_memory: expected a size like 512m or 2g"}},
      {"hosts is a mapping", cfg("  hosts: {ip: 10.0.0.1}\n"), Outcome::load_error,
       {"file: user_data: vessel.hosts: expected a list, got a mapping"}},
      // --- roles -------------------------------------------------------------
      {"role name with a space", cfg("", "gate way"), Outcome::load_error,
       {"file: user_data: vessel.role: expected a role name (1-32 of [a-z0-9-], e.g. master, worker), got \"gate way\""}},
      {"role without a role file", cfg("", "gateway"), Outcome::plan_error,
       {"role gateway (from vessel.role): no role file ", "/roles/gateway.yaml"}},
      {"role override with path traversal", cfg(""), Outcome::load_error,
       {"--role: expected a role name"}, {}, {}, false, "../../etc/passwd"},
      {"worker without a master", "vessel:\n  cluster_id: c1\n  role: worker\n", Outcome::plan_error,
       {"vessel.master: required for role worker (role from vessel.role)"}},
      {"default role without a master", "vessel:\n  cluster_id: c1\n", Outcome::plan_error,
       {"vessel.master: required for role worker (role from default)"}},
      // --- addresses and names ------------------------------------------------
      {"master hostname with a space", cfg("  master: bad host\n"), Outcome::load_error,
       {"file: user_data: vessel.master: expected an IP address or RFC 1123 hostname, got \"bad host\""}},
      {"host IP with a newline", cfg("  hosts:\n    - {ip: \"10.0.0.1\\n6.6.6.6 evil\", name: w1}\n"),
       Outcome::load_error, {"file: user_data: vessel.hosts[0].ip: must be at most 4096 bytes without control"}},
      {"host IP out of range", cfg("  hosts:\n    - {ip: 999.1.1.1, name: w1}\n"), Outcome::load_error,
       {"file: user_data: vessel.hosts[0].ip: expected an IPv4 or IPv6 address, got \"999.1.1.1\""}},
      {"host IPv6 with zone", cfg("  hosts:\n    - {ip: \"fe80::1%eth0\", name: w1}\n"), Outcome::load_error,
       {"file: user_data: vessel.hosts[0].ip: expected an IPv4 or IPv6 address"}},
      {"hostname with a space", cfg("  hosts:\n    - {ip: 10.0.0.3, name: \"bad name\"}\n"), Outcome::load_error,
       {"file: user_data: vessel.hosts[0].name: expected an RFC 1123 hostname, got \"bad name\""}},
      {"hostname label too long", cfg("  hosts:\n    - {ip: 10.0.0.3, name: " + std::string(64, 'h') + "}\n"),
       Outcome::load_error, {"file: user_data: vessel.hosts[0].name: expected an RFC 1123 hostname"}},
      {"host without a name", cfg("  hosts:\n    - {ip: 10.0.0.3}\n"), Outcome::load_error,
       {"file: user_data: vessel.hosts[0].name: required"}},
      {"duplicate host, different IPs",
       cfg("  hosts:\n    - {ip: 10.0.0.3, name: w1}\n    - {ip: 10.0.0.4, name: w1}\n"), Outcome::load_error,
       {"file: user_data: vessel.hosts[1]: duplicate host \"w1\" with different addresses 10.0.0.3 and 10.0.0.4"}},
      {"duplicate host, same IP (kept once)",
       cfg("  hosts:\n    - {ip: 10.0.0.3, name: w1, port: 1}\n    - {ip: 10.0.0.3, name: w1}\n"), Outcome::warns,
       {"user_data: vessel.hosts[0].port: unknown key, ignored"}},
      // --- data dir -------------------------------------------------------------
      {"relative data_dir", cfg("  data_dir: data/hdfs\n"), Outcome::load_error,
       {"file: user_data: vessel.data_dir: expected an absolute normalized path", "\"data/hdfs\""}},
      {"data_dir with ..", cfg("  data_dir: /data/../etc\n"), Outcome::load_error,
       {"file: user_data: vessel.data_dir: expected an absolute normalized path"}},
      {"data_dir with a list separator", cfg("  data_dir: /data/a,b\n"), Outcome::load_error,
       {"file: user_data: vessel.data_dir: expected an absolute normalized path", "\"/data/a,b\""}},
      {"data_dir is /", cfg("  data_dir: /\n"), Outcome::load_error,
       {"file: user_data: vessel.data_dir: expected an absolute normalized path"}},
      // --- overrides: rejected keys and values ------------------------------------
      {"property key with a space", cfg("  core: {\"bad key\": x}\n"), Outcome::load_error,
       {"file: user_data: vessel.core: invalid property name \"bad key\""}},
      {"property key with XML", cfg("  hdfs: {site: {\"<x>\": y}}\n"), Outcome::load_error,
       {"file: user_data: vessel.hdfs.site: invalid property name"}},
      {"spark.env name with shell metacharacters", cfg("  spark: {env: {\"A;rm -rf /\": x}}\n"),
       Outcome::load_error, {"file: user_data: vessel.spark.env: invalid shell variable name"}},
      {"override value with a newline", cfg("  spark: {defaults: {spark.x: \"a\\nspark.evil true\"}}\n"),
       Outcome::load_error, {"file: user_data: vessel.spark.defaults.spark.x: must be at most 4096 bytes"}},
      {"override value too long", cfg("  core: {a.b: " + std::string(5000, 'v') + "}\n"), Outcome::load_error,
       {"file: user_data: vessel.core.a.b: must be at most 4096 bytes"}},
      {"override value invalid UTF-8", cfg("  core: {a.b: \"ok \xff\xfe\"}\n"), Outcome::plan_error,
       {"core-site.xml: ", ".a.b: value contains control characters (e.g. newline) or invalid UTF-8"}},
      {"token with a newline", "vessel:\n  cluster_id: c1\n  role: standalone\n  token: \"abc\\ndef\"\n",
       Outcome::load_error, {"file: user_data: vessel.token: must be at most 4096 bytes without control characters"}},
      {"notify URL not http", cfg("  notify: {url: \"file:///etc/passwd\", token: x}\n"), Outcome::load_error,
       {"file: user_data: vessel.notify.url: expected an http(s) URL"}},
      {"notify without URL", cfg("  notify: {token: x}\n"), Outcome::load_error,
       {"file: user_data: vessel.notify.url: required when vessel.notify is set"}},
      {"unknown key", cfg("  colour: blue\n"), Outcome::warns, {"user_data: vessel.colour: unknown key, ignored"}},
      // --- overrides: accepted verbatim, escaped where they land -------------------
      {"XML metacharacters in core", cfg("  core: {x.y: \"</value><name>evil</name>&amp;\"}\n"), Outcome::renders,
       {"<value>&lt;/value&gt;&lt;name&gt;evil&lt;/name&gt;&amp;amp;</value>"}, "core-site.xml"},
      {"XML metacharacters in hdfs.site", cfg("  hdfs: {site: {dfs.x: \"]]><!-- \\\" '\"}}\n"), Outcome::renders,
       {"<value>]]&gt;&lt;!-- \" '</value>"}, "hdfs-site.xml"},
      {"shell metacharacters in spark.env", cfg("  spark: {env: {EXTRA: \"$(touch /tmp/pwned)'; `id` $HOME\"}}\n"),
       Outcome::renders, {"export EXTRA='$(touch /tmp/pwned)'\\''; `id` $HOME'\n"}, "spark-env.sh"},
      {"backslash in spark.defaults", cfg("  spark: {defaults: {spark.x: 'C:\\new'}}\n"), Outcome::renders,
       {"spark.x C:\\\\new\n"}, "spark-defaults.conf"},
      // --- meta_data -------------------------------------------------------------
      {"meta_data.json not an object", cfg(""), Outcome::load_error,
       {"configdrive: meta_data.json: expected a JSON object"}, {}, "[1, 2, 3]", true},
      {"meta_data.json invalid", cfg(""), Outcome::load_error, {"configdrive: meta_data.json: invalid JSON at byte"},
       {}, "{\"uuid\": ", true},
      {"meta_data uuid with path separators", cfg(""), Outcome::load_error,
       {"configdrive: meta_data.json: uuid: expected 1-128 characters", "\"../x\""}, {}, "{\"uuid\": \"../x\"}", true},
      {"meta_data meta.role unknown", "vessel:\n  cluster_id: c1\n  master: m1\n", Outcome::plan_error,
       {"role boss (from meta_data meta.role): no role file"}, {},
       "{\"uuid\": \"i-1\", \"meta\": {\"role\": \"boss\"}}", true},
      {"meta_data meta.role not a name", "vessel:\n  cluster_id: c1\n  master: m1\n", Outcome::load_error,
       {"meta_data meta.role: expected a role name"}, {},
       "{\"uuid\": \"i-1\", \"meta\": {\"role\": \"Boss!\"}}", true},
      {"meta_data hostname invalid (ignored)", cfg(""), Outcome::warns,
       {"meta_data.json: hostname: not an RFC 1123 hostname, ignored"}, {},
       "{\"uuid\": \"i-1\", \"hostname\": \"bad host\\n\"}", true},
      {"NoCloud meta-data is a list", cfg(""), Outcome::load_error, {"file: meta-data: expected a mapping at top level"},
       {}, "- a\n- b\n"},
  };
}

struct Ran {
  std::optional<std::string> error;  // load or plan error
  bool at_plan = false;
  std::optional<BootPlan> plan;
};

Ran run_case(const Case& c, const TempDir& tmp) {
  SourceOptions o;
  o.identity = config::LocalIdentity{"node-1", {"127.0.0.1", "10.0.0.2"}};
  o.role_override = c.role_override;
  if (c.configdrive) {
    o.source = "configdrive";
    o.configdrive_dir = tmp / "cd";
    testutil::spit(tmp / "cd/openstack/latest/user_data", c.user_data);
    testutil::spit(tmp / "cd/openstack/latest/meta_data.json", c.meta_data.value_or("{}"));
  } else {
    o.source = "file";
    o.user_data_file = tmp / "user_data";
    testutil::spit(o.user_data_file, c.user_data);
    if (c.meta_data) {
      o.meta_data_file = tmp / "meta_data";
      testutil::spit(o.meta_data_file, *c.meta_data);
    }
  }
  Ran r;
  auto cfg = load_node_config(o);
  if (!cfg) {
    r.error = cfg.error();
    return r;
  }
  PlanFacts f = vessel::test::repo_facts();
  f.java_home = "/usr/lib/jvm/default";
  f.limits = CgroupLimits{2.0, 4ull << 30};
  f.host = f.limits;
  auto plan = make_plan(*cfg, f);
  r.at_plan = true;
  if (!plan) {
    r.error = plan.error();
    return r;
  }
  r.plan = std::move(*plan);
  return r;
}

}  // namespace

TEST_CASE("bad-input matrix: every hostile input ends in a named error or a documented fallback",
          "[hardening][matrix]") {
  const auto table = cases();
  REQUIRE(table.size() >= 40);
  for (const auto& c : table) {
    SECTION(c.name) {
      TempDir tmp;
      Ran r = run_case(c, tmp);
      INFO("case: " << c.name);
      INFO("error: " << r.error.value_or("(none)"));
      if (r.error) {
        // Messages are single lines (no forged log lines) and never carry a secret.
        CHECK(r.error->find('\n') == std::string::npos);
        CHECK(r.error->find(kToken) == std::string::npos);
      }
      switch (c.outcome) {
        case Outcome::load_error:
        case Outcome::plan_error:
          REQUIRE(r.error);
          CHECK(r.at_plan == (c.outcome == Outcome::plan_error));
          for (const auto& e : c.expect) CHECK_THAT(*r.error, Catch::Matchers::Contains(e));
          break;
        case Outcome::warns: {
          REQUIRE(r.plan);
          const auto& w = r.plan->cfg.warnings;
          for (const auto& e : c.expect) {
            INFO("warning wanted: " << e);
            CHECK(std::any_of(w.begin(), w.end(), [&](const std::string& s) { return s.find(e) != std::string::npos; }));
          }
          break;
        }
        case Outcome::renders: {
          REQUIRE(r.plan);
          auto it = std::find_if(r.plan->files.begin(), r.plan->files.end(),
                                 [&](const RenderedFile& f) { return f.path.ends_with("/" + c.file); });
          REQUIRE(it != r.plan->files.end());
          for (const auto& e : c.expect) CHECK_THAT(it->content, Catch::Matchers::Contains(e));
          break;
        }
      }
    }
  }
}

namespace {

// Loads a plan for `user_data` the same way the matrix does.
BootPlan plan_for(const std::string& user_data) {
  TempDir tmp;
  Case c{"plan", user_data, Outcome::renders, {}};
  Ran r = run_case(c, tmp);
  if (!r.plan) FAIL("plan failed: " << r.error.value_or("?"));
  return std::move(*r.plan);
}

std::string listing(const std::string& root) {
  std::string out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    out += e.path().string().substr(root.size()) + "\n";
  return out;
}

void send_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

// `vessel render`/`vessel run` write the plan with write_files. When the file
// system fills up in the middle, the old config must stay whole: every file
// keeps its previous content, no temporary file is left behind, and the
// error names the file and the cause. A small tmpfs is mounted in a forked
// child's private mount namespace (the test process is unaffected); where
// that is not permitted, RLIMIT_FSIZE makes the same write fail with EFBIG.
TEST_CASE("bad-input matrix: a full file system leaves the previous config intact", "[hardening][matrix]") {
  const BootPlan old_plan = plan_for(cfg(""));
  std::string big;
  for (int i = 0; i < 64; ++i) big += "    big.key" + std::to_string(i) + ": " + std::string(4000, 'x') + "\n";
  const BootPlan new_plan = plan_for(cfg("  core:\n" + big));
  REQUIRE(new_plan.files.at(0).content.size() > 200000);  // core-site.xml, written first

  TempDir tmp;
  const std::string root = tmp / "out";
  std::filesystem::create_directories(root);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string mode = "tmpfs";
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", root.c_str(), "tmpfs", 0, "size=64k") != 0)
      mode = "rlimit";
    std::string first = write_files(old_plan.files, root) ? "ok" : "failed";
    if (mode == "rlimit") {
      ::signal(SIGXFSZ, SIG_IGN);  // so write() returns EFBIG instead of killing us
      rlimit lim{64 * 1024, 64 * 1024};
      ::setrlimit(RLIMIT_FSIZE, &lim);
    }
    auto st = write_files(new_plan.files, root);
    std::string intact = "intact";
    for (const auto& f : old_plan.files) {
      std::ifstream in(root + f.path, std::ios::binary);
      std::string now((std::istreambuf_iterator<char>(in)), {});
      if (now != f.content) intact = "changed: " + f.path;
    }
    std::string report = mode + '\0' + first + '\0' + (st ? std::string("(no error)") : st.error()) + '\0' +
                         listing(root) + '\0' + intact;
    send_all(fds[1], report);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  std::vector<std::string> part;
  for (std::size_t p = 0, q; p <= report.size(); p = q + 1) {
    q = report.find('\0', p);
    if (q == std::string::npos) q = report.size();
    part.push_back(report.substr(p, q - p));
  }
  REQUIRE(part.size() == 5);
  INFO("mode " << part[0] << ", files:\n" << part[3]);
  CHECK(part[1] == "ok");
  const std::string& error = part[2];
  CHECK_THAT(error, Catch::Matchers::Contains("core-site.xml"));
  CHECK((error.find("No space left on device") != std::string::npos ||
         error.find("File too large") != std::string::npos));
  CHECK(part[3].find(".vessel-") == std::string::npos);  // no temp file left
  CHECK(part[3].find("/etc/hadoop/core-site.xml\n") != std::string::npos);
  CHECK(part[4] == "intact");
}
