#pragma once
// Cluster membership HTTP routes, attached to the health server the lead
// owns (the caller creates, binds and runs the httplib::Server).
//
//   POST /v1/cluster/members   register or heartbeat (same thing)
//        Authorization: Bearer <token>
//        body {"name": "...", "role": "<role name: [a-z][a-z0-9-]{0,31}>",
//              "ip": "..." (optional, default: the connection's source),
//              "on_behalf": true (optional)}
//        -> 201 created / 200 refreshed or moved (same name, new ip),
//           {"status","name","ip","version"}
//        -> 400 {"error":"<field>: ..."}, 401, 403 ip mismatch, 409 name
//           conflict (the table no longer refuses names; see
//           membership.hpp), 413 body too large, 429 rate limited,
//           503 table full
//   GET  /v1/cluster/hosts     {"version":N,"hosts":[{"ip","name"}]}: the
//                              members, plus static entries no member
//                              overrides by name
//        ?format=hosts         the same as text/plain "ip name" lines
//   GET  /v1/cluster/members   {"version":N,"members":[{name,ip,role,state
//                               (alive|missing|draining|decommissioned),
//                               age_ms}],"static":[{ip,name}] (as configured,
//                               overridden or not),"departed":[{name,ip,role,
//                               state: "left",removed_ago_ms,removed_at (UTC ISO 8601)}]}
//   POST /v1/cluster/members/<name>/drain[?force=1]   (token, cap and rate
//        limit as the registration) -> 202 {"status":"draining","name",
//        "version"}; 200 when already draining/decommissioned; 404 unknown
//        member; 409 when it would leave fewer live DataNodes than
//        dfs.replication (the message names both numbers) unless force=1
//   POST /v1/cluster/members/<name>/drain?cancel=1, or DELETE the same path
//        -> 200 {"status":"in_service",...}: recommissioned
//   GET  /v1/cluster/members/<name>/drain  {"name","state" (the member's),
//        "hdfs_state" (the NameNode's adminState),"under_replicated_blocks",
//        "decommission_only_replicas","eta_s" (null: not known yet),
//        "hdfs_error" (when the NameNode could not be asked)}. When the
//        NameNode says Decommissioned, the member becomes decommissioned.
//
// Decisions (why):
//  * GETs are unauthenticated: names and IPs are not secrets (they end up in
//    every node's /etc/hosts anyway), and the health port must be usable by
//    probes that hold no token. Nothing a GET returns contains a secret.
//  * A node registers the address the master sees on the connection. A
//    different "ip" is refused (403) unless the body says "on_behalf": true.
//    Any token holder may say that (the token is the trust boundary); the
//    check exists to catch a node advertising the wrong interface or a NAT
//    address by accident, not to defend against a token holder.
//  * Every request (authenticated or not) costs a token from a per-peer
//    bucket, so brute-forcing the token is rate limited.
//  * The body limit is enforced here, while streaming the body in, because
//    httplib's set_payload_max_length is server-wide and unlimited by
//    default. The lead should still set a server-wide limit for other routes.
//  * Error bodies never echo the Authorization header or the token.
#include <httplib.h>

#include <functional>
#include <string>

#include "cluster/drain_monitor.hpp"
#include "cluster/membership.hpp"
#include "health/routes.hpp"
#include "cluster/rate_limit.hpp"
#include "util/result.hpp"
#include "util/secret.hpp"

namespace vessel::cluster {

struct ApiLimits {
  size_t max_body_bytes = 4096;
  RateLimit rate;
};

// What the drain routes need from the node that owns the plan; every
// callback is called from HTTP threads and must be thread-safe. Unset
// callbacks: replication 0 (no refusal), no role runs a DataNode, no JMX.
struct DrainPolicy {
  std::function<int()> replication;                            // dfs.replication in force
  std::function<bool(const std::string& role)> runs_datanode;  // the role's counts_as_worker
  std::function<Result<std::string>()> namenode_jmx;           // NameNodeInfo JMX body
  // The master's monitor (its thread runs elsewhere). Null: the routes make
  // one over namenode_jmx and tick it on demand.
  std::shared_ptr<DrainMonitor> monitor;
  // A GET of a draining member asks the NameNode when the monitor's last
  // pass is older than this.
  std::chrono::milliseconds max_age{1000};
};

// `members` must outlive `server`. The token is copied. An empty token
// refuses every registration (401): an unconfigured cluster is closed.
void register_cluster_routes(httplib::Server& server, Membership& members, const Secret& token,
                             ApiLimits limits = {}, DrainPolicy drain = {});
// The same routes mounted on the running health port (health/routes.hpp).
void register_cluster_routes(RouteTable& routes, Membership& members, const Secret& token, ApiLimits limits = {},
                             DrainPolicy drain = {});

}  // namespace vessel::cluster
