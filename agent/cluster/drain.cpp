#include "cluster/drain.hpp"

#include <nlohmann/json.hpp>

namespace vessel::cluster {

namespace {

using nlohmann::json;

std::string_view host_of(std::string_view hostport) {
  if (!hostport.empty() && hostport.front() == '[') {  // [v6]:port
    auto end = hostport.find(']');
    return end == std::string_view::npos ? hostport : hostport.substr(1, end - 1);
  }
  auto colon = hostport.rfind(':');
  return colon == std::string_view::npos ? hostport : hostport.substr(0, colon);
}

std::string_view first_label(std::string_view host) { return host.substr(0, host.find('.')); }

bool same_node(std::string_view key, const json& info, const std::string& name, const std::string& ip) {
  const auto host = host_of(key);
  if (host == name || (!name.empty() && first_label(host) == first_label(name))) return true;
  if (ip.empty() || !info.is_object()) return false;
  auto x = info.find("xferaddr");
  return x != info.end() && x->is_string() && host_of(x->get_ref<const std::string&>()) == ip;
}

// beans[0].<field>: a JSON object encoded as a string ("" or absent: empty).
Result<json> node_map(const json& bean, const char* field) {
  auto it = bean.find(field);
  if (it == bean.end()) return json::object();
  if (!it->is_string()) return err(std::string("jmx: ") + field + ": must be a JSON-encoded string");
  const auto& text = it->get_ref<const std::string&>();
  if (text.empty()) return json::object();
  json m = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (m.is_discarded() || !m.is_object()) return err(std::string("jmx: ") + field + ": not a JSON object");
  return m;
}

std::int64_t count(const json& info, const char* field) {
  auto it = info.find(field);
  return it != info.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

const json* find_node(const json& map, const std::string& name, const std::string& ip) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (same_node(it.key(), it.value(), name, ip)) return &it.value();
  return nullptr;
}

}  // namespace

DrainCheck check_drain(const std::vector<MemberView>& members, const std::string& name, int replication,
                       const std::function<bool(const std::string& role)>& runs_datanode) {
  DrainCheck c;
  c.replication = replication;
  for (const auto& m : members)
    if (m.name != name && m.state == MemberState::alive && runs_datanode && runs_datanode(m.role)) ++c.live_after;
  c.allowed = c.live_after >= replication;
  if (!c.allowed)
    c.message = "drain " + name + ": it would leave " + std::to_string(c.live_after) +
                " live DataNode(s), fewer than dfs.replication " + std::to_string(replication) +
                "; blocks would stay under-replicated (force=1 drains anyway)";
  return c;
}

Result<DecomProgress> parse_decom_progress(std::string_view jmx, const std::string& name, const std::string& ip) {
  json j = json::parse(jmx, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return err("jmx: malformed JSON");
  auto beans = j.find("beans");
  if (beans == j.end() || !beans->is_array() || beans->empty() || !(*beans)[0].is_object())
    return err("jmx: beans: no NameNodeInfo bean");
  const json& bean = (*beans)[0];
  auto live = node_map(bean, "LiveNodes");
  if (!live) return Error{live.error()};
  auto dead = node_map(bean, "DeadNodes");
  if (!dead) return Error{dead.error()};
  auto decom = node_map(bean, "DecomNodes");
  if (!decom) return Error{decom.error()};

  DecomProgress p;
  if (const json* n = find_node(*live, name, ip)) {
    p.live = true;
    p.used_bytes = count(*n, "used");
    p.num_blocks = count(*n, "numBlocks");
    auto s = n->find("adminState");
    if (s != n->end() && s->is_string()) p.state = s->get<std::string>();
  } else if (const json* d = find_node(*dead, name, ip)) {
    auto s = d->find("adminState");
    auto dec = d->find("decommissioned");
    if (s != d->end() && s->is_string()) p.state = s->get<std::string>();
    else if (dec != d->end() && dec->is_boolean()) p.state = dec->get<bool>() ? kDecommissioned : kInService;
  }
  if (const json* n = find_node(*decom, name, ip)) {
    if (p.state == "Not Registered") p.state = kDecomInProgress;
    p.under_replicated_blocks = count(*n, "underReplicatedBlocks");
    p.decommission_only_replicas = count(*n, "decommissionOnlyReplicas");
    p.under_replicated_in_open_files = count(*n, "underReplicateInOpenFiles");
  }
  return p;
}

Result<std::int64_t> parse_under_replicated(std::string_view jmx) {
  json j = json::parse(jmx, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return err("jmx: malformed JSON");
  auto beans = j.find("beans");
  if (beans == j.end() || !beans->is_array() || beans->empty() || !(*beans)[0].is_object())
    return err("jmx: beans: no FSNamesystem bean");
  auto it = (*beans)[0].find("UnderReplicatedBlocks");
  if (it == (*beans)[0].end() || !it->is_number_integer()) return err("jmx: UnderReplicatedBlocks: not an integer");
  return it->get<std::int64_t>();
}

std::optional<std::chrono::seconds> drain_eta(const ProgressSample& first, const ProgressSample& now) {
  const auto moved = first.blocks - now.blocks;
  const auto elapsed = now.at - first.at;
  if (now.blocks <= 0) return std::chrono::seconds{0};
  if (moved <= 0 || elapsed <= std::chrono::steady_clock::duration::zero()) return std::nullopt;
  const double per_block = std::chrono::duration<double>(elapsed).count() / static_cast<double>(moved);
  return std::chrono::seconds{static_cast<std::int64_t>(per_block * static_cast<double>(now.blocks) + 0.5)};
}

}  // namespace vessel::cluster
