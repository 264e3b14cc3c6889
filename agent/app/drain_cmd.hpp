#pragma once
// `vessel drain` on a worker (issue 10, first half): asks the master's vessel
// to decommission this node's DataNode (POST /v1/cluster/members/<name>/drain,
// with the token from the node's own config), then polls the master's
// progress (GET .../drain) and prints a line every few seconds. Exit 0 when
// the NameNode reports Decommissioned, 1 on timeout (saying how many blocks
// are still under-replicated; the node stays excluded), 2 when the config is
// unusable or the master refuses (the refusal is printed).
// Not yet: the Spark worker's decommission, leaving the membership.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "app/agent.hpp"
#include "util/result.hpp"

namespace vessel {

struct DrainCmdOptions {
  std::string master;  // HOST:PORT of the master's health port; "" = vessel.master:8099
  std::chrono::seconds timeout{3600};
  std::chrono::seconds interval{5};
  bool cancel = false;
  bool force = false;
};

// "30m", "90s", "1h" (the services YAML's durations), in whole seconds;
// errors name `field`.
Result<std::chrono::seconds> drain_duration(const std::string& text, const std::string& field);

int drain_node(const AgentOptions& o, const DrainCmdOptions& d);

// Pure: one progress line from the master's GET .../drain answer.
std::string drain_progress_line(const nlohmann::json& progress, std::chrono::seconds elapsed);
// Pure: the message printed when the drain timed out.
std::string drain_timeout_message(const nlohmann::json& last, std::chrono::seconds timeout);

}  // namespace vessel
