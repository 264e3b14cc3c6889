#include "app/node.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vessel {

std::string_view to_string(NodeEventKind k) {
  switch (k) {
    case NodeEventKind::boot: return "boot";
    case NodeEventKind::reload: return "reload";
    case NodeEventKind::members_changed: return "membership change";
    default: return "config source back";
  }
}

std::vector<std::string> workers_of(const std::vector<cluster::MemberView>& members, const RoleCatalog& catalog) {
  std::vector<std::string> out;
  for (const auto& m : members) {
    if (m.state == cluster::MemberState::left) continue;  // gone on purpose
    auto it = catalog.find(m.role);
    if (it != catalog.end() && it->second.counts_as_worker) out.push_back(m.name);
  }
  return out;
}

std::vector<std::string> excluded_of(const std::vector<cluster::MemberView>& members) {
  std::vector<std::string> out;
  for (const auto& m : members)
    if (cluster::excluded(m.state)) out.push_back(m.name);
  return out;
}

NodeInputs next_inputs(const NodeInputs& cur, const NodeEvent& e) {
  NodeInputs n = cur;
  if (e.cfg) n.cfg = *e.cfg;
  if (e.members) n.members = *e.members;
  return n;
}

std::vector<HostEntry> static_hosts(const BootPlan& p) {
  std::vector<HostEntry> hosts = p.cfg.hosts;
  if (!p.cfg.hostname.empty() && p.self_ip != "127.0.0.1") hosts.push_back({p.self_ip, p.cfg.hostname});
  return hosts;
}

PlanDiff diff_plans(const BootPlan* old, const BootPlan& next) {
  PlanDiff d;
  for (const auto& f : next.files) {
    const RenderedFile* before = nullptr;
    if (old)
      for (const auto& o : old->files)
        if (o.path == f.path) before = &o;
    if (!before || !(*before == f)) d.files.push_back(f);
  }
  d.dirs = !old || !(old->services.dirs == next.services.dirs);
  d.static_hosts = !old || static_hosts(*old) != static_hosts(next);
  d.master = !old || old->master != next.master;
  for (const auto& s : next.services.services) {
    const ServiceSpec* before = nullptr;
    if (old)
      for (const auto& o : old->services.services)
        if (o.name == s.name) before = &o;
    if (!before || !(*before == s)) d.services.push_back(s.name);
  }
  return d;
}

std::optional<AdminCommand> refresh_nodes_command(const BootPlan& p) {
  for (const auto& s : p.services.services) {
    auto cls = std::find(s.argv.begin(), s.argv.end(), kNameNodeClass);
    if (cls == s.argv.end()) continue;
    AdminCommand c;
    c.argv.assign(s.argv.begin(), cls);
    c.argv.push_back(kDfsAdminClass);
    c.argv.push_back("-refreshNodes");
    c.user = s.user;
    c.group = s.group;
    c.env = s.env;
    return c;
  }
  return std::nullopt;
}

namespace {

bool exclude_changed(const PlanDiff& d, const BootPlan& p) {
  const std::string path = p.inputs.hadoop_conf_dir + "/" + kExcludeFile;
  return std::any_of(d.files.begin(), d.files.end(), [&](const RenderedFile& f) { return f.path == path; });
}

int replication_of(const BootPlan& p) {
  auto props = hdfs_site_props(p.cfg, p.inputs);
  if (!props) return 0;
  auto it = props->find("dfs.replication");
  if (it == props->end()) return 0;
  try {
    return std::stoi(it->second);
  } catch (...) {
    return 0;
  }
}

}  // namespace

Node::Node(NodeInputs boot_inputs, NodeEffects& fx, PeerDirectory& peers, HdfsAdmin* admin)
    : in_(std::move(boot_inputs)), fx_(fx), peers_(peers), admin_(admin) {}

int Node::replication() const {
  std::lock_guard g(status_mu_);
  return replication_;
}

Result<ServiceSet> Node::reconcile(const NodeEvent& e) {
  NodeInputs next = next_inputs(in_, e);
  if (plan_ && next.cfg.role != plan_->cfg.role)
    return Error{"role changed from " + plan_->cfg.role + " to " + next.cfg.role +
                 "; a node changes its role only by restarting"};
  // Workers come from the membership and the roles' capabilities; the
  // inputs hold both, so a reload can never forget the workers.
  auto catalog = catalog_of(next.facts.role_files);
  if (!catalog) return Error{catalog.error()};
  next.facts.workers = workers_of(next.members, *catalog);
  next.facts.excluded = excluded_of(next.members);
  auto p = make_plan(next.cfg, next.facts);
  if (!p) return Error{p.error()};
  PlanDiff d = diff_plans(plan_ ? &*plan_ : nullptr, *p);
  if (auto st = fx_.write_files(d.files); !st) return Error{st.error()};
  for (const auto& f : d.files) spdlog::info("{}: wrote {}", to_string(e.kind), f.path);
  if (d.dirs) {
    if (auto st = fx_.ensure_dirs(p->services.dirs); !st) return Error{st.error()};
  }
  // At boot the NameNode is not running yet and reads the file when it starts.
  if (plan_ && admin_ && exclude_changed(d, *p)) {
    if (auto cmd = refresh_nodes_command(*p)) {
      std::string names;
      for (const auto& n : next.facts.excluded) names += (names.empty() ? "" : ", ") + n;
      spdlog::info("{}: exclude set now [{}]; refreshing the NameNode's nodes", to_string(e.kind), names);
      admin_->refresh_nodes(*cmd);
    }
  }
  if (d.static_hosts) peers_.set_static_hosts(static_hosts(*p));
  if (d.master) peers_.set_master(p->master);
  if (!d.services.empty() && plan_) {
    std::string names;
    for (const auto& n : d.services) names += (names.empty() ? "" : ", ") + n;
    spdlog::info("{}: definition or config of {} changed; restarting in dependency order", to_string(e.kind), names);
  }
  if (e.members)
    spdlog::info("{}: {} worker(s): {}", to_string(e.kind), next.facts.workers.size(),
                 d.files.empty() ? "no config changed" : std::to_string(d.files.size()) + " file(s) re-rendered");
  in_ = std::move(next);
  plan_ = std::move(*p);
  const int repl = replication_of(*plan_);
  {
    std::lock_guard g(status_mu_);
    replication_ = repl;
    status_ = {{"cluster_id", plan_->cfg.cluster_id},
               {"master", plan_->master},
               {"role_from", plan_->cfg.role_from},
               {"membership", std::string(to_string(plan_->cfg.caps.membership))},
               {"workers", in_.facts.workers},
               {"excluded", in_.facts.excluded},
               {"last_event", std::string(to_string(e.kind))}};
  }
  return plan_->services;
}

nlohmann::json Node::status() const {
  std::lock_guard g(status_mu_);
  return status_;
}

}  // namespace vessel
