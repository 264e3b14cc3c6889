// Precedence, computed defaults and role differences of the merged maps.
#include <catch2/catch.hpp>

#include "render/render.hpp"
#include "role_test_util.hpp"

using namespace vessel;

namespace {
NodeConfig cfg_for(const std::string& role) {
  NodeConfig c;
  c.cluster_id = "CID-test";
  c.role = role;
  c.caps = vessel::test::caps_of(role);
  c.master = role == "worker" ? "master-0" : "";
  c.hostname = role == "worker" ? "worker-1" : "master-0";
  return c;
}
constexpr std::uint64_t GiB = 1024ull * 1024 * 1024;
}  // namespace

TEST_CASE("precedence: defaults < role file < user_data", "[render][merge]") {
  auto cfg = cfg_for("worker");
  RenderInputs in;
  in.role_hdfs["dfs.blocksize"] = "64m";
  in.role_hdfs["dfs.datanode.data.dir"] = "/role/data";
  cfg.hdfs.site["dfs.datanode.data.dir"] = "/user/data";
  in.role_core["io.file.buffer.size"] = "131072";
  in.role_spark["spark.eventLog.enabled"] = "true";
  cfg.spark.defaults["spark.eventLog.enabled"] = "false";

  auto hdfs = hdfs_site_props(cfg, in);
  REQUIRE(hdfs.ok());
  CHECK(hdfs->at("dfs.blocksize") == "64m");                 // role over (absent) default
  CHECK(hdfs->at("dfs.datanode.data.dir") == "/user/data");  // user over role
  CHECK(hdfs->at("dfs.namenode.name.dir") == "/data/hdfs/name");  // default kept
  auto core = core_site_props(cfg, in);
  REQUIRE(core.ok());
  CHECK(core->at("io.file.buffer.size") == "131072");
  CHECK(core->at("fs.defaultFS") == "hdfs://master-0:8020");
  CHECK(core->at("hadoop.tmp.dir") == "/data/tmp");
  auto sd = spark_defaults_props(cfg, in);
  REQUIRE(sd.ok());
  CHECK(sd->at("spark.eventLog.enabled") == "false");
  CHECK(sd->at("spark.master") == "spark://master-0:7077");
}

TEST_CASE("replication: min(3, workers), at least 1, unless given", "[render][merge]") {
  auto cfg = cfg_for("master");
  RenderInputs in;
  auto repl = [&] { return hdfs_site_props(cfg, in)->at("dfs.replication"); };
  CHECK(repl() == "1");
  in.workers = {"w1", "w2"};
  CHECK(repl() == "2");
  in.workers = {"w1", "w2", "w3", "w4", "w5"};
  CHECK(repl() == "3");
  in.role_hdfs["dfs.replication"] = "4";
  CHECK(repl() == "4");
  cfg.hdfs.replication = 2;
  CHECK(repl() == "2");
  cfg.hdfs.site["dfs.replication"] = "1";
  CHECK(repl() == "1");
  cfg.hdfs.replication = 0;
  auto bad = hdfs_site_props(cfg, in);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error(), Catch::Contains("hdfs.replication"));
}

TEST_CASE("master address: explicit, own hostname for master/standalone, required for workers", "[render][merge]") {
  auto sa = cfg_for("standalone");
  CHECK(*master_address(sa) == "master-0");
  sa.master = "10.0.0.5";
  CHECK(*master_address(sa) == "10.0.0.5");
  auto w = cfg_for("worker");
  w.master = "";
  auto r = master_address(w);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error(), Catch::StartsWith("master:"));
  // What decides is the capability, not the role's name.
  auto renamed = cfg_for("worker");
  renamed.role = "client";
  CHECK(*master_address(renamed) == "master-0");
  renamed.master = "";
  renamed.caps.needs_master = false;
  CHECK(*master_address(renamed) == "worker-1");

  auto v6 = cfg_for("worker");
  v6.master = "fd00::1";
  CHECK(core_site_props(v6, {})->at("fs.defaultFS") == "hdfs://[fd00::1]:8020");
  CHECK(spark_defaults_props(v6, {})->at("spark.master") == "spark://[fd00::1]:7077");
}

TEST_CASE("fixed ports and bind hosts", "[render][merge]") {
  auto h = *hdfs_site_props(cfg_for("worker"), {});
  CHECK(h.at("dfs.namenode.rpc-address") == "master-0:8020");
  CHECK(h.at("dfs.namenode.http-address") == "0.0.0.0:9870");
  CHECK(h.at("dfs.datanode.address") == "0.0.0.0:9866");
  CHECK(h.at("dfs.datanode.http.address") == "0.0.0.0:9864");
  CHECK(h.at("dfs.datanode.ipc.address") == "0.0.0.0:9867");
  for (const char* k : {"dfs.namenode.rpc-bind-host", "dfs.namenode.http-bind-host",
                        "dfs.namenode.servicerpc-bind-host", "dfs.namenode.lifeline.rpc-bind-host"})
    CHECK(h.at(k) == "0.0.0.0");
  CHECK(h.at("dfs.namenode.datanode.registration.ip-hostname-check") == "false");  // see render.cpp
  CHECK(h.count("dfs.permissions.enabled") == 0);
}

TEST_CASE("data_dir moves every local path", "[render][merge]") {
  auto cfg = cfg_for("standalone");
  cfg.data_dir = "/mnt/vol/";
  auto h = *hdfs_site_props(cfg, {});
  CHECK(h.at("dfs.namenode.name.dir") == "/mnt/vol/hdfs/name");
  CHECK(h.at("dfs.datanode.data.dir") == "/mnt/vol/hdfs/data");
  CHECK(core_site_props(cfg, {})->at("hadoop.tmp.dir") == "/mnt/vol/tmp");
  CHECK(spark_env_vars(cfg, {})->at("SPARK_WORKER_DIR") == "/mnt/vol/spark/work");
}

TEST_CASE("worker cores/memory: user_data, else cgroup limit, else host", "[render][merge]") {
  auto cfg = cfg_for("worker");
  RenderInputs in;
  in.host = CgroupLimits{64.0, 256 * GiB};
  auto env = [&] { return *spark_env_vars(cfg, in); };

  CHECK(env().at("SPARK_WORKER_CORES") == "64");  // host only
  CHECK(env().at("SPARK_WORKER_MEMORY") == std::to_string(192 * 1024) + "m");

  in.limits = CgroupLimits{2.5, 4 * GiB};  // container limits win over the host
  CHECK(env().at("SPARK_WORKER_CORES") == "2");
  CHECK(env().at("SPARK_WORKER_MEMORY") == "3072m");

  in.limits = CgroupLimits{2.0, std::nullopt};  // memory unlimited in the cgroup
  CHECK(env().at("SPARK_WORKER_CORES") == "2");
  CHECK(env().at("SPARK_WORKER_MEMORY") == std::to_string(192 * 1024) + "m");

  cfg.spark.worker_cores = 7;
  cfg.spark.worker_memory = "5g";
  CHECK(env().at("SPARK_WORKER_CORES") == "7");
  CHECK(env().at("SPARK_WORKER_MEMORY") == "5g");

  cfg.spark.env["SPARK_WORKER_CORES"] = "3";  // explicit env var is the last word
  CHECK(env().at("SPARK_WORKER_CORES") == "3");

  auto bare = cfg_for("worker");
  auto none = *spark_env_vars(bare, {});
  CHECK(none.count("SPARK_WORKER_CORES") == 0);  // no facts: let Spark decide
  CHECK(none.count("SPARK_WORKER_MEMORY") == 0);

  RenderInputs with_host;
  with_host.host = CgroupLimits{8.0, 16 * GiB};
  auto master = *spark_env_vars(cfg_for("master"), with_host);
  CHECK(master.count("SPARK_WORKER_CORES") == 0);  // a master runs no Worker
  CHECK(master.at("SPARK_MASTER_HOST") == "master-0");
}

TEST_CASE("worker memory formula leaves headroom", "[render][merge]") {
  CHECK(default_worker_memory(16 * GiB, false) == "12288m");  // reserve 25%
  CHECK(default_worker_memory(4 * GiB, false) == "3072m");    // reserve 1 GiB
  CHECK(default_worker_memory(4 * GiB, true) == "2048m");     // + NameNode/Master
  CHECK(default_worker_memory(2 * GiB, true) == "1024m");     // floor: half
  CHECK(default_worker_memory(1 * GiB, false) == "512m");
  CHECK(default_worker_cores(0.5) == 1);
  CHECK(default_worker_cores(1.9999999) == 2);
  CHECK(default_worker_cores(3.7) == 3);
}

TEST_CASE("spark-env carries the fixed ports, local IP and cleanup opts", "[render][merge]") {
  RenderInputs in;
  in.self_ip = "10.0.0.9";
  auto e = *spark_env_vars(cfg_for("worker"), in);
  CHECK(e.at("SPARK_MASTER_PORT") == "7077");
  CHECK(e.at("SPARK_MASTER_WEBUI_PORT") == "8080");
  CHECK(e.at("SPARK_WORKER_WEBUI_PORT") == "8081");
  CHECK(e.at("SPARK_LOCAL_IP") == "10.0.0.9");
  CHECK_THAT(e.at("SPARK_WORKER_OPTS"), Catch::Contains("-Dspark.worker.cleanup.enabled=true"));
  CHECK(spark_env_vars(cfg_for("worker"), {})->count("SPARK_LOCAL_IP") == 0);
}

TEST_CASE("local_dirs splits Hadoop dir lists", "[render][merge]") {
  CHECK(local_dirs("/data/hdfs/name") == std::vector<std::string>{"/data/hdfs/name"});
  CHECK(local_dirs("file:///a, /b,,file:///c") == std::vector<std::string>{"/a", "/b", "/c"});
  CHECK(local_dirs("").empty());
}
