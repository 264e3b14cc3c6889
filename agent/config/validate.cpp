#include "config/validate.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace vessel::config {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_id_char(char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; }

bool id_like(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max || s == "." || s == "..") return false;
  for (char c : s)
    if (!is_id_char(c)) return false;
  return true;
}

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

std::optional<std::string> hostname_problem(std::string_view name) {
  if (name.empty()) return "empty hostname";
  if (name.size() > 253) return "hostname longer than 253 characters";
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    std::string_view label = name.substr(start, dot - start);
    if (label.empty()) return "hostname has an empty label";
    if (label.size() > 63) return "hostname label longer than 63 characters";
    for (char c : label) {
      // Deliberately does not echo the byte: it may be a control character.
      if (!is_alnum(c) && c != '-') return "hostname may contain only letters, digits, '-' and '.'";
    }
    if (label.front() == '-' || label.back() == '-') return "hostname label may not start or end with '-'";
    start = dot + 1;
  }
  return std::nullopt;
}

bool valid_hostname(std::string_view s) { return !hostname_problem(s); }

bool valid_ip(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  std::string z(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, z.c_str(), buf) == 1 || inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

bool valid_cluster_id(std::string_view s) { return id_like(s, 64); }
bool valid_instance_id(std::string_view s) { return id_like(s, 128); }

bool valid_property_key(std::string_view s) {
  if (s.empty() || s.size() > kMaxKeyLen) return false;
  for (char c : s)
    if (!is_id_char(c)) return false;
  return true;
}

bool valid_shell_identifier(std::string_view s) {
  if (s.empty() || s.size() > kMaxKeyLen) return false;
  if (s[0] >= '0' && s[0] <= '9') return false;
  for (char c : s)
    if (!is_alnum(c) && c != '_') return false;
  return true;
}

bool valid_printable_utf8(std::string_view s) {
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

bool valid_value(std::string_view s) { return s.size() <= kMaxValueLen && !has_control(s); }

bool valid_memory_size(std::string_view s) {
  if (s.size() < 2 || s.size() > 8) return false;
  std::string_view digits = s.substr(0, s.size() - 1);
  char unit = s.back();
  if (std::string_view("kKmMgGtT").find(unit) == std::string_view::npos) return false;
  bool nonzero = false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    if (c != '0') nonzero = true;
  }
  return nonzero;
}

bool valid_http_url(std::string_view s) {
  if (s.empty() || s.size() > kMaxValueLen) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u) return false;
  std::string z(s);
  // No CURLU_GUESS_SCHEME: the scheme must be spelled out.
  if (curl_url_set(u.get(), CURLUPART_URL, z.c_str(), 0) != CURLUE_OK) return false;
  char* scheme = nullptr;
  char* host = nullptr;
  bool good = false;
  if (curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      curl_url_get(u.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    std::string_view sc(scheme);
    good = (sc == "http" || sc == "https") && host[0] != '\0';
  }
  curl_free(scheme);
  curl_free(host);
  return good;
}

std::optional<std::string> normalized_data_dir(std::string_view s) {
  if (s.size() < 2 || s.size() > 1024 || s[0] != '/' || s.back() == '/') return std::nullopt;
  if (has_control(s)) return std::nullopt;
  std::size_t pos = 1;
  while (pos <= s.size()) {
    std::size_t next = s.find('/', pos);
    if (next == std::string_view::npos) next = s.size();
    std::string_view comp = s.substr(pos, next - pos);
    if (comp.empty() || comp == "." || comp == "..") return std::nullopt;
    // The dir lands in Hadoop dir lists ("file://<dir>/hdfs/name"), which are
    // comma-separated URIs: a ',' would split it into two dirs (one
    // relative), a space, '%', '#' or '?' would break the URI. Same strict
    // charset as cluster_id, per component.
    for (char c : comp)
      if (!is_id_char(c)) return std::nullopt;
    pos = next + 1;
  }
  return std::string(s);
}

std::string quote_for_error(std::string_view s) {
  constexpr std::size_t kShow = 64;
  std::string cut(s.substr(0, kShow));
  // JSON string escaping turns control characters into \n, \u0000 etc.; the
  // replace handler keeps invalid UTF-8 from throwing.
  std::string q = nlohmann::json(cut).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > kShow) q += "...";
  return q;
}

}  // namespace vessel::config
