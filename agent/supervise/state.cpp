#include "supervise/state.hpp"

namespace vessel {

std::string_view to_string(State s) {
  switch (s) {
    case State::Waiting: return "WAITING";
    case State::Starting: return "STARTING";
    case State::Ready: return "READY";
    case State::Backoff: return "BACKOFF";
    case State::Stopping: return "STOPPING";
    case State::Exited: return "EXITED";
    case State::Failed: return "FAILED";
  }
  return "UNKNOWN";
}

bool transition_allowed(State from, State to) {
  using S = State;
  switch (from) {
    case S::Waiting: return to == S::Starting || to == S::Exited || to == S::Failed;
    case S::Starting: return to == S::Ready || to == S::Backoff || to == S::Stopping || to == S::Exited || to == S::Failed;
    case S::Ready: return to == S::Backoff || to == S::Stopping || to == S::Exited || to == S::Failed;
    case S::Backoff: return to == S::Waiting || to == S::Exited || to == S::Failed;
    case S::Stopping: return to == S::Exited || to == S::Failed;
    case S::Exited: return to == S::Waiting;  // restart after reload
    case S::Failed: return to == S::Waiting;  // restart after reload
  }
  return false;
}

}  // namespace vessel
