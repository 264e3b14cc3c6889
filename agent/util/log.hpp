#pragma once
// vessel's own logs (spdlog), in text or JSON lines. Service output is not
// logged through here: it is copied line by line with a [service] prefix by
// supervise/service_log.
#include <string>

namespace vessel {

// format: "text" or "json"; level: trace|debug|info|warn|error.
void setup_logging(const std::string& format, const std::string& level = "info");
bool log_is_json();

// Writes one line of a service's output to stdout, as `[name] line` or as a
// JSON object {"service":..,"line":..}. Thread-safe.
void emit_service_line(const std::string& service, const std::string& line);

}  // namespace vessel
