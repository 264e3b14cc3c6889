#include <catch2/catch.hpp>

#include <sstream>

#include "config/derive.hpp"

using namespace vessel;
using namespace vessel::config;

namespace {

std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16));
  return out;
}

std::string range(int from, int to) {  // bytes from..to inclusive
  std::string s;
  for (int b = from; b <= to; ++b) s += static_cast<char>(b);
  return s;
}

}  // namespace

TEST_CASE("hkdf_sha256: RFC 5869 test case 1", "[config][derive]") {
  auto okm = hkdf_sha256(std::string(22, '\x0b'), unhex("000102030405060708090a0b0c"),
                         unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  REQUIRE(okm.ok());
  CHECK(*okm == unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
}

TEST_CASE("hkdf_sha256: RFC 5869 test case 2 (long inputs)", "[config][derive]") {
  auto okm = hkdf_sha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82);
  REQUIRE(okm.ok());
  CHECK(*okm == unhex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                      "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                      "cc30c58179ec3e87c14c01d5c1f3434f1d87"));
}

TEST_CASE("hkdf_sha256: RFC 5869 test case 3 (empty salt and info)", "[config][derive]") {
  auto okm = hkdf_sha256(std::string(22, '\x0b'), "", "", 42);
  REQUIRE(okm.ok());
  CHECK(*okm == unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
}

TEST_CASE("hkdf_sha256: a wrong vector does not match (negative control)", "[config][derive]") {
  auto okm = hkdf_sha256(std::string(22, '\x0c'), "", "", 42);
  REQUIRE(okm.ok());
  CHECK(*okm != unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
}

TEST_CASE("hkdf_sha256: output length bounds", "[config][derive]") {
  CHECK_FALSE(hkdf_sha256("k", "", "", 0).ok());
  CHECK_FALSE(hkdf_sha256("k", "", "", 8161).ok());
  auto max = hkdf_sha256("k", "", "", 8160);
  REQUIRE(max.ok());
  CHECK(max->size() == 8160);
}

TEST_CASE("derive_secret: deterministic, one key per label", "[config][derive]") {
  Secret token("correct horse battery staple");
  auto spark = derive_secret(token, kSparkRpcLabel, 32);
  auto api = derive_secret(token, kMembershipApiLabel, 32);
  auto ui = derive_secret(token, kWebUiLabel, 32);
  REQUIRE(spark.ok());
  REQUIRE(api.ok());
  REQUIRE(ui.ok());
  CHECK(spark->reveal().size() == 32);
  CHECK(spark->reveal() != api->reveal());
  CHECK(spark->reveal() != ui->reveal());
  CHECK(api->reveal() != ui->reveal());
  CHECK(spark->reveal() != token.reveal().substr(0, 32));
  CHECK(*derive_secret(token, kSparkRpcLabel, 32) == *spark);
  // Same as the raw HKDF with the documented salt: every node agrees.
  CHECK(spark->reveal() == *hkdf_sha256(token.reveal(), kDeriveSalt, kSparkRpcLabel, 32));
  // A different token gives a different key.
  CHECK(derive_secret(Secret("other token"), kSparkRpcLabel, 32)->reveal() != spark->reveal());
}

TEST_CASE("derive_secret: refuses an empty token without naming it", "[config][derive]") {
  auto r = derive_secret(Secret(), kSparkRpcLabel, 32);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("token") != std::string::npos);
  CHECK_FALSE(derive_secret(Secret("t"), "", 32).ok());
  auto big = derive_secret(Secret("s3cr3t-value"), kWebUiLabel, 0);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().find("s3cr3t-value") == std::string::npos);
}

TEST_CASE("derive_secret: the derived key prints redacted", "[config][derive]") {
  auto k = derive_secret(Secret("tok"), kWebUiLabel, 16);
  REQUIRE(k.ok());
  std::ostringstream os;
  os << *k;
  CHECK(os.str() == "<redacted>");
}
