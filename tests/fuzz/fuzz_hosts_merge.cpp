// merge_hosts_block on a fuzzed /etc/hosts plus fuzzed entries.
// Input: <existing hosts file> NUL <entries, one "ip name" per line>.
// Invariants, from the contract in cluster/hosts_block.hpp:
//  * every foreign line (outside a BEGIN..END block, not a marker) survives,
//    in order, byte for byte (a missing final newline may be added);
//  * the output has exactly one BEGIN and one END marker, BEGIN first;
//  * inside the block: the comment line, then "ip name" lines whose ip and
//    name pass the validators;
//  * merging the output again changes nothing (idempotent).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/hosts_block.hpp"
#include "config/validate.hpp"

#include "fuzz_check.hpp"

namespace {

using vessel::cluster::kBeginMarker;
using vessel::cluster::kEndMarker;


std::vector<std::string_view> split_keep(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

std::string_view trim_end(std::string_view l) {
  while (!l.empty() && (l.back() == '\n' || l.back() == '\r' || l.back() == ' ' || l.back() == '\t'))
    l.remove_suffix(1);
  return l;
}

std::string_view no_newline(std::string_view l) {
  if (!l.empty() && l.back() == '\n') l.remove_suffix(1);
  return l;
}

// The header's rules, restated: BEGIN opens a block that runs to END or EOF;
// a stray END is not foreign either.
std::vector<std::string_view> foreign_lines(std::string_view file) {
  std::vector<std::string_view> out;
  bool inside = false;
  for (auto line : split_keep(file)) {
    auto t = trim_end(line);
    if (inside) {
      if (t == kEndMarker) inside = false;
    } else if (t == kBeginMarker) {
      inside = true;
    } else if (t != kEndMarker) {
      out.push_back(line);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t nul = in.find('\0');
  std::string_view existing = in.substr(0, nul);
  std::vector<vessel::HostEntry> entries;
  if (nul != std::string_view::npos) {
    for (auto line : split_keep(in.substr(nul + 1))) {
      line = no_newline(line);
      std::size_t sp = line.find(' ');
      if (sp == std::string_view::npos)
        entries.push_back({std::string(line), ""});
      else
        entries.push_back({std::string(line.substr(0, sp)), std::string(line.substr(sp + 1))});
    }
  }

  auto merged = vessel::cluster::merge_hosts_block(existing, entries);
  const std::string& out = merged.content;
  FUZZ_CHECK(!out.empty());

  // Foreign lines survive in order.
  auto want = foreign_lines(existing);
  auto got = foreign_lines(out);
  FUZZ_CHECK(want.size() == got.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] == got[i]) continue;
    // Only the last line may differ, by the newline added after it.
    FUZZ_CHECK(i + 1 == want.size() && no_newline(want[i]) == no_newline(got[i]));
  }

  // Exactly one block; its content is validated entries.
  int begins = 0, ends = 0;
  bool inside = false, seen_comment = false;
  for (auto line : split_keep(out)) {
    auto t = trim_end(line);
    if (t == kBeginMarker) {
      FUZZ_CHECK(++begins == 1 && ends == 0);
      inside = true;
      continue;
    }
    if (t == kEndMarker) {
      FUZZ_CHECK(++ends == 1 && inside);
      inside = false;
      continue;
    }
    if (!inside) continue;
    auto l = no_newline(line);
    if (!seen_comment) {
      FUZZ_CHECK(!l.empty() && l.front() == '#');
      seen_comment = true;
      continue;
    }
    std::size_t sp = l.find(' ');
    FUZZ_CHECK(sp != std::string_view::npos);
    FUZZ_CHECK(vessel::config::valid_ip(l.substr(0, sp)));
    FUZZ_CHECK(vessel::config::valid_hostname(l.substr(sp + 1)));
  }
  FUZZ_CHECK(begins == 1 && ends == 1);

  FUZZ_CHECK(vessel::cluster::merge_hosts_block(out, entries).content == out);
  return 0;
}
