#include "cluster/rate_limit.hpp"

#include <algorithm>

namespace vessel::cluster {

RateLimiter::RateLimiter(RateLimit limit, NowFn now) : limit_(limit), now_(std::move(now)) {}

bool RateLimiter::allow(const std::string& peer) {
  std::lock_guard lock(mu_);
  const auto now = now_();
  auto it = buckets_.find(peer);
  if (it == buckets_.end()) {
    if (buckets_.size() >= limit_.max_peers) {
      // Forget buckets that have refilled completely: they carry no state.
      std::erase_if(buckets_, [&](const auto& kv) {
        std::chrono::duration<double> idle = now - kv.second.last;
        return kv.second.tokens + idle.count() * limit_.per_second >= limit_.burst;
      });
      // Still full: everyone is busy. Refusing a new peer is safer than
      // letting the table grow without bound.
      if (buckets_.size() >= limit_.max_peers) return false;
    }
    it = buckets_.emplace(peer, Bucket{limit_.burst, now}).first;
  }
  Bucket& b = it->second;
  std::chrono::duration<double> elapsed = now - b.last;
  b.tokens = std::min(limit_.burst, b.tokens + elapsed.count() * limit_.per_second);
  b.last = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace vessel::cluster
