#pragma once
// Read-modify-write of a file without replacing its inode.
//
// TODO(lead): agent/util/fs.hpp (write_file_in_place) is being written
// separately; this cluster-local helper exists only so this module did not
// block on it. Dedupe when both are merged.
#include <functional>
#include <optional>
#include <string>

#include "util/result.hpp"

namespace vessel::cluster {

// Opens `path` read-write (creating it 0644 if absent, never O_TRUNC), reads
// at most `max_bytes` (a larger file is an error, not silently cut), and
// passes the content to `rewrite`. If that returns a new content, it is
// written from offset 0, the file is ftruncate()d to the new length and
// fsync()ed. Returns whether a write happened.
//
// Not atomic: a concurrent reader may briefly see a mix. That is the price
// of keeping the inode (rename() over a bind-mounted /etc/hosts fails).
Result<bool> rewrite_file_in_place(
    const std::string& path, size_t max_bytes,
    const std::function<std::optional<std::string>(const std::string&)>& rewrite);

}  // namespace vessel::cluster
