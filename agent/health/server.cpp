#include "health/server.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>

namespace vessel {
namespace {

// cpp-httplib serves a keep-alive connection on one pool thread for as long
// as it stays open, so a connection beyond the pool size waits in the queue
// until another closes. Its default pool is max(8, cores-1) threads and it
// closes a connection after 5 requests; at that setting 16 busy clients made
// half of them queue and reconnect constantly (p99 in the tens of ms). Idle
// pool threads sleep on a condition variable: no wake-ups, a few kB each.
constexpr std::size_t kServerThreads = 16;
constexpr std::size_t kKeepAliveMaxRequests = 100;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

long rss_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * sysconf(_SC_PAGESIZE);
}

}  // namespace

Result<HostPort> parse_host_port(const std::string& s, const std::string& field) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return err(field + ": expected HOST:PORT, got '" + s + "'");
  HostPort hp;
  hp.host = s.substr(0, colon);
  if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']') hp.host = hp.host.substr(1, hp.host.size() - 2);
  if (hp.host.empty()) hp.host = "0.0.0.0";
  auto ps = std::string_view(s).substr(colon + 1);
  auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), hp.port);
  if (ec != std::errc() || p != ps.data() + ps.size() || hp.port < 0 || hp.port > 65535)
    return err(field + ": port must be 0..65535 in '" + s + "'");
  return hp;
}

HealthServer::HealthServer(StatusBoard& board) : board_(board) {
  srv_.set_payload_max_length(64 * 1024);
  srv_.set_read_timeout(5, 0);
  srv_.set_write_timeout(5, 0);
  srv_.set_keep_alive_timeout(5);
  // cpp-httplib writes headers and body with separate send()s. With Nagle on,
  // the body waits for the client's delayed ACK of the headers (~40 ms on
  // Linux), which capped /status at ~25 requests/s per connection.
  srv_.set_tcp_nodelay(true);
  srv_.set_keep_alive_max_count(kKeepAliveMaxRequests);
  srv_.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };

  srv_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  srv_.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    auto s = board_.snapshot();
    if (all_ready(s)) {
      res.set_content("ready\n", "text/plain");
      return;
    }
    std::string body = "not ready\n";
    for (const auto& r : not_ready_reasons(s)) body += r + "\n";
    res.status = 503;
    res.set_content(body, "text/plain");
  });
  srv_.Get("/status", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(status_json(board_.snapshot(), now_ms()).dump(2) + "\n", "application/json");
  });
  // Mounted routes (RouteTable): 404 until something is mounted there.
  srv_.Get(R"(/v1/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto h = routes_.get(req.path)) return h(req, res);
    res.status = 404;
    res.set_content("{\"error\":\"not served on this node\"}\n", "application/json");
  });
  srv_.Post(R"(/v1/.*)", [this](const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader& reader) {
    if (auto h = routes_.post(req.path)) return h(req, res, reader);
    res.status = 404;
    res.set_content("{\"error\":\"not served on this node\"}\n", "application/json");
  });
  srv_.Delete(R"(/v1/.*)", [this](const httplib::Request& req, httplib::Response& res,
                                  const httplib::ContentReader& reader) {
    if (auto h = routes_.del(req.path)) return h(req, res, reader);
    res.status = 404;
    res.set_content("{\"error\":\"not served on this node\"}\n", "application/json");
  });
  srv_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_text(board_.snapshot(), now_ms(), rss_bytes()), "text/plain; version=0.0.4");
  });
}

HealthServer::~HealthServer() { stop(); }

Status HealthServer::start(const HostPort& addr) {
  if (addr.port == 0) {
    port_ = srv_.bind_to_any_port(addr.host);
    if (port_ < 0) return err("health-addr: cannot bind " + addr.host);
  } else {
    if (!srv_.bind_to_port(addr.host, addr.port))
      return err("health-addr: cannot bind " + addr.host + ":" + std::to_string(addr.port) + ": " +
                 std::strerror(errno));
    port_ = addr.port;
  }
  thread_ = std::thread([this] { srv_.listen_after_bind(); });
  // httplib's stop() is a no-op until the listen loop has marked itself
  // running; a stop() that came sooner would leave the loop blocked in
  // accept() and join() hanging (seen when a NoCloud config loaded within
  // microseconds of the waiting-phase server starting). So start() returns
  // only once the loop runs.
  for (int i = 0; i < 5000 && !srv_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!srv_.is_running()) return err("health-addr: the listen loop did not start");
  return ok();
}

void HealthServer::stop() {
  srv_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vessel
