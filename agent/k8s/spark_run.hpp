#pragma once
// The effects around k8s/spark_entrypoint: read the environment, run
// `hadoop classpath` when the contract asks for it, pick the user, and hand
// the command to the minimal init (init/), which forwards every signal
// (SIGPWR included: Spark's decommissioning) and reaps every orphan.
namespace vessel::k8s {

// `vessel driver ARGS...` / `vessel executor`, argv[0] being the role.
int cmd_spark(int argc, char** argv);

// Any other command in the container's argv: `vessel init -- CMD ARGS...`.
int cmd_passthrough(int argc, char** argv);

}  // namespace vessel::k8s
