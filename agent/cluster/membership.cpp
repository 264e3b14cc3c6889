#include "cluster/membership.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "cluster/host_validation.hpp"
#include "cluster/hosts_block.hpp"

namespace vessel::cluster {

std::string_view to_string(MemberState s) {
  switch (s) {
    case MemberState::missing: return "missing";
    case MemberState::draining: return "draining";
    case MemberState::decommissioned: return "decommissioned";
    case MemberState::left: return "left";
    default: return "alive";
  }
}

MemberState member_state_from(std::string_view s) {
  for (auto st : {MemberState::missing, MemberState::draining, MemberState::decommissioned, MemberState::left})
    if (s == to_string(st)) return st;
  return MemberState::alive;
}

bool valid_role(std::string_view role) {
  if (role.empty() || role.size() > 32 || role.front() < 'a' || role.front() > 'z') return false;
  return std::all_of(role.begin(), role.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Membership::Membership(std::vector<HostEntry> static_hosts, MembershipOptions opts, NowFn now)
    : opts_(opts),
      now_(std::move(now)),
      // Static entries come from validated NodeConfig, but clean them anyway
      // so the snapshot compares canonical IPs.
      static_(clean_entries(static_hosts).entries),
      remove_after_(opts.remove_after),
      // A restarted master must not reuse version numbers a worker already
      // applied, or the worker would skip fetching the new table. 2^32 random
      // starting points spaced 2^20 apart make a collision negligible.
      version_((uint64_t{std::random_device{}()} << 20) + 1) {}

MemberState Membership::state_of(const Member& m, Clock::time_point now) const {
  if (m.admin == AdminState::draining) return MemberState::draining;
  if (m.admin == AdminState::decommissioned) return MemberState::decommissioned;
  if (m.admin == AdminState::left) return MemberState::left;
  return now - m.last_seen > opts_.missing_after ? MemberState::missing : MemberState::alive;
}

void Membership::depart_locked(std::map<std::string, Member>::iterator it,
                               Clock::time_point now) const {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - it->second.last_seen);
  spdlog::info("membership: removed {} {} ({} for {} s)", it->first, it->second.ip,
               it->second.admin == AdminState::left ? "left" : "missing", secs.count());
  departed_.push_back({it->first, it->second.ip, it->second.role, now, {}});
  while (departed_.size() > kMaxDeparted) departed_.pop_front();
  members_.erase(it);
  ++version_;
}

void Membership::sweep_locked(Clock::time_point now) const {
  if (remove_after_ <= std::chrono::milliseconds::zero()) return;
  for (auto it = members_.begin(); it != members_.end();) {
    auto next = std::next(it);
    if (now - it->second.last_seen > remove_after_) depart_locked(it, now);
    it = next;
  }
}

void Membership::set_remove_after(std::chrono::milliseconds d) {
  std::lock_guard lock(mu_);
  remove_after_ = d;
}

void Membership::sweep() {
  std::lock_guard lock(mu_);
  sweep_locked(now_());
}

UpsertResult Membership::upsert(const Registration& r) {
  if (auto s = validate_hostname(r.name); !s) return {UpsertResult::invalid, "name: " + s.error()};
  auto ip = canonical_ip(r.ip);
  if (!ip) return {UpsertResult::invalid, "ip: " + ip.error()};
  if (!valid_role(r.role)) return {UpsertResult::invalid, std::string(kRoleRule)};

  std::lock_guard lock(mu_);
  const auto now = now_();
  sweep_locked(now);
  auto it = members_.find(r.name);
  if (it != members_.end()) {
    Member& m = it->second;
    UpsertResult::Code code = UpsertResult::refreshed;
    if (m.ip != ip.value()) {
      spdlog::info("membership: {} moved {} -> {}", r.name, m.ip, ip.value());
      code = UpsertResult::moved;
    }
    if (m.ip != ip.value() || m.role != r.role) ++version_;
    if (m.admin == AdminState::left) {
      // A node under a name that left is a new member (a scale-out reusing
      // the name): back in service, in the hosts and workers again.
      spdlog::info("membership: {} registered again after leaving", r.name);
      m.admin = AdminState::in_service;
      code = UpsertResult::created;
      ++version_;
    }
    m.ip = ip.value();
    m.role = r.role;
    m.last_seen = now;
    return {code, {}};
  }

  if (members_.size() >= opts_.max_members) {
    auto oldest = members_.end();
    for (auto i = members_.begin(); i != members_.end(); ++i) {
      if (state_of(i->second, now) != MemberState::missing) continue;
      if (oldest == members_.end() || i->second.last_seen < oldest->second.last_seen) oldest = i;
    }
    if (oldest == members_.end()) return {UpsertResult::full, "members: table full"};
    depart_locked(oldest, now);
  }
  members_.emplace(r.name, Member{ip.value(), r.role, now});
  // Back again: no longer departed.
  departed_.erase(std::remove_if(departed_.begin(), departed_.end(),
                                 [&](const Departed& d) { return d.name == r.name; }),
                  departed_.end());
  ++version_;
  return {UpsertResult::created, {}};
}

bool Membership::set_admin(const std::string& name, AdminState a) {
  std::lock_guard lock(mu_);
  sweep_locked(now_());
  auto it = members_.find(name);
  if (it == members_.end()) return false;
  if (it->second.admin != a) {
    it->second.admin = a;
    ++version_;
  }
  return true;
}

bool Membership::leave(const std::string& name) {
  std::lock_guard lock(mu_);
  const auto now = now_();
  sweep_locked(now);
  auto it = members_.find(name);
  if (it == members_.end()) return false;
  if (it->second.admin != AdminState::left) {
    spdlog::info("membership: {} {} left the cluster", name, it->second.ip);
    it->second.admin = AdminState::left;
    it->second.last_seen = now;
    ++version_;
  }
  return true;
}

void Membership::set_static_hosts(std::vector<HostEntry> hosts) {
  auto clean = clean_entries(hosts).entries;
  std::lock_guard lock(mu_);
  if (clean == static_) return;
  static_ = std::move(clean);
  ++version_;
}

std::vector<MemberView> Membership::members() const {
  std::lock_guard lock(mu_);
  const auto now = now_();
  sweep_locked(now);
  std::vector<MemberView> out;
  out.reserve(members_.size());
  for (const auto& [name, m] : members_) {
    out.push_back({name, m.ip, m.role, state_of(m, now),
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - m.last_seen)});
  }
  return out;  // std::map keeps names sorted
}

std::vector<HostEntry> Membership::static_hosts() const {
  std::lock_guard lock(mu_);
  return static_;
}

std::vector<Membership::Departed> Membership::departed() const {
  std::lock_guard lock(mu_);
  const auto now = now_();
  sweep_locked(now);
  std::vector<Departed> out(departed_.begin(), departed_.end());
  for (auto& d : out) d.since = std::chrono::duration_cast<std::chrono::milliseconds>(now - d.removed_at);
  return out;
}

Membership::HostsSnapshot Membership::hosts_snapshot() const {
  HostsSnapshot snap;
  std::vector<HostEntry> registered, statics;
  {
    std::lock_guard lock(mu_);
    sweep_locked(now_());
    snap.version = version_;
    statics = static_;
    for (const auto& [name, m] : members_) {
      if (m.admin != AdminState::left) {
        registered.push_back({m.ip, name});
        continue;
      }
      // Gone on purpose: its static entry (user_data) must not bring it back.
      const std::string& gone = name;  // (clang 14: a lambda cannot capture a structured binding)
      std::erase_if(statics, [&gone](const HostEntry& h) { return h.name == gone; });
    }
  }
  snap.hosts = overlay_entries(registered, statics).entries;
  return snap;
}

uint64_t Membership::version() const {
  std::lock_guard lock(mu_);
  sweep_locked(now_());
  return version_;
}

}  // namespace vessel::cluster
