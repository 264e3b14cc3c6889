#include "config/derive.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

namespace vessel::config {
namespace {

constexpr std::size_t kMaxLen = 255 * 32;  // RFC 5869: 255 * HashLen

struct KdfFree {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

OSSL_PARAM octets(const char* key, std::string_view v) {
  // OpenSSL copies the bytes; the cast only satisfies its non-const API.
  return OSSL_PARAM_construct_octet_string(key, const_cast<char*>(v.data()), v.size());
}

}  // namespace

Result<std::string> hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                                std::size_t len) {
  if (len == 0 || len > kMaxLen) return err("hkdf: output length must be 1-8160 bytes");
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return err("hkdf: OpenSSL has no HKDF");
  std::unique_ptr<EVP_KDF_CTX, KdfFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return err("hkdf: cannot allocate a context");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      octets(OSSL_KDF_PARAM_KEY, ikm),
      octets(OSSL_KDF_PARAM_SALT, salt),
      octets(OSSL_KDF_PARAM_INFO, info),
      OSSL_PARAM_construct_end(),
  };
  std::string out(len, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), len, params) != 1)
    return err("hkdf: derivation failed");
  return out;
}

Result<Secret> derive_secret(const Secret& token, std::string_view label, std::size_t len) {
  if (token.empty()) return err("derive: no cluster token");
  if (label.empty()) return err("derive: empty label");
  auto k = hkdf_sha256(token.reveal(), kDeriveSalt, label, len);
  if (!k) return err(k.error());
  return Secret(std::move(*k));
}

}  // namespace vessel::config
