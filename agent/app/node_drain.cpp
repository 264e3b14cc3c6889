#include "app/node_drain.hpp"

#include <spdlog/spdlog.h>

#include "init/signals.hpp"

namespace vessel {

namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::seconds;

std::string error_of(const DrainIO::Answer& a) {
  auto j = json::parse(a.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  return "HTTP " + std::to_string(a.status);
}

std::int64_t num(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string eta_text(const json& p) {
  auto it = p.find("eta_s");
  return it != p.end() && it->is_number() ? it->dump() + " s" : "unknown";
}

}  // namespace

std::string_view to_string(DrainPhase p) {
  switch (p) {
    case DrainPhase::idle: return "idle";
    case DrainPhase::hdfs: return "hdfs";
    case DrainPhase::spark: return "spark";
    case DrainPhase::stopping: return "stopping";
    case DrainPhase::left: return "left";
    case DrainPhase::timed_out: return "timed_out";
    case DrainPhase::refused: return "refused";
    case DrainPhase::cancelled: return "cancelled";
    default: return "failed";
  }
}

NodeDrain::NodeDrain(std::string name, std::vector<ServiceSpec> services, DrainIO& io, DrainTiming t)
    : name_(std::move(name)), services_(std::move(services)), io_(io), timing_(t) {}

NodeDrain::~NodeDrain() {
  {
    std::lock_guard g(mu_);
    cancel_ = true;
  }
  join();
}

void NodeDrain::join() {
  if (thread_.joinable()) thread_.join();
}

void NodeDrain::set(DrainPhase p, std::string message) {
  std::lock_guard g(mu_);
  phase_ = p;
  message_ = std::move(message);
}

DrainPhase NodeDrain::phase() const {
  std::lock_guard g(mu_);
  return phase_;
}

bool NodeDrain::cancelled() const {
  std::lock_guard g(mu_);
  return cancel_;
}

json NodeDrain::view() const {
  std::lock_guard g(mu_);
  json j{{"name", name_}, {"phase", std::string(to_string(phase_))}, {"message", message_},
         {"progress", progress_}};
  if (phase_ != DrainPhase::idle)
    j["elapsed_s"] = duration_cast<seconds>(io_.now() - started_).count();
  return j;
}

Status NodeDrain::start(DrainRequest r) {
  {
    std::lock_guard g(mu_);
    if (running_) return err("drain: already running (phase " + std::string(to_string(phase_)) + ")");
    if (phase_ == DrainPhase::stopping || phase_ == DrainPhase::left)
      return err("drain: the node is " + std::string(to_string(phase_)));
    running_ = true;
    cancel_ = false;
  }
  join();
  thread_ = std::thread([this, r] { run(r); });
  return ok();
}

void NodeDrain::finish_failed(const DrainRequest& r, DrainPhase p, const std::string& message) {
  set(p, message);
  if (p == DrainPhase::cancelled) spdlog::info("drain {}: {}", name_, message);
  else spdlog::error("drain {}: {}", name_, message);
  if (r.on_sigterm) {
    spdlog::warn("drain {}: SIGTERM: stopping without leaving the cluster", name_);
    io_.shutdown(1);
  }
}

// Step 1: the master decommissions our DataNode. False: finished otherwise.
bool NodeDrain::hdfs_phase(const DrainRequest& r) {
  const std::string path = "/v1/cluster/members/" + name_ + "/drain";
  auto a = io_.master("POST", path + (r.force ? "?force=1" : ""));
  if (!a) {
    finish_failed(r, DrainPhase::failed, "master unreachable: " + a.error());
    return false;
  }
  if (a->status == 409) {
    finish_failed(r, DrainPhase::refused, "the master refused: " + error_of(*a));
    return false;
  }
  if (a->status != 200 && a->status != 202) {
    finish_failed(r, DrainPhase::failed, "the master refused (HTTP " + std::to_string(a->status) + "): " + error_of(*a));
    return false;
  }
  spdlog::info("drain {}: the master is decommissioning our DataNode (timeout {} s)", name_, r.timeout.count());
  auto last_log = io_.now() - timing_.log_every;
  for (;;) {
    auto g = io_.master("GET", path);
    json p = json::object();
    if (g && g->status == 200) p = json::parse(g->body, nullptr, false);
    if (!p.is_object()) p = json::object();
    const bool done = p.value("state", "") == "decommissioned";
    const auto now = io_.now();
    const auto elapsed = duration_cast<seconds>(now - started_);
    {
      std::lock_guard lk(mu_);
      if (!p.empty()) progress_ = p;
      else progress_["master_error"] = g ? "HTTP " + std::to_string(g->status) : g.error();
      message_ = "HDFS: " + progress_.value("hdfs_state", std::string("unknown")) + ", " +
                 std::to_string(num(progress_, "under_replicated_blocks")) + " under-replicated block(s), ~" +
                 std::to_string(num(progress_, "bytes_left") >> 20) + " MB left, ETA " + eta_text(progress_);
    }
    if (done || now - last_log >= timing_.log_every) {
      last_log = now;
      spdlog::info("drain {}: {}, {} s elapsed", name_, view()["message"].get<std::string>(), elapsed.count());
    }
    if (done) return true;
    if (elapsed >= r.timeout) {
      json last;
      {
        std::lock_guard lk(mu_);
        last = progress_;
      }
      finish_failed(r, DrainPhase::timed_out,
                    "not decommissioned after " + std::to_string(r.timeout.count()) + " s: " +
                        std::to_string(num(last, "under_replicated_blocks")) + " block(s) still under-replicated, " +
                        std::to_string(num(last, "decommission_only_replicas")) +
                        " with no live replica outside the leaving node(s) (removing it now would lose those); "
                        "the node stays excluded (vessel drain --cancel recommissions it)");
      return false;
    }
    if (!io_.sleep(timing_.poll, [this] { return cancelled(); })) {
      finish_failed(r, DrainPhase::cancelled, "cancelled; the node is back in service");
      return false;
    }
  }
}

// Step 2: the services' own decommissioning (the Spark worker's).
void NodeDrain::spark_phase() {
  for (const auto& s : services_) {
    if (!s.decommission) continue;
    const DecommissionSpec& d = *s.decommission;
    set(DrainPhase::spark, "decommissioning " + s.name);
    if (d.signal) io_.signal_service(s.name, d.signal);
    if (d.done.kind == ProbeSpec::Kind::None) continue;
    const auto deadline = io_.now() + d.within;
    bool done = false;
    while (!(done = io_.probe(d.done)) && io_.now() < deadline)
      if (!io_.sleep(d.done.interval, [this] { return cancelled(); })) break;
    if (done) spdlog::info("drain {}: {} decommissioned", name_, s.name);
    else spdlog::warn("drain {}: {} not decommissioned within {} s; stopping it anyway", name_, s.name,
                      duration_cast<seconds>(d.within).count());
  }
}

void NodeDrain::run(DrainRequest r) {
  {
    std::lock_guard g(mu_);
    started_ = io_.now();
    phase_ = DrainPhase::hdfs;
    message_ = "asking the master";
    progress_ = json::object();
  }
  if (hdfs_phase(r)) {
    spark_phase();
    set(DrainPhase::stopping, "decommissioned; stopping the services in order");
    spdlog::info("drain {}: decommissioned; stopping the services in order, then leaving", name_);
    io_.shutdown(0);
  }
  std::lock_guard g(mu_);
  running_ = false;
}

Result<std::string> NodeDrain::cancel() {
  {
    std::lock_guard g(mu_);
    if (phase_ == DrainPhase::stopping || phase_ == DrainPhase::left)
      return err("drain: too late to cancel, the node is " + std::string(to_string(phase_)));
    cancel_ = true;
  }
  join();
  auto a = io_.master("POST", "/v1/cluster/members/" + name_ + "/drain?cancel=1");
  if (!a) return err("master unreachable: " + a.error());
  if (a->status != 200) return err("the master refused the cancel: " + error_of(*a));
  set(DrainPhase::cancelled, "cancelled; the node is back in service");
  spdlog::info("drain {}: cancelled; back in service", name_);
  return std::string("cancelled; the node is back in service");
}

bool NodeDrain::leave() {
  if (phase() != DrainPhase::stopping) return false;
  auto a = io_.master("DELETE", "/v1/cluster/members/" + name_);
  if (!a || a->status != 200) {
    const std::string why = a ? error_of(*a) : a.error();
    set(DrainPhase::failed, "services stopped, but leaving the membership failed: " + why);
    spdlog::error("drain {}: leaving the membership failed: {}", name_, why);
    return false;
  }
  set(DrainPhase::left, "left the cluster");
  spdlog::info("drain {}: left the cluster (out of every hosts file and the workers file)", name_);
  return true;
}

}  // namespace vessel
