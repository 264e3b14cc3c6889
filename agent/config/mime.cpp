#include "config/mime.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "config/base64.hpp"

namespace vessel::config {
namespace {

constexpr int kMaxDepth = 4;
constexpr std::size_t kMaxParts = 64;
constexpr std::size_t kMaxHeaderLines = 100;

std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Reads one line starting at pos (without its terminator, CR stripped) and
// moves pos past the LF.
std::string_view next_line(std::string_view s, std::size_t& pos) {
  std::size_t end = s.find('\n', pos);
  std::string_view line;
  if (end == std::string_view::npos) {
    line = s.substr(pos);
    pos = s.size();
  } else {
    line = s.substr(pos, end - pos);
    pos = end + 1;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

struct Headers {
  std::map<std::string, std::string> fields;  // lowercased name -> unfolded value
};

// Parses the header block up to the first empty line; pos ends at the body.
Result<Headers> read_headers(std::string_view s, std::size_t& pos) {
  Headers h;
  std::string last;
  std::size_t lines = 0;
  while (pos < s.size()) {
    std::string_view line = next_line(s, pos);
    if (line.empty()) return h;
    if (++lines > kMaxHeaderLines) return err("too many header lines");
    if (line.front() == ' ' || line.front() == '\t') {  // folded continuation
      if (last.empty()) return err("header continuation without a header");
      h.fields[last] += " ";
      h.fields[last] += trim(line);
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return err("malformed header line");
    last = lower(trim(line.substr(0, colon)));
    h.fields[last] = std::string(trim(line.substr(colon + 1)));
  }
  return h;  // headers with no body
}

// "type/sub; a=b; c=\"d;e\"" -> ("type/sub", {a:b, c:"d;e"}).
std::pair<std::string, std::map<std::string, std::string>> split_params(std::string_view v) {
  std::vector<std::string> items;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (quoted && c == '\\' && i + 1 < v.size()) {
      cur += v[++i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ';' && !quoted) {
      items.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  items.push_back(cur);
  std::map<std::string, std::string> params;
  for (std::size_t i = 1; i < items.size(); ++i) {
    std::size_t eq = items[i].find('=');
    if (eq == std::string::npos) continue;
    params[lower(trim(std::string_view(items[i]).substr(0, eq)))] =
        std::string(trim(std::string_view(items[i]).substr(eq + 1)));
  }
  return {lower(trim(items[0])), std::move(params)};
}

Status parse_entity(std::string_view msg, int depth, std::vector<MimePart>& out);

Status parse_multipart_body(std::string_view body, const std::string& boundary, int depth,
                            std::vector<MimePart>& out) {
  const std::string delim = "--" + boundary;
  std::size_t pos = 0;
  // Preamble: skip to the first delimiter line.
  bool found = false;
  while (pos < body.size()) {
    std::string_view line = trim(next_line(body, pos));
    if (line == delim) {
      found = true;
      break;
    }
  }
  if (!found) return err("multipart boundary not found");
  for (;;) {
    std::size_t start = pos;
    std::size_t part_end = std::string_view::npos;
    bool closing = false;
    while (pos < body.size()) {
      std::size_t line_start = pos;
      std::string_view line = trim(next_line(body, pos));
      if (line == delim || line == delim + "--") {
        part_end = line_start;
        closing = line != delim;
        break;
      }
    }
    if (part_end == std::string_view::npos) return err("multipart not terminated by its closing boundary");
    // The line break before a delimiter belongs to the delimiter (RFC 2046).
    std::string_view part = body.substr(start, part_end - start);
    if (!part.empty() && part.back() == '\n') part.remove_suffix(1);
    if (!part.empty() && part.back() == '\r') part.remove_suffix(1);
    if (out.size() >= kMaxParts) return err("more than " + std::to_string(kMaxParts) + " parts");
    if (auto st = parse_entity(part, depth + 1, out); !st) return st;
    if (closing) return ok();
  }
}

Status parse_entity(std::string_view msg, int depth, std::vector<MimePart>& out) {
  if (depth > kMaxDepth) return err("multipart nested too deeply");
  std::size_t pos = 0;
  auto headers = read_headers(msg, pos);
  if (!headers) return err(headers.error());
  std::string_view body = msg.substr(std::min(pos, msg.size()));
  auto& f = headers->fields;
  auto [type, params] = split_params(f.count("content-type") ? f["content-type"] : "text/plain");
  if (type.empty()) type = "text/plain";
  if (type.rfind("multipart/", 0) == 0) {
    auto b = params.find("boundary");
    if (b == params.end() || b->second.empty() || b->second.size() > 70)
      return err("multipart without a valid boundary");
    return parse_multipart_body(body, b->second, depth, out);
  }
  MimePart part;
  part.content_type = type;
  if (f.count("content-disposition")) part.filename = split_params(f["content-disposition"]).second["filename"];
  std::string enc = f.count("content-transfer-encoding") ? lower(f["content-transfer-encoding"]) : "7bit";
  if (enc == "base64") {
    auto dec = base64_decode(body);
    if (!dec) return err("part " + std::to_string(out.size() + 1) + ": invalid base64");
    part.body = std::move(*dec);
  } else if (enc == "7bit" || enc == "8bit" || enc == "binary") {
    part.body = std::string(body);
  } else {
    return err("part " + std::to_string(out.size() + 1) + ": unsupported Content-Transfer-Encoding");
  }
  out.push_back(std::move(part));
  return ok();
}

}  // namespace

bool looks_like_mime(std::string_view text) {
  std::string head = lower(text.substr(0, 16));
  return head.rfind("content-type:", 0) == 0 || head.rfind("mime-version:", 0) == 0;
}

Result<std::vector<MimePart>> parse_mime(std::string_view message) {
  std::vector<MimePart> parts;
  if (auto st = parse_entity(message, 0, parts); !st) return err("MIME: " + st.error());
  return parts;
}

}  // namespace vessel::config
