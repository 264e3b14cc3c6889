#pragma once
// `vessel drain` (issue 10): a thin client of this node's own agent. It asks
// the agent (POST 127.0.0.1:8099/v1/node/drain, with the cluster token from
// the node's config) to run the drain (app/node_drain.hpp: HDFS
// decommission, the Spark worker's decommission, ordered stop, leaving the
// membership), then prints the agent's progress every few seconds.
//
// Exit 0 when the node left the cluster (or, with --cancel, is back in
// service); 1 when the drain timed out (the node stays excluded; the line
// says how many blocks are at risk); 2 when it was refused (the message
// names the live DataNode count and dfs.replication), cancelled, or the
// configuration or the agent is unusable.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "app/agent.hpp"
#include "util/result.hpp"

namespace vessel {

struct DrainCmdOptions {
  std::string agent;  // HOST:PORT of this node's health port; "" = 127.0.0.1:8099
  std::chrono::seconds timeout{3600};
  std::chrono::seconds interval{2};
  bool cancel = false;
  bool force = false;
};

// "30m", "90s", "1h" (the services YAML's durations), in whole seconds;
// errors name `field`.
Result<std::chrono::seconds> drain_duration(const std::string& text, const std::string& field);

int drain_node(const AgentOptions& o, const DrainCmdOptions& d);

// Pure: one progress line from the agent's GET /v1/node/drain answer.
std::string drain_progress_line(const nlohmann::json& view);
// Pure: the exit code a final phase means; nullopt while it is not final.
std::optional<int> drain_exit_code(const std::string& phase);

}  // namespace vessel
