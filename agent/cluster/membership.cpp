#include "cluster/membership.hpp"

#include <algorithm>
#include <random>

#include "cluster/host_validation.hpp"
#include "cluster/hosts_block.hpp"

namespace vessel::cluster {

std::string_view to_string(MemberState s) {
  return s == MemberState::alive ? "alive" : "missing";
}

bool valid_role(std::string_view role) {
  return role == "master" || role == "worker" || role == "standalone";
}

Membership::Membership(std::vector<HostEntry> static_hosts, MembershipOptions opts, NowFn now)
    // Static entries come from validated NodeConfig, but clean them anyway so
    // the reserved-name check compares canonical IPs.
    : static_(clean_entries(static_hosts).entries),
      opts_(opts),
      now_(std::move(now)),
      // A restarted master must not reuse version numbers a worker already
      // applied, or the worker would skip fetching the new table. 2^32 random
      // starting points spaced 2^20 apart make a collision negligible.
      version_((uint64_t{std::random_device{}()} << 20) + 1) {}

MemberState Membership::state_of(const Member& m, Clock::time_point now) const {
  return now - m.last_seen > opts_.missing_after ? MemberState::missing : MemberState::alive;
}

UpsertResult Membership::upsert(const Registration& r) {
  if (auto s = validate_hostname(r.name); !s) return {UpsertResult::invalid, "name: " + s.error()};
  auto ip = canonical_ip(r.ip);
  if (!ip) return {UpsertResult::invalid, "ip: " + ip.error()};
  if (!valid_role(r.role)) return {UpsertResult::invalid, "role: must be master, worker or standalone"};

  for (const auto& s : static_) {
    if (s.name == r.name && s.ip != ip.value())
      return {UpsertResult::conflict, "name: reserved by a static hosts entry with another ip"};
  }

  std::lock_guard lock(mu_);
  const auto now = now_();
  auto it = members_.find(r.name);
  if (it != members_.end()) {
    Member& m = it->second;
    UpsertResult::Code code = UpsertResult::refreshed;
    if (m.ip != ip.value()) {
      if (state_of(m, now) == MemberState::alive)
        return {UpsertResult::conflict, "name: registered by an alive member with another ip"};
      code = UpsertResult::moved;
    }
    if (m.ip != ip.value() || m.role != r.role) ++version_;
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
    members_.erase(oldest);
  }
  members_.emplace(r.name, Member{ip.value(), r.role, now});
  ++version_;
  return {UpsertResult::created, {}};
}

std::vector<MemberView> Membership::members() const {
  std::lock_guard lock(mu_);
  const auto now = now_();
  std::vector<MemberView> out;
  out.reserve(members_.size());
  for (const auto& [name, m] : members_) {
    out.push_back({name, m.ip, m.role, state_of(m, now),
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - m.last_seen)});
  }
  return out;  // std::map keeps names sorted
}

Membership::HostsSnapshot Membership::hosts_snapshot() const {
  HostsSnapshot snap;
  std::vector<HostEntry>& out = snap.hosts;
  out = static_;
  {
    std::lock_guard lock(mu_);
    snap.version = version_;
    for (const auto& [name, m] : members_) out.push_back({m.ip, name});
  }
  std::sort(out.begin(), out.end(), [](const HostEntry& a, const HostEntry& b) {
    return a.name != b.name ? a.name < b.name : a.ip < b.ip;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return snap;
}

uint64_t Membership::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

}  // namespace vessel::cluster
