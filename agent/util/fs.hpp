#pragma once
// File-system effects used by the agent's edges. Every function reports
// failure as a Status/Result whose message names the path and the errno text.
#include <cstddef>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "util/result.hpp"

namespace vessel {

// Replaces `path` so that readers see either the old or the new content,
// never a mix or a truncated file: the bytes go to a temporary file in the
// same directory (same file system, so rename is atomic), which is written
// completely, fsync'd, chmod'ed to `mode`, renamed over `path`, and then the
// directory is fsync'd so the rename itself survives a crash. On any failure
// the temporary file is removed and `path` keeps its old content.
Status write_file_atomic(const std::string& path, std::string_view content,
                         unsigned mode = 0644);

// Rewrites an existing file through its own inode, for files that are
// bind-mounted into the container (Docker's /etc/hosts): rename() cannot
// replace a mount point (EBUSY), so the atomic path is not available.
// Steps: open without O_TRUNC, write everything from offset 0, ftruncate to
// the new length, fsync.
// Failure mode (documented, not hidden): this is NOT atomic. A reader racing
// the write, or a crash/ENOSPC in the middle, can see a mix of new bytes and
// the old tail (or old bytes past a failed write). Because we overwrite
// rather than truncate first, a failed write never leaves the file empty; the
// caller should log the error and retry on the next sync. Creates the file
// (mode 0644) if it does not exist.
Status write_file_in_place(const std::string& path, std::string_view content);

// mkdir -p `path`; every directory this call creates gets `mode` and is
// chown'ed to uid:gid, and so is the final directory even when it already
// existed (so a volume mounted at /data/hdfs becomes the daemon user's).
// Pass static_cast<uid_t>(-1) / static_cast<gid_t>(-1) to leave ownership.
Status ensure_dir(const std::string& path, unsigned mode, uid_t uid, gid_t gid);

// Reads a whole file, refusing files larger than max_bytes (untrusted inputs
// such as user_data are size-capped before they are held in memory).
Result<std::string> read_file(const std::string& path, std::size_t max_bytes);

}  // namespace vessel
