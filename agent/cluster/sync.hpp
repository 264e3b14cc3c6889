#pragma once
// ClusterSync: the background loop every node runs (the master included).
//
// Each tick (every `interval`, 1 s by default) it registers/heartbeats with
// the master, and when the master's hosts version changed it fetches the
// hosts list and the member list. Every tick it then syncs /etc/hosts with
// (last known master hosts) ∪ (local static hosts); the write is skipped when
// nothing changed, and a hand-edited block is repaired within one tick.
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
  int master_port = 0;
  Secret token;
  std::string name;          // this node's hostname
  std::string role;          // master | worker | standalone
  std::string advertise_ip;  // empty: the master records the connection's source
  bool on_behalf = false;    // advertise_ip differs from the source (NAT)
  std::string hosts_path = "/etc/hosts";
  std::vector<HostEntry> static_hosts;  // written even before the master answers
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds backoff_max{10000};
  std::chrono::milliseconds request_timeout{2000};  // bounds stop() latency too
  Membership* local = nullptr;  // master: use the table in-process
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
  std::optional<std::chrono::system_clock::time_point> last_sync;  // last successful tick
};

class ClusterSync {
 public:
  // Called on the sync thread when the set of (name, ip, role) the master
  // reports changes, e.g. to re-render Spark's workers file. A member turning
  // missing does not change that set (it stays in hosts), so no call.
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

 private:
  struct Fetched {
    uint64_t version = 0;
    std::vector<HostEntry> hosts;
    std::vector<MemberView> members;
  };
  enum class Outcome { ok, unreachable, refused };

  void run();
  Outcome tick();
  Outcome tick_remote(std::string& error);
  Outcome tick_local(std::string& error);
  void apply(Fetched f);
  std::chrono::milliseconds backoff(unsigned failures);

  const ClusterSyncOptions opts_;
  MembersChanged on_members_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  bool stopping_ = false;
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
