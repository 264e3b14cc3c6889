#include "app/effects.hpp"

#include "net/http.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "init/spawn.hpp"
#include "render/format_guard.hpp"
#include "supervise/service_log.hpp"
#include "supervise/users.hpp"
#include "util/fs.hpp"

namespace vessel {

Status write_files(const std::vector<RenderedFile>& files, const std::string& root) {
  for (const auto& f : files) {
    std::string path = root.empty() ? f.path : root + f.path;
    auto parent = std::filesystem::path(path).parent_path().string();
    if (auto st = ensure_dir(parent, 0755, static_cast<uid_t>(-1), static_cast<gid_t>(-1)); !st) return st;
    if (auto st = write_file_atomic(path, f.content, f.mode); !st) return st;
  }
  return ok();
}

Status ensure_role_dirs(const std::vector<DirSpec>& dirs) {
  for (const auto& d : dirs) {
    auto id = resolve_identity(d.owner, d.group);
    if (!id) return err("dirs " + d.path + ": " + id.error());
    uid_t uid = id->uid.value_or(0);
    gid_t gid = id->gid.value_or(0);
    if (auto st = ensure_dir(d.path, d.mode, uid, gid); !st) return st;
    chmod(d.path.c_str(), d.mode);  // also when it existed (a fresh volume)
  }
  return ok();
}

GuardDecision hdfs_format_guard(const BootPlan& plan) {
  auto props = hdfs_site_props(plan.cfg, plan.inputs);
  if (!props) return {GuardDecision::Kind::Refuse, props.error()};
  auto it = props->find("dfs.namenode.name.dir");
  if (it == props->end()) return {GuardDecision::Kind::Refuse, "dfs.namenode.name.dir is not set"};
  auto dirs = local_dirs(it->second);
  if (dirs.empty()) return {GuardDecision::Kind::Refuse, "dfs.namenode.name.dir has no local directory"};
  // Every name dir must agree: one with another cluster's VERSION is enough
  // to refuse; formatting happens only when none has a VERSION.
  GuardDecision out{GuardDecision::Kind::Run, ""};
  for (const auto& dir : dirs) {
    auto v = read_version_file(dir);
    if (!v) return {GuardDecision::Kind::Refuse, v.error()};
    auto d = decide_format(*v, plan.cfg.cluster_id);
    if (d.kind == FormatDecision::Kind::Refuse) return {GuardDecision::Kind::Refuse, d.message};
    if (d.kind == FormatDecision::Kind::Skip) out = {GuardDecision::Kind::Skip, d.message};
    if (d.kind == FormatDecision::Kind::Format && out.kind == GuardDecision::Kind::Run) out.message = d.message;
  }
  return out;
}

namespace {

std::string safe_name(const std::string& s) {
  std::string o;
  for (char c : s) o += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  return o.empty() ? "script" : o.substr(0, 64);
}

// Waits for one child with a deadline; this runs before the supervisor
// exists, so waiting on a specific pid cannot steal anyone's exit status.
int wait_with_timeout(pid_t pid, Millis timeout, ServiceLog& log) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      log.flush();
      return st;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &st, 0);
      log.flush();
      return -1;
    }
    pollfd p{log.read_fd(), POLLIN, 0};
    poll(&p, 1, 100);
    log.drain();
  }
}

}  // namespace

Status run_boot_scripts(const NodeConfig& cfg, const std::string& state_dir, Millis timeout) {
  if (cfg.scripts.empty()) return ok();
  const std::string iid = safe_name(cfg.instance_id.empty() ? "no-instance-id" : cfg.instance_id);
  const std::string dir = state_dir + "/scripts/" + iid;
  if (auto st = ensure_dir(dir, 0700, 0, 0); !st) return st;
  for (std::size_t i = 0; i < cfg.scripts.size(); ++i) {
    const auto& s = cfg.scripts[i];
    const std::string name = std::to_string(i) + "-" + safe_name(s.name);
    const std::string path = dir + "/" + name, done = path + ".done";
    if (access(done.c_str(), F_OK) == 0) {
      spdlog::info("boot script {}: already ran for instance {}", name, iid);
      continue;
    }
    if (auto st = write_file_atomic(path, s.body, 0700); !st) return st;
    ServiceLog log("boot:" + name, "");
    SpawnOptions o;
    o.argv = {path};
    o.env = service_environment(Identity{}, {});
    o.stdout_fd = log.write_fd();
    o.stderr_fd = log.write_fd();
    spdlog::info("boot script {}: running (timeout {}s)", name, timeout.count() / 1000);
    auto sp = spawn(o);
    if (!sp) return err("boot script " + name + ": " + sp.error());
    if (sp->failure) return err("boot script " + name + ": " + sp->failure->step + ": " + std::strerror(sp->failure->err));
    int st = wait_with_timeout(sp->pid, timeout, log);
    if (st < 0) return err("boot script " + name + ": timed out after " + std::to_string(timeout.count()) + "ms");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
      return err("boot script " + name + ": failed with status " + std::to_string(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)));
    if (auto w = write_file_atomic(done, "", 0600); !w) return w;
    spdlog::info("boot script {}: ok", name);
  }
  return ok();
}

void notify_heat_async(const NotifySettings& n, const std::string& node_id, const std::string& reason) {
  std::thread([n, node_id, reason] {
    net::HttpRequest req;
    req.method = "POST";
    req.url = n.url;
    req.body = nlohmann::json{{"status", "SUCCESS"}, {"reason", reason}, {"id", node_id}, {"data", reason}}.dump();
    req.headers = {"Content-Type: application/json"};
    if (!n.token.empty()) req.headers.push_back("X-Auth-Token: " + n.token.reveal());
    net::HttpPolicy policy;
    policy.timeout = std::chrono::seconds(10);
    policy.retries = 7;  // 8 attempts over ~2 minutes
    policy.max_body = 64 * 1024;
    // The URL may embed a signature: messages name the attempt and status only.
    auto r = net::http_request(req, policy, [](const net::HttpAttempt& a) {
      spdlog::warn("notify: attempt {} failed: {}; retrying in {}s", a.number, a.error, a.next_delay.count() / 1000);
    });
    if (!r) return spdlog::error("notify: giving up after {} attempts", policy.retries + 1);
    if (r->status >= 200 && r->status < 300) return spdlog::info("notify: Heat WaitCondition signalled (HTTP {})", r->status);
    spdlog::error("notify: HTTP {}; giving up: it is final", r->status);
  }).detach();
}

}  // namespace vessel
