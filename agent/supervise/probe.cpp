#include "supervise/probe.hpp"

#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

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
      r.conclusive = true;
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
  // The loader admits only URL characters, so the path goes out exactly as
  // the role file wrote it (httplib would turn JMX's ',' into %2C).
  cli.set_url_encode(false);
  std::string body;
  bool too_big = false;
  auto res = cli.Get(p.path, [&](const char* data, std::size_t len) {
    if (body.size() + len > kMaxProbeBody) {
      too_big = true;
      return false;
    }
    body.append(data, len);
    return true;
  });
  ProbeResult r;
  if (too_big) {
    r.conclusive = true;
    r.detail = "GET " + describe_probe(p) + ": body larger than " + std::to_string(kMaxProbeBody) + " bytes";
    return r;
  }
  if (!res) {
    r.detail = "GET " + describe_probe(p) + ": " + httplib::to_string(res.error());
    return r;
  }
  if (res->status < 200 || res->status >= 300) {
    r.detail = "GET " + describe_probe(p) + ": HTTP " + std::to_string(res->status);
    return r;
  }
  return check_json_body(p, body);
}

// RFC 6901 reference tokens of `pointer` ("" = the whole document).
std::optional<std::vector<std::string>> pointer_tokens(const std::string& pointer) {
  std::vector<std::string> out;
  if (pointer.empty()) return out;
  if (pointer[0] != '/') return std::nullopt;
  std::string tok;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      out.push_back(tok);
      tok.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) return std::nullopt;
      tok += pointer[++i] == '0' ? '~' : '/';
    } else {
      tok += pointer[i];
    }
  }
  return out;
}

std::optional<std::size_t> array_index(const std::string& t) {
  if (t.empty() || (t.size() > 1 && t[0] == '0')) return std::nullopt;
  std::size_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return v;
}

// "host=10.1.1.2, state=ALIVE"
std::string describe_where(const std::map<std::string, std::string>& where) {
  std::string out;
  for (const auto& [k, v] : where) out += (out.empty() ? "" : ", ") + k + "=" + v;
  return out;
}

bool element_matches(const nlohmann::json& e, const std::map<std::string, std::string>& where) {
  if (!e.is_object()) return false;
  for (const auto& [k, v] : where) {
    auto it = e.find(k);
    if (it == e.end() || json_text(*it) != v) return false;
  }
  return true;
}

// What the first few elements hold in the `where` fields, so a failure shows
// what the target actually reported: "host=10.1.1.3 state=ALIVE; ...".
std::string seen_elements(const nlohmann::json& arr, const std::map<std::string, std::string>& where) {
  std::string out;
  std::size_t n = 0;
  for (const auto& e : arr) {
    if (n++ == 3) {
      out += "; ...";
      break;
    }
    std::string one;
    for (const auto& [k, v] : where) {
      auto it = e.is_object() ? e.find(k) : e.end();
      std::string val = (e.is_object() && it != e.end()) ? json_text(*it).substr(0, 40) : "(missing)";
      one += (one.empty() ? "" : " ") + k + "=" + val;
    }
    out += (out.empty() ? "" : "; ") + one;
  }
  return out;
}

ProbeResult check_any(const ProbeSpec& p, const nlohmann::json& doc) {
  ProbeResult r;
  const JsonAny& a = *p.json_any;
  auto arr = resolve_json_pointer(doc, a.pointer);
  if (!arr) {
    r.detail = describe_probe(p) + ": " + arr.error();
    return r;
  }
  r.conclusive = true;  // the target answered with the part the probe judges
  if (!arr->is_array()) {
    r.detail = describe_probe(p) + ": " + a.pointer + " is not an array";
    return r;
  }
  for (const auto& e : *arr) {
    if (element_matches(e, a.where)) {
      r.ok = true;
      return r;
    }
  }
  r.detail = describe_probe(p) + ": no element of " + a.pointer + " with " + describe_where(a.where) + " (" +
             std::to_string(arr->size()) + (arr->size() == 1 ? " element" : " elements") +
             (arr->empty() ? "" : ": " + seen_elements(*arr, a.where)) + ")";
  return r;
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

std::string json_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

Result<nlohmann::json> resolve_json_pointer(const nlohmann::json& doc, const std::string& pointer) {
  auto tokens = pointer_tokens(pointer);
  if (!tokens) return err(pointer + " is not a JSON pointer");
  const auto not_found = [&] { return err(pointer + " not found"); };
  nlohmann::json embedded;  // owns the document parsed from a string, if any
  const nlohmann::json* cur = &doc;
  std::string walked;  // the prefix resolved so far, for error messages
  for (const auto& t : *tokens) {
    if (cur->is_string()) {
      const auto& s = cur->get_ref<const std::string&>();
      if (s.size() > kMaxEmbeddedJson) {
        return err(pointer + ": " + walked + " is a string of " + std::to_string(s.size()) +
                   " bytes, more than the " + std::to_string(kMaxEmbeddedJson) + " parsed as JSON");
      }
      auto inner = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
      if (inner.is_discarded()) return err(pointer + ": " + walked + " is a string that is not JSON");
      embedded = std::move(inner);
      cur = &embedded;
    }
    if (cur->is_object()) {
      auto it = cur->find(t);
      if (it == cur->end()) return not_found();
      cur = &*it;
    } else if (cur->is_array()) {
      auto i = array_index(t);
      if (!i || *i >= cur->size()) return not_found();
      cur = &(*cur)[*i];
    } else {
      return not_found();
    }
    walked += "/" + t;
  }
  return nlohmann::json(*cur);
}

ProbeResult check_json_body(const ProbeSpec& p, const std::string& body) {
  ProbeResult r;
  if (p.json_pointer.empty() && !p.json_any) {
    r.ok = r.conclusive = true;
    return r;
  }
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    r.detail = describe_probe(p) + ": body is not JSON";
    return r;
  }
  if (!p.json_pointer.empty()) {
    auto v = resolve_json_pointer(doc, p.json_pointer);
    if (!v) {
      r.detail = describe_probe(p) + ": " + v.error();
      return r;
    }
    r.conclusive = true;
    std::string text = json_text(*v);
    if (p.json_equals && text != *p.json_equals) {
      r.detail = describe_probe(p) + ": " + p.json_pointer + " is '" + text.substr(0, 80) + "', want '" +
                 *p.json_equals + "'";
      return r;
    }
  }
  if (p.json_any) return check_any(p, doc);
  r.ok = r.conclusive = true;
  return r;
}

ProbeResult run_network_probe(const ProbeSpec& p) {
  auto t0 = std::chrono::steady_clock::now();
  ProbeResult r = p.kind == ProbeSpec::Kind::Tcp ? tcp_probe(p) : http_probe(p);
  r.latency = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
  return r;
}

}  // namespace vessel
