// Restart pacing: doubling with a cap, bounded jitter, reset after a stable
// run, and the restart budget within a sliding window.
#include <catch2/catch.hpp>

#include "supervise/backoff.hpp"

using namespace vessel;
using namespace std::chrono_literals;

namespace {

SupervisorSettings settings() {
  SupervisorSettings s;
  s.backoff_initial = Millis{100};
  s.backoff_max = Millis{1000};
  s.stable_after = Millis{60000};
  s.max_restarts = 3;
  s.restart_window = Millis{10000};
  return s;
}

}  // namespace

TEST_CASE("backoff: base delay doubles and is capped", "[supervise][backoff]") {
  Backoff b(settings(), 1);
  CHECK(b.base_delay(0) == Millis{0});
  CHECK(b.base_delay(1) == Millis{100});
  CHECK(b.base_delay(2) == Millis{200});
  CHECK(b.base_delay(3) == Millis{400});
  CHECK(b.base_delay(4) == Millis{800});
  CHECK(b.base_delay(5) == Millis{1000});
  CHECK(b.base_delay(6) == Millis{1000});
  CHECK(b.base_delay(1000000) == Millis{1000});  // no overflow for huge counts
}

TEST_CASE("backoff: cap below the initial delay wins", "[supervise][backoff]") {
  auto s = settings();
  s.backoff_initial = Millis{5000};
  s.backoff_max = Millis{2000};
  Backoff b(s, 1);
  CHECK(b.base_delay(1) == Millis{2000});
}

TEST_CASE("backoff: jitter stays within 0.8..1.2 of the base delay", "[supervise][backoff]") {
  auto s = settings();
  s.max_restarts = 1000000;
  s.backoff_max = Millis{100};  // every restart has base 100ms
  Backoff b(s, 42);
  auto t = Clock::now();
  Millis::rep lo = 1000, hi = 0;
  for (int i = 0; i < 2000; ++i) {
    auto d = b.next(t).count();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    REQUIRE(d >= 80);
    REQUIRE(d < 120);
  }
  // The jitter actually spreads (lock-step restarts are the thing it prevents).
  CHECK(lo <= 85);
  CHECK(hi >= 115);
}

TEST_CASE("backoff: same seed, same schedule", "[supervise][backoff]") {
  Backoff a(settings(), 7), b(settings(), 7);
  auto t = Clock::now();
  for (int i = 0; i < 5; ++i) CHECK(a.next(t) == b.next(t));
}

TEST_CASE("backoff: next follows the doubling schedule with jitter", "[supervise][backoff]") {
  auto s = settings();
  s.max_restarts = 100;
  Backoff b(s, 3);
  auto t = Clock::now();
  for (int n = 1; n <= 6; ++n) {
    auto d = b.next(t);
    CHECK(b.consecutive() == n);
    auto base = static_cast<double>(b.base_delay(n).count());
    CHECK(static_cast<double>(d.count()) >= base * 0.8 - 1);
    CHECK(static_cast<double>(d.count()) <= base * 1.2);
  }
}

TEST_CASE("backoff: a stable run resets the schedule", "[supervise][backoff]") {
  Backoff b(settings(), 1);
  auto t = Clock::now();
  b.next(t);
  b.next(t);
  CHECK(b.consecutive() == 2);
  b.on_exit(Millis{59999});  // not stable yet
  CHECK(b.consecutive() == 2);
  b.on_exit(Millis{60000});
  CHECK(b.consecutive() == 0);
  auto d = b.next(t);
  CHECK(b.consecutive() == 1);
  CHECK(d.count() >= 80);
  CHECK(d.count() < 120);
}

TEST_CASE("backoff: restart budget inside the window", "[supervise][backoff]") {
  Backoff b(settings(), 1);  // max 3 restarts per 10s
  auto t0 = Clock::now();
  CHECK_FALSE(b.exhausted(t0));
  b.next(t0);
  b.next(t0 + 1s);
  CHECK_FALSE(b.exhausted(t0 + 2s));
  b.next(t0 + 2s);
  // Three restarts inside 10s: a fourth would exceed the budget.
  CHECK(b.exhausted(t0 + 3s));
  CHECK(b.exhausted(t0 + 10s));  // t0 is exactly 10s old: still inside
}

TEST_CASE("backoff: restarts outside the window no longer count", "[supervise][backoff]") {
  Backoff b(settings(), 1);
  auto t0 = Clock::now();
  b.next(t0);
  b.next(t0 + 1s);
  b.next(t0 + 2s);
  REQUIRE(b.exhausted(t0 + 3s));
  // 10.5s later the first restart has left the window.
  CHECK_FALSE(b.exhausted(t0 + 10500ms));
  b.next(t0 + 10500ms);
  CHECK(b.exhausted(t0 + 10600ms));
  CHECK_FALSE(b.exhausted(t0 + 30s));
}

TEST_CASE("backoff: a stable run also clears the restart budget", "[supervise][backoff]") {
  Backoff b(settings(), 1);
  auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) b.next(t0);
  REQUIRE(b.exhausted(t0));
  b.on_exit(Millis{60000});
  CHECK_FALSE(b.exhausted(t0));
}

TEST_CASE("backoff: max_restarts 0 never restarts", "[supervise][backoff]") {
  auto s = settings();
  s.max_restarts = 0;
  Backoff b(s, 1);
  CHECK(b.exhausted(Clock::now()));
}
