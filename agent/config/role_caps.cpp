#include "config/role_caps.hpp"

#include <yaml-cpp/yaml.h>


#include "config/role_caps_yaml.hpp"

namespace vessel {

std::string_view to_string(RoleCaps::Membership m) {
  switch (m) {
    case RoleCaps::Membership::Serve: return "serve";
    case RoleCaps::Membership::Join: return "join";
    default: return "none";
  }
}

bool valid_role_name(std::string_view n) {
  if (n.empty() || n.size() > 32 || n[0] < 'a' || n[0] > 'z') return false;
  for (char ch : n)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  return true;
}

namespace {

Result<bool> yes_no(const YAML::Node& n, const std::string& origin, const std::string& field) {
  if (n.IsScalar()) {
    const auto& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  return err(origin + ": " + field + ": expected true or false");
}

}  // namespace

Result<RoleCaps> parse_role_caps(const YAML::Node& n, const std::string& origin) {
  RoleCaps caps;
  if (!n || n.IsNull()) return caps;
  if (!n.IsMap()) return err(origin + ": capabilities: expected a mapping");
  for (const auto& kv : n) {
    const auto key = kv.first.as<std::string>();
    const std::string field = "capabilities." + key;
    if (key == "membership") {
      const std::string v = kv.second.IsScalar() ? kv.second.Scalar() : "";
      if (v == "serve") caps.membership = RoleCaps::Membership::Serve;
      else if (v == "join") caps.membership = RoleCaps::Membership::Join;
      else if (v == "none") caps.membership = RoleCaps::Membership::None;
      else return err(origin + ": " + field + ": expected serve, join or none");
    } else if (key == "counts_as_worker" || key == "needs_master") {
      auto b = yes_no(kv.second, origin, field);
      if (!b) return Error{b.error()};
      (key == "counts_as_worker" ? caps.counts_as_worker : caps.needs_master) = *b;
    } else {
      return err(origin + ": " + field + ": unknown key");
    }
  }
  return caps;
}

Result<RoleCaps> load_role_caps_yaml(const std::string& text, const std::string& origin) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return err(origin + ": expected a mapping");
    return parse_role_caps(root["capabilities"], origin);
  } catch (const YAML::Exception& e) {
    return err(origin + ": invalid YAML: " + e.msg);
  }
}

}  // namespace vessel
