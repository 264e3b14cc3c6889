#include "cluster/host_validation.hpp"

#include "config/validate.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace vessel::cluster {

Status validate_hostname(std::string_view name) {
  if (auto why = config::hostname_problem(name)) return err(*why);
  return ok();
}

Result<std::string> canonical_ip(std::string_view ip) {
  // inet_pton needs a NUL-terminated string; the cap keeps junk input cheap.
  if (ip.empty()) return err("empty IP address");
  if (ip.size() >= INET6_ADDRSTRLEN) return err("not an IPv4 or IPv6 address");
  std::string s(ip);
  char out[INET6_ADDRSTRLEN];
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    if (!inet_ntop(AF_INET, buf, out, sizeof out)) return err("not an IPv4 or IPv6 address");
    return std::string(out);
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    if (!inet_ntop(AF_INET6, buf, out, sizeof out)) return err("not an IPv4 or IPv6 address");
    return std::string(out);
  }
  return err("not an IPv4 or IPv6 address");
}

Result<std::string> canonical_peer_ip(std::string_view ip) {
  auto c = canonical_ip(ip);
  if (!c) return c;
  constexpr std::string_view kMapped = "::ffff:";
  const std::string& v = c.value();
  if (v.size() > kMapped.size() && v.compare(0, kMapped.size(), kMapped) == 0 &&
      v.find('.') != std::string::npos) {
    return v.substr(kMapped.size());
  }
  return c;
}

}  // namespace vessel::cluster
