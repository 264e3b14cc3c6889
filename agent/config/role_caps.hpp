#pragma once
// What a role IS, declared in its YAML (`capabilities:`), so that no C++
// compares role names: adding a role (history server, notebook...) is one
// roles/<name>.yaml plus golden files.
//
//   capabilities:
//     membership: serve | join | none   # keeps the member table / registers with it / neither
//     counts_as_worker: true            # runs a DataNode + Spark Worker: listed in `workers`,
//                                       # counted for dfs.replication
//     needs_master: true                # vessel.master is required
//
// Defaults (a plain services file, or a role that says nothing): none,
// false, false.
#include <map>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vessel {

struct RoleCaps {
  enum class Membership { None, Serve, Join };
  Membership membership = Membership::None;
  bool counts_as_worker = false;
  bool needs_master = false;
  bool serves_membership() const { return membership == Membership::Serve; }
  bool joins_membership() const { return membership == Membership::Join; }
  bool operator==(const RoleCaps&) const = default;
};

std::string_view to_string(RoleCaps::Membership m);

// Role names are data, but they become file names and /etc/hosts-adjacent
// text: 1-32 of [a-z0-9-], starting with a letter.
bool valid_role_name(std::string_view name);

// Only the `capabilities:` block of a role file (no ${vars} needed), for the
// catalog of every role a member may register with. Errors name origin and
// field.
Result<RoleCaps> load_role_caps_yaml(const std::string& text, const std::string& origin);

// name -> capabilities of every known role.
using RoleCatalog = std::map<std::string, RoleCaps>;

}  // namespace vessel
