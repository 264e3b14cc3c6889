#pragma once
// The plan: everything `vessel run` will do to the node, computed from the
// NodeConfig and a few local facts without touching anything. `vessel
// render` prints and writes the same plan, so what an operator previews is
// exactly what boots.
#include <map>
#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "render/render.hpp"
#include "supervise/loader.hpp"
#include "util/result.hpp"

namespace vessel {

// Local facts the plan needs besides NodeConfig.
struct PlanFacts {
  std::string roles_dir = "/etc/vessel/roles";
  std::string hadoop_home = "/opt/hadoop";
  std::string spark_home = "/opt/spark";
  std::string java_home;  // "" = derive from `java` in PATH
  std::string hadoop_conf_dir = "/etc/hadoop";
  std::string spark_conf_dir = "/opt/spark/conf";
  std::vector<std::string> workers;  // known worker names (membership)
  std::optional<CgroupLimits> limits, host;
};

struct BootPlan {
  NodeConfig cfg;
  std::map<std::string, std::string> vars;  // ${name} values for the role file
  ServiceSet services;
  RenderInputs inputs;
  std::vector<RenderedFile> files;
  std::string self_ip;
  std::string master;  // resolved master address
};

// The node's own address: the first non-loopback IPv4 (else IPv6) address.
std::string pick_self_ip(const std::vector<std::string>& addresses);

// HADOOP_CONF_DIR first, then the official tarball's jar directories, so the
// same classpath works for the Maven-assembled layout and Apache's tarball.
std::string hadoop_classpath(const std::string& hadoop_home, const std::string& conf_dir);

Result<BootPlan> make_plan(const NodeConfig& cfg, const PlanFacts& facts);

// Re-renders only the files for a new worker list (membership changed).
Result<std::vector<RenderedFile>> rerender_for_workers(const BootPlan& plan,
                                                       const std::vector<std::string>& workers);

// A human-readable description of the plan (for `vessel render` and logs).
// Never prints secrets.
std::string describe_plan(const BootPlan& plan);

}  // namespace vessel
