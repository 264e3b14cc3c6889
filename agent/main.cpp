// vessel: PID 1 for Spark/HDFS nodes. This file only dispatches subcommands;
// `vessel` with no subcommand (or only options) means `vessel run`.
#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: vessel [COMMAND] [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  run      supervise the services of a role (default; the ENTRYPOINT mode)\n"
    "  init     minimal tini-compatible init: vessel init [-g] -- CMD ARGS...\n"
    "  status   query a running agent's health port (exit 0 ready, 1 not, 2 unreachable)\n"
    "  render   write the config files `run` would write, start nothing\n"
    "  drain    decommission this worker's DataNode through the master and wait\n"
    "  driver   Spark on Kubernetes: spark-submit in client mode (the official image's contract)\n"
    "  executor Spark on Kubernetes: the KubernetesExecutorBackend JVM\n"
    "\n"
    "Any other command runs as `vessel init -- COMMAND ARGS...`.\n"
    "\n"
    "Run `vessel COMMAND --help` for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace vessel::cli;
  if (argc >= 2) {
    std::string_view cmd = argv[1];
    if (cmd == "--version" || cmd == "-V") {
      std::cout << "vessel " << VESSEL_VERSION << "\n";
      return 0;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << kUsage;
      return 0;
    }
    // Subcommands see argv shifted by one so argv[0] is the subcommand name.
    if (cmd == "run") return cmd_run(argc - 1, argv + 1);
    if (cmd == "init") return cmd_init(argc - 1, argv + 1);
    if (cmd == "status") return cmd_status(argc - 1, argv + 1);
    if (cmd == "render") return cmd_render(argc - 1, argv + 1);
    if (cmd == "drain") return cmd_drain(argc - 1, argv + 1);
    if (cmd == "driver" || cmd == "executor") return vessel::k8s::cmd_spark(argc - 1, argv + 1);
    // Spark's Kubernetes images pass any other command through (under tini
    // there; under our init here).
    if (!cmd.empty() && cmd[0] != '-') return vessel::k8s::cmd_passthrough(argc - 1, argv + 1);
  }
  return cmd_run(argc, argv);
}
