#include "app/drain_cmd.hpp"

#include <cstdio>
#include <thread>

#include "app/render_cmd.hpp"
#include "health/server.hpp"
#include "net/http.hpp"
#include "supervise/loader.hpp"
#include "util/log.hpp"

namespace vessel {

namespace {

using nlohmann::json;

std::string num(const json& j, const char* k) {
  auto it = j.find(k);
  return it == j.end() || it->is_null() ? "?" : it->dump();
}

std::string str(const json& j, const char* k, const char* dflt = "?") {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : dflt;
}

net::HttpPolicy short_policy() {
  net::HttpPolicy p;
  p.timeout = std::chrono::seconds(10);
  p.retries = 2;
  p.backoff = std::chrono::milliseconds(500);
  p.max_body = 1u << 20;
  return p;
}

std::string error_field(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  return j.is_object() ? str(j, "error", "") : "";
}

}  // namespace

Result<std::chrono::seconds> drain_duration(const std::string& text, const std::string& field) {
  auto d = parse_duration(text);
  if (!d) return err(field + ": " + d.error());
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

std::string drain_progress_line(const json& p, std::chrono::seconds elapsed) {
  std::string line = "drain " + str(p, "name") + ": " + str(p, "state") + " (NameNode: " +
                     str(p, "hdfs_state", "unknown") + "), under-replicated blocks " +
                     num(p, "under_replicated_blocks") + ", ETA " +
                     (p.contains("eta_s") && p["eta_s"].is_number() ? p["eta_s"].dump() + "s" : "unknown") +
                     ", elapsed " + std::to_string(elapsed.count()) + "s";
  if (auto e = str(p, "hdfs_error", ""); !e.empty()) line += "; " + e;
  return line;
}

std::string drain_timeout_message(const json& last, std::chrono::seconds timeout) {
  return "drain " + str(last, "name") + ": not decommissioned after " + std::to_string(timeout.count()) + "s; " +
         num(last, "under_replicated_blocks") +
         " block(s) still under-replicated (removing the node now would lose the ones with no other "
         "replica); the node stays excluded (vessel drain --cancel recommissions it)";
}

int drain_node(const AgentOptions& o, const DrainCmdOptions& d) {
  setup_logging("text", "warn");
  auto plan = load_plan(o);
  if (!plan) {
    std::fprintf(stderr, "vessel drain: %s\n", plan.error().c_str());
    return 2;
  }
  auto hp = parse_host_port(d.master.empty() ? plan->master + ":" + std::to_string(kDefaultHealthPort) : d.master,
                            "--master");
  if (!hp) {
    std::fprintf(stderr, "vessel drain: %s\n", hp.error().c_str());
    return 2;
  }
  const std::string host = hp->host.find(':') != std::string::npos ? "[" + hp->host + "]" : hp->host;
  const std::string url = "http://" + host + ":" + std::to_string(hp->port) + "/v1/cluster/members/" +
                          plan->cfg.hostname + "/drain";
  net::HttpRequest req;
  req.method = "POST";
  req.url = url + (d.cancel ? "?cancel=1" : d.force ? "?force=1" : "");
  req.headers = {"Authorization: Bearer " + plan->cfg.token.reveal(), "Content-Type: application/json"};
  auto r = net::http_request(req, short_policy());
  if (!r) {
    std::fprintf(stderr, "vessel drain: master %s unreachable: %s\n", url.c_str(), r.error().c_str());
    return 2;
  }
  if (r->status != 200 && r->status != 202) {
    std::fprintf(stderr, "vessel drain: the master refused (HTTP %ld): %s\n", r->status,
                 error_field(r->body).c_str());
    return 2;
  }
  if (d.cancel) {
    std::printf("drain %s: cancelled; the node is back in service\n", plan->cfg.hostname.c_str());
    return 0;
  }
  const auto start = std::chrono::steady_clock::now();
  json last{{"name", plan->cfg.hostname}};
  for (;;) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
    auto g = net::http_get(url, short_policy());
    if (g && g->status == 200) {
      auto j = json::parse(g->body, nullptr, false);
      if (j.is_object()) last = std::move(j);
    }
    std::printf("%s\n", drain_progress_line(last, elapsed).c_str());
    std::fflush(stdout);
    if (str(last, "state", "") == "decommissioned") return 0;
    if (elapsed >= d.timeout) {
      std::fprintf(stderr, "vessel drain: %s\n", drain_timeout_message(last, d.timeout).c_str());
      return 1;
    }
    std::this_thread::sleep_for(d.interval);
  }
}

}  // namespace vessel
