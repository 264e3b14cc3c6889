#include "render/text_check.hpp"

#include "config/validate.hpp"


namespace vessel::render_detail {

// Every check is config/validate's: one implementation of each rule for
// the parser, the renderer and the membership table.
bool printable_utf8(std::string_view s) { return config::valid_printable_utf8(s); }
bool property_key(std::string_view s) { return config::valid_property_key(s); }
bool shell_identifier(std::string_view s) { return config::valid_shell_identifier(s); }
bool host_or_ip(std::string_view s) { return config::valid_hostname(s) || config::valid_ip(s); }
std::string quoted(std::string_view s) { return config::quote_for_error(s); }

Status check_key_value(std::string_view field, std::string_view key, std::string_view value) {
  if (!property_key(key))
    return err(std::string(field) + ": invalid key " + quoted(key) + " (allowed: A-Z a-z 0-9 . _ -)");
  if (!printable_utf8(value))
    return err(std::string(field) + "." + std::string(key) +
               ": value contains control characters (e.g. newline) or invalid UTF-8");
  return ok();
}

}  // namespace vessel::render_detail
