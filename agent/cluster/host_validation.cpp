#include "cluster/host_validation.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace vessel::cluster {

namespace {

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-';
}

}  // namespace

Status validate_hostname(std::string_view name) {
  if (name.empty()) return err("empty hostname");
  if (name.size() > 253) return err("hostname longer than 253 characters");
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty()) return err("hostname has an empty label");
    if (label.size() > 63) return err("hostname label longer than 63 characters");
    for (char c : label) {
      // Deliberately does not echo the byte: it may be a control character.
      if (!is_label_char(c)) return err("hostname may contain only letters, digits, '-' and '.'");
    }
    if (label.front() == '-' || label.back() == '-')
      return err("hostname label may not start or end with '-'");
    start = dot + 1;
  }
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
