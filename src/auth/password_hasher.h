// SPDX-License-Identifier: Apache-2.0
// Argon2id password hashes (RFC 9106) as PHC strings, through libsodium's crypto_pwhash_str_alg.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace camguard::auth {

struct Argon2Params {
  std::uint64_t memory_kib = 65536;
  std::uint32_t iterations = 2;
};

// The production floor (libsodium's INTERACTIVE level): weaker settings are for tests only.
inline constexpr std::uint64_t kProductionMinMemoryKib = 65536;
inline constexpr std::uint32_t kProductionMinIterations = 2;

// Thread-safe: stateless apart from the parameters and the dummy hash, both fixed at
// construction. Hash, Verify and the constructor are deliberately slow (they spend
// `memory_kib` of memory and tens of milliseconds); run Hash and Verify on a worker pool.
class PasswordHasher {
 public:
  explicit PasswordHasher(Argon2Params params);

  // "$argon2id$v=19$m=<memory_kib>,t=<iterations>,p=1$<salt>$<hash>" with a random salt.
  base::Result<std::string> Hash(std::string_view password) const;
  // True only for a well-formed Argon2id PHC string that matches `password`; false on any
  // malformed hash (never fails loudly: the caller answers "wrong credentials" either way).
  bool Verify(std::string_view phc_hash, std::string_view password) const;
  // True when `phc_hash` was made with other parameters than this hasher's (or is not an
  // Argon2id hash at all), so a successful login should store a fresh hash.
  bool NeedsRehash(std::string_view phc_hash) const;
  const Argon2Params& params() const { return params_; }

  // A valid hash of a random password with this hasher's parameters. Verifying against it
  // costs the same as verifying a real user's hash, so a login for an unknown user cannot be
  // told apart from a wrong password by its timing. Computed once in the constructor.
  const std::string& DummyHash() const { return dummy_hash_; }

 private:
  Argon2Params params_;
  std::string dummy_hash_;
};

}  // namespace camguard::auth
