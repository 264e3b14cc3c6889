#pragma once
// The state that can be read from outside (after s6): the supervisor writes a
// fresh snapshot after every wake-up, HTTP threads copy it under a short
// lock. A slow client therefore never blocks the supervisor loop.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vessel {

struct ServiceStatus {
  std::string name;
  std::string state;           // WAITING, STARTING, READY, ...
  int pid = 0;
  int restarts = 0;
  std::optional<int> last_exit_code;
  std::optional<int> last_signal;
  int64_t since_unix_ms = 0;   // when it entered its state
  int64_t started_unix_ms = 0; // when the current process started (0 if none);
                               // uptime is derived at read time, so an idle
                               // loop never has to wake up to refresh it
  bool ready = false;
  bool critical = false;
  std::string reason;          // why not ready / why failed
  double probe_latency_s = 0;  // last readiness probe
  uint64_t probes_total = 0;
};

struct AgentStatus {
  std::string node;
  std::string role;
  std::string source;
  std::string version;
  int64_t started_unix_ms = 0;
  bool shutting_down = false;
  uint64_t zombies_reaped = 0;   // every child reaped that was not a service
  uint64_t children_reaped = 0;  // every child reaped
  uint64_t transition_errors = 0;  // forbidden state transitions refused (a bug if not 0)
  std::vector<ServiceStatus> services;
  // Agent-level reasons for not being ready (e.g. no configuration yet).
  std::vector<std::string> problems;
  nlohmann::json extra = nlohmann::json::object();  // cluster sync etc.; never secrets
  // Prometheus text from other components (set_metrics), appended to /metrics.
  std::string metrics_extra;
};

class StatusBoard {
 public:
  void publish(AgentStatus s) {
    std::lock_guard<std::mutex> g(mu_);
    s_ = std::move(s);
  }
  // The latest snapshot, with every provider's view under its key.
  AgentStatus snapshot() const {
    AgentStatus s;
    std::map<std::string, std::function<nlohmann::json()>> providers;
    std::map<std::string, ProblemsFn> problems;
    std::map<std::string, MetricsFn> metrics;
    {
      std::lock_guard<std::mutex> g(mu_);
      s = s_;
      providers = providers_;
      problems = problems_;
      metrics = metrics_;
    }
    for (const auto& [k, fn] : metrics) s.metrics_extra += fn();
    // Providers run outside our lock: they take their own.
    for (const auto& [k, fn] : providers) s.extra[k] = fn();
    for (const auto& [k, fn] : problems)
      for (auto& p : fn()) s.problems.push_back(std::move(p));
    return s;
  }
  // Reasons the node is not ready that other components own (registration
  // refused, a full data disk...), read when a client asks: a component
  // whose state changes needs no supervisor wake-up to be seen.
  using ProblemsFn = std::function<std::vector<std::string>()>;
  // Prometheus text (HELP/TYPE included) that another component owns, e.g.
  // the master's drain progress; read when /metrics is asked.
  using MetricsFn = std::function<std::string()>;
  void set_metrics(const std::string& key, MetricsFn fn) {
    std::lock_guard<std::mutex> g(mu_);
    metrics_[key] = std::move(fn);
  }
  void set_problems(const std::string& key, ProblemsFn fn) {
    std::lock_guard<std::mutex> g(mu_);
    problems_[key] = std::move(fn);
  }
  // Other components (cluster sync, config source) attach a view that is
  // read when a client asks, so they never need to wake the supervisor.
  void set_provider(const std::string& key, std::function<nlohmann::json()> fn) {
    std::lock_guard<std::mutex> g(mu_);
    providers_[key] = std::move(fn);
  }

 private:
  mutable std::mutex mu_;
  AgentStatus s_;
  std::map<std::string, std::function<nlohmann::json()>> providers_;
  std::map<std::string, ProblemsFn> problems_;
  std::map<std::string, MetricsFn> metrics_;
};

// Pure renderings of a snapshot.
bool all_ready(const AgentStatus& s);
std::vector<std::string> not_ready_reasons(const AgentStatus& s);
nlohmann::json status_json(const AgentStatus& s, int64_t now_unix_ms);
std::string metrics_text(const AgentStatus& s, int64_t now_unix_ms, long rss_bytes);

}  // namespace vessel
