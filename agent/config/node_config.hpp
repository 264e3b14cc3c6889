#pragma once
// NodeConfig: the one validated struct that every later stage reads.
// source -> NodeConfig -> plan -> effects. Nothing downstream of this struct
// parses untrusted text again.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/role_caps.hpp"
#include "util/secret.hpp"

namespace vessel {

struct HostEntry {
  std::string ip;    // validated IPv4/IPv6 literal
  std::string name;  // validated RFC 1123 hostname
  bool operator==(const HostEntry&) const = default;
};

struct HdfsSettings {
  std::optional<int> replication;
  std::map<std::string, std::string> site;  // overrides into hdfs-site.xml
};

struct SparkSettings {
  std::optional<int> worker_cores;
  std::optional<std::string> worker_memory;         // e.g. "2g"
  std::map<std::string, std::string> defaults;      // spark-defaults.conf
  std::map<std::string, std::string> env;           // extra spark-env.sh vars
};

struct NotifySettings {
  std::string url;  // Heat WaitCondition handle
  Secret token;     // X-Auth-Token
};

// vessel.cluster: how the master treats its members.
struct ClusterSettings {
  // A member silent this long leaves every hosts file and the workers file.
  std::chrono::milliseconds remove_after{10 * 60 * 1000};
};

// vessel.scale_in / vessel.scale_in_timeout: what SIGTERM means (issue 10).
// Default off: a restart must not move data.
struct ScaleInSettings {
  bool drain_on_sigterm = false;
  // The drain's share of the orchestrator's stop grace; the ordered stop
  // of the services comes after it.
  std::chrono::milliseconds timeout{100 * 1000};
};

// vessel.health: when the node stops calling itself ready.
struct HealthSettings {
  int disk_max_used_percent = 90;  // data dir fuller than this: degraded
};

// A `#!` part of user_data, run once per instance-id before services start.
struct BootScript {
  std::string name;
  std::string body;
};

struct NodeConfig {
  std::string cluster_id;              // required; also the HDFS clusterID
  std::string role;                    // master | worker | standalone (resolved)
  std::string role_from;               // which rule picked the role
  RoleCaps caps;                       // what the role is (its roles/<role>.yaml `capabilities:`),
                                       // filled by make_plan from the role file
  std::string master;                  // master IP or hostname
  Secret token;                        // membership API secret
  std::vector<HostEntry> hosts;        // static peers
  HdfsSettings hdfs;
  std::map<std::string, std::string> core;  // overrides into core-site.xml
  SparkSettings spark;
  std::optional<NotifySettings> notify;
  ClusterSettings cluster;
  HealthSettings health;
  ScaleInSettings scale_in;
  std::vector<BootScript> scripts;

  // Facts about this node, filled by the source layer / local probing.
  std::string source;        // which source yielded the data (file, env, ...)
  std::string instance_id;   // from meta_data, for run-once boot scripts
  std::string hostname;      // this node's name
  std::vector<std::string> self_addresses;  // this node's IPs
  std::string data_dir = "/data";

  std::vector<std::string> warnings;  // unknown keys etc., logged by the caller
};

}  // namespace vessel
