// SPDX-License-Identifier: Apache-2.0
// RTSP authentication as IP cameras do it (RFC 2326 §16.2 borrows HTTP's): Digest with MD5
// (RFC 2617 §3, the form RFC 7616 keeps for compatibility) and Basic (RFC 7617). Nonces are
// stateless — issue time plus an HMAC under a per-process key — and expire after kNonceLifetime,
// after which the challenge says stale=TRUE so clients retry without asking for a password.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/redacted.h"
#include "base/result.h"

namespace camguard::camsim {

std::string Md5Hex(std::string_view data);

// auth-param list of an Authorization header after the scheme (RFC 7235 §2.1): token=token or
// token="quoted string", comma separated. Names are lower-cased. Fails on malformed input,
// duplicate names or more than 16 parameters.
base::Result<std::map<std::string, std::string>> ParseAuthParams(std::string_view text);

struct DigestInput {
  std::string username;
  std::string realm;
  std::string password;
  std::string method;
  std::string uri;
  std::string nonce;
  std::string qop;  // "" (RFC 2069 compatibility) or "auth"
  std::string nc;
  std::string cnonce;
};

// The request-digest of RFC 2617 §3.2.2.1 (algorithm MD5), lower-case hex.
std::string DigestResponse(const DigestInput& in);

enum class AuthSchemes { kDigest, kBasic, kDigestAndBasic };

enum class AuthOutcome {
  kGranted,
  kMissing,     // no (usable) Authorization header
  kDenied,      // wrong user or password, or a malformed header
  kStaleNonce,  // a valid digest over an expired nonce
};

// The password of a camera account, nullopt for an unknown user. A camera's accounts are
// shared by all its interfaces (RTSP, HTTP, ONVIF), and can change while it runs.
using PasswordLookup = std::function<std::optional<std::string>(std::string_view username)>;

class RtspAuthenticator {
 public:
  static constexpr std::chrono::seconds kNonceLifetime{300};

  RtspAuthenticator(std::string realm, PasswordLookup lookup, AuthSchemes schemes,
                    const base::Clock& clock, std::string nonce_key);
  // A single fixed account.
  RtspAuthenticator(std::string realm, std::string username, base::Redacted<std::string> password,
                    AuthSchemes schemes, const base::Clock& clock, std::string nonce_key);

  // Checks the Authorization header value (if any) of a request (`method` is RTSP's or HTTP's).
  // On kGranted, `username` (if given) receives the account that signed in.
  AuthOutcome Check(std::string_view method, std::string_view request_uri,
                    std::optional<std::string_view> authorization,
                    std::string* username = nullptr) const;

  // WWW-Authenticate values for a 401 answer, strongest scheme first.
  std::vector<std::string> Challenges(bool stale) const;

  std::string NewNonce() const;

 private:
  AuthOutcome CheckDigest(std::string_view method, std::string_view request_uri,
                          std::string_view params, std::string* username) const;
  AuthOutcome CheckBasic(std::string_view credentials, std::string* username) const;
  // Issue time of a nonce this process made, or nullopt for a forged one.
  std::optional<std::int64_t> NonceIssuedMillis(std::string_view nonce) const;

  std::string realm_;
  PasswordLookup lookup_;
  AuthSchemes schemes_;
  const base::Clock& clock_;
  std::string nonce_key_;
};

}  // namespace camguard::camsim
