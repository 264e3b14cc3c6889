#include <catch2/catch.hpp>

#include "config/base64.hpp"
#include "config/gzip.hpp"
#include "config/validate.hpp"
#include "config_test_util.hpp"

using namespace vessel::config;

TEST_CASE("valid_hostname follows RFC 1123", "[config][validate]") {
  CHECK(valid_hostname("spark-master"));
  CHECK(valid_hostname("a.b-c.example"));
  CHECK(valid_hostname("1node"));
  CHECK(valid_hostname(std::string(63, 'a')));
  CHECK_FALSE(valid_hostname(std::string(64, 'a')));
  CHECK_FALSE(valid_hostname(""));
  CHECK_FALSE(valid_hostname("-lead"));
  CHECK_FALSE(valid_hostname("trail-"));
  CHECK_FALSE(valid_hostname("a..b"));
  CHECK_FALSE(valid_hostname("host.")); 
  CHECK_FALSE(valid_hostname("under_score"));
  CHECK_FALSE(valid_hostname("evil\nhost"));
  CHECK_FALSE(valid_hostname("$(reboot)"));
  CHECK_FALSE(valid_hostname("a b"));
}

TEST_CASE("valid_ip accepts v4/v6 literals only", "[config][validate]") {
  CHECK(valid_ip("10.0.0.5"));
  CHECK(valid_ip("::1"));
  CHECK(valid_ip("fe80::1"));
  CHECK_FALSE(valid_ip("10.0.0.256"));
  CHECK_FALSE(valid_ip("10.0.0.5\n"));
  CHECK_FALSE(valid_ip(" 10.0.0.5"));
  CHECK_FALSE(valid_ip(std::string("10.0.0.5\0evil", 13)));
  CHECK_FALSE(valid_ip("spark-master"));
  CHECK_FALSE(valid_ip(""));
}

TEST_CASE("valid_cluster_id", "[config][validate]") {
  CHECK(valid_cluster_id("demo-1"));
  CHECK(valid_cluster_id("a.b_c-D9"));
  CHECK(valid_cluster_id(std::string(64, 'x')));
  CHECK_FALSE(valid_cluster_id(std::string(65, 'x')));
  CHECK_FALSE(valid_cluster_id("."));
  CHECK_FALSE(valid_cluster_id(".."));
  CHECK_FALSE(valid_cluster_id("a/b"));
  CHECK_FALSE(valid_cluster_id(""));
  CHECK_FALSE(valid_cluster_id("a b"));
}

TEST_CASE("other validators", "[config][validate]") {
  CHECK(valid_property_key("dfs.blocksize"));
  CHECK_FALSE(valid_property_key("dfs blocksize"));
  CHECK_FALSE(valid_property_key(std::string(257, 'a')));
  CHECK(valid_shell_identifier("SPARK_LOCAL_DIRS"));
  CHECK_FALSE(valid_shell_identifier("9X"));
  CHECK_FALSE(valid_shell_identifier("A-B"));
  CHECK(valid_value("</value>$(x)"));
  CHECK_FALSE(valid_value("a\nb"));
  CHECK_FALSE(valid_value(std::string(1, '\0')));
  CHECK_FALSE(valid_value(std::string(4097, 'a')));
  CHECK(valid_memory_size("512m"));
  CHECK(valid_memory_size("2G"));
  CHECK_FALSE(valid_memory_size("2"));
  CHECK_FALSE(valid_memory_size("0g"));
  CHECK_FALSE(valid_memory_size("2gb"));
  CHECK(valid_http_url("https://heat.example:8000/v1/waitcondition/abc?x=1"));
  CHECK(valid_http_url("http://10.0.0.1/x"));
  CHECK_FALSE(valid_http_url("file:///etc/passwd"));
  CHECK_FALSE(valid_http_url("heat.example/x"));
  CHECK_FALSE(valid_http_url("http://a b/"));
  CHECK(normalized_data_dir("/data").value() == "/data");
  CHECK(normalized_data_dir("/srv/hdfs-1").value() == "/srv/hdfs-1");
  CHECK_FALSE(normalized_data_dir("data"));
  CHECK_FALSE(normalized_data_dir("/data/../etc"));
  CHECK_FALSE(normalized_data_dir("/data//x"));
  CHECK_FALSE(normalized_data_dir("/data/"));
  CHECK_FALSE(normalized_data_dir("/"));
  CHECK(quote_for_error("a\nb") == "\"a\\nb\"");
}

TEST_CASE("base64_decode", "[config][codec]") {
  CHECK(base64_decode("aGVsbG8=").value() == "hello");
  CHECK(base64_decode("aGVs\r\nbG8h").value() == "hello!");
  CHECK(base64_decode("").value().empty());
  CHECK_FALSE(base64_decode("aGVsbG8*"));
  CHECK_FALSE(base64_decode("a"));
  CHECK_FALSE(base64_decode("aG=Vs"));
}

TEST_CASE("gunzip round trip and cap", "[config][codec]") {
  std::string text(100000, 'z');
  std::string gz = vessel::testutil::gzip(text);
  REQUIRE(is_gzip(gz));
  CHECK(gunzip(gz, 200000).value() == text);
  auto capped = gunzip(gz, 1000);
  REQUIRE_FALSE(capped);
  CHECK(capped.error() == "gzip: decompressed data exceeds 1000 bytes");
  auto trunc = gunzip(gz.substr(0, gz.size() / 2), 200000);
  REQUIRE_FALSE(trunc);
  CHECK(trunc.error() == "gzip: corrupt or truncated data");
}
