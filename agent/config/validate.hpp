#pragma once
// Validators for every untrusted string that ends up in NodeConfig. Each is a
// pure predicate; the caller builds the error message that names the field.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vessel::config {

// Per-value cap for overrides and other free-form strings.
inline constexpr std::size_t kMaxValueLen = 4096;
inline constexpr std::size_t kMaxKeyLen = 256;

// RFC 1123 host name: dot-separated labels of [A-Za-z0-9-], 1..63 chars, not
// starting or ending with '-', total <= 253. No whitespace, no trailing dot.
// Why `name` is not an RFC 1123 hostname (labels 1..63 of [A-Za-z0-9-],
// no leading/trailing '-', total <= 253), or nullopt when it is. The one
// hostname rule of vessel: the schema, the renderer and the member table
// all use it.
std::optional<std::string> hostname_problem(std::string_view name);
bool valid_hostname(std::string_view s);

// IPv4 or IPv6 literal as accepted by inet_pton. Anything with whitespace or
// control characters is rejected first (inet_pton would not see a suffix
// after a NUL, and we never want a newline to reach /etc/hosts).
bool valid_ip(std::string_view s);

// [A-Za-z0-9._-]{1,64}, not "." or "..": used as HDFS clusterID and in paths.
bool valid_cluster_id(std::string_view s);

// Same charset as cluster_id, up to 128 chars: instance ids name run-once
// marker files, so they must be a single safe path component.
bool valid_instance_id(std::string_view s);

// Hadoop/Spark property name: [A-Za-z0-9._-]+, at most kMaxKeyLen.
bool valid_property_key(std::string_view s);

// A shell identifier for spark-env.sh: [A-Za-z_][A-Za-z0-9_]*, <= kMaxKeyLen.
bool valid_shell_identifier(std::string_view s);

// No C0/C1 control characters or DEL, and well-formed UTF-8 (no overlongs,
// surrogates or code points above U+10FFFF): what XML 1.0 and one-line
// config formats can carry.
bool valid_printable_utf8(std::string_view s);
// Free-form value: at most kMaxValueLen bytes and no control characters
// (C0, DEL). Rejecting newlines keeps line-based targets (spark-defaults.conf,
// spark-env.sh, /etc/hosts) from gaining injected lines; everything else
// (<, &, $, quotes) is accepted verbatim and escaped by the renderer.
bool valid_value(std::string_view s);

// Spark memory size: 1-7 digits, non-zero, then one unit of k/m/g/t
// (either case), e.g. "512m", "2g".
bool valid_memory_size(std::string_view s);

// http:// or https:// URL with a host, parsed by libcurl's URL API.
bool valid_http_url(std::string_view s);

// Absolute, normalized path: starts with '/', no "." or ".." components, no
// empty components ("//"), no trailing '/', each component of
// [A-Za-z0-9._-] (it ends up in comma-separated Hadoop URI lists and JVM
// flags, where ',', spaces, '%', '$' would change the meaning). Returns nullopt when
// invalid; "/" alone is rejected (a data dir at the root is a mistake).
std::optional<std::string> normalized_data_dir(std::string_view s);

// Quote and escape a value for an error message, truncating long input, so
// hostile text cannot forge log lines. Never use on secrets.
std::string quote_for_error(std::string_view s);

}  // namespace vessel::config
