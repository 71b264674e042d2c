#include "common/crypto.h"

#include <sodium.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <sys/stat.h>

namespace worklog {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t out_len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &out_len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return InvalidArgument("secret", "is not valid base64url");
  }
  out.resize(out_len);
  return out;
}

Result<std::string> HexDecode(std::string_view hex) {
  std::string out(hex.size() / 2 + 1, '\0');
  std::size_t out_len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                     hex.size(), nullptr, &out_len, nullptr) != 0) {
    return InvalidArgument("WORKLOG_SECRET_KEY", "must be 64 hexadecimal characters");
  }
  out.resize(out_len);
  return out;
}

}  // namespace

void EnsureCryptoInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      std::abort();  // No usable randomness: nothing secret can be made safely.
    }
  });
}

std::string Base64UrlEncode(std::string_view data) {
  EnsureCryptoInitialized();
  const std::size_t len =
      sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), out.size(), Bytes(data), data.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string RandomToken(std::size_t bytes) {
  EnsureCryptoInitialized();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return Base64UrlEncode(raw);
}

std::string Sha256(std::string_view data) {
  EnsureCryptoInitialized();
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), Bytes(data), data.size());
  return out;
}

std::string Sha256Hex(std::string_view data) {
  const std::string raw = Sha256(data);
  std::string hex(raw.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), Bytes(raw), raw.size());
  hex.pop_back();
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  EnsureCryptoInitialized();
  // Compare digests so the time does not even depend on where the strings differ in length.
  const std::string da = Sha256(a);
  const std::string db = Sha256(b);
  return crypto_verify_32(Bytes(da), Bytes(db)) == 0 && a.size() == b.size();
}

Result<std::string> HashPassword(std::string_view password) {
  EnsureCryptoInitialized();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Internal("password hashing ran out of memory");
  }
  return std::string(out.data());
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  EnsureCryptoInitialized();
  const std::string hash(encoded_hash);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<SecretBox> SecretBox::FromKey(std::string_view key) {
  EnsureCryptoInitialized();
  if (key.size() != kKeyBytes) {
    return InvalidArgument("secret_key",
                           fmt::format("must be {} bytes, got {}", kKeyBytes, key.size()));
  }
  std::array<unsigned char, kKeyBytes> raw{};
  std::copy(key.begin(), key.end(), raw.begin());
  return SecretBox(raw);
}

Result<SecretBox> SecretBox::FromEnvironmentOrFile(const std::string& data_dir) {
  EnsureCryptoInitialized();
  // Read at start; nothing in worklog sets the environment.
  const char* env = std::getenv("WORKLOG_SECRET_KEY");  // NOLINT(concurrency-mt-unsafe)
  if (env != nullptr && *env != '\0') {
    auto key = HexDecode(env);
    if (!key) {
      return tl::unexpected(key.error());
    }
    if (key->size() != kKeyBytes) {
      return InvalidArgument("WORKLOG_SECRET_KEY", "must be 64 hexadecimal characters");
    }
    return FromKey(*key);
  }
  const std::string path = data_dir + "/secret.key";
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (key.size() != kKeyBytes) {
        return Internal(fmt::format("{} is damaged: expected {} bytes", path, kKeyBytes));
      }
      return FromKey(key);
    }
  }
  std::string key(kKeyBytes, '\0');
  randombytes_buf(key.data(), key.size());
  const mode_t old_mask = ::umask(077);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(key.data(), static_cast<std::streamsize>(key.size()));
  out.close();
  ::umask(old_mask);
  if (!out) {
    return Internal(fmt::format("cannot write the key file {}", path));
  }
  ::chmod(path.c_str(), 0600);
  return FromKey(key);
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::string buffer(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(),
                     '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(buffer.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, Bytes(plaintext), plaintext.size(),
                        nonce, key_.data());
  return Base64UrlEncode(buffer);
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  auto raw = Base64UrlDecode(sealed);
  if (!raw) {
    return tl::unexpected(raw.error());
  }
  if (raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return InvalidArgument("secret", "sealed value is too short");
  }
  const auto* nonce = Bytes(*raw);
  const std::size_t cipher_len = raw->size() - crypto_secretbox_NONCEBYTES;
  std::string plain(cipher_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 nonce + crypto_secretbox_NONCEBYTES, cipher_len, nonce,
                                 key_.data()) != 0) {
    return InvalidArgument("secret", "cannot be decrypted with this key");
  }
  return plain;
}

}  // namespace worklog
