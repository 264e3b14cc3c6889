#pragma once
// The master's member table: static `hosts` from NodeConfig plus nodes that
// registered over the cluster API and keep heartbeating.
//
// Policy (why):
//  * The token is the trust boundary: a registration with a valid token is
//    believed. A member re-registering under its name from a new IP MOVES
//    (code `moved`, version bump), alive or not: a worker that rebooted with
//    a new DHCP lease, or was rescheduled, must not be locked out of its own
//    name until it counts as missing.
//  * Static `hosts` (user_data) are a starting point, never an override: a
//    registered member's (name, ip) replaces every static entry of that name
//    in hosts_snapshot() for as long as the member is in the table.
//  * A member not heard from for `missing_after` is reported as `missing`,
//    and STAYS in hosts(): a DataNode that misses a few heartbeats (GC pause,
//    network blip) must still resolve, or HDFS/Spark fail in confusing ways.
//  * A member missing longer than `remove_after` has departed: it is removed
//    from the table and from hosts (version bump), logged once, and kept in
//    a short departed list (the last kMaxDeparted) so operators see it left.
//  * The table is capped; when full, the longest-missing member is evicted
//    (and recorded as departed) to make room; if none is missing the
//    registration is refused.
// State is computed on read from the injected clock, so no sweeper thread:
// every public call first removes members past `remove_after` (sweep()).
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/node_config.hpp"

namespace vessel::cluster {

// alive/missing come from heartbeats; draining/decommissioned from a drain
// (POST /v1/cluster/members/<name>/drain), which outranks them; left is a
// member that left on purpose (DELETE /v1/cluster/members/<name>, the end of
// `vessel drain`) or departed (missing past remove_after).
enum class MemberState { alive, missing, draining, decommissioned, left };
std::string_view to_string(MemberState s);
// The inverse of to_string; an unknown word is `alive` (a newer master's state).
MemberState member_state_from(std::string_view s);
// The member is in the NameNode's exclude file (dfs.hosts.exclude). A member
// that left after its drain stays excluded until it is swept (remove_after):
// the NameNode then lists it as a dead, decommissioned node, which is true.
inline bool excluded(MemberState s) {
  return s == MemberState::draining || s == MemberState::decommissioned || s == MemberState::left;
}

// The operator's word on a member, kept by the table (not by heartbeats).
// `left`: the member left the cluster; it is in no hosts list and no workers
// file, and a registration under its name later is a new member.
enum class AdminState { in_service, draining, decommissioned, left };

// A role is data (roles/*.yaml), so only its form is checked: 1-32 chars of
// [a-z0-9-], starting with a letter. kRoleRule is the error text.
bool valid_role(std::string_view role);
inline constexpr std::string_view kRoleRule =
    "role: must be 1-32 characters of [a-z0-9-], starting with a letter";

struct MemberView {
  std::string name;
  std::string ip;
  std::string role;
  MemberState state = MemberState::alive;
  std::chrono::milliseconds age{0};  // since the last heartbeat
};

struct MembershipOptions {
  std::chrono::milliseconds missing_after{5000};  // 5 heartbeats of 1 s
  // Missing for longer than this: removed. Zero or less: never removed.
  std::chrono::milliseconds remove_after{10 * 60 * 1000};
  size_t max_members = 1024;
};

struct Registration {
  std::string name;
  std::string ip;
  std::string role;
};

struct UpsertResult {
  // `conflict` is no longer produced by the table (kept for the API's 409).
  enum Code { created, refreshed, moved, invalid, conflict, full };
  Code code;
  std::string message;  // for invalid/conflict/full; names the field
  bool ok() const { return code == created || code == refreshed || code == moved; }
};

class Membership {
 public:
  using Clock = std::chrono::steady_clock;
  using NowFn = std::function<Clock::time_point()>;

  static constexpr size_t kMaxDeparted = 64;
  struct Departed {
    std::string name;
    std::string ip;
    std::string role;
    Clock::time_point removed_at;        // on the injected clock
    std::chrono::milliseconds since{0};  // removed this long ago (filled by departed())
  };

  explicit Membership(std::vector<HostEntry> static_hosts, MembershipOptions opts = {},
                      NowFn now = &Clock::now);

  // Register or heartbeat. Validates name, ip, role itself (defence in depth:
  // the API validates too, but this table feeds /etc/hosts on every node).
  UpsertResult upsert(const Registration& r);

  // Sets a registered member's admin state (drain, cancel, the NameNode
  // reporting it Decommissioned). False when no member has that name. The
  // version changes when the state does, so every node re-renders.
  bool set_admin(const std::string& name, AdminState a);
  // The member leaves (admin state left, counted from now for remove_after).
  // False when no member has that name.
  bool leave(const std::string& name);

  // Replaces the static entries (config reload). Thread-safe; the version
  // changes when the cleaned list does.
  void set_static_hosts(std::vector<HostEntry> hosts);
  // Replaces MembershipOptions::remove_after (thread-safe).
  void set_remove_after(std::chrono::milliseconds d);
  // Removes members missing longer than remove_after. Every other public
  // call does this first; calling it on a timer only makes the log prompt.
  void sweep();

  std::vector<MemberView> members() const;  // sorted by name
  std::vector<HostEntry> static_hosts() const;
  std::vector<Departed> departed() const;   // oldest first, at most kMaxDeparted
  // Every registered member (but those that left) plus the static entries
  // whose name no member has, sorted by (name, ip), and a version that changes whenever that list
  // or a member's role changes (read under one lock, so the pair is
  // consistent).
  struct HostsSnapshot {
    uint64_t version = 0;
    std::vector<HostEntry> hosts;
  };
  HostsSnapshot hosts_snapshot() const;
  std::vector<HostEntry> hosts() const { return hosts_snapshot().hosts; }
  uint64_t version() const;

 private:
  struct Member {
    std::string ip;
    std::string role;
    Clock::time_point last_seen;
    AdminState admin = AdminState::in_service;
  };
  MemberState state_of(const Member& m, Clock::time_point now) const;
  // Callers hold mu_. Logically const: removal is a function of the clock.
  void sweep_locked(Clock::time_point now) const;
  void depart_locked(std::map<std::string, Member>::iterator it, Clock::time_point now) const;

  const MembershipOptions opts_;
  const NowFn now_;
  mutable std::mutex mu_;  // guards everything below
  std::vector<HostEntry> static_;
  std::chrono::milliseconds remove_after_;
  mutable std::map<std::string, Member> members_;
  mutable std::deque<Departed> departed_;
  mutable uint64_t version_;  // starts random: see constructor
};

}  // namespace vessel::cluster
