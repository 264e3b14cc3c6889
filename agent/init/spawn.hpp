#pragma once
// Starting a child: fork + exec with a clean slate. The child gets an empty
// signal mask and default dispositions (a JVM must inherit nothing from PID 1),
// its own process group (so stop signals reach the whole tree of a service),
// and the privileges of its service user.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace vessel {

struct SpawnOptions {
  std::vector<std::string> argv;        // argv[0] is looked up in PATH of env
  std::vector<std::string> env;         // the child's whole environment, K=V
  std::string workdir;                  // "" = inherit
  std::optional<uid_t> uid;             // drop to this user (setuid last)
  std::optional<gid_t> gid;
  std::vector<gid_t> groups;            // supplementary groups (setgroups)
  bool new_process_group = true;
  // With new_process_group: if stdin is a terminal, make the child's group
  // its foreground group, so ^C and terminal reads reach the child (tini).
  bool foreground_tty = false;
  int stdin_fd = -1;                    // -1: /dev/null
  int stdout_fd = -1;                   // -1: inherit
  int stderr_fd = -1;                   // -1: inherit
};

// Why exec failed, so `vessel init` can map it to 127 (not found) or 126.
struct SpawnFailure {
  int err = 0;           // errno of the failing step
  std::string step;      // "exec", "setuid", "chdir", ...
};

struct Spawned {
  pid_t pid = -1;
  std::optional<SpawnFailure> failure;  // set when the child never exec'd;
                                        // the child has then been reaped.
};

// Forks and execs. Returns an Error only if fork itself (or path lookup
// bookkeeping) failed; a child that could not exec is reported through
// Spawned::failure after it has been waited for. Call with all handled
// signals blocked (the mask is reset in the child).
Result<Spawned> spawn(const SpawnOptions& opts);

// PATH lookup as execvp does it, done before fork so the child only calls
// async-signal-safe functions. Returns the name unchanged if it has a '/'.
std::string resolve_in_path(const std::string& file, const std::string& path_var);

// The current process environment as K=V strings.
std::vector<std::string> current_environment();

}  // namespace vessel
