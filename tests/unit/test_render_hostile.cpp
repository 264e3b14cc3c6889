// Hostile values must land escaped for where they go, or be rejected with an
// error naming the field; never change the structure of a rendered file.
#include <catch2/catch.hpp>

#include <pugixml.hpp>
#include <sys/stat.h>

#include "render/render.hpp"
#include "role_test_util.hpp"
#include "render_test_util.hpp"
#include "util/fs.hpp"

using namespace vessel;
using vessel::test::TempDir;

namespace {

NodeConfig base_config() {
  NodeConfig c;
  c.cluster_id = "CID-test";
  c.role = "worker";
  c.caps = vessel::test::caps_of("worker");
  c.master = "master-0";
  c.hostname = "worker-1";
  return c;
}

// Value of property `name` after parsing the XML back, and how many
// <property> elements exist.
std::pair<std::string, int> reparse(const std::string& xml, const std::string& name) {
  pugi::xml_document doc;
  auto res = doc.load_string(xml.c_str());
  REQUIRE(res);
  std::string value = "<absent>";
  int count = 0;
  for (auto p : doc.child("configuration").children("property")) {
    ++count;
    if (std::string(p.child_value("name")) == name) value = p.child_value("value");
  }
  return {value, count};
}

// Runs FILE through bash the way load-spark-env.sh does (set -a; . FILE)
// and prints $VAR. The file path travels as $1, never inside the script.
vessel::test::RunResult source_and_print(const std::string& file, const std::string& var, const std::string& cwd) {
  return vessel::test::run_capture(
      {"/bin/bash", "-c", "set -a; . \"$1\"; printf %s \"${!2}\"", "bash", file, var}, cwd);
}

}  // namespace

TEST_CASE("XML: </value>, ]]> and & land escaped and re-parse to the exact value", "[render][hostile]") {
  const std::string hostile =
      "a</value><name>fs.defaultFS</name><value>evil</value>]]><![CDATA[x]]>&amp;&lt;\"'";
  auto xml = render_hadoop_xml({{"fs.defaultFS", "hdfs://m:8020"}, {"x.y", hostile}});
  REQUIRE(xml.ok());
  auto [value, count] = reparse(*xml, "x.y");
  CHECK(value == hostile);
  CHECK(count == 2);
  CHECK(reparse(*xml, "fs.defaultFS").first == "hdfs://m:8020");
  CHECK(xml->find("</value><name>") == std::string::npos);
}

TEST_CASE("XML: a hostile core override through render_all stays one property", "[render][hostile]") {
  auto cfg = base_config();
  cfg.core["hadoop.proxyuser.x.hosts"] = "</value></property><property><name>fs.defaultFS</name><value>file:///";
  auto files = render_all(cfg, RenderInputs{});
  REQUIRE(files.ok());
  const auto& core = (*files)[0];
  REQUIRE(core.path == "/etc/hadoop/core-site.xml");
  CHECK(reparse(core.content, "fs.defaultFS").first == "hdfs://master-0:8020");
  CHECK(reparse(core.content, "hadoop.proxyuser.x.hosts").first == cfg.core["hadoop.proxyuser.x.hosts"]);
}

TEST_CASE("XML: control characters, invalid UTF-8 and odd keys are rejected naming the key", "[render][hostile]") {
  auto nl = render_hadoop_xml({{"dfs.x", "a\nb"}});
  REQUIRE_FALSE(nl.ok());
  CHECK_THAT(nl.error(), Catch::Contains("dfs.x"));
  CHECK_FALSE(render_hadoop_xml({{"dfs.x", std::string("a\0b", 3)}}).ok());
  CHECK_FALSE(render_hadoop_xml({{"dfs.x", "\xff\xfe"}}).ok());
  CHECK_FALSE(render_hadoop_xml({{"dfs.x", "\xc0\xaf"}}).ok());  // overlong '/'
  CHECK(render_hadoop_xml({{"dfs.x", "caf\xc3\xa9 \xe2\x82\xac"}}).ok());  // real UTF-8 is fine
  auto key = render_hadoop_xml({{"a<b", "v"}});
  REQUIRE_FALSE(key.ok());
  CHECK_THAT(key.error(), Catch::Contains("a<b"));

  auto cfg = base_config();
  cfg.hdfs.site["dfs.evil"] = "x\n</configuration>";
  auto files = render_all(cfg, RenderInputs{});
  REQUIRE_FALSE(files.ok());
  CHECK_THAT(files.error(), Catch::Contains("hdfs-site.xml") && Catch::Contains("dfs.evil"));
}

TEST_CASE("shell_quote: bash reads back $(...), backticks, quotes and newlines literally", "[render][hostile]") {
  TempDir d;
  const std::vector<std::string> values = {
      "$(touch pwned)", "`touch pwned`", "it's", "'", "''\\''", "a'; touch pwned; echo '",
      "$HOME ${PATH} $((1+1))", "back\\slash\\", "line1\nline2; touch pwned", "\"dq\" \\\"", "", "*",
  };
  for (const auto& v : values) {
    // Written by hand (not render_spark_env, which rejects newlines) so this
    // checks the quoting alone.
    REQUIRE(write_file_atomic(d / "env.sh", "export VAR=" + shell_quote(v) + "\n").ok());
    auto r = source_and_print(d / "env.sh", "VAR", d.path);
    INFO("value: " << v);
    CHECK(r.exit_code == 0);
    CHECK(r.out == v);
  }
  struct stat st {};
  CHECK(::stat((d / "pwned").c_str(), &st) != 0);  // nothing was executed
}

TEST_CASE("spark-env.sh: rendered hostile values survive sourcing unchanged", "[render][hostile]") {
  TempDir d;
  auto cfg = base_config();
  cfg.spark.env["EVIL1"] = "$(touch pwned)";
  cfg.spark.env["EVIL2"] = "`touch pwned`'\"";
  cfg.spark.env["SPARK_DAEMON_JAVA_OPTS"] = "-Da=b -Dc='d e'";
  RenderInputs in;
  in.spark_conf_dir = d.path;
  auto files = render_all(cfg, in);
  REQUIRE(files.ok());
  const auto& env = (*files)[3];
  REQUIRE(env.path == d / "spark-env.sh");
  REQUIRE(write_file_atomic(env.path, env.content, env.mode).ok());
  for (const auto& [k, v] : cfg.spark.env) {
    auto r = source_and_print(env.path, k, d.path);
    CHECK(r.exit_code == 0);
    CHECK(r.out == v);
  }
  CHECK(source_and_print(env.path, "SPARK_MASTER_HOST", d.path).out == "master-0");
  struct stat st {};
  CHECK(::stat((d / "pwned").c_str(), &st) != 0);
}

TEST_CASE("spark-env.sh: newline values and non-identifier names are rejected", "[render][hostile]") {
  auto nl = render_spark_env({{"VAR", "a\nb"}});
  REQUIRE_FALSE(nl.ok());
  CHECK_THAT(nl.error(), Catch::Contains("spark.env.VAR"));
  CHECK_FALSE(render_spark_env({{"VAR", "a\rb"}}).ok());
  for (std::string bad : {"A B", "1X", "X;rm", "X=Y", "", "$(x)"}) {
    auto r = render_spark_env({{bad, "v"}});
    INFO("name: " << bad);
    CHECK_FALSE(r.ok());
  }
  auto good = render_spark_env({{"_X1", "v"}});
  REQUIRE(good.ok());
  CHECK_THAT(*good, Catch::EndsWith("export _X1='v'\n"));
}

TEST_CASE("spark-defaults.conf: a value never makes a second line; backslashes survive Properties", "[render][hostile]") {
  for (std::string bad : std::vector<std::string>{"a\nspark.master local", "a\rb", std::string("a\0b", 3), "tab\there"}) {
    auto r = render_spark_defaults({{"spark.x", bad}});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains("spark.x"));
  }
  CHECK_FALSE(render_spark_defaults({{"spark x", "v"}}).ok());
  CHECK_FALSE(render_spark_defaults({{"spark=x", "v"}}).ok());
  CHECK_FALSE(render_spark_defaults({{"#spark", "v"}}).ok());

  auto r = render_spark_defaults({{"spark.a", "C:\\dir\\n"}, {"spark.b", "x y  z"}});
  REQUIRE(r.ok());
  CHECK(*r ==
        "# Generated by vessel from the node configuration; edits are overwritten at boot.\n"
        "spark.a C:\\\\dir\\\\n\n"
        "spark.b x y  z\n");
}

TEST_CASE("workers file: hostnames and IPs only, newline rejected", "[render][hostile]") {
  auto good = render_workers({"worker-1", "w2.example.org", "10.0.0.7", "fd00::7"});
  REQUIRE(good.ok());
  CHECK(*good == "# Generated by vessel: Spark worker hosts, one per line.\nworker-1\nw2.example.org\n10.0.0.7\nfd00::7\n");
  for (std::string bad : std::vector<std::string>{"worker-1\nevil", "worker 1", "-bad", "bad-", "a..b", "", "x;reboot",
                          std::string(64, 'a'), "w\r", "10.0.0.1\n"}) {
    auto r = render_workers({"ok", bad});
    INFO("host: " << bad);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains("workers[1]"));
  }
}

TEST_CASE("master and self_ip are validated before they reach any file", "[render][hostile]") {
  auto cfg = base_config();
  cfg.master = "m\nevil";
  auto r = render_all(cfg, RenderInputs{});
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error(), Catch::StartsWith("master:"));

  cfg = base_config();
  RenderInputs in;
  in.self_ip = "10.0.0.1; reboot";
  auto s = render_all(cfg, in);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error(), Catch::StartsWith("self_ip:"));

  cfg = base_config();
  cfg.data_dir = "/data/../etc";
  auto dd = render_all(cfg, RenderInputs{});
  REQUIRE_FALSE(dd.ok());
  CHECK_THAT(dd.error(), Catch::StartsWith("data_dir:"));
}
