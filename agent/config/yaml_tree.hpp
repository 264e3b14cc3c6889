#pragma once
// Untrusted YAML/JSON text -> a plain nlohmann::json tree, with the guards the
// raw parsers lack. yaml-cpp expands aliases into shared nodes, so a "billion
// laughs" document is small on the wire but huge when walked: the walk counts
// nodes and scalar bytes and stops at a cap. Depth is capped too.
//
// Every scalar becomes a JSON string (YAML plain scalars are untyped; JSON
// numbers/booleans are rendered back to their text), YAML null becomes JSON
// null. Typing is the schema's job, so "2" and 2 read the same.
#include <string_view>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "util/result.hpp"

namespace vessel::config {

inline constexpr std::size_t kMaxTreeNodes = 100000;
inline constexpr std::size_t kMaxTreeScalarBytes = 32u << 20;
inline constexpr int kMaxTreeDepth = 64;

// `what` names the document in errors ("user_data", "meta-data", ...).
// Text whose first non-blank byte is '{' is parsed as JSON, else as YAML.
// Error messages carry positions, never document content (it may hold tokens).
Result<nlohmann::json> parse_document(std::string_view text, std::string_view what);

// The same node, depth and expanded-size caps for a YAML document another
// reader walks itself (the services/role loader), so every YAML vessel
// reads is guarded alike. Counts without building anything.
Status check_yaml_limits(const YAML::Node& root, std::string_view what);

}  // namespace vessel::config
