#pragma once
// Per-purpose secrets derived from the cluster token with HKDF-SHA256
// (RFC 5869, OpenSSL's implementation). The raw token is never used as a key
// itself: each purpose gets its own label (HKDF "info"), so a key leaked from
// one purpose says nothing about the others or the token.
//   salt  = "vessel cluster token salt v1" (fixed, public: the token is the
//           only secret; a fixed salt keeps every node deriving the same key)
//   info  = one of the k*Label constants below
#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/secret.hpp"

namespace vessel::config {

inline constexpr std::string_view kDeriveSalt = "vessel cluster token salt v1";
inline constexpr std::string_view kSparkRpcLabel = "vessel spark-rpc v1";
inline constexpr std::string_view kMembershipApiLabel = "vessel membership-api v1";
inline constexpr std::string_view kWebUiLabel = "vessel web-ui v1";

// Raw HKDF-SHA256 (extract + expand), bytes in and out; len 1..8160.
Result<std::string> hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                                std::size_t len);

// len raw bytes for `label`, from the token and kDeriveSalt. An empty token
// or a len outside 1..8160 is an error (never names the token).
Result<Secret> derive_secret(const Secret& token, std::string_view label, std::size_t len);

}  // namespace vessel::config
