#pragma once
// The supervisor: one thread, one poll() loop. It owns every child process:
// it starts services in dependency order, probes them, restarts them with
// backoff, reaps every zombie (services and adopted orphans alike), forwards
// signals, and runs the ordered shutdown. Only TCP/HTTP probes run on helper
// threads, which report back through an eventfd.
//
// Every OS call (spawn, signals, waitpid, the clock, probe threads) goes
// through ProcessOps (process_ops.hpp), so with a fake the supervisor is a
// pure state machine: step() runs one pass, signal() feeds a signal, and a
// unit test drives it on a fake clock (tests/unit/test_supervise_machine.cpp).
// Its actions are per-state tables (tick, main-process exit, pre_start
// exit, probe result), after s6-supervise's actions[state][event].
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "health/status_board.hpp"
#include "supervise/loader.hpp"
#include "util/result.hpp"

namespace vessel {

class ProcessOps;
enum class State;

// A pre-start guard's answer (e.g. the HDFS format guard).
struct GuardDecision {
  enum class Kind { Run, Skip, Refuse } kind = Kind::Run;
  std::string message;
};

struct SupervisorHooks {
  // SIGHUP: produce the new service definitions. Null = reload unsupported.
  std::function<Result<ServiceSet>()> reload;
  // Decides whether a guarded pre_start step runs.
  std::function<GuardDecision(const ServiceSpec&, const PreStartStep&)> guard;
  // Called once when every service is READY for the first time.
  std::function<void()> on_all_ready;
  // The first SIGTERM/SIGINT: true = the hook took it (e.g. drain first) and
  // will call request_shutdown() itself; false or null = shut down now. A
  // second one always shuts down now.
  std::function<bool(int sig)> on_terminate;
  // Template for the published status (node, role, source, version).
  AgentStatus identity;
};

class Supervisor {
 public:
  // `signal_fd` reads the signals blocked by the caller before any thread
  // was started.
  Supervisor(ServiceSet set, SupervisorHooks hooks, StatusBoard& board, int signal_fd);
  // The same machine on other process operations (a test's fake; not
  // owned). `allowed` replaces the transition table (state.hpp) for a
  // negative control; null = transition_allowed.
  using TransitionCheck = bool (*)(State from, State to);
  Supervisor(ServiceSet set, SupervisorHooks hooks, StatusBoard& board, int signal_fd, ProcessOps& ops,
             TransitionCheck allowed = nullptr);
  ~Supervisor();
  // Runs until shutdown; returns the process exit code: 0 after a requested
  // clean shutdown, 1 when a critical service FAILED.
  int run();

  // The machine without poll(), as run() drives it after every wake-up:
  // reaps, takes probe results and posted tasks, advances every service on
  // the ops' clock and publishes the status. Returns true once the shutdown
  // is complete (run() would return exit_code()).
  bool step();
  // A signal as read from the signal fd (SIGTERM/SIGINT shut down, SIGHUP
  // reloads, others are forwarded).
  void signal(int sig);
  int exit_code() const;
  // The poll() timeout run() would use now: -1 when idle.
  int next_timeout_ms();
  // Transitions the machine attempted that the table forbids, and child
  // exits in a state that has no action for them (no process there). Each
  // was refused (state unchanged) and logged; anything but 0 is a bug.
  uint64_t transition_errors() const;

  // Work for the loop thread, from any thread (e.g. a membership change seen
  // by the cluster sync thread). The task runs on the loop thread between
  // wake-ups, so it may touch what the loop owns; a ServiceSet it returns is
  // applied exactly like a SIGHUP reload's (changed services restart).
  using Task = std::function<std::optional<Result<ServiceSet>>()>;
  void post(Task task);
  // From any thread: begin the ordered shutdown; run() then returns `code`.
  void request_shutdown(int code);
  // From any thread: send `sig` to a running service's process group (e.g.
  // SIGPWR, Spark's decommission signal). Unknown or stopped: logged, no-op.
  void signal_service(const std::string& name, int sig);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vessel
