// The supervisor as a pure state machine: driven step by step through a
// FakeProcessOps (fake clock, fake pids, exits and probe answers when the
// test says so). No process, thread or poll() is involved, so every
// scenario is exact and instant. Each scenario also checks that the machine
// never attempted a transition the table forbids; the last test case is the
// negative control that such an attempt is seen.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <set>

#include "supervise/process_ops.hpp"
#include "supervise/state.hpp"
#include "supervise/supervisor.hpp"

using namespace vessel;
using namespace std::chrono_literals;

namespace {

int exited(int code) { return code << 8; }  // a waitpid status
int killed(int sig) { return sig; }

// Processes are records; a signal kills at once unless the process ignores
// it (SIGKILL always kills, SIGCONT never does).
class FakeProcessOps final : public ProcessOps {
 public:
  struct Proc {
    std::vector<std::string> argv;
    bool alive = true;
  };
  Clock::time_point t = Clock::time_point{} + 1h;
  std::map<pid_t, Proc> procs;
  std::vector<std::vector<std::string>> spawned;  // every argv, in order
  std::vector<std::pair<pid_t, int>> signals;     // every signal_group call
  std::vector<int> kill_all_calls;
  std::set<std::string> exec_fails;    // argv[0] whose exec fails with ENOENT
  std::set<std::string> ignore_term;   // argv[0] that survive all but SIGKILL
  std::vector<std::function<void(ProbeResult)>> probes;  // network probes asked for
  std::deque<Reaped> exits;

  Result<Identity> resolve_identity(const std::string& user, const std::string&) override {
    if (user == "nobody-here") return Error{"user nobody-here: no such user"};
    return Identity{};
  }
  Result<Spawned> spawn(const SpawnOptions& o) override {
    spawned.push_back(o.argv);
    if (exec_fails.count(o.argv.at(0))) return Spawned{-1, SpawnFailure{ENOENT, "exec"}};
    pid_t pid = next_pid_++;
    procs[pid] = Proc{o.argv};
    return Spawned{pid, std::nullopt};
  }
  void signal_group(pid_t pgid, int sig) override {
    signals.emplace_back(pgid, sig);
    auto it = procs.find(pgid);
    if (it == procs.end() || !it->second.alive || sig == SIGCONT) return;
    if (sig != SIGKILL && ignore_term.count(it->second.argv.at(0))) return;
    exit(pgid, killed(sig));
  }
  void reap(const std::function<void(const Reaped&)>& fn) override {
    while (!exits.empty()) {
      Reaped r = exits.front();
      exits.pop_front();
      fn(r);
    }
  }
  bool have_children() override {
    if (!exits.empty()) return true;
    for (const auto& [pid, p] : procs)
      if (p.alive) return true;
    return false;
  }
  void kill_all(int sig) override {
    kill_all_calls.push_back(sig);
    for (auto& [pid, p] : procs)
      if (p.alive) exit(pid, killed(sig));
  }
  Clock::time_point now() override { return t; }
  void network_probe(const ProbeSpec&, std::function<void(ProbeResult)> done) override {
    probes.push_back(std::move(done));
  }

  // The process ends (it is reaped on the next step).
  void exit(pid_t pid, int status) {
    procs[pid].alive = false;
    exits.push_back({pid, status});
  }
  // A descendant that is no service (re-parented to PID 1).
  pid_t adopt_orphan() {
    pid_t pid = next_pid_++;
    procs[pid] = Proc{{"orphan"}};
    return pid;
  }
  // The signals sent to one group, SIGCONT left out.
  std::vector<int> signals_to(pid_t pid) const {
    std::vector<int> out;
    for (auto [p, s] : signals)
      if (p == pid && s != SIGCONT) out.push_back(s);
    return out;
  }

 private:
  pid_t next_pid_ = 1000;
};

ServiceSpec spec(const std::string& name, std::vector<std::string> deps = {}) {
  ServiceSpec s;
  s.name = name;
  s.argv = {"/bin/" + name};
  s.depends_on = std::move(deps);
  s.stop_grace = 1000ms;
  return s;
}

ProbeSpec tcp_probe() {
  ProbeSpec p;
  p.kind = ProbeSpec::Kind::Tcp;
  p.host = "127.0.0.1";
  p.port = 1;
  p.interval = 500ms;
  return p;
}

ProbeResult probe_ok() {
  ProbeResult r;
  r.ok = true;
  return r;
}

SupervisorSettings fast_settings() {
  SupervisorSettings s;
  s.backoff_initial = 1000ms;
  s.backoff_max = 1000ms;
  s.max_restarts = 3;
  s.shutdown_deadline = 10000ms;
  return s;
}

struct Rig {
  FakeProcessOps ops;
  StatusBoard board;
  std::unique_ptr<Supervisor> sup;

  explicit Rig(std::vector<ServiceSpec> specs, SupervisorHooks hooks = {},
               Supervisor::TransitionCheck allowed = nullptr) {
    ServiceSet set;
    set.services = std::move(specs);
    set.settings = fast_settings();
    sup = std::make_unique<Supervisor>(std::move(set), std::move(hooks), board, -1, ops, allowed);
  }
  bool step() { return sup->step(); }
  bool advance(Clock::duration d) {
    ops.t += d;
    return sup->step();
  }
  ServiceStatus svc(const std::string& name) const {
    for (auto& s : board.snapshot().services)
      if (s.name == name) return s;
    FAIL("no service " << name);
    return {};
  }
  std::string state(const std::string& name) const { return svc(name).state; }
  pid_t pid(const std::string& name) const { return svc(name).pid; }
  // Steps until the shutdown completes, at most n times.
  bool run_to_end(int n = 20) {
    for (int i = 0; i < n; ++i)
      if (step()) return true;
    return false;
  }
};

}  // namespace

TEST_CASE("machine: services start in depends_on order", "[supervise][machine]") {
  auto a = spec("a");
  a.readiness = tcp_probe();
  Rig rig({a, spec("b", {"a"}), spec("c", {"b"})});
  rig.step();
  REQUIRE(rig.ops.spawned == std::vector<std::vector<std::string>>{{"/bin/a"}});
  CHECK(rig.state("a") == "STARTING");
  CHECK(rig.state("b") == "WAITING");
  CHECK(rig.svc("b").reason == "waiting for a");
  CHECK(rig.state("c") == "WAITING");

  rig.step();  // a's first probe goes out; still only a runs
  CHECK(rig.ops.spawned.size() == 1);
  REQUIRE(rig.ops.probes.size() == 1);

  rig.ops.probes[0](probe_ok());
  rig.step();
  CHECK(rig.state("a") == "READY");
  CHECK(rig.state("b") == "READY");
  CHECK(rig.state("c") == "READY");
  CHECK(rig.ops.spawned == std::vector<std::vector<std::string>>{{"/bin/a"}, {"/bin/b"}, {"/bin/c"}});
  // All READY, no probes due: the loop would sleep without a timeout.
  CHECK(rig.sup->next_timeout_ms() == -1);
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: a crash goes to BACKOFF and restarts after the delay", "[supervise][machine]") {
  Rig rig({spec("a")});
  rig.step();
  REQUIRE(rig.state("a") == "READY");
  const pid_t first = rig.pid("a");

  rig.ops.exit(first, exited(3));
  rig.step();
  CHECK(rig.state("a") == "BACKOFF");
  CHECK(rig.svc("a").restarts == 1);
  CHECK(rig.svc("a").last_exit_code == 3);
  // Leftovers of the old group are killed before the restart.
  CHECK(rig.ops.signals_to(first) == std::vector<int>{SIGKILL});
  // The delay is 1s with jitter in [0.8, 1.2): the loop would wake inside it.
  const int timeout = rig.sup->next_timeout_ms();
  CHECK(timeout >= 800);
  CHECK(timeout <= 1201);

  rig.advance(700ms);  // before the earliest possible restart
  CHECK(rig.state("a") == "BACKOFF");
  CHECK(rig.ops.spawned.size() == 1);

  rig.advance(600ms);  // past the latest possible one
  CHECK(rig.state("a") == "WAITING");
  CHECK(rig.sup->next_timeout_ms() <= 1);  // it must not sleep in WAITING
  rig.step();
  CHECK(rig.state("a") == "READY");
  CHECK(rig.ops.spawned.size() == 2);
  CHECK(rig.pid("a") != first);
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: a crash loop ends FAILED; a critical FAILED exits 1", "[supervise][machine]") {
  auto a = spec("a");
  a.critical = true;
  Rig rig({a, spec("b")});
  rig.step();
  REQUIRE(rig.state("a") == "READY");
  for (int i = 0; i < 3; ++i) {  // max_restarts = 3
    rig.ops.exit(rig.pid("a"), exited(1));
    rig.step();
    REQUIRE(rig.state("a") == "BACKOFF");
    rig.advance(1300ms);
    rig.step();
    REQUIRE(rig.state("a") == "READY");
  }
  rig.ops.exit(rig.pid("a"), exited(1));
  rig.step();
  CHECK(rig.state("a") == "FAILED");
  CHECK_THAT(rig.svc("a").reason, Catch::Contains("restart limit"));
  CHECK(rig.board.snapshot().shutting_down);
  CHECK(rig.ops.spawned.size() == 5);  // a four times, b once

  const pid_t b = rig.pid("b");
  CHECK(rig.run_to_end());
  CHECK(rig.ops.signals_to(b) == std::vector<int>{SIGTERM});
  CHECK(rig.state("b") == "EXITED");
  CHECK(rig.sup->exit_code() == 1);
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: a non-critical FAILED keeps the node running", "[supervise][machine]") {
  auto a = spec("a");
  a.restart = RestartPolicy::Never;
  Rig rig({a});
  rig.step();
  rig.ops.exit(rig.pid("a"), exited(2));
  rig.step();
  CHECK(rig.state("a") == "FAILED");
  CHECK_FALSE(rig.board.snapshot().shutting_down);
  CHECK(rig.sup->exit_code() == 0);
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: shutdown stops in reverse dependency order, SIGKILL after stop_grace",
          "[supervise][machine]") {
  Rig rig({spec("a"), spec("b", {"a"}), spec("c", {"b"})});
  rig.ops.ignore_term.insert("/bin/b");
  rig.step();
  const pid_t a = rig.pid("a"), b = rig.pid("b"), c = rig.pid("c");
  REQUIRE(rig.state("c") == "READY");

  rig.sup->signal(SIGTERM);
  CHECK_FALSE(rig.step());
  CHECK(rig.ops.signals_to(c) == std::vector<int>{SIGTERM});
  CHECK(rig.ops.signals_to(b).empty());
  CHECK(rig.ops.signals_to(a).empty());

  CHECK_FALSE(rig.step());  // c reaped: b is asked to stop, and ignores it
  CHECK(rig.state("c") == "EXITED");
  CHECK(rig.state("b") == "STOPPING");
  CHECK(rig.ops.signals_to(b) == std::vector<int>{SIGTERM});
  CHECK(rig.ops.signals_to(a).empty());

  CHECK_FALSE(rig.advance(900ms));  // inside b's grace
  CHECK(rig.ops.signals_to(b) == std::vector<int>{SIGTERM});

  CHECK_FALSE(rig.advance(200ms));  // grace over
  CHECK(rig.ops.signals_to(b) == std::vector<int>{SIGTERM, SIGKILL});
  CHECK(rig.ops.signals_to(a).empty());  // b still unreaped

  CHECK(rig.run_to_end());
  CHECK(rig.ops.signals_to(a) == std::vector<int>{SIGTERM});
  CHECK(rig.state("a") == "EXITED");
  CHECK(rig.state("b") == "EXITED");
  CHECK(rig.svc("b").last_signal == SIGKILL);
  CHECK(rig.sup->exit_code() == 0);
  CHECK(rig.ops.kill_all_calls.empty());
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: reload restarts only the changed services", "[supervise][machine]") {
  std::vector<ServiceSpec> next{spec("a"), spec("b"), spec("new")};
  next[1].argv.push_back("--changed");
  SupervisorHooks hooks;
  hooks.reload = [&]() -> Result<ServiceSet> {
    ServiceSet set;
    set.services = next;
    set.settings = fast_settings();
    return set;
  };
  Rig rig({spec("a"), spec("b"), spec("gone")}, hooks);
  rig.step();
  const pid_t a = rig.pid("a"), b = rig.pid("b"), gone = rig.pid("gone");

  rig.sup->signal(SIGHUP);
  CHECK(rig.ops.signals_to(b) == std::vector<int>{SIGTERM});
  CHECK(rig.ops.signals_to(gone) == std::vector<int>{SIGTERM});
  rig.step();
  rig.step();
  CHECK(rig.ops.signals_to(a).empty());
  CHECK(rig.pid("a") == a);
  CHECK(rig.state("b") == "READY");
  CHECK(rig.pid("b") != b);
  CHECK(rig.state("new") == "READY");
  const std::vector<std::vector<std::string>> spawned{
      {"/bin/a"}, {"/bin/b"}, {"/bin/gone"}, {"/bin/b", "--changed"}, {"/bin/new"}};
  CHECK(rig.ops.spawned == spawned);
  for (auto& s : rig.board.snapshot().services) CHECK(s.name != "gone");
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: ready_within restarts a service that never becomes READY", "[supervise][machine]") {
  auto a = spec("a");
  a.readiness = tcp_probe();
  a.ready_within = 5000ms;
  Rig rig({a});
  rig.ops.ignore_term.insert("/bin/a");
  rig.step();
  const pid_t first = rig.pid("a");
  REQUIRE(rig.state("a") == "STARTING");
  CHECK(rig.sup->next_timeout_ms() <= 501);  // the next probe is due

  rig.advance(4900ms);
  CHECK(rig.ops.signals_to(first).empty());
  rig.advance(200ms);  // ready_within is over: stop signal, then SIGKILL
  CHECK(rig.ops.signals_to(first) == std::vector<int>{SIGTERM});
  rig.advance(1100ms);
  CHECK(rig.ops.signals_to(first) == std::vector<int>{SIGTERM, SIGKILL});
  rig.step();
  CHECK(rig.state("a") == "BACKOFF");
  CHECK_THAT(rig.svc("a").reason, Catch::Contains("not READY within 5000ms"));

  rig.advance(1300ms);
  rig.step();
  REQUIRE(rig.state("a") == "STARTING");
  CHECK(rig.pid("a") != first);
  // A late answer for the first instance is stale and changes nothing.
  rig.ops.probes.front()(probe_ok());
  rig.step();
  CHECK(rig.state("a") == "STARTING");
  REQUIRE(rig.ops.probes.size() == 2);  // the new instance's first probe
  rig.ops.probes.back()(probe_ok());
  rig.step();
  CHECK(rig.state("a") == "READY");
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: a failing pre_start step never starts the main process", "[supervise][machine]") {
  auto a = spec("a");
  a.pre_start.push_back(PreStartStep{"", {"/bin/prep"}, 5000ms});

  SECTION("exit code: BACKOFF, then the step runs again") {
    Rig rig({a});
    rig.step();
    REQUIRE(rig.ops.spawned == std::vector<std::vector<std::string>>{{"/bin/prep"}});
    CHECK(rig.state("a") == "STARTING");
    CHECK(rig.svc("a").reason == "pre_start[0]");
    rig.ops.exit(1000, exited(4));
    rig.step();
    CHECK(rig.state("a") == "BACKOFF");
    CHECK_THAT(rig.svc("a").reason, Catch::Contains("pre_start[0] exited with status 4"));
    rig.advance(1300ms);
    rig.step();
    CHECK(rig.ops.spawned == std::vector<std::vector<std::string>>{{"/bin/prep"}, {"/bin/prep"}});
    rig.ops.exit(rig.ops.procs.rbegin()->first, exited(0));  // now it passes
    rig.step();
    CHECK(rig.state("a") == "READY");
    CHECK(rig.ops.spawned.back() == std::vector<std::string>{"/bin/a"});
    CHECK(rig.sup->transition_errors() == 0);
  }
  SECTION("timeout: killed, then restart policy Never makes it FAILED") {
    a.restart = RestartPolicy::Never;
    Rig rig({a});
    rig.ops.ignore_term.insert("/bin/prep");
    rig.step();
    rig.advance(5100ms);
    CHECK(rig.ops.signals_to(1000) == std::vector<int>{SIGKILL});
    rig.step();
    CHECK(rig.state("a") == "FAILED");
    CHECK(rig.ops.spawned.size() == 1);
    CHECK(rig.sup->transition_errors() == 0);
  }
  SECTION("exec fails: BACKOFF with the reason") {
    Rig rig({a});
    rig.ops.exec_fails.insert("/bin/prep");
    rig.step();
    CHECK(rig.state("a") == "BACKOFF");
    CHECK_THAT(rig.svc("a").reason, Catch::Contains("pre_start[0] exec"));
    CHECK(rig.sup->transition_errors() == 0);
  }
  SECTION("a refusing guard is final") {
    a.pre_start[0].guard = "hdfs-format";
    SupervisorHooks hooks;
    hooks.guard = [](const ServiceSpec&, const PreStartStep&) {
      return GuardDecision{GuardDecision::Kind::Refuse, "other cluster"};
    };
    Rig rig({a}, hooks);
    rig.step();
    CHECK(rig.state("a") == "FAILED");
    CHECK(rig.ops.spawned.empty());
    CHECK(rig.sup->transition_errors() == 0);
  }
}

TEST_CASE("machine: main process exec failure and unknown user", "[supervise][machine]") {
  SECTION("exec ENOENT: exit code 127, BACKOFF") {
    Rig rig({spec("a")});
    rig.ops.exec_fails.insert("/bin/a");
    rig.step();
    CHECK(rig.state("a") == "BACKOFF");
    CHECK(rig.svc("a").last_exit_code == 127);
    CHECK(rig.sup->transition_errors() == 0);
  }
  SECTION("unknown user: nothing spawned") {
    auto a = spec("a");
    a.user = "nobody-here";
    Rig rig({a});
    rig.step();
    CHECK(rig.state("a") == "BACKOFF");
    CHECK_THAT(rig.svc("a").reason, Catch::Contains("nobody-here"));
    CHECK(rig.ops.spawned.empty());
    CHECK(rig.sup->transition_errors() == 0);
  }
}

TEST_CASE("machine: orphans are reaped, counted, and waited for at shutdown", "[supervise][machine]") {
  Rig rig({spec("a")});
  rig.step();
  const pid_t orphan = rig.ops.adopt_orphan();
  rig.ops.exit(orphan, exited(0));
  rig.step();
  auto st = rig.board.snapshot();
  CHECK(st.zombies_reaped == 1);
  CHECK(st.children_reaped == 1);
  CHECK(rig.state("a") == "READY");  // an orphan's exit is not a service's

  const pid_t lingering = rig.ops.adopt_orphan();  // survives the shutdown
  rig.sup->signal(SIGTERM);
  rig.step();
  rig.step();
  REQUIRE(rig.state("a") == "EXITED");
  CHECK_FALSE(rig.step());  // services gone, a descendant left
  CHECK(rig.sup->next_timeout_ms() <= 201);
  CHECK(rig.ops.kill_all_calls.empty());
  CHECK_FALSE(rig.advance(9000ms));
  CHECK(rig.ops.kill_all_calls.empty());
  CHECK_FALSE(rig.advance(1100ms));  // the shutdown deadline
  CHECK(rig.ops.kill_all_calls == std::vector<int>{SIGKILL});
  CHECK(rig.step());
  st = rig.board.snapshot();
  CHECK(st.zombies_reaped == 2);
  CHECK(st.children_reaped == 3);
  CHECK_FALSE(rig.ops.procs[lingering].alive);
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: an exec wait_for probe gates the start; one that overruns is killed", "[supervise][machine]") {
  auto a = spec("a");
  ProbeSpec check;
  check.kind = ProbeSpec::Kind::Exec;
  check.argv = {"/bin/check"};
  check.interval = 500ms;
  check.timeout = 2000ms;
  a.wait_for.push_back(check);
  Rig rig({a});
  rig.ops.ignore_term.insert("/bin/check");
  rig.step();
  REQUIRE(rig.ops.spawned == std::vector<std::vector<std::string>>{{"/bin/check"}});
  CHECK(rig.state("a") == "WAITING");
  CHECK(rig.sup->next_timeout_ms() == 2001);  // the probe's timeout

  rig.advance(2100ms);  // overran: killed, counted failed
  CHECK(rig.ops.signals_to(1000) == std::vector<int>{SIGKILL});
  CHECK(rig.svc("a").reason == "exec probe timed out");
  rig.step();  // its exit is the probe's, not an orphan's
  CHECK(rig.board.snapshot().zombies_reaped == 0);
  CHECK(rig.ops.spawned.size() == 1);

  rig.advance(600ms);  // the next probe after the interval
  REQUIRE(rig.ops.spawned.size() == 2);
  rig.ops.exit(1001, exited(0));
  rig.step();
  CHECK(rig.state("a") == "READY");
  CHECK(rig.ops.spawned.back() == std::vector<std::string>{"/bin/a"});
  CHECK(rig.svc("a").probes_total == 2);
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: signals are forwarded only to services that ask for them", "[supervise][machine]") {
  auto a = spec("a");
  a.forward_signals = {SIGUSR1};
  Rig rig({a, spec("b")});
  rig.ops.ignore_term.insert("/bin/a");  // survives SIGUSR1 too
  rig.step();
  rig.sup->signal(SIGUSR1);
  CHECK(rig.ops.signals_to(rig.pid("a")) == std::vector<int>{SIGUSR1});
  CHECK(rig.ops.signals_to(rig.pid("b")).empty());
  CHECK(rig.sup->transition_errors() == 0);
}

namespace {
// The real table minus STARTING -> READY.
bool without_starting_to_ready(State from, State to) {
  return !(from == State::Starting && to == State::Ready) && transition_allowed(from, to);
}
}  // namespace

TEST_CASE("machine: a forbidden transition is refused and counted (negative control)",
          "[supervise][machine]") {
  Rig rig({spec("a")}, {}, &without_starting_to_ready);
  rig.step();
  CHECK(rig.sup->transition_errors() == 1);
  CHECK(rig.state("a") == "STARTING");  // refused: the state did not change
  rig.step();
  CHECK(rig.sup->transition_errors() == 1);  // nothing tried it again

  // The same scenario on the real table counts nothing.
  Rig real({spec("a")});
  real.step();
  CHECK(real.state("a") == "READY");
  CHECK(real.sup->transition_errors() == 0);
}

namespace {
// The real table minus WAITING -> STARTING: the main process is spawned but
// the service stays WAITING, a state that has no process.
bool without_waiting_to_starting(State from, State to) {
  return !(from == State::Waiting && to == State::Starting) && transition_allowed(from, to);
}
}  // namespace

TEST_CASE("machine: an exit in a state without a process is counted (negative control)",
          "[supervise][machine]") {
  Rig rig({spec("a")}, {}, &without_waiting_to_starting);
  rig.step();
  REQUIRE(rig.ops.spawned.size() == 1);
  CHECK(rig.state("a") == "WAITING");
  CHECK(rig.sup->transition_errors() == 2);  // WAITING -> STARTING, WAITING -> READY
  rig.ops.exit(1000, exited(0));
  rig.step();
  // 3: the exit, which has no action in WAITING; 4, 5: the tick after it
  // starts a again and is refused twice again.
  CHECK(rig.sup->transition_errors() == 5);
  CHECK(rig.ops.spawned.size() == 2);
  CHECK(rig.state("a") == "WAITING");
}

TEST_CASE("machine: on_terminate takes the first SIGTERM; request_shutdown ends with its code",
          "[supervise][machine][drain]") {
  int asked = 0;
  SupervisorHooks hooks;
  hooks.on_terminate = [&](int sig) {
    ++asked;
    return sig == SIGTERM;
  };
  Rig rig({spec("a")}, hooks);
  rig.step();
  const pid_t a = rig.pid("a");
  rig.sup->signal(SIGTERM);
  CHECK_FALSE(rig.step());
  CHECK(asked == 1);
  CHECK(rig.ops.signals_to(a).empty());  // deferred: nothing stops yet
  CHECK(rig.state("a") == "READY");
  // The drain's own signal, then its stop.
  rig.sup->signal_service("a", SIGPWR);
  rig.sup->signal_service("nobody", SIGPWR);  // logged, no-op
  CHECK_FALSE(rig.step());
  CHECK(rig.ops.signals_to(a) == std::vector<int>{SIGPWR});  // (the fake dies of any signal)
  rig.sup->request_shutdown(1);
  CHECK(rig.run_to_end());
  CHECK(rig.sup->exit_code() == 1);
  CHECK(rig.sup->transition_errors() == 0);
}

TEST_CASE("machine: a second SIGTERM stops at once; a declining hook stops at once", "[supervise][machine][drain]") {
  SupervisorHooks hooks;
  hooks.on_terminate = [](int) { return true; };
  Rig rig({spec("a")}, hooks);
  rig.step();
  rig.sup->signal(SIGTERM);
  rig.step();
  CHECK(rig.state("a") == "READY");
  rig.sup->signal(SIGTERM);
  CHECK(rig.run_to_end());
  CHECK(rig.sup->exit_code() == 0);

  SupervisorHooks no;
  no.on_terminate = [](int) { return false; };
  Rig plain({spec("a")}, no);
  plain.step();
  plain.sup->signal(SIGTERM);
  CHECK(plain.run_to_end());
}
