// util/backoff.hpp: the one backoff policy every retry loop uses.
#include <catch2/catch.hpp>

#include "util/backoff.hpp"

using vessel::BackoffPolicy;
using ms = std::chrono::milliseconds;

TEST_CASE("backoff policy: doubles from initial, capped, floored, jittered by u", "[util][backoff]") {
  BackoffPolicy p{ms{100}, ms{1000}};
  CHECK(p.delay(0) == ms{0});
  CHECK(p.delay(1) == ms{100});
  CHECK(p.delay(2) == ms{200});
  CHECK(p.delay(4) == ms{800});
  CHECK(p.delay(5) == ms{1000});   // capped
  CHECK(p.delay(60) == ms{1000});  // no overflow for large attempts
  BackoffPolicy sup{ms{1000}, ms{30000}, ms{0}, 0.8, 1.2};  // the supervisor's +-20%
  CHECK(sup.delay(1, 0.0) == ms{800});
  CHECK(sup.delay(1, 0.5) == ms{1000});
  CHECK(sup.delay(1, 1.0) == ms{1200});
  CHECK(sup.delay(1, 7.0) == ms{1200});  // u is clamped to [0, 1]
  BackoffPolicy equal{ms{1000}, ms{10000}, ms{1000}, 0.5, 1.0};  // cluster sync's equal jitter
  CHECK(equal.delay(1, 0.0) == ms{1000});  // never below the floor (the sync interval)
  CHECK(equal.delay(2, 0.0) == ms{1000});
  CHECK(equal.delay(3, 0.0) == ms{2000});
  CHECK(equal.delay(3, 1.0) == ms{4000});
}
