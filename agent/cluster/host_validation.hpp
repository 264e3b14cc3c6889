#pragma once
// Validators for what may land in /etc/hosts. Every name and address that
// reaches the hosts file passes through here first: a newline or space in a
// "hostname" would otherwise let a peer inject arbitrary hosts lines.
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vessel::cluster {

// RFC 1123 hostname: 1..253 chars, dot-separated labels of 1..63
// [A-Za-z0-9-] not starting or ending with '-'. No trailing dot.
Status validate_hostname(std::string_view name);

// An IPv4 or IPv6 literal accepted by inet_pton. Returns the canonical text
// form (inet_ntop), so "::0:1" and "::1" dedupe to one entry.
Result<std::string> canonical_ip(std::string_view ip);

// Like canonical_ip, but an IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a
// dual-stack listener reports for IPv4 peers) becomes plain a.b.c.d.
Result<std::string> canonical_peer_ip(std::string_view ip);

}  // namespace vessel::cluster
