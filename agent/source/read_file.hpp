#pragma once
// Size-capped reads of untrusted files (config drive, seed dirs, --user-data).
#include <cstddef>
#include <optional>
#include <string>

#include "util/result.hpp"

namespace vessel::source {

// nullopt when the file does not exist; error when it is not a regular file,
// cannot be read, or is larger than max_bytes. The error names the path.
Result<std::optional<std::string>> read_file_capped(const std::string& path, std::size_t max_bytes);

}  // namespace vessel::source
