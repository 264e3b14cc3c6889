#pragma once
// Node-level checks (role file `checks:`): the data disk's fill level, a
// daemon's own health endpoint. A failing check makes the node DEGRADED (not
// ready); it never restarts a service.
//
// Each check is in one of three states:
//   unknown  never run, or no conclusive result yet (ProbeResult::conclusive:
//            a DataNode still starting refuses connections or has not
//            registered its FSDatasetState bean). Not a problem, not logged;
//            /status shows the detail.
//   ok       the last run passed.
//   failing  the last run failed after a conclusive result: a disk above
//            its limit, a wrong value, or, once the check has been judged,
//            any failure (a target that answered before and is gone now).
//            A problem.
// A change between ok and failing is logged once (warn with the detail when a
// check starts failing, info when it recovers); repeated results are silent.
//
// Disk use is computed like df's Use%: used = f_blocks - f_bfree, and
// used% = ceil(100 * used / (used + f_bavail)). Blocks reserved for root do
// not count as available, because the data daemons do not run as root.
#include <sys/statvfs.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "supervise/probe.hpp"
#include "supervise/service_spec.hpp"

namespace vessel {

using StatvfsFn = std::function<int(const char* path, struct statvfs* out)>;

// One disk check, pure apart from `fs`. ok=false with a detail like
// "/data 93% used (limit 90%)" or "statvfs /data: No such file or directory".
ProbeResult run_disk_check(const CheckSpec& spec, const StatvfsFn& fs);

class NodeChecks {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  // Injected for tests; the defaults are the real system.
  struct Deps {
    StatvfsFn statvfs = [](const char* p, struct statvfs* out) { return ::statvfs(p, out); };
    std::function<ProbeResult(const ProbeSpec&)> probe = run_network_probe;
    std::function<SteadyTime()> now = [] { return std::chrono::steady_clock::now(); };
    std::function<long long()> unix_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  };

  explicit NodeChecks(std::vector<CheckSpec> specs);
  NodeChecks(std::vector<CheckSpec> specs, Deps deps);
  ~NodeChecks();
  NodeChecks(const NodeChecks&) = delete;
  NodeChecks& operator=(const NodeChecks&) = delete;

  void start();  // runs checks on a thread of its own until stop()
  void stop();   // prompt: wakes the thread, waits for a running check to end

  // "data-disk: /data 93% used (limit 90%)" per failing check. Thread-safe.
  std::vector<std::string> problems() const;
  // For /status: [{name, state: unknown|ok|failing, ok, detail, since_unix_ms}].
  nlohmann::json view() const;
  // Reload: checks whose spec is unchanged keep their state and schedule.
  void set_specs(std::vector<CheckSpec> specs);

  // One pass: runs every check due at `now` (each new check is due at once),
  // records the results, and returns when the next check is due. The thread
  // calls this; tests call it directly with a fake time.
  SteadyTime run_due(SteadyTime now);

 private:
  enum class State { Unknown, Ok, Failing };
  struct Entry {
    CheckSpec spec;
    State state = State::Unknown;
    bool judged = false;  // a conclusive result has been seen
    std::string detail;
    long long since_unix_ms = 0;
    bool scheduled = false;
    SteadyTime due{};
  };
  ProbeResult run_one(const CheckSpec& spec) const;
  void record(Entry& e, const ProbeResult& r);
  void loop();

  Deps deps_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> entries_;
  bool stopping_ = false;
  bool changed_ = false;  // set_specs woke the thread
  std::thread thread_;
};

}  // namespace vessel
