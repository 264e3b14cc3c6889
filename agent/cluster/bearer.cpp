#include "cluster/bearer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>

namespace vessel::cluster {

namespace {

using Digest = std::array<unsigned char, 32>;

bool sha256(std::string_view data, Digest& out) {
  unsigned int len = 0;
  return EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) == 1 &&
         len == out.size();
}

}  // namespace

bool bearer_matches(std::string_view authorization_header, const Secret& token) {
  if (token.empty()) return false;
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization_header.substr(0, kScheme.size()) != kScheme) return false;
  std::string_view presented = authorization_header.substr(kScheme.size());
  Digest a{}, b{};
  if (!sha256(presented, a) || !sha256(token.reveal(), b)) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vessel::cluster
