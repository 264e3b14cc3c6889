#pragma once
// The YAML half of role_caps, shared with the services loader.
#include <yaml-cpp/yaml.h>

#include "config/role_caps.hpp"

namespace vessel {
Result<RoleCaps> parse_role_caps(const YAML::Node& n, const std::string& origin);
}
