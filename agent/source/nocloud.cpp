#include "config/meta_data.hpp"
#include "config/user_data.hpp"
#include "source/read_file.hpp"
#include "source/sources.hpp"

namespace vessel::source {

// NoCloud seed directory: `meta-data` (YAML: instance-id, local-hostname)
// and `user-data`. Present when either file exists.
SourceResult read_nocloud_source(const SourceOptions& o) {
  if (o.nocloud_dir.empty()) return std::optional<RawSourceData>{};
  auto md = read_file_capped(o.nocloud_dir + "/meta-data", config::kMaxMetaDataBytes);
  if (!md) return err("nocloud: " + md.error());
  auto ud = read_file_capped(o.nocloud_dir + "/user-data", config::kMaxUserDataBytes);
  if (!ud) return err("nocloud: " + ud.error());
  if (!*md && !*ud) return std::optional<RawSourceData>{};
  RawSourceData d;
  d.source = "nocloud";
  d.user_data = std::move(*ud);
  if (*md) {
    d.meta_data = std::move(**md);
    d.meta_format = MetaFormat::nocloud_yaml;
  }
  return std::optional<RawSourceData>(std::move(d));
}

}  // namespace vessel::source
