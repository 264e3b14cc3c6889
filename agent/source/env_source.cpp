#include "config/base64.hpp"
#include "config/user_data.hpp"
#include "source/sources.hpp"

namespace vessel::source {
namespace {

const std::string* get(const SourceOptions& o, const char* name) {
  auto it = o.env.find(name);
  return it == o.env.end() ? nullptr : &it->second;
}

// "ip=name,ip=name" -> [{ip, name}]; values are validated by the schema.
Result<nlohmann::json> parse_hosts(const std::string& s) {
  nlohmann::json hosts = nlohmann::json::array();
  std::size_t pos = 0, n = 0;
  while (pos <= s.size()) {
    std::size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(pos, comma - pos);
    ++n;
    std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      return err("VESSEL_HOSTS: entry " + std::to_string(n) + ": expected ip=name");
    hosts.push_back({{"ip", item.substr(0, eq)}, {"name", item.substr(eq + 1)}});
    pos = comma + 1;
  }
  return hosts;
}

}  // namespace

SourceResult read_env_source(const SourceOptions& o) {
  const std::string* raw = get(o, "VESSEL_USER_DATA");
  const std::string* b64 = get(o, "VESSEL_USER_DATA_BASE64");
  const std::string* cluster = get(o, "VESSEL_CLUSTER_ID");
  if (!raw && !b64 && !cluster) return std::optional<RawSourceData>{};
  if (raw && b64) return err("VESSEL_USER_DATA and VESSEL_USER_DATA_BASE64: set only one");
  RawSourceData d;
  d.source = "env";
  if (raw) d.user_data = *raw;
  if (b64) {
    if (b64->size() > config::kMaxUserDataBytes / 3 * 4 + 4)
      return err("VESSEL_USER_DATA_BASE64: larger than " + std::to_string(config::kMaxUserDataBytes) + " bytes decoded");
    auto dec = config::base64_decode(*b64);
    if (!dec) return err("VESSEL_USER_DATA_BASE64: invalid base64");
    d.user_data = std::move(*dec);
  }
  d.overlay = nlohmann::json::object();
  const std::pair<const char*, const char*> simple[] = {
      {"VESSEL_CLUSTER_ID", "cluster_id"},
      {"VESSEL_MASTER", "master"},
      {"VESSEL_DATA_DIR", "data_dir"}};  // VESSEL_TOKEN[_FILE]: source/token.hpp, for every source
  for (auto [var, key] : simple)
    if (const std::string* v = get(o, var)) d.overlay[key] = *v;
  if (const std::string* h = get(o, "VESSEL_HOSTS")) {
    auto hosts = parse_hosts(*h);
    if (!hosts) return err(hosts.error());
    d.overlay["hosts"] = std::move(*hosts);
  }
  return std::optional<RawSourceData>(std::move(d));
}

}  // namespace vessel::source
