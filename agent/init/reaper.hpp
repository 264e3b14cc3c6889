#pragma once
// Reaping: after every wake-up, PID 1 collects every exited child, known or
// adopted. SIGCHLD is coalesced by the kernel (3000 exits may arrive as one
// signal), so the loop runs waitpid(-1, WNOHANG) until nothing is left.
#include <sys/types.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstddef>

namespace vessel {

struct Reaped {
  pid_t pid;
  int status;  // as from waitpid
};

// Calls fn(Reaped) for each child reaped; returns how many were reaped.
template <typename Fn>
std::size_t reap_all(Fn&& fn) {
  std::size_t n = 0;
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      ++n;
      fn(Reaped{pid, status});
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    return n;  // 0: children remain but none exited; -1/ECHILD: none left
  }
}

// The shell convention: exit code, or 128+n after signal n.
inline int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

// Makes this process the reaper of orphaned descendants when it is not PID 1.
// Returns false (errno set) if the kernel refused.
bool become_subreaper();

// True if any child process remains (waitpid would not return ECHILD).
bool have_children();

}  // namespace vessel
