#pragma once
// `vessel init`: a tini-compatible minimal init. It runs one command as its
// child, passes every signal it receives on to that child, reaps every
// process that ends up parented to it, and exits with the child's exit code.
// It exists for images that want an init but not the supervisor.
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
};

// Runs the command and returns the code `vessel init` exits with: the
// child's exit code, 128+n if signal n killed it, 127 if the command does
// not exist, 126 if it could not be executed, 1 on an internal failure.
int run_minimal_init(const MinimalInitOptions& opts);

}  // namespace vessel::init
