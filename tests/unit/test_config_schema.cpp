#include <catch2/catch.hpp>
#include <sstream>

#include "config/schema.hpp"
#include "config/yaml_tree.hpp"

using namespace vessel::config;

namespace {

// Parses a YAML vessel mapping through the same path as user_data.
vessel::Result<vessel::NodeConfig> cfg(const std::string& yaml) {
  auto doc = parse_document(yaml, "test");
  REQUIRE(doc);
  return parse_vessel_config(*doc, "user_data");
}

std::string error_of(const std::string& yaml) {
  auto r = cfg(yaml);
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace

TEST_CASE("schema: full example", "[config][schema]") {
  auto r = cfg(R"(
cluster_id: demo-1
role: master
master: 10.0.0.5
token: "s3cret"
hosts: [{ip: 10.0.0.5, name: spark-master}, {ip: "fe80::1", name: w1}]
hdfs:  {replication: 2, site: {dfs.blocksize: 64m}}
core:  {hadoop.proxyuser.x.hosts: "*"}
spark: {worker_cores: 2, worker_memory: 2g, defaults: {spark.eventLog.enabled: "true"}, env: {SPARK_LOCAL_DIRS: /tmp}}
notify: {url: "https://heat.example:8000/v1/signal", token: "n0tify"}
data_dir: /srv/data
)");
  REQUIRE(r);
  CHECK(r->cluster_id == "demo-1");
  CHECK(r->role == "master");
  CHECK(r->master == "10.0.0.5");
  CHECK(r->token.reveal() == "s3cret");
  REQUIRE(r->hosts.size() == 2);
  CHECK(r->hosts[1] == vessel::HostEntry{"fe80::1", "w1"});
  CHECK(r->hdfs.replication == 2);
  CHECK(r->hdfs.site.at("dfs.blocksize") == "64m");
  CHECK(r->core.at("hadoop.proxyuser.x.hosts") == "*");
  CHECK(r->spark.worker_cores == 2);
  CHECK(r->spark.worker_memory == "2g");
  CHECK(r->spark.defaults.at("spark.eventLog.enabled") == "true");
  CHECK(r->spark.env.at("SPARK_LOCAL_DIRS") == "/tmp");
  REQUIRE(r->notify);
  CHECK(r->notify->token.reveal() == "n0tify");
  CHECK(r->data_dir == "/srv/data");
  CHECK(r->warnings.empty());
}

TEST_CASE("schema: unknown keys are warnings naming the key", "[config][schema]") {
  auto r = cfg("cluster_id: c\ncolour: blue\nhdfs: {replicaton: 2}\nspark: {cores: 1}\n");
  REQUIRE(r);
  REQUIRE(r->warnings.size() == 3);
  CHECK(r->warnings[0] == "user_data: vessel.colour: unknown key, ignored");
  CHECK(r->warnings[1] == "user_data: vessel.hdfs.replicaton: unknown key, ignored");
  CHECK(r->warnings[2] == "user_data: vessel.spark.cores: unknown key, ignored");
}

TEST_CASE("schema: each bad field has an exact message", "[config][schema]") {
  CHECK(error_of("role: master\n") == "user_data: vessel.cluster_id: required");
  CHECK(error_of("cluster_id: ../x\n") ==
        "user_data: vessel.cluster_id: expected 1-64 characters of [A-Za-z0-9._-], got \"../x\"");
  CHECK(error_of("cluster_id: c\nhdfs: {replication: abc}\n") ==
        "user_data: vessel.hdfs.replication: expected an integer, got \"abc\"");
  CHECK(error_of("cluster_id: c\nhdfs: {replication: 0}\n") == "user_data: vessel.hdfs.replication: must be 1..512, got 0");
  CHECK(error_of("cluster_id: c\nhdfs: {replication: 2.5}\n") ==
        "user_data: vessel.hdfs.replication: expected an integer, got \"2.5\"");
  CHECK(error_of("cluster_id: c\nhdfs: {replication: 99999999999}\n") ==
        "user_data: vessel.hdfs.replication: expected an integer, got \"99999999999\"");
  CHECK(error_of("cluster_id: c\nhdfs: [1]\n") == "user_data: vessel.hdfs: expected a mapping, got a list");
  CHECK(error_of("cluster_id: c\nspark: {worker_cores: 2000}\n") ==
        "user_data: vessel.spark.worker_cores: must be 1..1024, got 2000");
  CHECK(error_of("cluster_id: c\nspark: {worker_memory: lots}\n") ==
        "user_data: vessel.spark.worker_memory: expected a size like 512m or 2g, got \"lots\"");
  CHECK(error_of("cluster_id: c\nspark: {env: {BAD-NAME: x}}\n") ==
        "user_data: vessel.spark.env: invalid shell variable name \"BAD-NAME\"");
  CHECK(error_of("cluster_id: c\ncore: {\"bad key\": x}\n") ==
        "user_data: vessel.core: invalid property name \"bad key\"");
  CHECK(error_of("cluster_id: c\ncore: {fs.x: {a: b}}\n") == "user_data: vessel.core.fs.x: expected a string, got a mapping");
  CHECK(error_of("cluster_id: c\nrole: Boss\n") ==
        "user_data: vessel.role: expected a role name (1-32 of [a-z0-9-], e.g. master, worker), got \"Boss\"");
  CHECK(error_of("cluster_id: c\ncluster: {remove_after: soon}\n") ==
        "user_data: vessel.cluster.remove_after: expected a duration from 5s to 720h like 30s, 10m or 2h, got \"soon\"");
  CHECK(error_of("cluster_id: c\ncluster: {remove_after: 1s}\n").find("vessel.cluster.remove_after") != std::string::npos);
  CHECK(error_of("cluster_id: c\nhealth: {disk_max_used_percent: \"101\"}\n") ==
        "user_data: vessel.health.disk_max_used_percent: must be 1..100, got 101");
  CHECK(error_of("cluster_id: c\nmaster: \"not a host\"\n") ==
        "user_data: vessel.master: expected an IP address or RFC 1123 hostname, got \"not a host\"");
  CHECK(error_of("cluster_id: c\nhosts: [{ip: 10.0.0.300, name: a}]\n") ==
        "user_data: vessel.hosts[0].ip: expected an IPv4 or IPv6 address, got \"10.0.0.300\"");
  CHECK(error_of("cluster_id: c\nhosts: [{ip: 10.0.0.1}]\n") == "user_data: vessel.hosts[0].name: required");
  CHECK(error_of("cluster_id: c\nhosts: [{ip: 10.0.0.1, name: a}, {ip: 10.0.0.2, name: a}]\n") ==
        "user_data: vessel.hosts[1]: duplicate host \"a\" with different addresses 10.0.0.1 and 10.0.0.2");
  CHECK(error_of("cluster_id: c\nnotify: {url: \"ftp://x/y\"}\n") ==
        "user_data: vessel.notify.url: expected an http(s) URL, got \"ftp://x/y\"");
  CHECK(error_of("cluster_id: c\nnotify: {token: t}\n") == "user_data: vessel.notify.url: required when vessel.notify is set");
  CHECK(error_of("cluster_id: c\ndata_dir: /data/../etc\n") ==
        "user_data: vessel.data_dir: expected an absolute normalized path without \"..\", got \"/data/../etc\"");
  CHECK(error_of("cluster_id: c\ndata_dir: relative\n") ==
        "user_data: vessel.data_dir: expected an absolute normalized path without \"..\", got \"relative\"");
}

TEST_CASE("schema: an identical duplicate host is kept once", "[config][schema]") {
  auto r = cfg("cluster_id: c\nhosts: [{ip: 10.0.0.1, name: a}, {ip: 10.0.0.1, name: a}]\n");
  REQUIRE(r);
  CHECK(r->hosts.size() == 1);
}

TEST_CASE("schema: hostile values, per-field policy", "[config][schema]") {
  // Names and addresses: rejected, field named, value escaped in the message.
  CHECK(error_of("cluster_id: c\nhosts: [{ip: 10.0.0.1, name: \"evil\\nhost\"}]\n") ==
        "user_data: vessel.hosts[0].name: must be at most 4096 bytes without control characters, got \"evil\\nhost\"");
  CHECK(error_of("cluster_id: c\nhosts: [{ip: 10.0.0.1, name: \"a;rm\"}]\n") ==
        "user_data: vessel.hosts[0].name: expected an RFC 1123 hostname, got \"a;rm\"");
  CHECK(error_of("cluster_id: c\nmaster: \"$(reboot)\"\n") ==
        "user_data: vessel.master: expected an IP address or RFC 1123 hostname, got \"$(reboot)\"");
  // Override values: accepted verbatim; the renderer escapes for XML / shell.
  auto r = cfg("cluster_id: c\ncore: {x.y: \"</value><name>evil\"}\nspark: {env: {X: \"$(reboot)\"}, "
               "defaults: {spark.a: \"$(id)\"}}\n");
  REQUIRE(r);
  CHECK(r->core.at("x.y") == "</value><name>evil");
  CHECK(r->spark.env.at("X") == "$(reboot)");
  CHECK(r->spark.defaults.at("spark.a") == "$(id)");
  // ...but no control characters: every target is line-based or XML 1.0.
  CHECK(error_of("cluster_id: c\nspark: {defaults: {spark.a: \"x\\nspark.b y\"}}\n") ==
        "user_data: vessel.spark.defaults.spark.a: must be at most 4096 bytes without control characters, got "
        "\"x\\nspark.b y\"");
  CHECK(error_of("cluster_id: c\ncore: {a: \"" + std::string(4097, 'v') + "\"}\n").rfind(
            "user_data: vessel.core.a: must be at most 4096 bytes", 0) == 0);
}

TEST_CASE("schema: tokens never appear in errors or printed config", "[config][schema]") {
  auto bad = cfg("cluster_id: c\ntoken: \"s3cret\\nline\"\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "user_data: vessel.token: must be at most 4096 bytes without control characters");
  auto bad2 = cfg("cluster_id: c\nnotify: {url: \"http://h/\", token: \"n0t\\u0001\"}\n");
  REQUIRE_FALSE(bad2);
  CHECK(bad2.error().find("n0t") == std::string::npos);
  auto good = cfg("cluster_id: c\ntoken: s3cret\n");
  REQUIRE(good);
  std::ostringstream os;
  os << good->token;
  CHECK(os.str() == "<redacted>");
}

TEST_CASE("schema: vessel.scale_in and scale_in_timeout", "[config][schema][drain]") {
  auto off = cfg("cluster_id: c\n");
  REQUIRE(off);
  CHECK_FALSE(off->scale_in.drain_on_sigterm);  // a restart must not move data
  auto on = cfg("cluster_id: c\nscale_in: drain_on_sigterm\nscale_in_timeout: 5m\n");
  INFO((on ? std::string() : on.error()));
  REQUIRE(on);
  CHECK(on->scale_in.drain_on_sigterm);
  CHECK(on->scale_in.timeout == std::chrono::minutes(5));
  CHECK(error_of("cluster_id: c\nscale_in: yes please\n").find("vessel.scale_in: expected drain_on_sigterm or off") !=
        std::string::npos);
  CHECK(error_of("cluster_id: c\nscale_in_timeout: 1s\n").find("vessel.scale_in_timeout") != std::string::npos);
  CHECK(error_of("cluster_id: c\nscale_in_timeout: soon\n").find("vessel.scale_in_timeout") != std::string::npos);
}
