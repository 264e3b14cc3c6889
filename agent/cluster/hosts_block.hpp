#pragma once
// The vessel-managed block of /etc/hosts.
//
// vessel owns exactly the lines between "# BEGIN vessel" and "# END vessel";
// everything else (Docker's own entries, an admin's additions, comments, CRLF
// line endings, a missing final newline) is kept byte-for-byte.
//
// Damaged files are repaired by these rules (the block is ours, so anything
// that looks like part of it may be dropped; foreign lines never are):
//  * no markers: the block is appended (after adding a newline if the file
//    did not end with one).
//  * several complete blocks: the new block replaces the first one, the later
//    ones are removed (they can only be stale copies of our output).
//  * "# BEGIN vessel" with no "# END vessel" after it: the block is taken to
//    run to end of file. We always append our block at the end, so what
//    follows an unterminated BEGIN is most plausibly our own cut-off output;
//    leaving it would let stale entries shadow the fresh ones (glibc returns
//    the first match).
//  * a stray "# END vessel" outside a block: dropped.
// Marker lines are recognised with trailing whitespace/CR ignored.
#include <string>
#include <string_view>
#include <vector>

#include "config/node_config.hpp"
#include "util/result.hpp"

namespace vessel::cluster {

inline constexpr std::string_view kBeginMarker = "# BEGIN vessel";
inline constexpr std::string_view kEndMarker = "# END vessel";
// Refuse to read a hosts file larger than this (a real one is a few KiB).
inline constexpr size_t kMaxHostsFileBytes = 1 << 20;

struct RejectedEntry {
  HostEntry entry;
  std::string reason;  // names the field: "name: ..." or "ip: ..."
};

// Validated, canonicalised (inet_ntop form), de-duplicated, sorted by
// (name, ip). Invalid entries go to `rejected` and are never written.
struct CleanEntries {
  std::vector<HostEntry> entries;
  std::vector<RejectedEntry> rejected;
};
CleanEntries clean_entries(const std::vector<HostEntry>& entries);

// `primary` plus those `fallback` entries whose name no valid primary entry
// has, cleaned as above. Names are compared ignoring ASCII case, as glibc's
// files backend does. Used wherever a live registration must win over a
// static `hosts` entry of the same name: the master's snapshot (members over
// static hosts) and each node's block (master's list over local static).
// Host names compare case-insensitively (as glibc does): this is the key.
std::string lower_ascii(std::string s);

CleanEntries overlay_entries(const std::vector<HostEntry>& primary,
                             const std::vector<HostEntry>& fallback);

struct MergedHosts {
  std::string content;
  std::vector<RejectedEntry> rejected;
};

// Pure: the new file content with the vessel block set to `entries`.
MergedHosts merge_hosts_block(std::string_view existing_file,
                              const std::vector<HostEntry>& entries);

struct HostsSyncReport {
  bool written = false;  // false when the file already had this content
  std::vector<RejectedEntry> rejected;
};

// Effect: read `path`, merge, and write back IN PLACE when the content
// changed. In place (no O_TRUNC, write, ftruncate, fsync) because Docker and
// podman bind-mount /etc/hosts into the container, and rename() over a mount
// point fails with EBUSY. Creates the file (0644) if it does not exist.
Result<HostsSyncReport> sync_hosts_file(const std::string& path,
                                        const std::vector<HostEntry>& entries);

}  // namespace vessel::cluster
