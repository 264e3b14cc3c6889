#include "config/role.hpp"

#include <algorithm>
#include <cctype>

#include "config/validate.hpp"

namespace vessel::config {
namespace {

bool same_name(const std::string& a, const std::string& b) {
  // DNS names compare case-insensitively; IP literals are compared as text
  // (the schema already accepted them as literals).
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

}  // namespace

Result<RoleDecision> resolve_role(const RoleInputs& in) {
  RoleDecision d;
  const std::pair<const std::string*, const char*> rules[] = {
      {&in.override_role, "--role"},
      {&in.vessel_role, "vessel.role"},
      {&in.meta_role, "meta_data meta.role"},
      {&in.env_role, "VESSEL_ROLE"},
  };
  for (auto [value, from] : rules) {
    if (value->empty()) continue;
    if (*value != "master" && *value != "worker" && *value != "standalone")
      return err(std::string(from) + ": expected master, worker or standalone, got " + quote_for_error(*value));
    d = {*value, from};
    break;
  }
  if (d.role.empty()) {
    bool is_master = !in.master.empty() &&
                     std::any_of(in.self.begin(), in.self.end(), [&](const std::string& s) { return same_name(s, in.master); });
    d = is_master ? RoleDecision{"master", "vessel.master"} : RoleDecision{"worker", "default"};
  }
  if (d.role == "worker" && in.master.empty())
    return err("vessel.master: required for role worker (role from " + d.from + ")");
  return d;
}

}  // namespace vessel::config
