#include "config/schema.hpp"

#include <charconv>
#include <set>

#include "config/role_caps.hpp"
#include "config/validate.hpp"

namespace vessel::config {
namespace {

using nlohmann::json;

const char* kind(const json& j) {
  if (j.is_object()) return "a mapping";
  if (j.is_array()) return "a list";
  if (j.is_null()) return "null";
  return "a string";
}

// Collects the first error; the field path is built as we descend.
struct Reader {
  std::string origin;
  std::vector<std::string> warnings;

  Error fail(const std::string& field, const std::string& what) const {
    return err(origin + ": " + field + ": " + what);
  }

  Result<std::string> str(const json& j, const std::string& field, bool secret = false) const {
    if (!j.is_string()) return fail(field, std::string("expected a string, got ") + kind(j));
    const std::string& s = j.get_ref<const std::string&>();
    if (!valid_value(s)) {
      if (secret) return fail(field, "must be at most 4096 bytes without control characters");
      return fail(field, "must be at most 4096 bytes without control characters, got " + quote_for_error(s));
    }
    return s;
  }

  Result<int> integer(const json& j, const std::string& field, int lo, int hi) const {
    if (!j.is_string()) return fail(field, std::string("expected an integer, got ") + kind(j));
    const std::string& s = j.get_ref<const std::string&>();
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
      return fail(field, "expected an integer, got " + quote_for_error(s));
    if (v < lo || v > hi)
      return fail(field, "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(v));
    return v;
  }

  // A mapping of property name -> scalar value.
  Status props(const json& j, const std::string& field, std::map<std::string, std::string>& out, bool shell_keys) {
    if (!j.is_object()) return fail(field, std::string("expected a mapping, got ") + kind(j));
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      bool good = shell_keys ? valid_shell_identifier(key) : valid_property_key(key);
      if (!good)
        return fail(field, (shell_keys ? "invalid shell variable name " : "invalid property name ") + quote_for_error(key));
      auto v = str(it.value(), field + "." + key);
      if (!v) return err(v.error());
      out[key] = *v;
    }
    return ok();
  }
};

std::string clean_key(const std::string& key) {
  std::string q = quote_for_error(key);
  return q.size() >= 2 && q.front() == '"' ? q.substr(1, q.size() - 2) : q;
}

Status read_hosts(Reader& r, const json& j, NodeConfig& cfg) {
  if (!j.is_array()) return r.fail("vessel.hosts", std::string("expected a list, got ") + kind(j));
  std::map<std::string, std::string> ip_of;
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string f = "vessel.hosts[" + std::to_string(i) + "]";
    const json& h = j[i];
    if (!h.is_object()) return r.fail(f, std::string("expected a mapping with ip and name, got ") + kind(h));
    for (auto it = h.begin(); it != h.end(); ++it)
      if (it.key() != "ip" && it.key() != "name")
        r.warnings.push_back(r.origin + ": " + f + "." + clean_key(it.key()) + ": unknown key, ignored");
    if (!h.contains("ip")) return r.fail(f + ".ip", "required");
    if (!h.contains("name")) return r.fail(f + ".name", "required");
    auto ip = r.str(h["ip"], f + ".ip");
    if (!ip) return err(ip.error());
    if (!valid_ip(*ip)) return r.fail(f + ".ip", "expected an IPv4 or IPv6 address, got " + quote_for_error(*ip));
    auto name = r.str(h["name"], f + ".name");
    if (!name) return err(name.error());
    if (!valid_hostname(*name)) return r.fail(f + ".name", "expected an RFC 1123 hostname, got " + quote_for_error(*name));
    auto seen = ip_of.find(*name);
    if (seen != ip_of.end()) {
      if (seen->second != *ip)
        return r.fail(f, "duplicate host " + quote_for_error(*name) + " with different addresses " + seen->second +
                             " and " + *ip);
      continue;  // exact duplicate: harmless, keep one
    }
    ip_of[*name] = *ip;
    cfg.hosts.push_back(HostEntry{*ip, *name});
  }
  return ok();
}

Status read_hdfs(Reader& r, const json& j, NodeConfig& cfg) {
  if (!j.is_object()) return r.fail("vessel.hdfs", std::string("expected a mapping, got ") + kind(j));
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "replication") {
      auto v = r.integer(it.value(), "vessel.hdfs.replication", 1, 512);
      if (!v) return err(v.error());
      cfg.hdfs.replication = *v;
    } else if (k == "site") {
      if (auto st = r.props(it.value(), "vessel.hdfs.site", cfg.hdfs.site, false); !st) return st;
    } else {
      r.warnings.push_back(r.origin + ": vessel.hdfs." + clean_key(k) + ": unknown key, ignored");
    }
  }
  return ok();
}

Status read_spark(Reader& r, const json& j, NodeConfig& cfg) {
  if (!j.is_object()) return r.fail("vessel.spark", std::string("expected a mapping, got ") + kind(j));
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "worker_cores") {
      auto v = r.integer(it.value(), "vessel.spark.worker_cores", 1, 1024);
      if (!v) return err(v.error());
      cfg.spark.worker_cores = *v;
    } else if (k == "worker_memory") {
      auto v = r.str(it.value(), "vessel.spark.worker_memory");
      if (!v) return err(v.error());
      if (!valid_memory_size(*v))
        return r.fail("vessel.spark.worker_memory", "expected a size like 512m or 2g, got " + quote_for_error(*v));
      cfg.spark.worker_memory = *v;
    } else if (k == "defaults") {
      if (auto st = r.props(it.value(), "vessel.spark.defaults", cfg.spark.defaults, false); !st) return st;
    } else if (k == "env") {
      if (auto st = r.props(it.value(), "vessel.spark.env", cfg.spark.env, true); !st) return st;
    } else {
      r.warnings.push_back(r.origin + ": vessel.spark." + clean_key(k) + ": unknown key, ignored");
    }
  }
  return ok();
}

// "30s", "10m", "2h" or a bare number of seconds.
std::optional<std::chrono::milliseconds> parse_seconds_duration(const std::string& s) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || v < 0 || v > 100000000) return std::nullopt;
  std::string unit(p, s.data() + s.size());
  long long mul = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (mul == 0) return std::nullopt;
  return std::chrono::milliseconds(v * mul * 1000);
}

Status read_cluster(Reader& r, const json& j, NodeConfig& cfg) {
  if (!j.is_object()) return r.fail("vessel.cluster", std::string("expected a mapping, got ") + kind(j));
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "remove_after") {
      auto v = r.str(it.value(), "vessel.cluster.remove_after");
      if (!v) return err(v.error());
      auto d = parse_seconds_duration(*v);
      if (!d || *d < std::chrono::seconds(5) || *d > std::chrono::hours(24 * 30))
        return r.fail("vessel.cluster.remove_after",
                      "expected a duration from 5s to 720h like 30s, 10m or 2h, got " + quote_for_error(*v));
      cfg.cluster.remove_after = *d;
    } else {
      r.warnings.push_back(r.origin + ": vessel.cluster." + clean_key(k) + ": unknown key, ignored");
    }
  }
  return ok();
}

Status read_health(Reader& r, const json& j, NodeConfig& cfg) {
  if (!j.is_object()) return r.fail("vessel.health", std::string("expected a mapping, got ") + kind(j));
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "disk_max_used_percent") {
      auto v = r.integer(it.value(), "vessel.health.disk_max_used_percent", 1, 100);
      if (!v) return err(v.error());
      cfg.health.disk_max_used_percent = *v;
    } else {
      r.warnings.push_back(r.origin + ": vessel.health." + clean_key(k) + ": unknown key, ignored");
    }
  }
  return ok();
}

Status read_notify(Reader& r, const json& j, NodeConfig& cfg) {
  if (!j.is_object()) return r.fail("vessel.notify", std::string("expected a mapping, got ") + kind(j));
  NotifySettings n;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k == "url") {
      auto v = r.str(it.value(), "vessel.notify.url");
      if (!v) return err(v.error());
      if (!valid_http_url(*v)) return r.fail("vessel.notify.url", "expected an http(s) URL, got " + quote_for_error(*v));
      n.url = *v;
    } else if (k == "token") {
      auto v = r.str(it.value(), "vessel.notify.token", true);
      if (!v) return err(v.error());
      n.token = Secret(*v);
    } else {
      r.warnings.push_back(r.origin + ": vessel.notify." + clean_key(k) + ": unknown key, ignored");
    }
  }
  if (n.url.empty()) return r.fail("vessel.notify.url", "required when vessel.notify is set");
  cfg.notify = std::move(n);
  return ok();
}

}  // namespace

Result<NodeConfig> parse_vessel_config(const json& vessel, std::string_view origin) {
  Reader r{std::string(origin), {}};
  if (!vessel.is_object()) return r.fail("vessel", std::string("expected a mapping, got ") + kind(vessel));
  NodeConfig cfg;
  for (auto it = vessel.begin(); it != vessel.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    Status st = ok();
    if (v.is_null()) {
      continue;  // `key:` with no value reads as absent
    } else if (k == "cluster_id") {
      auto s = r.str(v, "vessel.cluster_id");
      if (!s) return err(s.error());
      if (!valid_cluster_id(*s))
        return r.fail("vessel.cluster_id", "expected 1-64 characters of [A-Za-z0-9._-], got " + quote_for_error(*s));
      cfg.cluster_id = *s;
    } else if (k == "role") {
      auto s = r.str(v, "vessel.role");
      if (!s) return err(s.error());
      if (!valid_role_name(*s))
        return r.fail("vessel.role", "expected a role name (1-32 of [a-z0-9-], e.g. master, worker), got " +
                                         quote_for_error(*s));
      cfg.role = *s;
    } else if (k == "master") {
      auto s = r.str(v, "vessel.master");
      if (!s) return err(s.error());
      if (!valid_ip(*s) && !valid_hostname(*s))
        return r.fail("vessel.master", "expected an IP address or RFC 1123 hostname, got " + quote_for_error(*s));
      cfg.master = *s;
    } else if (k == "token") {
      auto s = r.str(v, "vessel.token", true);
      if (!s) return err(s.error());
      cfg.token = Secret(*s);
    } else if (k == "hosts") {
      st = read_hosts(r, v, cfg);
    } else if (k == "hdfs") {
      st = read_hdfs(r, v, cfg);
    } else if (k == "core") {
      st = r.props(v, "vessel.core", cfg.core, false);
    } else if (k == "spark") {
      st = read_spark(r, v, cfg);
    } else if (k == "notify") {
      st = read_notify(r, v, cfg);
    } else if (k == "cluster") {
      st = read_cluster(r, v, cfg);
    } else if (k == "scale_in") {
      auto s = r.str(v, "vessel.scale_in");
      if (!s) return err(s.error());
      if (*s != "drain_on_sigterm" && *s != "off")
        return r.fail("vessel.scale_in", "expected drain_on_sigterm or off, got " + quote_for_error(*s));
      cfg.scale_in.drain_on_sigterm = *s == "drain_on_sigterm";
    } else if (k == "scale_in_timeout") {
      auto s = r.str(v, "vessel.scale_in_timeout");
      if (!s) return err(s.error());
      auto d = parse_seconds_duration(*s);
      if (!d || *d < std::chrono::seconds(5) || *d > std::chrono::hours(24))
        return r.fail("vessel.scale_in_timeout",
                      "expected a duration from 5s to 24h like 100s or 30m, got " + quote_for_error(*s));
      cfg.scale_in.timeout = *d;
    } else if (k == "health") {
      st = read_health(r, v, cfg);
    } else if (k == "data_dir") {
      auto s = r.str(v, "vessel.data_dir");
      if (!s) return err(s.error());
      auto d = normalized_data_dir(*s);
      if (!d)
        return r.fail("vessel.data_dir", "expected an absolute normalized path without \"..\", got " + quote_for_error(*s));
      cfg.data_dir = *d;
    } else {
      r.warnings.push_back(r.origin + ": vessel." + clean_key(k) + ": unknown key, ignored");
    }
    if (!st) return err(st.error());
  }
  if (cfg.cluster_id.empty()) return r.fail("vessel.cluster_id", "required");
  cfg.warnings = std::move(r.warnings);
  return cfg;
}

}  // namespace vessel::config
