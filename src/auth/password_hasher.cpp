// SPDX-License-Identifier: Apache-2.0
#include "auth/password_hasher.h"

#include <sodium.h>

#include <array>
#include <cstdint>

#include "crypto/crypto.h"

namespace camguard::auth {
namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

// libsodium wants a NUL-terminated PHC string that fits in crypto_pwhash_STRBYTES. Anything
// else (embedded NUL, oversize, other algorithm) is malformed for us.
bool CopyPhcString(std::string_view phc_hash, std::array<char, crypto_pwhash_STRBYTES>& out) {
  if (phc_hash.size() >= out.size()) return false;
  if (phc_hash.substr(0, kArgon2idPrefix.size()) != kArgon2idPrefix) return false;
  if (phc_hash.find('\0') != std::string_view::npos) return false;
  out.fill('\0');
  phc_hash.copy(out.data(), phc_hash.size());
  return true;
}

}  // namespace

PasswordHasher::PasswordHasher(Argon2Params params) : params_(params) {
  // sodium_init selects the fastest Argon2 implementation for this CPU; idempotent.
  (void)crypto::Initialize();
  // On failure (parameters libsodium refuses, out of memory) the dummy hash stays empty and
  // Verify against it is simply false; Hash reports the same failure to the caller.
  if (auto dummy = Hash(crypto::RandomToken(32))) dummy_hash_ = std::move(*dummy);
}

base::Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (params_.memory_kib > SIZE_MAX / 1024) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "Argon2 memory setting is too large");
  }
  const auto memlimit = static_cast<std::size_t>(params_.memory_kib * 1024);
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params_.iterations,
                            memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return base::Fail(base::ErrorCode::kResourceExhausted,
                      "Argon2id hashing failed (parameters out of range or not enough memory)");
  }
  return std::string(out.data());
}

bool PasswordHasher::Verify(std::string_view phc_hash, std::string_view password) const {
  std::array<char, crypto_pwhash_STRBYTES> hash{};
  if (!CopyPhcString(phc_hash, hash)) return false;
  return crypto_pwhash_str_verify(hash.data(), password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(std::string_view phc_hash) const {
  std::array<char, crypto_pwhash_STRBYTES> hash{};
  if (!CopyPhcString(phc_hash, hash)) return true;
  if (params_.memory_kib > SIZE_MAX / 1024) return true;
  // 0: same parameters; 1: different; -1: not a valid hash for this algorithm.
  return crypto_pwhash_str_needs_rehash(hash.data(), params_.iterations,
                                        static_cast<std::size_t>(params_.memory_kib * 1024)) != 0;
}

}  // namespace camguard::auth
