#include "config/meta_data.hpp"
#include "config/user_data.hpp"
#include "source/read_file.hpp"
#include "source/sources.hpp"

namespace vessel::source {

SourceResult read_file_source(const SourceOptions& o) {
  if (o.user_data_file.empty() && o.meta_data_file.empty()) return std::optional<RawSourceData>{};
  RawSourceData d;
  d.source = "file";
  if (!o.user_data_file.empty()) {
    auto ud = read_file_capped(o.user_data_file, config::kMaxUserDataBytes);
    if (!ud) return err("--user-data " + ud.error());
    if (!*ud) return err("--user-data " + o.user_data_file + ": no such file");
    d.user_data = std::move(**ud);
  }
  if (!o.meta_data_file.empty()) {
    auto md = read_file_capped(o.meta_data_file, config::kMaxMetaDataBytes);
    if (!md) return err("--meta-data " + md.error());
    if (!*md) return err("--meta-data " + o.meta_data_file + ": no such file");
    d.meta_data = std::move(**md);
    std::size_t first = d.meta_data->find_first_not_of(" \t\r\n");
    d.meta_format = first != std::string::npos && (*d.meta_data)[first] == '{' ? MetaFormat::openstack_json
                                                                               : MetaFormat::nocloud_yaml;
  }
  return std::optional<RawSourceData>(std::move(d));
}

}  // namespace vessel::source
