// `vessel status`: asks a running agent's health port and prints a table.
// Exit 0 when ready, 1 when not ready, 2 when the agent cannot be reached, so
// it works as a Docker HEALTHCHECK as it is.
#include <httplib.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "health/server.hpp"

namespace po = boost::program_options;

namespace vessel::cli {
namespace {

std::string cell(const nlohmann::json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string human_duration(double s) {
  char buf[32];
  if (s < 120) std::snprintf(buf, sizeof(buf), "%.0fs", s);
  else if (s < 7200) std::snprintf(buf, sizeof(buf), "%.0fm", s / 60);
  else std::snprintf(buf, sizeof(buf), "%.1fh", s / 3600);
  return buf;
}

// A worker's own drain (phase, message), or the master's view of every
// draining member (issue 10).
void print_drain(const nlohmann::json& d) {
  if (!d.is_object()) return;
  if (d.contains("phase") && d["phase"] != "idle")
    std::printf("drain: %s: %s\n", cell(d["phase"]).c_str(), cell(d.value("message", nlohmann::json())).c_str());
  auto it = d.find("draining");
  if (it == d.end() || !it->is_object()) return;
  for (const auto& [name, p] : it->items()) {
    if (!p.is_object()) continue;
    const auto eta = p.value("eta_s", nlohmann::json());
    std::printf("drain %s: %s, %s under-replicated block(s), ~%lld MB left, ETA %s\n", cell(name).c_str(),
                cell(p.value("hdfs_state", nlohmann::json())).c_str(),
                cell(p.value("under_replicated_blocks", nlohmann::json())).c_str(),
                static_cast<long long>(p.value("bytes_left", 0LL) >> 20),
                eta.is_number() ? (eta.dump() + " s").c_str() : "unknown");
  }
}

void print_table(const nlohmann::json& j) {
  std::printf("node %s  role %s  source %s  %s\n", cell(j.value("node", nlohmann::json())).c_str(),
              cell(j.value("role", nlohmann::json())).c_str(), cell(j.value("source", nlohmann::json())).c_str(),
              j.value("ready", false) ? "READY" : "NOT READY");
  std::printf("%-16s %-9s %7s %8s %8s %5s  %s\n", "SERVICE", "STATE", "PID", "RESTARTS", "UPTIME", "READY", "REASON");
  for (const auto& s : j.value("services", nlohmann::json::array())) {
    std::printf("%-16s %-9s %7s %8s %8s %5s  %s\n", cell(s.value("name", nlohmann::json())).c_str(),
                cell(s.value("state", nlohmann::json())).c_str(),
                s.value("pid", 0) ? std::to_string(s.value("pid", 0)).c_str() : "-",
                std::to_string(s.value("restarts", 0)).c_str(),
                s.value("pid", 0) ? human_duration(s.value("uptime_s", 0.0)).c_str() : "-",
                s.value("ready", false) ? "yes" : "no", cell(s.value("reason", nlohmann::json())).c_str());
  }
  if (auto d = j.find("drain"); d != j.end()) print_drain(*d);
}

}  // namespace

int cmd_status(int argc, char** argv) {
  std::string addr = "127.0.0.1:" + std::to_string(kDefaultHealthPort);
  int timeout_s = 3;
  po::options_description desc(
      "vessel status [OPTIONS]\n\nPrint the services of a running agent.\n"
      "Exit code: 0 ready, 1 not ready, 2 agent unreachable");
  desc.add_options()("help,h", "show this help")("addr", po::value(&addr)->default_value(addr),
                                                 "HOST:PORT of the agent's health port")(
      "json", "print the raw /status JSON")("timeout", po::value(&timeout_s)->default_value(timeout_s),
                                            "seconds to wait for the agent");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "vessel status: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  auto hp = parse_host_port(addr, "--addr");
  if (!hp) {
    std::cerr << "vessel status: " << hp.error() << "\n";
    return 2;
  }
  if (hp->host == "0.0.0.0") hp->host = "127.0.0.1";
  httplib::Client cli(hp->host, hp->port);
  cli.set_connection_timeout(timeout_s, 0);
  cli.set_read_timeout(timeout_s, 0);
  auto res = cli.Get("/status");
  if (!res || res->status != 200) {
    std::cerr << "vessel status: agent at " << hp->host << ":" << hp->port << " unreachable ("
              << (res ? "HTTP " + std::to_string(res->status) : httplib::to_string(res.error())) << ")\n";
    return 2;
  }
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::cerr << "vessel status: agent answered with something that is not JSON\n";
    return 2;
  }
  if (vm.count("json")) {
    std::cout << j.dump(2) << "\n";
  } else {
    print_table(j);
  }
  return j.value("ready", false) ? 0 : 1;
}

}  // namespace vessel::cli
