// SPDX-License-Identifier: Apache-2.0
#include "camsim/auth.h"

#include <cctype>
#include <vector>

#include <openssl/evp.h>

#include "base/encoding.h"
#include "base/strings.h"
#include "camsim/rtsp_message.h"
#include "crypto/crypto.h"

namespace camguard::camsim {
namespace {

using base::ErrorCode;
using base::Fail;

constexpr std::size_t kMaxAuthParams = 16;
constexpr std::size_t kNonceTagBytes = 16;

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

bool IsTokenChar(char c) {
  if (c <= 32 || c >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

std::string U64Hex(std::uint64_t v) {
  std::string raw(8, '\0');
  for (int i = 0; i < 8; ++i)
    raw[static_cast<std::size_t>(i)] = static_cast<char>(v >> (56 - 8 * i));
  return base::HexEncode(raw);
}

}  // namespace

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // MD5 only because RTSP Digest (RFC 2617) demands it; it protects nothing else here.
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr) != 1) {
    return std::string();
  }
  return base::HexEncode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

base::Result<std::map<std::string, std::string>> ParseAuthParams(std::string_view text) {
  std::map<std::string, std::string> params;
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  while (true) {
    skip_space();
    if (i == text.size()) break;
    const std::size_t name_start = i;
    while (i < text.size() && IsTokenChar(text[i])) ++i;
    if (i == name_start) return Fail(ErrorCode::kInvalidArgument, "expected a parameter name");
    std::string name = base::ToLower(text.substr(name_start, i - name_start));
    skip_space();
    if (i == text.size() || text[i] != '=') return Fail(ErrorCode::kInvalidArgument, "expected =");
    ++i;
    skip_space();
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        const char c = text[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (i == text.size()) break;
          value.push_back(text[i++]);
        } else {
          value.push_back(c);
        }
      }
      if (!closed) return Fail(ErrorCode::kInvalidArgument, "unterminated quoted string");
    } else {
      const std::size_t value_start = i;
      while (i < text.size() && IsTokenChar(text[i])) ++i;
      if (i == value_start) return Fail(ErrorCode::kInvalidArgument, "expected a value");
      value = std::string(text.substr(value_start, i - value_start));
    }
    if (params.size() == kMaxAuthParams) {
      return Fail(ErrorCode::kInvalidArgument, "too many parameters");
    }
    if (!params.emplace(std::move(name), std::move(value)).second) {
      return Fail(ErrorCode::kInvalidArgument, "duplicate parameter");
    }
    skip_space();
    if (i == text.size()) break;
    if (text[i] != ',') return Fail(ErrorCode::kInvalidArgument, "expected ,");
    ++i;
  }
  return params;
}

std::string DigestResponse(const DigestInput& in) {
  const std::string ha1 = Md5Hex(in.username + ":" + in.realm + ":" + in.password);
  const std::string ha2 = Md5Hex(in.method + ":" + in.uri);
  if (in.qop.empty()) return Md5Hex(ha1 + ":" + in.nonce + ":" + ha2);  // RFC 2069 form
  return Md5Hex(ha1 + ":" + in.nonce + ":" + in.nc + ":" + in.cnonce + ":" + in.qop + ":" + ha2);
}

RtspAuthenticator::RtspAuthenticator(std::string realm, PasswordLookup lookup, AuthSchemes schemes,
                                     const base::Clock& clock, std::string nonce_key)
    : realm_(std::move(realm)),
      lookup_(std::move(lookup)),
      schemes_(schemes),
      clock_(clock),
      nonce_key_(std::move(nonce_key)) {}

RtspAuthenticator::RtspAuthenticator(std::string realm, std::string username,
                                     base::Redacted<std::string> password, AuthSchemes schemes,
                                     const base::Clock& clock, std::string nonce_key)
    : RtspAuthenticator(
          std::move(realm),
          [username = std::move(username),
           password = std::move(password)](std::string_view user) -> std::optional<std::string> {
            if (!crypto::ConstantTimeEqual(user, username)) return std::nullopt;
            return password.Reveal();
          },
          schemes, clock, std::move(nonce_key)) {}

std::string RtspAuthenticator::NewNonce() const {
  const std::string issued = U64Hex(static_cast<std::uint64_t>(base::ToUnixMillis(clock_.Now())));
  const std::string tag = crypto::HmacSha256(nonce_key_, issued).substr(0, kNonceTagBytes);
  return issued + base::HexEncode(tag);
}

std::optional<std::int64_t> RtspAuthenticator::NonceIssuedMillis(std::string_view nonce) const {
  if (nonce.size() != 16 + 2 * kNonceTagBytes) return std::nullopt;
  const std::string_view issued = nonce.substr(0, 16);
  const std::string expected =
      base::HexEncode(crypto::HmacSha256(nonce_key_, issued).substr(0, kNonceTagBytes));
  if (!crypto::ConstantTimeEqual(expected, nonce.substr(16))) return std::nullopt;
  auto raw = base::HexDecode(issued);
  if (!raw || raw->size() != 8) return std::nullopt;
  std::uint64_t millis = 0;
  for (char c : *raw) millis = (millis << 8) | static_cast<unsigned char>(c);
  return static_cast<std::int64_t>(millis);
}

std::vector<std::string> RtspAuthenticator::Challenges(bool stale) const {
  std::vector<std::string> out;
  if (schemes_ != AuthSchemes::kBasic) {
    // No qop offered: the RFC 2069-compatible form is what RTSP clients and cameras share;
    // a client may still answer with qop=auth and is verified accordingly.
    std::string digest =
        "Digest realm=\"" + realm_ + "\", nonce=\"" + NewNonce() + "\", algorithm=MD5";
    if (stale) digest += ", stale=TRUE";
    out.push_back(std::move(digest));
  }
  if (schemes_ != AuthSchemes::kDigest) out.push_back("Basic realm=\"" + realm_ + "\"");
  return out;
}

AuthOutcome RtspAuthenticator::Check(std::string_view method, std::string_view request_uri,
                                     std::optional<std::string_view> authorization,
                                     std::string* username) const {
  if (!authorization) return AuthOutcome::kMissing;
  const std::string_view value = base::Trim(*authorization);
  if (StartsWithIgnoreCase(value, "Digest ")) {
    if (schemes_ == AuthSchemes::kBasic) return AuthOutcome::kMissing;
    return CheckDigest(method, request_uri, value.substr(7), username);
  }
  if (StartsWithIgnoreCase(value, "Basic ")) {
    if (schemes_ == AuthSchemes::kDigest) return AuthOutcome::kMissing;
    return CheckBasic(base::Trim(value.substr(6)), username);
  }
  return AuthOutcome::kMissing;
}

AuthOutcome RtspAuthenticator::CheckDigest(std::string_view method, std::string_view request_uri,
                                           std::string_view text, std::string* username) const {
  auto params = ParseAuthParams(text);
  if (!params) return AuthOutcome::kDenied;
  auto get = [&](const char* name) -> std::string {
    auto it = params->find(name);
    return it == params->end() ? std::string() : it->second;
  };
  DigestInput in;
  in.username = get("username");
  in.realm = get("realm");
  in.nonce = get("nonce");
  in.uri = get("uri");
  in.qop = get("qop");
  in.nc = get("nc");
  in.cnonce = get("cnonce");
  in.method = std::string(method);
  const std::string response = get("response");
  const std::string algorithm = get("algorithm");
  if (in.username.empty() || in.nonce.empty() || in.uri.empty() || response.empty()) {
    return AuthOutcome::kDenied;
  }
  if (!algorithm.empty() && base::ToLower(algorithm) != "md5") return AuthOutcome::kDenied;
  if (!in.qop.empty() && (in.qop != "auth" || in.nc.empty() || in.cnonce.empty())) {
    return AuthOutcome::kDenied;
  }
  if (in.realm != realm_) return AuthOutcome::kDenied;
  // RFC 2617 §3.2.2.5: the digest-uri must name the resource of the request line, so a digest
  // captured for one URL is not accepted for another.
  const auto digest_path = UriPath(in.uri);
  const auto request_path = UriPath(request_uri);
  if (request_uri != "*" && (!digest_path || !request_path || *digest_path != *request_path)) {
    return AuthOutcome::kDenied;
  }
  const auto issued = NonceIssuedMillis(in.nonce);
  if (!issued) return AuthOutcome::kDenied;
  const std::optional<std::string> password = lookup_(in.username);
  if (!password) return AuthOutcome::kDenied;
  in.password = *password;
  const std::string expected = DigestResponse(in);
  if (!crypto::ConstantTimeEqual(expected, base::ToLower(response))) return AuthOutcome::kDenied;
  const std::int64_t age = base::ToUnixMillis(clock_.Now()) - *issued;
  const auto lifetime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kNonceLifetime);
  if (age < 0 || age > lifetime_ms.count()) return AuthOutcome::kStaleNonce;
  if (username != nullptr) *username = in.username;
  return AuthOutcome::kGranted;
}

AuthOutcome RtspAuthenticator::CheckBasic(std::string_view credentials,
                                          std::string* username) const {
  auto decoded = base::Base64Decode(credentials);
  if (!decoded) return AuthOutcome::kDenied;
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return AuthOutcome::kDenied;
  const std::string user = decoded->substr(0, colon);
  const std::optional<std::string> password = lookup_(user);
  if (!password || !crypto::ConstantTimeEqual(decoded->substr(colon + 1), *password)) {
    return AuthOutcome::kDenied;
  }
  if (username != nullptr) *username = user;
  return AuthOutcome::kGranted;
}

}  // namespace camguard::camsim
