#include "app/drain_routes.hpp"

#include <memory>

#include "cluster/bearer.hpp"
#include "cluster/rate_limit.hpp"
#include "supervise/loader.hpp"

namespace vessel {

namespace {

using nlohmann::json;

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

struct Shared {
  Shared(NodeDrain& d, Secret t) : drain(d), token(std::move(t)) {}
  NodeDrain& drain;
  Secret token;
  cluster::RateLimiter limiter{cluster::RateLimit{}};
};

// Rate limit, token, no body. False: `res` holds the refusal.
bool admit(Shared& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader) {
  res.set_header("Connection", "close");
  if (!s.limiter.allow(req.remote_addr)) {
    res.set_header("Retry-After", "1");
    reply(res, 429, {{"error", "rate limit exceeded"}});
    return false;
  }
  if (!reader) return true;
  if (req.get_header_value_count("Authorization") != 1 ||
      !cluster::bearer_matches(req.get_header_value("Authorization"), s.token)) {
    res.set_header("WWW-Authenticate", "Bearer");
    reply(res, 401, {{"error", "authorization: missing or invalid bearer token"}});
    return false;
  }
  bool body = false;
  (*reader)([&](const char*, size_t len) { return !(body = body || len > 0); });
  if (body) {
    reply(res, 413, {{"error", "body: must be empty (parameters go in the query)"}});
    return false;
  }
  return true;
}

void cancel(Shared& s, httplib::Response& res) {
  auto r = s.drain.cancel();
  if (!r) return reply(res, 409, {{"error", r.error()}});
  reply(res, 200, s.drain.view());
}

void post(Shared& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  if (!admit(s, req, res, &reader)) return;
  if (req.get_param_value("cancel") == "1") return cancel(s, res);
  auto t = drain_timeout_param(req.get_param_value("timeout"), std::chrono::seconds(3600));
  if (!t) return reply(res, 400, {{"error", t.error()}});
  DrainRequest r;
  r.timeout = *t;
  r.force = req.get_param_value("force") == "1";
  if (auto st = s.drain.start(r); !st) return reply(res, 409, {{"error", st.error()}});
  reply(res, 202, s.drain.view());
}

}  // namespace

Result<std::chrono::seconds> drain_timeout_param(const std::string& text, std::chrono::seconds dflt) {
  if (text.empty()) return dflt;
  auto d = parse_duration(text);
  if (!d) return err("timeout: " + d.error());
  auto s = std::chrono::duration_cast<std::chrono::seconds>(*d);
  if (s < std::chrono::seconds(1) || s > std::chrono::hours(24 * 7))
    return err("timeout: must be from 1s to 168h, got " + text.substr(0, 32));
  return s;
}

void mount_node_drain(RouteTable& routes, NodeDrain& drain, const Secret& token) {
  auto s = std::make_shared<Shared>(drain, token);
  routes.Get("/v1/node/drain", [s](const httplib::Request& req, httplib::Response& res) {
    if (admit(*s, req, res, nullptr)) reply(res, 200, s->drain.view());
  });
  routes.Post("/v1/node/drain", [s](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) { post(*s, req, res, reader); });
  routes.Delete("/v1/node/drain", [s](const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& reader) {
    if (admit(*s, req, res, &reader)) cancel(*s, res);
  });
}

}  // namespace vessel
