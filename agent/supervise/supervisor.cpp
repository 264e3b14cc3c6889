#include "supervise/supervisor.hpp"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>

#include "init/signals.hpp"
#include "supervise/process_ops.hpp"
#include "supervise/svc.hpp"

namespace vessel {
namespace {

int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Results from probe threads, handed to the loop through an eventfd.
struct ProbeQueue {
  struct Item {
    std::string service;
    uint64_t generation;
    ProbeResult result;
  };
  std::mutex mu;
  std::deque<Item> items;
  int efd = -1;
  void push(Item it) {
    {
      std::lock_guard<std::mutex> g(mu);
      items.push_back(std::move(it));
    }
    uint64_t one = 1;
    ssize_t w = write(efd, &one, sizeof(one));
    (void)w;
  }
};

}  // namespace

struct Supervisor::Impl {
  Impl(ServiceSet set, SupervisorHooks h, StatusBoard& b, int sfd, std::unique_ptr<ProcessOps> own, ProcessOps& o,
       Supervisor::TransitionCheck check)
      : owned_ops(std::move(own)),
        ops(o),
        allowed(check ? check : &transition_allowed),
        settings(set.settings),
        hooks(std::move(h)),
        board(b),
        sigfd(sfd),
        queue(std::make_shared<ProbeQueue>()) {
    for (auto& s : set.services) svcs.push_back(std::make_unique<Svc>(std::move(s), settings));
    queue->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    started = std::chrono::system_clock::now();
  }
  ~Impl() {
    if (queue->efd >= 0) close(queue->efd);
  }

  // Tasks posted from other threads; the probe eventfd wakes the loop.
  std::mutex task_mu;
  std::deque<Task> tasks;

  void post(Task t) {
    {
      std::lock_guard<std::mutex> g(task_mu);
      tasks.push_back(std::move(t));
    }
    uint64_t one = 1;
    ssize_t w = write(queue->efd, &one, sizeof(one));
    (void)w;
  }

  void run_tasks() {
    std::deque<Task> now;
    {
      std::lock_guard<std::mutex> g(task_mu);
      now.swap(tasks);
    }
    for (auto& t : now) {
      if (shutting_down) return;
      auto r = t();
      if (!r) continue;
      if (!*r) {
        spdlog::error("reconcile: keeping the running definitions: {}", r->error());
        continue;
      }
      apply_services(std::move(**r));
    }
  }

  std::unique_ptr<ProcessOps> owned_ops;  // the real ones, unless a test gave its own
  ProcessOps& ops;
  Supervisor::TransitionCheck allowed;
  uint64_t transition_errors = 0;
  SupervisorSettings settings;
  SupervisorHooks hooks;
  StatusBoard& board;
  int sigfd;
  std::shared_ptr<ProbeQueue> queue;
  std::vector<std::unique_ptr<Svc>> svcs;
  std::chrono::system_clock::time_point started;

  bool shutting_down = false;
  bool terminate_deferred = false;  // on_terminate took the first SIGTERM
  Clock::time_point shutdown_deadline{};
  bool final_kill_sent = false;
  int exit_code = 0;
  uint64_t zombies_reaped = 0, children_reaped = 0;
  bool all_ready_notified = false;

  // ---- small helpers -------------------------------------------------------

  Svc* find(const std::string& name) {
    for (auto& s : svcs)
      if (s->spec.name == name) return s.get();
    return nullptr;
  }

  // An event the current state has no action for: logged and counted, the
  // state stays.
  void machine_error(Svc& s, const std::string& what) {
    ++transition_errors;
    spdlog::error("{}: internal: {} in state {}; ignored", s.spec.name, what, to_string(s.state));
  }

  // A transition the table forbids is refused: the state stays, the error
  // is logged and counted (Supervisor::transition_errors()).
  void set_state(Svc& s, State to, std::string reason = "") {
    if (s.state == to && s.reason == reason) return;
    if (s.state != to && !allowed(s.state, to)) {
      ++transition_errors;
      spdlog::error("{}: internal: transition {} -> {} not allowed; refused", s.spec.name, to_string(s.state),
                    to_string(to));
      return;
    }
    if (s.state != to) {
      spdlog::info("{}: {} -> {}{}", s.spec.name, to_string(s.state), to_string(to),
                   reason.empty() ? "" : " (" + reason + ")");
      s.since = std::chrono::system_clock::now();
    }
    s.state = to;
    s.reason = std::move(reason);
  }

  bool deps_ready(const Svc& s) {
    for (const auto& d : s.spec.depends_on) {
      const Svc* dep = find(d);
      if (!dep || dep->state != State::Ready) return false;
    }
    return true;
  }

  // The process group a stop must reach: the main process, or a pre_start
  // step still running in its place.
  static pid_t active_group(const Svc& s) { return s.pid > 0 ? s.pid : s.pre_pid; }

  // Signals the whole process group of a service.
  void signal_group(pid_t pid, int sig) {
    if (pid > 0) ops.signal_group(pid, sig);
  }

  // ---- spawning ------------------------------------------------------------

  Result<Spawned> spawn_for(Svc& s, const std::vector<std::string>& argv) {
    SpawnOptions o;
    o.argv = argv;
    o.workdir = s.spec.workdir;
    o.stdout_fd = s.log->write_fd();
    o.stderr_fd = s.log->write_fd();
    auto ident = ops.resolve_identity(s.spec.user, s.spec.group);
    if (!ident) return Error{ident.error()};
    o.uid = ident->uid;
    o.gid = ident->gid;
    o.groups = ident->groups;
    o.env = service_environment(*ident, s.spec.env);
    return ops.spawn(o);
  }

  void start_next_pre_step(Svc& s, Clock::time_point now) {
    while (s.pre_index < s.spec.pre_start.size()) {
      const auto& step = s.spec.pre_start[s.pre_index];
      if (!step.guard.empty() && hooks.guard) {
        auto d = hooks.guard(s.spec, step);
        if (d.kind == GuardDecision::Kind::Skip) {
          spdlog::info("{}: pre_start guard {}: skip ({})", s.spec.name, step.guard, d.message);
          ++s.pre_index;
          continue;
        }
        if (d.kind == GuardDecision::Kind::Refuse) {
          // A refusing guard protects data (e.g. an HDFS of another cluster):
          // retrying cannot help, so this is final.
          spdlog::error("{}: pre_start guard {} refused: {}", s.spec.name, step.guard, d.message);
          fail(s, "guard " + step.guard + ": " + d.message);
          return;
        }
        spdlog::info("{}: pre_start guard {}: run ({})", s.spec.name, step.guard, d.message);
      }
      auto sp = spawn_for(s, step.argv);
      if (!sp || sp->failure) {
        std::string why = !sp ? sp.error() : sp->failure->step + ": " + std::strerror(sp->failure->err);
        on_start_failure(s, now, "pre_start[" + std::to_string(s.pre_index) + "] " + why);
        return;
      }
      s.pre_pid = sp->pid;
      s.pre_deadline = now + step.timeout;
      set_state(s, State::Starting, "pre_start[" + std::to_string(s.pre_index) + "]");
      return;
    }
    start_main(s, now);
  }

  void start_main(Svc& s, Clock::time_point now) {
    auto sp = spawn_for(s, s.spec.argv);
    if (!sp) {
      on_start_failure(s, now, sp.error());
      return;
    }
    if (sp->failure) {
      s.last_exit_code = sp->failure->err == ENOENT ? 127 : 126;
      on_start_failure(s, now, sp->failure->step + " " + s.spec.argv[0] + ": " + std::strerror(sp->failure->err));
      return;
    }
    s.pid = sp->pid;
    s.started = now;
    ++s.generation;
    s.probe_inflight = false;
    s.next_probe = now;
    spdlog::info("{}: started pid {}", s.spec.name, s.pid);
    if (s.spec.readiness.kind == ProbeSpec::Kind::None) {
      set_state(s, State::Starting);
      set_state(s, State::Ready);
    } else {
      set_state(s, State::Starting, "waiting for " + describe_probe(s.spec.readiness));
    }
  }

  // ---- exits and restarts --------------------------------------------------

  // A started service that is still not READY after ready_within is
  // stopped (stop signal, SIGKILL after its grace) and then restarted with
  // backoff like any other exit.
  void check_ready_within(Svc& s, Clock::time_point now) {
    if (s.pid <= 0 || s.spec.ready_within.count() == 0) return;
    if (s.unready_kill_at) {
      if (now >= *s.unready_kill_at) {
        signal_group(s.pid, SIGKILL);
        s.unready_kill_at = Clock::time_point::max();
      }
      return;
    }
    if (now - s.started < s.spec.ready_within) return;
    spdlog::warn("{}: not READY within {}ms ({}); restarting it", s.spec.name, s.spec.ready_within.count(),
                 s.reason.empty() ? "no reason" : s.reason);
    signal_group(s.pid, s.spec.stop_signal);
    s.unready_kill_at = now + s.spec.stop_grace;
  }

  void fail(Svc& s, std::string why) {
    set_state(s, State::Failed, std::move(why));
    if (s.spec.critical && !shutting_down) {
      spdlog::error("{}: critical service FAILED; shutting down so the orchestrator can replace this node",
                    s.spec.name);
      begin_shutdown(1);
    }
  }

  void schedule_restart(Svc& s, Clock::time_point now, const std::string& why) {
    if (s.backoff.exhausted(now)) {
      fail(s, "restart limit: " + std::to_string(settings.max_restarts) + " restarts within " +
                  std::to_string(settings.restart_window.count() / 1000) + "s; last: " + why);
      return;
    }
    auto delay = s.backoff.next(now);
    ++s.restarts;
    s.wake = now + delay;
    set_state(s, State::Backoff, why + "; restart in " + std::to_string(delay.count()) + "ms");
  }

  void on_start_failure(Svc& s, Clock::time_point now, const std::string& why) {
    spdlog::error("{}: cannot start: {}", s.spec.name, why);
    s.pid = -1;
    if (s.state == State::Waiting) set_state(s, State::Starting, why);
    if (shutting_down || s.spec.restart == RestartPolicy::Never) {
      fail(s, why);
      return;
    }
    schedule_restart(s, now, why);
  }

  // ---- the child-exit events, one action per state --------------------------
  //
  // A main process or a pre_start step exists only in STARTING or STOPPING
  // (and READY for the main process): an exit in any other state has no
  // action in the table and is counted as a machine error.

  // What a main-process exit tells the per-state action.
  struct MainExit {
    int status;
    pid_t group;   // the exited process group, for leftovers
    bool unready;  // it was stopped for missing ready_within
    std::string how;
  };

  void on_main_exit(Svc& s, int status, Clock::time_point now) {
    s.log->drain();
    MainExit e{status, s.pid, s.unready_kill_at.has_value(), ""};
    s.pid = -1;
    s.unready_kill_at.reset();
    ++s.generation;  // any probe in flight is now stale
    s.probe_inflight = false;
    if (s.probe_pid > 0) signal_group(s.probe_pid, SIGKILL);
    s.last_exit_code.reset();
    s.last_signal.reset();
    if (WIFEXITED(status)) {
      s.last_exit_code = WEXITSTATUS(status);
      e.how = "exited with code " + std::to_string(*s.last_exit_code);
    } else if (WIFSIGNALED(status)) {
      s.last_signal = WTERMSIG(status);
      e.how = "killed by " + sig::name(*s.last_signal);
    }
    auto ran = std::chrono::duration_cast<Millis>(now - s.started);
    spdlog::info("{}: {} after {}ms", s.spec.name, e.how, ran.count());
    s.backoff.on_exit(ran);
    kOnMainExit[static_cast<std::size_t>(s.state)](*this, s, e, now);
  }

  // STARTING, READY: a crash or a clean exit, judged by the restart policy.
  void main_exit_running(Svc& s, const MainExit& e, Clock::time_point now) {
    if (shutting_down) return main_exit_stopping(s, e, now);
    const bool clean = WIFEXITED(e.status) && WEXITSTATUS(e.status) == 0;
    const std::string unready_why = "not READY within " + std::to_string(s.spec.ready_within.count()) + "ms";
    if (e.unready && s.spec.restart == RestartPolicy::Never) {
      fail(s, unready_why);
      return;
    }
    if (!e.unready && (s.spec.restart == RestartPolicy::Never || (s.spec.restart == RestartPolicy::OnFailure && clean))) {
      if (clean) {
        set_state(s, State::Exited, e.how);
      } else {
        fail(s, e.how);
      }
      return;
    }
    // Before a restart the rest of the old group must go: leftovers would
    // hold the ports the next instance needs.
    signal_group(e.group, SIGKILL);
    schedule_restart(s, now, e.unready ? unready_why : e.how);
  }

  // STOPPING (or any running state once the shutdown began).
  void main_exit_stopping(Svc& s, const MainExit& e, Clock::time_point) {
    // Leftovers of the group get their own grace: they were signalled with
    // the group and the shutdown waits for every descendant.
    set_state(s, State::Exited, e.how);
    after_stop(s);
  }

  void main_exit_unexpected(Svc& s, const MainExit& e, Clock::time_point) {
    machine_error(s, "main process " + e.how);
  }

  using MainExitFn = void (*)(Impl&, Svc&, const MainExit&, Clock::time_point);
  static const MainExitFn kOnMainExit[static_cast<std::size_t>(State::Failed) + 1];  // defined after Impl (complete type)

  void on_pre_exit(Svc& s, int status, Clock::time_point now) {
    s.pre_pid = -1;
    kOnPreExit[static_cast<std::size_t>(s.state)](*this, s, status, now);
  }

  // STARTING: the step passed (next step or the main process) or failed.
  void pre_exit_starting(Svc& s, int status, Clock::time_point now) {
    if (shutting_down) {
      set_state(s, State::Exited, "shutdown during pre_start");
      return;
    }
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      on_start_failure(s, now, "pre_start[" + std::to_string(s.pre_index) + "] exited with status " +
                                   std::to_string(exit_code_of(status)));
      return;
    }
    ++s.pre_index;
    start_next_pre_step(s, now);
  }

  // STOPPING: stopped by a reload while in pre_start.
  void pre_exit_stopping(Svc& s, int, Clock::time_point) {
    set_state(s, State::Exited, "stopped during pre_start");
    after_stop(s);
  }

  void pre_exit_unexpected(Svc& s, int status, Clock::time_point) {
    machine_error(s, "pre_start step exited with status " + std::to_string(exit_code_of(status)));
  }

  using PreExitFn = void (*)(Impl&, Svc&, int, Clock::time_point);
  static const PreExitFn kOnPreExit[static_cast<std::size_t>(State::Failed) + 1];  // defined after Impl (complete type)

  // Handles a service stopped for a reload.
  void after_stop(Svc& s) {
    if (shutting_down) return;
    if (s.replacement) {
      s.spec = std::move(*s.replacement);
      s.replacement.reset();
      s.log = std::make_unique<ServiceLog>(s.spec.name, s.spec.log_file);
      s.backoff.reset();
      s.pre_index = 0;
      s.wait_index = 0;
      set_state(s, State::Waiting, "reloaded");
    }
  }

  void reap(Clock::time_point now) {
    ops.reap([&](const Reaped& r) {
      ++children_reaped;
      for (auto& s : svcs) {
        if (r.pid == s->pid) return on_main_exit(*s, r.status, now);
        if (r.pid == s->pre_pid) return on_pre_exit(*s, r.status, now);
        if (r.pid == s->probe_pid) {
          s->probe_pid = -1;
          if (!s->probe_inflight) return;  // timed out already
          ProbeResult res;
          res.ok = WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
          if (!res.ok) res.detail = "exec probe exited with status " + std::to_string(exit_code_of(r.status));
          res.latency = std::chrono::duration_cast<Millis>(now - s->probe_started);
          return on_probe_result(*s, res, now);
        }
      }
      ++zombies_reaped;
    });
  }

  // ---- probes --------------------------------------------------------------

  // The probe that matters in the current state, if any.
  const ProbeSpec* current_probe(const Svc& s) const {
    if (s.state == State::Waiting && s.wait_index < s.spec.wait_for.size()) return &s.spec.wait_for[s.wait_index];
    if (s.state == State::Starting && s.pid > 0 && s.spec.readiness.kind != ProbeSpec::Kind::None)
      return &s.spec.readiness;
    return nullptr;
  }

  void launch_probe(Svc& s, const ProbeSpec& p, Clock::time_point now) {
    s.probe_inflight = true;
    s.probe_started = now;
    ++s.probes_total;
    if (p.kind == ProbeSpec::Kind::Exec) {
      auto sp = spawn_for(s, p.argv);
      s.probe_deadline = now + p.timeout;
      if (!sp || sp->failure) {
        ProbeResult r;
        r.detail = "exec probe: " + (!sp ? sp.error() : std::string(std::strerror(sp->failure->err)));
        on_probe_result(s, r, now);
        return;
      }
      s.probe_pid = sp->pid;
      return;
    }
    // The callback only touches its own copies and the shared queue.
    ops.network_probe(p, [q = queue, name = s.spec.name, gen = s.generation](ProbeResult r) {
      q->push({name, gen, std::move(r)});
    });
  }

  void on_probe_result(Svc& s, const ProbeResult& r, Clock::time_point now) {
    s.probe_inflight = false;
    s.last_probe = r;
    const ProbeSpec* p = current_probe(s);
    s.next_probe = now + (p ? p->interval : Millis{1000});
    kOnProbe[static_cast<std::size_t>(s.state)](*this, s, r, now);
  }

  // WAITING: a wait_for condition passed; the next one is due at once.
  void probe_waiting(Svc& s, const ProbeResult& r, Clock::time_point now) {
    if (!r.ok) return set_state(s, s.state, r.detail);
    ++s.wait_index;
    s.next_probe = now;
  }

  // STARTING: the readiness probe passed.
  void probe_starting(Svc& s, const ProbeResult& r, Clock::time_point) {
    if (!r.ok) return set_state(s, s.state, r.detail);
    set_state(s, State::Ready);
  }

  // Other states: a late answer (e.g. an exec probe reaped after the
  // shutdown moved its service on) is only recorded.
  void probe_late(Svc&, const ProbeResult&, Clock::time_point) {}

  using ProbeFn = void (*)(Impl&, Svc&, const ProbeResult&, Clock::time_point);
  static const ProbeFn kOnProbe[static_cast<std::size_t>(State::Failed) + 1];  // defined after Impl (complete type)

  void drain_probe_queue(Clock::time_point now) {
    uint64_t v;
    while (read(queue->efd, &v, sizeof(v)) > 0) {
    }
    std::deque<ProbeQueue::Item> items;
    {
      std::lock_guard<std::mutex> g(queue->mu);
      items.swap(queue->items);
    }
    for (auto& it : items) {
      Svc* s = find(it.service);
      if (!s || it.generation != s->generation || !s->probe_inflight) continue;
      on_probe_result(*s, it.result, now);
    }
  }

  // ---- the state machine, driven by time -----------------------------------

  // One function per state for the time event (s6-supervise's
  // actions[state][event] for "tick"); EXITED and FAILED wait for a reload.
  void tick_waiting(Svc& s, Clock::time_point now) {
    if (shutting_down) {
      set_state(s, State::Exited, "shutdown before start");
      return;
    }
    if (!deps_ready(s)) {
      std::string missing;
      for (const auto& d : s.spec.depends_on) {
        const Svc* dep = find(d);
        if (!dep || dep->state != State::Ready) missing += (missing.empty() ? "" : ", ") + d;
      }
      set_state(s, State::Waiting, "waiting for " + missing);
      return;
    }
    if (s.wait_index < s.spec.wait_for.size()) {
      if (!s.probe_inflight && now >= s.next_probe) launch_probe(s, s.spec.wait_for[s.wait_index], now);
      if (s.reason.empty() || s.reason.rfind("waiting for", 0) == 0)
        set_state(s, State::Waiting, "waiting for " + describe_probe(s.spec.wait_for[s.wait_index]));
      return;
    }
    s.pre_index = 0;
    start_next_pre_step(s, now);
  }

  void tick_starting(Svc& s, Clock::time_point now) {
    if (s.pre_pid > 0 && now >= s.pre_deadline) {
      spdlog::warn("{}: pre_start step timed out; killing it", s.spec.name);
      signal_group(s.pre_pid, SIGKILL);
    }
    if (s.pid > 0 && s.spec.readiness.kind != ProbeSpec::Kind::None && !s.probe_inflight && now >= s.next_probe) {
      launch_probe(s, s.spec.readiness, now);
    }
    check_ready_within(s, now);
  }

  void tick_backoff(Svc& s, Clock::time_point now) {
    if (now >= s.wake) {
      s.wait_index = 0;
      set_state(s, State::Waiting, "restarting");
    }
  }

  void tick_stopping(Svc& s, Clock::time_point now) {
    if (!s.kill_sent && now >= s.wake) {
      spdlog::warn("{}: did not stop within {}ms; sending SIGKILL to its group", s.spec.name,
                   s.spec.stop_grace.count());
      signal_group(active_group(s), SIGKILL);
      s.kill_sent = true;
    }
  }

  void tick_nothing(Svc&, Clock::time_point) {}

  // Tables of plain function pointers (captureless lambdas), not pointers to
  // members: GCC 12's UBSan reports an index into an array of
  // pointer-to-member functions as out of bounds (seen in the ASan stage).
  using TickFn = void (*)(Impl&, Svc&, Clock::time_point);
  // Indexed by State, in its declaration order.
  static const TickFn kOnTick[static_cast<std::size_t>(State::Failed) + 1];  // defined after Impl (complete type)

  void tick(Clock::time_point now) {
    for (auto& sp : svcs) {
      Svc& s = *sp;
      kOnTick[static_cast<std::size_t>(s.state)](*this, s, now);
      // An exec probe that overran its timeout is killed and counted failed.
      if (s.probe_pid > 0 && s.probe_inflight && now >= s.probe_deadline) {
        signal_group(s.probe_pid, SIGKILL);
        ProbeResult r;
        r.detail = "exec probe timed out";
        on_probe_result(s, r, now);
      }
    }
    if (shutting_down) shutdown_tick(now);
    notify_all_ready();
  }

  // ---- shutdown ------------------------------------------------------------

  void begin_shutdown(int code) {
    if (shutting_down) return;
    shutting_down = true;
    exit_code = code;
    shutdown_deadline = ops.now() + settings.shutdown_deadline;
    spdlog::info("shutdown: stopping services in reverse dependency order (deadline {}s)",
                 settings.shutdown_deadline.count() / 1000);
  }

  // A service may stop once nothing that depends on it is still running.
  bool dependents_stopped(const Svc& s) const {
    for (const auto& o : svcs) {
      if (o.get() == &s) continue;
      if (std::find(o->spec.depends_on.begin(), o->spec.depends_on.end(), s.spec.name) == o->spec.depends_on.end())
        continue;
      if (o->pid > 0 || o->pre_pid > 0) return false;
    }
    return true;
  }

  void stop_service(Svc& s, Clock::time_point now) {
    spdlog::info("{}: stopping with {} (grace {}ms)", s.spec.name, sig::name(s.spec.stop_signal),
                 s.spec.stop_grace.count());
    signal_group(active_group(s), s.spec.stop_signal);
    // SIGCONT so a stopped (SIGSTOP) group can act on the signal at all.
    signal_group(active_group(s), SIGCONT);
    s.kill_sent = false;
    s.wake = now + s.spec.stop_grace;
    set_state(s, State::Stopping);
  }

  void shutdown_tick(Clock::time_point now) {
    bool any_service_alive = false;
    for (auto& sp : svcs) {
      Svc& s = *sp;
      if (s.pre_pid > 0) {
        signal_group(s.pre_pid, SIGTERM);
        any_service_alive = true;
      }
      if (s.state == State::Backoff) set_state(s, State::Exited, "shutdown during backoff");
      if (s.pid <= 0) continue;
      any_service_alive = true;
      if (s.state != State::Stopping && dependents_stopped(s)) stop_service(s, now);
    }
    if (any_service_alive) return;
    // Phase 2: services are gone; wait for adopted orphans and grandchildren
    // (HDFS and Spark leave some) until the overall deadline.
    if (now >= shutdown_deadline && !final_kill_sent) {
      spdlog::warn("shutdown: deadline reached with descendants left; sending SIGKILL to all");
      ops.kill_all(SIGKILL);
      final_kill_sent = true;
    }
  }

  bool finished() const {
    if (!shutting_down) return false;
    for (const auto& s : svcs)
      if (s->pid > 0 || s->pre_pid > 0) return false;
    return !ops.have_children();
  }

  // ---- signals -------------------------------------------------------------

  void handle_signals() {
    signalfd_siginfo si;
    while (read(sigfd, &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si))) {
      on_signal(static_cast<int>(si.ssi_signo));
    }
  }

  void on_signal(int sig) {
    switch (sig) {
      case SIGCHLD:
        break;  // reaping runs after every wake-up anyway
      case SIGTERM:
      case SIGINT:
        spdlog::info("received {}", sig::name(sig));
        if (!terminate_deferred && !shutting_down && hooks.on_terminate && hooks.on_terminate(sig)) {
          terminate_deferred = true;  // the hook shuts down when it is done
          break;
        }
        begin_shutdown(exit_code);
        break;
      case SIGHUP:
        spdlog::info("received SIGHUP: reloading service definitions");
        reload();
        break;
      default:
        forward(sig);
    }
  }

  void forward(int sig) {
    int n = 0;
    for (auto& s : svcs) {
      if (s->pid <= 0) continue;
      const auto& f = s->spec.forward_signals;
      if (std::find(f.begin(), f.end(), sig) == f.end()) continue;
      signal_group(s->pid, sig);
      ++n;
    }
    spdlog::debug("{} forwarded to {} service(s)", sig::name(sig), n);
  }

  // ---- reload (SIGHUP) -----------------------------------------------------

  void reload() {
    if (!hooks.reload || shutting_down) {
      spdlog::warn("reload: not supported in this mode");
      return;
    }
    auto next = hooks.reload();
    if (!next) {
      spdlog::error("reload: keeping the running definitions: {}", next.error());
      return;
    }
    apply_services(std::move(*next));
  }

  // Moves the running set to `next`: new services start, changed ones
  // (argv, env, probes or rendered configs) restart, removed ones stop.
  void apply_services(ServiceSet nx) {
    auto* next = &nx;
    auto now = ops.now();
    std::vector<std::unique_ptr<Svc>> ordered;
    for (auto& spec : next->services) {
      auto it = std::find_if(svcs.begin(), svcs.end(), [&](auto& s) { return s && s->spec.name == spec.name; });
      if (it == svcs.end()) {
        spdlog::info("reload: new service {}", spec.name);
        ordered.push_back(std::make_unique<Svc>(spec, settings));
        continue;
      }
      auto s = std::move(*it);
      svcs.erase(it);
      if (!(s->spec == spec)) {
        spdlog::info("reload: {} changed; restarting it", spec.name);
        if (s->pid > 0 || s->pre_pid > 0) {
          s->replacement = spec;
          stop_service(*s, now);
        } else {
          s->spec = spec;
          if (s->state != State::Waiting) set_state(*s, State::Waiting, "reloaded");
          s->backoff.reset();
          s->wait_index = 0;
        }
      }
      ordered.push_back(std::move(s));
    }
    for (auto& s : svcs) {  // removed from the definitions
      spdlog::info("reload: {} removed; stopping it", s->spec.name);
      if (s->pid > 0 || s->pre_pid > 0) {
        // Keep tracking until it exits, so the pid is still reaped as ours.
        s->remove_after_stop = true;
        stop_service(*s, now);
        ordered.push_back(std::move(s));
      }
    }
    svcs = std::move(ordered);
  }

  void prune_removed() {
    svcs.erase(std::remove_if(svcs.begin(), svcs.end(),
                              [](auto& s) { return s->remove_after_stop && s->pid <= 0 && s->pre_pid <= 0; }),
               svcs.end());
  }

  // ---- status --------------------------------------------------------------

  void publish(Clock::time_point now) {
    AgentStatus st = hooks.identity;
    st.started_unix_ms = unix_ms(started);
    st.shutting_down = shutting_down;
    st.zombies_reaped = zombies_reaped;
    st.children_reaped = children_reaped;
    st.transition_errors = transition_errors;
    for (const auto& sp : svcs) {
      const Svc& s = *sp;
      ServiceStatus o;
      o.name = s.spec.name;
      o.state = std::string(to_string(s.state));
      o.pid = s.pid > 0 ? s.pid : 0;
      o.restarts = s.restarts;
      o.last_exit_code = s.last_exit_code;
      o.last_signal = s.last_signal;
      o.since_unix_ms = unix_ms(s.since);
      o.started_unix_ms = s.pid > 0 ? unix_ms(std::chrono::system_clock::now() -
                                                 std::chrono::duration_cast<std::chrono::system_clock::duration>(now - s.started))
                                 : 0;
      o.ready = s.state == State::Ready;
      o.critical = s.spec.critical;
      o.reason = s.reason;
      o.probe_latency_s = static_cast<double>(s.last_probe.latency.count()) / 1000.0;
      o.probes_total = s.probes_total;
      st.services.push_back(std::move(o));
    }
    board.publish(std::move(st));
  }

  void notify_all_ready() {
    if (all_ready_notified || shutting_down || svcs.empty()) return;
    for (const auto& s : svcs)
      if (s->state != State::Ready) return;
    all_ready_notified = true;
    spdlog::info("all {} services READY", svcs.size());
    if (hooks.on_all_ready) hooks.on_all_ready();
  }

  // ---- the loop ------------------------------------------------------------

  int next_timeout_ms(Clock::time_point now) {
    Clock::time_point soonest = Clock::time_point::max();
    auto consider = [&](Clock::time_point t) { soonest = std::min(soonest, t); };
    for (const auto& s : svcs) {
      if (s->state == State::Backoff) consider(s->wake);
      if (s->state == State::Stopping && !s->kill_sent) consider(s->wake);
      if (s->pre_pid > 0) consider(s->pre_deadline);
      if (s->state == State::Starting && s->pid > 0 && s->spec.ready_within.count() > 0)
        consider(s->unready_kill_at ? *s->unready_kill_at : s->started + s->spec.ready_within);
      if (s->probe_pid > 0) consider(s->probe_deadline);
      if (current_probe(*s) && !s->probe_inflight) consider(s->next_probe);
      // A service tick() moved to WAITING late in its pass (BACKOFF expiring)
      // has nothing else to wake the loop: without this it never restarts.
      if (s->state == State::Waiting && s->wait_index >= s->spec.wait_for.size() &&
          (shutting_down || deps_ready(*s)))
        consider(now);
    }
    if (shutting_down) {
      consider(shutdown_deadline);
      // Adopted orphans do not always die with a SIGCHLD we can wait on
      // (they may be reparented later), so poll gently while draining.
      consider(now + Millis{200});
    }
    if (soonest == Clock::time_point::max()) return -1;  // idle: no wake-ups at all
    auto ms = std::chrono::duration_cast<Millis>(soonest - now).count();
    return static_cast<int>(std::clamp<long long>(ms + 1, 0, 60000));
  }

  // One pass after a wake-up (or a test's step): every event source, then
  // time. True once the shutdown is complete.
  bool step() {
    auto now = ops.now();
    reap(now);
    drain_probe_queue(now);
    run_tasks();
    tick(now);
    prune_removed();
    publish(now);
    return finished();
  }

  int run() {
    std::vector<pollfd> fds;
    for (;;) {
      if (step()) break;
      auto now = ops.now();

      fds.clear();
      fds.push_back({sigfd, POLLIN, 0});
      fds.push_back({queue->efd, POLLIN, 0});
      for (const auto& s : svcs) fds.push_back({s->log->read_fd(), POLLIN, 0});
      int rc = poll(fds.data(), fds.size(), next_timeout_ms(now));
      if (rc < 0 && errno != EINTR) {
        spdlog::error("poll: {}", std::strerror(errno));
      }
      if (fds[0].revents & POLLIN) handle_signals();
      for (std::size_t i = 2; i < fds.size() && i - 2 < svcs.size(); ++i) {
        if (fds[i].revents & (POLLIN | POLLHUP)) svcs[i - 2]->log->drain();
      }
    }
    for (auto& s : svcs) s->log->flush();
    spdlog::info("shutdown complete; {} children reaped, exit code {}", children_reaped, exit_code);
    return exit_code;
  }
};

// The per-state tables, defined here where Impl is complete.
const Supervisor::Impl::MainExitFn Supervisor::Impl::kOnMainExit[] = {
      [](Impl& i, Svc& a0, const MainExit& a1, Clock::time_point a2) { i.main_exit_unexpected(a0, a1, a2); },  // Waiting
      [](Impl& i, Svc& a0, const MainExit& a1, Clock::time_point a2) { i.main_exit_running(a0, a1, a2); },     // Starting
      [](Impl& i, Svc& a0, const MainExit& a1, Clock::time_point a2) { i.main_exit_running(a0, a1, a2); },     // Ready
      [](Impl& i, Svc& a0, const MainExit& a1, Clock::time_point a2) { i.main_exit_unexpected(a0, a1, a2); },  // Backoff
      [](Impl& i, Svc& a0, const MainExit& a1, Clock::time_point a2) { i.main_exit_stopping(a0, a1, a2); },    // Stopping
      [](Impl& i, Svc& a0, const MainExit& a1, Clock::time_point a2) { i.main_exit_unexpected(a0, a1, a2); },  // Exited
      [](Impl& i, Svc& a0, const MainExit& a1, Clock::time_point a2) { i.main_exit_unexpected(a0, a1, a2); },  // Failed
  };

const Supervisor::Impl::PreExitFn Supervisor::Impl::kOnPreExit[] = {
      [](Impl& i, Svc& a0, int a1, Clock::time_point a2) { i.pre_exit_unexpected(a0, a1, a2); },  // Waiting
      [](Impl& i, Svc& a0, int a1, Clock::time_point a2) { i.pre_exit_starting(a0, a1, a2); },    // Starting
      [](Impl& i, Svc& a0, int a1, Clock::time_point a2) { i.pre_exit_unexpected(a0, a1, a2); },  // Ready
      [](Impl& i, Svc& a0, int a1, Clock::time_point a2) { i.pre_exit_unexpected(a0, a1, a2); },  // Backoff
      [](Impl& i, Svc& a0, int a1, Clock::time_point a2) { i.pre_exit_stopping(a0, a1, a2); },    // Stopping
      [](Impl& i, Svc& a0, int a1, Clock::time_point a2) { i.pre_exit_unexpected(a0, a1, a2); },  // Exited
      [](Impl& i, Svc& a0, int a1, Clock::time_point a2) { i.pre_exit_unexpected(a0, a1, a2); },  // Failed
  };

const Supervisor::Impl::ProbeFn Supervisor::Impl::kOnProbe[] = {
      [](Impl& i, Svc& a0, const ProbeResult& a1, Clock::time_point a2) { i.probe_waiting(a0, a1, a2); },   // Waiting
      [](Impl& i, Svc& a0, const ProbeResult& a1, Clock::time_point a2) { i.probe_starting(a0, a1, a2); },  // Starting
      [](Impl& i, Svc& a0, const ProbeResult& a1, Clock::time_point a2) { i.probe_late(a0, a1, a2); },      // Ready
      [](Impl& i, Svc& a0, const ProbeResult& a1, Clock::time_point a2) { i.probe_late(a0, a1, a2); },      // Backoff
      [](Impl& i, Svc& a0, const ProbeResult& a1, Clock::time_point a2) { i.probe_late(a0, a1, a2); },      // Stopping
      [](Impl& i, Svc& a0, const ProbeResult& a1, Clock::time_point a2) { i.probe_late(a0, a1, a2); },      // Exited
      [](Impl& i, Svc& a0, const ProbeResult& a1, Clock::time_point a2) { i.probe_late(a0, a1, a2); },      // Failed
  };

const Supervisor::Impl::TickFn Supervisor::Impl::kOnTick[] = {
      [](Impl& i, Svc& a0, Clock::time_point a1) { i.tick_waiting(a0, a1); },   // Waiting
      [](Impl& i, Svc& a0, Clock::time_point a1) { i.tick_starting(a0, a1); },  // Starting
      [](Impl& i, Svc& a0, Clock::time_point a1) { i.tick_nothing(a0, a1); },   // Ready
      [](Impl& i, Svc& a0, Clock::time_point a1) { i.tick_backoff(a0, a1); },   // Backoff
      [](Impl& i, Svc& a0, Clock::time_point a1) { i.tick_stopping(a0, a1); },  // Stopping
      [](Impl& i, Svc& a0, Clock::time_point a1) { i.tick_nothing(a0, a1); },   // Exited
      [](Impl& i, Svc& a0, Clock::time_point a1) { i.tick_nothing(a0, a1); },   // Failed
  };

Supervisor::Supervisor(ServiceSet set, SupervisorHooks hooks, StatusBoard& board, int signal_fd) {
  auto real = real_process_ops();
  ProcessOps& ops = *real;
  impl_ = std::make_unique<Impl>(std::move(set), std::move(hooks), board, signal_fd, std::move(real), ops, nullptr);
}
Supervisor::Supervisor(ServiceSet set, SupervisorHooks hooks, StatusBoard& board, int signal_fd, ProcessOps& ops,
                       TransitionCheck allowed)
    : impl_(std::make_unique<Impl>(std::move(set), std::move(hooks), board, signal_fd, nullptr, ops, allowed)) {}
Supervisor::~Supervisor() = default;
int Supervisor::run() { return impl_->run(); }
bool Supervisor::step() { return impl_->step(); }
void Supervisor::signal(int sig) { impl_->on_signal(sig); }
int Supervisor::exit_code() const { return impl_->exit_code; }
int Supervisor::next_timeout_ms() { return impl_->next_timeout_ms(impl_->ops.now()); }
uint64_t Supervisor::transition_errors() const { return impl_->transition_errors; }
void Supervisor::post(Task task) { impl_->post(std::move(task)); }

void Supervisor::request_shutdown(int code) {
  Impl* i = impl_.get();
  i->post([i, code]() -> std::optional<Result<ServiceSet>> {
    i->begin_shutdown(code);
    return std::nullopt;
  });
}

void Supervisor::signal_service(const std::string& name, int sig) {
  Impl* i = impl_.get();
  i->post([i, name, sig]() -> std::optional<Result<ServiceSet>> {
    Svc* s = i->find(name);
    if (!s || s->pid <= 0) {
      spdlog::warn("{}: not running; {} not sent", name, sig::name(sig));
      return std::nullopt;
    }
    spdlog::info("{}: sending {}", name, sig::name(sig));
    i->signal_group(s->pid, sig);
    return std::nullopt;
  });
}

}  // namespace vessel
