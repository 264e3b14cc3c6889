// Renderings of the status snapshot: /status JSON, /readyz reasons and the
// Prometheus text exposition.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "health/status_board.hpp"

using namespace vessel;

namespace {

ServiceStatus svc(std::string name, std::string state, bool ready) {
  ServiceStatus s;
  s.name = std::move(name);
  s.state = std::move(state);
  s.ready = ready;
  return s;
}

AgentStatus sample() {
  AgentStatus a;
  a.node = "node-1";
  a.role = "worker";
  a.source = "services-file";
  a.version = "0.1.0";
  a.started_unix_ms = 1'000'000;
  a.zombies_reaped = 7;
  a.children_reaped = 12;
  auto nn = svc("namenode", "READY", true);
  nn.pid = 42;
  nn.restarts = 2;
  nn.critical = true;
  nn.last_exit_code = 3;
  nn.since_unix_ms = 1'001'000;
  nn.started_unix_ms = 1'002'000;
  nn.probe_latency_s = 0.25;
  nn.probes_total = 9;
  auto dn = svc("datanode", "STARTING", false);
  dn.reason = "waiting for tcp 127.0.0.1:9866";
  dn.last_signal = 9;
  a.services = {nn, dn};
  return a;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("status: all_ready and not_ready_reasons", "[health]") {
  auto a = sample();
  CHECK_FALSE(all_ready(a));
  CHECK(not_ready_reasons(a) == std::vector<std::string>{"datanode: STARTING (waiting for tcp 127.0.0.1:9866)"});

  a.services[1] = svc("datanode", "READY", true);
  CHECK(all_ready(a));
  CHECK(not_ready_reasons(a).empty());

  a.shutting_down = true;
  CHECK_FALSE(all_ready(a));
  CHECK(not_ready_reasons(a) == std::vector<std::string>{"agent: shutting down"});

  AgentStatus empty;
  CHECK_FALSE(all_ready(empty));
  CHECK(not_ready_reasons(empty) == std::vector<std::string>{"agent: no services"});

  AgentStatus failed;
  failed.services = {svc("x", "FAILED", false)};
  CHECK(not_ready_reasons(failed) == std::vector<std::string>{"x: FAILED"});
}

TEST_CASE("status: status_json fields", "[health]") {
  auto a = sample();
  a.extra["cluster"] = {{"members", 3}};
  auto j = status_json(a, 1'010'000);
  CHECK(j["node"] == "node-1");
  CHECK(j["role"] == "worker");
  CHECK(j["source"] == "services-file");
  CHECK(j["version"] == "0.1.0");
  CHECK(j["uptime_s"].get<double>() == Approx(10.0));
  CHECK(j["ready"] == false);
  CHECK(j["shutting_down"] == false);
  CHECK(j["zombies_reaped"] == 7);
  CHECK(j["cluster"]["members"] == 3);
  REQUIRE(j["services"].size() == 2);
  const auto& nn = j["services"][0];
  CHECK(nn["name"] == "namenode");
  CHECK(nn["state"] == "READY");
  CHECK(nn["pid"] == 42);
  CHECK(nn["restarts"] == 2);
  CHECK(nn["ready"] == true);
  CHECK(nn["critical"] == true);
  CHECK(nn["last_exit_code"] == 3);
  CHECK(nn["last_signal"].is_null());
  CHECK(nn["since_unix_ms"] == 1'001'000);
  CHECK(nn["uptime_s"].get<double>() == Approx(8.0));  // derived from started_unix_ms at read time
  const auto& dn = j["services"][1];
  CHECK(dn["last_exit_code"].is_null());
  CHECK(dn["last_signal"] == 9);
  CHECK(dn["uptime_s"].get<double>() == 0.0);  // no process
  CHECK(dn["reason"] == "waiting for tcp 127.0.0.1:9866");
  CHECK(j["reasons"] == nlohmann::json::array({"datanode: STARTING (waiting for tcp 127.0.0.1:9866)"}));
}

TEST_CASE("metrics: Prometheus text format", "[health]") {
  const auto text = metrics_text(sample(), 1'010'000, 12345678);
  const auto ls = lines(text);
  REQUIRE_FALSE(ls.empty());
  CHECK(text.back() == '\n');

  // Every line is a HELP, a TYPE, or `name{labels} value` / `name value`.
  const std::regex help(R"(# HELP [a-z_]+ .+)");
  const std::regex type(R"(# TYPE [a-z_]+ (gauge|counter))");
  const std::regex sample_line(R"re([a-z_]+(\{([a-z_]+="([^"\\\n]|\\.)*",?)+\})? -?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?)re");
  for (const auto& l : ls) {
    INFO(l);
    CHECK((std::regex_match(l, help) || std::regex_match(l, type) || std::regex_match(l, sample_line)));
  }
  auto has = [&](const std::string& l) { return std::find(ls.begin(), ls.end(), l) != ls.end(); };
  CHECK(has("# TYPE vessel_up gauge"));
  CHECK(has("vessel_up{service=\"namenode\",state=\"READY\"} 1"));
  CHECK(has("vessel_up{service=\"datanode\",state=\"STARTING\"} 0"));
  CHECK(has("# TYPE vessel_restarts_total counter"));
  CHECK(has("vessel_restarts_total{service=\"namenode\"} 2"));
  CHECK(has("vessel_restarts_total{service=\"datanode\"} 0"));
  CHECK(has("vessel_probe_latency_seconds{service=\"namenode\"} 0.25"));
  CHECK(has("vessel_probes_total{service=\"namenode\"} 9"));
  CHECK(has("# TYPE vessel_zombies_reaped_total counter"));
  CHECK(has("vessel_zombies_reaped_total 7"));
  CHECK(has("vessel_children_reaped_total 12"));
  CHECK(has("vessel_ready 0"));
  CHECK(has("vessel_agent_uptime_seconds 10"));
  CHECK(has("vessel_agent_rss_bytes 12345678"));

  // Each metric family has exactly one TYPE line, before its samples.
  for (const char* fam : {"vessel_up", "vessel_restarts_total", "vessel_zombies_reaped_total", "vessel_agent_rss_bytes"}) {
    INFO(fam);
    CHECK(std::count(ls.begin(), ls.end(), std::string("# TYPE ") + fam + (std::string(fam) == "vessel_up" || std::string(fam) == "vessel_agent_rss_bytes" ? " gauge" : " counter")) == 1);
  }
}

TEST_CASE("metrics: label values are escaped", "[health]") {
  AgentStatus a;
  // Loader rules forbid such names today; the exposition must still be safe.
  a.services = {svc("we\"ird\\na\nme", "READY", true)};
  const auto text = metrics_text(a, 0, 0);
  CHECK(text.find("vessel_restarts_total{service=\"we\\\"ird\\\\na\\nme\"} 0\n") != std::string::npos);
  // No raw newline inside a label: every line still parses as one sample.
  for (const auto& l : lines(text)) {
    INFO(l);
    CHECK((l.rfind("#", 0) == 0 || l.rfind("vessel_", 0) == 0));
  }
}

TEST_CASE("metrics: no services still renders the agent metrics", "[health]") {
  const auto text = metrics_text(AgentStatus{}, 0, 4096);
  CHECK(text.find("vessel_zombies_reaped_total 0\n") != std::string::npos);
  CHECK(text.find("vessel_agent_rss_bytes 4096\n") != std::string::npos);
  CHECK(text.find("vessel_ready 0\n") != std::string::npos);
  CHECK(text.find("vessel_up{") == std::string::npos);
}

TEST_CASE("status board: publish and snapshot", "[health]") {
  StatusBoard b;
  b.publish(sample());
  CHECK(b.snapshot().services.size() == 2);
  int calls = 0;
  b.set_provider("cluster", [&calls] {
    ++calls;
    return nlohmann::json{{"x", calls}};
  });
  // Providers are read at snapshot time, so the view is always fresh.
  CHECK(b.snapshot().extra["cluster"]["x"] == 1);
  CHECK(b.snapshot().extra["cluster"]["x"] == 2);
}
