#include "supervise/checks.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vessel {

ProbeResult run_disk_check(const CheckSpec& spec, const StatvfsFn& fs) {
  ProbeResult r;
  r.conclusive = true;  // a statvfs answer, even an error, is definitive
  struct statvfs st{};
  if (fs(spec.disk_path.c_str(), &st) != 0) {
    r.detail = "statvfs " + spec.disk_path + ": " + std::strerror(errno);
    return r;
  }
  const unsigned long long used = st.f_blocks >= st.f_bfree ? st.f_blocks - st.f_bfree : 0;
  const unsigned long long total = used + st.f_bavail;
  // ceil(100 * used / total), like df; an empty or pseudo filesystem is 0%.
  const unsigned long long pct = total == 0 ? 0 : (100 * used + total - 1) / total;
  if (pct > static_cast<unsigned long long>(spec.max_used_percent)) {
    r.detail = spec.disk_path + " " + std::to_string(pct) + "% used (limit " +
               std::to_string(spec.max_used_percent) + "%)";
    return r;
  }
  r.ok = true;
  return r;
}

NodeChecks::NodeChecks(std::vector<CheckSpec> specs) : NodeChecks(std::move(specs), Deps{}) {}

NodeChecks::NodeChecks(std::vector<CheckSpec> specs, Deps deps) : deps_(std::move(deps)) {
  set_specs(std::move(specs));
}

NodeChecks::~NodeChecks() { stop(); }

void NodeChecks::start() {
  std::lock_guard lk(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void NodeChecks::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NodeChecks::loop() {
  std::unique_lock lk(mu_);
  while (!stopping_) {
    lk.unlock();
    const auto next = run_due(deps_.now());
    lk.lock();
    if (!changed_) cv_.wait_until(lk, next, [this] { return stopping_ || changed_; });
    changed_ = false;
  }
}

void NodeChecks::set_specs(std::vector<CheckSpec> specs) {
  {
    std::lock_guard lk(mu_);
    std::vector<Entry> next;
    for (auto& s : specs) {
      auto old = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.spec == s; });
      if (old != entries_.end()) {
        next.push_back(std::move(*old));
      } else {
        Entry e;
        e.spec = std::move(s);
        next.push_back(std::move(e));
      }
    }
    entries_ = std::move(next);
    changed_ = true;
  }
  cv_.notify_all();
}

ProbeResult NodeChecks::run_one(const CheckSpec& spec) const {
  if (spec.kind == CheckSpec::Kind::Disk) return run_disk_check(spec, deps_.statvfs);
  return deps_.probe(spec.probe);
}

NodeChecks::SteadyTime NodeChecks::run_due(SteadyTime now) {
  std::vector<CheckSpec> due;
  {
    std::lock_guard lk(mu_);
    for (auto& e : entries_) {
      if (e.scheduled && e.due > now) continue;
      e.scheduled = true;
      e.due = now + e.spec.interval;
      due.push_back(e.spec);
    }
  }
  // Checks block (an HTTP timeout), so they run without the lock: problems()
  // and view() answer meanwhile.
  std::vector<ProbeResult> results;
  for (const auto& s : due) results.push_back(run_one(s));
  std::lock_guard lk(mu_);
  for (std::size_t i = 0; i < due.size(); ++i) {
    // A reload during the run may have replaced or dropped the check.
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.spec == due[i]; });
    if (it != entries_.end()) record(*it, results[i]);
  }
  SteadyTime next = now + std::chrono::hours(1);
  for (const auto& e : entries_) next = std::min(next, e.scheduled ? e.due : now);
  return next;
}

void NodeChecks::record(Entry& e, const ProbeResult& r) {
  const auto& name = e.spec.name;
  if (r.ok) {
    e.judged = true;
    if (e.state == State::Failing) spdlog::info("check {}: recovered", name);
    if (e.state != State::Ok) e.since_unix_ms = deps_.unix_ms();
    e.state = State::Ok;
    e.detail.clear();
    return;
  }
  e.detail = r.detail;
  if (!r.conclusive && !e.judged) return;  // not up yet: stays unknown, silently
  e.judged = true;
  if (e.state != State::Failing) {
    spdlog::warn("check {}: failing: {}", name, r.detail);
    e.since_unix_ms = deps_.unix_ms();
  }
  e.state = State::Failing;
}

std::vector<std::string> NodeChecks::problems() const {
  std::lock_guard lk(mu_);
  std::vector<std::string> out;
  for (const auto& e : entries_) {
    if (e.state == State::Failing) out.push_back(e.spec.name + ": " + e.detail);
  }
  return out;
}

nlohmann::json NodeChecks::view() const {
  std::lock_guard lk(mu_);
  auto out = nlohmann::json::array();
  for (const auto& e : entries_) {
    nlohmann::json o;
    o["name"] = e.spec.name;
    o["state"] = e.state == State::Ok ? "ok" : e.state == State::Failing ? "failing" : "unknown";
    if (e.state == State::Unknown) {
      o["ok"] = nullptr;
    } else {
      o["ok"] = e.state == State::Ok;
    }
    o["detail"] = e.detail;
    o["since_unix_ms"] = e.since_unix_ms;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace vessel
