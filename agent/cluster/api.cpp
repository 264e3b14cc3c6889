#include "cluster/api.hpp"

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include <map>
#include <mutex>

#include "cluster/bearer.hpp"
#include "cluster/drain.hpp"
#include "cluster/host_validation.hpp"

namespace vessel::cluster {

namespace {

using nlohmann::json;

void reply_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(json{{"error", message}}.dump(), "application/json");
}

void reply_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

// The peer address in canonical form (v4-mapped v6 unwrapped), or the raw
// text if it does not parse (then it only keys the rate limiter).
std::string peer_of(const httplib::Request& req) {
  auto c = canonical_peer_ip(req.remote_addr);
  return c ? c.value() : req.remote_addr;
}

// Reads a string member; nullopt when absent, error naming the field when
// it has the wrong type.
Result<std::optional<std::string>> string_field(const json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end()) return std::optional<std::string>{};
  if (!it->is_string()) return err(std::string(field) + ": must be a string");
  return std::optional<std::string>{it->get<std::string>()};
}

// "2026-12-03T12:46:02Z"
std::string utc_iso8601(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

// The table's clock is steady (and injectable): report how long ago, and
// the wall-clock time that corresponds to.
json departed_json(const Membership& members) {
  json out = json::array();
  const auto wall = std::chrono::system_clock::now();
  for (const auto& d : members.departed()) {
    const auto ago = std::max(d.since, std::chrono::milliseconds::zero());
    out.push_back({{"name", d.name},
                   {"ip", d.ip},
                   {"role", d.role},
                   {"state", std::string(to_string(MemberState::left))},
                   {"removed_ago_ms", ago.count()},
                   {"removed_at", utc_iso8601(wall - ago)}});
  }
  return out;
}

struct Shared {
  Shared(Membership& m, const Secret& t, ApiLimits l, DrainPolicy d)
      : members(m), token(t), limits(l), limiter(l.rate), drain(std::move(d)) {
    if (!drain.monitor) drain.monitor = std::make_shared<DrainMonitor>(m, drain.namenode_jmx, nullptr);
  }
  Membership& members;
  Secret token;
  ApiLimits limits;
  RateLimiter limiter;
  DrainPolicy drain;
};

// The guard of every state-changing request: the per-peer rate limit, one
// valid bearer token, and the body cap while streaming it in. False: `res`
// holds the refusal.
bool admit(Shared& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
           std::string& body) {
  const std::string peer = peer_of(req);
  // Early refusals below do not read the body; an unread body would
  // desynchronise a kept-alive connection, so ask the client to close it.
  if (!s.limiter.allow(peer)) {
    res.set_header("Retry-After", "1");
    res.set_header("Connection", "close");
    reply_error(res, 429, "rate limit exceeded");
    return false;
  }
  // Exactly one Authorization header; several would be ambiguous.
  if (req.get_header_value_count("Authorization") != 1 ||
      !bearer_matches(req.get_header_value("Authorization"), s.token)) {
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_header("Connection", "close");
    reply_error(res, 401, "authorization: missing or invalid bearer token");
    return false;
  }
  const std::string too_large = "body: larger than " + std::to_string(s.limits.max_body_bytes) + " bytes";
  // Refuse a declared oversize body before reading a byte of it.
  if (req.has_header("Content-Length") &&
      req.get_header_value<uint64_t>("Content-Length") > s.limits.max_body_bytes) {
    res.set_header("Connection", "close");
    reply_error(res, 413, too_large);
    return false;
  }
  bool too_big = false;
  reader([&](const char* data, size_t len) {
    if (body.size() + len > s.limits.max_body_bytes) {
      too_big = true;
      return false;  // stop reading (chunked bodies have no Content-Length)
    }
    body.append(data, len);
    return true;
  });
  if (too_big) {
    res.set_header("Connection", "close");
    reply_error(res, 413, too_large);
    return false;
  }
  return true;
}

void handle_register(Shared& s, const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) {
  const std::string peer = peer_of(req);
  std::string body;
  if (!admit(s, req, res, reader, body)) return;

  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return reply_error(res, 400, "body: malformed JSON");
  if (!j.is_object()) return reply_error(res, 400, "body: must be a JSON object");

  auto name = string_field(j, "name");
  if (!name) return reply_error(res, 400, name.error());
  if (!name->has_value()) return reply_error(res, 400, "name: required");
  auto role = string_field(j, "role");
  if (!role) return reply_error(res, 400, role.error());
  if (!role->has_value()) return reply_error(res, 400, "role: required");
  auto ip_field = string_field(j, "ip");
  if (!ip_field) return reply_error(res, 400, ip_field.error());
  bool on_behalf = false;
  if (auto it = j.find("on_behalf"); it != j.end()) {
    if (!it->is_boolean()) return reply_error(res, 400, "on_behalf: must be a boolean");
    on_behalf = it->get<bool>();
  }

  if (auto v = validate_hostname(**name); !v) return reply_error(res, 400, "name: " + v.error());
  if (!valid_role(**role)) return reply_error(res, 400, std::string(kRoleRule));
  std::string ip = peer;
  if (ip_field->has_value()) {
    auto c = canonical_ip(**ip_field);
    if (!c) return reply_error(res, 400, "ip: " + c.error());
    ip = c.value();
  }
  if (ip != peer && !on_behalf) {
    return reply_error(res, 403,
                       "ip: " + ip + " is not the connection's source address " + peer +
                           " (set \"on_behalf\": true to register another address)");
  }

  UpsertResult r = s.members.upsert({**name, ip, **role});
  switch (r.code) {
    case UpsertResult::invalid: return reply_error(res, 400, r.message);
    case UpsertResult::conflict: return reply_error(res, 409, r.message);
    case UpsertResult::full: return reply_error(res, 503, r.message);
    default: break;
  }
  const char* status = r.code == UpsertResult::created ? "created"
                       : r.code == UpsertResult::moved ? "moved"
                                                        : "refreshed";
  reply_json(res, r.code == UpsertResult::created ? 201 : 200,
             {{"status", status}, {"name", **name}, {"ip", ip}, {"version", s.members.version()}});
}

void handle_hosts(Shared& s, const httplib::Request& req, httplib::Response& res) {
  if (!s.limiter.allow(peer_of(req))) {
    res.set_header("Retry-After", "1");
    return reply_error(res, 429, "rate limit exceeded");
  }
  auto snap = s.members.hosts_snapshot();
  if (req.get_param_value("format") == "hosts") {
    std::string text;
    for (const auto& h : snap.hosts) text += h.ip + " " + h.name + "\n";
    res.set_header("Cache-Control", "no-store");
    res.set_content(text, "text/plain");
    return;
  }
  json hosts = json::array();
  for (const auto& h : snap.hosts) hosts.push_back({{"ip", h.ip}, {"name", h.name}});
  reply_json(res, 200, {{"version", snap.version}, {"hosts", hosts}});
}

void handle_members(Shared& s, const httplib::Request& req, httplib::Response& res) {
  if (!s.limiter.allow(peer_of(req))) {
    res.set_header("Retry-After", "1");
    return reply_error(res, 429, "rate limit exceeded");
  }
  json members = json::array();
  for (const auto& m : s.members.members()) {
    members.push_back({{"name", m.name},
                       {"ip", m.ip},
                       {"role", m.role},
                       {"state", std::string(to_string(m.state))},
                       {"age_ms", m.age.count()}});
  }
  json statics = json::array();
  for (const auto& h : s.members.static_hosts()) statics.push_back({{"ip", h.ip}, {"name", h.name}});
  reply_json(res, 200, {{"version", s.members.version()},
                        {"members", members},
                        {"static", statics},
                        {"departed", departed_json(s.members)}});
}

constexpr const char* kMembersPrefix = "/v1/cluster/members/";

// "/v1/cluster/members/<name>/drain" -> name; "" when the path is not that.
std::string drain_target(const std::string& path) {
  const std::string prefix = kMembersPrefix, suffix = "/drain";
  if (path.size() <= prefix.size() + suffix.size() || path.compare(0, prefix.size(), prefix) != 0 ||
      !path.ends_with(suffix))
    return "";
  std::string name = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  return name.find('/') == std::string::npos ? name : "";
}

std::optional<MemberView> find_member(const Membership& m, const std::string& name) {
  for (auto& v : m.members())
    if (v.name == name) return v;
  return std::nullopt;
}

// Resolves the target; false: `res` holds the 404/400.
bool drain_member(Shared& s, const httplib::Request& req, httplib::Response& res, MemberView& out) {
  const std::string name = drain_target(req.path);
  if (name.empty()) {
    reply_error(res, 404, "path: expected /v1/cluster/members/<name>/drain");
    return false;
  }
  if (auto v = validate_hostname(name); !v) {
    reply_error(res, 400, "name: " + v.error());
    return false;
  }
  auto m = find_member(s.members, name);
  if (!m) {
    reply_error(res, 404, "name: no registered member " + name);
    return false;
  }
  out = *m;
  return true;
}

void handle_drain(Shared& s, const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader, bool cancel) {
  std::string body;  // read for the cap; the request is in the path and query
  if (!admit(s, req, res, reader, body)) return;
  MemberView m;
  if (!drain_member(s, req, res, m)) return;
  cancel = cancel || req.get_param_value("cancel") == "1";
  const bool force = req.get_param_value("force") == "1";
  if (cancel) {
    s.members.set_admin(m.name, AdminState::in_service);
    s.drain.monitor->forget(m.name);
    return reply_json(res, 200, {{"status", "in_service"}, {"name", m.name}, {"version", s.members.version()}});
  }
  if (s.drain.runs_datanode && !s.drain.runs_datanode(m.role))
    return reply_error(res, 400, "name: " + m.name + " (role " + m.role + ") runs no DataNode to drain");
  if (excluded(m.state))
    return reply_json(res, 200, {{"status", std::string(to_string(m.state))}, {"name", m.name},
                                 {"version", s.members.version()}});
  const int repl = s.drain.replication ? s.drain.replication() : 0;
  auto check = check_drain(s.members.members(), m.name, repl, s.drain.runs_datanode);
  if (!check.allowed && !force) return reply_error(res, 409, check.message);
  s.members.set_admin(m.name, AdminState::draining);
  reply_json(res, 202, {{"status", "draining"}, {"name", m.name}, {"version", s.members.version()},
                        {"forced", !check.allowed}});
}

void handle_drain_status(Shared& s, const httplib::Request& req, httplib::Response& res) {
  if (!s.limiter.allow(peer_of(req))) {
    res.set_header("Retry-After", "1");
    return reply_error(res, 429, "rate limit exceeded");
  }
  MemberView m;
  if (!drain_member(s, req, res, m)) return;
  if (m.state == MemberState::draining) s.drain.monitor->refresh(s.drain.max_age);
  auto now = find_member(s.members, m.name);
  json out{{"name", m.name}, {"state", std::string(to_string(now ? now->state : m.state))}, {"eta_s", nullptr}};
  if (auto p = s.drain.monitor->progress(m.name)) out.update(*p);
  reply_json(res, 200, out);
}

// DELETE /v1/cluster/members/<name>: the member leaves for good.
void handle_leave(Shared& s, const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader) {
  std::string body;
  if (!admit(s, req, res, reader, body)) return;
  const std::string name = req.path.substr(std::string(kMembersPrefix).size());
  if (auto v = validate_hostname(name); !v) return reply_error(res, 400, "name: " + v.error());
  auto m = find_member(s.members, name);
  if (!m) return reply_error(res, 404, "name: no registered member " + name);
  const bool datanode = s.drain.runs_datanode && s.drain.runs_datanode(m->role);
  if (datanode && m->state != MemberState::decommissioned && m->state != MemberState::left &&
      req.get_param_value("force") != "1")
    return reply_error(res, 409, "name: " + name + " is " + std::string(to_string(m->state)) +
                                     ", not decommissioned: leaving now drops its block replicas "
                                     "(drain it first, or force=1)");
  s.members.leave(name);
  reply_json(res, 200, {{"status", "left"}, {"name", name}, {"version", s.members.version()}});
}

// The drain routes: a pattern on httplib::Server, a prefix on RouteTable.
void mount_drain(httplib::Server& srv, const RouteTable::Handler& get, const RouteTable::BodyHandler& post,
                 const RouteTable::BodyHandler& del) {
  const std::string re = R"(/v1/cluster/members/[^/]+/drain)";
  srv.Get(re, get);
  srv.Post(re, post);
  srv.Delete(re, del);
  srv.Delete(R"(/v1/cluster/members/[^/]+)", del);
}
void mount_drain(RouteTable& t, const RouteTable::Handler& get, const RouteTable::BodyHandler& post,
                 const RouteTable::BodyHandler& del) {
  t.GetPrefix(kMembersPrefix, get);
  t.PostPrefix(kMembersPrefix, post);
  t.DeletePrefix(kMembersPrefix, del);
}

}  // namespace

namespace {

// httplib::Server and RouteTable take the same handler shapes.
template <class Router>
void add_routes(Router& server, Membership& members, const Secret& token, ApiLimits limits, DrainPolicy drain) {
  // Shared by the handlers, which the router keeps for its lifetime.
  auto s = std::make_shared<Shared>(members, token, limits, std::move(drain));
  mount_drain(
      server, [s](const httplib::Request& req, httplib::Response& res) { handle_drain_status(*s, req, res); },
      [s](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
        handle_drain(*s, req, res, reader, /*cancel=*/false);
      },
      [s](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
        if (drain_target(req.path).empty()) return handle_leave(*s, req, res, reader);
        handle_drain(*s, req, res, reader, /*cancel=*/true);
      });
  server.Post("/v1/cluster/members",
              [s](const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader) { handle_register(*s, req, res, reader); });
  server.Get("/v1/cluster/hosts", [s](const httplib::Request& req, httplib::Response& res) {
    handle_hosts(*s, req, res);
  });
  server.Get("/v1/cluster/members", [s](const httplib::Request& req, httplib::Response& res) {
    handle_members(*s, req, res);
  });
}

}  // namespace

void register_cluster_routes(httplib::Server& server, Membership& members, const Secret& token, ApiLimits limits,
                             DrainPolicy drain) {
  add_routes(server, members, token, limits, std::move(drain));
}

void register_cluster_routes(RouteTable& routes, Membership& members, const Secret& token, ApiLimits limits,
                             DrainPolicy drain) {
  add_routes(routes, members, token, limits, std::move(drain));
}

}  // namespace vessel::cluster
