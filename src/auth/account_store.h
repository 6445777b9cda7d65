// SPDX-License-Identifier: Apache-2.0
// SQL for accounts: users, sessions, trusted devices, TOTP enrollment and recovery codes.
// Tokens are stored only as SHA-256 hashes; TOTP secrets only sealed under the secrets key.
// Thread: loop only (one Database, one thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorization.h"
#include "base/clock.h"
#include "base/result.h"
#include "store/database.h"

namespace camguard::auth {

using base::Result;
using base::Status;

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string password_hash;
  Role role = Role::kGuest;
  bool disabled = false;
  std::optional<std::string> totp_secret_sealed;
  std::int64_t totp_last_step = 0;
  std::int64_t created_ms = 0;
  std::int64_t password_changed_ms = 0;
  bool totp_enabled() const { return totp_secret_sealed.has_value(); }
};

struct Session {
  std::int64_t id = 0;
  std::string public_id;
  std::string csrf_token;
  std::int64_t user_id = 0;
  std::optional<std::int64_t> device_id;
  std::string device;
  std::string user_agent;
  std::string address;
  std::int64_t created_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::int64_t expires_ms = 0;
  std::optional<std::int64_t> revoked_ms;
};

struct NewSession {
  std::string token_hash;
  std::string public_id;
  std::string csrf_token;
  std::int64_t user_id = 0;
  std::optional<std::int64_t> device_id;
  std::string device;
  std::string user_agent;
  std::string address;
  std::int64_t now_ms = 0;
  std::int64_t expires_ms = 0;
};

class AccountStore {
 public:
  explicit AccountStore(store::Database& db) : db_(db) {}

  // Users
  Result<bool> AnyOwnerExists();
  Result<std::int64_t> CreateUser(std::string_view username, std::string_view password_hash,
                                  Role role, std::int64_t now_ms);
  Result<std::optional<User>> FindUserByName(std::string_view username);
  Result<std::optional<User>> FindUser(std::int64_t id);
  Result<std::vector<User>> ListUsers();
  Status SetPasswordHash(std::int64_t user_id, std::string_view hash, std::int64_t now_ms,
                         bool password_changed);
  Status SetRole(std::int64_t user_id, Role role);
  Status SetDisabled(std::int64_t user_id, bool disabled);
  Status DeleteUser(std::int64_t user_id);

  // TOTP
  Status SetTotpEnrollment(std::int64_t user_id, std::string_view secret_sealed,
                           std::int64_t now_ms);
  Result<std::optional<std::string>> TotpEnrollment(std::int64_t user_id);
  Status EnableTotp(std::int64_t user_id, std::string_view secret_sealed, std::int64_t step);
  Status DisableTotp(std::int64_t user_id);
  // Stores `step` only if it is newer than the stored one; false means replay.
  Result<bool> AdvanceTotpStep(std::int64_t user_id, std::int64_t step);

  // Recovery codes (hashes)
  Status ReplaceRecoveryCodes(std::int64_t user_id, const std::vector<std::string>& code_hashes);
  // Marks the matching unused code as used; false if none matched.
  Result<bool> ConsumeRecoveryCode(std::int64_t user_id, std::string_view code_hash,
                                   std::int64_t now_ms);
  Result<int> UnusedRecoveryCodeCount(std::int64_t user_id);

  // Trusted devices
  Result<std::int64_t> CreateTrustedDevice(std::int64_t user_id, std::string_view public_id,
                                           std::string_view token_hash, std::string_view label,
                                           std::int64_t now_ms);
  // The live device with this token hash, with its user id.
  Result<std::optional<std::pair<std::int64_t, std::int64_t>>> FindTrustedDevice(
      std::string_view token_hash);
  Status TouchTrustedDevice(std::int64_t device_id, std::int64_t now_ms);

  // Sessions
  Result<std::int64_t> CreateSession(const NewSession& session);
  // Live (not revoked) session by token hash; expiry is checked by the caller.
  Result<std::optional<Session>> FindSessionByTokenHash(std::string_view token_hash);
  Result<std::optional<Session>> FindSessionByPublicId(std::string_view public_id);
  // Live sessions; user_id nullopt = all users. Expired ones are excluded.
  Result<std::vector<Session>> ListSessions(std::optional<std::int64_t> user_id,
                                            std::int64_t now_ms);
  Status TouchSession(std::int64_t session_id, std::int64_t now_ms);
  Status RevokeSession(std::int64_t session_id, std::int64_t now_ms, std::string_view reason);
  // Revokes every live session of the user except `keep` (if given); returns how many.
  Result<int> RevokeUserSessions(std::int64_t user_id, std::optional<std::int64_t> keep,
                                 std::int64_t now_ms, std::string_view reason);

 private:
  store::Database& db_;
};

}  // namespace camguard::auth
