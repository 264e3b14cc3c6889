#pragma once
// user_data bytes -> the vessel mapping + boot scripts. Pure: no I/O.
//
// Accepted formats (detected in this order, recursively for MIME parts):
//  * gzip (magic 1f 8b): inflated with the same 16 MiB cap, then re-detected;
//  * MIME multipart (Heat HEAT_CFNTOOLS / SOFTWARE_CONFIG, cloud-init
//    multipart): parts are walked; the config comes from the part named
//    `cfn-userdata` if it holds one, else from the first text part that does;
//    Heat's own helper parts (part-handler, boothook, loguserdata.py) are
//    skipped since they only drive cloud-init;
//  * `#!` text: returned as a BootScript (never run here);
//  * `#include`, `#cloud-boothook`, `#part-handler`, `#upstart-job`,
//    `#cloud-config-archive`: ignored with a warning;
//  * YAML or JSON (incl. `#cloud-config`): the `vessel:` mapping, or the
//    document itself when it has `cluster_id` at top level (Heat RAW
//    str_replace of a JSON template).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/node_config.hpp"
#include "util/result.hpp"

namespace vessel::config {

inline constexpr std::size_t kMaxUserDataBytes = 16u << 20;  // before and after gunzip

struct DecodedUserData {
  nlohmann::json vessel;              // object, or null when no vessel config was found
  std::string vessel_from;            // "user_data" or "user_data part cfn-userdata" ...
  std::vector<BootScript> scripts;    // `#!` parts, in order
  std::vector<std::string> warnings;
};

Result<DecodedUserData> decode_user_data(std::string_view bytes);

}  // namespace vessel::config
