#pragma once
// Restart pacing. The n-th consecutive restart waits
//   min(max, initial * 2^(n-1)) scaled by a jitter factor in [0.8, 1.2),
// so a cluster of crashing nodes does not restart in lock-step. A run that
// lasted `stable_after` resets n. More than `max_restarts` restarts inside
// `restart_window` means the service is broken: FAILED, not another retry.
#include <chrono>
#include <deque>
#include <random>

#include "supervise/loader.hpp"
#include "util/backoff.hpp"

namespace vessel {

using Clock = std::chrono::steady_clock;

class Backoff {
 public:
  explicit Backoff(const SupervisorSettings& s, unsigned seed = std::random_device{}())
      : s_(s), rng_(seed) {}

  // The delay before the next restart, without jitter (for tests and logs).
  Millis base_delay(int consecutive) const;
  // Records a restart at `now` and returns the jittered delay before it.
  Millis next(Clock::time_point now);
  // True when the restarts recorded inside the window exceed the limit.
  bool exhausted(Clock::time_point now);
  // Called when the process exits after running for `ran`.
  void on_exit(Millis ran);
  int consecutive() const { return consecutive_; }
  // The settings as the shared policy (jitter factor in [0.8, 1.2)).
  BackoffPolicy policy() const;
  void reset() {
    consecutive_ = 0;
    recent_.clear();
  }

 private:
  SupervisorSettings s_;
  std::mt19937 rng_;
  int consecutive_ = 0;
  std::deque<Clock::time_point> recent_;
};

}  // namespace vessel
