#include "source/load.hpp"

#include "source/sources.hpp"
#include "source/token.hpp"

namespace vessel {
namespace {

using source::RawSourceData;
using source::SourceResult;

SourceResult read_named(const std::string& name, const SourceOptions& o) {
  if (name == "file") return source::read_file_source(o);
  if (name == "env") return source::read_env_source(o);
  if (name == "configdrive") return source::read_configdrive_source(o);
  if (name == "nocloud") return source::read_nocloud_source(o);
  if (name == "openstack") return source::read_openstack_source(o);
  return err("--source: expected auto, file, env, configdrive, nocloud or openstack, got " +
             config::quote_for_error(name));
}

Result<RawSourceData> pick_source(const SourceOptions& o) {
  if (o.source != "auto") {
    auto r = read_named(o.source, o);
    if (!r) return err(r.error());
    if (!*r) return err("source " + o.source + ": no configuration found");
    return std::move(**r);
  }
  for (const char* name : {"file", "env", "configdrive", "nocloud", "openstack"}) {
    auto r = read_named(name, o);
    if (!r) return err(r.error());
    if (*r) return std::move(**r);
  }
  return err("no configuration source found");  // openstack never returns nullopt
}

Result<config::MetaData> parse_meta(const RawSourceData& raw) {
  if (!raw.meta_data) return config::MetaData{};
  if (raw.meta_format == source::MetaFormat::openstack_json) return config::parse_meta_data_json(*raw.meta_data);
  return config::parse_nocloud_meta_data(*raw.meta_data);
}

const std::string& env_or_empty(const SourceOptions& o, const char* name) {
  static const std::string empty;
  auto it = o.env.find(name);
  return it == o.env.end() ? empty : it->second;
}

}  // namespace

Result<NodeConfig> load_node_config(const SourceOptions& o) {
  // Failing to read a source (down, slow, 5xx, nothing there yet) is
  // transient: the agent keeps retrying and reports it. A config that was
  // read but is wrong is not.
  auto raw = pick_source(o);
  if (!raw) return transient_err(raw.error());
  auto meta = parse_meta(*raw);
  // Garbage from a metadata service is its fault, not the operator's: retry.
  if (!meta) return Error{raw->source + ": " + meta.error(), raw->source == "openstack"};

  config::DecodedUserData ud;
  ud.vessel = nullptr;
  if (raw->user_data) {
    auto dec = config::decode_user_data(*raw->user_data);
    if (!dec) return err(raw->source + ": " + dec.error());
    ud = std::move(*dec);
  }
  nlohmann::json vessel = ud.vessel;
  std::string origin = "user_data";
  if (raw->overlay.is_object() && !raw->overlay.empty()) {
    if (vessel.is_null()) vessel = nlohmann::json::object();
    for (auto it = raw->overlay.begin(); it != raw->overlay.end(); ++it) vessel[it.key()] = it.value();
    origin = "environment";
  }
  if (vessel.is_null())
    return err(raw->source + ": user_data: no vessel configuration (need a vessel: mapping with cluster_id)");

  auto parsed = config::parse_vessel_config(vessel, origin);
  if (!parsed) return err(raw->source + ": " + parsed.error());
  NodeConfig cfg = std::move(*parsed);
  cfg.source = raw->source;
  cfg.instance_id = meta->instance_id;
  cfg.scripts = std::move(ud.scripts);
  cfg.warnings.insert(cfg.warnings.begin(), ud.warnings.begin(), ud.warnings.end());
  cfg.warnings.insert(cfg.warnings.end(), meta->warnings.begin(), meta->warnings.end());

  if (auto st = config::apply_env_overrides(cfg, o.env); !st) return err(st.error());
  if (auto st = source::resolve_token(cfg, o.env); !st) return err(st.error());

  config::LocalIdentity id = o.identity ? *o.identity : config::local_addresses();
  cfg.hostname = id.hostname;
  cfg.self_addresses = id.addresses;

  config::RoleInputs in;
  in.override_role = o.role_override;
  in.vessel_role = cfg.role;
  in.meta_role = meta->role;
  in.env_role = env_or_empty(o, "VESSEL_ROLE");
  in.master = cfg.master;
  in.self = id.addresses;
  for (const std::string& n : {id.hostname, meta->hostname}) {
    if (n.empty()) continue;
    in.self.push_back(n);
    if (auto dot = n.find('.'); dot != std::string::npos) in.self.push_back(n.substr(0, dot));
  }
  auto role = config::resolve_role(in);
  if (!role) return err(role.error());
  cfg.role = role->role;
  cfg.role_from = role->from;
  // A role that needs no master is its own: make_plan decides that from
  // the role's capabilities (render's master_address), not here.
  return cfg;
}

}  // namespace vessel
