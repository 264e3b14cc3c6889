#pragma once
// The whole configuration pipeline:
//   source -> decode user_data -> validate schema -> env overrides -> role.
//
// `--source auto` tries, first that yields data wins:
//   1. file        --user-data FILE / --meta-data FILE
//   2. env         VESSEL_USER_DATA[_BASE64] / VESSEL_CLUSTER_ID ... (source/sources.hpp)
//   3. configdrive mounted dir or device labelled config-2
//   4. nocloud     seed dir with meta-data / user-data
//   5. openstack   metadata service (HTTP)
// Each can be selected alone with SourceOptions::source = NAME; then "no
// data" from it is an error.
// The pure pieces, each testable alone, come with it:
#include "config/env_overrides.hpp"  // apply_env_overrides
#include "config/meta_data.hpp"      // parse_meta_data_json, parse_nocloud_meta_data
#include "config/node_config.hpp"
#include "config/role.hpp"           // resolve_role
#include "config/schema.hpp"         // parse_vessel_config
#include "config/user_data.hpp"      // decode_user_data
#include "config/validate.hpp"       // valid_hostname, valid_ip, valid_cluster_id, ...
#include "source/options.hpp"
#include "util/result.hpp"

namespace vessel {

// Also re-exported for callers that only include this header.
using config::LocalIdentity;

Result<NodeConfig> load_node_config(const SourceOptions& opts);

}  // namespace vessel
