// Node: one owner of the node's state, one reconcile path for every event.
// Effects go to fakes (FakeEffects, FakePeers) that record what they were
// asked, the way supervisord's tests use DummyOptions.
#include <catch2/catch.hpp>

#include <algorithm>

#include "app/node.hpp"
#include "role_test_util.hpp"

using namespace vessel;

namespace {

struct FakeEffects : NodeEffects {
  std::vector<std::vector<RenderedFile>> writes;
  int dirs_calls = 0;
  bool fail_writes = false;
  Status write_files(const std::vector<RenderedFile>& files) override {
    if (fail_writes) return err("disk full");
    writes.push_back(files);
    return ok();
  }
  Status ensure_dirs(const std::vector<DirSpec>&) override {
    ++dirs_calls;
    return ok();
  }
  // The content of the newest write of the file whose path ends in `name`.
  std::string last(const std::string& name) const {
    for (auto w = writes.rbegin(); w != writes.rend(); ++w)
      for (const auto& f : *w)
        if (f.path.size() >= name.size() && f.path.compare(f.path.size() - name.size(), name.size(), name) == 0)
          return f.content;
    return "";
  }
};

struct FakePeers : PeerDirectory {
  std::vector<std::vector<HostEntry>> statics;
  std::vector<std::string> masters;
  void set_static_hosts(const std::vector<HostEntry>& h) override { statics.push_back(h); }
  void set_master(const std::string& m) override { masters.push_back(m); }
};

NodeConfig master_cfg() {
  NodeConfig c;
  c.cluster_id = "c1";
  c.role = "master";
  c.role_from = "vessel.role";
  c.hostname = "spark-master";
  c.self_addresses = {"10.0.0.10"};
  c.hosts = {{"10.0.0.10", "spark-master"}};
  return c;
}

NodeInputs inputs(NodeConfig c) {
  NodeInputs in;
  in.cfg = std::move(c);
  in.facts = vessel::test::repo_facts();
  in.facts.java_home = "/usr/lib/jvm/default";
  in.facts.limits = CgroupLimits{2.0, 4ull << 30};
  return in;
}

cluster::MemberView member(const std::string& name, const std::string& ip, const std::string& role) {
  cluster::MemberView m;
  m.name = name;
  m.ip = ip;
  m.role = role;
  return m;
}

NodeEvent boot() { return NodeEvent{NodeEventKind::boot, std::nullopt, std::nullopt}; }
NodeEvent reload(NodeConfig c) { return NodeEvent{NodeEventKind::reload, std::move(c), std::nullopt}; }
NodeEvent joined(std::vector<cluster::MemberView> ms) {
  return NodeEvent{NodeEventKind::members_changed, std::nullopt, std::move(ms)};
}

std::vector<cluster::MemberView> two_workers() {
  return {member("spark-master", "10.0.0.10", "master"), member("worker-1", "10.0.0.11", "worker"),
          member("worker-2", "10.0.0.12", "worker")};
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// The value of a property in a Hadoop XML file ("" when absent).
std::string prop(const std::string& xml, const std::string& key) {
  auto at = xml.find("<name>" + key + "</name>");
  if (at == std::string::npos) return "";
  auto v = xml.find("<value>", at);
  auto e = xml.find("</value>", v);
  return xml.substr(v + 7, e - v - 7);
}

const ServiceSpec& service(const ServiceSet& s, const std::string& name) {
  auto it = std::find_if(s.services.begin(), s.services.end(), [&](auto& x) { return x.name == name; });
  REQUIRE(it != s.services.end());
  return *it;
}

}  // namespace

TEST_CASE("regress: reload keeps workers and replication", "[app][node][regress]") {
  FakeEffects fx;
  FakePeers peers;
  Node node(inputs(master_cfg()), fx, peers);
  REQUIRE(node.reconcile(boot()));
  REQUIRE(node.reconcile(joined(two_workers())));
  CHECK(has(fx.last("/workers"), "\nworker-1\nworker-2\n"));
  CHECK(prop(fx.last("hdfs-site.xml"), "dfs.replication") == "2");
  const auto writes_before = fx.writes.size();
  // The bug: SIGHUP re-planned without the membership, emptied `workers`
  // and dropped dfs.replication to 1.
  auto set = node.reconcile(reload(master_cfg()));
  REQUIRE(set);
  CHECK(fx.writes.size() == writes_before + 1);
  CHECK(fx.writes.back().empty());  // nothing changed, nothing rewritten
  CHECK(has(fx.last("/workers"), "\nworker-1\nworker-2\n"));
  CHECK(node.plan().inputs.workers == std::vector<std::string>{"worker-1", "worker-2"});
}

TEST_CASE("regress: a join after a reload renders the reloaded config", "[app][node][regress]") {
  FakeEffects fx;
  FakePeers peers;
  Node node(inputs(master_cfg()), fx, peers);
  REQUIRE(node.reconcile(boot()));
  auto changed = master_cfg();
  changed.hdfs.site["dfs.blocksize"] = "67108864";
  REQUIRE(node.reconcile(reload(changed)));
  REQUIRE(node.reconcile(joined(two_workers())));
  // The bug: the membership callback held the boot plan by value, so a join
  // rendered the boot-time config and undid the reload.
  CHECK(has(fx.last("hdfs-site.xml"), "67108864"));
  CHECK(prop(fx.last("hdfs-site.xml"), "dfs.replication") == "2");
}

TEST_CASE("regress: reload-changed static hosts stick (node)", "[app][node][regress]") {
  FakeEffects fx;
  FakePeers peers;
  Node node(inputs(master_cfg()), fx, peers);
  REQUIRE(node.reconcile(boot()));
  REQUIRE(peers.statics.size() == 1);
  auto moved = master_cfg();
  moved.hosts = {{"10.0.0.10", "spark-master"}, {"10.0.0.99", "edge-1"}};
  REQUIRE(node.reconcile(reload(moved)));
  REQUIRE(peers.statics.size() == 2);
  CHECK(std::find(peers.statics.back().begin(), peers.statics.back().end(), HostEntry{"10.0.0.99", "edge-1"}) !=
        peers.statics.back().end());
  // A membership change does not touch the static peers.
  REQUIRE(node.reconcile(joined(two_workers())));
  CHECK(peers.statics.size() == 2);
}

TEST_CASE("node: a changed rendered config restarts the services, a join does not", "[app][node]") {
  FakeEffects fx;
  FakePeers peers;
  Node node(inputs(master_cfg()), fx, peers);
  auto boot_set = node.reconcile(boot());
  REQUIRE(boot_set);
  auto after_join = node.reconcile(joined(two_workers()));
  REQUIRE(after_join);
  // Same argv/env, same configs (workers file and replication default do
  // not restart a daemon): the supervisor sees equal specs.
  CHECK(service(*after_join, "namenode") == service(*boot_set, "namenode"));
  auto changed = master_cfg();
  changed.core["io.file.buffer.size"] = "65536";
  auto after_reload = node.reconcile(reload(changed));
  REQUIRE(after_reload);
  CHECK_FALSE(service(*after_reload, "namenode") == service(*boot_set, "namenode"));
  CHECK(service(*after_reload, "namenode").argv == service(*boot_set, "namenode").argv);
}

TEST_CASE("node: a failing event applies nothing and keeps the plan", "[app][node]") {
  FakeEffects fx;
  FakePeers peers;
  Node node(inputs(master_cfg()), fx, peers);
  REQUIRE(node.reconcile(boot()));
  auto bad = master_cfg();
  bad.hdfs.replication = 0;
  auto r = node.reconcile(reload(bad));
  REQUIRE_FALSE(r);
  CHECK(has(r.error(), "hdfs.replication"));
  CHECK(node.plan().cfg.hdfs.replication == std::nullopt);
  fx.fail_writes = true;
  auto w = node.reconcile(joined(two_workers()));
  REQUIRE_FALSE(w);
  CHECK(w.error() == "disk full");
  CHECK(node.plan().inputs.workers.empty());  // the join is not taken as applied
  auto other = master_cfg();
  other.role = "worker";
  other.master = "spark-master";
  fx.fail_writes = false;
  auto role = node.reconcile(reload(other));
  REQUIRE_FALSE(role);
  CHECK(has(role.error(), "role changed from master to worker"));
}

TEST_CASE("node: boot writes every file, the dirs, the static peers and the master", "[app][node]") {
  FakeEffects fx;
  FakePeers peers;
  auto c = master_cfg();
  c.role = "worker";
  c.hostname = "worker-1";
  c.master = "spark-master";
  c.self_addresses = {"10.0.0.11"};
  Node node(inputs(c), fx, peers);
  REQUIRE(node.reconcile(boot()));
  REQUIRE(fx.writes.size() == 1);
  CHECK(fx.writes[0].size() == 6);
  CHECK(fx.dirs_calls == 1);
  REQUIRE(peers.statics.size() == 1);
  CHECK(peers.statics[0] == std::vector<HostEntry>{{"10.0.0.10", "spark-master"}, {"10.0.0.11", "worker-1"}});
  CHECK(peers.masters == std::vector<std::string>{"spark-master"});
  CHECK(node.plan().cfg.caps.joins_membership());
  CHECK(node.status()["membership"] == "join");
}

TEST_CASE("make_plan per event kind: inputs change only where the event says", "[app][node][plan]") {
  NodeInputs cur = inputs(master_cfg());
  cur.members = two_workers();
  auto r = next_inputs(cur, reload(master_cfg()));
  CHECK(r.members.size() == 3);  // a reload keeps the membership
  auto j = next_inputs(cur, joined({}));
  CHECK(j.members.empty());
  CHECK(j.cfg.hostname == "spark-master");  // a join keeps the config
  auto b = next_inputs(cur, boot());
  CHECK(b.members.size() == 3);
  NodeEvent back{NodeEventKind::source_back, master_cfg(), std::nullopt};
  back.cfg->cluster_id = "c2";
  CHECK(next_inputs(cur, back).cfg.cluster_id == "c2");
  // make_plan is pure: the same inputs give the same plan.
  auto p1 = make_plan(cur.cfg, cur.facts);
  auto p2 = make_plan(cur.cfg, cur.facts);
  REQUIRE(p1);
  REQUIRE(p2);
  CHECK(p1->files == p2->files);
  CHECK(p1->services.services == p2->services.services);
}

TEST_CASE("workers_of: the role's capabilities decide, not its name", "[app][node][roles]") {
  RoleCatalog cat;
  cat["worker"].counts_as_worker = true;
  cat["gpu-worker"].counts_as_worker = true;
  cat["history"].counts_as_worker = false;
  auto w = workers_of({member("a", "10.0.0.1", "gpu-worker"), member("b", "10.0.0.2", "history"),
                       member("c", "10.0.0.3", "worker"), member("d", "10.0.0.4", "unknown-role")},
                      cat);
  CHECK(w == std::vector<std::string>{"a", "c"});
}

TEST_CASE("roles are data: a new role file needs no C++", "[app][node][roles]") {
  auto facts = vessel::test::repo_facts();
  facts.java_home = "/usr/lib/jvm/default";
  facts.role_files["history"] = R"(role: history
capabilities:
  membership: join
  counts_as_worker: false
  needs_master: true
services:
  - name: history-server
    argv: [java, -cp, "${spark_conf_dir}/:${spark_home}/jars/*", org.apache.spark.deploy.history.HistoryServer]
)";
  auto c = master_cfg();
  c.role = "history";
  c.hostname = "history-1";
  c.master = "spark-master";
  auto p = make_plan(c, facts);
  REQUIRE(p);
  CHECK(p->cfg.caps.joins_membership());
  CHECK(p->services.services.at(0).name == "history-server");
  // It renders no Worker settings (it is not a worker)...
  const auto& env = p->files.at(3).content;
  CHECK_FALSE(has(env, "SPARK_WORKER_CORES"));
  // ...and needs_master is enforced from the file.
  c.master.clear();
  auto no_master = make_plan(c, facts);
  REQUIRE_FALSE(no_master);
  CHECK(no_master.error() == "vessel.master: required for role history (role from vessel.role)");
}

TEST_CASE("role capabilities: bad values name the field", "[app][roles]") {
  CHECK(load_role_caps_yaml("capabilities: {membership: sometimes}\n", "r.yaml").error() ==
        "r.yaml: capabilities.membership: expected serve, join or none");
  CHECK(load_role_caps_yaml("capabilities: {counts_as_worker: maybe}\n", "r.yaml").error() ==
        "r.yaml: capabilities.counts_as_worker: expected true or false");
  CHECK(load_role_caps_yaml("capabilities: {colour: red}\n", "r.yaml").error() ==
        "r.yaml: capabilities.colour: unknown key");
  CHECK(load_role_caps_yaml("services: []\n", "r.yaml")->membership == RoleCaps::Membership::None);
  CHECK(valid_role_name("gpu-worker"));
  CHECK_FALSE(valid_role_name("../etc"));
  CHECK_FALSE(valid_role_name("Master"));
  CHECK_FALSE(valid_role_name(std::string(33, 'a')));
  auto missing = read_role_files("/nonexistent-roles");
  REQUIRE_FALSE(missing);
  CHECK(has(missing.error(), "roles dir /nonexistent-roles: "));
  CHECK(has(missing.error(), "--roles-dir"));
}
