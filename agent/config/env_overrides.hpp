#pragma once
// Big Data Europe style overrides from the environment; they beat user_data.
//   CORE_CONF_<name>  -> core[<prop>]            (core-site.xml)
//   HDFS_CONF_<name>  -> hdfs.site[<prop>]       (hdfs-site.xml)
//   SPARK_CONF_<name> -> spark.defaults[<prop>]  (spark-defaults.conf)
// <prop> = <name> with runs of underscores mapped like BDE's entrypoint sed:
// "___" -> "-", then "__" -> "_", then "_" -> "." (CORE_CONF_fs_defaultFS ->
// fs.defaultFS). Keys and values get the same validation as user_data; the
// error names the variable.
#include <map>
#include <string>
#include <string_view>

#include "config/node_config.hpp"
#include "util/result.hpp"

namespace vessel::config {

std::string env_name_to_property(std::string_view name);

Status apply_env_overrides(NodeConfig& cfg, const std::map<std::string, std::string>& env);

}  // namespace vessel::config
