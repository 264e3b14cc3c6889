#pragma once
// The master's member table: static `hosts` from NodeConfig plus nodes that
// registered over the cluster API and keep heartbeating.
//
// Policy (why):
//  * A member not heard from for `missing_after` is reported as `missing`,
//    never silently dropped: operators see it in /v1/cluster/members.
//  * Missing members STAY in hosts(): a DataNode that misses a few heartbeats
//    (GC pause, network blip) must still resolve, or HDFS/Spark fail in
//    confusing ways. Names are only reused (see below), never expired.
//  * Static names are reserved: a registration may use a static name only
//    with the static IP (that node heartbeating). Otherwise any token holder
//    could take over e.g. the master's name.
//  * A name registered by an alive member cannot move to another IP (409);
//    once that member is missing, a registration from a new IP takes the
//    name over (a node rebooted with a new DHCP lease).
//  * The table is capped; when full, the longest-missing member is evicted
//    to make room, and if none is missing the registration is refused.
// State is computed on read from the injected clock, so no sweeper thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/node_config.hpp"

namespace vessel::cluster {

enum class MemberState { alive, missing };
std::string_view to_string(MemberState s);

// Roles a node may register with (NodeConfig::role values).
bool valid_role(std::string_view role);

struct MemberView {
  std::string name;
  std::string ip;
  std::string role;
  MemberState state = MemberState::alive;
  std::chrono::milliseconds age{0};  // since the last heartbeat
};

struct MembershipOptions {
  std::chrono::milliseconds missing_after{5000};  // 5 heartbeats of 1 s
  size_t max_members = 1024;
};

struct Registration {
  std::string name;
  std::string ip;
  std::string role;
};

struct UpsertResult {
  enum Code { created, refreshed, moved, invalid, conflict, full };
  Code code;
  std::string message;  // for invalid/conflict/full; names the field
  bool ok() const { return code == created || code == refreshed || code == moved; }
};

class Membership {
 public:
  using Clock = std::chrono::steady_clock;
  using NowFn = std::function<Clock::time_point()>;

  explicit Membership(std::vector<HostEntry> static_hosts, MembershipOptions opts = {},
                      NowFn now = &Clock::now);

  // Register or heartbeat. Validates name, ip, role itself (defence in depth:
  // the API validates too, but this table feeds /etc/hosts on every node).
  UpsertResult upsert(const Registration& r);

  std::vector<MemberView> members() const;  // sorted by name
  std::vector<HostEntry> static_hosts() const { return static_; }
  // Static entries plus every registered member, sorted by (name, ip), and
  // a version that changes whenever that list or a member's role changes
  // (read under one lock, so the pair is consistent).
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
  };
  MemberState state_of(const Member& m, Clock::time_point now) const;

  const std::vector<HostEntry> static_;
  const MembershipOptions opts_;
  const NowFn now_;
  mutable std::mutex mu_;
  std::map<std::string, Member> members_;
  uint64_t version_;  // starts random: see constructor
};

}  // namespace vessel::cluster
