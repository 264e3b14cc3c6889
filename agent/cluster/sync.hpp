#pragma once
// ClusterSync: the background loop every node runs (the master included).
//
// Each tick (every `interval`, 1 s by default) it registers/heartbeats with
// the master, and when the master's hosts version changed it fetches the
// hosts list and the member list. Every tick it then syncs /etc/hosts with
// (last known master hosts) ∪ (local static hosts), where a local static
// entry whose name the master's list has is dropped: static hosts are a
// starting point (they let a node reach the master before it answers), the
// master's list is what the cluster really is. The write is skipped when
// nothing changed, and a hand-edited block is repaired within one tick.
//
// Reload: set_static_hosts() and set_master() are thread-safe, wake the loop
// and take effect at the next tick (at once, not after the current backoff).
//
// Registration: status `registered` says whether the master accepted our
// last registration/heartbeat; when not, `registration_error` says why
// ("401 unauthorized", "409 conflict: name: ...", "unreachable: ..."), so the
// node can report that it is not READY. 401/403/409 count as refusals and
// back off like any failure; hosts keep syncing (the GETs need no token).
//
// Latency: a joining worker registers at once on start, and every other node
// polls once per interval, so it appears in every node's hosts file within
// ~interval + one round trip (about 1 s; the requirement is 2 s).
//
// When the master is unreachable (or answers 5xx/429) the loop backs off
// exponentially with jitter (never below `interval`, capped at
// `backoff_max`), keeps the last known hosts, and keeps retrying: a restarted
// master is repopulated by the workers' next heartbeats.
//
// On the master, set `local` to the Membership table: the loop then upserts
// and reads directly instead of calling itself over HTTP (a request to
// itself via 127.0.0.1 would register the wrong address).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cluster/membership.hpp"
#include "config/node_config.hpp"
#include "util/result.hpp"
#include "util/secret.hpp"

namespace httplib {
class Client;
}

namespace vessel::cluster {

struct ClusterSyncOptions {
  std::string master_host;  // IP or name; a name should be in static_hosts
  int master_port = 0;      // master_host/port: see also set_master()
  Secret token;
  std::string name;          // this node's hostname
  std::string role;          // a role name (see valid_role)
  std::string advertise_ip;  // empty: the master records the connection's source
  bool on_behalf = false;    // advertise_ip differs from the source (NAT)
  std::string hosts_path = "/etc/hosts";
  std::vector<HostEntry> static_hosts;  // written even before the master answers; see set_static_hosts()
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds backoff_max{10000};
  std::chrono::milliseconds request_timeout{2000};  // bounds stop() latency too
  Membership* local = nullptr;  // master: use the table in-process
  // Master only (with `local`): when set, applied to the table at
  // construction (Membership::set_remove_after). Unset: the table's own.
  std::optional<std::chrono::milliseconds> remove_after;
};

// What /status shows. Contains no secrets: errors are built from status
// codes, httplib error names and our own messages, never response bodies
// or request headers.
struct ClusterSyncStatus {
  bool running = false;
  bool master_reachable = false;
  std::string last_error;  // empty after a fully successful tick
  size_t members = 0;      // registered members the master reported
  size_t hosts = 0;        // entries in our hosts block
  uint64_t version = 0;    // master's hosts version last applied
  unsigned consecutive_failures = 0;
  bool registered = false;         // the master accepted our last registration/heartbeat
  std::string registration_error;  // why not; empty when registered; never the token
  std::optional<std::chrono::system_clock::time_point> last_sync;  // last successful tick
};

class ClusterSync {
 public:
  // Called on the sync thread when the set of (name, ip, role) the master
  // reports changes, e.g. to re-render Spark's workers file. A member turning
  // missing does not change that set (it stays in hosts), so no call; a
  // member entering or leaving draining/decommissioned does (dfs.exclude).
  using MembersChanged = std::function<void(const std::vector<MemberView>&)>;

  explicit ClusterSync(ClusterSyncOptions opts);
  ~ClusterSync();  // stops
  ClusterSync(const ClusterSync&) = delete;
  ClusterSync& operator=(const ClusterSync&) = delete;

  void on_members_changed(MembersChanged cb);  // call before start()
  void start();
  // Wakes the loop, interrupts an in-flight request and joins. Idempotent.
  void stop();
  ClusterSyncStatus snapshot() const;

  // Reload (thread-safe): effective at the next tick, which they trigger.
  void set_static_hosts(std::vector<HostEntry> hosts);
  void set_master(std::string host, int port);

 private:
  struct Fetched {
    uint64_t version = 0;
    std::vector<HostEntry> hosts;
    std::vector<MemberView> members;
  };
  enum class Outcome { ok, unreachable, refused };
  struct TickResult {
    std::string error;      // for last_error
    bool registered = false;
    std::string reg_error;  // for registration_error
  };
  struct Target {  // a copy of the reloadable settings, for one tick
    std::string host;
    int port = 0;
    bool changed = false;  // set_master() since the last tick
    std::vector<HostEntry> static_hosts;
  };

  void run();
  Outcome tick();
  void drop_stale_for(const std::vector<HostEntry>& statics);  // sync thread
  Outcome tick_remote(const Target& t, TickResult& res);
  Outcome tick_local(TickResult& res);
  Outcome fetch_remote(httplib::Client& cli, TickResult& res);
  void publish(Outcome o, TickResult res, bool synced, size_t written_entries, const Target& t);
  void apply(Fetched f);
  std::chrono::milliseconds backoff(unsigned failures);

  const ClusterSyncOptions opts_;
  MembersChanged on_members_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  bool stopping_ = false;
  bool wake_ = false;  // reload: tick now
  std::string master_host_;
  int master_port_ = 0;
  bool master_changed_ = false;
  bool statics_changed_ = false;  // set_static_hosts since the last tick
  std::vector<HostEntry> static_hosts_;
  std::shared_ptr<httplib::Client> client_;  // in-flight, so stop() can cut it
  ClusterSyncStatus status_;
  std::thread thread_;

  // Owned by the sync thread only.
  std::optional<uint64_t> applied_version_;
  std::vector<HostEntry> master_hosts_;
  std::vector<MemberView> last_members_;
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace vessel::cluster
