#include "app/agent.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "health/server.hpp"
#include "init/reaper.hpp"
#include "init/signals.hpp"
#include "supervise/supervisor.hpp"
#include "util/log.hpp"

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

}  // namespace

int run_agent(const AgentOptions& o) {
  setup_logging(o.log_format, o.log_level);
  auto sigfd = become_init();
  if (!sigfd) {
    spdlog::error("{}", sigfd.error());
    return 2;
  }
  std::map<std::string, std::string> vars{{"hostname", own_hostname()}};
  ServiceSet set;
  std::function<Result<ServiceSet>()> reload;
  AgentStatus identity;
  identity.node = own_hostname();
  identity.version = VESSEL_VERSION;
  if (!o.services_file.empty()) {
    reload = [file = o.services_file, vars] { return load_services_file(file, vars); };
    identity.source = "services-file";
  } else if (!o.role.empty()) {
    reload = [path = o.roles_dir + "/" + o.role + ".yaml", vars] { return load_services_file(path, vars); };
    identity.role = o.role;
    identity.source = "role-file";
  } else {
    spdlog::error("no services: give --services FILE or --role NAME");
    return 2;
  }
  auto loaded = reload();
  if (!loaded) {
    spdlog::error("config: {}", loaded.error());
    return 2;
  }
  set = std::move(*loaded);
  if (!set.role.empty()) identity.role = set.role;

  auto addr = parse_host_port(o.health_addr, "--health-addr");
  if (!addr) {
    spdlog::error("{}", addr.error());
    return 2;
  }
  StatusBoard board;
  HealthServer health(board);
  if (auto st = health.start(*addr); !st) {
    spdlog::error("{}", st.error());
    return 2;
  }
  spdlog::info("vessel {} as pid {}: {} service(s), health on {}:{}", VESSEL_VERSION, getpid(),
               set.services.size(), addr->host, health.port());
  SupervisorHooks hooks;
  hooks.reload = reload;
  hooks.identity = identity;
  Supervisor sup(std::move(set), std::move(hooks), board, *sigfd);
  int code = sup.run();
  health.stop();
  return code;
}

}  // namespace vessel
