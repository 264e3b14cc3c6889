#pragma once
// Where the cluster token comes from, for every source; first set wins:
//   1. VESSEL_TOKEN_FILE   env: path of a file holding the token (a Docker or
//                          Kubernetes secret mount)
//   2. VESSEL_TOKEN        env: the token itself
//   3. vessel.token_file   user_data: path of a file holding the token
//   4. vessel.token        user_data: the token itself
// The environment beats user_data, like the *_CONF_* overrides. Setting both
// forms at one level (VESSEL_TOKEN and VESSEL_TOKEN_FILE, or token and
// token_file) is an error. A token file must be an absolute path to a
// regular file of at most 4 KiB; trailing newlines are stripped; the rest
// must be non-empty without control characters. A world-readable file is
// accepted with a warning. Errors and warnings name the field or variable and
// the path, never the token.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "util/result.hpp"
#include "util/secret.hpp"

namespace vessel::source {

inline constexpr std::size_t kMaxTokenFileBytes = 4096;

// `field` names the setting in messages (VESSEL_TOKEN_FILE, vessel.token_file).
Result<Secret> read_token_file(const std::string& field, const std::string& path,
                               std::vector<std::string>& warnings);

// Sets cfg.token and cfg.token_from (empty when no token is configured).
Status resolve_token(NodeConfig& cfg, const std::map<std::string, std::string>& env);

}  // namespace vessel::source
