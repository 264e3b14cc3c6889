#pragma once
// Container resource limits, so Spark worker defaults follow what the
// container may use rather than the host's totals (a 2-CPU container on a
// 64-core host must not advertise 64 cores).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vessel {

struct CgroupLimits {
  std::optional<double> cpus;                // quota / period; none = unlimited
  std::optional<std::uint64_t> memory_bytes; // none = unlimited
  bool operator==(const CgroupLimits&) const = default;
};

// cgroup v2: `cpu.max` is "<quota|max> <period>", `memory.max` is
// "<bytes|max>". Either text may be empty (file absent) => unlimited.
Result<CgroupLimits> parse_cgroup_v2(std::string_view cpu_max, std::string_view memory_max);

// cgroup v1: cpu.cfs_quota_us (-1 = unlimited), cpu.cfs_period_us,
// memory.limit_in_bytes (an unlimited group reports a huge page-aligned
// number such as 9223372036854771712). Empty text => unlimited.
Result<CgroupLimits> parse_cgroup_v1(std::string_view cfs_quota_us,
                                     std::string_view cfs_period_us,
                                     std::string_view memory_limit_in_bytes);

// Edge: reads the limits of this process's cgroup. Detects v2 (unified,
// `<root>/cgroup.controllers` exists) vs v1, follows the v2 path named in
// /proc/self/cgroup ("0::/some/path") and takes the tightest limit found on
// the way up to the root. Unreadable or malformed files count as unlimited:
// limits only refine defaults, they are never required.
CgroupLimits read_cgroup_limits(const std::string& root = "/sys/fs/cgroup",
                                const std::string& proc_self_cgroup = "/proc/self/cgroup");

// Edge: the host's online CPUs and physical memory (sysconf), the fallback
// when no cgroup limit applies.
CgroupLimits read_host_resources();

}  // namespace vessel
