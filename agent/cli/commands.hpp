#pragma once
// One entry point per subcommand. Each parses its own options with
// Boost.Program_options and returns the process exit code.
#include "init/init_cmd.hpp"  // cmd_init
#include "k8s/spark_run.hpp"  // cmd_spark, cmd_passthrough

namespace vessel::cli {

int cmd_run(int argc, char** argv);     // cli/run.cpp     (supervisor, ENTRYPOINT)
int cmd_status(int argc, char** argv);  // cli/status.cpp  (health client)
int cmd_render(int argc, char** argv);  // cli/render.cpp  (dry-run of config files)
int cmd_drain(int argc, char** argv);   // cli/drain.cpp   (decommission this worker)

}  // namespace vessel::cli
