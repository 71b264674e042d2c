#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace worklog {

// Calls sodium_init() once; every function below does it for you.
void EnsureCryptoInitialized();

// `bytes` random bytes as unpadded URL-safe base64 (e.g. session ids, OAuth state, PKCE).
std::string RandomToken(std::size_t bytes = 32);

// Unpadded URL-safe base64 of `data` (RFC 4648 §5), as PKCE's S256 challenge wants.
std::string Base64UrlEncode(std::string_view data);

// SHA-256 of `data`: raw 32 bytes, or lowercase hex.
std::string Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);

// Equal contents, compared in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Argon2id (libsodium crypto_pwhash_str, interactive limits). The result is the encoded
// string with its own salt and parameters.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);

// Authenticated encryption for secrets at rest (libsodium secretbox: XSalsa20-Poly1305).
class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;

  // `key` must be exactly kKeyBytes raw bytes.
  static Result<SecretBox> FromKey(std::string_view key);
  // Loads the key from WORKLOG_SECRET_KEY (64 hex chars) when set, else from
  // `<data_dir>/secret.key`, creating that file (mode 0600) with a fresh key if missing.
  static Result<SecretBox> FromEnvironmentOrFile(const std::string& data_dir);

  // nonce || ciphertext, base64url, safe to store in a text column.
  std::string Seal(std::string_view plaintext) const;
  Result<std::string> Open(std::string_view sealed) const;

 private:
  explicit SecretBox(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}
  std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace worklog
