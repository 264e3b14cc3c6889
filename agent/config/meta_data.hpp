#pragma once
// Instance metadata, pure parsing. OpenStack meta_data.json (ConfigDrive and
// metadata service) and NoCloud meta-data (YAML) reduce to the same facts.
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vessel::config {

inline constexpr std::size_t kMaxMetaDataBytes = 1u << 20;

struct MetaData {
  std::string instance_id;  // OpenStack `uuid` / NoCloud `instance-id`; safe as a file name
  std::string hostname;     // `hostname` / `local-hostname`, only if RFC 1123
  std::string role;         // OpenStack `meta.role` (Heat server metadata), unvalidated here
  std::vector<std::string> warnings;
};

// Errors are prefixed "meta_data.json: ".
Result<MetaData> parse_meta_data_json(std::string_view text);
// Errors are prefixed "meta-data: ".
Result<MetaData> parse_nocloud_meta_data(std::string_view text);

}  // namespace vessel::config
