#include "cluster/drain_monitor.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

namespace vessel::cluster {

namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::seconds;

std::string label(const std::string& v) {  // names are hostnames: no escaping needed, but be safe
  std::string o;
  for (char c : v) {
    if (c == '\\' || c == '"') o += '\\';
    o += c == '\n' ? ' ' : c;
  }
  return o;
}

}  // namespace

DrainMonitor::DrainMonitor(Membership& members, JmxFn info, JmxFn fsn, DrainMonitorOptions o, NowFn now)
    : members_(members), info_(std::move(info)), fsn_(std::move(fsn)), opts_(o), now_(std::move(now)) {}

DrainMonitor::~DrainMonitor() { stop(); }

void DrainMonitor::observe(const MemberView& m, const Result<DecomProgress>& p, Clock::time_point now) {
  bool done = false;
  {
    std::lock_guard g(mu_);
    auto [it, fresh] = tracks_.try_emplace(m.name);
    Track& t = it->second;
    if (fresh) t.started = now;
    if (!p) {
      t.error = p.error();
    } else {
      t.error.clear();
      t.last = *p;
      const ProgressSample s{now, p->under_replicated_blocks};
      if (fresh || t.first.blocks < s.blocks) t.first = s;  // restart the rate when blocks grow
      t.eta = drain_eta(t.first, s);
      done = p->done();
    }
    if (now - t.last_log >= opts_.log_every || done) {
      t.last_log = now;
      const auto el = duration_cast<seconds>(now - t.started).count();
      if (!p)
        spdlog::warn("drain {}: NameNode not answering: {} ({} s)", m.name, t.error, el);
      else
        spdlog::info("drain {}: {}, {} under-replicated block(s), ~{} MB left, ETA {}, {} s elapsed", m.name,
                     p->state, p->under_replicated_blocks, p->bytes_left() >> 20,
                     t.eta ? std::to_string(t.eta->count()) + " s" : "unknown", el);
    }
  }
  if (done) {
    members_.set_admin(m.name, AdminState::decommissioned);
    spdlog::info("drain {}: Decommissioned: every block has enough live replicas elsewhere", m.name);
  }
}

void DrainMonitor::tick() {
  std::lock_guard pass(tick_mu_);
  const auto now = now_();
  std::vector<MemberView> draining;
  std::map<std::string, bool> tracked;
  for (const auto& m : members_.members()) {
    if (m.state == MemberState::draining) draining.push_back(m);
    if (excluded(m.state)) tracked[m.name] = true;
  }
  if (!draining.empty() && info_) {
    auto body = info_();
    for (const auto& m : draining) {
      auto p = body ? parse_decom_progress(*body, m.name, m.ip) : Result<DecomProgress>{Error{body.error()}};
      observe(m, p, now);
    }
  }
  // The namespace's count: every pass while something drains, else every 15 s.
  std::optional<std::int64_t> under;
  {
    std::lock_guard g(mu_);
    under = under_replicated_;
  }
  if (fsn_ && (!draining.empty() || now - last_fsn_ >= std::chrono::seconds(15))) {
    last_fsn_ = now;
    under.reset();
    auto body = fsn_();
    if (body) {
      auto n = parse_under_replicated(*body);
      if (n) under = *n;
    }
  }
  std::lock_guard g(mu_);
  // Decommissioned members keep their last progress (for GETs) until they
  // leave the exclude set; the others are dropped.
  std::erase_if(tracks_, [&](const auto& kv) { return !tracked.count(kv.first); });
  under_replicated_ = under;
  last_tick_ = now;
}

void DrainMonitor::refresh(std::chrono::milliseconds max_age) {
  {
    std::lock_guard g(mu_);
    if (last_tick_ && now_() - *last_tick_ < max_age) return;
  }
  tick();
}

std::optional<json> DrainMonitor::progress(const std::string& name) const {
  std::lock_guard g(mu_);
  auto it = tracks_.find(name);
  if (it == tracks_.end()) return std::nullopt;
  const Track& t = it->second;
  json j{{"hdfs_state", t.last.state},
         {"under_replicated_blocks", t.last.under_replicated_blocks},
         {"decommission_only_replicas", t.last.decommission_only_replicas},
         {"bytes_left", t.last.bytes_left()},
         {"eta_s", t.eta ? json(t.eta->count()) : json(nullptr)},
         {"elapsed_s", duration_cast<seconds>(now_() - t.started).count()}};
  if (t.last.done()) j["eta_s"] = 0;
  if (!t.error.empty()) j["hdfs_error"] = t.error;
  return j;
}

json DrainMonitor::view() const {
  json d = json::object();
  std::vector<std::string> names;
  {
    std::lock_guard g(mu_);
    for (const auto& [n, t] : tracks_) names.push_back(n);
  }
  for (const auto& n : names)
    if (auto p = progress(n)) d[n] = *p;
  std::lock_guard g(mu_);
  return {{"draining", d},
          {"under_replicated_blocks", under_replicated_ ? json(*under_replicated_) : json(nullptr)}};
}

std::string DrainMonitor::metrics() const {
  std::ostringstream m;
  std::map<std::string, int> by_state;
  for (auto s : {MemberState::alive, MemberState::missing, MemberState::draining, MemberState::decommissioned,
                 MemberState::left})
    by_state[std::string(to_string(s))] = 0;
  for (const auto& v : members_.members()) ++by_state[std::string(to_string(v.state))];
  m << "# HELP vessel_cluster_members Members of the cluster by state.\n# TYPE vessel_cluster_members gauge\n";
  for (const auto& [s, n] : by_state) m << "vessel_cluster_members{state=\"" << s << "\"} " << n << "\n";
  std::lock_guard g(mu_);
  m << "# HELP vessel_drain_under_replicated_blocks Blocks of a draining member not yet replicated elsewhere.\n"
       "# TYPE vessel_drain_under_replicated_blocks gauge\n";
  for (const auto& [n, t] : tracks_)
    m << "vessel_drain_under_replicated_blocks{member=\"" << label(n) << "\"} " << t.last.under_replicated_blocks
      << "\n";
  m << "# HELP vessel_drain_bytes_left Estimated bytes a draining member still has to copy.\n"
       "# TYPE vessel_drain_bytes_left gauge\n";
  for (const auto& [n, t] : tracks_)
    m << "vessel_drain_bytes_left{member=\"" << label(n) << "\"} " << t.last.bytes_left() << "\n";
  m << "# HELP vessel_drain_eta_seconds Estimated seconds until a draining member is decommissioned (-1: unknown).\n"
       "# TYPE vessel_drain_eta_seconds gauge\n";
  for (const auto& [n, t] : tracks_)
    m << "vessel_drain_eta_seconds{member=\"" << label(n) << "\"} "
      << (t.last.done() ? 0 : t.eta ? t.eta->count() : -1) << "\n";
  if (under_replicated_)
    m << "# HELP vessel_hdfs_under_replicated_blocks The NameNode's UnderReplicatedBlocks.\n"
         "# TYPE vessel_hdfs_under_replicated_blocks gauge\nvessel_hdfs_under_replicated_blocks "
      << *under_replicated_ << "\n";
  return m.str();
}

void DrainMonitor::forget(const std::string& name) {
  std::lock_guard g(mu_);
  tracks_.erase(name);
}

void DrainMonitor::start() {
  std::lock_guard g(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lk(mu_);
    while (!stopping_) {
      lk.unlock();
      tick();
      lk.lock();
      cv_.wait_for(lk, opts_.interval, [this] { return stopping_; });
    }
  });
}

void DrainMonitor::stop() {
  {
    std::lock_guard g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vessel::cluster
