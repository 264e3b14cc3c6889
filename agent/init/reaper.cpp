#include "init/reaper.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>

namespace vessel {

bool become_subreaper() { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0; }

bool have_children() {
  siginfo_t info{};
  // WNOWAIT leaves any exited child in place for reap_all to collect.
  int rc = waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
  return rc == 0;  // -1 with ECHILD: no children at all
}

}  // namespace vessel
