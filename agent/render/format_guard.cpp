#include "render/format_guard.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

#include "util/fs.hpp"

namespace vessel {

std::optional<std::string> version_cluster_id(std::string_view text) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    constexpr std::string_view key = "clusterID=";
    if (line.substr(0, key.size()) == key) {
      std::string_view v = line.substr(key.size());
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      if (v.empty()) return std::nullopt;
      return std::string(v);
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

FormatDecision decide_format(const std::optional<std::string>& version, std::string_view cluster_id) {
  using K = FormatDecision::Kind;
  if (cluster_id.empty()) return {K::Refuse, "hdfs format guard: cluster_id is empty; refusing to format"};
  if (!version) return {K::Format, "no current/VERSION in the name directory: formatting with clusterID " + std::string(cluster_id)};
  auto found = version_cluster_id(*version);
  if (!found)
    return {K::Refuse,
            "hdfs format guard: current/VERSION exists but has no clusterID; refusing to format over "
            "existing metadata (inspect or remove the name directory by hand)"};
  if (*found == cluster_id) return {K::Skip, "name directory already formatted for clusterID " + *found};
  return {K::Refuse, "hdfs format guard: name directory belongs to clusterID '" + *found +
                         "' but this node is configured for cluster_id '" + std::string(cluster_id) +
                         "'; refusing to format (data would be wiped). Fix cluster_id or move the "
                         "old name directory away by hand"};
}

Result<std::optional<std::string>> read_version_file(const std::string& name_dir) {
  const std::string path = name_dir + "/current/VERSION";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return err("stat " + path + ": " + std::strerror(errno));
  }
  // A real VERSION file is a few hundred bytes.
  auto r = read_file(path, 64 * 1024);
  if (!r) return Error{r.error()};
  return std::optional<std::string>{std::move(*r)};
}

}  // namespace vessel
