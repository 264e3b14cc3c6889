#pragma once
// One entry point per subcommand. Each parses its own options with
// Boost.Program_options and returns the process exit code.
namespace vessel::cli {

int cmd_run(int argc, char** argv);     // cli/run.cpp     (supervisor, ENTRYPOINT)
int cmd_init(int argc, char** argv);    // cli/init.cpp    (tini-compatible init)
int cmd_status(int argc, char** argv);  // cli/status.cpp  (health client)
int cmd_render(int argc, char** argv);  // cli/render.cpp  (dry-run of config files)

}  // namespace vessel::cli
