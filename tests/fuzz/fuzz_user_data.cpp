// user_data bytes -> decode_user_data -> parse_vessel_config -> render_all.
// Besides "no crash", checks what the schema promises: an accepted config has
// only validated fields, and everything it renders is well-formed (the XML
// parses back, line-based files gained no extra lines from a value).
#include <cstdint>
#include <cstdlib>
#include <pugixml.hpp>
#include <string_view>

#include "config/schema.hpp"
#include "config/user_data.hpp"
#include "config/validate.hpp"
#include "render/render.hpp"

#include "fuzz_check.hpp"

namespace {

std::size_t lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto dec = config::decode_user_data(in);
  if (!dec || !dec->vessel.is_object()) return 0;
  auto cfg = config::parse_vessel_config(dec->vessel, "user_data");
  if (!cfg) return 0;
  FUZZ_CHECK(config::valid_cluster_id(cfg->cluster_id));
  for (const auto& h : cfg->hosts) FUZZ_CHECK(config::valid_ip(h.ip) && config::valid_hostname(h.name));
  FUZZ_CHECK(config::normalized_data_dir(cfg->data_dir).has_value());
  // data_dir lands in comma-separated Hadoop URI lists and JVM flags.
  FUZZ_CHECK(cfg->data_dir.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") ==
             std::string::npos);

  NodeConfig c = *cfg;
  if (c.role.empty()) c.role = "standalone";
  // Render as the richest role: master and worker at once (standalone's caps).
  c.caps.membership = RoleCaps::Membership::Serve;
  c.caps.counts_as_worker = true;
  c.hostname = "node-1";
  if (c.master.empty()) c.master = c.hostname;
  RenderInputs ri;
  ri.self_ip = "10.0.0.2";
  auto files = render_all(c, ri);
  if (!files) return 0;
  auto ends_with = [](const std::string& s, std::string_view suf) {
    return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
  };
  for (const auto& f : *files) {
    if (ends_with(f.path, ".xml")) {
      pugi::xml_document doc;
      FUZZ_CHECK(doc.load_buffer(f.content.data(), f.content.size()).status == pugi::status_ok);
    } else if (ends_with(f.path, "/spark-defaults.conf")) {
      // A header line plus exactly one line per property: no value adds a line.
      auto props = spark_defaults_props(c, ri);
      FUZZ_CHECK(props && lines(f.content) == props->size() + 1);
    } else if (ends_with(f.path, "/spark-env.sh")) {
      auto vars = spark_env_vars(c, ri);
      FUZZ_CHECK(vars && lines(f.content) == vars->size() + 3);
    }
  }
  return 0;
}
