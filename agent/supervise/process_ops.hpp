#pragma once
// Every call the supervisor makes into the OS, behind one interface (after
// LevelDB's Env and supervisord's DummyOptions): the real implementation
// forks, signals and reaps; a test's fake records the calls and reports
// exits and probe answers when the test says so, on a fake clock. With a
// fake the supervisor is a pure state machine a unit test can drive step by
// step (Supervisor::step()).
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "init/reaper.hpp"
#include "init/spawn.hpp"
#include "supervise/backoff.hpp"
#include "supervise/probe.hpp"
#include "supervise/users.hpp"
#include "util/result.hpp"

namespace vessel {

class ProcessOps {
 public:
  virtual ~ProcessOps();
  // "" user keeps vessel's identity; an unknown user or group is an error.
  virtual Result<Identity> resolve_identity(const std::string& user, const std::string& group) = 0;
  // fork + exec (init/spawn.hpp): an Error if fork failed, Spawned::failure
  // if the child never exec'd.
  virtual Result<Spawned> spawn(const SpawnOptions& opts) = 0;
  // kill(-pgid, sig); no-op for pgid <= 0.
  virtual void signal_group(pid_t pgid, int sig) = 0;
  // waitpid(-1, WNOHANG) until nothing is left, calling fn for each child.
  virtual void reap(const std::function<void(const Reaped&)>& fn) = 0;
  // True while any child remains.
  virtual bool have_children() = 0;
  // kill(-1, sig), only when this process is PID 1 (never kill the caller's
  // session when run as a subreaper in tests).
  virtual void kill_all(int sig) = 0;
  virtual Clock::time_point now() = 0;
  // Runs a TCP/HTTP probe off the loop thread; `done` may be called from any
  // thread (it only queues the result for the loop).
  virtual void network_probe(const ProbeSpec& spec, std::function<void(ProbeResult)> done) = 0;
};

// The OS itself.
std::unique_ptr<ProcessOps> real_process_ops();

}  // namespace vessel
