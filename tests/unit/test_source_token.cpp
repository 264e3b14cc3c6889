#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "config_test_util.hpp"
#include "source/load.hpp"
#include "source/token.hpp"

using vessel::NodeConfig;
using vessel::SourceOptions;
using vessel::load_node_config;
using vessel::source::read_token_file;
using vessel::source::resolve_token;
using vessel::testutil::spit;
using vessel::testutil::TempDir;

namespace {

const std::string kTok = "s3cr3t-t0ken-value";

std::string mode_file(const TempDir& t, const std::string& name, const std::string& body, mode_t mode) {
  std::string p = t / name;
  spit(p, body);
  ::chmod(p.c_str(), mode);
  return p;
}

bool names_no_token(const std::string& s) { return s.find(kTok) == std::string::npos; }

SourceOptions file_source(const TempDir& t, const std::string& user_data) {
  SourceOptions o;
  o.source = "file";
  o.user_data_file = t / "user-data";
  spit(o.user_data_file, user_data);
  o.identity = vessel::config::LocalIdentity{"node-7", {"127.0.0.1"}};
  return o;
}

}  // namespace

TEST_CASE("token file: trailing newlines stripped, no warning at 0600", "[source][token]") {
  TempDir t;
  std::vector<std::string> w;
  auto tok = read_token_file("VESSEL_TOKEN_FILE", mode_file(t, "tok", kTok + "\r\n\n", 0600), w);
  REQUIRE(tok.ok());
  CHECK(tok->reveal() == kTok);
  CHECK(w.empty());
}

TEST_CASE("token file: world-readable is accepted with a warning naming the field", "[source][token]") {
  TempDir t;
  std::vector<std::string> w;
  std::string p = mode_file(t, "tok", kTok, 0644);
  auto tok = read_token_file("vessel.token_file", p, w);
  REQUIRE(tok.ok());
  REQUIRE(w.size() == 1);
  CHECK(w[0] == "vessel.token_file: " + p + " is world-readable; restrict it to mode 0600 or 0400");
}

TEST_CASE("token file: bad inputs name the field, never the token", "[source][token]") {
  TempDir t;
  std::vector<std::string> w;
  auto e = [&](const std::string& path) {
    auto r = read_token_file("VESSEL_TOKEN_FILE", path, w);
    REQUIRE_FALSE(r.ok());
    CHECK(names_no_token(r.error()));
    return r.error();
  };
  CHECK(e(t / "missing") == "VESSEL_TOKEN_FILE: " + (t / "missing") + ": no such file");
  CHECK(e("relative/tok") == "VESSEL_TOKEN_FILE: expected an absolute path, got \"relative/tok\"");
  CHECK(e("") == "VESSEL_TOKEN_FILE: expected an absolute path, got \"\"");
  std::string big = mode_file(t, "big", std::string(4097, 'a'), 0600);
  CHECK(e(big) == "VESSEL_TOKEN_FILE: " + big + ": larger than 4096 bytes");
  std::string ctl = mode_file(t, "ctl", kTok + "\x01more\n", 0600);
  CHECK(e(ctl) == "VESSEL_TOKEN_FILE " + ctl + ": the token must be at most 4096 bytes without control characters");
  std::string inner = mode_file(t, "nl", kTok + "\nsecond line", 0600);
  CHECK(e(inner).find("without control characters") != std::string::npos);
  std::string empty = mode_file(t, "empty", "\n", 0600);
  CHECK(e(empty) == "VESSEL_TOKEN_FILE " + empty + ": the token is empty");
  CHECK(e(t.path) == "VESSEL_TOKEN_FILE: " + t.path + ": not a regular file");
  // Exactly at the cap is fine (negative control for the size check).
  std::string at_cap = mode_file(t, "cap", std::string(4096, 'a'), 0600);
  CHECK(read_token_file("VESSEL_TOKEN_FILE", at_cap, w).ok());
}

TEST_CASE("resolve_token: precedence env file > env > user_data file > user_data", "[source][token]") {
  TempDir t;
  std::string envf = mode_file(t, "env", "from-env-file\n", 0600);
  std::string udf = mode_file(t, "ud", "from-ud-file\n", 0600);
  auto run = [&](bool ud_token, bool ud_file, bool env_value, bool env_file) {
    NodeConfig cfg;
    if (ud_token) cfg.token = vessel::Secret("from-ud");
    if (ud_file) cfg.token_file = udf;
    std::map<std::string, std::string> env;
    if (env_value) env["VESSEL_TOKEN"] = "from-env";
    if (env_file) env["VESSEL_TOKEN_FILE"] = envf;
    auto st = resolve_token(cfg, env);
    REQUIRE(st.ok());
    return cfg.token.reveal() + "|" + cfg.token_from;
  };
  CHECK(run(false, false, false, false) == "|");
  CHECK(run(true, false, false, false) == "from-ud|vessel.token");
  CHECK(run(false, true, false, false) == "from-ud-file|vessel.token_file");
  CHECK(run(true, false, true, false) == "from-env|VESSEL_TOKEN");
  CHECK(run(false, true, true, false) == "from-env|VESSEL_TOKEN");
  CHECK(run(true, false, false, true) == "from-env-file|VESSEL_TOKEN_FILE");
  CHECK(run(false, true, false, true) == "from-env-file|VESSEL_TOKEN_FILE");
}

TEST_CASE("resolve_token: both forms at one level, or a bad VESSEL_TOKEN, is an error", "[source][token]") {
  TempDir t;
  std::string f = mode_file(t, "tok", kTok, 0600);
  NodeConfig cfg;
  CHECK(resolve_token(cfg, {{"VESSEL_TOKEN", kTok}, {"VESSEL_TOKEN_FILE", f}}).error() ==
        "VESSEL_TOKEN and VESSEL_TOKEN_FILE: set only one");
  cfg.token = vessel::Secret(kTok);
  cfg.token_file = f;
  CHECK(resolve_token(cfg, {}).error() == "user_data: vessel.token and vessel.token_file: set only one");
  NodeConfig c2;
  auto bad = resolve_token(c2, {{"VESSEL_TOKEN", kTok + "\n"}});
  CHECK(bad.error() == "VESSEL_TOKEN: the token must be at most 4096 bytes without control characters");
  CHECK(resolve_token(c2, {{"VESSEL_TOKEN", ""}}).error() == "VESSEL_TOKEN: the token is empty");
  CHECK(resolve_token(c2, {{"VESSEL_TOKEN_FILE", "tok.txt"}}).error() ==
        "VESSEL_TOKEN_FILE: expected an absolute path, got \"tok.txt\"");
}

TEST_CASE("load_node_config: token_file in user_data, VESSEL_TOKEN_FILE over it", "[source][token]") {
  TempDir t;
  std::string f = mode_file(t, "tok", kTok + "\n", 0600);
  SourceOptions o = file_source(t, "#cloud-config\nvessel:\n  cluster_id: c1\n  role: master\n  token_file: " + f + "\n");
  auto c = load_node_config(o);
  REQUIRE(c.ok());
  CHECK(c->token.reveal() == kTok);
  CHECK(c->token_from == "vessel.token_file");
  std::string g = mode_file(t, "tok2", "other\n", 0644);
  o.env = {{"VESSEL_TOKEN_FILE", g}};
  c = load_node_config(o);
  REQUIRE(c.ok());
  CHECK(c->token.reveal() == "other");
  CHECK(c->token_from == "VESSEL_TOKEN_FILE");
  bool warned = false;
  for (const auto& w : c->warnings) warned |= w.find("VESSEL_TOKEN_FILE: " + g + " is world-readable") == 0;
  CHECK(warned);
}

TEST_CASE("load_node_config: VESSEL_TOKEN applies to the file source too", "[source][token]") {
  TempDir t;
  SourceOptions o = file_source(t, "#cloud-config\nvessel:\n  cluster_id: c1\n  role: master\n  token: ud\n");
  o.env = {{"VESSEL_TOKEN", "env"}};
  auto c = load_node_config(o);
  REQUIRE(c.ok());
  CHECK(c->token.reveal() == "env");
}

TEST_CASE("load_node_config: bad token_file names the field", "[source][token]") {
  TempDir t;
  auto e = [&](const std::string& v) {
    auto c = load_node_config(file_source(t, "#cloud-config\nvessel:\n  cluster_id: c1\n  role: master\n  token_file: " + v + "\n"));
    REQUIRE_FALSE(c.ok());
    return c.error();
  };
  CHECK(e("rel/tok") == "file: user_data: vessel.token_file: expected an absolute path, got \"rel/tok\"");
  CHECK(e(t / "nope") == "vessel.token_file: " + (t / "nope") + ": no such file");
}
