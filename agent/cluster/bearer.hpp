#pragma once
// Bearer-token check for the cluster API.
#include <string_view>

#include "util/secret.hpp"

namespace vessel::cluster {

// True when `authorization_header` is exactly "Bearer <token>". Compares
// SHA-256 digests with CRYPTO_memcmp, so timing reveals neither how much of
// the token matched nor its length. An empty expected token never matches
// (an unconfigured cluster must not accept everyone).
bool bearer_matches(std::string_view authorization_header, const Secret& token);

}  // namespace vessel::cluster
