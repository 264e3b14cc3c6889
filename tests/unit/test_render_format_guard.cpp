#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "render/format_guard.hpp"
#include "render_test_util.hpp"
#include "util/fs.hpp"

using namespace vessel;
using K = FormatDecision::Kind;

namespace {
// What `hdfs namenode -format -clusterid CID-demo` writes (Hadoop 3.3).
const std::string kVersion =
    "#Mon Jan 15 10:00:00 UTC 2024\n"
    "namespaceID=1234567890\n"
    "clusterID=CID-demo\n"
    "cTime=1705312800000\n"
    "storageType=NAME_NODE\n"
    "blockpoolID=BP-1234567890-10.0.0.1-1705312800000\n"
    "layoutVersion=-66\n";
}  // namespace

TEST_CASE("format guard: no VERSION file means format", "[render][format]") {
  auto d = decide_format(std::nullopt, "CID-demo");
  CHECK(d.kind == K::Format);
}

TEST_CASE("format guard: same clusterID skips", "[render][format]") {
  auto d = decide_format(kVersion, "CID-demo");
  CHECK(d.kind == K::Skip);
  CHECK_THAT(d.message, Catch::Contains("CID-demo"));
}

TEST_CASE("format guard: another clusterID refuses and names both", "[render][format]") {
  auto d = decide_format(kVersion, "CID-other");
  CHECK(d.kind == K::Refuse);
  CHECK_THAT(d.message, Catch::Contains("CID-demo") && Catch::Contains("CID-other"));
}

TEST_CASE("format guard: VERSION without a clusterID refuses", "[render][format]") {
  CHECK(decide_format(std::string("namespaceID=1\nlayoutVersion=-66\n"), "CID-demo").kind == K::Refuse);
  CHECK(decide_format(std::string("clusterID=\n"), "CID-demo").kind == K::Refuse);
  CHECK(decide_format(std::string(""), "CID-demo").kind == K::Refuse);
  CHECK(decide_format(std::string("\x01\x02garbage"), "CID-demo").kind == K::Refuse);
  // A prefix match must not count: "xclusterID=" is a different key.
  CHECK(decide_format(std::string("xclusterID=CID-demo\n"), "CID-demo").kind == K::Refuse);
}

TEST_CASE("format guard: CRLF and trailing blanks do not change the ID", "[render][format]") {
  CHECK(decide_format(std::string("clusterID=CID-demo \r\n"), "CID-demo").kind == K::Skip);
}

TEST_CASE("format guard: an empty cluster_id never formats", "[render][format]") {
  CHECK(decide_format(std::nullopt, "").kind == K::Refuse);
}

TEST_CASE("read_version_file: missing, present, unreadable", "[render][format]") {
  vessel::test::TempDir d;
  const auto name_dir = d / "name";
  auto missing = read_version_file(name_dir);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());

  REQUIRE(ensure_dir(name_dir + "/current", 0700, -1, -1).ok());
  REQUIRE(write_file_atomic(name_dir + "/current/VERSION", kVersion).ok());
  auto present = read_version_file(name_dir);
  REQUIRE(present.ok());
  REQUIRE(present->has_value());
  CHECK(decide_format(**present, "CID-demo").kind == K::Skip);

  // `current` being a file is not "missing": it is something we must not
  // format over.
  const auto odd = d / "odd";
  REQUIRE(ensure_dir(odd, 0700, -1, -1).ok());
  REQUIRE(write_file_atomic(odd + "/current", "not a dir").ok());
  auto broken = read_version_file(odd);
  REQUIRE_FALSE(broken.ok());
  CHECK_THAT(broken.error(), Catch::Contains(odd + "/current/VERSION"));
}
