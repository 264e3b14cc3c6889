#include "config/role.hpp"

#include <algorithm>
#include <cctype>

#include "config/role_caps.hpp"
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
    // Which roles exist is data (roles/*.yaml): the plan names a missing
    // role file. Here only the name's shape is checked.
    if (!valid_role_name(*value))
      return err(std::string(from) + ": expected a role name (1-32 of [a-z0-9-], e.g. master, worker), got " +
                 quote_for_error(*value));
    d = {*value, from};
    break;
  }
  if (d.role.empty()) {
    bool is_master = !in.master.empty() &&
                     std::any_of(in.self.begin(), in.self.end(), [&](const std::string& s) { return same_name(s, in.master); });
    d = is_master ? RoleDecision{kDefaultMasterRole, "vessel.master"} : RoleDecision{kDefaultRole, "default"};
  }
  // Whether the role needs vessel.master is its capability (needs_master),
  // checked by make_plan once the role file is read.
  return d;
}

}  // namespace vessel::config
