#include "config/env_overrides.hpp"

#include "config/validate.hpp"

namespace vessel::config {

std::string env_name_to_property(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size();) {
    if (name[i] != '_') {
      out += name[i++];
      continue;
    }
    std::size_t n = 0;
    while (i < name.size() && name[i] == '_') ++n, ++i;
    for (; n >= 3; n -= 3) out += '-';
    for (; n >= 2; n -= 2) out += '_';
    if (n == 1) out += '.';
  }
  return out;
}

Status apply_env_overrides(NodeConfig& cfg, const std::map<std::string, std::string>& env) {
  const std::pair<std::string_view, std::map<std::string, std::string>*> targets[] = {
      {"CORE_CONF_", &cfg.core},
      {"HDFS_CONF_", &cfg.hdfs.site},
      {"SPARK_CONF_", &cfg.spark.defaults},
  };
  for (const auto& [var, value] : env) {
    for (auto [prefix, target] : targets) {
      if (var.size() <= prefix.size() || std::string_view(var).substr(0, prefix.size()) != prefix) continue;
      std::string prop = env_name_to_property(std::string_view(var).substr(prefix.size()));
      if (!valid_property_key(prop))
        return err(quote_for_error(var) + ": invalid property name " + quote_for_error(prop));
      if (!valid_value(value))
        return err(var + ": must be at most 4096 bytes without control characters, got " + quote_for_error(value));
      (*target)[prop] = value;
    }
  }
  return ok();
}

}  // namespace vessel::config
