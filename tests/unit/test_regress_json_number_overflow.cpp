// Regression (fuzz_meta_data): a JSON number too large for a double, e.g.
// {"uuid": 444E44444444}, made nlohmann::json throw out_of_range (406) where
// parse_document only caught parse_error, so the exception escaped and
// std::terminate killed the process (PID 1) on a hostile meta_data.json or
// JSON user_data. The crashing input is tests/fuzz/regressions/json_number_overflow.json.
#include <catch2/catch.hpp>

#include "config/meta_data.hpp"
#include "config/user_data.hpp"
#include "config/yaml_tree.hpp"
#include "config_test_util.hpp"

using namespace vessel::config;

TEST_CASE("regress: JSON number overflow is an error, not a crash", "[config][regress]") {
  const std::string crash = vessel::testutil::slurp(std::string(VESSEL_SOURCE_DIR) +
                                                    "/tests/fuzz/regressions/json_number_overflow.json");
  auto m = parse_meta_data_json(crash);
  REQUIRE_FALSE(m);
  CHECK(m.error() == "meta_data.json: invalid JSON: number out of range");

  auto ud = decode_user_data(R"({"vessel": {"cluster_id": "c1", "hdfs": {"replication": 1e999}}})");
  REQUIRE_FALSE(ud);
  CHECK(ud.error() == "user_data: invalid JSON: number out of range");

  auto neg = parse_document("{\"x\": -9e99999}", "doc");
  REQUIRE_FALSE(neg);
  CHECK(neg.error() == "doc: invalid JSON: number out of range");
  // Large but representable numbers still read as text.
  auto big = parse_document("{\"x\": 1e300, \"y\": 18446744073709551616}", "doc");
  REQUIRE(big);
  CHECK(big->at("x").is_string());
}
