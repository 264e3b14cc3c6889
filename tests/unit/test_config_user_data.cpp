#include <catch2/catch.hpp>

#include "config/user_data.hpp"
#include "config_test_util.hpp"

using namespace vessel::config;
using vessel::testutil::data_path;
using vessel::testutil::slurp;

namespace {
std::string vstr(const DecodedUserData& d, const char* key) { return d.vessel.at(key).get<std::string>(); }
}  // namespace

TEST_CASE("user_data: YAML with vessel mapping", "[config][user_data]") {
  auto d = decode_user_data("vessel:\n  cluster_id: demo-1\n  hdfs: {replication: 2}\nother: 1\n");
  REQUIRE(d);
  CHECK(vstr(*d, "cluster_id") == "demo-1");
  CHECK(d->vessel["hdfs"]["replication"] == "2");
  CHECK(d->scripts.empty());
}

TEST_CASE("user_data: JSON, nested and top-level forms", "[config][user_data]") {
  auto nested = decode_user_data(R"({"vessel": {"cluster_id": "j1", "hdfs": {"replication": 3}}})");
  REQUIRE(nested);
  CHECK(vstr(*nested, "cluster_id") == "j1");
  CHECK(nested->vessel["hdfs"]["replication"] == "3");  // numbers arrive as text, typed by the schema
  // Heat RAW str_replace of a JSON template: keys at top level.
  auto top = decode_user_data("\n {\"cluster_id\": \"raw-1\", \"master\": \"10.0.0.5\"}");
  REQUIRE(top);
  CHECK(vstr(*top, "master") == "10.0.0.5");
  auto bad = decode_user_data(R"({"vessel": {"token": "s3cret" oops}})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "user_data: invalid JSON at byte 31");
  CHECK(bad.error().find("s3cret") == std::string::npos);
}

TEST_CASE("user_data: #cloud-config with vessel key", "[config][user_data]") {
  auto d = decode_user_data("#cloud-config\npackages: [htop]\nvessel:\n  cluster_id: cc\n  role: master\n");
  REQUIRE(d);
  CHECK(vstr(*d, "role") == "master");
  auto not_map = decode_user_data("#cloud-config\nvessel: [1, 2]\n");
  REQUIRE_FALSE(not_map);
  CHECK(not_map.error() == "user_data: vessel: expected a mapping");
}

TEST_CASE("user_data: no vessel config is not an error here", "[config][user_data]") {
  auto d = decode_user_data("#cloud-config\npackages: [htop]\n");
  REQUIRE(d);
  CHECK(d->vessel.is_null());
  auto bad_yaml = decode_user_data("a: [1, 2\n");
  REQUIRE_FALSE(bad_yaml);
  CHECK(bad_yaml.error().rfind("user_data: invalid YAML", 0) == 0);
}

TEST_CASE("user_data: #! script becomes a BootScript", "[config][user_data]") {
  auto d = decode_user_data("#!/bin/sh\necho hi\n");
  REQUIRE(d);
  REQUIRE(d->scripts.size() == 1);
  CHECK(d->scripts[0].name == "user_data");
  CHECK(d->scripts[0].body == "#!/bin/sh\necho hi\n");
  CHECK(d->vessel.is_null());
}

TEST_CASE("user_data: Heat HEAT_CFNTOOLS multipart (7bit)", "[config][user_data][mime]") {
  auto d = decode_user_data(slurp(data_path("heat_cfntools.mime")));
  REQUIRE(d);
  CHECK(d->vessel_from == "cfn-userdata");
  CHECK(vstr(*d, "cluster_id") == "heat-demo");
  CHECK(d->vessel["hosts"][0]["name"] == "spark-master");
  CHECK(d->scripts.empty());  // boothook.sh and loguserdata.py are Heat helpers
}

TEST_CASE("user_data: Heat multipart with base64 parts, gzipped", "[config][user_data][mime]") {
  std::string mime = slurp(data_path("heat_cfntools_base64.mime"));
  REQUIRE(mime.find("Content-Transfer-Encoding: base64") != std::string::npos);
  auto d = decode_user_data(vessel::testutil::gzip(mime));
  REQUIRE(d);
  CHECK(vstr(*d, "cluster_id") == "heat-demo");
  CHECK(vstr(*d, "token") == "s3cret-heat");
}

TEST_CASE("user_data: multipart with script parts and CRLF", "[config][user_data][mime]") {
  std::string m =
      "Content-Type: multipart/mixed; boundary=XYZ\r\nMIME-Version: 1.0\r\n\r\n"
      "preamble\r\n--XYZ\r\nContent-Type: text/x-shellscript\r\n"
      "Content-Disposition: attachment;\r\n filename=\"setup.sh\"\r\n\r\n#!/bin/sh\r\necho one\r\n"
      "--XYZ\r\nContent-Type: text/cloud-config\r\n\r\n#cloud-config\r\nvessel:\r\n  cluster_id: crlf\r\n"
      "--XYZ\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"../evil\"\r\n\r\n#!/bin/sh\r\necho two\r\n"
      "--XYZ--\r\nepilogue\r\n";
  auto d = decode_user_data(m);
  REQUIRE(d);
  CHECK(vstr(*d, "cluster_id") == "crlf");
  REQUIRE(d->scripts.size() == 2);
  CHECK(d->scripts[0].name == "setup.sh");
  CHECK(d->scripts[0].body == "#!/bin/sh\r\necho one");
  CHECK(d->scripts[1].name == "part-3");  // unsafe filename replaced
}

TEST_CASE("user_data: malformed multipart", "[config][user_data][mime]") {
  auto unterminated = decode_user_data("Content-Type: multipart/mixed; boundary=B\n\n--B\n\nvessel: {cluster_id: x}\n");
  REQUIRE_FALSE(unterminated);
  CHECK(unterminated.error() == "user_data: MIME: multipart not terminated by its closing boundary");
  auto no_boundary = decode_user_data("Content-Type: multipart/mixed\n\n--B\n--B--\n");
  REQUIRE_FALSE(no_boundary);
  CHECK(no_boundary.error() == "user_data: MIME: multipart without a valid boundary");
  auto bad_b64 = decode_user_data(
      "Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Transfer-Encoding: base64\n\n!!!!\n--B--\n");
  REQUIRE_FALSE(bad_b64);
  CHECK(bad_b64.error() == "user_data: MIME: part 1: invalid base64");
  auto bad_cfn = decode_user_data(
      "Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/x-cfninitdata\n"
      "Content-Disposition: attachment; filename=\"cfn-userdata\"\n\nkey: [unclosed\n--B--\n");
  REQUIRE_FALSE(bad_cfn);
  CHECK(bad_cfn.error().rfind("user_data: cfn-userdata: invalid YAML", 0) == 0);
}

TEST_CASE("user_data: size caps before and after gzip", "[config][user_data]") {
  std::string big(kMaxUserDataBytes + 1, 'a');
  auto raw = decode_user_data(big);
  REQUIRE_FALSE(raw);
  CHECK(raw.error() == "user_data: larger than 16777216 bytes");
  auto bomb = decode_user_data(vessel::testutil::gzip(big));  // ~16 KiB compressed
  REQUIRE_FALSE(bomb);
  CHECK(bomb.error() == "user_data: gzip: decompressed data exceeds 16777216 bytes");
}

TEST_CASE("user_data: YAML alias bomb is stopped", "[config][user_data]") {
  std::string y = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c, ++prev)
    y += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
         ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  y += "vessel: {cluster_id: bomb, core: {k: *j}}\n";
  auto d = decode_user_data(y);
  REQUIRE_FALSE(d);
  CHECK(d.error() == "user_data: more than 100000 nodes (alias expansion?)");
}

TEST_CASE("user_data: deep nesting is refused", "[config][user_data]") {
  auto json = decode_user_data("{\"vessel\":" + std::string(100000, '[') + std::string(100000, ']') + "}");
  REQUIRE_FALSE(json);
  CHECK(json.error() == "user_data: nested deeper than 64");
  auto yaml = decode_user_data("vessel: " + std::string(100, '[') + std::string(100, ']') + "\n");
  REQUIRE_FALSE(yaml);
  CHECK(yaml.error() == "user_data: nested deeper than 64");
}

TEST_CASE("user_data: unsupported cloud-init formats warn", "[config][user_data]") {
  auto d = decode_user_data("#include\nhttp://example/x\n");
  REQUIRE(d);
  REQUIRE(d->warnings.size() == 1);
  CHECK(d->warnings[0] == "user_data: #include content is not supported, ignored");
}
