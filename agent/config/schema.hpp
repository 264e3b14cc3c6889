#pragma once
// The vessel mapping (as a json tree from parse_document) -> NodeConfig.
// Pure. Unknown keys become warnings naming the key; a wrong type or value is
// an error naming the field: `user_data: vessel.hdfs.replication: expected an
// integer, got "abc"`. Secret values (token, notify.token) are never echoed.
//
// Per-field policy for hostile text:
//  * cluster_id, master, hosts[].ip/name, data_dir, notify.url, spark.env keys,
//    property keys: strict charsets, anything else (newline, "$(...)", "<")
//    is rejected with the field named;
//  * core / hdfs.site / spark.defaults / spark.env values, tokens: any text up
//    to 4 KiB without control characters is accepted verbatim ("</value>",
//    "$(...)", quotes): the renderer escapes per target (XML via pugixml,
//    single-quoting in spark-env.sh). Control characters (incl. newline) are
//    rejected since every target is line-based or XML 1.0.
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/node_config.hpp"
#include "util/result.hpp"

namespace vessel::config {

// `origin` prefixes messages ("user_data", "environment").
// role is validated (master|worker|standalone) but not resolved; role_from is
// left empty. Fields absent from the mapping keep NodeConfig defaults.
Result<NodeConfig> parse_vessel_config(const nlohmann::json& vessel, std::string_view origin);

}  // namespace vessel::config
