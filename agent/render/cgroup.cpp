#include "render/cgroup.hpp"

#include <unistd.h>

#include <charconv>
#include <sstream>
#include <vector>

#include "util/fs.hpp"

namespace vessel {
namespace {

// Memory limits at or above this are "no limit": v1 reports
// PAGE_COUNTER_MAX * page size (~2^63), and no real container has 1 EiB.
constexpr std::uint64_t kUnlimitedMemory = std::uint64_t{1} << 60;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

template <typename T>
std::optional<T> to_num(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Result<std::optional<std::uint64_t>> parse_memory(std::string_view text, const char* file) {
  text = trim(text);
  if (text.empty() || text == "max") return std::optional<std::uint64_t>{};
  auto v = to_num<std::uint64_t>(text);
  if (!v) return err(std::string(file) + ": not a byte count: '" + std::string(text.substr(0, 40)) + "'");
  if (*v >= kUnlimitedMemory) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>{*v};
}

std::optional<double> cpus_of(std::int64_t quota, std::int64_t period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<double>(quota) / static_cast<double>(period);
}

}  // namespace

Result<CgroupLimits> parse_cgroup_v2(std::string_view cpu_max, std::string_view memory_max) {
  CgroupLimits out;
  cpu_max = trim(cpu_max);
  if (!cpu_max.empty()) {
    auto sp = cpu_max.find(' ');
    std::string_view quota = cpu_max.substr(0, sp);
    std::string_view period = sp == std::string_view::npos ? "100000" : trim(cpu_max.substr(sp + 1));
    if (quota != "max") {
      auto q = to_num<std::int64_t>(quota);
      auto p = to_num<std::int64_t>(period);
      if (!q || !p) return err("cpu.max: expected '<quota|max> <period>', got '" + std::string(cpu_max.substr(0, 40)) + "'");
      out.cpus = cpus_of(*q, *p);
    }
  }
  auto mem = parse_memory(memory_max, "memory.max");
  if (!mem) return Error{mem.error()};
  out.memory_bytes = *mem;
  return out;
}

Result<CgroupLimits> parse_cgroup_v1(std::string_view cfs_quota_us, std::string_view cfs_period_us,
                                     std::string_view memory_limit_in_bytes) {
  CgroupLimits out;
  cfs_quota_us = trim(cfs_quota_us);
  if (!cfs_quota_us.empty() && cfs_quota_us != "-1") {
    auto q = to_num<std::int64_t>(cfs_quota_us);
    if (!q) return err("cpu.cfs_quota_us: not a number: '" + std::string(cfs_quota_us.substr(0, 40)) + "'");
    auto p = to_num<std::int64_t>(trim(cfs_period_us));
    if (!p) return err("cpu.cfs_period_us: not a number: '" + std::string(trim(cfs_period_us).substr(0, 40)) + "'");
    out.cpus = cpus_of(*q, *p);
  }
  auto mem = parse_memory(memory_limit_in_bytes, "memory.limit_in_bytes");
  if (!mem) return Error{mem.error()};
  out.memory_bytes = *mem;
  return out;
}

namespace {

std::string slurp(const std::string& path) {
  auto r = read_file(path, 4096);
  return r ? *r : std::string();
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// The unified-hierarchy path of this process: the "0::<path>" line.
std::string v2_self_path(const std::string& proc_self_cgroup) {
  std::istringstream in(slurp(proc_self_cgroup));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return "/";
}

void tighten(CgroupLimits& acc, const CgroupLimits& l) {
  if (l.cpus && (!acc.cpus || *l.cpus < *acc.cpus)) acc.cpus = l.cpus;
  if (l.memory_bytes && (!acc.memory_bytes || *l.memory_bytes < *acc.memory_bytes))
    acc.memory_bytes = l.memory_bytes;
}

}  // namespace

CgroupLimits read_cgroup_limits(const std::string& root, const std::string& proc_self_cgroup) {
  CgroupLimits acc;
  if (exists(root + "/cgroup.controllers")) {
    // With a private cgroup namespace (Docker's default on v2) the path is
    // "/" and the limits sit in the root files; on a host namespace it is
    // nested, and any ancestor may hold a tighter limit.
    std::string rel = v2_self_path(proc_self_cgroup);
    if (rel.find("..") != std::string::npos) rel = "/";
    for (;;) {
      std::string dir = root + (rel == "/" ? "" : rel);
      auto l = parse_cgroup_v2(slurp(dir + "/cpu.max"), slurp(dir + "/memory.max"));
      if (l) tighten(acc, *l);
      if (rel == "/" || rel.empty()) break;
      rel = rel.substr(0, rel.rfind('/'));
      if (rel.empty()) rel = "/";
    }
    return acc;
  }
  for (const char* cpu : {"/cpu,cpuacct", "/cpu"}) {
    std::string dir = root + cpu;
    if (!exists(dir + "/cpu.cfs_quota_us")) continue;
    auto l = parse_cgroup_v1(slurp(dir + "/cpu.cfs_quota_us"), slurp(dir + "/cpu.cfs_period_us"), "");
    if (l) tighten(acc, *l);
    break;
  }
  auto m = parse_cgroup_v1("", "", slurp(root + "/memory/memory.limit_in_bytes"));
  if (m) tighten(acc, *m);
  return acc;
}

CgroupLimits read_host_resources() {
  CgroupLimits out;
  long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  if (n > 0) out.cpus = static_cast<double>(n);
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0)
    out.memory_bytes = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
  return out;
}

}  // namespace vessel
