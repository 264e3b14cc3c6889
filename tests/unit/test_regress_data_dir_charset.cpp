// Regression: vessel.data_dir accepted any printable text, although the
// schema promises a strict charset for it. "/data/a,b" became
// dfs.namenode.name.dir = "/data/a,b/hdfs/name", which Hadoop splits into
// "/data/a" and the relative "b/hdfs/name"; "/data/$(id)" or "/da ta" broke
// the file:// URIs and JVM flags. Found while writing the fuzz invariants.
#include <catch2/catch.hpp>

#include "config/schema.hpp"
#include "config/validate.hpp"

using namespace vessel::config;

TEST_CASE("regress: data_dir with list separators or shell/URI characters is rejected", "[config][regress]") {
  for (const char* bad : {"/data/a,b", "/data/a b", "/data/$(id)", "/data/<x>", "/data/a%20b", "/data/a#b",
                          "/data/a?b", "/data/\xc3\xa9", "/data/a:b"}) {
    INFO(bad);
    CHECK_FALSE(normalized_data_dir(bad));
    auto cfg = parse_vessel_config(nlohmann::json{{"cluster_id", "c1"}, {"data_dir", bad}}, "user_data");
    REQUIRE_FALSE(cfg);
    CHECK_THAT(cfg.error(), Catch::Matchers::StartsWith("user_data: vessel.data_dir: expected"));
  }
  CHECK(normalized_data_dir("/mnt/vol-1/spark_data.v2").value() == "/mnt/vol-1/spark_data.v2");
}
