#include <algorithm>
#include <sstream>

#include "config/meta_data.hpp"
#include "config/user_data.hpp"
#include "net/http.hpp"
#include "source/sources.hpp"

namespace vessel::source {
using net::HttpPolicy;
using net::http_get;
namespace {

// GET /openstack lists one version per line; take the newest we know.
std::string pick_listed_version(const std::string& listing) {
  std::istringstream in(listing);
  std::vector<std::string> listed;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    listed.push_back(line);
  }
  for (const auto& v : known_openstack_versions())
    if (std::find(listed.begin(), listed.end(), v) != listed.end()) return v;
  return "latest";
}

}  // namespace

// OpenStack metadata service. Unlike the local sources it cannot tell
// "absent" from "down" cheaply, so failure is an error, never nullopt.
SourceResult read_openstack_source(const SourceOptions& o) {
  std::string base = o.metadata_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  HttpPolicy meta{o.http_timeout, o.http_retries, o.http_backoff, config::kMaxMetaDataBytes};
  HttpPolicy user = meta;
  user.max_body = config::kMaxUserDataBytes;

  auto listing = http_get(base + "/openstack", meta);
  if (!listing) return err("openstack: " + listing.error());
  if (listing->status != 200)
    return err("openstack: GET " + base + "/openstack: HTTP " + std::to_string(listing->status));
  const std::string v = pick_listed_version(listing->body);

  RawSourceData d;
  d.source = "openstack";
  const std::string md_url = base + "/openstack/" + v + "/meta_data.json";
  auto md = http_get(md_url, meta);
  if (!md) return err("openstack: meta_data.json: " + md.error());
  if (md->status != 200) return err("openstack: meta_data.json: GET " + md_url + ": HTTP " + std::to_string(md->status));
  d.meta_data = std::move(md->body);
  d.meta_format = MetaFormat::openstack_json;

  const std::string ud_url = base + "/openstack/" + v + "/user_data";
  auto ud = http_get(ud_url, user);
  if (!ud) return err("openstack: user_data: " + ud.error());
  if (ud->status == 200)
    d.user_data = std::move(ud->body);
  else if (ud->status != 404)  // 404: the instance was booted without user data
    return err("openstack: user_data: GET " + ud_url + ": HTTP " + std::to_string(ud->status));
  return std::optional<RawSourceData>(std::move(d));
}

}  // namespace vessel::source
