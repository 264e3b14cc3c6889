#include "supervise/backoff.hpp"

#include <algorithm>

namespace vessel {

BackoffPolicy Backoff::policy() const { return BackoffPolicy{s_.backoff_initial, s_.backoff_max, Millis{0}, 0.8, 1.2}; }

Millis Backoff::base_delay(int consecutive) const {
  return consecutive <= 0 ? Millis{0} : policy().base(static_cast<unsigned>(consecutive));
}

Millis Backoff::next(Clock::time_point now) {
  ++consecutive_;
  recent_.push_back(now);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return policy().delay(static_cast<unsigned>(consecutive_), u(rng_));
}

bool Backoff::exhausted(Clock::time_point now) {
  while (!recent_.empty() && now - recent_.front() > s_.restart_window) recent_.pop_front();
  return static_cast<int>(recent_.size()) >= s_.max_restarts;
}

void Backoff::on_exit(Millis ran) {
  if (ran >= s_.stable_after) reset();
}

}  // namespace vessel
