// SPDX-License-Identifier: Apache-2.0
#include "auth/api_tokens.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "crypto/crypto.h"

namespace camguard::auth {

// auth::Authorize() uses the same bits without including this header.
static_assert(static_cast<TokenScopes>(TokenScope::kRead) == 1 &&
              static_cast<TokenScopes>(TokenScope::kPtz) == 2 &&
              static_cast<TokenScopes>(TokenScope::kPrivacy) == 4 &&
              static_cast<TokenScopes>(TokenScope::kMetrics) == 8);

namespace {
constexpr std::string_view kColumns =
    "id, public_id, user_id, name, scopes, camera_ids, created_ms, expires_ms, last_used_ms, "
    "revoked_ms";

ApiToken ReadToken(const store::Statement& s) {
  ApiToken token;
  token.id = s.ColumnInt(0);
  token.public_id = s.ColumnText(1);
  token.user_id = s.ColumnInt(2);
  token.name = s.ColumnText(3);
  token.scopes = static_cast<TokenScopes>(s.ColumnInt(4));
  if (!s.ColumnIsNull(5)) token.camera_ids = base::SplitIds(s.ColumnText(5));
  token.created_ms = s.ColumnInt(6);
  token.expires_ms = s.ColumnOptionalInt(7);
  token.last_used_ms = s.ColumnOptionalInt(8);
  token.revoked_ms = s.ColumnOptionalInt(9);
  return token;
}
}  // namespace

std::string_view ToString(TokenScope scope) {
  switch (scope) {
    case TokenScope::kRead: return "read";
    case TokenScope::kPtz: return "ptz";
    case TokenScope::kPrivacy: return "privacy";
    case TokenScope::kMetrics: return "metrics";
  }
  return "unknown";
}

std::optional<TokenScope> ParseTokenScope(std::string_view text) {
  for (TokenScope scope : kEveryTokenScope)
    if (ToString(scope) == text) return scope;
  return std::nullopt;
}

Result<std::pair<ApiToken, std::string>> ApiTokenStore::Create(const NewApiToken& token,
                                                               std::int64_t now_ms) {
  if (token.scopes == 0 || token.scopes >= 16) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "a token needs at least one scope");
  }
  const std::string secret = std::string(kTokenPrefix) + crypto::RandomToken(32);
  const std::string public_id = "tok_" + crypto::RandomToken(12);
  CAMGUARD_TRY(auto stmt, db_.Prepare("INSERT INTO api_tokens (public_id, user_id, name, "
                                      "token_hash, scopes, camera_ids, created_ms, expires_ms) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, public_id)
      .Bind(2, token.user_id)
      .Bind(3, token.name)
      .Bind(4, crypto::Sha256Hex(secret))
      .Bind(5, static_cast<std::int64_t>(token.scopes));
  if (token.camera_ids) {
    stmt.Bind(6, base::JoinIds(*token.camera_ids));
  } else {
    stmt.BindNull(6);
  }
  stmt.Bind(7, now_ms);
  if (token.expires_ms) {
    stmt.Bind(8, *token.expires_ms);
  } else {
    stmt.BindNull(8);
  }
  CAMGUARD_TRY_STATUS(stmt.Run());
  ApiToken created;
  created.id = db_.LastInsertRowId();
  created.public_id = public_id;
  created.user_id = token.user_id;
  created.name = token.name;
  created.scopes = token.scopes;
  created.camera_ids = token.camera_ids;
  created.created_ms = now_ms;
  created.expires_ms = token.expires_ms;
  return std::make_pair(std::move(created), secret);
}

Result<std::optional<ApiToken>> ApiTokenStore::FindUsable(std::string_view secret,
                                                          std::int64_t now_ms) {
  if (!secret.starts_with(kTokenPrefix) || secret.size() > 128) return std::optional<ApiToken>();
  CAMGUARD_TRY(auto stmt, db_.Prepare(fmt::format(
                              "SELECT {} FROM api_tokens WHERE token_hash = ? AND revoked_ms IS "
                              "NULL AND (expires_ms IS NULL OR expires_ms > ?)",
                              kColumns)));
  stmt.Bind(1, crypto::Sha256Hex(secret)).Bind(2, now_ms);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return std::optional<ApiToken>();
  return std::optional<ApiToken>(ReadToken(stmt));
}

Result<std::optional<ApiToken>> ApiTokenStore::FindByPublicId(std::string_view public_id) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare(fmt::format("SELECT {} FROM api_tokens WHERE public_id = ?", kColumns)));
  stmt.Bind(1, public_id);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return std::optional<ApiToken>();
  return std::optional<ApiToken>(ReadToken(stmt));
}

Result<std::vector<ApiToken>> ApiTokenStore::List(std::optional<std::int64_t> user_id) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare(fmt::format("SELECT {} FROM api_tokens WHERE ? IS NULL OR user_id = ? "
                                       "ORDER BY created_ms DESC, id DESC",
                                       kColumns)));
  if (user_id) {
    stmt.Bind(1, *user_id).Bind(2, *user_id);
  } else {
    stmt.BindNull(1).BindNull(2);
  }
  std::vector<ApiToken> tokens;
  for (;;) {
    CAMGUARD_TRY(const bool row, stmt.Step());
    if (!row) break;
    tokens.push_back(ReadToken(stmt));
  }
  return tokens;
}

Status ApiTokenStore::Touch(std::int64_t token_id, std::int64_t now_ms) {
  CAMGUARD_TRY(auto stmt, db_.Prepare("UPDATE api_tokens SET last_used_ms = ? WHERE id = ?"));
  stmt.Bind(1, now_ms).Bind(2, token_id);
  return stmt.Run();
}

Status ApiTokenStore::Revoke(std::int64_t token_id, std::int64_t now_ms) {
  CAMGUARD_TRY(auto stmt, db_.Prepare("UPDATE api_tokens SET revoked_ms = ? WHERE id = ? AND "
                                      "revoked_ms IS NULL"));
  stmt.Bind(1, now_ms).Bind(2, token_id);
  return stmt.Run();
}

}  // namespace camguard::auth
