#pragma once
#include <string>

#include "app/agent.hpp"

namespace vessel {
// Loads the plan exactly as `vessel run` does, writes its files under
// out_dir and prints it. Returns 0, or 2 with the error on stderr.
int render_plan(const AgentOptions& o, const std::string& out_dir);
}  // namespace vessel
