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

// The old policy refused these with 409 (static names reserved, alive names
// pinned to their IP): that was issue 9's bug. The token is the trust
// boundary; see membership.hpp.
TEST_CASE("regress: worker re-registering from a new ip moves", "[cluster][membership]") {
  test::FakeClock clock;
  Membership m({{"10.0.0.1", "master"}}, {}, clock.fn());
  REQUIRE(m.upsert({"w1", "10.0.0.11", "worker"}).code == UpsertResult::created);
  const auto v1 = m.version();
  clock.t += 1s;  // still alive: the old table answered 409 here
  auto r = m.upsert({"w1", "10.0.0.99", "worker"});
  CHECK(r.code == UpsertResult::moved);
  CHECK(r.ok());
  CHECK(m.version() != v1);
  auto ms = m.members();
  REQUIRE(ms.size() == 1);
  CHECK(ms[0].ip == "10.0.0.99");
  CHECK(ms[0].state == MemberState::alive);
  std::vector<HostEntry> expect = {{"10.0.0.1", "master"}, {"10.0.0.99", "w1"}};
  CHECK(m.hosts() == expect);  // the old address is gone
  // Heartbeating from the new address is a plain refresh, no version bump.
  const auto v2 = m.version();
  CHECK(m.upsert({"w1", "10.0.0.99", "worker"}).code == UpsertResult::refreshed);
  CHECK(m.version() == v2);
}

TEST_CASE("regress: static host never overrides a live registration", "[cluster][membership]") {
  test::FakeClock clock;
  MembershipOptions opts;
  opts.remove_after = 60s;
  Membership m({{"10.0.0.1", "master"}, {"10.0.0.5", "NN"}}, opts, clock.fn());
  const auto v0 = m.version();
  // The old table refused this (409 "reserved by a static hosts entry").
  auto r = m.upsert({"master", "10.0.0.2", "master"});
  CHECK(r.code == UpsertResult::created);
  CHECK(m.upsert({"nn", "10.0.0.6", "worker"}).ok());  // names compare ignoring case
  CHECK(m.version() != v0);
  std::vector<HostEntry> expect = {{"10.0.0.2", "master"}, {"10.0.0.6", "nn"}};
  CHECK(m.hosts() == expect);  // only the registered addresses, no duplicates
  CHECK(m.static_hosts().size() == 2);  // the configuration itself is kept

  // Once the members have departed, the static entries are the starting point again.
  clock.t += 61s;
  std::vector<HostEntry> back = {{"10.0.0.5", "NN"}, {"10.0.0.1", "master"}};
  CHECK(m.hosts() == back);
}

TEST_CASE("regress: reload-changed static hosts stick (table)", "[cluster][membership]") {
  test::FakeClock clock;
  Membership m({{"10.0.0.1", "master"}}, {}, clock.fn());
  const auto v0 = m.version();
  m.set_static_hosts({{"10.0.0.1", "master"}});  // unchanged: no bump
  CHECK(m.version() == v0);
  m.set_static_hosts({{"10.0.0.1", "master"}, {"10.0.0.5", "nn"}});
  const auto v1 = m.version();
  CHECK(v1 != v0);
  auto snap = m.hosts_snapshot();
  CHECK(snap.version == v1);
  std::vector<HostEntry> expect = {{"10.0.0.1", "master"}, {"10.0.0.5", "nn"}};
  CHECK(snap.hosts == expect);
  CHECK(m.static_hosts() == expect);
  clock.t += 1h;  // nothing expires static entries
  CHECK(m.hosts() == expect);
  CHECK(m.version() == v1);
}

TEST_CASE("regress: departed member leaves hosts after remove_after", "[cluster][membership]") {
  test::LogCapture log;
  test::FakeClock clock;
  MembershipOptions opts;
  opts.remove_after = 60s;
  Membership m({{"10.0.0.1", "master"}}, opts, clock.fn());
  REQUIRE(m.upsert({"w1", "10.0.0.11", "worker"}).ok());
  REQUIRE(m.upsert({"w2", "10.0.0.12", "worker"}).ok());

  clock.t += 30s;
  REQUIRE(m.upsert({"w2", "10.0.0.12", "worker"}).ok());
  // Missing, not yet departed: still resolves.
  REQUIRE(m.members().size() == 2);
  CHECK(m.members()[0].state == MemberState::missing);
  CHECK(m.hosts().size() == 3);
  const auto v1 = m.version();
  CHECK(log.count("membership: removed") == 0);  // control: the capture sees only real removals

  clock.t += 31s;  // w1 silent 61 s, w2 31 s
  auto ms = m.members();
  REQUIRE(ms.size() == 1);
  CHECK(ms[0].name == "w2");
  std::vector<HostEntry> expect = {{"10.0.0.1", "master"}, {"10.0.0.12", "w2"}};
  CHECK(m.hosts() == expect);
  CHECK(m.version() != v1);
  auto gone = m.departed();
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].name == "w1");
  CHECK(gone[0].ip == "10.0.0.11");
  CHECK(gone[0].role == "worker");
  CHECK(gone[0].removed_at == clock.t);
  clock.t += 5s;
  CHECK(m.departed()[0].since == 5s);
  // Logged once, however often the table is read.
  CHECK(log.count("membership: removed w1 10.0.0.11 (missing for 61 s)") == 1);
  CHECK(log.count("membership: removed") == 1);

  // Coming back is a fresh registration, and it is no longer "departed".
  CHECK(m.upsert({"w1", "10.0.0.11", "worker"}).code == UpsertResult::created);
  CHECK(m.departed().empty());
}

TEST_CASE("remove_after: zero never removes; departed list is bounded", "[cluster][membership]") {
  test::FakeClock clock;
  MembershipOptions keep;
  keep.remove_after = 0s;
  Membership forever({}, keep, clock.fn());
  REQUIRE(forever.upsert({"w1", "10.0.0.11", "worker"}).ok());
  clock.t += 1000h;
  CHECK(forever.members().size() == 1);
  CHECK(forever.departed().empty());

  MembershipOptions opts;
  opts.remove_after = 10s;
  Membership m({}, opts, clock.fn());
  for (int i = 0; i < 70; ++i) {
    REQUIRE(m.upsert({"w" + std::to_string(i), "10.0.1." + std::to_string(i), "worker"}).ok());
    clock.t += 11s;  // the previous one departs on the next call
  }
  m.sweep();
  CHECK(m.members().empty());
  auto gone = m.departed();
  REQUIRE(gone.size() == Membership::kMaxDeparted);
  CHECK(gone.front().name == "w6");  // oldest first, the first 6 forgotten
  CHECK(gone.back().name == "w69");

  // set_remove_after changes the rule at runtime.
  m.set_remove_after(1h);
  REQUIRE(m.upsert({"x", "10.0.2.1", "worker"}).ok());
  clock.t += 30min;
  CHECK(m.members().size() == 1);
}

TEST_CASE("upsert validates its input", "[cluster][membership]") {
  Membership m({});
  auto bad_name = m.upsert({"bad\nname", "10.0.0.1", "worker"});
  CHECK(bad_name.code == UpsertResult::invalid);
  CHECK(bad_name.message.rfind("name:", 0) == 0);
  CHECK(m.upsert({"w", "10.0.0.300", "worker"}).message.rfind("ip:", 0) == 0);
  CHECK(m.upsert({"w", "10.0.0.3", "Boss"}).message.rfind("role:", 0) == 0);
  CHECK(m.members().empty());
}

// Roles are data (roles/*.yaml): any well-formed name is accepted.
TEST_CASE("role is validated as a name only", "[cluster][membership]") {
  for (const char* good : {"master", "worker", "standalone", "boss", "spark-worker", "a",
                           "r2d2", "abcdefghijklmnopqrstuvwxyz012345"}) {
    INFO(good);
    CHECK(valid_role(good));
  }
  for (const char* bad : {"", "Worker", "9lives", "-x", "a_b", "a b", "a.b", "w\n",
                          "abcdefghijklmnopqrstuvwxyz0123456"}) {
    INFO(bad);
    CHECK_FALSE(valid_role(bad));
  }
  Membership m({});
  CHECK(m.upsert({"w", "10.0.0.3", "spark-worker"}).ok());
  auto r = m.upsert({"w", "10.0.0.3", "Boss"});
  CHECK(r.code == UpsertResult::invalid);
  CHECK(r.message.rfind("role:", 0) == 0);
  CHECK(m.members().size() == 1);
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
