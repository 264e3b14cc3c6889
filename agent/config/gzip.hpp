#pragma once
// gzip detection and size-capped decompression (zlib). The cap is checked
// while inflating, so a small bomb cannot allocate gigabytes first.
#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vessel::config {

bool is_gzip(std::string_view data);  // magic 1f 8b

// Inflates one gzip stream; errors if output would exceed max_out bytes, if
// the stream is corrupt or truncated.
Result<std::string> gunzip(std::string_view data, std::size_t max_out);

}  // namespace vessel::config
