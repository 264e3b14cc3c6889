#pragma once
// One reader per source. Each returns nullopt when its source is simply not
// there (so `--source auto` tries the next), an error when the source is
// present but broken, else the raw data.
#include <optional>
#include <string>
#include <vector>

#include "source/options.hpp"
#include "source/raw.hpp"
#include "util/result.hpp"

namespace vessel::source {

using SourceResult = Result<std::optional<RawSourceData>>;

// --user-data FILE [--meta-data FILE]. Meta-data starting with '{' is read
// as OpenStack meta_data.json, anything else as NoCloud YAML.
SourceResult read_file_source(const SourceOptions& o);

// Environment variables (all optional; the source "has data" when
// VESSEL_USER_DATA, VESSEL_USER_DATA_BASE64 or VESSEL_CLUSTER_ID is set):
//   VESSEL_USER_DATA         raw user_data (any format decode_user_data reads)
//   VESSEL_USER_DATA_BASE64  the same, base64-encoded (for gzip/MIME bytes);
//                            setting both is an error
//   VESSEL_CLUSTER_ID, VESSEL_MASTER, VESSEL_DATA_DIR
//                            -> vessel.cluster_id/master/data_dir
//   (VESSEL_TOKEN and VESSEL_TOKEN_FILE apply to every source: source/token.hpp)
//   VESSEL_HOSTS             "ip=name,ip=name" -> vessel.hosts
// Single variables overlay keys from the user data. VESSEL_ROLE is not read
// here: it is role rule 3 for every source (config/role.hpp).
SourceResult read_env_source(const SourceOptions& o);

// Newest version directory we know under <dir>/openstack that has a
// meta_data.json, else "latest". Exposed for tests.
std::string pick_configdrive_version(const std::string& openstack_dir);
// Versions we understand, newest first.
const std::vector<std::string>& known_openstack_versions();

SourceResult read_configdrive_source(const SourceOptions& o);
SourceResult read_nocloud_source(const SourceOptions& o);
SourceResult read_openstack_source(const SourceOptions& o);

}  // namespace vessel::source
