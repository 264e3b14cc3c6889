#pragma once
// Draining a DataNode (issue 10, graceful scale-in), the pure parts:
//  * whether a drain may start (it must leave at least dfs.replication live
//    DataNodes, unless forced), with a message naming both numbers;
//  * the NameNode's view of one node, parsed from its JMX
//    (Hadoop:service=NameNode,name=NameNodeInfo), and an ETA from two samples.
//
// NameNodeInfo (Hadoop 3.x FSNamesystem, NameNodeMXBean): beans[0] holds
// LiveNodes, DeadNodes and DecomNodes, each a JSON object ENCODED AS A JSON
// STRING, keyed by "<hostname>:<xfer port>" (getXferAddrWithHostname):
//   LiveNodes:  {"w1:9866": {"xferaddr": "10.0.0.11:9866", "adminState":
//                "In Service" | "Decommission In Progress" | "Decommissioned"
//                | "Entering Maintenance" | "In Maintenance", ...}}
//   DeadNodes:  {"w1:9866": {"xferaddr": ..., "decommissioned": true, ...}}
//   DecomNodes: {"w1:9866": {"xferaddr": ..., "underReplicatedBlocks": N,
//                "decommissionOnlyReplicas": N, "underReplicateInOpenFiles": N}}
// (sic: "underReplicateInOpenFiles", as FSNamesystem.getDecomNodes spells it).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/membership.hpp"
#include "util/result.hpp"

namespace vessel::cluster {

struct DrainCheck {
  bool allowed = false;
  int live_after = 0;   // live DataNode members once this one is drained
  int replication = 0;  // dfs.replication in force
  std::string message;  // why refused, naming both numbers
};

// Live DataNodes: members that run a DataNode (runs_datanode(role)) and are
// alive (not missing, draining or decommissioned). `name` leaves that set.
DrainCheck check_drain(const std::vector<MemberView>& members, const std::string& name, int replication,
                       const std::function<bool(const std::string& role)>& runs_datanode);

inline constexpr std::string_view kInService = "In Service";
inline constexpr std::string_view kDecomInProgress = "Decommission In Progress";
inline constexpr std::string_view kDecommissioned = "Decommissioned";

struct DecomProgress {
  // The NameNode's adminState for the node; "Not Registered" when it is in
  // none of the maps (a DataNode that never registered or was forgotten).
  std::string state = "Not Registered";
  bool live = false;                          // in LiveNodes (else dead or unknown)
  std::int64_t under_replicated_blocks = 0;   // DecomNodes, while in progress
  std::int64_t decommission_only_replicas = 0;  // blocks whose only replicas are on leaving nodes
  std::int64_t under_replicated_in_open_files = 0;
  std::int64_t used_bytes = 0;  // LiveNodes "used": DFS bytes on the node
  std::int64_t num_blocks = 0;  // LiveNodes "numBlocks"
  // Bytes still to copy, estimated as the node's average block size times
  // the blocks left (the NameNode reports no byte count per node).
  std::int64_t bytes_left() const {
    return num_blocks > 0 ? used_bytes / num_blocks * under_replicated_blocks : 0;
  }
  bool done() const { return state == kDecommissioned; }
};

// The node is matched by hostname (the key's host part, or its first label
// against `name`'s) or by `ip` (the xferaddr's host). Errors name the field.
// The body is capped by the caller; strings inside are parsed once each.
Result<DecomProgress> parse_decom_progress(std::string_view jmx, const std::string& name, const std::string& ip);

// FSNamesystem's UnderReplicatedBlocks (Hadoop:service=NameNode,name=
// FSNamesystem): blocks of the whole namespace with fewer live replicas than
// wanted. Errors name the field.
Result<std::int64_t> parse_under_replicated(std::string_view jmx);

struct ProgressSample {
  std::chrono::steady_clock::time_point at;
  std::int64_t blocks = 0;
};
// Time left at the rate since `first`; nullopt while no block has moved yet.
std::optional<std::chrono::seconds> drain_eta(const ProgressSample& first, const ProgressSample& now);

}  // namespace vessel::cluster
