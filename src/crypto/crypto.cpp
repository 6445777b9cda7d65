// SPDX-License-Identifier: Apache-2.0
#include "crypto/crypto.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "base/encoding.h"
#include "base/files.h"

namespace camguard::crypto {

using base::ErrorCode;
using base::Fail;

Status Initialize() {
  if (sodium_init() < 0) return Fail(ErrorCode::kInternal, "libsodium failed to initialize");
  return base::Ok();
}

std::string RandomBytes(std::size_t count) {
  std::string out(count, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string RandomToken(std::size_t bytes) { return base::Base64UrlEncode(RandomBytes(bytes)); }

std::uint32_t RandomUniform(std::uint32_t upper_bound) { return randombytes_uniform(upper_bound); }

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string Sha256Hex(std::string_view data) { return base::HexEncode(Sha256(data)); }

std::string Sha1(std::string_view data) {
  std::string out(SHA_DIGEST_LENGTH, '\0');
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

namespace {
std::string Hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}
}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  return Hmac(EVP_sha256(), key, data);
}
std::string HmacSha1(std::string_view key, std::string_view data) {
  return Hmac(EVP_sha1(), key, data);
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

SecretKey::SecretKey() = default;

SecretKey::SecretKey(std::string_view raw) {
  if (raw.size() == kSize) std::copy(raw.begin(), raw.end(), key_.begin());
}

SecretKey::~SecretKey() { sodium_memzero(key_.data(), key_.size()); }

std::string_view SecretKey::bytes() const {
  return std::string_view(reinterpret_cast<const char*>(key_.data()), key_.size());
}

Result<SecretKey> LoadOrCreateKeyFile(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    // Only a key that does not exist may be created: after any other failure (EACCES on the
    // directory, EIO, ...) a fresh key would replace the real one and orphan what it protects.
    const int err = errno;
    if (err != ENOENT) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("cannot inspect key file {}: {}", path.string(), std::strerror(err)));
    }
    const std::string raw = RandomBytes(SecretKey::kSize);
    CAMGUARD_TRY_STATUS(base::WritePrivateFile(path, raw));
    return SecretKey(raw);
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("key file {} is not a regular file", path.string()));
  }
  if ((st.st_mode & 0077) != 0) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("key file {} is accessible by group or others (mode {:o}); "
                            "run chmod 600 on it",
                            path.string(), st.st_mode & 0777));
  }
  CAMGUARD_TRY(const std::string raw, base::ReadFile(path, 1024));
  if (raw.size() != SecretKey::kSize) {
    return Fail(ErrorCode::kDataLoss, fmt::format("key file {} has {} bytes, expected {}",
                                                  path.string(), raw.size(), SecretKey::kSize));
  }
  return SecretKey(raw);
}

std::string Seal(const SecretKey& key, std::string_view plaintext) {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, reinterpret_cast<const unsigned char*>(key.bytes().data()));
  return out;
}

Result<std::string> Open(const SecretKey& key, std::string_view sealed) {
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Fail(ErrorCode::kDataLoss, "sealed value is too short");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  const auto* cipher = nonce + crypto_secretbox_NONCEBYTES;
  const std::size_t cipher_size = sealed.size() - crypto_secretbox_NONCEBYTES;
  std::string out(cipher_size - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), cipher, cipher_size,
                                 nonce,
                                 reinterpret_cast<const unsigned char*>(key.bytes().data())) != 0) {
    return Fail(ErrorCode::kDataLoss, "sealed value failed authentication");
  }
  return out;
}

}  // namespace camguard::crypto
