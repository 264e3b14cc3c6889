#include "config/yaml_tree.hpp"

#include <yaml-cpp/yaml.h>

namespace vessel::config {
namespace {

struct Budget {
  std::size_t nodes = 0;
  std::size_t bytes = 0;
};

Result<nlohmann::json> from_yaml(const YAML::Node& n, int depth, Budget& b, std::string_view what) {
  if (depth > kMaxTreeDepth) return err(std::string(what) + ": nested deeper than " + std::to_string(kMaxTreeDepth));
  if (++b.nodes > kMaxTreeNodes)
    return err(std::string(what) + ": more than " + std::to_string(kMaxTreeNodes) + " nodes (alias expansion?)");
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nlohmann::json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      b.bytes += s.size();
      if (b.bytes > kMaxTreeScalarBytes) return err(std::string(what) + ": expanded text too large (alias expansion?)");
      return nlohmann::json(s);
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : n) {
        auto v = from_yaml(item, depth + 1, b, what);
        if (!v) return v;
        arr.push_back(std::move(*v));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) return err(std::string(what) + ": mapping keys must be scalars");
        auto v = from_yaml(kv.second, depth + 1, b, what);
        if (!v) return v;
        obj[kv.first.Scalar()] = std::move(*v);
      }
      return obj;
    }
  }
  return nlohmann::json(nullptr);
}

Status count_yaml(const YAML::Node& n, int depth, Budget& b, std::string_view what) {
  if (depth > kMaxTreeDepth) return err(std::string(what) + ": nested deeper than " + std::to_string(kMaxTreeDepth));
  if (++b.nodes > kMaxTreeNodes)
    return err(std::string(what) + ": more than " + std::to_string(kMaxTreeNodes) + " nodes (alias expansion?)");
  if (n.IsScalar()) {
    b.bytes += n.Scalar().size();
    if (b.bytes > kMaxTreeScalarBytes) return err(std::string(what) + ": expanded text too large (alias expansion?)");
  } else if (n.IsSequence()) {
    for (const auto& item : n)
      if (auto st = count_yaml(item, depth + 1, b, what); !st) return st;
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      if (auto st = count_yaml(kv.first, depth + 1, b, what); !st) return st;
      if (auto st = count_yaml(kv.second, depth + 1, b, what); !st) return st;
    }
  }
  return ok();
}

// Renders JSON numbers/booleans as strings so both inputs look alike.
Result<nlohmann::json> normalize_json(const nlohmann::json& j, int depth, Budget& b, std::string_view what) {
  if (depth > kMaxTreeDepth) return err(std::string(what) + ": nested deeper than " + std::to_string(kMaxTreeDepth));
  if (++b.nodes > kMaxTreeNodes) return err(std::string(what) + ": more than " + std::to_string(kMaxTreeNodes) + " nodes");
  if (j.is_object()) {
    nlohmann::json obj = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it) {
      auto v = normalize_json(it.value(), depth + 1, b, what);
      if (!v) return v;
      obj[it.key()] = std::move(*v);
    }
    return obj;
  }
  if (j.is_array()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& item : j) {
      auto v = normalize_json(item, depth + 1, b, what);
      if (!v) return v;
      arr.push_back(std::move(*v));
    }
    return arr;
  }
  if (j.is_string() || j.is_null()) return j;
  return nlohmann::json(j.dump());
}

// Bracket depth outside strings, computed before nlohmann builds anything:
// its parser is iterative but a 16 MiB "[[[[..." still costs gigabytes.
int json_depth(std::string_view s) {
  int depth = 0, max = 0;
  bool in_str = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_str) {
      if (c == '\\') ++i;
      else if (c == '"') in_str = false;
    } else if (c == '"') {
      in_str = true;
    } else if (c == '{' || c == '[') {
      max = std::max(max, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max;
}

}  // namespace

Result<nlohmann::json> parse_document(std::string_view text, std::string_view what) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  Budget b;
  if (first != std::string_view::npos && text[first] == '{') {
    if (json_depth(text) > kMaxTreeDepth)
      return err(std::string(what) + ": nested deeper than " + std::to_string(kMaxTreeDepth));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
      // e.what() quotes the text near the error; report only the offset.
      return err(std::string(what) + ": invalid JSON at byte " + std::to_string(e.byte));
    } catch (const nlohmann::json::exception&) {
      // A number too large for a double ("1e999") throws out_of_range, not
      // parse_error; uncaught it would terminate PID 1.
      return err(std::string(what) + ": invalid JSON: number out of range");
    }
    return normalize_json(j, 0, b, what);
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return err(std::string(what) + ": invalid YAML");
    return err(std::string(what) + ": invalid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
               std::to_string(e.mark.column + 1));
  }
  return from_yaml(root, 0, b, what);
}

Status check_yaml_limits(const YAML::Node& root, std::string_view what) {
  Budget b;
  return count_yaml(root, 0, b, what);
}

}  // namespace vessel::config
