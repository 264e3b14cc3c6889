#include "config/meta_data.hpp"

#include <nlohmann/json.hpp>

#include "config/validate.hpp"
#include "config/yaml_tree.hpp"

namespace vessel::config {
namespace {

using nlohmann::json;

// Reads the common fields; `id_key`/`host_key` differ per format.
Result<MetaData> extract(const json& doc, const std::string& what, const char* id_key, const char* host_key) {
  if (!doc.is_object()) return err(what + ": expected a mapping at top level");
  MetaData m;
  if (doc.contains(id_key) && !doc[id_key].is_null()) {
    const json& id = doc[id_key];
    if (!id.is_string() || !valid_instance_id(id.get_ref<const std::string&>()))
      return err(what + ": " + id_key + ": expected 1-128 characters of [A-Za-z0-9._-], got " +
                 (id.is_string() ? quote_for_error(id.get_ref<const std::string&>()) : std::string("a non-string")));
    m.instance_id = id.get<std::string>();
  }
  if (doc.contains(host_key) && doc[host_key].is_string()) {
    const auto& h = doc[host_key].get_ref<const std::string&>();
    if (valid_hostname(h))
      m.hostname = h;
    else
      m.warnings.push_back(what + ": " + host_key + ": not an RFC 1123 hostname, ignored: " + quote_for_error(h));
  }
  return m;
}

}  // namespace

Result<MetaData> parse_meta_data_json(std::string_view text) {
  const std::string what = "meta_data.json";
  if (text.size() > kMaxMetaDataBytes) return err(what + ": larger than " + std::to_string(kMaxMetaDataBytes) + " bytes");
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{') return err(what + ": expected a JSON object");
  auto doc = parse_document(text, what);
  if (!doc) return err(doc.error());
  auto m = extract(*doc, what, "uuid", "hostname");
  if (!m) return m;
  if (doc->contains("meta") && (*doc)["meta"].is_object()) {
    const json& meta = (*doc)["meta"];
    if (meta.contains("role")) {
      if (!meta["role"].is_string()) return err(what + ": meta.role: expected a string");
      m->role = meta["role"].get<std::string>();
      // Validated by resolve_role; a bad value is an error only if it decides.
      if (!valid_value(m->role)) return err(what + ": meta.role: contains control characters");
    }
  }
  return m;
}

Result<MetaData> parse_nocloud_meta_data(std::string_view text) {
  const std::string what = "meta-data";
  if (text.size() > kMaxMetaDataBytes) return err(what + ": larger than " + std::to_string(kMaxMetaDataBytes) + " bytes");
  auto doc = parse_document(text, what);
  if (!doc) return err(doc.error());
  if (doc->is_null()) return MetaData{};  // empty file is valid NoCloud
  return extract(*doc, what, "instance-id", "local-hostname");
}

}  // namespace vessel::config
