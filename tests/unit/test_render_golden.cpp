// Golden files: the full render for each role from fixed inputs (no host
// facts), compared byte for byte with tests/golden/<case>/<file>.
//
// To regenerate after an intended change, run
//     VESSEL_UPDATE_GOLDEN=1 ./build/vessel_tests "[golden]"
// which rewrites the files instead of comparing; then review `git diff
// tests/golden` before committing. The test still fails in that mode so an
// update run can never pass silently in CI.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "render/render.hpp"
#include "role_test_util.hpp"
#include "util/fs.hpp"

using namespace vessel;

namespace {

constexpr std::uint64_t GiB = 1024ull * 1024 * 1024;

NodeConfig golden_config(const std::string& role) {
  NodeConfig c;
  c.cluster_id = "CID-golden";
  c.role = role;
  c.caps = vessel::test::caps_of(role);
  c.hostname = role == "worker" ? "worker-1" : "master-0";
  c.master = role == "standalone" ? "" : "master-0";
  c.self_addresses = {role == "worker" ? "10.0.0.11" : "10.0.0.10"};
  c.core["io.file.buffer.size"] = "131072";
  c.hdfs.site["dfs.blocksize"] = "134217728";
  c.spark.defaults["spark.eventLog.enabled"] = "true";
  c.spark.defaults["spark.eventLog.dir"] = "hdfs:///spark-logs";
  return c;
}

RenderInputs golden_inputs(const std::string& role) {
  RenderInputs in;
  in.self_ip = role == "worker" ? "10.0.0.11" : "10.0.0.10";
  if (role != "standalone") in.workers = {"worker-1", "worker-2"};
  // The master's case has a drain in progress; the others show the default, empty dfs.exclude.
  if (role == "master") in.excluded = {"worker-2"};
  in.limits = CgroupLimits{4.0, 8 * GiB};
  in.role_hdfs["dfs.namenode.handler.count"] = "20";
  return in;
}

std::string basename_of(const std::string& p) { return p.substr(p.rfind('/') + 1); }

void check_case(const std::string& role) {
  auto files = render_all(golden_config(role), golden_inputs(role));
  REQUIRE(files.ok());
  const std::vector<std::string> expected_paths = {
      "/etc/hadoop/core-site.xml", "/etc/hadoop/hdfs-site.xml", "/opt/spark/conf/spark-defaults.conf",
      "/opt/spark/conf/spark-env.sh", "/opt/spark/conf/workers", "/etc/hadoop/dfs.exclude"};
  REQUIRE(files->size() == expected_paths.size());
  const std::string dir = std::string(VESSEL_SOURCE_DIR) + "/tests/golden/" + role;
  const bool update = std::getenv("VESSEL_UPDATE_GOLDEN") != nullptr &&
                      std::string(std::getenv("VESSEL_UPDATE_GOLDEN")) == "1";
  for (std::size_t i = 0; i < files->size(); ++i) {
    const auto& f = (*files)[i];
    CHECK(f.path == expected_paths[i]);
    CHECK(f.mode == (basename_of(f.path) == "spark-env.sh" ? 0755u : 0644u));
    const std::string golden = dir + "/" + basename_of(f.path);
    if (update) {
      REQUIRE(ensure_dir(dir, 0755, static_cast<uid_t>(-1), static_cast<gid_t>(-1)).ok());
      REQUIRE(write_file_atomic(golden, f.content).ok());
      continue;
    }
    auto want = read_file(golden, 1 << 20);
    INFO("golden file " << golden << " (regenerate with VESSEL_UPDATE_GOLDEN=1)");
    REQUIRE(want.ok());
    CHECK(f.content == *want);
  }
  if (update) FAIL("VESSEL_UPDATE_GOLDEN=1: golden files rewritten for " << role << "; review git diff");
}

}  // namespace

TEST_CASE("golden: master", "[render][golden]") { check_case("master"); }
TEST_CASE("golden: worker", "[render][golden]") { check_case("worker"); }
TEST_CASE("golden: standalone", "[render][golden]") { check_case("standalone"); }

TEST_CASE("render_all is deterministic", "[render][golden]") {
  auto a = render_all(golden_config("worker"), golden_inputs("worker"));
  auto b = render_all(golden_config("worker"), golden_inputs("worker"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
}
