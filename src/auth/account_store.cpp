// SPDX-License-Identifier: Apache-2.0
#include "auth/account_store.h"

#include <fmt/format.h>

namespace camguard::auth {

using base::ErrorCode;
using base::Fail;

namespace {

constexpr std::string_view kUserColumns =
    "id, username, password_hash, role, disabled, totp_secret_sealed, totp_last_step, created_ms, "
    "password_changed_ms";

User ReadUser(const store::Statement& s) {
  User user;
  user.id = s.ColumnInt(0);
  user.username = s.ColumnText(1);
  user.password_hash = s.ColumnText(2);
  user.role = ParseRole(s.ColumnText(3)).value_or(Role::kGuest);
  user.disabled = s.ColumnInt(4) != 0;
  if (!s.ColumnIsNull(5)) user.totp_secret_sealed = s.ColumnText(5);
  user.totp_last_step = s.ColumnInt(6);
  user.created_ms = s.ColumnInt(7);
  user.password_changed_ms = s.ColumnInt(8);
  return user;
}

constexpr std::string_view kSessionColumns =
    "id, public_id, csrf_token, user_id, device_id, device, user_agent, address, created_ms, "
    "last_seen_ms, expires_ms, revoked_ms";

Session ReadSession(const store::Statement& s) {
  Session session;
  session.id = s.ColumnInt(0);
  session.public_id = s.ColumnText(1);
  session.csrf_token = s.ColumnText(2);
  session.user_id = s.ColumnInt(3);
  session.device_id = s.ColumnOptionalInt(4);
  session.device = s.ColumnText(5);
  session.user_agent = s.ColumnText(6);
  session.address = s.ColumnText(7);
  session.created_ms = s.ColumnInt(8);
  session.last_seen_ms = s.ColumnInt(9);
  session.expires_ms = s.ColumnInt(10);
  session.revoked_ms = s.ColumnOptionalInt(11);
  return session;
}

Result<std::optional<User>> QueryOneUser(store::Database& db, std::string_view where,
                                         const store::Value& value) {
  CAMGUARD_TRY(auto stmt,
               db.Prepare(fmt::format("SELECT {} FROM users WHERE {}", kUserColumns, where)));
  stmt.BindValue(1, value);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return std::optional<User>();
  return std::optional<User>(ReadUser(stmt));
}

Result<std::optional<Session>> QueryOneSession(store::Database& db, std::string_view where,
                                               std::string_view value) {
  CAMGUARD_TRY(auto stmt,
               db.Prepare(fmt::format("SELECT {} FROM sessions WHERE {} AND revoked_ms IS NULL",
                                      kSessionColumns, where)));
  stmt.Bind(1, value);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return std::optional<Session>();
  return std::optional<Session>(ReadSession(stmt));
}

Status RunOne(store::Database& db, std::string_view sql,
              std::initializer_list<store::Value> values) {
  CAMGUARD_TRY(auto stmt, db.Prepare(sql));
  int index = 1;
  for (const auto& value : values) stmt.BindValue(index++, value);
  return stmt.Run();
}

}  // namespace

Result<bool> AccountStore::AnyOwnerExists() {
  CAMGUARD_TRY(auto stmt, db_.Prepare("SELECT 1 FROM users WHERE role = 'owner' LIMIT 1"));
  return stmt.Step();
}

Result<std::int64_t> AccountStore::CreateUser(std::string_view username,
                                              std::string_view password_hash, Role role,
                                              std::int64_t now_ms) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare("INSERT INTO users (username, password_hash, role, created_ms, "
                           "password_changed_ms) VALUES (?, ?, ?, ?, ?)"));
  stmt.Bind(1, username)
      .Bind(2, password_hash)
      .Bind(3, ToString(role))
      .Bind(4, now_ms)
      .Bind(5, now_ms);
  auto status = stmt.Run();
  if (!status) {
    if (status.error().code == ErrorCode::kAlreadyExists) {
      return Fail(ErrorCode::kAlreadyExists, "a user with that name already exists");
    }
    return tl::unexpected(status.error());
  }
  return db_.LastInsertRowId();
}

Result<std::optional<User>> AccountStore::FindUserByName(std::string_view username) {
  return QueryOneUser(db_, "username = ?", std::string(username));
}

Result<std::optional<User>> AccountStore::FindUser(std::int64_t id) {
  return QueryOneUser(db_, "id = ?", id);
}

Result<std::vector<User>> AccountStore::ListUsers() {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare(fmt::format("SELECT {} FROM users ORDER BY id", kUserColumns)));
  std::vector<User> users;
  for (;;) {
    CAMGUARD_TRY(const bool row, stmt.Step());
    if (!row) break;
    users.push_back(ReadUser(stmt));
  }
  return users;
}

Status AccountStore::SetPasswordHash(std::int64_t user_id, std::string_view hash,
                                     std::int64_t now_ms, bool password_changed) {
  if (password_changed) {
    return RunOne(db_, "UPDATE users SET password_hash = ?, password_changed_ms = ? WHERE id = ?",
                  {std::string(hash), now_ms, user_id});
  }
  return RunOne(db_, "UPDATE users SET password_hash = ? WHERE id = ?",
                {std::string(hash), user_id});
}

Status AccountStore::SetRole(std::int64_t user_id, Role role) {
  return RunOne(db_, "UPDATE users SET role = ? WHERE id = ?",
                {std::string(ToString(role)), user_id});
}

Status AccountStore::SetDisabled(std::int64_t user_id, bool disabled) {
  return RunOne(db_, "UPDATE users SET disabled = ? WHERE id = ?",
                {static_cast<std::int64_t>(disabled ? 1 : 0), user_id});
}

Status AccountStore::DeleteUser(std::int64_t user_id) {
  return RunOne(db_, "DELETE FROM users WHERE id = ?", {user_id});
}

Status AccountStore::SetTotpEnrollment(std::int64_t user_id, std::string_view secret_sealed,
                                       std::int64_t now_ms) {
  CAMGUARD_TRY(
      auto stmt,
      db_.Prepare("INSERT INTO totp_enrollments (user_id, secret_sealed, created_ms) "
                  "VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
                  "secret_sealed = excluded.secret_sealed, created_ms = excluded.created_ms"));
  stmt.Bind(1, user_id).BindBlob(2, secret_sealed).Bind(3, now_ms);
  return stmt.Run();
}

Result<std::optional<std::string>> AccountStore::TotpEnrollment(std::int64_t user_id) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare("SELECT secret_sealed FROM totp_enrollments WHERE user_id = ?"));
  stmt.Bind(1, user_id);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(stmt.ColumnText(0));
}

Status AccountStore::EnableTotp(std::int64_t user_id, std::string_view secret_sealed,
                                std::int64_t step) {
  CAMGUARD_TRY(
      auto stmt,
      db_.Prepare("UPDATE users SET totp_secret_sealed = ?, totp_last_step = ? WHERE id = ?"));
  stmt.BindBlob(1, secret_sealed).Bind(2, step).Bind(3, user_id);
  CAMGUARD_TRY_STATUS(stmt.Run());
  return RunOne(db_, "DELETE FROM totp_enrollments WHERE user_id = ?", {user_id});
}

Status AccountStore::DisableTotp(std::int64_t user_id) {
  CAMGUARD_TRY_STATUS(
      RunOne(db_, "UPDATE users SET totp_secret_sealed = NULL, totp_last_step = 0 WHERE id = ?",
             {user_id}));
  CAMGUARD_TRY_STATUS(RunOne(db_, "DELETE FROM totp_enrollments WHERE user_id = ?", {user_id}));
  return RunOne(db_, "DELETE FROM recovery_codes WHERE user_id = ?", {user_id});
}

Result<bool> AccountStore::AdvanceTotpStep(std::int64_t user_id, std::int64_t step) {
  CAMGUARD_TRY_STATUS(
      RunOne(db_, "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
             {step, user_id, step}));
  return db_.Changes() == 1;
}

Status AccountStore::ReplaceRecoveryCodes(std::int64_t user_id,
                                          const std::vector<std::string>& code_hashes) {
  CAMGUARD_TRY_STATUS(RunOne(db_, "DELETE FROM recovery_codes WHERE user_id = ?", {user_id}));
  CAMGUARD_TRY(auto stmt,
               db_.Prepare("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)"));
  for (const auto& hash : code_hashes) {
    stmt.Reset();
    stmt.Bind(1, user_id).Bind(2, hash);
    CAMGUARD_TRY_STATUS(stmt.Run());
  }
  return base::Ok();
}

Result<bool> AccountStore::ConsumeRecoveryCode(std::int64_t user_id, std::string_view code_hash,
                                               std::int64_t now_ms) {
  CAMGUARD_TRY_STATUS(
      RunOne(db_,
             "UPDATE recovery_codes SET used_ms = ? WHERE id = (SELECT id FROM recovery_codes "
             "WHERE user_id = ? AND code_hash = ? AND used_ms IS NULL LIMIT 1)",
             {now_ms, user_id, std::string(code_hash)}));
  return db_.Changes() == 1;
}

Result<int> AccountStore::UnusedRecoveryCodeCount(std::int64_t user_id) {
  CAMGUARD_TRY(
      auto stmt,
      db_.Prepare("SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_ms IS NULL"));
  stmt.Bind(1, user_id);
  CAMGUARD_TRY(const bool row, stmt.Step());
  return row ? static_cast<int>(stmt.ColumnInt(0)) : 0;
}

Result<std::int64_t> AccountStore::CreateTrustedDevice(std::int64_t user_id,
                                                       std::string_view public_id,
                                                       std::string_view token_hash,
                                                       std::string_view label,
                                                       std::int64_t now_ms) {
  CAMGUARD_TRY_STATUS(
      RunOne(db_,
             "INSERT INTO trusted_devices (public_id, user_id, token_hash, label, created_ms, "
             "last_seen_ms) VALUES (?, ?, ?, ?, ?, ?)",
             {std::string(public_id), user_id, std::string(token_hash), std::string(label), now_ms,
              now_ms}));
  return db_.LastInsertRowId();
}

Result<std::optional<std::pair<std::int64_t, std::int64_t>>> AccountStore::FindTrustedDevice(
    std::string_view token_hash) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare("SELECT id, user_id FROM trusted_devices WHERE token_hash = ? AND "
                           "revoked_ms IS NULL"));
  stmt.Bind(1, token_hash);
  CAMGUARD_TRY(const bool row, stmt.Step());
  using Found = std::optional<std::pair<std::int64_t, std::int64_t>>;
  if (!row) return Found();
  return Found(std::make_pair(stmt.ColumnInt(0), stmt.ColumnInt(1)));
}

Status AccountStore::TouchTrustedDevice(std::int64_t device_id, std::int64_t now_ms) {
  return RunOne(db_, "UPDATE trusted_devices SET last_seen_ms = ? WHERE id = ?",
                {now_ms, device_id});
}

Result<std::int64_t> AccountStore::CreateSession(const NewSession& s) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare("INSERT INTO sessions (public_id, token_hash, csrf_token, user_id, "
                           "device_id, device, user_agent, address, created_ms, last_seen_ms, "
                           "expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, s.public_id).Bind(2, s.token_hash).Bind(3, s.csrf_token).Bind(4, s.user_id);
  if (s.device_id) {
    stmt.Bind(5, *s.device_id);
  } else {
    stmt.BindNull(5);
  }
  stmt.Bind(6, s.device)
      .Bind(7, s.user_agent)
      .Bind(8, s.address)
      .Bind(9, s.now_ms)
      .Bind(10, s.now_ms)
      .Bind(11, s.expires_ms);
  CAMGUARD_TRY_STATUS(stmt.Run());
  return db_.LastInsertRowId();
}

Result<std::optional<Session>> AccountStore::FindSessionByTokenHash(std::string_view token_hash) {
  return QueryOneSession(db_, "token_hash = ?", token_hash);
}

Result<std::optional<Session>> AccountStore::FindSessionByPublicId(std::string_view public_id) {
  return QueryOneSession(db_, "public_id = ?", public_id);
}

Result<std::vector<Session>> AccountStore::ListSessions(std::optional<std::int64_t> user_id,
                                                        std::int64_t now_ms) {
  std::string sql = fmt::format(
      "SELECT {} FROM sessions WHERE revoked_ms IS NULL AND expires_ms > ?", kSessionColumns);
  if (user_id) sql += " AND user_id = ?";
  sql += " ORDER BY last_seen_ms DESC";
  CAMGUARD_TRY(auto stmt, db_.Prepare(sql));
  stmt.Bind(1, now_ms);
  if (user_id) stmt.Bind(2, *user_id);
  std::vector<Session> sessions;
  for (;;) {
    CAMGUARD_TRY(const bool row, stmt.Step());
    if (!row) break;
    sessions.push_back(ReadSession(stmt));
  }
  return sessions;
}

Status AccountStore::TouchSession(std::int64_t session_id, std::int64_t now_ms) {
  return RunOne(db_, "UPDATE sessions SET last_seen_ms = ? WHERE id = ?", {now_ms, session_id});
}

Status AccountStore::RevokeSession(std::int64_t session_id, std::int64_t now_ms,
                                   std::string_view reason) {
  return RunOne(
      db_,
      "UPDATE sessions SET revoked_ms = ?, revoke_reason = ? WHERE id = ? AND revoked_ms IS NULL",
      {now_ms, std::string(reason), session_id});
}

Result<int> AccountStore::RevokeUserSessions(std::int64_t user_id, std::optional<std::int64_t> keep,
                                             std::int64_t now_ms, std::string_view reason) {
  CAMGUARD_TRY_STATUS(
      RunOne(db_,
             "UPDATE sessions SET revoked_ms = ?, revoke_reason = ? WHERE user_id = ? AND "
             "revoked_ms IS NULL AND id != ?",
             {now_ms, std::string(reason), user_id, keep.value_or(-1)}));
  return db_.Changes();
}

}  // namespace camguard::auth
