#include "app/agent.hpp"

#include <limits.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <poll.h>
#include <sys/signalfd.h>

#include <cstring>
#include <memory>
#include <thread>

#include "app/drain_routes.hpp"
#include "app/effects.hpp"
#include "app/node_drain.hpp"
#include "app/node.hpp"
#include "app/plan.hpp"
#include "app/render_cmd.hpp"
#include "cluster/api.hpp"
#include "net/http.hpp"
#include "cluster/hosts_block.hpp"
#include "cluster/membership.hpp"
#include "cluster/sync.hpp"
#include "source/load.hpp"
#include "health/server.hpp"
#include "init/reaper.hpp"
#include "init/signals.hpp"
#include "init/spawn.hpp"
#include "supervise/checks.hpp"
#include "supervise/probe.hpp"
#include "supervise/supervisor.hpp"
#include "supervise/users.hpp"
#include "util/backoff.hpp"
#include "util/log.hpp"

extern char** environ;

namespace vessel {
namespace {

std::string own_hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

// Prepares the process to be an init: signals blocked before any thread
// exists (threads inherit the mask, so every signal lands in the signalfd),
// and orphan adoption when we are not PID 1.
Result<int> become_init() {
  sigset_t set = sig::handled_set();
  sig::block(set);
  int fd = sig::open_signalfd(set);
  if (fd < 0) return err(std::string("signalfd: ") + std::strerror(errno));
  if (getpid() != 1 && !become_subreaper()) {
    spdlog::warn("not PID 1 and PR_SET_CHILD_SUBREAPER failed ({}): orphaned grandchildren will be "
                 "reaped by the real init, not by vessel, and shutdown cannot wait for them",
                 std::strerror(errno));
  }
  return fd;
}

std::map<std::string, std::string> environment_map() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

// An absolute path from the environment, or the default: the environment is
// untrusted input like everything else.
std::string env_path(const std::map<std::string, std::string>& env, const char* key, const std::string& dflt) {
  auto it = env.find(key);
  if (it == env.end() || it->second.empty()) return dflt;
  const auto& v = it->second;
  if (v[0] != '/' || v.find("..") != std::string::npos || v.find_first_of(":\n\r") != std::string::npos) {
    spdlog::warn("environment {}: ignoring '{}' (not a clean absolute path); using {}", key, v, dflt);
    return dflt;
  }
  return v;
}

std::string derive_java_home(const std::map<std::string, std::string>& env) {
  std::string jh = env_path(env, "JAVA_HOME", "");
  if (!jh.empty()) return jh;
  std::string java = resolve_in_path("java", env.count("PATH") ? env.at("PATH") : "");
  char real[PATH_MAX];
  if (realpath(java.c_str(), real)) {
    std::string r = real;  // .../bin/java
    for (int i = 0; i < 2; ++i) r = r.substr(0, r.rfind('/'));
    return r;
  }
  return "/usr/lib/jvm/default-java";
}

SourceOptions source_options(const AgentOptions& o, const std::map<std::string, std::string>& env) {
  SourceOptions so;
  so.source = o.source;
  so.user_data_file = o.user_data_file;
  so.meta_data_file = o.meta_data_file;
  so.configdrive_dir = o.configdrive_dir;
  so.nocloud_dir = o.nocloud_dir;
  so.metadata_url = o.metadata_url;
  so.http_timeout = std::chrono::seconds(o.metadata_timeout_s);
  so.http_retries = o.metadata_retries;
  so.role_override = o.role;
  so.env = env;
  return so;
}

PlanFacts plan_facts(const AgentOptions& o, const std::map<std::string, std::string>& env) {
  PlanFacts f;
  f.roles_dir = o.roles_dir;
  f.hadoop_home = env_path(env, "HADOOP_HOME", "/opt/hadoop");
  f.spark_home = env_path(env, "SPARK_HOME", "/opt/spark");
  f.java_home = derive_java_home(env);
  f.hadoop_conf_dir = o.hadoop_conf_dir;
  f.spark_conf_dir = o.spark_conf_dir;
  f.limits = read_cgroup_limits();
  f.host = read_host_resources();
  return f;
}

// The edge of every event that re-reads the world: the config source, the
// role files and the local facts. Shared by boot, SIGHUP and `vessel render`.
Result<NodeInputs> gather_inputs(const AgentOptions& o) {
  auto env = environment_map();
  auto cfg = load_node_config(source_options(o, env));
  if (!cfg) return cfg.error_value();
  for (const auto& w : cfg->warnings) spdlog::warn("config: {}", w);
  auto roles = read_role_files(o.roles_dir);
  if (!roles) return Error{roles.error()};
  NodeInputs in;
  in.cfg = std::move(*cfg);
  in.facts = plan_facts(o, env);
  in.facts.role_files = std::move(*roles);
  return in;
}

}  // namespace

Result<BootPlan> load_plan(const AgentOptions& o) {
  auto in = gather_inputs(o);
  if (!in) return in.error_value();
  return make_plan(in->cfg, in->facts);
}

namespace {

// Effects on the local filesystem.
class FsEffects : public NodeEffects {
 public:
  Status write_files(const std::vector<RenderedFile>& files) override { return vessel::write_files(files); }
  Status ensure_dirs(const std::vector<DirSpec>& dirs) override { return ensure_role_dirs(dirs); }
};

// refreshNodes as a child of vessel, started from the supervisor's loop
// thread (where every reconcile after boot runs). The loop's reaper collects
// it like any adopted child, so its exit code is not seen here; its output
// goes to vessel's stdout, and the drain's progress (NameNode JMX) shows
// whether it took effect. TODO(issue 10): a supervised one-shot job.
class SpawnHdfsAdmin : public HdfsAdmin {
 public:
  void refresh_nodes(const AdminCommand& c) override {
    auto ident = resolve_identity(c.user, c.group);
    if (!ident) return spdlog::warn("refreshNodes: {}", ident.error());
    SpawnOptions o;
    o.argv = c.argv;
    o.uid = ident->uid;
    o.gid = ident->gid;
    o.groups = ident->groups;
    o.env = service_environment(*ident, c.env);
    auto sp = spawn(o);
    if (!sp) return spdlog::warn("refreshNodes: {}", sp.error());
    if (sp->failure) return spdlog::warn("refreshNodes: {} failed: {}", sp->failure->step, std::strerror(sp->failure->err));
    spdlog::info("refreshNodes: started {} as pid {}", kDfsAdminClass, sp->pid);
  }
};

// PeerDirectory over the hosts file: before ClusterSync runs (boot) the
// static hosts are written directly; afterwards ClusterSync (and on the
// master the member table) own the file and get the changes.
class HostsFilePeers : public PeerDirectory {
 public:
  explicit HostsFilePeers(std::string hosts_path) : path_(std::move(hosts_path)) {}
  void attach(cluster::ClusterSync* sync, cluster::Membership* members, int port, bool local_master) {
    sync_ = sync, members_ = members, port_ = port, local_master_ = local_master;
  }
  void set_static_hosts(const std::vector<HostEntry>& hosts) override {
    if (members_) members_->set_static_hosts(hosts);
    if (sync_) return sync_->set_static_hosts(hosts);
    if (path_.empty()) return;
    if (auto r = cluster::sync_hosts_file(path_, hosts); !r) spdlog::warn("hosts: {}", r.error());
  }
  void set_master(const std::string& host) override {
    if (sync_ && !local_master_) sync_->set_master(host, port_);
  }

 private:
  std::string path_;
  cluster::ClusterSync* sync_ = nullptr;
  cluster::Membership* members_ = nullptr;
  int port_ = 0;
  bool local_master_ = false;
};

int supervise(Supervisor& sup, HealthServer& health) {
  int code = sup.run();
  health.stop();
  return code;
}

int run_services_file(const AgentOptions& o, int sigfd, const HostPort& addr) {
  std::map<std::string, std::string> vars{{"hostname", own_hostname()}};
  auto reload = [file = o.services_file, vars] { return load_services_file(file, vars); };
  auto set = reload();
  if (!set) {
    spdlog::error("config: {}", set.error());
    return 2;
  }
  StatusBoard board;
  HealthServer health(board);
  if (auto st = health.start(addr); !st) {
    spdlog::error("{}", st.error());
    return 2;
  }
  spdlog::info("vessel {} as pid {}: {} service(s) from {}, health on {}:{}", VESSEL_VERSION, getpid(),
               set->services.size(), o.services_file, addr.host, health.port());
  SupervisorHooks hooks;
  hooks.reload = reload;
  hooks.identity.node = own_hostname();
  hooks.identity.version = VESSEL_VERSION;
  hooks.identity.source = "services-file";
  hooks.identity.role = set->role;
  Supervisor sup(std::move(*set), std::move(hooks), board, sigfd);
  return supervise(sup, health);
}

// Publishes one agent-level reason for not being ready (before services).
void publish_waiting(StatusBoard& board, const std::string& why) {
  AgentStatus st;
  st.node = own_hostname();
  st.version = VESSEL_VERSION;
  st.problems.push_back(why);
  board.publish(st);
}

// Waits for usable inputs. A source that is down, slow or answers garbage
// is retried with backoff while the health port (already up) says why the
// node is not ready; SIGTERM ends the wait cleanly. A wrong configuration
// exits 2 at once.
Result<NodeInputs> wait_for_inputs(const AgentOptions& o, int sigfd, StatusBoard& board, bool& stop) {
  publish_waiting(board, "waiting for configuration: first attempt in progress");
  auto in = gather_inputs(o);
  const BackoffPolicy backoff{Millis{2000}, Millis{30000}};
  for (unsigned attempt = 1; !in && in.transient(); ++attempt) {
    const Millis delay = backoff.delay(attempt);
    spdlog::warn("config: attempt {}: {}; retrying in {}s", attempt, in.error(), delay.count() / 1000);
    publish_waiting(board, "waiting for configuration: " + in.error());
    pollfd p{sigfd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(delay.count())) > 0) {
      signalfd_siginfo si;
      while (read(sigfd, &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si))) {
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
          spdlog::info("received {} while waiting for configuration; exiting", sig::name(si.ssi_signo));
          stop = true;
          return in;
        }
      }
    }
    reap_all([](const Reaped&) {});  // orphans may arrive even now
    in = gather_inputs(o);
  }
  return in;
}

// Why the node does not serve the cluster although its services may run:
// the master keeps refusing our registration (wrong token, name conflict).
std::vector<std::string> sync_problems(const cluster::ClusterSync& sync) {
  auto st = sync.snapshot();
  if (st.registered || st.registration_error.empty()) return {};
  return {"cluster: registration refused by the master: " + st.registration_error};
}

// One JMX bean of the local NameNode.
Result<std::string> namenode_jmx(const char* bean) {
  net::HttpPolicy p;
  p.timeout = std::chrono::seconds(3);
  p.retries = 0;
  p.max_body = 4u << 20;
  const std::string url =
      "http://127.0.0.1:" + std::to_string(kNameNodeHttpPort) + "/jmx?qry=Hadoop:service=NameNode,name=" + bean;
  auto r = net::http_get(url, p);
  if (!r) return Error{r.error()};
  if (r->status != 200) return err("namenode jmx: HTTP " + std::to_string(r->status));
  return std::move(r->body);
}

// The drain routes' view of this node: dfs.replication in force, which roles
// run a DataNode, and the monitor over the local NameNode's JMX.
cluster::DrainPolicy drain_policy(const Node& node, cluster::Membership& members) {
  cluster::DrainPolicy d;
  d.replication = [&node] { return node.replication(); };
  d.runs_datanode = [catalog = node.plan().catalog](const std::string& role) {
    auto it = catalog.find(role);
    return it != catalog.end() && it->second.counts_as_worker;
  };
  d.namenode_jmx = [] { return namenode_jmx("NameNodeInfo"); };
  d.monitor = std::make_shared<cluster::DrainMonitor>(members, d.namenode_jmx,
                                                      [] { return namenode_jmx("FSNamesystem"); });
  return d;
}

// The drain's effects: the master's API with our token, the supervisor's
// signals and stop, and real probes.
class AgentDrainIO : public DrainIO {
 public:
  AgentDrainIO(std::string master_base, Secret token, Supervisor& sup)
      : base_(std::move(master_base)), token_(std::move(token)), sup_(sup) {}
  Result<Answer> master(const std::string& method, const std::string& path) override {
    net::HttpRequest req;
    req.method = method;
    req.url = base_ + path;
    if (method != "GET") req.headers.push_back("Authorization: Bearer " + token_.reveal());
    net::HttpPolicy p;
    p.timeout = std::chrono::seconds(10);
    p.retries = 2;
    p.backoff = std::chrono::milliseconds(500);
    p.max_body = 1u << 20;
    auto r = net::http_request(req, p);
    if (!r) return Error{r.error()};
    return Answer{r->status, std::move(r->body)};
  }
  void signal_service(const std::string& service, int sig) override { sup_.signal_service(service, sig); }
  bool probe(const ProbeSpec& p) override { return run_network_probe(p).ok; }
  void shutdown(int code) override { sup_.request_shutdown(code); }
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
  bool sleep(std::chrono::milliseconds d, const std::function<bool()>& wake) override {
    const auto end = now() + d;
    while (now() < end) {
      if (wake()) return false;
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
          std::chrono::milliseconds(100), std::chrono::duration_cast<std::chrono::milliseconds>(end - now())));
    }
    return !wake();
  }

 private:
  std::string base_;
  Secret token_;
  Supervisor& sup_;
};

int run_cloud(const AgentOptions& o, int sigfd, const HostPort& addr) {
  // One health port for the whole life of the node: up before the first
  // config attempt (a metadata service that accepts and never answers can
  // hold one attempt for timeout x retries, and an orchestrator probing
  // /healthz meanwhile must not see a dead node), through boot scripts,
  // until the supervisor's shutdown is complete.
  StatusBoard board;
  HealthServer health(board);
  if (auto st = health.start(addr); !st) {
    spdlog::error("{}", st.error());
    return 2;
  }
  bool stop = false;
  auto inputs = wait_for_inputs(o, sigfd, board, stop);
  if (stop) return 0;
  if (!inputs) {
    spdlog::error("config: {}", inputs.error());
    return 2;
  }
  FsEffects fx;
  HostsFilePeers peers(o.hosts_file);
  SpawnHdfsAdmin hdfs_admin;
  Node node(std::move(*inputs), fx, peers, &hdfs_admin);
  NodeEvent boot;
  boot.kind = NodeEventKind::boot;
  auto set = node.reconcile(boot);
  if (!set) {
    spdlog::error("config: {}", set.error());
    return 2;
  }
  const BootPlan& plan = node.plan();
  spdlog::info("plan:\n{}", describe_plan(plan));
  publish_waiting(board, "running boot scripts");
  if (auto st = run_boot_scripts(plan.cfg, o.state_dir, Millis{600000}); !st) {
    spdlog::error("{}", st.error());
    return 1;
  }
  board.set_provider("config", [&node] { return node.status(); });
  // Node-level checks (full data disk, a DataNode no longer registered...)
  // make the node degraded: /readyz says why; no service restarts for it.
  NodeChecks checks(set->checks);
  board.set_problems("checks", [&checks] { return checks.problems(); });
  board.set_provider("checks", [&checks] { return checks.view(); });
  checks.start();
  // Every reconcile's new definitions also update the checks.
  auto reconciled = [&checks](Result<ServiceSet> r) {
    if (r) checks.set_specs(r->checks);
    return r;
  };

  // A role that serves the membership keeps the table; every node (that
  // one included) syncs its hosts file from it.
  const bool serves = plan.cfg.caps.serves_membership();
  std::unique_ptr<cluster::Membership> members;
  std::shared_ptr<cluster::DrainMonitor> monitor;
  if (serves) {
    cluster::MembershipOptions mo;
    mo.remove_after = plan.cfg.cluster.remove_after;
    members = std::make_unique<cluster::Membership>(static_hosts(plan), mo);
    if (plan.cfg.token.empty()) {
      spdlog::warn("no vessel.token: the membership API refuses every registration; "
                   "workers will only have static hosts");
    }
    auto policy = drain_policy(node, *members);
    monitor = policy.monitor;
    cluster::register_cluster_routes(health.routes(), *members, plan.cfg.token, {}, policy);
    board.set_provider("drain", [m = monitor] { return m->view(); });
    board.set_metrics("drain", [m = monitor] { return m->metrics(); });
    monitor->start();
    // The master's view in /status: every member's state, and who left.
    board.set_provider("membership", [m = members.get()] {
      nlohmann::json j{{"members", nlohmann::json::array()}, {"departed", nlohmann::json::array()}};
      for (const auto& v : m->members())
        j["members"].push_back({{"name", v.name}, {"ip", v.ip}, {"role", v.role},
                                {"state", std::string(cluster::to_string(v.state))}, {"age_ms", v.age.count()}});
      for (const auto& d : m->departed())
        j["departed"].push_back({{"name", d.name}, {"ip", d.ip}, {"role", d.role},
                                 {"state", std::string(cluster::to_string(cluster::MemberState::left))}, {"left_ms_ago", d.since.count()}});
      return j;
    });
  }
  SupervisorHooks hooks;
  hooks.guard = [&node](const ServiceSpec&, const PreStartStep& step) {
    if (step.guard == "hdfs-format") return hdfs_format_guard(node.plan());
    return GuardDecision{GuardDecision::Kind::Refuse, "unknown guard " + step.guard};
  };
  hooks.reload = [&node, &o, reconciled, m = members.get()]() -> Result<ServiceSet> {
    auto in = gather_inputs(o);
    if (!in) return Error{in.error()};
    NodeEvent e;
    e.kind = NodeEventKind::reload;
    e.cfg = std::move(in->cfg);
    auto r = reconciled(node.reconcile(e));
    if (r && m) m->set_remove_after(node.plan().cfg.cluster.remove_after);
    return r;
  };
  if (plan.cfg.notify) {
    hooks.on_all_ready = [n = *plan.cfg.notify, host = plan.cfg.hostname, role = plan.cfg.role] {
      notify_heat_async(n, host, "vessel " + role + " " + host + ": all services READY");
    };
  }
  hooks.identity.node = plan.cfg.hostname;
  hooks.identity.role = plan.cfg.role;
  hooks.identity.source = plan.cfg.source;
  hooks.identity.version = VESSEL_VERSION;
  // A joining node can drain (vessel drain, or SIGTERM with scale_in:
  // drain_on_sigterm): the hook needs the drain, which needs the supervisor.
  std::unique_ptr<AgentDrainIO> drain_io;
  std::unique_ptr<NodeDrain> drain;
  const bool can_drain = plan.cfg.caps.membership == RoleCaps::Membership::Join;
  hooks.on_terminate = [&node, &drain](int) {
    if (!drain || !node.plan().cfg.scale_in.drain_on_sigterm) return false;
    DrainRequest r;
    r.on_sigterm = true;
    r.timeout = std::chrono::duration_cast<std::chrono::seconds>(node.plan().cfg.scale_in.timeout);
    spdlog::info("vessel.scale_in: drain_on_sigterm: draining before the stop (at most {} s)", r.timeout.count());
    auto st = drain->start(r);
    if (!st) spdlog::warn("{}", st.error());
    return static_cast<bool>(st) || drain->phase() == DrainPhase::hdfs || drain->phase() == DrainPhase::spark;
  };
  Supervisor sup(*set, std::move(hooks), board, sigfd);
  if (can_drain) {
    drain_io = std::make_unique<AgentDrainIO>(
        "http://" + (plan.master.find(':') != std::string::npos ? "[" + plan.master + "]" : plan.master) + ":" +
            std::to_string(health.port()),
        plan.cfg.token, sup);
    drain = std::make_unique<NodeDrain>(plan.cfg.hostname, set->services, *drain_io);
    mount_node_drain(health.routes(), *drain, plan.cfg.token);
    board.set_provider("drain", [d = drain.get()] { return d->view(); });
  }

  std::unique_ptr<cluster::ClusterSync> sync;
  if (!o.no_cluster_sync && plan.cfg.caps.membership != RoleCaps::Membership::None) {
    cluster::ClusterSyncOptions so;
    so.master_host = serves ? "127.0.0.1" : plan.master;
    so.master_port = health.port();
    so.token = plan.cfg.token;
    so.name = plan.cfg.hostname;
    so.role = plan.cfg.role;
    so.advertise_ip = plan.self_ip;
    so.hosts_path = o.hosts_file;
    so.static_hosts = static_hosts(plan);
    so.local = members.get();
    sync = std::make_unique<cluster::ClusterSync>(so);
    // The sync thread only posts: the change is planned and applied on the
    // supervisor's thread, through the node, like every other event.
    sync->on_members_changed([&sup, &node, reconciled](const std::vector<cluster::MemberView>& ms) {
      sup.post([&node, ms, reconciled]() -> std::optional<Result<ServiceSet>> {
        NodeEvent e;
        e.kind = NodeEventKind::members_changed;
        e.members = ms;
        return reconciled(node.reconcile(e));
      });
    });
    board.set_provider("cluster", [s = sync.get()] {
      auto st = s->snapshot();
      return nlohmann::json{{"master_reachable", st.master_reachable}, {"last_error", st.last_error},
                            {"registered", st.registered},       {"registration_error", st.registration_error},
                            {"members", st.members},             {"hosts", st.hosts},
                            {"version", st.version}};
    });
    board.set_problems("cluster", [s = sync.get()] { return sync_problems(*s); });
    peers.attach(sync.get(), members.get(), health.port(), serves);
    sync->start();
  } else if (members) {
    peers.attach(nullptr, members.get(), health.port(), serves);
  }
  spdlog::info("vessel {} as pid {}: role {} ({}), {} service(s), health on {}:{}", VESSEL_VERSION, getpid(),
               plan.cfg.role, plan.cfg.role_from, plan.services.services.size(), addr.host, health.port());
  int code = sup.run();
  checks.stop();
  if (sync) sync->stop();  // no heartbeat may register us again after leaving
  if (monitor) monitor->stop();
  if (drain && drain->phase() == DrainPhase::stopping) {
    code = drain->leave() ? 0 : 1;
    // `vessel drain` polls every 2 s: let it see "left" before PID 1 exits.
    if (code == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  }
  health.stop();  // before the drain goes: its routes point at it
  drain.reset();   // joins its thread while the supervisor still exists
  return code;
}

}  // namespace

int render_plan(const AgentOptions& o, const std::string& out_dir) {
  setup_logging("text", "warn");
  auto plan = load_plan(o);
  if (!plan) {
    std::fprintf(stderr, "vessel render: %s\n", plan.error().c_str());
    return 2;
  }
  if (auto st = write_files(plan->files, out_dir); !st) {
    std::fprintf(stderr, "vessel render: %s\n", st.error().c_str());
    return 2;
  }
  std::fputs(describe_plan(*plan).c_str(), stdout);
  std::printf("written under %s\n", out_dir.c_str());
  return 0;
}

int run_agent(const AgentOptions& o) {
  setup_logging(o.log_format, o.log_level);
  auto sigfd = become_init();
  if (!sigfd) {
    spdlog::error("{}", sigfd.error());
    return 2;
  }
  auto addr = parse_host_port(o.health_addr, "--health-addr");
  if (!addr) {
    spdlog::error("{}", addr.error());
    return 2;
  }
  if (!o.services_file.empty()) return run_services_file(o, *sigfd, *addr);
  return run_cloud(o, *sigfd, *addr);
}

}  // namespace vessel
