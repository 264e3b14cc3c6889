#include "cluster/hosts_block.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "cluster/host_validation.hpp"
#include <unistd.h>

#include "util/fs.hpp"

namespace vessel::cluster {

namespace {

// Line content without its terminator and trailing blanks, for marker tests.
std::string_view trimmed(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' ||
                           line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return line;
}

// Splits into lines that keep their own terminators, so that joining them
// reproduces the input exactly.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string render_block(const std::vector<HostEntry>& entries) {
  std::string out;
  out += kBeginMarker;
  out += "\n# Managed by vessel: edits inside this block are overwritten.\n";
  for (const auto& e : entries) {
    out += e.ip;
    out += ' ';
    out += e.name;
    out += '\n';
  }
  out += kEndMarker;
  out += '\n';
  return out;
}

}  // namespace

std::string lower_ascii(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}


CleanEntries clean_entries(const std::vector<HostEntry>& entries) {
  CleanEntries out;
  for (const auto& e : entries) {
    if (auto s = validate_hostname(e.name); !s) {
      out.rejected.push_back({e, "name: " + s.error()});
      continue;
    }
    auto ip = canonical_ip(e.ip);
    if (!ip) {
      out.rejected.push_back({e, "ip: " + ip.error()});
      continue;
    }
    out.entries.push_back({ip.value(), e.name});
  }
  // Deterministic order so an unchanged membership never rewrites the file.
  std::sort(out.entries.begin(), out.entries.end(), [](const HostEntry& a, const HostEntry& b) {
    return a.name != b.name ? a.name < b.name : a.ip < b.ip;
  });
  out.entries.erase(std::unique(out.entries.begin(), out.entries.end()), out.entries.end());
  return out;
}

CleanEntries overlay_entries(const std::vector<HostEntry>& primary,
                             const std::vector<HostEntry>& fallback) {
  CleanEntries p = clean_entries(primary);
  CleanEntries f = clean_entries(fallback);
  std::set<std::string> taken;
  for (const auto& e : p.entries) taken.insert(lower_ascii(e.name));
  std::vector<HostEntry> all = std::move(p.entries);
  for (auto& e : f.entries)
    if (taken.count(lower_ascii(e.name)) == 0) all.push_back(std::move(e));
  CleanEntries out = clean_entries(all);  // re-sorts; cannot reject anything
  out.rejected = std::move(p.rejected);
  out.rejected.insert(out.rejected.end(), f.rejected.begin(), f.rejected.end());
  return out;
}

MergedHosts merge_hosts_block(std::string_view existing_file,
                              const std::vector<HostEntry>& entries) {
  CleanEntries clean = clean_entries(entries);
  const std::string block = render_block(clean.entries);

  std::string out;
  out.reserve(existing_file.size() + block.size() + 1);
  bool inside = false;
  bool placed = false;
  for (std::string_view line : split_lines(existing_file)) {
    std::string_view t = trimmed(line);
    if (!inside) {
      if (t == kBeginMarker) {
        inside = true;
        if (!placed) {
          out += block;
          placed = true;
        }
      } else if (t != kEndMarker) {  // a stray END is dropped
        out += line;
      }
    } else if (t == kEndMarker) {
      inside = false;
    }
    // Lines inside a block (including a nested BEGIN) are ours: dropped.
  }
  if (!placed) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += block;
  }
  return {std::move(out), std::move(clean.rejected)};
}

Result<HostsSyncReport> sync_hosts_file(const std::string& path,
                                        const std::vector<HostEntry>& entries) {
  HostsSyncReport report;
  std::string current;
  if (::access(path.c_str(), F_OK) == 0) {  // absent: start from empty, create it
    auto r = read_file(path, kMaxHostsFileBytes);
    if (!r) return Error{r.error()};
    current = std::move(*r);
  }
  MergedHosts merged = merge_hosts_block(current, entries);
  report.rejected = std::move(merged.rejected);
  if (merged.content == current) return report;
  // In place, never rename: the file is a bind mount in containers.
  if (auto st = write_file_in_place(path, merged.content); !st) return Error{st.error()};
  report.written = true;
  return report;
}

}  // namespace vessel::cluster
