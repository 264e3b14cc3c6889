// Membership table rules (pure apart from the injected clock) and the
// token-bucket limiter.
#include <catch2/catch.hpp>

#include "cluster/membership.hpp"
#include "cluster/rate_limit.hpp"
#include "cluster_test_util.hpp"

using namespace vessel;
using namespace vessel::cluster;
using namespace std::chrono_literals;

TEST_CASE("members go missing after missing_after and are kept", "[cluster][membership]") {
  test::FakeClock clock;
  Membership m({{"10.0.0.1", "master"}}, {}, clock.fn());
  REQUIRE(m.upsert({"w1", "10.0.0.11", "worker"}).code == UpsertResult::created);
  REQUIRE(m.upsert({"w2", "10.0.0.12", "worker"}).code == UpsertResult::created);

  clock.t += 3s;
  REQUIRE(m.upsert({"w2", "10.0.0.12", "worker"}).code == UpsertResult::refreshed);
  clock.t += 2500ms;  // w1 silent 5.5 s, w2 2.5 s

  auto ms = m.members();
  REQUIRE(ms.size() == 2);
  CHECK(ms[0].name == "w1");
  CHECK(ms[0].state == MemberState::missing);
  CHECK(ms[0].age == 5500ms);
  CHECK(ms[1].state == MemberState::alive);
  CHECK(to_string(ms[0].state) == "missing");

  // Missing members still resolve.
  std::vector<HostEntry> expect = {{"10.0.0.1", "master"}, {"10.0.0.11", "w1"}, {"10.0.0.12", "w2"}};
  CHECK(m.hosts() == expect);

  // A heartbeat brings it back.
  REQUIRE(m.upsert({"w1", "10.0.0.11", "worker"}).ok());
  CHECK(m.members()[0].state == MemberState::alive);
}

TEST_CASE("version moves only when hosts or roles change", "[cluster][membership]") {
  test::FakeClock clock;
  Membership m({}, {}, clock.fn());
  const auto v0 = m.version();
  m.upsert({"w1", "10.0.0.11", "worker"});
  const auto v1 = m.version();
  CHECK(v1 != v0);
  m.upsert({"w1", "10.0.0.11", "worker"});
  CHECK(m.version() == v1);
  m.upsert({"w1", "10.0.0.11", "standalone"});
  CHECK(m.version() != v1);
  auto snap = m.hosts_snapshot();
  CHECK(snap.version == m.version());
}

TEST_CASE("name conflicts: static names reserved, alive names pinned", "[cluster][membership]") {
  test::FakeClock clock;
  Membership m({{"10.0.0.1", "master"}}, {}, clock.fn());

  auto steal = m.upsert({"master", "10.0.0.66", "worker"});
  CHECK(steal.code == UpsertResult::conflict);
  CHECK(steal.message.rfind("name:", 0) == 0);
  // The master itself heartbeating under its static name is fine.
  CHECK(m.upsert({"master", "10.0.0.1", "master"}).code == UpsertResult::created);

  REQUIRE(m.upsert({"w1", "10.0.0.11", "worker"}).ok());
  CHECK(m.upsert({"w1", "10.0.0.99", "worker"}).code == UpsertResult::conflict);
  clock.t += 6s;  // w1 is now missing: the name may move
  CHECK(m.upsert({"w1", "10.0.0.99", "worker"}).code == UpsertResult::moved);
  auto ms = m.members();
  REQUIRE(ms.size() == 2);
  CHECK(ms[1].ip == "10.0.0.99");
}

TEST_CASE("upsert validates its input", "[cluster][membership]") {
  Membership m({});
  auto bad_name = m.upsert({"bad\nname", "10.0.0.1", "worker"});
  CHECK(bad_name.code == UpsertResult::invalid);
  CHECK(bad_name.message.rfind("name:", 0) == 0);
  CHECK(m.upsert({"w", "10.0.0.300", "worker"}).message.rfind("ip:", 0) == 0);
  CHECK(m.upsert({"w", "10.0.0.3", "boss"}).message.rfind("role:", 0) == 0);
  CHECK(m.members().empty());
}

TEST_CASE("a full table evicts the longest-missing member, else refuses", "[cluster][membership]") {
  test::FakeClock clock;
  MembershipOptions opts;
  opts.max_members = 2;
  Membership m({}, opts, clock.fn());
  REQUIRE(m.upsert({"a", "10.0.0.1", "worker"}).ok());
  clock.t += 1s;
  REQUIRE(m.upsert({"b", "10.0.0.2", "worker"}).ok());
  CHECK(m.upsert({"c", "10.0.0.3", "worker"}).code == UpsertResult::full);
  clock.t += 5500ms;  // a and b missing; a longer
  CHECK(m.upsert({"c", "10.0.0.3", "worker"}).code == UpsertResult::created);
  auto ms = m.members();
  REQUIRE(ms.size() == 2);
  CHECK(ms[0].name == "b");
  CHECK(ms[1].name == "c");
}

TEST_CASE("rate limiter: burst, refill, per peer", "[cluster][ratelimit]") {
  test::FakeClock clock;
  RateLimiter rl({/*per_second=*/2, /*burst=*/3, /*max_peers=*/2}, clock.fn());
  CHECK(rl.allow("a"));
  CHECK(rl.allow("a"));
  CHECK(rl.allow("a"));
  CHECK_FALSE(rl.allow("a"));
  CHECK(rl.allow("b"));  // separate bucket
  CHECK(rl.allow("b"));
  clock.t += 500ms;      // one token back
  CHECK(rl.allow("a"));
  CHECK_FALSE(rl.allow("a"));
  // Table full (a, b) and both still drained/partial: a third peer is refused.
  CHECK_FALSE(rl.allow("c"));
  clock.t += 10s;  // everyone refilled: stale buckets are forgotten
  CHECK(rl.allow("c"));
}
