#pragma once
// Base64 (RFC 4648, standard alphabet) decoding for MIME parts and
// VESSEL_USER_DATA_BASE64. None of our Debian dependencies exposes a public
// decoder, so this is the one small hand-written codec.
#include <optional>
#include <string>
#include <string_view>

namespace vessel::config {

// Whitespace (space, tab, CR, LF) is skipped as MIME allows line breaks;
// any other non-alphabet byte, misplaced '=' or a dangling 1-char group
// yields nullopt.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace vessel::config
