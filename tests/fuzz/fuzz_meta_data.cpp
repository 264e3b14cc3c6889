// meta_data.json (OpenStack) and meta-data (NoCloud YAML) parsing. What is
// accepted must be safe to use as a file name (instance id) and hostname.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/meta_data.hpp"
#include "config/validate.hpp"

#include "fuzz_check.hpp"

namespace {

void check_meta(const vessel::config::MetaData& m) {
  FUZZ_CHECK(m.instance_id.empty() || vessel::config::valid_instance_id(m.instance_id));
  FUZZ_CHECK(m.hostname.empty() || vessel::config::valid_hostname(m.hostname));
  FUZZ_CHECK(vessel::config::valid_value(m.role));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto m = vessel::config::parse_meta_data_json(in)) check_meta(*m);
  if (auto m = vessel::config::parse_nocloud_meta_data(in)) check_meta(*m);
  return 0;
}
