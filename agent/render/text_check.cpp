#include "render/text_check.hpp"

#include "config/validate.hpp"

#include <arpa/inet.h>

#include <cstdio>

namespace vessel::render_detail {

bool printable_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Multi-byte sequence: lead byte gives the length; reject overlongs,
    // surrogates and code points above U+10FFFF.
    std::size_t len;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    // C1 controls (U+0080..U+009F) are as unwelcome as C0 ones.
    if (cp >= 0x80 && cp <= 0x9f) return false;
    i += len;
  }
  return true;
}

bool property_key(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool shell_identifier(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  if (s[0] >= '0' && s[0] <= '9') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}


bool host_or_ip(std::string_view s) {
  if (config::valid_hostname(s)) return true;  // one RFC 1123 check for all
  if (s.empty() || s.size() > 45) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  std::string z(s);  // inet_pton needs a NUL-terminated copy
  unsigned char buf[16];
  return ::inet_pton(AF_INET, z.c_str(), buf) == 1 || ::inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 64) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

Status check_key_value(std::string_view field, std::string_view key, std::string_view value) {
  if (!property_key(key))
    return err(std::string(field) + ": invalid key " + quoted(key) + " (allowed: A-Z a-z 0-9 . _ -)");
  if (!printable_utf8(value))
    return err(std::string(field) + "." + std::string(key) +
               ": value contains control characters (e.g. newline) or invalid UTF-8");
  return ok();
}

}  // namespace vessel::render_detail
