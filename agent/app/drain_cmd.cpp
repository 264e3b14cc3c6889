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

std::string base_url(const HostPort& hp) {
  const std::string host = hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host;
  return "http://" + host + ":" + std::to_string(hp.port);
}

// The node is gone (PID 1 exited after leaving): the master says whether it left.
bool master_says_left(const BootPlan& plan) {
  const std::string url = "http://" + plan.master + ":" + std::to_string(kDefaultHealthPort) +
                          "/v1/cluster/members/" + plan.cfg.hostname + "/drain";
  auto g = net::http_get(url, short_policy());
  if (!g || g->status != 200) return false;
  auto j = json::parse(g->body, nullptr, false);
  return j.is_object() && str(j, "state", "") == "left";
}

}  // namespace

Result<std::chrono::seconds> drain_duration(const std::string& text, const std::string& field) {
  auto d = parse_duration(text);
  if (!d) return err(field + ": " + d.error());
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

std::string drain_progress_line(const json& v) {
  std::string line = "drain " + str(v, "name") + ": " + str(v, "phase") + ": " + str(v, "message", "");
  if (auto it = v.find("elapsed_s"); it != v.end() && it->is_number()) line += " (" + it->dump() + " s)";
  return line;
}

std::optional<int> drain_exit_code(const std::string& phase) {
  if (phase == "left") return 0;
  if (phase == "timed_out") return 1;
  if (phase == "refused" || phase == "failed" || phase == "cancelled") return 2;
  return std::nullopt;
}

int drain_node(const AgentOptions& o, const DrainCmdOptions& d) {
  setup_logging("text", "warn");
  auto plan = load_plan(o);
  if (!plan) {
    std::fprintf(stderr, "vessel drain: %s\n", plan.error().c_str());
    return 2;
  }
  auto hp = parse_host_port(d.agent.empty() ? "127.0.0.1:" + std::to_string(kDefaultHealthPort) : d.agent, "--agent");
  if (!hp) {
    std::fprintf(stderr, "vessel drain: %s\n", hp.error().c_str());
    return 2;
  }
  const std::string url = base_url(*hp) + "/v1/node/drain";
  net::HttpRequest req;
  req.method = "POST";
  req.url = url + (d.cancel ? "?cancel=1" : "?timeout=" + std::to_string(d.timeout.count()) + "s" +
                                                (d.force ? "&force=1" : ""));
  req.headers.push_back("Authorization: Bearer " + plan->cfg.token.reveal());
  auto r = net::http_request(req, short_policy());
  if (!r) {
    std::fprintf(stderr, "vessel drain: the agent at %s is unreachable: %s\n", url.c_str(), r.error().c_str());
    return 2;
  }
  auto first = json::parse(r->body, nullptr, false);
  if (r->status != 200 && r->status != 202) {
    std::fprintf(stderr, "vessel drain: refused (HTTP %ld): %s\n", r->status,
                 first.is_object() ? str(first, "error", "").c_str() : "");
    return 2;
  }
  if (d.cancel) {
    std::printf("%s\n", drain_progress_line(first).c_str());
    return 0;
  }
  std::string phase;
  for (;;) {
    auto g = net::http_get(url, short_policy());
    if (!g || g->status != 200) {
      // PID 1 exits once the node left; the master has the last word.
      if (phase == "stopping" && master_says_left(*plan)) {
        std::printf("drain %s: left: the services stopped and the node left the cluster\n",
                    plan->cfg.hostname.c_str());
        return 0;
      }
      std::fprintf(stderr, "vessel drain: lost the agent (%s) in phase %s\n",
                   g ? ("HTTP " + std::to_string(g->status)).c_str() : g.error().c_str(), phase.c_str());
      return phase == "stopping" ? 1 : 2;
    }
    auto v = json::parse(g->body, nullptr, false);
    if (!v.is_object()) v = json::object();
    phase = str(v, "phase", "");
    std::printf("%s\n", drain_progress_line(v).c_str());
    std::fflush(stdout);
    if (auto code = drain_exit_code(phase)) {
      if (*code) std::fprintf(stderr, "vessel drain: %s\n", str(v, "message", "").c_str());
      return *code;
    }
    std::this_thread::sleep_for(d.interval);
  }
}

}  // namespace vessel
