#pragma once
// The one backoff policy: attempt n (1-based) waits
//   clamp(initial * 2^(n-1), floor, max) * f,   f = lo + (hi - lo) * u
// for a caller-supplied uniform u in [0, 1), so callers pick their jitter
// (none: lo = hi = 1; the supervisor's +-20%; cluster sync's "equal
// jitter", half fixed and half random) and tests pass u. Pure.
#include <algorithm>
#include <chrono>

namespace vessel {

struct BackoffPolicy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{30000};
  std::chrono::milliseconds floor{0};
  double lo = 1.0, hi = 1.0;  // jitter factor range

  std::chrono::milliseconds base(unsigned attempt) const {
    if (attempt == 0) return std::chrono::milliseconds{0};
    long long d = std::max<long long>(initial.count(), 0);
    for (unsigned i = 1; i < attempt && d < max.count(); ++i) d *= 2;
    d = std::min<long long>(d, max.count());
    return std::chrono::milliseconds{std::max<long long>(d, floor.count())};
  }
  std::chrono::milliseconds delay(unsigned attempt, double u = 0.0) const {
    const double f = lo + (hi - lo) * std::clamp(u, 0.0, 1.0);
    auto d = static_cast<long long>(static_cast<double>(base(attempt).count()) * f);
    return std::chrono::milliseconds{std::max<long long>(d, floor.count())};
  }
};

}  // namespace vessel
