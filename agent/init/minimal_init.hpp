#pragma once
// `vessel init`: a tini-compatible minimal init. It runs one command as its
// child, passes every signal it receives on to that child, reaps every
// process that ends up parented to it, and exits with the child's exit code.
// It exists for images that want an init but not the supervisor.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace vessel::init {

struct MinimalInitOptions {
  std::vector<std::string> argv;  // the command; argv[0] looked up in PATH
  bool forward_to_group = false;  // -g: signal the child's process group
  bool verbose = false;           // -v: log forwarding and reaping to stderr
  // false only for the negative-control test (--no-reap): proves the zombie
  // test can fail. The main child is still waited for.
  bool reap_orphans = true;
  // For callers that prepare the child themselves (Spark's Kubernetes
  // entrypoint, k8s/): the child's whole environment (nullopt: ours) and the
  // user it runs as (nullopt: ours), exactly as SpawnOptions takes them.
  std::optional<std::vector<std::string>> env;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::vector<gid_t> groups;
  std::string workdir;  // "" = inherit
};

// Runs the command and returns the code `vessel init` exits with: the
// child's exit code, 128+n if signal n killed it, 127 if the command does
// not exist, 126 if it could not be executed, 1 on an internal failure.
int run_minimal_init(const MinimalInitOptions& opts);

}  // namespace vessel::init
