#pragma once
// The master's watch over draining members (issue 10): one NameNode JMX read
// per pass, shared by every reader (the drain API's GETs, /status, /metrics),
// so no client multiplies the scraping.
//
// A pass (tick) asks the NameNode about the members that are draining, keeps
// each one's progress (state, under-replicated blocks, bytes left, ETA from
// its first sample), marks the member decommissioned once the NameNode says
// Decommissioned, and logs one progress line per member every `log_every`.
// It also reads the namespace's UnderReplicatedBlocks for /metrics.
// A background thread ticks every `interval` (start/stop); refresh(max_age)
// ticks on demand when the last pass is older than max_age.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "cluster/drain.hpp"
#include "cluster/membership.hpp"
#include "util/result.hpp"

namespace vessel::cluster {

struct DrainMonitorOptions {
  std::chrono::milliseconds interval{2000};
  std::chrono::milliseconds log_every{5000};
};

class DrainMonitor {
 public:
  using JmxFn = std::function<Result<std::string>()>;
  using Clock = std::chrono::steady_clock;
  using NowFn = std::function<Clock::time_point()>;

  // `info`: NameNodeInfo; `fsn`: FSNamesystem (either may be null: no data).
  DrainMonitor(Membership& members, JmxFn info, JmxFn fsn, DrainMonitorOptions o = {}, NowFn now = &Clock::now);
  ~DrainMonitor();

  void tick();
  // Ticks when the last pass is older than max_age (thread-safe).
  void refresh(std::chrono::milliseconds max_age);
  // A draining member's progress: {"hdfs_state","under_replicated_blocks",
  // "decommission_only_replicas","bytes_left","eta_s" (null: unknown yet),
  // "elapsed_s","hdfs_error"}; nullopt when the member is not tracked.
  std::optional<nlohmann::json> progress(const std::string& name) const;
  // /status: {"draining": {name: progress}, "under_replicated_blocks": N|null}
  nlohmann::json view() const;
  // /metrics lines (Prometheus text, HELP/TYPE included).
  std::string metrics() const;
  // A member whose drain was cancelled starts afresh next time.
  void forget(const std::string& name);

  void start();
  void stop();

 private:
  struct Track {
    ProgressSample first;
    Clock::time_point started, last_log{};
    DecomProgress last;
    std::optional<std::chrono::seconds> eta;
    std::string error;
  };
  void observe(const MemberView& m, const Result<DecomProgress>& p, Clock::time_point now);

  Membership& members_;
  JmxFn info_, fsn_;
  DrainMonitorOptions opts_;
  NowFn now_;
  std::mutex tick_mu_;  // one pass at a time; guards last_fsn_
  Clock::time_point last_fsn_{};
  mutable std::mutex mu_;  // guards the fields below
  std::map<std::string, Track> tracks_;
  std::optional<std::int64_t> under_replicated_;
  std::optional<Clock::time_point> last_tick_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vessel::cluster
