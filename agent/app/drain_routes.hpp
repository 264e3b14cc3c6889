#pragma once
// This node's drain on its health port (issue 10), for `vessel drain`:
//
//   POST   /v1/node/drain[?timeout=30m][&force=1]   Bearer <cluster token>
//          -> 202 {"phase":"hdfs",...} started; 409 one is running already
//   POST   /v1/node/drain?cancel=1, or DELETE /v1/node/drain   (token)
//          -> 200 recommissioned; 409 too late (stopping or left)
//   GET    /v1/node/drain   -> 200 NodeDrain::view(): {"name","phase",
//          "message","progress","elapsed_s"} (no secrets; no token needed)
//
// The token guards what stops the node; every request is rate limited per
// peer like the cluster API, and bodies are refused (the query says all).
#include "app/node_drain.hpp"
#include "health/routes.hpp"
#include "util/secret.hpp"

namespace vessel {

// The query's timeout ("90s", "30m", "2h"; 1 s .. 7 days), or the default.
Result<std::chrono::seconds> drain_timeout_param(const std::string& text, std::chrono::seconds dflt);

void mount_node_drain(RouteTable& routes, NodeDrain& drain, const Secret& token);

}  // namespace vessel
