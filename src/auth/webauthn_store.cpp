// SPDX-License-Identifier: Apache-2.0
#include "auth/webauthn_store.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace camguard::auth {

using base::ErrorCode;
using base::Fail;
using base::Result;
using base::Status;

namespace {

constexpr std::string_view kColumns =
    "id, user_id, credential_id, public_key, sign_count, transports, name, created_ms, "
    "last_used_ms";

Passkey ReadPasskey(const store::Statement& s) {
  Passkey passkey;
  passkey.id = s.ColumnInt(0);
  passkey.user_id = s.ColumnInt(1);
  passkey.credential_id = s.ColumnText(2);
  passkey.public_key_cose = s.ColumnText(3);
  passkey.sign_count = static_cast<std::uint32_t>(s.ColumnInt(4));
  passkey.transports = s.ColumnText(5);
  passkey.name = s.ColumnText(6);
  passkey.created_ms = s.ColumnInt(7);
  passkey.last_used_ms = s.ColumnOptionalInt(8);
  return passkey;
}

Status CheckName(std::string_view name) {
  if (name.empty() || name.size() > kMaxPasskeyNameBytes || !base::IsValidUtf8(name)) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("a passkey name is 1 to {} bytes of UTF-8", kMaxPasskeyNameBytes));
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Fail(ErrorCode::kInvalidArgument, "a passkey name has no control characters");
    }
  }
  return base::Ok();
}

// AuthenticatorTransport values ("usb", "nfc", "ble", "smart-card", "hybrid", "internal", and
// any later ones) are lower-case words with hyphens.
Status CheckTransports(std::string_view transports) {
  if (transports.size() > kMaxPasskeyTransportsBytes) {
    return Fail(ErrorCode::kInvalidArgument, "passkey transports are too long");
  }
  if (transports.empty()) return base::Ok();
  for (std::string_view word : base::Split(transports, ',')) {
    if (word.empty()) return Fail(ErrorCode::kInvalidArgument, "empty passkey transport");
    for (char c : word) {
      if (!(c >= 'a' && c <= 'z') && c != '-') {
        return Fail(ErrorCode::kInvalidArgument, "passkey transports are lower-case words");
      }
    }
  }
  return base::Ok();
}

}  // namespace

Result<std::int64_t> PasskeyStore::Add(std::int64_t user_id, const RegisteredCredential& credential,
                                       std::string_view name, std::string_view transports,
                                       std::int64_t now_ms) {
  CAMGUARD_TRY_STATUS(CheckName(name));
  CAMGUARD_TRY_STATUS(CheckTransports(transports));
  CAMGUARD_TRY(auto stmt, db_.Prepare("INSERT INTO webauthn_credentials (user_id, credential_id, "
                                      "public_key, sign_count, transports, name, created_ms) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, user_id)
      .BindBlob(2, credential.credential_id)
      .BindBlob(3, credential.public_key_cose)
      .Bind(4, static_cast<std::int64_t>(credential.sign_count))
      .Bind(5, transports)
      .Bind(6, name)
      .Bind(7, now_ms);
  auto status = stmt.Run();
  if (!status) {
    if (status.error().code == ErrorCode::kAlreadyExists) {
      return Fail(ErrorCode::kAlreadyExists, "this passkey is registered already");
    }
    return tl::unexpected(status.error());
  }
  return db_.LastInsertRowId();
}

Result<std::optional<Passkey>> PasskeyStore::FindByCredentialId(std::string_view credential_id) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare(fmt::format(
                   "SELECT {} FROM webauthn_credentials WHERE credential_id = ?", kColumns)));
  stmt.BindBlob(1, credential_id);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return std::optional<Passkey>();
  return std::optional<Passkey>(ReadPasskey(stmt));
}

Result<std::vector<Passkey>> PasskeyStore::ListForUser(std::int64_t user_id) {
  CAMGUARD_TRY(auto stmt, db_.Prepare(fmt::format("SELECT {} FROM webauthn_credentials WHERE "
                                                  "user_id = ? ORDER BY created_ms, id",
                                                  kColumns)));
  stmt.Bind(1, user_id);
  std::vector<Passkey> passkeys;
  for (;;) {
    CAMGUARD_TRY(const bool row, stmt.Step());
    if (!row) break;
    passkeys.push_back(ReadPasskey(stmt));
  }
  return passkeys;
}

Result<bool> PasskeyStore::RecordUse(std::int64_t id, std::uint32_t previous_count,
                                     std::uint32_t new_count, std::int64_t now_ms) {
  CAMGUARD_TRY(auto stmt, db_.Prepare("UPDATE webauthn_credentials SET sign_count = ?, "
                                      "last_used_ms = ? WHERE id = ? AND sign_count = ?"));
  stmt.Bind(1, static_cast<std::int64_t>(new_count))
      .Bind(2, now_ms)
      .Bind(3, id)
      .Bind(4, static_cast<std::int64_t>(previous_count));
  CAMGUARD_TRY_STATUS(stmt.Run());
  return db_.Changes() == 1;
}

Result<bool> PasskeyStore::Rename(std::int64_t user_id, std::int64_t id, std::string_view name) {
  CAMGUARD_TRY_STATUS(CheckName(name));
  CAMGUARD_TRY(
      auto stmt,
      db_.Prepare("UPDATE webauthn_credentials SET name = ? WHERE id = ? AND user_id = ?"));
  stmt.Bind(1, name).Bind(2, id).Bind(3, user_id);
  CAMGUARD_TRY_STATUS(stmt.Run());
  return db_.Changes() == 1;
}

Result<bool> PasskeyStore::Remove(std::int64_t user_id, std::int64_t id) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare("DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?"));
  stmt.Bind(1, id).Bind(2, user_id);
  CAMGUARD_TRY_STATUS(stmt.Run());
  return db_.Changes() == 1;
}

}  // namespace camguard::auth
