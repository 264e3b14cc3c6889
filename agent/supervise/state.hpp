#pragma once
// The service state machine (after supervisord's process.py): every state is
// named, every transition is checked, and the state is readable from outside
// through /status.
//
//   WAITING --deps READY + wait_for ok--> STARTING --probe ok--> READY
//   STARTING/READY --exit--> BACKOFF --delay--> WAITING      (restart allowed)
//   STARTING/READY --exit--> EXITED   (policy says no restart, clean exit)
//   STARTING/READY --exit--> FAILED   (restart limit hit, guard refused, ...)
//   any running --stop--> STOPPING --exit/kill--> EXITED
#include <string_view>

namespace vessel {

enum class State { Waiting, Starting, Ready, Backoff, Stopping, Exited, Failed };

std::string_view to_string(State s);

// Whether the machine allows going from `from` to `to`.
bool transition_allowed(State from, State to);

// A process may exist in these states.
inline bool has_process(State s) {
  return s == State::Starting || s == State::Ready || s == State::Stopping;
}

}  // namespace vessel
