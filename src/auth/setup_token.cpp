// SPDX-License-Identifier: Apache-2.0
#include "auth/setup_token.h"

#include "base/files.h"
#include "crypto/crypto.h"

namespace camguard::auth {

base::Result<std::string> SetupToken::Issue() {
  std::string token = crypto::RandomToken(32);
  CAMGUARD_TRY_STATUS(base::WritePrivateFile(file_, token + "\n"));
  hash_ = crypto::Sha256(token);
  expires_ = clock_.Now() + kLifetime;
  return token;
}

SetupToken::Check SetupToken::Verify(std::string_view candidate) const {
  if (!hash_) return Check::kNone;
  // Compare hashes in constant time so the token's prefix cannot be probed by timing.
  if (!crypto::ConstantTimeEqual(crypto::Sha256(candidate), *hash_)) return Check::kWrong;
  if (clock_.Now() >= expires_) return Check::kExpired;
  return Check::kValid;
}

base::Status SetupToken::Consume() {
  hash_.reset();
  return base::ShredFile(file_);
}

}  // namespace camguard::auth
