#pragma once
#include <string>

#include "app/agent.hpp"

#include "app/plan.hpp"

namespace vessel {
// The plan exactly as `vessel run` computes it at boot (same sources, same
// role files), touching nothing. Shared by `vessel render` and `vessel drain`.
Result<BootPlan> load_plan(const AgentOptions& o);

// Loads the plan exactly as `vessel run` does, writes its files under
// out_dir and prints it. Returns 0, or 2 with the error on stderr.
int render_plan(const AgentOptions& o, const std::string& out_dir);
}  // namespace vessel
