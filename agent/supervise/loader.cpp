#include "supervise/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "config/yaml_tree.hpp"
#include "init/signals.hpp"
#include "supervise/dag.hpp"
#include "config/role_caps_yaml.hpp"

namespace vessel {
namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;  // role files are small; cap anyway

// Carries the origin and field path so every error can name both.
struct Ctx {
  const std::string& origin;
  const std::map<std::string, std::string>& vars;
  Error fail(const std::string& field, const std::string& msg) const {
    return Error{origin + ": " + field + ": " + msg};
  }
};

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar: return "'" + n.Scalar() + "'";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Null: return "nothing";
    default: return "an undefined value";
  }
}

// A key missing from a const map yields an invalid node whose Type() throws
// yaml-cpp's "invalid node" (naming no field), so test presence first.
Result<std::string> scalar(const Ctx& c, const YAML::Node& n, const std::string& field, bool expand = true) {
  if (!n.IsDefined()) return c.fail(field, "is required");
  if (!n.IsScalar()) return c.fail(field, "expected a string, got " + describe(n));
  if (!expand) return n.Scalar();
  auto v = expand_vars(n.Scalar(), c.vars, field);
  if (!v) return Error{c.origin + ": " + v.error()};
  return v;
}

Result<bool> boolean(const Ctx& c, const YAML::Node& n, const std::string& field) {
  if (n.IsScalar()) {
    const auto& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  return c.fail(field, "expected true or false, got " + describe(n));
}

Result<Millis> duration(const Ctx& c, const YAML::Node& n, const std::string& field) {
  if (!n.IsScalar()) return c.fail(field, "expected a duration like 10s, got " + describe(n));
  auto d = parse_duration(n.Scalar());
  if (!d) return c.fail(field, "expected a duration like 10s, got '" + n.Scalar() + "'");
  return d;
}

Result<std::vector<std::string>> string_list(const Ctx& c, const YAML::Node& n, const std::string& field) {
  if (!n.IsDefined()) return c.fail(field, "is required");
  if (!n.IsSequence()) return c.fail(field, "expected a list of strings, got " + describe(n));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    auto s = scalar(c, n[i], field + "[" + std::to_string(i) + "]");
    if (!s) return Error{s.error()};
    out.push_back(*s);
  }
  return out;
}

Result<int> signal_of(const Ctx& c, const YAML::Node& n, const std::string& field) {
  if (n.IsScalar()) {
    if (auto s = sig::from_name(n.Scalar())) return *s;
  }
  return c.fail(field, "expected a signal name like TERM, got " + describe(n));
}

// Rejects keys we do not know: a typo like `depend_on` must not silently
// start a service before its dependency.
Status only_keys(const Ctx& c, const YAML::Node& m, const std::string& field,
                 std::initializer_list<const char*> allowed) {
  for (const auto& kv : m) {
    const auto key = kv.first.as<std::string>();
    bool ok = false;
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok) return c.fail(field.empty() ? key : field + "." + key, "unknown key");
  }
  return vessel::ok();
}

Result<std::pair<std::string, int>> host_port(const Ctx& c, const std::string& s, const std::string& field) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return c.fail(field, "expected HOST:PORT, got '" + s + "'");
  int port = 0;
  auto ps = std::string_view(s).substr(colon + 1);
  auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
  if (ec != std::errc() || p != ps.data() + ps.size() || port < 1 || port > 65535) {
    return c.fail(field, "expected a port 1..65535 in '" + s + "'");
  }
  std::string host = s.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, port);
}

// An RFC 6901 pointer: "" or "/..." with only ~0 and ~1 escapes.
Result<std::string> json_pointer(const Ctx& c, const YAML::Node& n, const std::string& field) {
  auto jp = scalar(c, n, field);
  if (!jp) return jp;
  if (!jp->empty() && (*jp)[0] != '/') return c.fail(field, "must start with '/'");
  try {
    nlohmann::json::json_pointer check(*jp);
  } catch (const nlohmann::json::exception&) {
    return c.fail(field, "not a JSON pointer (a '~' must be followed by 0 or 1)");
  }
  return jp;
}

constexpr std::size_t kMaxWhereFields = 16;

Result<JsonAny> json_any(const Ctx& c, const YAML::Node& n, const std::string& field) {
  if (!n.IsMap()) return c.fail(field, "expected a mapping with pointer and where, got " + describe(n));
  if (auto st = only_keys(c, n, field, {"pointer", "where"}); !st) return Error{st.error()};
  JsonAny a;
  auto jp = json_pointer(c, n["pointer"], field + ".pointer");
  if (!jp) return Error{jp.error()};
  a.pointer = *jp;
  const auto w = n["where"];
  if (!w.IsDefined()) return c.fail(field + ".where", "is required");
  if (!w.IsMap() || w.size() == 0 || w.size() > kMaxWhereFields) {
    return c.fail(field + ".where", "expected a mapping of 1.." + std::to_string(kMaxWhereFields) +
                                        " field: value pairs, got " + describe(w));
  }
  for (const auto& kv : w) {
    const auto k = kv.first.as<std::string>();
    if (k.empty()) return c.fail(field + ".where", "field names must not be empty");
    auto v = scalar(c, kv.second, field + ".where." + k);
    if (!v) return Error{v.error()};
    a.where[k] = *v;
  }
  return a;
}

Result<ProbeSpec> probe(const Ctx& c, const YAML::Node& n, const std::string& field) {
  ProbeSpec p;
  if (!n.IsMap()) return c.fail(field, "expected a mapping with one of tcp, http, exec");
  if (auto st = only_keys(c, n, field, {"tcp", "http", "exec", "interval", "timeout"}); !st) return Error{st.error()};
  int kinds = 0;
  if (n["tcp"]) {
    ++kinds;
    auto s = scalar(c, n["tcp"], field + ".tcp");
    if (!s) return Error{s.error()};
    auto hp = host_port(c, *s, field + ".tcp");
    if (!hp) return Error{hp.error()};
    p.kind = ProbeSpec::Kind::Tcp;
    std::tie(p.host, p.port) = *hp;
  }
  if (n["http"]) {
    ++kinds;
    const auto h = n["http"];
    const std::string f = field + ".http";
    if (!h.IsMap()) return c.fail(f, "expected a mapping with url, got " + describe(h));
    if (auto st = only_keys(c, h, f, {"url", "json_pointer", "equals", "json_any"}); !st) return Error{st.error()};
    auto url = scalar(c, h["url"], f + ".url");
    if (!url) return Error{url.error()};
    const std::string prefix = "http://";
    if (url->compare(0, prefix.size(), prefix) != 0) return c.fail(f + ".url", "only http:// URLs are supported");
    // Sent verbatim (no re-encoding), so only RFC 3986 characters: no
    // spaces, controls, non-ASCII or "<>\^`{|}.
    for (unsigned char ch : *url) {
      const bool bad = ch <= 0x20 || ch >= 0x7f || std::string_view("\"<>\\^`{|}").find(static_cast<char>(ch)) != std::string_view::npos;
      if (bad) {
        return c.fail(f + ".url", "must be percent-encoded: no spaces, controls, non-ASCII or any of \"<>\\^`{|}");
      }
    }
    auto rest = url->substr(prefix.size());
    auto slash = rest.find('/');
    auto hp = host_port(c, rest.substr(0, slash), f + ".url");
    if (!hp) return Error{hp.error()};
    p.kind = ProbeSpec::Kind::Http;
    std::tie(p.host, p.port) = *hp;
    p.path = slash == std::string::npos ? "/" : rest.substr(slash);
    if (h["json_pointer"]) {
      auto jp = json_pointer(c, h["json_pointer"], f + ".json_pointer");
      if (!jp) return Error{jp.error()};
      p.json_pointer = *jp;
    }
    if (h["equals"]) {
      auto eq = scalar(c, h["equals"], f + ".equals");
      if (!eq) return Error{eq.error()};
      p.json_equals = *eq;
    }
    if (h["json_any"]) {
      auto a = json_any(c, h["json_any"], f + ".json_any");
      if (!a) return Error{a.error()};
      p.json_any = std::move(*a);
    }
  }
  if (n["exec"]) {
    ++kinds;
    auto a = string_list(c, n["exec"], field + ".exec");
    if (!a) return Error{a.error()};
    if (a->empty()) return c.fail(field + ".exec", "must not be empty");
    p.kind = ProbeSpec::Kind::Exec;
    p.argv = *a;
  }
  if (kinds != 1) return c.fail(field, "needs exactly one of tcp, http, exec");
  if (n["interval"]) {
    auto d = duration(c, n["interval"], field + ".interval");
    if (!d) return Error{d.error()};
    p.interval = *d;
  }
  if (n["timeout"]) {
    auto d = duration(c, n["timeout"], field + ".timeout");
    if (!d) return Error{d.error()};
    p.timeout = *d;
  }
  return p;
}

Result<DecommissionSpec> decommission(const Ctx& c, const YAML::Node& n, const std::string& f) {
  if (!n.IsMap()) return c.fail(f, "expected a mapping with signal, done and within");
  if (auto st = only_keys(c, n, f, {"signal", "done", "within"}); !st) return Error{st.error()};
  DecommissionSpec d;
  if (n["signal"]) {
    auto sg = signal_of(c, n["signal"], f + ".signal");
    if (!sg) return Error{sg.error()};
    d.signal = *sg;
  }
  if (n["done"]) {
    auto p = probe(c, n["done"], f + ".done");
    if (!p) return Error{p.error()};
    if (p->kind == ProbeSpec::Kind::Exec) return c.fail(f + ".done", "must be a tcp or http probe");
    d.done = *p;
  }
  if (n["within"]) {
    auto w = duration(c, n["within"], f + ".within");
    if (!w) return Error{w.error()};
    if (w->count() < 1000) return c.fail(f + ".within", "must be at least 1s");
    d.within = *w;
  }
  return d;
}

Result<ServiceSpec> service(const Ctx& c, const YAML::Node& n, const std::string& field) {
  if (!n.IsMap()) return c.fail(field, "expected a mapping, got " + describe(n));
  if (auto st = only_keys(c, n, field,
                          {"name", "argv", "env", "user", "group", "workdir", "stop_signal", "stop_grace",
                           "restart", "critical", "depends_on", "wait_for", "readiness", "ready_within",
                           "forward_signals", "pre_start", "log_file", "decommission"});
      !st) {
    return Error{st.error()};
  }
  ServiceSpec s;
  auto name = scalar(c, n["name"], field + ".name", false);
  if (!name) return Error{name.error()};
  if (name->empty() || name->size() > 64 ||
      name->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != std::string::npos) {
    return c.fail(field + ".name", "must be 1-64 characters of [A-Za-z0-9_-], got '" + *name + "'");
  }
  s.name = *name;
  const std::string f = "services." + s.name;
  auto argv = string_list(c, n["argv"], f + ".argv");
  if (!argv) return Error{argv.error()};
  if (argv->empty()) return c.fail(f + ".argv", "must not be empty");
  s.argv = *argv;
  if (n["env"]) {
    if (!n["env"].IsMap()) return c.fail(f + ".env", "expected a mapping, got " + describe(n["env"]));
    for (const auto& kv : n["env"]) {
      auto k = kv.first.as<std::string>();
      if (k.empty() || k.find_first_of("=\n") != std::string::npos || std::isdigit(static_cast<unsigned char>(k[0]))) {
        return c.fail(f + ".env", "invalid variable name '" + k + "'");
      }
      auto v = scalar(c, kv.second, f + ".env." + k);
      if (!v) return Error{v.error()};
      s.env[k] = *v;
    }
  }
  for (auto [key, dst] : {std::pair{"user", &s.user}, {"group", &s.group}, {"workdir", &s.workdir},
                          {"log_file", &s.log_file}}) {
    if (!n[key]) continue;
    auto v = scalar(c, n[key], f + "." + key);
    if (!v) return Error{v.error()};
    *dst = *v;
  }
  if (n["stop_signal"]) {
    auto sg = signal_of(c, n["stop_signal"], f + ".stop_signal");
    if (!sg) return Error{sg.error()};
    s.stop_signal = *sg;
  }
  if (n["stop_grace"]) {
    auto d = duration(c, n["stop_grace"], f + ".stop_grace");
    if (!d) return Error{d.error()};
    s.stop_grace = *d;
  }
  if (n["restart"]) {
    auto r = scalar(c, n["restart"], f + ".restart", false);
    if (!r) return Error{r.error()};
    if (*r == "always") s.restart = RestartPolicy::Always;
    else if (*r == "on-failure") s.restart = RestartPolicy::OnFailure;
    else if (*r == "never") s.restart = RestartPolicy::Never;
    else return c.fail(f + ".restart", "expected always, on-failure or never, got '" + *r + "'");
  }
  if (n["critical"]) {
    auto b = boolean(c, n["critical"], f + ".critical");
    if (!b) return Error{b.error()};
    s.critical = *b;
  }
  if (n["depends_on"]) {
    auto d = string_list(c, n["depends_on"], f + ".depends_on");
    if (!d) return Error{d.error()};
    s.depends_on = *d;
  }
  if (n["wait_for"]) {
    if (!n["wait_for"].IsSequence()) return c.fail(f + ".wait_for", "expected a list of probes");
    for (std::size_t i = 0; i < n["wait_for"].size(); ++i) {
      auto p = probe(c, n["wait_for"][i], f + ".wait_for[" + std::to_string(i) + "]");
      if (!p) return Error{p.error()};
      s.wait_for.push_back(*p);
    }
  }
  if (n["readiness"]) {
    auto p = probe(c, n["readiness"], f + ".readiness");
    if (!p) return Error{p.error()};
    s.readiness = *p;
  }
  if (n["decommission"]) {
    auto d = decommission(c, n["decommission"], f + ".decommission");
    if (!d) return Error{d.error()};
    s.decommission = *d;
  }
  if (n["ready_within"]) {
    auto d = duration(c, n["ready_within"], f + ".ready_within");
    if (!d) return Error{d.error()};
    if (d->count() < 1000) return c.fail(f + ".ready_within", "must be at least 1s (0 is the default: wait forever)");
    s.ready_within = *d;
  }
  if (n["forward_signals"]) {
    const auto fs = n["forward_signals"];
    if (!fs.IsSequence()) return c.fail(f + ".forward_signals", "expected a list of signal names");
    s.forward_signals.clear();
    for (std::size_t i = 0; i < fs.size(); ++i) {
      auto sg = signal_of(c, fs[i], f + ".forward_signals[" + std::to_string(i) + "]");
      if (!sg) return Error{sg.error()};
      s.forward_signals.push_back(*sg);
    }
  }
  if (n["pre_start"]) {
    const auto ps = n["pre_start"];
    if (!ps.IsSequence()) return c.fail(f + ".pre_start", "expected a list of steps");
    for (std::size_t i = 0; i < ps.size(); ++i) {
      const std::string pf = f + ".pre_start[" + std::to_string(i) + "]";
      if (!ps[i].IsMap()) return c.fail(pf, "expected a mapping with argv");
      if (auto st = only_keys(c, ps[i], pf, {"guard", "argv", "timeout"}); !st) return Error{st.error()};
      PreStartStep step;
      if (ps[i]["guard"]) {
        auto g = scalar(c, ps[i]["guard"], pf + ".guard", false);
        if (!g) return Error{g.error()};
        if (*g != "hdfs-format") return c.fail(pf + ".guard", "unknown guard '" + *g + "' (known: hdfs-format)");
        step.guard = *g;
      }
      auto a = string_list(c, ps[i]["argv"], pf + ".argv");
      if (!a) return Error{a.error()};
      if (a->empty()) return c.fail(pf + ".argv", "must not be empty");
      step.argv = *a;
      if (ps[i]["timeout"]) {
        auto d = duration(c, ps[i]["timeout"], pf + ".timeout");
        if (!d) return Error{d.error()};
        step.timeout = *d;
      }
      s.pre_start.push_back(step);
    }
  }
  return s;
}

Status settings(const Ctx& c, const YAML::Node& n, SupervisorSettings& out) {
  if (!n.IsMap()) return c.fail("supervisor", "expected a mapping");
  if (auto st = only_keys(c, n, "supervisor",
                          {"backoff_initial", "backoff_max", "stable_after", "max_restarts", "restart_window",
                           "shutdown_deadline"});
      !st) {
    return st;
  }
  for (auto [key, dst] : {std::pair{"backoff_initial", &out.backoff_initial}, {"backoff_max", &out.backoff_max},
                          {"stable_after", &out.stable_after}, {"restart_window", &out.restart_window},
                          {"shutdown_deadline", &out.shutdown_deadline}}) {
    if (!n[key]) continue;
    auto d = duration(c, n[key], std::string("supervisor.") + key);
    if (!d) return Error{d.error()};
    *dst = *d;
  }
  if (n["max_restarts"]) {
    int v = -1;
    if (n["max_restarts"].IsScalar()) {
      const auto& s = n["max_restarts"].Scalar();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || p != s.data() + s.size()) v = -1;
    }
    if (v < 0 || v > 1000000) return c.fail("supervisor.max_restarts", "expected an integer >= 0");
    out.max_restarts = v;
  }
  return ok();
}

Result<std::vector<DirSpec>> dirs(const Ctx& c, const YAML::Node& n) {
  if (!n.IsSequence()) return c.fail("dirs", "expected a list of {path, owner, group, mode}");
  std::vector<DirSpec> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string f = "dirs[" + std::to_string(i) + "]";
    if (!n[i].IsMap()) return c.fail(f, "expected a mapping with path");
    if (auto st = only_keys(c, n[i], f, {"path", "owner", "group", "mode"}); !st) return Error{st.error()};
    DirSpec d;
    auto p = scalar(c, n[i]["path"], f + ".path");
    if (!p) return Error{p.error()};
    if (p->empty() || (*p)[0] != '/' || p->find("/../") != std::string::npos ||
        (p->size() >= 3 && p->compare(p->size() - 3, 3, "/..") == 0)) {
      return c.fail(f + ".path", "must be an absolute path without '..', got '" + *p + "'");
    }
    d.path = *p;
    for (auto [key, dst] : {std::pair{"owner", &d.owner}, {"group", &d.group}}) {
      if (!n[i][key]) continue;
      auto v = scalar(c, n[i][key], f + "." + key);
      if (!v) return Error{v.error()};
      *dst = *v;
    }
    if (n[i]["mode"]) {
      auto m = scalar(c, n[i]["mode"], f + ".mode", false);
      if (!m) return Error{m.error()};
      unsigned v = 0;
      auto [ptr, ec] = std::from_chars(m->data(), m->data() + m->size(), v, 8);
      if (ec != std::errc() || ptr != m->data() + m->size() || v > 07777)
        return c.fail(f + ".mode", "expected an octal mode like 0750, got '" + *m + "'");
      d.mode = v;
    }
    out.push_back(d);
  }
  return out;
}

bool valid_name(const std::string& n) {
  return !n.empty() && n.size() <= 64 &&
         n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == std::string::npos;
}

Status disk_check(const Ctx& c, const YAML::Node& d, const std::string& f, CheckSpec& out) {
  if (!d.IsMap()) return c.fail(f, "expected a mapping with path and max_used_percent, got " + describe(d));
  if (auto st = only_keys(c, d, f, {"path", "max_used_percent"}); !st) return st;
  auto path = scalar(c, d["path"], f + ".path");
  if (!path) return Error{path.error()};
  if (path->empty() || (*path)[0] != '/') return c.fail(f + ".path", "must be an absolute path, got '" + *path + "'");
  out.disk_path = *path;
  if (d["max_used_percent"]) {
    auto m = scalar(c, d["max_used_percent"], f + ".max_used_percent");
    if (!m) return Error{m.error()};
    int v = 0;
    auto [p, ec] = std::from_chars(m->data(), m->data() + m->size(), v);
    if (ec != std::errc() || p != m->data() + m->size() || v < 1 || v > 100) {
      return c.fail(f + ".max_used_percent", "must be 1..100, got '" + *m + "'");
    }
    out.max_used_percent = v;
  }
  out.kind = CheckSpec::Kind::Disk;
  return ok();
}

Result<CheckSpec> check(const Ctx& c, const YAML::Node& n, const std::string& f) {
  if (!n.IsMap()) return c.fail(f, "expected a mapping with name and one of disk, tcp, http");
  if (auto st = only_keys(c, n, f, {"name", "disk", "tcp", "http", "interval", "timeout"}); !st) return Error{st.error()};
  CheckSpec ck;
  auto name = scalar(c, n["name"], f + ".name", false);
  if (!name) return Error{name.error()};
  if (!valid_name(*name)) return c.fail(f + ".name", "must be 1-64 characters of [A-Za-z0-9_-], got '" + *name + "'");
  ck.name = *name;
  const int kinds = (n["disk"] ? 1 : 0) + (n["tcp"] ? 1 : 0) + (n["http"] ? 1 : 0);
  if (kinds != 1) return c.fail(f, "needs exactly one of disk, tcp, http");
  if (n["disk"]) {
    if (n["timeout"]) return c.fail(f + ".timeout", "not used by a disk check");
    if (auto st = disk_check(c, n["disk"], f + ".disk", ck); !st) return Error{st.error()};
  } else {
    YAML::Node rest = YAML::Clone(n);
    rest.remove("name");
    rest.remove("interval");
    auto p = probe(c, rest, f);
    if (!p) return Error{p.error()};
    ck.kind = CheckSpec::Kind::Probe;
    ck.probe = std::move(*p);
  }
  if (n["interval"]) {
    auto d = duration(c, n["interval"], f + ".interval");
    if (!d) return Error{d.error()};
    if (*d < Millis{100}) return c.fail(f + ".interval", "must be at least 100ms");
    ck.interval = *d;
  }
  ck.probe.interval = ck.interval;
  return ck;
}

constexpr std::size_t kMaxChecks = 32;

Result<std::vector<CheckSpec>> checks(const Ctx& c, const YAML::Node& n) {
  if (!n.IsSequence() || n.size() > kMaxChecks) {
    return c.fail("checks", "expected a list of at most " + std::to_string(kMaxChecks) + " checks");
  }
  std::vector<CheckSpec> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string f = "checks[" + std::to_string(i) + "]";
    auto ck = check(c, n[i], f);
    if (!ck) return Error{ck.error()};
    if (!seen.insert(ck->name).second) return c.fail(f + ".name", "duplicate check name '" + ck->name + "'");
    out.push_back(std::move(*ck));
  }
  return out;
}

}  // namespace

Result<Millis> parse_duration(const std::string& s) {
  if (s.empty() || s.size() > 32) return err("bad duration");
  long long n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || n < 0) return err("bad duration");
  std::string_view unit(p, s.data() + s.size() - p);
  long long mult;
  if (unit.empty() || unit == "s") mult = 1000;
  else if (unit == "ms") mult = 1;
  else if (unit == "m") mult = 60000;
  else if (unit == "h") mult = 3600000;
  else return err("bad duration");
  if (n > 365LL * 24 * 3600 * 1000 / mult) return err("bad duration");
  return Millis{n * mult};
}

Result<std::string> expand_vars(const std::string& in, const std::map<std::string, std::string>& vars,
                                const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$') {
      out += in[i];
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '{') {
      auto close = in.find('}', i + 2);
      if (close == std::string::npos) return err(field + ": unterminated ${ in '" + in + "'");
      auto name = in.substr(i + 2, close - i - 2);
      auto it = vars.find(name);
      if (it == vars.end()) return err(field + ": unknown variable ${" + name + "}");
      out += it->second;
      i = close;
      continue;
    }
    out += '$';
  }
  return out;
}

Result<ServiceSet> load_services_yaml(const std::string& text, const std::string& origin,
                                      const std::map<std::string, std::string>& vars) {
  Ctx c{origin, vars};
  if (text.size() > kMaxFileBytes) return c.fail("file", "larger than 1 MiB");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error{origin + ": invalid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  // The same alias/depth caps as user_data (config/yaml_tree): a role file
  // is data too, and a services file may come from anyone who can write it.
  if (auto st = config::check_yaml_limits(root, origin); !st) return Error{st.error()};
  if (!root.IsMap()) return c.fail("file", "expected a mapping with `services:`");
  ServiceSet set;
  try {
    if (auto st = only_keys(c, root, "", {"role", "capabilities", "services", "supervisor", "config", "dirs", "checks"});
        !st)
      return Error{st.error()};
    if (root["capabilities"]) {
      auto caps = parse_role_caps(root["capabilities"], origin);
      if (!caps) return Error{caps.error()};
      set.caps = *caps;
    }
    if (root["role"]) {
      auto r = scalar(c, root["role"], "role", false);
      if (!r) return Error{r.error()};
      set.role = *r;
    }
    const auto svcs = root["services"];
    if (!svcs || !svcs.IsSequence() || svcs.size() == 0) return c.fail("services", "expected a non-empty list");
    std::vector<ServiceSpec> list;
    for (std::size_t i = 0; i < svcs.size(); ++i) {
      auto s = service(c, svcs[i], "services[" + std::to_string(i) + "]");
      if (!s) return Error{s.error()};
      list.push_back(*s);
    }
    if (root["supervisor"]) {
      if (auto st = settings(c, root["supervisor"], set.settings); !st) return Error{st.error()};
    }
    if (root["config"]) {
      const auto cfg = root["config"];
      if (!cfg.IsMap()) return c.fail("config", "expected a mapping of core/hdfs/spark");
      if (auto st = only_keys(c, cfg, "config", {"core", "hdfs", "spark"}); !st) return Error{st.error()};
      for (const auto& layer : cfg) {
        const auto lname = layer.first.as<std::string>();
        if (!layer.second.IsMap()) return c.fail("config." + lname, "expected a mapping");
        for (const auto& kv : layer.second) {
          auto v = scalar(c, kv.second, "config." + lname + "." + kv.first.as<std::string>());
          if (!v) return Error{v.error()};
          set.config[lname][kv.first.as<std::string>()] = *v;
        }
      }
    }
    if (root["dirs"]) {
      auto d = dirs(c, root["dirs"]);
      if (!d) return Error{d.error()};
      set.dirs = std::move(*d);
    }
    if (root["checks"]) {
      auto ck = checks(c, root["checks"]);
      if (!ck) return Error{ck.error()};
      set.checks = std::move(*ck);
    }
    auto ordered = order_services(std::move(list));
    if (!ordered) return Error{origin + ": " + ordered.error()};
    set.services = std::move(*ordered);
  } catch (const YAML::Exception& e) {
    return Error{origin + ": " + e.msg};
  }
  return set;
}

Result<ServiceSet> load_services_file(const std::string& path, const std::map<std::string, std::string>& vars) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return err(path + ": cannot open");
  std::string text;
  text.resize(kMaxFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return load_services_yaml(text, path, vars);
}

}  // namespace vessel
