#pragma once
// Per-peer token bucket for the cluster API. Counts every request to the
// cluster routes, including unauthenticated ones, so token guessing is slow.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vessel::cluster {

struct RateLimit {
  double per_second = 20;  // sustained; a node sends ~2 requests per second
  double burst = 40;
  size_t max_peers = 4096;  // bucket table cap, so spoofed sources cannot grow it unbounded
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using NowFn = std::function<Clock::time_point()>;

  explicit RateLimiter(RateLimit limit, NowFn now = &Clock::now);
  // Takes one token from `peer`'s bucket; false means "429".
  bool allow(const std::string& peer);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  const RateLimit limit_;
  const NowFn now_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace vessel::cluster
