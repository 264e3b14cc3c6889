#include "app/agent.hpp"

#include <limits.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <poll.h>
#include <sys/signalfd.h>

#include <cstring>
#include <memory>

#include "app/effects.hpp"
#include "app/plan.hpp"
#include "app/render_cmd.hpp"
#include "cluster/api.hpp"
#include "cluster/hosts_block.hpp"
#include "cluster/membership.hpp"
#include "cluster/sync.hpp"
#include "config/load.hpp"
#include "health/server.hpp"
#include "init/reaper.hpp"
#include "init/signals.hpp"
#include "init/spawn.hpp"
#include "supervise/supervisor.hpp"
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

// Loads cloud data and turns it into a plan; shared by boot and SIGHUP.
Result<BootPlan> load_plan(const AgentOptions& o) {
  auto env = environment_map();
  auto cfg = load_node_config(source_options(o, env));
  if (!cfg) return cfg.error_value();
  for (const auto& w : cfg->warnings) spdlog::warn("config: {}", w);
  return make_plan(*cfg, plan_facts(o, env));
}

std::vector<HostEntry> static_hosts(const BootPlan& p) {
  std::vector<HostEntry> hosts = p.cfg.hosts;
  if (!p.cfg.hostname.empty() && p.self_ip != "127.0.0.1") hosts.push_back({p.self_ip, p.cfg.hostname});
  return hosts;
}

Status apply_plan(const BootPlan& p, const AgentOptions& o) {
  if (auto st = write_files(p.files); !st) return st;
  for (const auto& f : p.files) spdlog::info("wrote {}", f.path);
  if (auto st = ensure_role_dirs(p.services.dirs); !st) return st;
  if (!o.hosts_file.empty()) {
    auto r = cluster::sync_hosts_file(o.hosts_file, static_hosts(p));
    if (!r) spdlog::warn("hosts: {}", r.error());
  }
  return ok();
}

int supervise(ServiceSet set, SupervisorHooks hooks, StatusBoard& board, HealthServer& health, int sigfd) {
  Supervisor sup(std::move(set), std::move(hooks), board, sigfd);
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
  return supervise(std::move(*set), std::move(hooks), board, health, sigfd);
}

// Waits for a usable plan. A source that is down, slow or answers garbage
// is retried with backoff while the health port says why the node is not
// ready; SIGTERM ends the wait cleanly. A wrong configuration exits 2 at once.
Result<BootPlan> wait_for_plan(const AgentOptions& o, int sigfd, const HostPort& addr, bool& stop) {
  // The health port is up before the first attempt: a metadata service that
  // accepts and never answers can hold one attempt for timeout x retries,
  // and an orchestrator probing /healthz meanwhile must not see a dead node.
  StatusBoard board;
  HealthServer health(board);
  if (auto st = health.start(addr); !st) return Error{st.error()};
  auto waiting = [&board](const std::string& why) {
    AgentStatus st;
    st.node = own_hostname();
    st.version = VESSEL_VERSION;
    st.problems.push_back("waiting for configuration: " + why);
    board.publish(st);
  };
  waiting("first attempt in progress");
  auto plan = load_plan(o);
  if (plan || !plan.transient()) {
    health.stop();
    return plan;
  }
  Millis delay{2000};
  for (int attempt = 1; !plan && plan.transient(); ++attempt) {
    spdlog::warn("config: attempt {}: {}; retrying in {}s", attempt, plan.error(), delay.count() / 1000);
    waiting(plan.error());
    pollfd p{sigfd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(delay.count())) > 0) {
      signalfd_siginfo si;
      while (read(sigfd, &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si))) {
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
          spdlog::info("received {} while waiting for configuration; exiting", sig::name(si.ssi_signo));
          stop = true;
          return plan;
        }
      }
    }
    reap_all([](const Reaped&) {});  // orphans may arrive even now
    delay = std::min(delay * 2, Millis{30000});
    plan = load_plan(o);
  }
  health.stop();
  return plan;
}

int run_cloud(const AgentOptions& o, int sigfd, const HostPort& addr) {
  bool stop = false;
  auto plan = wait_for_plan(o, sigfd, addr, stop);
  if (stop) return 0;
  if (!plan) {
    spdlog::error("config: {}", plan.error());
    return 2;
  }
  spdlog::info("plan:\n{}", describe_plan(*plan));
  if (auto st = apply_plan(*plan, o); !st) {
    spdlog::error("{}", st.error());
    return 2;
  }
  if (auto st = run_boot_scripts(plan->cfg, o.state_dir, Millis{600000}); !st) {
    spdlog::error("{}", st.error());
    return 1;
  }
  StatusBoard board;
  HealthServer health(board);
  board.set_provider("config", [cfg = plan->cfg] {
    return nlohmann::json{{"cluster_id", cfg.cluster_id}, {"master", cfg.master}, {"role_from", cfg.role_from}};
  });

  // The master keeps the membership; everyone syncs /etc/hosts from it.
  const bool is_master = plan->cfg.role == "master" || plan->cfg.role == "standalone";
  std::unique_ptr<cluster::Membership> members;
  if (is_master) {
    members = std::make_unique<cluster::Membership>(static_hosts(*plan));
    if (plan->cfg.token.empty()) {
      spdlog::warn("no vessel.token: the membership API refuses every registration; "
                   "workers will only have static hosts");
    }
    cluster::register_cluster_routes(health.server(), *members, plan->cfg.token);
  }
  if (auto st = health.start(addr); !st) {
    spdlog::error("{}", st.error());
    return 2;
  }
  std::unique_ptr<cluster::ClusterSync> sync;
  if (!o.no_cluster_sync) {
    cluster::ClusterSyncOptions so;
    so.master_host = is_master ? "127.0.0.1" : plan->master;
    so.master_port = health.port();
    so.token = plan->cfg.token;
    so.name = plan->cfg.hostname;
    so.role = plan->cfg.role;
    so.advertise_ip = plan->self_ip;
    so.hosts_path = o.hosts_file;
    so.static_hosts = static_hosts(*plan);
    so.local = members.get();
    sync = std::make_unique<cluster::ClusterSync>(so);
    // New workers change dfs.replication's default and Spark's workers file.
    sync->on_members_changed([p = *plan](const std::vector<cluster::MemberView>& ms) {
      std::vector<std::string> workers;
      for (const auto& m : ms)
        if (m.role == "worker" || m.role == "standalone") workers.push_back(m.name);
      auto files = rerender_for_workers(p, workers);
      if (!files) return spdlog::warn("re-render for {} workers: {}", workers.size(), files.error());
      if (auto st = write_files(*files); !st) return spdlog::warn("re-render: {}", st.error());
      spdlog::info("membership: {} worker(s); configs re-rendered", workers.size());
    });
    board.set_provider("cluster", [s = sync.get()] {
      auto st = s->snapshot();
      return nlohmann::json{{"master_reachable", st.master_reachable}, {"last_error", st.last_error},
                            {"members", st.members}, {"hosts", st.hosts}, {"version", st.version}};
    });
    sync->start();
  }
  spdlog::info("vessel {} as pid {}: role {} ({}), {} service(s), health on {}:{}", VESSEL_VERSION, getpid(),
               plan->cfg.role, plan->cfg.role_from, plan->services.services.size(), addr.host, health.port());

  SupervisorHooks hooks;
  auto current = std::make_shared<BootPlan>(*plan);
  hooks.guard = [current](const ServiceSpec&, const PreStartStep& step) {
    if (step.guard == "hdfs-format") return hdfs_format_guard(*current);
    return GuardDecision{GuardDecision::Kind::Refuse, "unknown guard " + step.guard};
  };
  hooks.reload = [current, o]() -> Result<ServiceSet> {
    auto p = load_plan(o);
    if (!p) return Error{p.error()};
    if (auto st = apply_plan(*p, o); !st) return Error{st.error()};
    *current = *p;
    return p->services;
  };
  if (plan->cfg.notify) {
    hooks.on_all_ready = [n = *plan->cfg.notify, host = plan->cfg.hostname, role = plan->cfg.role] {
      notify_heat_async(n, host, "vessel " + role + " " + host + ": all services READY");
    };
  }
  hooks.identity.node = plan->cfg.hostname;
  hooks.identity.role = plan->cfg.role;
  hooks.identity.source = plan->cfg.source;
  hooks.identity.version = VESSEL_VERSION;
  int code = supervise(plan->services, std::move(hooks), board, health, sigfd);
  if (sync) sync->stop();
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
