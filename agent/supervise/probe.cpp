#include "supervise/probe.hpp"

#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

namespace vessel {
namespace {

ProbeResult tcp_probe(const ProbeSpec& p) {
  ProbeResult r;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(p.port);
  if (int rc = getaddrinfo(p.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    r.detail = "resolve " + p.host + ": " + gai_strerror(rc);
    return r;
  }
  r.detail = "connect " + p.host + ":" + port + ": no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      rc = poll(&pfd, 1, static_cast<int>(p.timeout.count()));
      if (rc == 1) {
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        rc = soerr == 0 ? 0 : -1;
        errno = soerr;
      } else {
        rc = -1;
        errno = ETIMEDOUT;
      }
    }
    int e = errno;
    close(fd);
    if (rc == 0) {
      r.ok = true;
      r.detail.clear();
      break;
    }
    r.detail = "connect " + p.host + ":" + port + ": " + std::strerror(e);
  }
  freeaddrinfo(res);
  return r;
}

ProbeResult http_probe(const ProbeSpec& p) {
  httplib::Client cli(p.host, p.port);
  auto secs = p.timeout.count() / 1000;
  auto usecs = (p.timeout.count() % 1000) * 1000;
  cli.set_connection_timeout(secs, usecs);
  cli.set_read_timeout(secs, usecs);
  cli.set_write_timeout(secs, usecs);
  auto res = cli.Get(p.path);
  ProbeResult r;
  if (!res) {
    r.detail = "GET " + describe_probe(p) + ": " + httplib::to_string(res.error());
    return r;
  }
  if (res->status < 200 || res->status >= 300) {
    r.detail = "GET " + describe_probe(p) + ": HTTP " + std::to_string(res->status);
    return r;
  }
  return check_json_body(p, res->body);
}

}  // namespace

std::string describe_probe(const ProbeSpec& p) {
  switch (p.kind) {
    case ProbeSpec::Kind::Tcp: return "tcp " + p.host + ":" + std::to_string(p.port);
    case ProbeSpec::Kind::Http: return "http://" + p.host + ":" + std::to_string(p.port) + p.path;
    case ProbeSpec::Kind::Exec: return "exec " + (p.argv.empty() ? std::string() : p.argv[0]);
    case ProbeSpec::Kind::None: return "none";
  }
  return "?";
}

ProbeResult check_json_body(const ProbeSpec& p, const std::string& body) {
  ProbeResult r;
  if (p.json_pointer.empty()) {
    r.ok = true;
    return r;
  }
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    r.detail = describe_probe(p) + ": body is not JSON";
    return r;
  }
  try {
    const auto& v = doc.at(nlohmann::json::json_pointer(p.json_pointer));
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (p.json_equals && text != *p.json_equals) {
      r.detail = describe_probe(p) + ": " + p.json_pointer + " is '" + text.substr(0, 80) + "', want '" +
                 *p.json_equals + "'";
      return r;
    }
  } catch (const nlohmann::json::exception&) {
    r.detail = describe_probe(p) + ": " + p.json_pointer + " not found";
    return r;
  }
  r.ok = true;
  return r;
}

ProbeResult run_network_probe(const ProbeSpec& p) {
  auto t0 = std::chrono::steady_clock::now();
  ProbeResult r = p.kind == ProbeSpec::Kind::Tcp ? tcp_probe(p) : http_probe(p);
  r.latency = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
  return r;
}

}  // namespace vessel
