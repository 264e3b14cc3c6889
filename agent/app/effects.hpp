#pragma once
// The effects of a plan, at the edge: config files, data directories, the
// HDFS format guard, run-once boot scripts and the Heat readiness signal.
#include <string>
#include <vector>

#include "app/plan.hpp"
#include "supervise/supervisor.hpp"

namespace vessel {

// Writes every file atomically (temp + fsync + rename). `root` re-roots the
// absolute paths (for `vessel render --out DIR`).
Status write_files(const std::vector<RenderedFile>& files, const std::string& root = "");

// Creates the role's directories owned by their service users.
Status ensure_role_dirs(const std::vector<DirSpec>& dirs);

// The `hdfs-format` guard: format only when the name dir has no VERSION;
// refuse (never wipe) when it belongs to another cluster.
GuardDecision hdfs_format_guard(const BootPlan& plan);

// Runs the `#!` parts of user_data once per instance-id, before services
// start: each is written to state_dir and exec'd directly (the kernel reads
// its #! line; no shell string is built), with a timeout; output is logged
// and a non-zero exit is an error naming the script.
Status run_boot_scripts(const NodeConfig& cfg, const std::string& state_dir, Millis timeout);

// Signals a Heat WaitCondition (POST JSON, X-Auth-Token) with retries and
// backoff on a background thread; failures are logged with the reason.
void notify_heat_async(const NotifySettings& n, const std::string& node_id, const std::string& reason);

}  // namespace vessel
