#include "health/status_board.hpp"

#include <sstream>

namespace vessel {

bool all_ready(const AgentStatus& s) {
  if (s.shutting_down || s.services.empty() || !s.problems.empty()) return false;
  for (const auto& sv : s.services) {
    if (!sv.ready) return false;
  }
  return true;
}

std::vector<std::string> not_ready_reasons(const AgentStatus& s) {
  std::vector<std::string> out;
  if (s.shutting_down) out.push_back("agent: shutting down");
  for (const auto& p : s.problems) out.push_back("agent: " + p);
  if (s.services.empty()) out.push_back("agent: no services");
  for (const auto& sv : s.services) {
    if (sv.ready) continue;
    out.push_back(sv.name + ": " + sv.state + (sv.reason.empty() ? "" : " (" + sv.reason + ")"));
  }
  return out;
}

nlohmann::json status_json(const AgentStatus& s, int64_t now_ms) {
  nlohmann::json j;
  j["node"] = s.node;
  j["role"] = s.role;
  j["source"] = s.source;
  j["version"] = s.version;
  j["uptime_s"] = (now_ms - s.started_unix_ms) / 1000.0;
  j["ready"] = all_ready(s);
  j["shutting_down"] = s.shutting_down;
  j["zombies_reaped"] = s.zombies_reaped;
  j["transition_errors"] = s.transition_errors;
  j["services"] = nlohmann::json::array();
  for (const auto& sv : s.services) {
    nlohmann::json o;
    o["name"] = sv.name;
    o["state"] = sv.state;
    o["pid"] = sv.pid;
    o["restarts"] = sv.restarts;
    o["ready"] = sv.ready;
    o["critical"] = sv.critical;
    o["last_exit_code"] = sv.last_exit_code ? nlohmann::json(*sv.last_exit_code) : nlohmann::json();
    o["last_signal"] = sv.last_signal ? nlohmann::json(*sv.last_signal) : nlohmann::json();
    o["since_unix_ms"] = sv.since_unix_ms;
    o["uptime_s"] = sv.started_unix_ms ? (now_ms - sv.started_unix_ms) / 1000.0 : 0.0;
    o["reason"] = sv.reason;
    j["services"].push_back(std::move(o));
  }
  j["reasons"] = not_ready_reasons(s);
  for (const auto& [k, v] : s.extra.items()) j[k] = v;
  return j;
}

namespace {
// Prometheus label values escape backslash, quote and newline.
std::string label(const std::string& v) {
  std::string o;
  for (char c : v) {
    if (c == '\\' || c == '"') o += '\\';
    if (c == '\n') {
      o += "\\n";
      continue;
    }
    o += c;
  }
  return o;
}
}  // namespace

std::string metrics_text(const AgentStatus& s, int64_t now_ms, long rss_bytes) {
  std::ostringstream m;
  m << "# HELP vessel_up Whether the service is READY (1) or not (0).\n# TYPE vessel_up gauge\n";
  for (const auto& sv : s.services)
    m << "vessel_up{service=\"" << label(sv.name) << "\",state=\"" << sv.state << "\"} " << (sv.ready ? 1 : 0) << "\n";
  m << "# HELP vessel_restarts_total Restarts of the service since the agent started.\n"
       "# TYPE vessel_restarts_total counter\n";
  for (const auto& sv : s.services)
    m << "vessel_restarts_total{service=\"" << label(sv.name) << "\"} " << sv.restarts << "\n";
  m << "# HELP vessel_probe_latency_seconds Latency of the last readiness probe.\n"
       "# TYPE vessel_probe_latency_seconds gauge\n";
  for (const auto& sv : s.services)
    m << "vessel_probe_latency_seconds{service=\"" << label(sv.name) << "\"} " << sv.probe_latency_s << "\n";
  m << "# HELP vessel_probes_total Readiness probes run.\n# TYPE vessel_probes_total counter\n";
  for (const auto& sv : s.services)
    m << "vessel_probes_total{service=\"" << label(sv.name) << "\"} " << sv.probes_total << "\n";
  m << "# HELP vessel_zombies_reaped_total Orphaned descendants reaped (not services).\n"
       "# TYPE vessel_zombies_reaped_total counter\nvessel_zombies_reaped_total "
    << s.zombies_reaped << "\n";
  m << "# HELP vessel_children_reaped_total All children reaped.\n"
       "# TYPE vessel_children_reaped_total counter\nvessel_children_reaped_total "
    << s.children_reaped << "\n";
  m << "# HELP vessel_ready Whether every service is READY.\n# TYPE vessel_ready gauge\nvessel_ready "
    << (all_ready(s) ? 1 : 0) << "\n";
  m << "# HELP vessel_agent_uptime_seconds Seconds since the agent started.\n"
       "# TYPE vessel_agent_uptime_seconds gauge\nvessel_agent_uptime_seconds "
    << (now_ms - s.started_unix_ms) / 1000.0 << "\n";
  m << "# HELP vessel_agent_rss_bytes Resident set size of the agent.\n"
       "# TYPE vessel_agent_rss_bytes gauge\nvessel_agent_rss_bytes "
    << rss_bytes << "\n";
  m << s.metrics_extra;
  return m.str();
}

}  // namespace vessel
