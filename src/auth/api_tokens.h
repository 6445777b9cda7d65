// SPDX-License-Identifier: Apache-2.0
// Long-lived API tokens for integrations. A token acts as the user who created it, narrowed to
// its scopes and, optionally, to a list of cameras; it can never manage accounts, tokens or the
// audit log (auth::Authorize() decides). Only the SHA-256 of a token is stored; the token is
// shown once at creation. Thread: loop only.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/database.h"

namespace camguard::auth {

using base::Result;
using base::Status;

enum class TokenScope : std::uint32_t {
  kRead = 1,     // list cameras, status, recordings (within the user's view/playback rights)
  kPtz = 2,      // move cameras the user may move
  kPrivacy = 4,  // switch privacy mode
  kMetrics = 8,  // the Prometheus endpoint (owners and admins only)
};
using TokenScopes = std::uint32_t;
inline constexpr TokenScope kEveryTokenScope[] = {TokenScope::kRead, TokenScope::kPtz,
                                                  TokenScope::kPrivacy, TokenScope::kMetrics};
std::string_view ToString(TokenScope scope);
std::optional<TokenScope> ParseTokenScope(std::string_view text);
inline bool Has(TokenScopes scopes, TokenScope scope) {
  return (scopes & static_cast<TokenScopes>(scope)) != 0;
}

inline constexpr std::string_view kTokenPrefix = "cgt_";

struct ApiToken {
  std::int64_t id = 0;
  std::string public_id;
  std::int64_t user_id = 0;
  std::string name;
  TokenScopes scopes = 0;
  std::optional<std::set<std::int64_t>> camera_ids;  // nullopt: all the user's cameras
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> expires_ms;
  std::optional<std::int64_t> last_used_ms;
  std::optional<std::int64_t> revoked_ms;
};

struct NewApiToken {
  std::int64_t user_id = 0;
  std::string name;
  TokenScopes scopes = 0;
  std::optional<std::set<std::int64_t>> camera_ids;
  std::optional<std::int64_t> expires_ms;
};

class ApiTokenStore {
 public:
  explicit ApiTokenStore(store::Database& db) : db_(db) {}

  // Returns the stored token and the secret to show once ("cgt_" + 43 base64url characters).
  Result<std::pair<ApiToken, std::string>> Create(const NewApiToken& token, std::int64_t now_ms);
  // A token that exists, is not revoked and has not expired.
  Result<std::optional<ApiToken>> FindUsable(std::string_view secret, std::int64_t now_ms);
  Result<std::optional<ApiToken>> FindByPublicId(std::string_view public_id);
  // Newest first; `user_id` nullopt lists every user's tokens.
  Result<std::vector<ApiToken>> List(std::optional<std::int64_t> user_id);
  Status Touch(std::int64_t token_id, std::int64_t now_ms);
  Status Revoke(std::int64_t token_id, std::int64_t now_ms);

 private:
  store::Database& db_;
};

}  // namespace camguard::auth
