#pragma once
// Node: the one owner of this node's state. Every change (boot, SIGHUP,
// membership, a config source answering again) is an event that goes
// through reconcile():
//
//     inputs' = next_inputs(inputs, event)        pure
//     plan'   = make_plan(inputs')                pure
//     diff    = diff_plans(plan, plan')           pure
//     apply(diff) through NodeEffects / PeerDirectory     effects
//     return plan'.services                        the supervisor restarts what changed
//
// Nothing else keeps a copy of the plan: the supervisor's guard and status
// hooks read plan() from the same object. reconcile() runs on the
// supervisor's loop thread only (boot runs before the loop exists; other
// threads post() to the loop), so it needs no lock; status() is the one
// read from HTTP threads and takes one.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/plan.hpp"
#include "cluster/membership.hpp"

namespace vessel {

// Where the names of peers become resolvable: the hosts file (kept by
// ClusterSync) today; cluster DNS, i.e. nothing to write, on Kubernetes.
class PeerDirectory {
 public:
  virtual ~PeerDirectory() = default;
  virtual void set_static_hosts(const std::vector<HostEntry>& hosts) = 0;
  virtual void set_master(const std::string& host) = 0;
};

// Files and directories: the node's other effects.
class NodeEffects {
 public:
  virtual ~NodeEffects() = default;
  virtual Status write_files(const std::vector<RenderedFile>& files) = 0;
  virtual Status ensure_dirs(const std::vector<DirSpec>& dirs) = 0;
};

// A one-shot admin command against a running daemon: argv (never a shell),
// the daemon's user and group, and its environment.
struct AdminCommand {
  std::vector<std::string> argv;
  std::string user, group;
  std::map<std::string, std::string> env;
  bool operator==(const AdminCommand&) const = default;
};

// HDFS admin effects: after the exclude file changed on the node that runs
// the NameNode, `hdfs dfsadmin -refreshNodes` makes it re-read the file.
class HdfsAdmin {
 public:
  virtual ~HdfsAdmin() = default;
  virtual void refresh_nodes(const AdminCommand& cmd) = 0;
};

// The NameNode's class, and the DFSAdmin invocation built from its service:
// the same java, options, classpath, user, group and env, with
// org.apache.hadoop.hdfs.tools.DFSAdmin -refreshNodes as the class and
// argument. nullopt when no service of the plan runs the NameNode.
inline constexpr const char* kNameNodeClass = "org.apache.hadoop.hdfs.server.namenode.NameNode";
inline constexpr const char* kDfsAdminClass = "org.apache.hadoop.hdfs.tools.DFSAdmin";
std::optional<AdminCommand> refresh_nodes_command(const BootPlan& p);

enum class NodeEventKind { boot, reload, members_changed, source_back };
std::string_view to_string(NodeEventKind k);

struct NodeEvent {
  NodeEventKind kind = NodeEventKind::boot;
  std::optional<NodeConfig> cfg;                            // boot, reload, source_back
  std::optional<std::vector<cluster::MemberView>> members;  // members_changed
};

struct NodeInputs {
  NodeConfig cfg;
  PlanFacts facts;
  std::vector<cluster::MemberView> members;  // as the master last reported them
};

// Names of the members whose role counts as a worker (by the catalog), in
// the order given; a member with a role the catalog does not know is not a
// worker, nor is a member that left.
std::vector<std::string> workers_of(const std::vector<cluster::MemberView>& members, const RoleCatalog& catalog);

// Names of the members in the NameNode's exclude file (draining,
// decommissioned, or left and not yet swept), in the order given.
std::vector<std::string> excluded_of(const std::vector<cluster::MemberView>& members);

// The inputs after an event: a new config replaces the config and keeps the
// membership; a membership change keeps the config.
NodeInputs next_inputs(const NodeInputs& cur, const NodeEvent& e);

// The static peers a plan implies: user_data hosts plus this node itself.
std::vector<HostEntry> static_hosts(const BootPlan& p);

struct PlanDiff {
  std::vector<RenderedFile> files;  // new or changed content
  bool dirs = false;                // the role's directories changed
  bool static_hosts = false;
  bool master = false;
  std::vector<std::string> services;  // services whose definition changed (they restart)
  bool empty() const { return files.empty() && !dirs && !static_hosts && !master && services.empty(); }
};
// `old` is null at boot: everything is new.
PlanDiff diff_plans(const BootPlan* old, const BootPlan& next);

class Node {
 public:
  // `admin` (optional) receives refreshNodes after a drain changed dfs.exclude.
  Node(NodeInputs boot_inputs, NodeEffects& fx, PeerDirectory& peers, HdfsAdmin* admin = nullptr);
  // The one path for every change. On error nothing was applied and the
  // current plan stays in force.
  Result<ServiceSet> reconcile(const NodeEvent& e);
  // The plan in force (valid after the first successful reconcile).
  const BootPlan& plan() const { return *plan_; }
  bool has_plan() const { return plan_.has_value(); }
  // For /status: what the node runs on, never secrets. Thread-safe.
  nlohmann::json status() const;
  // dfs.replication in force (0 before the first plan). Thread-safe.
  int replication() const;

 private:
  NodeInputs in_;
  std::optional<BootPlan> plan_;
  NodeEffects& fx_;
  PeerDirectory& peers_;
  HdfsAdmin* admin_;
  mutable std::mutex status_mu_;
  nlohmann::json status_ = nlohmann::json::object();
  int replication_ = 0;
};

}  // namespace vessel
