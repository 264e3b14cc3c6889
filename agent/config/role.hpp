#pragma once
// Which role this node plays. Pure: the caller gathers the inputs.
// Precedence (first non-empty wins), recorded in RoleDecision::from:
//   --role  >  vessel.role  >  meta_data meta.role  >  VESSEL_ROLE
//   >  "master" when one of this node's names/addresses equals vessel.master
//   >  "worker".
// These two defaults are the only role names in C++; what a role is and
// needs (vessel.master...) comes from its roles/<name>.yaml.
#include <string>
#include <vector>

#include "util/result.hpp"

namespace vessel::config {

inline constexpr const char* kDefaultMasterRole = "master";
inline constexpr const char* kDefaultRole = "worker";

struct RoleInputs {
  std::string override_role;  // --role
  std::string vessel_role;    // vessel.role (already validated by the schema)
  std::string meta_role;      // meta_data.json meta.role (Heat server metadata)
  std::string env_role;       // VESSEL_ROLE
  std::string master;         // vessel.master
  std::vector<std::string> self;  // this node's hostnames and IP addresses
};

struct RoleDecision {
  std::string role;
  std::string from;  // "--role", "vessel.role", "meta_data meta.role", "VESSEL_ROLE", "vessel.master", "default"
};

Result<RoleDecision> resolve_role(const RoleInputs& in);

}  // namespace vessel::config
