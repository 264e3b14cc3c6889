#include "supervise/backoff.hpp"

#include <algorithm>

namespace vessel {

Millis Backoff::base_delay(int consecutive) const {
  if (consecutive <= 0) return Millis{0};
  long long d = s_.backoff_initial.count();
  for (int i = 1; i < consecutive && d < s_.backoff_max.count(); ++i) d *= 2;
  return Millis{std::min<long long>(d, s_.backoff_max.count())};
}

Millis Backoff::next(Clock::time_point now) {
  ++consecutive_;
  recent_.push_back(now);
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  auto base = base_delay(consecutive_).count();
  return Millis{static_cast<long long>(static_cast<double>(base) * jitter(rng_))};
}

bool Backoff::exhausted(Clock::time_point now) {
  while (!recent_.empty() && now - recent_.front() > s_.restart_window) recent_.pop_front();
  return static_cast<int>(recent_.size()) >= s_.max_restarts;
}

void Backoff::on_exit(Millis ran) {
  if (ran >= s_.stable_after) reset();
}

}  // namespace vessel
