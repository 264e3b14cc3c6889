#include <catch2/catch.hpp>

#include "render/cgroup.hpp"
#include "render_test_util.hpp"
#include "util/fs.hpp"

using namespace vessel;
using vessel::test::TempDir;

TEST_CASE("cgroup v2: cpu.max and memory.max as the kernel writes them", "[render][cgroup]") {
  auto unlimited = parse_cgroup_v2("max 100000\n", "max\n");
  REQUIRE(unlimited.ok());
  CHECK_FALSE(unlimited->cpus.has_value());
  CHECK_FALSE(unlimited->memory_bytes.has_value());

  auto two = parse_cgroup_v2("200000 100000\n", "4294967296\n");
  REQUIRE(two.ok());
  REQUIRE(two->cpus.has_value());
  CHECK(*two->cpus == Approx(2.0));
  CHECK(two->memory_bytes == std::optional<std::uint64_t>(4294967296ull));

  auto fractional = parse_cgroup_v2("150000 100000\n", "");
  REQUIRE(fractional.ok());
  CHECK(*fractional->cpus == Approx(1.5));
  CHECK_FALSE(fractional->memory_bytes.has_value());  // absent file = unlimited

  auto files_absent = parse_cgroup_v2("", "");
  REQUIRE(files_absent.ok());
  CHECK(*files_absent == CgroupLimits{});
}

TEST_CASE("cgroup v2: malformed text is an error naming the file", "[render][cgroup]") {
  auto bad_cpu = parse_cgroup_v2("lots 100000\n", "max\n");
  REQUIRE_FALSE(bad_cpu.ok());
  CHECK_THAT(bad_cpu.error(), Catch::Contains("cpu.max"));
  auto bad_mem = parse_cgroup_v2("max 100000\n", "2G\n");
  REQUIRE_FALSE(bad_mem.ok());
  CHECK_THAT(bad_mem.error(), Catch::Contains("memory.max"));
}

TEST_CASE("cgroup v1: -1 quota and the huge page-aligned memory number are unlimited", "[render][cgroup]") {
  auto unlimited = parse_cgroup_v1("-1\n", "100000\n", "9223372036854771712\n");
  REQUIRE(unlimited.ok());
  CHECK(*unlimited == CgroupLimits{});

  auto limited = parse_cgroup_v1("50000\n", "100000\n", "536870912\n");
  REQUIRE(limited.ok());
  CHECK(*limited->cpus == Approx(0.5));
  CHECK(limited->memory_bytes == std::optional<std::uint64_t>(536870912ull));

  auto bad = parse_cgroup_v1("50000\n", "zero\n", "");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error(), Catch::Contains("cpu.cfs_period_us"));
}

TEST_CASE("read_cgroup_limits: v2 follows /proc/self/cgroup and keeps the tightest ancestor", "[render][cgroup]") {
  TempDir d;
  const auto root = d / "cg";
  REQUIRE(ensure_dir(root + "/kubepods/pod1", 0755, -1, -1).ok());
  REQUIRE(write_file_atomic(root + "/cgroup.controllers", "cpuset cpu io memory pids\n").ok());
  REQUIRE(write_file_atomic(root + "/kubepods/cpu.max", "max 100000\n").ok());
  REQUIRE(write_file_atomic(root + "/kubepods/memory.max", "1073741824\n").ok());  // parent: 1 GiB
  REQUIRE(write_file_atomic(root + "/kubepods/pod1/cpu.max", "300000 100000\n").ok());
  REQUIRE(write_file_atomic(root + "/kubepods/pod1/memory.max", "max\n").ok());
  REQUIRE(write_file_atomic(d / "self_cgroup", "0::/kubepods/pod1\n").ok());

  auto l = read_cgroup_limits(root, d / "self_cgroup");
  REQUIRE(l.cpus.has_value());
  CHECK(*l.cpus == Approx(3.0));
  CHECK(l.memory_bytes == std::optional<std::uint64_t>(1073741824ull));
}

TEST_CASE("read_cgroup_limits: v2 namespace root", "[render][cgroup]") {
  TempDir d;
  const auto root = d / "cg";
  REQUIRE(ensure_dir(root, 0755, -1, -1).ok());
  REQUIRE(write_file_atomic(root + "/cgroup.controllers", "cpu memory\n").ok());
  REQUIRE(write_file_atomic(root + "/cpu.max", "100000 100000\n").ok());
  REQUIRE(write_file_atomic(d / "self_cgroup", "0::/\n").ok());
  auto l = read_cgroup_limits(root, d / "self_cgroup");
  CHECK(*l.cpus == Approx(1.0));
  CHECK_FALSE(l.memory_bytes.has_value());
}

TEST_CASE("read_cgroup_limits: v1 hierarchy", "[render][cgroup]") {
  TempDir d;
  const auto root = d / "cg";
  REQUIRE(ensure_dir(root + "/cpu,cpuacct", 0755, -1, -1).ok());
  REQUIRE(ensure_dir(root + "/memory", 0755, -1, -1).ok());
  REQUIRE(write_file_atomic(root + "/cpu,cpuacct/cpu.cfs_quota_us", "200000\n").ok());
  REQUIRE(write_file_atomic(root + "/cpu,cpuacct/cpu.cfs_period_us", "100000\n").ok());
  REQUIRE(write_file_atomic(root + "/memory/memory.limit_in_bytes", "2147483648\n").ok());
  auto l = read_cgroup_limits(root, d / "absent");
  CHECK(*l.cpus == Approx(2.0));
  CHECK(l.memory_bytes == std::optional<std::uint64_t>(2147483648ull));
}

TEST_CASE("read_cgroup_limits: nothing mounted means no limits", "[render][cgroup]") {
  TempDir d;
  CHECK(read_cgroup_limits(d / "none", d / "none2") == CgroupLimits{});
}
