#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "config/base64.hpp"
#include "source/load.hpp"
#include "config_test_util.hpp"
#include "source/sources.hpp"

using vessel::SourceOptions;
using vessel::load_node_config;
using vessel::testutil::data_path;
using vessel::testutil::TempDir;
using vessel::testutil::spit;

namespace {

// Options that can only see what the test provides: no real /mnt/config,
// no real seed dir, an unroutable metadata URL with no retries.
SourceOptions isolated(const TempDir& t) {
  SourceOptions o;
  o.configdrive_dir = t / "no-drive";
  o.nocloud_dir = t / "no-seed";
  o.metadata_url = "http://127.0.0.1:1";
  o.http_retries = 0;
  o.http_timeout = std::chrono::milliseconds(500);
  o.identity = vessel::config::LocalIdentity{"node-7", {"127.0.0.1", "10.0.0.7"}};
  return o;
}

}  // namespace

TEST_CASE("source file: --user-data and --meta-data", "[source][file]") {
  TempDir t;
  spit(t / "ud.yaml", "vessel:\n  cluster_id: f1\n  master: 10.0.0.5\n");
  spit(t / "md.json", R"({"uuid": "iid-file", "meta": {"role": "standalone"}})");
  SourceOptions o = isolated(t);
  o.user_data_file = t / "ud.yaml";
  o.meta_data_file = t / "md.json";
  auto c = load_node_config(o);
  REQUIRE(c);
  CHECK(c->source == "file");
  CHECK(c->cluster_id == "f1");
  CHECK(c->instance_id == "iid-file");
  CHECK(c->role == "standalone");
  CHECK(c->role_from == "meta_data meta.role");
  CHECK(c->hostname == "node-7");

  o.user_data_file = t / "missing";
  auto missing = load_node_config(o);
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == "--user-data " + (t / "missing") + ": no such file");
}

TEST_CASE("source file: role from vessel.master matching this node", "[source][file]") {
  TempDir t;
  spit(t / "ud", "{\"cluster_id\": \"m\", \"master\": \"10.0.0.7\"}");
  SourceOptions o = isolated(t);
  o.user_data_file = t / "ud";
  auto c = load_node_config(o);
  REQUIRE(c);
  CHECK(c->role == "master");
  CHECK(c->role_from == "vessel.master");
  o.role_override = "worker";
  CHECK(load_node_config(o)->role_from == "--role");
  o.role_override = "chief/x";
  CHECK(load_node_config(o).error() ==
        "--role: expected a role name (1-32 of [a-z0-9-], e.g. master, worker), got \"chief/x\"");
}

TEST_CASE("source env: VESSEL_* variables", "[source][env]") {
  TempDir t;
  SourceOptions o = isolated(t);
  o.env = {{"VESSEL_CLUSTER_ID", "env-1"},
           {"VESSEL_MASTER", "spark-master"},
           {"VESSEL_TOKEN", "tok"},
           {"VESSEL_HOSTS", "10.0.0.5=spark-master,10.0.0.6=w1"},
           {"VESSEL_ROLE", "worker"},
           {"HDFS_CONF_dfs_replication", "1"}};
  auto c = load_node_config(o);
  REQUIRE(c);
  CHECK(c->source == "env");
  CHECK(c->cluster_id == "env-1");
  CHECK(c->master == "spark-master");
  CHECK(c->token.reveal() == "tok");
  CHECK(c->hosts.size() == 2);
  CHECK(c->role_from == "VESSEL_ROLE");
  CHECK(c->hdfs.site.at("dfs.replication") == "1");

  o.env["VESSEL_HOSTS"] = "10.0.0.5=spark-master,oops";
  CHECK(load_node_config(o).error() == "VESSEL_HOSTS: entry 2: expected ip=name");
  o.env["VESSEL_HOSTS"] = "10.0.0.5=bad\nname";
  CHECK(load_node_config(o).error() ==
        "env: environment: vessel.hosts[0].name: must be at most 4096 bytes without control characters, got "
        "\"bad\\nname\"");
}

TEST_CASE("source env: VESSEL_USER_DATA_BASE64 carries gzip, variables overlay it", "[source][env]") {
  TempDir t;
  SourceOptions o = isolated(t);
  std::string gz = vessel::testutil::gzip("vessel:\n  cluster_id: from-ud\n  master: 10.0.0.5\n  role: worker\n");
  // A minimal encoder, checked against our decoder just below.
  static const char* A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (std::size_t i = 0; i < gz.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(gz[i]) << 16;
    if (i + 1 < gz.size()) v |= static_cast<unsigned char>(gz[i + 1]) << 8;
    if (i + 2 < gz.size()) v |= static_cast<unsigned char>(gz[i + 2]);
    b64 += A[(v >> 18) & 63];
    b64 += A[(v >> 12) & 63];
    b64 += i + 1 < gz.size() ? A[(v >> 6) & 63] : '=';
    b64 += i + 2 < gz.size() ? A[v & 63] : '=';
  }
  REQUIRE(vessel::config::base64_decode(b64).value() == gz);
  o.env = {{"VESSEL_USER_DATA_BASE64", b64}, {"VESSEL_MASTER", "10.0.0.9"}};
  auto c = load_node_config(o);
  REQUIRE(c);
  CHECK(c->cluster_id == "from-ud");
  CHECK(c->master == "10.0.0.9");
  o.env["VESSEL_USER_DATA"] = "x";
  CHECK(load_node_config(o).error() == "VESSEL_USER_DATA and VESSEL_USER_DATA_BASE64: set only one");
}

TEST_CASE("source configdrive: newest known version dir", "[source][configdrive]") {
  CHECK(vessel::source::pick_configdrive_version(data_path("configdrive/openstack")) == "2016-06-30");
  TempDir t;
  SourceOptions o = isolated(t);
  o.source = "configdrive";
  o.configdrive_dir = data_path("configdrive");
  auto c = load_node_config(o);
  REQUIRE(c);
  CHECK(c->source == "configdrive");
  CHECK(c->cluster_id == "drive-2016-06-30");
  CHECK(c->instance_id == "0b3c5f3e-7d4e-4b35-9d7a-201606300000");
  CHECK(c->role == "worker");
  CHECK(c->role_from == "meta_data meta.role");
}

TEST_CASE("source configdrive: latest fallback, missing user_data, garbage meta_data", "[source][configdrive]") {
  TempDir t;
  spit(t / "cd/openstack/latest/meta_data.json", R"({"uuid": "iid-latest"})");
  spit(t / "cd/openstack/latest/user_data", "vessel: {cluster_id: l, role: master}\n");
  SourceOptions o = isolated(t);
  o.configdrive_dir = t / "cd";
  auto c = load_node_config(o);  // auto: file and env are empty
  REQUIRE(c);
  CHECK(c->source == "configdrive");
  CHECK(c->instance_id == "iid-latest");
  CHECK(c->hostname == "node-7");  // a master is its own master: make_plan resolves that from the role

  std::filesystem::remove(t / "cd/openstack/latest/user_data");
  CHECK(load_node_config(o).error() ==
        "configdrive: user_data: no vessel configuration (need a vessel: mapping with cluster_id)");
  spit(t / "cd/openstack/latest/meta_data.json", "{garbage");
  CHECK(load_node_config(o).error() == "configdrive: meta_data.json: invalid JSON at byte 2");
}

TEST_CASE("source nocloud: seed directory", "[source][nocloud]") {
  TempDir t;
  SourceOptions o = isolated(t);
  o.nocloud_dir = data_path("nocloud");
  o.identity = vessel::config::LocalIdentity{"other", {"10.1.1.1"}};
  auto c = load_node_config(o);
  REQUIRE(c);
  CHECK(c->source == "nocloud");
  CHECK(c->instance_id == "iid-nocloud-01");
  CHECK(c->cluster_id == "nocloud-demo");
  // local-hostname from meta-data names this node: it equals vessel.master.
  CHECK(c->role == "master");
  CHECK(c->spark.worker_memory == "2g");
}

TEST_CASE("source auto: precedence file > env > configdrive > nocloud", "[source][auto]") {
  TempDir t;
  spit(t / "ud", "vessel: {cluster_id: from-file, role: master}\n");
  SourceOptions o = isolated(t);
  o.user_data_file = t / "ud";
  o.env = {{"VESSEL_CLUSTER_ID", "from-env"}, {"VESSEL_ROLE", "master"}};
  o.configdrive_dir = data_path("configdrive");
  o.nocloud_dir = data_path("nocloud");
  CHECK(load_node_config(o)->source == "file");
  o.user_data_file.clear();
  CHECK(load_node_config(o)->source == "env");
  o.env.clear();
  CHECK(load_node_config(o)->source == "configdrive");
  o.configdrive_dir = t / "none";
  CHECK(load_node_config(o)->source == "nocloud");
  o.source = "nocloud";
  o.nocloud_dir = t / "none";
  CHECK(load_node_config(o).error() == "source nocloud: no configuration found");
  o.source = "bogus";
  CHECK(load_node_config(o).error() ==
        "--source: expected auto, file, env, configdrive, nocloud or openstack, got \"bogus\"");
}

TEST_CASE("source nocloud: a FIFO planted as user-data is refused", "[source][nocloud]") {
  TempDir t;
  std::filesystem::create_directories(t / "seed");
  REQUIRE(mkfifo((t / "seed/user-data").c_str(), 0600) == 0);
  SourceOptions o = isolated(t);
  o.nocloud_dir = t / "seed";
  CHECK(load_node_config(o).error() == "nocloud: " + (t / "seed/user-data") + ": not a regular file");
}
