#pragma once
// The health port (cpp-httplib). Read-only endpoints, no secrets:
//   GET /healthz  200 while the agent loop is alive
//   GET /readyz   200 when every service is READY, else 503 with reasons
//   GET /status   JSON: node, role, source, per-service state...
//   GET /metrics  Prometheus text format
// Handlers only copy the StatusBoard snapshot, so a slow client can never
// block the supervisor. Other components (cluster membership) attach their
// routes to server() before start().
#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include "health/routes.hpp"
#include "health/status_board.hpp"
#include "util/result.hpp"

namespace vessel {

constexpr int kDefaultHealthPort = 8099;  // clashes with no Spark/HDFS port

struct HostPort {
  std::string host;
  int port = 0;
};
// "HOST:PORT", ":PORT" or "[v6]:PORT". Error names `field`.
Result<HostPort> parse_host_port(const std::string& s, const std::string& field);

class HealthServer {
 public:
  explicit HealthServer(StatusBoard& board);
  ~HealthServer();
  httplib::Server& server() { return srv_; }
  // Routes under /v1/ that can be mounted while the server runs.
  RouteTable& routes() { return routes_; }
  // Binds now (so a taken port is an error at boot), serves on a thread.
  Status start(const HostPort& addr);
  void stop();
  int port() const { return port_; }

 private:
  StatusBoard& board_;
  RouteTable routes_;
  httplib::Server srv_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace vessel
