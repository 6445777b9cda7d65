// SPDX-License-Identifier: Apache-2.0
// SQL for passkeys (table webauthn_credentials, migration 0002). A credential id belongs to at
// most one user; the public key is kept as the COSE_Key bytes the authenticator sent at
// registration, already checked by VerifyRegistration(). Nothing here is secret: a public key
// and a counter are useless without the authenticator.
// Thread: loop only (one Database, one thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/webauthn.h"
#include "base/result.h"
#include "store/database.h"

namespace camguard::auth {

inline constexpr std::size_t kMaxPasskeyNameBytes = 64;
inline constexpr std::size_t kMaxPasskeyTransportsBytes = 128;

struct Passkey {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string credential_id;
  std::string public_key_cose;
  std::uint32_t sign_count = 0;
  std::string transports;  // getTransports() joined with commas: "internal,hybrid"
  std::string name;        // the owner's label: "Phone", "YubiKey"
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> last_used_ms;
};

class PasskeyStore {
 public:
  explicit PasskeyStore(store::Database& db) : db_(db) {}

  // kAlreadyExists when the credential id is registered already (to anyone); kInvalidArgument
  // for an empty or too long name (UTF-8, at most kMaxPasskeyNameBytes) or transports that are
  // not comma-separated lower-case words.
  base::Result<std::int64_t> Add(std::int64_t user_id, const RegisteredCredential& credential,
                                 std::string_view name, std::string_view transports,
                                 std::int64_t now_ms);
  base::Result<std::optional<Passkey>> FindByCredentialId(std::string_view credential_id);
  base::Result<std::vector<Passkey>> ListForUser(std::int64_t user_id);  // oldest first

  // After VerifyAssertion(): stores its sign count and the time, but only if the stored count
  // is still `previous_count` (the one the assertion was checked against). false means another
  // sign-in with the same credential came in between: refuse this one.
  base::Result<bool> RecordUse(std::int64_t id, std::uint32_t previous_count,
                               std::uint32_t new_count, std::int64_t now_ms);

  // Only the user's own passkeys; false when `id` is not one of them.
  base::Result<bool> Rename(std::int64_t user_id, std::int64_t id, std::string_view name);
  base::Result<bool> Remove(std::int64_t user_id, std::int64_t id);

 private:
  store::Database& db_;
};

}  // namespace camguard::auth
