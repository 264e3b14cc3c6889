// ClusterSync end to end: a real master server (routes + in-process sync)
// and worker loops talking HTTP over 127.0.0.1, each with its own hosts file.
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cluster/api.hpp"
#include "cluster/sync.hpp"
#include "cluster_test_util.hpp"

using namespace vessel;
using namespace vessel::cluster;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const Secret kToken("sync-test-token");

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls `pred` until true or `deadline` passes. Deadlines are generous: the
// assertions are about eventual state, not speed.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds deadline = 10s) {
  const auto end = Clock::now() + deadline;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

bool lists(const std::filesystem::path& hosts, const std::string& line) {
  return read_all(hosts).find("\n" + line + "\n") != std::string::npos;
}

struct Cluster {
  std::filesystem::path dir;
  std::unique_ptr<Membership> table;
  std::unique_ptr<test::ServerThread> server;
  int port = 0;

  explicit Cluster(MembershipOptions mopts = {}) {
    char tmpl[] = "/tmp/vessel-sync-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    start_master(mopts);
  }
  ~Cluster() {
    server.reset();
    std::filesystem::remove_all(dir);
  }
  // (Re)starts the master: a fresh, empty table, like a restarted process.
  void start_master(MembershipOptions mopts = {}, int fixed_port = 0) {
    table = std::make_unique<Membership>(std::vector<HostEntry>{{"10.0.0.1", "master"}}, mopts);
    auto s = std::make_unique<httplib::Server>();
    register_cluster_routes(*s, *table, kToken);
    server = std::make_unique<test::ServerThread>(std::move(s), fixed_port);
    port = server->port();
  }
  ClusterSyncOptions worker(const std::string& name, const std::string& ip = "") {
    ClusterSyncOptions o;
    o.master_host = "127.0.0.1";
    o.master_port = port;
    o.token = kToken;
    o.name = name;
    o.role = "worker";
    if (!ip.empty()) {
      o.advertise_ip = ip;
      o.on_behalf = true;  // all test clients really connect from 127.0.0.1
    }
    o.hosts_path = (dir / (name + ".hosts")).string();
    o.static_hosts = {{"10.0.0.1", "master"}};
    o.interval = 100ms;
    o.backoff_max = 400ms;
    o.request_timeout = 1s;
    return o;
  }
  ClusterSyncOptions master_local() {
    ClusterSyncOptions o;
    o.name = "master";
    o.role = "master";
    o.advertise_ip = "10.0.0.1";
    o.hosts_path = (dir / "master.hosts").string();
    o.local = table.get();
    o.interval = 100ms;
    return o;
  }
};

}  // namespace

TEST_CASE("a joining worker appears in every node's hosts file", "[cluster][sync]") {
  Cluster c;
  // Production interval (1 s) for the latency measurement.
  auto mo = c.master_local();
  mo.interval = 1s;
  ClusterSync master(mo);
  auto w1o = c.worker("w1", "10.0.0.11");
  w1o.interval = 1s;
  ClusterSync w1(w1o);
  std::vector<std::vector<MemberView>> seen;  // callback history of w1
  std::mutex seen_mu;
  w1.on_members_changed([&](const std::vector<MemberView>& ms) {
    std::lock_guard lock(seen_mu);
    seen.push_back(ms);
  });
  master.start();
  w1.start();
  const std::filesystem::path mh = c.dir / "master.hosts", h1 = c.dir / "w1.hosts",
                              h2 = c.dir / "w2.hosts";
  REQUIRE(eventually([&] { return lists(mh, "10.0.0.11 w1") && lists(h1, "10.0.0.11 w1"); }));

  auto w2o = c.worker("w2");  // registers with its connection address
  w2o.interval = 1s;
  ClusterSync w2(w2o);
  const auto t0 = Clock::now();
  w2.start();
  bool all = eventually([&] {
    return lists(mh, "127.0.0.1 w2") && lists(h1, "127.0.0.1 w2") && lists(h2, "127.0.0.1 w2") &&
           lists(h2, "10.0.0.11 w1") && lists(h2, "10.0.0.1 master");
  });
  const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  std::cout << "[cluster] join -> present in all 3 hosts files after " << latency.count()
            << " ms (interval 1 s; goal 2 s)\n";
  REQUIRE(all);

  // Every file has the same block: master, w1, w2.
  const std::string block =
      "# BEGIN vessel\n# Managed by vessel: edits inside this block are overwritten.\n"
      "10.0.0.1 master\n10.0.0.11 w1\n127.0.0.1 w2\n# END vessel\n";
  CHECK(read_all(mh) == block);
  CHECK(read_all(h1) == block);
  CHECK(read_all(h2) == block);

  // The worker-list callback saw w2 join.
  REQUIRE(eventually([&] {
    std::lock_guard lock(seen_mu);
    return !seen.empty() && seen.back().size() == 3;
  }));
  {
    std::lock_guard lock(seen_mu);
    CHECK(seen.back()[2].name == "w2");
    CHECK(seen.back()[2].role == "worker");
  }

  auto st = w2.snapshot();
  CHECK(st.running);
  CHECK(st.master_reachable);
  CHECK(st.last_error.empty());
  CHECK(st.hosts == 3);
  CHECK(st.members == 3);
  CHECK(st.last_sync.has_value());

  // Stopping is prompt even with a 1 s interval (condition variable wake).
  const auto s0 = Clock::now();
  w1.stop();
  w2.stop();
  master.stop();
  std::cout << "[cluster] stopping 3 sync loops took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - s0).count()
            << " ms\n";
  CHECK_FALSE(w2.snapshot().running);
}

TEST_CASE("a silent member is marked missing, not dropped", "[cluster][sync]") {
  MembershipOptions mopts;
  mopts.missing_after = 300ms;
  Cluster c(mopts);
  ClusterSync w1(c.worker("w1", "10.0.0.11"));
  w1.start();
  REQUIRE(eventually([&] { return c.table->members().size() == 1; }));
  CHECK(c.table->members()[0].state == MemberState::alive);
  w1.stop();  // heartbeats stop

  REQUIRE(eventually([&] {
    auto ms = c.table->members();
    return ms.size() == 1 && ms[0].state == MemberState::missing;
  }));
  // Still listed over HTTP with its state, and still in hosts.
  httplib::Client cli("127.0.0.1", c.port);
  auto r = cli.Get("/v1/cluster/members");
  REQUIRE(r);
  auto j = nlohmann::json::parse(r->body);
  REQUIRE(j["members"].size() == 1);
  CHECK(j["members"][0]["state"] == "missing");
  CHECK(j["members"][0]["age_ms"].get<int64_t>() >= 300);
  auto h = cli.Get("/v1/cluster/hosts?format=hosts");
  REQUIRE(h);
  CHECK(h->body.find("10.0.0.11 w1\n") != std::string::npos);
}

TEST_CASE("workers re-register after a master restart", "[cluster][sync]") {
  Cluster c;
  ClusterSync w1(c.worker("w1", "10.0.0.11"));
  ClusterSync w2(c.worker("w2", "10.0.0.12"));
  w1.start();
  w2.start();
  REQUIRE(eventually([&] { return c.table->members().size() == 2; }));
  const std::filesystem::path h1 = c.dir / "w1.hosts";
  REQUIRE(eventually([&] { return lists(h1, "10.0.0.12 w2") && w1.snapshot().members == 2; }));

  const int port = c.port;
  c.server.reset();  // master down
  REQUIRE(eventually([&] { return !w1.snapshot().master_reachable; }));
  auto down = w1.snapshot();
  CHECK(down.last_error.find("unreachable") != std::string::npos);
  CHECK(down.last_error.find(kToken.reveal()) == std::string::npos);
  CHECK(down.consecutive_failures >= 1);
  // Last known hosts are kept while the master is away.
  CHECK(lists(h1, "10.0.0.12 w2"));

  c.start_master({}, port);  // same port, a new empty table
  REQUIRE(eventually([&] { return c.table->members().size() == 2; }));
  REQUIRE(eventually([&] {
    auto s = w1.snapshot();
    return s.master_reachable && s.last_error.empty() && s.members == 2;
  }));
  // Eventually, not at once: the file and the snapshot update in one tick,
  // but w1 may have fetched before w2 re-registered.
  CHECK(eventually([&] { return lists(h1, "10.0.0.11 w1") && lists(h1, "10.0.0.12 w2"); }));
  CHECK(eventually([&] { return lists(c.dir / "w2.hosts", "10.0.0.11 w1"); }));
}

TEST_CASE("a wrong token is reported without leaking and hosts still sync", "[cluster][sync]") {
  Cluster c;
  auto o = c.worker("w9", "10.0.0.99");
  o.token = Secret("not-the-token");
  ClusterSync w(o);
  w.start();
  REQUIRE(eventually([&] { return w.snapshot().last_error.find("401") != std::string::npos; }));
  auto st = w.snapshot();
  CHECK(st.master_reachable);
  CHECK(st.last_error.find("not-the-token") == std::string::npos);
  CHECK(st.last_error.find(kToken.reveal()) == std::string::npos);
  CHECK(c.table->members().empty());
  // Unauthenticated GETs still give it the cluster's hosts.
  CHECK(eventually([&] { return lists(c.dir / "w9.hosts", "10.0.0.1 master"); }));
}

TEST_CASE("an unreachable master backs off and stop() stays prompt", "[cluster][sync]") {
  Cluster c;
  const int port = c.port;
  c.server.reset();
  auto o = c.worker("w1");
  o.master_port = port;
  ClusterSync w(o);
  w.start();
  // Static hosts are written even though the master never answered.
  REQUIRE(eventually([&] { return lists(c.dir / "w1.hosts", "10.0.0.1 master"); }));
  REQUIRE(eventually([&] { return w.snapshot().consecutive_failures >= 3; }));
  auto st = w.snapshot();
  CHECK_FALSE(st.master_reachable);
  CHECK_FALSE(st.last_sync.has_value());
  w.stop();
  CHECK_FALSE(w.snapshot().running);
}

TEST_CASE("regress: a node's local static host never overrides the master's list", "[cluster][sync]") {
  Cluster c;  // the master's table has static "10.0.0.1 master"
  auto mo = c.master_local();
  mo.advertise_ip = "10.0.0.2";  // the master really lives elsewhere
  ClusterSync master(mo);
  auto wo = c.worker("w1", "10.0.0.11");
  wo.static_hosts = {{"10.0.0.1", "master"}, {"10.9.9.9", "w2"}, {"10.0.0.7", "extra"}};
  ClusterSync w1(wo);
  ClusterSync w2(c.worker("w2", "10.0.0.12"));
  master.start();
  w1.start();
  w2.start();
  const std::filesystem::path h1 = c.dir / "w1.hosts";
  REQUIRE(eventually([&] { return lists(h1, "10.0.0.2 master") && lists(h1, "10.0.0.12 w2"); }));
  const std::string block =
      "# BEGIN vessel\n# Managed by vessel: edits inside this block are overwritten.\n"
      "10.0.0.7 extra\n10.0.0.2 master\n10.0.0.11 w1\n10.0.0.12 w2\n# END vessel\n";
  CHECK(read_all(h1) == block);  // no 10.0.0.1 master, no 10.9.9.9 w2; unrelated static kept
  CHECK(eventually([&] { return lists(c.dir / "master.hosts", "10.0.0.2 master"); }));
  CHECK_FALSE(lists(c.dir / "master.hosts", "10.0.0.1 master"));
}

TEST_CASE("regress: reload-changed static hosts stick (sync)", "[cluster][sync]") {
  Cluster c;
  const int live = c.port;
  auto o = c.worker("w1", "10.0.0.11");
  o.master_port = 1;  // nothing listens: the loop backs off
  o.interval = 2s;    // a reload must not wait for the next timer
  o.backoff_max = 8s;
  ClusterSync w(o);
  w.start();
  const std::filesystem::path h = c.dir / "w1.hosts";
  REQUIRE(eventually([&] { return lists(h, "10.0.0.1 master"); }));
  REQUIRE(eventually([&] { return w.snapshot().consecutive_failures >= 1; }));
  CHECK_FALSE(w.snapshot().registered);
  CHECK(w.snapshot().registration_error.rfind("unreachable:", 0) == 0);

  const auto t0 = Clock::now();
  w.set_static_hosts({{"10.0.0.1", "master"}, {"10.0.0.5", "nn"}});
  REQUIRE(eventually([&] { return lists(h, "10.0.0.5 nn"); }, 1500ms));
  CHECK(Clock::now() - t0 < 1500ms);  // woken, not after the 2 s+ backoff
  // It survives later ticks, including the (new) master's first answer.
  w.set_master("127.0.0.1", live);
  REQUIRE(eventually([&] { return w.snapshot().registered; }, 1500ms));
  CHECK(w.snapshot().registration_error.empty());
  CHECK(c.table->members().size() == 1);
  std::this_thread::sleep_for(300ms);
  CHECK(lists(h, "10.0.0.5 nn"));
  CHECK(lists(h, "10.0.0.11 w1"));
  // A reload that drops the entry removes it from the file too.
  w.set_static_hosts({{"10.0.0.1", "master"}});
  CHECK(eventually([&] { return !lists(h, "10.0.0.5 nn"); }, 1500ms));
}

TEST_CASE("regress: departed member leaves every hosts file after remove_after", "[cluster][sync]") {
  MembershipOptions mopts;
  mopts.missing_after = 100ms;  // the table's own remove_after stays 10 min
  Cluster c(mopts);
  auto mo = c.master_local();
  mo.remove_after = 1s;  // passed through to the table
  ClusterSync master(mo);
  ClusterSync w1(c.worker("w1", "10.0.0.11"));
  ClusterSync w2(c.worker("w2", "10.0.0.12"));
  master.start();
  w1.start();
  w2.start();
  const std::filesystem::path h1 = c.dir / "w1.hosts", mh = c.dir / "master.hosts";
  REQUIRE(eventually([&] { return lists(h1, "10.0.0.12 w2") && lists(mh, "10.0.0.12 w2"); }));
  w2.stop();
  REQUIRE(eventually([&] { return !lists(h1, "10.0.0.12 w2") && !lists(mh, "10.0.0.12 w2"); }));
  CHECK(eventually([&] { return lists(h1, "10.0.0.11 w1"); }));  // the live one stays
  auto gone = c.table->departed();
  REQUIRE(!gone.empty());
  CHECK(gone.back().name == "w2");
  httplib::Client cli("127.0.0.1", c.port);
  auto r = cli.Get("/v1/cluster/members");
  REQUIRE(r);
  auto j = nlohmann::json::parse(r->body);
  REQUIRE(!j["departed"].empty());
  CHECK(j["departed"].back()["name"] == "w2");
  CHECK(eventually([&] { return w1.snapshot().members == 2; }));  // master and w1
}

TEST_CASE("registration_error: 401 from the real API", "[cluster][sync]") {
  Cluster c;
  auto o = c.worker("w9", "10.0.0.99");
  o.token = Secret("not-the-token");
  ClusterSync w(o);
  w.start();
  REQUIRE(eventually([&] { return !w.snapshot().registration_error.empty(); }));
  auto st = w.snapshot();
  CHECK_FALSE(st.registered);
  CHECK(st.registration_error == "401 unauthorized");
  CHECK(st.registration_error.find("not-the-token") == std::string::npos);
  CHECK(st.master_reachable);
  // Control: the same worker with the right token is registered.
  ClusterSync ok(c.worker("w8", "10.0.0.98"));
  ok.start();
  REQUIRE(eventually([&] { return ok.snapshot().registered; }));
  CHECK(ok.snapshot().registration_error.empty());
}

TEST_CASE("registration_error: 409, redacted, cleared once accepted", "[cluster][sync]") {
  // A stub master that refuses with 409 and (misbehaving) echoes our
  // Authorization header in its error, until told to accept.
  std::atomic<bool> accept{false};
  auto s = std::make_unique<httplib::Server>();
  s->Post("/v1/cluster/members", [&](const httplib::Request& req, httplib::Response& res) {
    if (accept) {
      res.status = 200;
      res.set_content(R"({"status":"refreshed","version":7})", "application/json");
      return;
    }
    res.status = 409;
    nlohmann::json e = {{"error", "name: taken (you sent " + req.get_header_value("Authorization") + ")"}};
    res.set_content(e.dump(), "application/json");
  });
  s->Get("/v1/cluster/hosts", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"version":7,"hosts":[{"ip":"10.0.0.1","name":"master"}]})", "application/json");
  });
  s->Get("/v1/cluster/members", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"version":7,"members":[]})", "application/json");
  });
  test::ServerThread srv(std::move(s));
  Cluster c;
  auto o = c.worker("w1", "10.0.0.11");
  o.master_port = srv.port();
  ClusterSync w(o);
  w.start();
  REQUIRE(eventually([&] { return !w.snapshot().registration_error.empty(); }));
  auto st = w.snapshot();
  CHECK_FALSE(st.registered);
  CHECK(st.registration_error.rfind("409 conflict: name: taken", 0) == 0);
  CHECK(st.registration_error.find(kToken.reveal()) == std::string::npos);
  CHECK(st.registration_error.find("<redacted>") != std::string::npos);  // it was there, scrubbed
  CHECK(st.last_error.find(kToken.reveal()) == std::string::npos);
  CHECK(st.consecutive_failures >= 1);  // refused: backs off like any failure

  // A token that occurs inside the mask itself must not loop forever.
  auto o2 = c.worker("w2", "10.0.0.12");
  o2.master_port = srv.port();
  o2.token = Secret("red");
  ClusterSync w2(o2);
  w2.start();
  REQUIRE(eventually([&] { return !w2.snapshot().registration_error.empty(); }));
  CHECK(w2.snapshot().registration_error.find("Bearer red") == std::string::npos);
  w2.stop();

  accept = true;
  REQUIRE(eventually([&] { return w.snapshot().registered; }));
  st = w.snapshot();
  CHECK(st.registration_error.empty());
  CHECK(st.last_error.empty());
}

TEST_CASE("master's local sync reports its own registration", "[cluster][sync]") {
  Cluster c;
  auto mo = c.master_local();
  mo.role = "Bad_Role";
  ClusterSync bad(mo);
  bad.start();
  REQUIRE(eventually([&] { return !bad.snapshot().registration_error.empty(); }));
  CHECK_FALSE(bad.snapshot().registered);
  CHECK(bad.snapshot().registration_error.find("role:") != std::string::npos);
  bad.stop();
  ClusterSync good(c.master_local());
  good.start();
  REQUIRE(eventually([&] { return good.snapshot().registered; }));
  CHECK(good.snapshot().registration_error.empty());
}

// Found by the chaos stage (scenario master-new-ip): after the master moved
// and the workers were reloaded with the corrected static entry, every
// worker kept the master's old address from the last fetched list, which
// won over the static entry and could never be refreshed (the master is
// only reachable through its new address).
TEST_CASE("regress: a reloaded static entry wins over the stale master list", "[cluster][sync]") {
  Cluster c;
  ClusterSync w(c.worker("w1", "10.0.0.11"));
  w.start();
  const std::filesystem::path h = c.dir / "w1.hosts";
  REQUIRE(eventually([&] { return lists(h, "10.0.0.1 master") && lists(h, "10.0.0.11 w1"); }));
  REQUIRE(eventually([&] { return w.snapshot().registered; }));
  c.server.reset();  // the master is gone from its old address
  w.set_static_hosts({{"10.0.0.30", "master"}});
  CHECK(eventually([&] { return lists(h, "10.0.0.30 master") && !lists(h, "10.0.0.1 master"); }, 1500ms));
  CHECK(lists(h, "10.0.0.11 w1"));  // the rest of the fetched list stays
}

TEST_CASE("regress: a decommissioned member that leaves is a membership change", "[cluster][sync]") {
  // decommissioned -> left must reach the callback (the workers file drops a
  // member that left; both states are in the exclude set, which once made
  // this transition "no change", so the workers file kept it).
  Cluster c;
  ClusterSync master(c.master_local());
  std::vector<MemberState> w1_states;  // w1's state in each callback
  std::mutex mu;
  master.on_members_changed([&](const std::vector<MemberView>& ms) {
    std::lock_guard lock(mu);
    for (const auto& m : ms)
      if (m.name == "w1") w1_states.push_back(m.state);
  });
  ClusterSync w1(c.worker("w1", "10.0.0.11"));
  master.start();
  w1.start();
  auto last_is = [&](MemberState s) {
    std::lock_guard lock(mu);
    return !w1_states.empty() && w1_states.back() == s;
  };
  REQUIRE(eventually([&] { return last_is(MemberState::alive); }));
  REQUIRE(c.table->set_admin("w1", AdminState::decommissioned));
  REQUIRE(eventually([&] { return last_is(MemberState::decommissioned); }));
  w1.stop();  // a drained node stops, then leaves
  REQUIRE(c.table->leave("w1"));
  CHECK(eventually([&] { return last_is(MemberState::left); }));
  master.stop();
}
