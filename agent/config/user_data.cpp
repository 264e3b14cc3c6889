#include "config/user_data.hpp"

#include "config/gzip.hpp"
#include "config/mime.hpp"
#include "config/validate.hpp"
#include "config/yaml_tree.hpp"

namespace vessel::config {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Heat attaches these to drive cloud-init itself; they carry no vessel config
// and running them would be wrong (loguserdata.py runs cfn-userdata, which we
// already handle as a script when it is one).
bool is_heat_helper(const MimePart& p) {
  return p.content_type == "text/part-handler" || p.content_type == "text/cloud-boothook" ||
         p.filename == "part-handler.py" || p.filename == "loguserdata.py" || p.filename == "boothook.sh";
}

// Finds the vessel mapping in a parsed document; null if there is none.
Result<nlohmann::json> vessel_mapping(const nlohmann::json& doc, std::string_view what) {
  if (!doc.is_object()) return nlohmann::json(nullptr);
  if (doc.contains("vessel")) {
    const auto& v = doc["vessel"];
    if (!v.is_object()) return err(std::string(what) + ": vessel: expected a mapping");
    return v;
  }
  if (doc.contains("cluster_id")) return doc;
  return nlohmann::json(nullptr);
}

struct Walker {
  DecodedUserData out;
  bool have_cfn = false;  // config taken from cfn-userdata: nothing overrides it
  int part_no = 0;

  // Text that is not MIME: a script, an ignored cloud-init format, or a doc.
  // `strict`: parse failures are errors (top level, cfn-userdata) rather
  // than warnings (other MIME parts).
  Status text(std::string_view body, const std::string& name, bool strict, bool is_cfn) {
    if (starts_with(body, "#!")) {
      out.scripts.push_back(BootScript{name, std::string(body)});
      return ok();
    }
    for (std::string_view tag : {"#include", "#cloud-boothook", "#part-handler", "#upstart-job", "#cloud-config-archive"}) {
      if (starts_with(body, tag)) {
        out.warnings.push_back(name + ": " + std::string(tag) + " content is not supported, ignored");
        return ok();
      }
    }
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return ok();
    auto doc = parse_document(body, name);
    if (!doc) {
      if (strict) return err(doc.error());
      out.warnings.push_back(doc.error() + "; part ignored");
      return ok();
    }
    auto v = vessel_mapping(*doc, name);
    if (!v) return err(v.error());
    if (v->is_null()) return ok();
    if (have_cfn) return ok();
    if (!out.vessel.is_null() && !is_cfn) {
      out.warnings.push_back(name + ": another vessel config already found in " + out.vessel_from + ", ignored");
      return ok();
    }
    if (!out.vessel.is_null())
      out.warnings.push_back(out.vessel_from + ": vessel config superseded by " + name);
    out.vessel = std::move(*v);
    out.vessel_from = name;
    have_cfn = is_cfn;
    return ok();
  }

  Status any(std::string_view data, const std::string& name, bool strict, bool is_cfn, int depth) {
    if (depth > 3) return err(name + ": nested gzip/MIME too deep");
    if (is_gzip(data)) {
      auto inflated = gunzip(data, kMaxUserDataBytes);
      if (!inflated) return err(name + ": " + inflated.error());
      return any(*inflated, name, strict, is_cfn, depth + 1);
    }
    if (looks_like_mime(data)) {
      auto parts = parse_mime(data);
      if (!parts) return err(name + ": " + parts.error());
      for (const auto& p : *parts) {
        ++part_no;
        if (is_heat_helper(p)) continue;
        // Names become file names for run-once scripts downstream.
        std::string pname = valid_instance_id(p.filename) ? p.filename : "part-" + std::to_string(part_no);
        bool cfn = p.filename == "cfn-userdata";
        bool textual = p.content_type.rfind("text/", 0) == 0 || p.content_type == "application/x-gzip" ||
                       p.content_type == "application/gzip" || p.content_type == "application/json";
        if (!textual) {
          out.warnings.push_back("user_data part " + pname + ": content type " + quote_for_error(p.content_type) +
                                 " ignored");
          continue;
        }
        if (auto st = any(p.body, pname, cfn, cfn, depth + 1); !st) return st;
      }
      return ok();
    }
    return text(data, name, strict, is_cfn);
  }
};

}  // namespace

Result<DecodedUserData> decode_user_data(std::string_view bytes) {
  if (bytes.size() > kMaxUserDataBytes)
    return err("user_data: larger than " + std::to_string(kMaxUserDataBytes) + " bytes");
  Walker w;
  w.out.vessel = nullptr;
  if (auto st = w.any(bytes, "user_data", true, false, 0); !st) {
    const std::string& m = st.error();
    return err(starts_with(m, "user_data") ? m : "user_data: " + m);
  }
  return std::move(w.out);
}

}  // namespace vessel::config
