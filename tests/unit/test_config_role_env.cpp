#include <catch2/catch.hpp>

#include "config/env_overrides.hpp"
#include "config/meta_data.hpp"
#include "config/role.hpp"

using namespace vessel::config;

TEST_CASE("role: precedence of the rules", "[config][role]") {
  RoleInputs in;
  in.master = "10.0.0.5";
  in.self = {"10.0.0.7", "node-7"};
  auto d = resolve_role(in);
  REQUIRE(d);
  CHECK(d->role == "worker");
  CHECK(d->from == "default");

  in.self.push_back("10.0.0.5");
  d = resolve_role(in);
  REQUIRE(d);
  CHECK(d->role == "master");
  CHECK(d->from == "vessel.master");

  in.env_role = "standalone";
  CHECK(resolve_role(in)->from == "VESSEL_ROLE");
  in.meta_role = "worker";
  CHECK(resolve_role(in)->from == "meta_data meta.role");
  in.vessel_role = "master";
  CHECK(resolve_role(in)->from == "vessel.role");
  in.override_role = "standalone";
  d = resolve_role(in);
  CHECK(d->from == "--role");
  CHECK(d->role == "standalone");
}

TEST_CASE("role: master matched by hostname, case-insensitively", "[config][role]") {
  RoleInputs in;
  in.master = "Spark-Master";
  in.self = {"spark-master"};
  CHECK(resolve_role(in)->role == "master");
}

TEST_CASE("role: errors", "[config][role]") {
  RoleInputs in;
  // Whether a role needs vessel.master is its capability, checked by the
  // plan (see the bad-input matrix): resolving the role alone succeeds.
  auto d = resolve_role(in);
  REQUIRE(d);
  CHECK(d->role == "worker");
  in.meta_role = "boss!";
  d = resolve_role(in);
  REQUIRE_FALSE(d);
  CHECK(d.error() == "meta_data meta.role: expected a role name (1-32 of [a-z0-9-], e.g. master, worker), got \"boss!\"");
  in.meta_role.clear();
  in.env_role = "worker";
  CHECK(resolve_role(in)->from == "VESSEL_ROLE");
  in.env_role = "master";
  CHECK(resolve_role(in)->role == "master");  // a master needs no vessel.master
}

TEST_CASE("env overrides: BDE name mapping", "[config][env]") {
  CHECK(env_name_to_property("fs_defaultFS") == "fs.defaultFS");
  CHECK(env_name_to_property("dfs_replication") == "dfs.replication");
  CHECK(env_name_to_property("yarn_log___aggregation__enable") == "yarn.log-aggregation_enable");
  CHECK(env_name_to_property("a____b") == "a-.b");
}

TEST_CASE("env overrides beat user_data and are validated", "[config][env]") {
  vessel::NodeConfig cfg;
  cfg.core["fs.defaultFS"] = "hdfs://old:8020";
  auto st = apply_env_overrides(cfg, {{"CORE_CONF_fs_defaultFS", "hdfs://new:8020"},
                                      {"HDFS_CONF_dfs_replication", "1"},
                                      {"SPARK_CONF_spark_eventLog_enabled", "true"},
                                      {"PATH", "/bin"},
                                      {"CORE_CONF_", "ignored: empty name"}});
  REQUIRE(st);
  CHECK(cfg.core.at("fs.defaultFS") == "hdfs://new:8020");
  CHECK(cfg.hdfs.site.at("dfs.replication") == "1");
  CHECK(cfg.spark.defaults.at("spark.eventLog.enabled") == "true");
  CHECK(cfg.core.size() == 1);

  vessel::NodeConfig c2;
  auto bad = apply_env_overrides(c2, {{"HDFS_CONF_dfs_x", "a\nb"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "HDFS_CONF_dfs_x: must be at most 4096 bytes without control characters, got \"a\\nb\"");
  auto badkey = apply_env_overrides(c2, {{"CORE_CONF_a b", "x"}});
  REQUIRE_FALSE(badkey);
  CHECK(badkey.error() == "\"CORE_CONF_a b\": invalid property name \"a b\"");
}

TEST_CASE("meta_data.json parsing", "[config][meta]") {
  auto m = parse_meta_data_json(
      R"({"uuid": "83679162-1378-4288-a2d4-70e13ec132aa", "hostname": "w-1.novalocal", "meta": {"role": "worker"}})");
  REQUIRE(m);
  CHECK(m->instance_id == "83679162-1378-4288-a2d4-70e13ec132aa");
  CHECK(m->hostname == "w-1.novalocal");
  CHECK(m->role == "worker");
  auto garbage = parse_meta_data_json("{\"uuid\": ");
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error() == "meta_data.json: invalid JSON at byte 10");
  auto not_obj = parse_meta_data_json("<html>");
  REQUIRE_FALSE(not_obj);
  CHECK(not_obj.error() == "meta_data.json: expected a JSON object");
  auto bad_id = parse_meta_data_json(R"({"uuid": "../../etc"})");
  REQUIRE_FALSE(bad_id);
  CHECK(bad_id.error() == "meta_data.json: uuid: expected 1-128 characters of [A-Za-z0-9._-], got \"../../etc\"");
  auto bad_host = parse_meta_data_json(R"({"uuid": "u", "hostname": "a b"})");
  REQUIRE(bad_host);
  CHECK(bad_host->hostname.empty());
  CHECK(bad_host->warnings.size() == 1);
}

TEST_CASE("NoCloud meta-data parsing", "[config][meta]") {
  auto m = parse_nocloud_meta_data("instance-id: iid-01\nlocal-hostname: node1\n");
  REQUIRE(m);
  CHECK(m->instance_id == "iid-01");
  CHECK(m->hostname == "node1");
  CHECK(parse_nocloud_meta_data("")->instance_id.empty());
  auto bad = parse_nocloud_meta_data("instance-id: [a\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().rfind("meta-data: invalid YAML", 0) == 0);
}
