#pragma once
// The supervisor's per-service record: the spec plus everything the state
// machine tracks at run time. Internal to supervise/.
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "supervise/backoff.hpp"
#include "supervise/probe.hpp"
#include "supervise/service_log.hpp"
#include "supervise/state.hpp"

namespace vessel {

struct Svc {
  Svc(ServiceSpec s, const SupervisorSettings& settings)
      : spec(std::move(s)), backoff(settings), log(std::make_unique<ServiceLog>(spec.name, spec.log_file)) {}

  ServiceSpec spec;
  State state = State::Waiting;
  std::chrono::system_clock::time_point since = std::chrono::system_clock::now();
  std::string reason;

  pid_t pid = -1;                  // main process (also its process group)
  Clock::time_point started{};     // when the main process was spawned
  int restarts = 0;
  std::optional<int> last_exit_code, last_signal;
  Backoff backoff;
  Clock::time_point wake{};        // BACKOFF: restart time; STOPPING: SIGKILL time
  bool kill_sent = false;
  // Set when the main process was signalled for missing ready_within; a
  // SIGKILL follows at this time if it has not exited by then.
  std::optional<Clock::time_point> unready_kill_at;

  // Pre-start steps run as children before the main process.
  std::size_t pre_index = 0;
  pid_t pre_pid = -1;
  Clock::time_point pre_deadline{};

  // Probing: wait_for conditions while WAITING, readiness while STARTING.
  std::size_t wait_index = 0;
  bool probe_inflight = false;
  pid_t probe_pid = -1;            // exec probe child
  Clock::time_point probe_deadline{};
  Clock::time_point probe_started{};
  Clock::time_point next_probe{};
  uint64_t generation = 0;         // bumps on every spawn: stale results are dropped
  ProbeResult last_probe;
  uint64_t probes_total = 0;

  // Reload bookkeeping.
  std::optional<ServiceSpec> replacement;  // restart with this spec after stop
  bool remove_after_stop = false;

  std::unique_ptr<ServiceLog> log;
};

}  // namespace vessel
