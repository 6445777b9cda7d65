// SPDX-License-Identifier: Apache-2.0
// Primitives used across camguard: randomness and secretbox from libsodium, hashes and
// HMACs from OpenSSL. Every secret-comparing function is constant time.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace camguard::crypto {

using base::Result;
using base::Status;

// Must be called once before any other function (idempotent, thread-safe).
Status Initialize();

std::string RandomBytes(std::size_t count);
// `bytes` random bytes as unpadded base64url (32 bytes → 256 bits → 43 characters).
std::string RandomToken(std::size_t bytes = 32);
// Uniform in [0, upper_bound).
std::uint32_t RandomUniform(std::uint32_t upper_bound);

std::string Sha256(std::string_view data);  // 32 raw bytes
std::string Sha256Hex(std::string_view data);
// Only where a protocol demands it (WS-UsernameToken digests, RFC 6455 handshakes).
std::string Sha1(std::string_view data);                              // 20 raw bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string HmacSha1(std::string_view key, std::string_view data);    // 20 raw bytes

bool ConstantTimeEqual(std::string_view a, std::string_view b);

// A 256-bit symmetric key. Never logged; zeroed on destruction.
class SecretKey {
 public:
  static constexpr std::size_t kSize = 32;
  SecretKey();
  explicit SecretKey(std::string_view raw);  // must be kSize bytes
  ~SecretKey();
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  std::string_view bytes() const;

 private:
  std::array<unsigned char, kSize> key_{};
};

// Loads a key file, or creates it (mode 0600, random) when it does not exist.
// Fails if the file exists with the wrong size or is readable by group/others.
Result<SecretKey> LoadOrCreateKeyFile(const std::filesystem::path& path);

// Authenticated encryption (XSalsa20-Poly1305, libsodium secretbox). Output is
// nonce || ciphertext; Open fails with DataLoss on any tampering.
std::string Seal(const SecretKey& key, std::string_view plaintext);
Result<std::string> Open(const SecretKey& key, std::string_view sealed);

}  // namespace camguard::crypto
