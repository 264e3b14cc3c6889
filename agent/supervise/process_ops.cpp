#include "supervise/process_ops.hpp"

#include <signal.h>
#include <unistd.h>

#include <thread>

namespace vessel {

ProcessOps::~ProcessOps() = default;

namespace {

class RealProcessOps final : public ProcessOps {
 public:
  Result<Identity> resolve_identity(const std::string& user, const std::string& group) override {
    return vessel::resolve_identity(user, group);
  }
  Result<Spawned> spawn(const SpawnOptions& opts) override { return vessel::spawn(opts); }
  void signal_group(pid_t pgid, int sig) override {
    if (pgid > 0) kill(-pgid, sig);
  }
  void reap(const std::function<void(const Reaped&)>& fn) override { reap_all(fn); }
  bool have_children() override { return vessel::have_children(); }
  void kill_all(int sig) override {
    if (getpid() == 1) kill(-1, sig);
  }
  Clock::time_point now() override { return Clock::now(); }
  void network_probe(const ProbeSpec& spec, std::function<void(ProbeResult)> done) override {
    // Detached: the thread only touches its own copies.
    std::thread([spec, done = std::move(done)] { done(run_network_probe(spec)); }).detach();
  }
};

}  // namespace

std::unique_ptr<ProcessOps> real_process_ops() { return std::make_unique<RealProcessOps>(); }

}  // namespace vessel
