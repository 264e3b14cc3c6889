// Graceful scale-in, second half (issue 10): members that leave, the
// master's DrainMonitor, the worker's NodeDrain on a fake master and clock,
// its routes on the health port, and the role file's decommission step.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <deque>

#include "app/drain_routes.hpp"
#include "app/node.hpp"
#include "app/node_drain.hpp"
#include "cluster/api.hpp"
#include "cluster/drain_monitor.hpp"
#include "cluster_test_util.hpp"
#include "health/server.hpp"
#include "supervise/loader.hpp"

using namespace vessel;
using namespace vessel::cluster;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const Secret kToken("leave-token-value");

MemberState state_of(const Membership& m, const std::string& name) {
  for (auto& v : m.members())
    if (v.name == name) return v.state;
  return MemberState::alive;
}

bool has_host(const Membership& m, const std::string& name) {
  for (auto& h : m.hosts())
    if (h.name == name) return true;
  return false;
}

std::string info_jmx(const std::string& state, long long under, long long only) {
  json live{{"w3:9866",
             {{"xferaddr", "10.0.0.13:9866"}, {"adminState", state}, {"used", 300LL << 20}, {"numBlocks", 100}}}};
  json decom = json::object();
  if (state != "Decommissioned")
    decom["w3:9866"] = {{"xferaddr", "10.0.0.13:9866"}, {"underReplicatedBlocks", under},
                        {"decommissionOnlyReplicas", only}, {"underReplicateInOpenFiles", 0}};
  json bean{{"LiveNodes", live.dump()}, {"DeadNodes", "{}"}, {"DecomNodes", decom.dump()}};
  return json{{"beans", json::array({bean})}}.dump();
}

std::string fsn_jmx(long long under) {
  return json{{"beans", json::array({{{"UnderReplicatedBlocks", under}}})}}.dump();
}

}  // namespace

// ---------------------------------------------------------------- leaving

TEST_CASE("leave: out of the hosts and the workers, still excluded, swept later", "[drain][leave]") {
  test::FakeClock clock;
  MembershipOptions o;
  o.remove_after = 60s;
  Membership m({{"10.0.0.13", "w3"}}, o, clock.fn());  // w3 also a static entry
  REQUIRE(m.upsert({"w2", "10.0.0.12", "worker"}).ok());
  REQUIRE(m.upsert({"w3", "10.0.0.13", "worker"}).ok());
  const auto v0 = m.version();
  CHECK(m.leave("w3"));
  CHECK(m.version() != v0);
  CHECK(state_of(m, "w3") == MemberState::left);
  CHECK_FALSE(has_host(m, "w3"));  // its static entry does not bring it back
  CHECK(has_host(m, "w2"));
  CHECK(excluded(MemberState::left));
  CHECK(excluded_of(m.members()) == std::vector<std::string>{"w3"});
  RoleCatalog cat;
  cat["worker"].counts_as_worker = true;
  CHECK(workers_of(m.members(), cat) == std::vector<std::string>{"w2"});
  CHECK_FALSE(m.leave("nobody"));

  clock.t += 61s;  // swept: departed, no longer excluded
  REQUIRE(m.upsert({"w2", "10.0.0.12", "worker"}).ok());
  CHECK(excluded_of(m.members()).empty());
  REQUIRE(m.departed().size() == 1);
  CHECK(m.departed()[0].name == "w3");
}

TEST_CASE("leave: a registration under a name that left is a new member", "[drain][leave]") {
  Membership m{std::vector<HostEntry>{}};
  REQUIRE(m.upsert({"w3", "10.0.0.13", "worker"}).ok());
  REQUIRE(m.set_admin("w3", AdminState::decommissioned));
  REQUIRE(m.leave("w3"));
  auto again = m.upsert({"w3", "10.0.0.23", "worker"});
  CHECK(again.code == UpsertResult::created);
  CHECK(state_of(m, "w3") == MemberState::alive);
  CHECK(has_host(m, "w3"));
}

namespace {

struct LeaveApi {
  Membership members{std::vector<HostEntry>{}};
  std::unique_ptr<test::ServerThread> srv;
  LeaveApi() {
    auto s = std::make_unique<httplib::Server>();
    DrainPolicy d;
    d.replication = [] { return 1; };
    d.runs_datanode = [](const std::string& r) { return r == "worker"; };
    register_cluster_routes(*s, members, kToken, {}, d);
    srv = std::make_unique<test::ServerThread>(std::move(s));
    REQUIRE(members.upsert({"w3", "10.0.0.13", "worker"}).ok());
    REQUIRE(members.upsert({"hs", "10.0.0.14", "history"}).ok());
  }
  httplib::Result del(const std::string& path, bool auth = true) {
    httplib::Client c("127.0.0.1", srv->port());
    c.set_read_timeout(2s);
    httplib::Headers h;
    if (auth) h.emplace("Authorization", "Bearer " + kToken.reveal());
    return c.Delete(path.c_str(), h);
  }
};

}  // namespace

TEST_CASE("leave API: a DataNode leaves only once decommissioned, unless forced", "[drain][leave]") {
  LeaveApi f;
  auto no_token = f.del("/v1/cluster/members/w3", false);
  REQUIRE(no_token);
  CHECK(no_token->status == 401);
  auto early = f.del("/v1/cluster/members/w3");
  REQUIRE(early);
  CHECK(early->status == 409);
  CHECK(early->body.find("not decommissioned") != std::string::npos);
  CHECK(state_of(f.members, "w3") == MemberState::alive);
  REQUIRE(f.members.set_admin("w3", AdminState::decommissioned));
  auto ok = f.del("/v1/cluster/members/w3");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(state_of(f.members, "w3") == MemberState::left);
  // A role without a DataNode leaves at once; force skips the check.
  CHECK(f.del("/v1/cluster/members/hs")->status == 200);
  REQUIRE(f.members.upsert({"w4", "10.0.0.15", "worker"}).ok());
  CHECK(f.del("/v1/cluster/members/w4?force=1")->status == 200);
  CHECK(f.del("/v1/cluster/members/w9")->status == 404);
  CHECK(f.del("/v1/cluster/members/bad_name!")->status == 400);
}

// ---------------------------------------------------------------- monitor

TEST_CASE("monitor: one JMX read per pass; progress, ETA, bytes; Decommissioned marks the member",
          "[drain][monitor]") {
  test::FakeClock clock;
  Membership m({}, {}, clock.fn());
  REQUIRE(m.upsert({"w3", "10.0.0.13", "worker"}).ok());
  std::string info = info_jmx("Decommission In Progress", 40, 5);
  int reads = 0;
  DrainMonitor mon(
      m, [&]() -> Result<std::string> { ++reads; return info; },
      []() -> Result<std::string> { return fsn_jmx(44); }, {}, clock.fn());
  mon.tick();
  CHECK(reads == 0);  // nothing drains: NameNodeInfo is not read
  CHECK(mon.view()["under_replicated_blocks"] == 44);
  REQUIRE(m.set_admin("w3", AdminState::draining));
  test::LogCapture log;
  mon.tick();
  CHECK(reads == 1);
  auto p = mon.progress("w3");
  REQUIRE(p);
  CHECK((*p)["hdfs_state"] == "Decommission In Progress");
  CHECK((*p)["under_replicated_blocks"] == 40);
  CHECK((*p)["bytes_left"] == 120LL << 20);  // 3 MiB a block x 40
  CHECK((*p)["eta_s"].is_null());
  clock.t += 10s;
  info = info_jmx("Decommission In Progress", 20, 0);
  mon.tick();
  CHECK((*mon.progress("w3"))["eta_s"] == 10);  // 20 blocks in 10 s, 20 left
  mon.refresh(1s);
  CHECK(reads == 2);  // fresh enough: no read
  CHECK(log.count("drain w3: Decommission In Progress") == 2);
  const std::string metrics = mon.metrics();
  CHECK(metrics.find("vessel_drain_under_replicated_blocks{member=\"w3\"} 20") != std::string::npos);
  CHECK(metrics.find("vessel_drain_eta_seconds{member=\"w3\"} 10") != std::string::npos);
  CHECK(metrics.find("vessel_cluster_members{state=\"draining\"} 1") != std::string::npos);
  CHECK(metrics.find("vessel_hdfs_under_replicated_blocks 44") != std::string::npos);

  clock.t += 5s;
  info = info_jmx("Decommissioned", 0, 0);
  mon.tick();
  CHECK(state_of(m, "w3") == MemberState::decommissioned);
  CHECK((*mon.progress("w3"))["eta_s"] == 0);
  CHECK(log.count("Decommissioned: every block") == 1);
}

TEST_CASE("monitor: a NameNode that does not answer is reported, nothing changes", "[drain][monitor]") {
  Membership m{std::vector<HostEntry>{}};
  REQUIRE(m.upsert({"w3", "10.0.0.13", "worker"}).ok());
  REQUIRE(m.set_admin("w3", AdminState::draining));
  DrainMonitor mon(m, []() -> Result<std::string> { return err("namenode jmx: connection refused"); }, nullptr);
  mon.tick();
  auto p = mon.progress("w3");
  REQUIRE(p);
  CHECK((*p)["hdfs_error"] == "namenode jmx: connection refused");
  CHECK(state_of(m, "w3") == MemberState::draining);
  CHECK(mon.view()["under_replicated_blocks"].is_null());
  REQUIRE(m.set_admin("w3", AdminState::in_service));
  mon.tick();
  CHECK_FALSE(mon.progress("w3"));  // cancelled: dropped
}

TEST_CASE("monitor: UnderReplicatedBlocks parser names the field", "[drain][monitor]") {
  CHECK(parse_under_replicated(fsn_jmx(7)).value() == 7);
  auto bad = parse_under_replicated(R"({"beans":[{"UnderReplicatedBlocks":"x"}]})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("UnderReplicatedBlocks") != std::string::npos);
  CHECK_FALSE(parse_under_replicated("not json"));
  CHECK_FALSE(parse_under_replicated(R"({"beans":[]})"));
}

// ---------------------------------------------------------------- NodeDrain

namespace {

// A scripted master and a fake clock; every effect is recorded.
struct FakeDrainIO : DrainIO {
  std::chrono::steady_clock::time_point t{std::chrono::hours(1)};
  std::vector<std::string> calls;           // "POST /v1/..."
  long post_status = 202;
  std::string post_body = R"({"status":"draining"})";
  std::deque<std::string> progress;         // GET answers, the last repeats
  std::vector<std::pair<std::string, int>> signals;
  std::vector<int> shutdowns;
  int probes_until_done = 2;
  bool master_down = false;

  Result<Answer> master(const std::string& method, const std::string& path) override {
    calls.push_back(method + " " + path);
    if (master_down) return err("connection refused");
    if (method == "GET") {
      std::string body = progress.front();
      if (progress.size() > 1) progress.pop_front();
      return Answer{200, body};
    }
    if (method == "DELETE") return Answer{200, R"({"status":"left"})"};
    if (path.find("cancel=1") != std::string::npos) return Answer{200, R"({"status":"in_service"})"};
    return Answer{post_status, post_body};
  }
  void signal_service(const std::string& s, int sig) override { signals.emplace_back(s, sig); }
  bool probe(const ProbeSpec&) override { return --probes_until_done <= 0; }
  void shutdown(int code) override { shutdowns.push_back(code); }
  std::chrono::steady_clock::time_point now() override { return t; }
  bool sleep(std::chrono::milliseconds d, const std::function<bool()>& wake) override {
    t += d;
    return !wake();
  }
};

std::string prog(const std::string& state, int under, int only = 0) {
  return json{{"name", "w3"}, {"state", state}, {"hdfs_state", state == "decommissioned" ? "Decommissioned" : "Decommission In Progress"},
              {"under_replicated_blocks", under}, {"decommission_only_replicas", only}, {"bytes_left", under << 20},
              {"eta_s", nullptr}}
      .dump();
}

std::vector<ServiceSpec> worker_services() {
  ServiceSpec dn;
  dn.name = "datanode";
  ServiceSpec sw;
  sw.name = "spark-worker";
  DecommissionSpec d;
  d.signal = SIGPWR;
  d.done.kind = ProbeSpec::Kind::Http;
  d.done.interval = 2s;
  d.within = 60s;
  sw.decommission = d;
  return {dn, sw};
}

}  // namespace

TEST_CASE("node drain: HDFS, then Spark's decommission, then the stop, then leaving", "[drain][node]") {
  FakeDrainIO io;
  io.progress = {prog("draining", 40), prog("draining", 10), prog("decommissioned", 0)};
  NodeDrain d("w3", worker_services(), io);
  test::LogCapture log;
  d.run({});
  CHECK(io.calls.front() == "POST /v1/cluster/members/w3/drain");
  CHECK(std::count(io.calls.begin(), io.calls.end(), "GET /v1/cluster/members/w3/drain") == 3);
  REQUIRE(io.signals.size() == 1);
  CHECK(io.signals[0] == std::pair<std::string, int>{"spark-worker", SIGPWR});
  CHECK(io.shutdowns == std::vector<int>{0});
  CHECK(d.phase() == DrainPhase::stopping);
  CHECK(log.count("spark-worker decommissioned") == 1);
  CHECK(log.count("under-replicated block(s)") >= 2);  // a progress line, and the final one
  CHECK(d.leave());
  CHECK(io.calls.back() == "DELETE /v1/cluster/members/w3");
  CHECK(d.phase() == DrainPhase::left);
  CHECK(d.view()["phase"] == "left");
}

TEST_CASE("node drain: a refusal changes nothing; on SIGTERM the node stops anyway", "[drain][node]") {
  FakeDrainIO io;
  io.post_status = 409;
  io.post_body = R"({"error":"drain w1: it would leave 0 live DataNode(s), fewer than dfs.replication 2"})";
  NodeDrain d("w1", worker_services(), io);
  d.run({});
  CHECK(d.phase() == DrainPhase::refused);
  CHECK(d.view()["message"].get<std::string>().find("fewer than dfs.replication 2") != std::string::npos);
  CHECK(io.shutdowns.empty());
  CHECK(io.signals.empty());
  CHECK_FALSE(d.leave());  // never got that far

  DrainRequest sigterm;
  sigterm.on_sigterm = true;
  d.run(sigterm);
  CHECK(io.shutdowns == std::vector<int>{1});
}

TEST_CASE("node drain: a timeout leaves the node excluded and says what is at risk", "[drain][node]") {
  FakeDrainIO io;
  io.progress = {prog("draining", 12, 3)};
  NodeDrain d("w3", worker_services(), io);
  DrainRequest r;
  r.timeout = 30s;
  d.run(r);
  CHECK(d.phase() == DrainPhase::timed_out);
  const std::string msg = d.view()["message"];
  CHECK(msg.find("not decommissioned after 30 s") != std::string::npos);
  CHECK(msg.find("12 block(s) still under-replicated") != std::string::npos);
  CHECK(msg.find("3 with no live replica") != std::string::npos);
  CHECK(msg.find("stays excluded") != std::string::npos);
  CHECK(io.shutdowns.empty());
  for (const auto& c : io.calls) CHECK(c.find("cancel") == std::string::npos);  // not recommissioned
}

TEST_CASE("node drain: the master unreachable fails, naming it", "[drain][node]") {
  FakeDrainIO io;
  io.master_down = true;
  NodeDrain d("w3", worker_services(), io);
  d.run({});
  CHECK(d.phase() == DrainPhase::failed);
  CHECK(d.view()["message"].get<std::string>().find("master unreachable: connection refused") != std::string::npos);
}

TEST_CASE("node drain: a Spark worker that does not finish in time is stopped anyway", "[drain][node]") {
  FakeDrainIO io;
  io.progress = {prog("decommissioned", 0)};
  io.probes_until_done = 1000;
  NodeDrain d("w3", worker_services(), io);
  test::LogCapture log;
  const auto t0 = io.t;
  d.run({});
  CHECK(io.shutdowns == std::vector<int>{0});
  CHECK(log.count("not decommissioned within 60 s") == 1);
  CHECK(io.t - t0 >= 60s);
  CHECK(io.t - t0 < 70s);
}

TEST_CASE("node drain: routes on the health port: token, start, progress, cancel", "[drain][node]") {
  FakeDrainIO io;
  io.progress = {prog("draining", 40)};
  NodeDrain d("w3", worker_services(), io);
  StatusBoard board;
  HealthServer health(board);
  REQUIRE(health.start({"127.0.0.1", 0}));
  mount_node_drain(health.routes(), d, kToken);
  httplib::Client c("127.0.0.1", health.port());
  c.set_read_timeout(5s);
  httplib::Headers h{{"Authorization", "Bearer " + kToken.reveal()}};
  auto none = c.Post("/v1/node/drain", "", "text/plain");
  REQUIRE(none);
  CHECK(none->status == 401);
  CHECK(d.phase() == DrainPhase::idle);
  auto bad = c.Post("/v1/node/drain?timeout=soon", h, "", "text/plain");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(bad->body.find("timeout") != std::string::npos);
  auto body = c.Post("/v1/node/drain", h, "x", "text/plain");
  REQUIRE(body);
  CHECK(body->status == 413);
  auto go = c.Post("/v1/node/drain?timeout=1h", h, "", "text/plain");
  REQUIRE(go);
  CHECK(go->status == 202);
  auto twice = c.Post("/v1/node/drain", h, "", "text/plain");
  REQUIRE(twice);
  CHECK((twice->status == 409 || twice->status == 202));  // 202 only if the first already ended
  auto g = c.Get("/v1/node/drain");
  REQUIRE(g);
  CHECK(g->status == 200);
  CHECK(json::parse(g->body)["name"] == "w3");
  auto cancel = c.Delete("/v1/node/drain", h);
  REQUIRE(cancel);
  CHECK(cancel->status == 200);
  CHECK(d.phase() == DrainPhase::cancelled);
  CHECK(io.calls.back() == "POST /v1/cluster/members/w3/drain?cancel=1");
  health.stop();
}

TEST_CASE("node drain: the timeout parameter", "[drain][node]") {
  CHECK(drain_timeout_param("", 3600s).value() == 3600s);
  CHECK(drain_timeout_param("10m", 3600s).value() == 600s);
  CHECK_FALSE(drain_timeout_param("0s", 3600s));
  CHECK_FALSE(drain_timeout_param("200h", 3600s));
  CHECK_FALSE(drain_timeout_param("-1", 3600s));
}
