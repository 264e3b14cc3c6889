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

// Local facts the plan needs besides NodeConfig. Everything make_plan reads
// is in here or in NodeConfig, so make_plan is a pure function.
struct PlanFacts {
  std::string roles_dir = "/etc/vessel/roles";   // for messages only
  std::map<std::string, std::string> role_files;  // role name -> YAML text (read_role_files)
  std::string hadoop_home = "/opt/hadoop";
  std::string spark_home = "/opt/spark";
  std::string java_home;  // "" = derive from `java` in PATH
  std::string hadoop_conf_dir = "/etc/hadoop";
  std::string spark_conf_dir = "/opt/spark/conf";
  std::vector<std::string> workers;  // known worker names (membership), see workers_of
  std::vector<std::string> excluded;  // members draining/decommissioned (dfs.exclude), see excluded_of
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
  RoleCatalog catalog; // capabilities of every known role
};

// The node's own address: the first non-loopback IPv4 (else IPv6) address.
std::string pick_self_ip(const std::vector<std::string>& addresses);

// HADOOP_CONF_DIR first, then the official tarball's jar directories, so the
// same classpath works for the Maven-assembled layout and Apache's tarball.
std::string hadoop_classpath(const std::string& hadoop_home, const std::string& conf_dir);

// Pure: the whole plan of a node from its config and facts. Fills
// plan.cfg.caps from the role file and each service's config_digest (so a
// service whose rendered configs changed compares unequal and restarts).
Result<BootPlan> make_plan(const NodeConfig& cfg, const PlanFacts& facts);

// The edge: every roles/<name>.yaml in `dir` (name -> text). Errors name the
// directory and hint at --roles-dir.
Result<std::map<std::string, std::string>> read_role_files(const std::string& dir);

// Capabilities of every role file (for deciding which members are workers).
Result<RoleCatalog> catalog_of(const std::map<std::string, std::string>& role_files);

// A human-readable description of the plan (for `vessel render` and logs).
// Never prints secrets.
std::string describe_plan(const BootPlan& plan);

}  // namespace vessel
