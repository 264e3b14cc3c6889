// Graceful scale-in, first half (issue 10): the exclude file, the drain API,
// the NameNode JMX progress parser, and the reconcile path that rewrites
// dfs.exclude and runs refreshNodes (through a fake).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "app/drain_cmd.hpp"
#include "app/node.hpp"
#include "cluster/api.hpp"
#include "cluster/drain.hpp"
#include "cluster_test_util.hpp"
#include "health/server.hpp"
#include "role_test_util.hpp"

using namespace vessel;
using namespace vessel::cluster;
using nlohmann::json;

namespace {

const Secret kToken("drain-token-value");

MemberView mv(const std::string& name, const std::string& role, MemberState st = MemberState::alive) {
  MemberView m;
  m.name = name;
  m.ip = "10.0.0." + std::to_string(10 + name.size());
  m.role = role;
  m.state = st;
  return m;
}

bool is_worker(const std::string& role) { return role == "worker"; }

// A NameNodeInfo bean as Hadoop 3.4 serves it: the node maps are JSON
// strings inside the JSON (FSNamesystem.getLiveNodes/getDeadNodes/getDecomNodes).
std::string jmx(const json& live, const json& dead, const json& decom) {
  json bean{{"name", "Hadoop:service=NameNode,name=NameNodeInfo"},
            {"modelerType", "org.apache.hadoop.hdfs.server.namenode.FSNamesystem"},
            {"Total", 105088438272LL},
            {"ClusterId", "CID-demo"},
            {"LiveNodes", live.dump()},
            {"DeadNodes", dead.dump()},
            {"DecomNodes", decom.dump()},
            {"EnteringMaintenanceNodes", "{}"}};
  return json{{"beans", json::array({bean})}}.dump();
}

json live_node(const std::string& ip, const std::string& admin) {
  return {{"infoAddr", ip + ":9864"}, {"infoSecureAddr", ip + ":0"}, {"xferaddr", ip + ":9866"},
          {"lastContact", 1},         {"usedSpace", 52428800},       {"adminState", admin},
          {"nonDfsUsedSpace", 1024},  {"capacity", 52544219136LL},   {"numBlocks", 25},
          {"version", "3.4.1"},       {"used", 52428800},            {"remaining", 40000000000LL},
          {"blockScheduled", 0},      {"blockPoolUsed", 52428800},   {"blockPoolUsedPercent", 0.1},
          {"volfails", 0},            {"lastBlockReport", 3}};
}

}  // namespace

// ---------------------------------------------------------------- refusal

TEST_CASE("drain: refused when it would leave fewer live DataNodes than dfs.replication", "[drain]") {
  std::vector<MemberView> ms{mv("master", "master"), mv("w1", "worker"), mv("w2", "worker"),
                             mv("w3", "worker", MemberState::missing)};
  auto c = check_drain(ms, "w2", 2, is_worker);
  CHECK_FALSE(c.allowed);
  CHECK(c.live_after == 1);  // w3 is missing, the master runs no DataNode
  CHECK(c.message.find("1 live DataNode") != std::string::npos);
  CHECK(c.message.find("dfs.replication 2") != std::string::npos);
  // Negative control: with replication 1 the same drain is allowed.
  CHECK(check_drain(ms, "w2", 1, is_worker).allowed);
  // A draining member no longer counts as live.
  ms[1].state = MemberState::draining;
  CHECK(check_drain(ms, "w3", 1, is_worker).live_after == 1);
}

// ---------------------------------------------------------------- membership

TEST_CASE("drain: the member table keeps draining and decommissioned", "[drain]") {
  test::FakeClock clock;
  Membership m({}, {}, clock.fn());
  REQUIRE(m.upsert({"w1", "10.0.0.11", "worker"}).ok());
  const auto v0 = m.version();
  CHECK(m.set_admin("w1", AdminState::draining));
  CHECK(m.members()[0].state == MemberState::draining);
  CHECK(m.version() != v0);
  const auto v1 = m.version();
  CHECK(m.set_admin("w1", AdminState::draining));  // no change, no version bump
  CHECK(m.version() == v1);
  // Heartbeats keep it draining; silence does not hide it either.
  REQUIRE(m.upsert({"w1", "10.0.0.11", "worker"}).ok());
  clock.t += std::chrono::seconds(30);
  CHECK(m.members()[0].state == MemberState::draining);
  CHECK(m.set_admin("w1", AdminState::decommissioned));
  CHECK(m.members()[0].state == MemberState::decommissioned);
  CHECK_FALSE(m.set_admin("nobody", AdminState::draining));
  for (auto s : {MemberState::alive, MemberState::missing, MemberState::draining, MemberState::decommissioned,
                 MemberState::left})
    CHECK(member_state_from(to_string(s)) == s);
}

// ---------------------------------------------------------------- API

namespace {

struct DrainApi {
  Membership members{std::vector<HostEntry>{}};
  int replication = 2;
  std::string jmx_body;
  std::unique_ptr<test::ServerThread> srv;
  DrainApi() {
    auto s = std::make_unique<httplib::Server>();
    DrainPolicy d;
    d.replication = [this] { return replication; };
    d.runs_datanode = is_worker;
    d.namenode_jmx = [this]() -> Result<std::string> {
      if (jmx_body.empty()) return err("namenode jmx: connection refused");
      return jmx_body;
    };
    d.max_age = std::chrono::milliseconds(0);  // every GET asks the NameNode
    register_cluster_routes(*s, members, kToken, {}, d);
    srv = std::make_unique<test::ServerThread>(std::move(s));
    for (auto [n, ip] : {std::pair{"w1", "10.0.0.11"}, {"w2", "10.0.0.12"}, {"w3", "10.0.0.13"}})
      REQUIRE(members.upsert({n, ip, "worker"}).ok());
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", srv->port());
    c.set_read_timeout(std::chrono::seconds(2));
    return c;
  }
  httplib::Result post(const std::string& path, const std::string& auth = "Bearer " + kToken.reveal()) {
    httplib::Headers h;
    if (!auth.empty()) h.emplace("Authorization", auth);
    return client().Post(path.c_str(), h, "", "application/json");
  }
  MemberState state(const std::string& name) {
    for (auto& m : members.members())
      if (m.name == name) return m.state;
    return MemberState::left;
  }
};

std::string error_of(const httplib::Result& r) {
  auto j = json::parse(r->body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : "<no error field>";
}

}  // namespace

TEST_CASE("drain API: token-guarded like the registration", "[drain]") {
  DrainApi f;
  auto none = f.post("/v1/cluster/members/w3/drain", "");
  REQUIRE(none);
  CHECK(none->status == 401);
  auto wrong = f.post("/v1/cluster/members/w3/drain", "Bearer nope");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  CHECK(wrong->body.find(kToken.reveal()) == std::string::npos);
  CHECK(f.state("w3") == MemberState::alive);  // nothing changed
  // An oversize body is refused before it is read.
  httplib::Headers h{{"Authorization", "Bearer " + kToken.reveal()}};
  auto big = f.client().Post("/v1/cluster/members/w3/drain", h, std::string(8192, 'x'), "application/json");
  REQUIRE(big);
  CHECK(big->status == 413);
  // Positive control: the right token drains.
  auto ok = f.post("/v1/cluster/members/w3/drain");
  REQUIRE(ok);
  CHECK(ok->status == 202);
  CHECK(f.state("w3") == MemberState::draining);
}

TEST_CASE("drain API: refusal names both numbers; force drains anyway; cancel recommissions", "[drain]") {
  DrainApi f;
  REQUIRE(f.post("/v1/cluster/members/w3/drain")->status == 202);  // 2 left, replication 2: fine
  auto refused = f.post("/v1/cluster/members/w2/drain");
  REQUIRE(refused);
  CHECK(refused->status == 409);
  CHECK(error_of(refused).find("1 live DataNode") != std::string::npos);
  CHECK(error_of(refused).find("dfs.replication 2") != std::string::npos);
  CHECK(f.state("w2") == MemberState::alive);
  auto forced = f.post("/v1/cluster/members/w2/drain?force=1");
  REQUIRE(forced);
  CHECK(forced->status == 202);
  CHECK(f.state("w2") == MemberState::draining);

  auto cancel = f.post("/v1/cluster/members/w2/drain?cancel=1");
  REQUIRE(cancel);
  CHECK(cancel->status == 200);
  CHECK(f.state("w2") == MemberState::alive);
  httplib::Headers h{{"Authorization", "Bearer " + kToken.reveal()}};
  auto del = f.client().Delete("/v1/cluster/members/w3/drain", h);
  REQUIRE(del);
  CHECK(del->status == 200);
  CHECK(f.state("w3") == MemberState::alive);

  REQUIRE(f.members.upsert({"nn", "10.0.0.10", "master"}).ok());
  auto master = f.post("/v1/cluster/members/nn/drain?force=1");
  REQUIRE(master);
  CHECK(master->status == 400);
  CHECK(error_of(master).find("runs no DataNode") != std::string::npos);

  auto unknown = f.post("/v1/cluster/members/w9/drain");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  CHECK(error_of(unknown).find("w9") != std::string::npos);
}

TEST_CASE("drain API: progress from the NameNode; Decommissioned marks the member", "[drain]") {
  DrainApi f;
  REQUIRE(f.post("/v1/cluster/members/w3/drain")->status == 202);
  auto c = f.client();
  auto down = c.Get("/v1/cluster/members/w3/drain");
  REQUIRE(down);
  CHECK(down->status == 200);
  CHECK(json::parse(down->body)["hdfs_error"] == "namenode jmx: connection refused");

  f.jmx_body = jmx({{"w3:9866", live_node("10.0.0.13", "Decommission In Progress")}}, json::object(),
                   {{"w3:9866",
                     {{"xferaddr", "10.0.0.13:9866"}, {"underReplicatedBlocks", 12},
                      {"decommissionOnlyReplicas", 3}, {"underReplicateInOpenFiles", 0}}}});
  auto p = json::parse(c.Get("/v1/cluster/members/w3/drain")->body);
  CHECK(p["state"] == "draining");
  CHECK(p["hdfs_state"] == "Decommission In Progress");
  CHECK(p["under_replicated_blocks"] == 12);
  CHECK(p["eta_s"].is_null());  // one sample: no rate yet

  f.jmx_body = jmx({{"w3:9866", live_node("10.0.0.13", "Decommissioned")}}, json::object(), json::object());
  auto done = json::parse(c.Get("/v1/cluster/members/w3/drain")->body);
  CHECK(done["state"] == "decommissioned");
  CHECK(f.state("w3") == MemberState::decommissioned);
  auto members = json::parse(c.Get("/v1/cluster/members")->body);
  CHECK(members["members"][2]["state"] == "decommissioned");
}

TEST_CASE("drain: RouteTable prefix routes; exact paths still win", "[drain]") {
  RouteTable t;
  int hit = 0;
  t.Post("/v1/cluster/members", [&](auto&, auto&, auto&) { hit = 1; });
  t.PostPrefix("/v1/cluster/members/", [&](auto&, auto&, auto&) { hit = 2; });
  httplib::Request req;
  httplib::Response res;
  httplib::ContentReader reader([](auto) { return true; }, [](auto, auto) { return true; });
  t.post("/v1/cluster/members")(req, res, reader);
  CHECK(hit == 1);
  t.post("/v1/cluster/members/w1/drain")(req, res, reader);
  CHECK(hit == 2);
  CHECK_FALSE(t.post("/v1/cluster/members/"));  // the prefix alone is no path under it
  CHECK_FALSE(t.post("/v1/cluster/hosts"));
  CHECK_FALSE(t.del("/v1/cluster/members/w1/drain"));
}

TEST_CASE("drain: the routes on the health port (RouteTable), DELETE included", "[drain]") {
  Membership members{std::vector<HostEntry>{}};
  REQUIRE(members.upsert({"w1", "10.0.0.11", "worker"}).ok());
  StatusBoard board;
  HealthServer health(board);
  REQUIRE(health.start({"127.0.0.1", 0}));
  DrainPolicy d;
  d.runs_datanode = is_worker;
  register_cluster_routes(health.routes(), members, kToken, {}, d);
  httplib::Client c("127.0.0.1", health.port());
  c.set_read_timeout(std::chrono::seconds(2));
  httplib::Headers h{{"Authorization", "Bearer " + kToken.reveal()}};
  auto r = c.Post("/v1/cluster/members/w1/drain", h, "", "application/json");
  REQUIRE(r);
  CHECK(r->status == 202);
  CHECK(members.members()[0].state == MemberState::draining);
  auto g = c.Get("/v1/cluster/members/w1/drain");
  REQUIRE(g);
  CHECK(json::parse(g->body)["state"] == "draining");
  auto del = c.Delete("/v1/cluster/members/w1/drain", h);
  REQUIRE(del);
  CHECK(del->status == 200);
  CHECK(members.members()[0].state == MemberState::alive);
  auto other = c.Delete("/v1/cluster/hosts", h);  // nothing mounted there
  REQUIRE(other);
  CHECK(other->status == 404);
  health.stop();
}

// ---------------------------------------------------------------- JMX parser

TEST_CASE("drain: JMX progress of a decommissioning node", "[drain]") {
  auto body = jmx({{"w1:9866", live_node("10.0.0.11", "In Service")},
                   {"w2:9866", live_node("10.0.0.12", "Decommission In Progress")}},
                  json::object(),
                  {{"w2:9866",
                    {{"xferaddr", "10.0.0.12:9866"}, {"underReplicatedBlocks", 40},
                     {"decommissionOnlyReplicas", 7}, {"underReplicateInOpenFiles", 2}}}});
  auto p = parse_decom_progress(body, "w2", "10.0.0.12");
  REQUIRE(p);
  CHECK(p->state == "Decommission In Progress");
  CHECK(p->live);
  CHECK(p->under_replicated_blocks == 40);
  CHECK(p->decommission_only_replicas == 7);
  CHECK(p->under_replicated_in_open_files == 2);
  CHECK_FALSE(p->done());
  // The other node is in service, with nothing to move.
  auto w1 = parse_decom_progress(body, "w1", "");
  REQUIRE(w1);
  CHECK(w1->state == "In Service");
  CHECK(w1->under_replicated_blocks == 0);
  // Matched by IP when the NameNode knows another name, or by first label.
  CHECK(parse_decom_progress(body, "other-name", "10.0.0.12")->state == "Decommission In Progress");
  CHECK(parse_decom_progress(body, "w2.cluster.local", "")->state == "Decommission In Progress");
  CHECK(parse_decom_progress(body, "w9", "10.9.9.9")->state == "Not Registered");
}

TEST_CASE("drain: JMX of a decommissioned node, live or dead", "[drain]") {
  auto live = parse_decom_progress(jmx({{"w2:9866", live_node("10.0.0.12", "Decommissioned")}}, json::object(),
                                       json::object()),
                                   "w2", "");
  REQUIRE(live);
  CHECK(live->done());
  json dead{{"w2:9866", {{"lastContact", 700}, {"decommissioned", true}, {"xferaddr", "10.0.0.12:9866"}}}};
  auto gone = parse_decom_progress(jmx(json::object(), dead, json::object()), "w2", "");
  REQUIRE(gone);
  CHECK(gone->done());
  CHECK_FALSE(gone->live);
}

TEST_CASE("drain: malformed JMX is an error naming the field", "[drain]") {
  CHECK_FALSE(parse_decom_progress("not json", "w1", ""));
  CHECK(parse_decom_progress(R"({"beans":[]})", "w1", "").error().find("beans") != std::string::npos);
  auto bad = parse_decom_progress(R"({"beans":[{"LiveNodes":{"w1:9866":{}}}]})", "w1", "");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("LiveNodes") != std::string::npos);
  auto garbage = parse_decom_progress(R"({"beans":[{"DecomNodes":"{not json"}]})", "w1", "");
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().find("DecomNodes") != std::string::npos);
}

TEST_CASE("drain: ETA from two samples", "[drain]") {
  const auto t0 = std::chrono::steady_clock::time_point{std::chrono::hours(1)};
  CHECK_FALSE(drain_eta({t0, 100}, {t0 + std::chrono::seconds(10), 100}));  // nothing moved yet
  auto eta = drain_eta({t0, 100}, {t0 + std::chrono::seconds(10), 80});     // 2 blocks/s
  REQUIRE(eta);
  CHECK(eta->count() == 40);
  CHECK(drain_eta({t0, 100}, {t0 + std::chrono::seconds(10), 0})->count() == 0);
}

// ---------------------------------------------------------------- render + reconcile

TEST_CASE("drain: dfs.exclude lists the excluded members; hdfs-site.xml points at it", "[drain][render]") {
  NodeConfig c;
  c.cluster_id = "c1";
  c.role = "master";
  c.hostname = "spark-master";
  RenderInputs in;
  in.excluded = {"w2", "w3"};
  auto files = render_all(c, in);
  REQUIRE(files);
  auto f = std::find_if(files->begin(), files->end(), [](auto& x) { return x.path == "/etc/hadoop/dfs.exclude"; });
  REQUIRE(f != files->end());
  CHECK(f->content == "w2\nw3\n");
  CHECK((*files)[1].content.find("<value>/etc/hadoop/dfs.exclude</value>") != std::string::npos);
  in.excluded = {"w2\nevil"};
  auto bad = render_all(c, in);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("dfs.exclude[0]") != std::string::npos);
  CHECK(render_exclude({}).value().empty());
}

namespace {

struct Fx : NodeEffects {
  std::map<std::string, std::string> files;
  Status write_files(const std::vector<RenderedFile>& fs) override {
    for (auto& f : fs) files[f.path] = f.content;
    return ok();
  }
  Status ensure_dirs(const std::vector<DirSpec>&) override { return ok(); }
};
struct Peers : PeerDirectory {
  void set_static_hosts(const std::vector<HostEntry>&) override {}
  void set_master(const std::string&) override {}
};
struct FakeAdmin : HdfsAdmin {
  std::vector<AdminCommand> calls;
  void refresh_nodes(const AdminCommand& c) override { calls.push_back(c); }
};

NodeInputs node_inputs(const std::string& role) {
  NodeInputs in;
  in.cfg.cluster_id = "c1";
  in.cfg.role = role;
  in.cfg.role_from = "vessel.role";
  in.cfg.hostname = role == "master" ? "spark-master" : "w1";
  in.cfg.master = role == "master" ? "" : "spark-master";
  in.cfg.self_addresses = {"10.0.0.10"};
  in.facts = vessel::test::repo_facts();
  in.facts.java_home = "/usr/lib/jvm/default";
  in.facts.limits = CgroupLimits{2.0, 4ull << 30};
  return in;
}

NodeEvent members_event(std::vector<MemberView> ms) {
  return NodeEvent{NodeEventKind::members_changed, std::nullopt, std::move(ms)};
}

}  // namespace

TEST_CASE("drain: reconcile rewrites dfs.exclude and refreshes the NameNode", "[drain][app]") {
  Fx fx;
  Peers peers;
  FakeAdmin admin;
  Node node(node_inputs("master"), fx, peers, &admin);
  auto boot = node.reconcile(NodeEvent{});
  REQUIRE(boot);
  CHECK(fx.files.at("/etc/hadoop/dfs.exclude").empty());
  CHECK(admin.calls.empty());  // boot: the NameNode reads the file when it starts
  const auto nn_digest = std::find_if(boot->services.begin(), boot->services.end(),
                                      [](auto& s) { return s.name == "namenode"; })->config_digest;

  std::vector<MemberView> ms{mv("spark-master", "master"), mv("w1", "worker"), mv("w2", "worker")};
  REQUIRE(node.reconcile(members_event(ms)));
  CHECK(admin.calls.empty());  // a join changes no exclude set (negative control)

  ms[2].state = MemberState::draining;
  auto set = node.reconcile(members_event(ms));
  REQUIRE(set);
  CHECK(fx.files.at("/etc/hadoop/dfs.exclude") == "w2\n");
  REQUIRE(admin.calls.size() == 1);
  const auto& cmd = admin.calls[0];
  CHECK(cmd.user == "hdfs");
  REQUIRE(cmd.argv.size() >= 3);
  CHECK(cmd.argv[0] == "java");
  CHECK(cmd.argv[cmd.argv.size() - 2] == "org.apache.hadoop.hdfs.tools.DFSAdmin");
  CHECK(cmd.argv.back() == "-refreshNodes");
  CHECK(std::find(cmd.argv.begin(), cmd.argv.end(), "-cp") != cmd.argv.end());
  CHECK(cmd.env.at("HADOOP_CONF_DIR") == "/etc/hadoop");
  // A drain restarts no JVM.
  auto nn = std::find_if(set->services.begin(), set->services.end(), [](auto& s) { return s.name == "namenode"; });
  CHECK(nn->config_digest == nn_digest);

  // Draining -> decommissioned keeps it excluded: no change, no refresh.
  ms[2].state = MemberState::decommissioned;
  REQUIRE(node.reconcile(members_event(ms)));
  CHECK(admin.calls.size() == 1);
  ms[2].state = MemberState::alive;  // cancel
  REQUIRE(node.reconcile(members_event(ms)));
  CHECK(fx.files.at("/etc/hadoop/dfs.exclude").empty());
  CHECK(admin.calls.size() == 2);
  CHECK(node.status()["excluded"].empty());
}

TEST_CASE("drain: a node without a NameNode writes the file but refreshes nothing", "[drain][app]") {
  Fx fx;
  Peers peers;
  FakeAdmin admin;
  Node node(node_inputs("worker"), fx, peers, &admin);
  REQUIRE(node.reconcile(NodeEvent{}));
  CHECK_FALSE(refresh_nodes_command(node.plan()));
  REQUIRE(node.reconcile(members_event({mv("w1", "worker"), mv("w2", "worker", MemberState::draining)})));
  CHECK(fx.files.at("/etc/hadoop/dfs.exclude") == "w2\n");
  CHECK(admin.calls.empty());
}

// ---------------------------------------------------------------- CLI text

TEST_CASE("drain: the CLI's progress line and exit codes", "[drain][cli]") {
  json v{{"name", "w2"}, {"phase", "hdfs"},
         {"message", "HDFS: Decommission In Progress, 40 under-replicated block(s), ~120 MB left, ETA 12 s"},
         {"elapsed_s", 7}};
  CHECK(drain_progress_line(v) ==
        "drain w2: hdfs: HDFS: Decommission In Progress, 40 under-replicated block(s), ~120 MB left, ETA 12 s (7 s)");
  CHECK(drain_progress_line(json::object()) == "drain ?: ?: ");
  CHECK(drain_exit_code("left") == 0);
  CHECK(drain_exit_code("timed_out") == 1);
  for (auto p : {"refused", "failed", "cancelled"}) CHECK(drain_exit_code(p) == 2);
  for (auto p : {"hdfs", "spark", "stopping", "idle", ""}) CHECK_FALSE(drain_exit_code(p).has_value());
  CHECK(drain_duration("30m", "--timeout").value() == std::chrono::seconds(1800));
  auto bad = drain_duration("soon", "--timeout");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("--timeout") != std::string::npos);
}
