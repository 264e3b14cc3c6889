#pragma once
// What a source hands to the decoding pipeline: raw, still-untrusted bytes.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace vessel::source {

enum class MetaFormat { none, openstack_json, nocloud_yaml };

struct RawSourceData {
  std::string source;                    // "file", "env", "configdrive", "nocloud", "openstack"
  std::optional<std::string> user_data;  // nullopt: the source has no user data
  std::optional<std::string> meta_data;
  MetaFormat meta_format = MetaFormat::none;
  // env source only: vessel keys built from VESSEL_* variables; they overlay
  // whatever VESSEL_USER_DATA carried. Null for other sources.
  nlohmann::json overlay;
};

}  // namespace vessel::source
