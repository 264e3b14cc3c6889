#pragma once
// The renderer's own checks on keys and values. The config parser validates
// first; these run again at the point of output so a renderer is safe for
// any caller (defence in depth), and the error names the field.
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vessel::render_detail {

// No C0 control characters or DEL, and well-formed UTF-8.
bool printable_utf8(std::string_view s);
// [A-Za-z0-9._-]+, at most 256 bytes (Hadoop/Spark property names).
bool property_key(std::string_view s);
// [A-Za-z_][A-Za-z0-9_]*, at most 256 bytes.
bool shell_identifier(std::string_view s);
// RFC 1123 hostname (labels 1..63 of [A-Za-z0-9-], no leading/trailing '-',
// total <= 253) or an IPv4/IPv6 literal.
bool host_or_ip(std::string_view s);

// Error text quoting a hostile value without letting it forge lines.
std::string quoted(std::string_view s);

Status check_key_value(std::string_view field, std::string_view key, std::string_view value);

}  // namespace vessel::render_detail
