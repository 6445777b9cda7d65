// SPDX-License-Identifier: Apache-2.0
#include "scan/http_auth.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include "base/encoding.h"
#include "base/strings.h"

namespace camguard::scan {
namespace {

std::string DigestHex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out, &length, md, nullptr) != 1) return {};
  return base::HexEncode(std::string_view(reinterpret_cast<const char*>(out), length));
}

// Quoted-string content: backslash and quote escaped.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string Md5Hex(std::string_view data) { return DigestHex(EVP_md5(), data); }
std::string Sha256Hex(std::string_view data) { return DigestHex(EVP_sha256(), data); }

std::string BasicAuthorization(std::string_view username, std::string_view password) {
  return "Basic " + base::Base64Encode(std::string(username) + ":" + std::string(password));
}

std::optional<std::string> DigestAuthorization(const Challenge& challenge,
                                               std::string_view username, std::string_view password,
                                               std::string_view method, std::string_view uri,
                                               std::string_view cnonce, unsigned nonce_count) {
  const auto param = [&](const char* name) -> std::string {
    auto it = challenge.params.find(name);
    return it == challenge.params.end() ? std::string() : it->second;
  };
  // Values go back into a request header: control characters would split it.
  for (const auto& [name, value] : challenge.params) {
    for (char c : value) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
    }
  }
  const std::string realm = param("realm");
  const std::string nonce = param("nonce");
  if (nonce.empty()) return std::nullopt;
  std::string algorithm = param("algorithm");
  const std::string lower_algorithm = base::ToLower(algorithm);
  std::string (*hash)(std::string_view) = nullptr;
  bool session = false;
  if (lower_algorithm.empty() || lower_algorithm == "md5") {
    hash = Md5Hex;
  } else if (lower_algorithm == "md5-sess") {
    hash = Md5Hex;
    session = true;
  } else if (lower_algorithm == "sha-256") {
    hash = Sha256Hex;
  } else if (lower_algorithm == "sha-256-sess") {
    hash = Sha256Hex;
    session = true;
  } else {
    return std::nullopt;
  }
  // qop: "auth" when offered; "auth-int" only is not answered.
  bool qop_auth = false;
  const std::string qop_options = param("qop");
  if (!qop_options.empty()) {
    for (std::string_view option : base::Split(qop_options, ',')) {
      if (base::Trim(option) == "auth") qop_auth = true;
    }
    if (!qop_auth) return std::nullopt;
  }
  const std::string nc = fmt::format("{:08x}", nonce_count);
  std::string ha1 = hash(fmt::format("{}:{}:{}", username, realm, password));
  if (session) ha1 = hash(fmt::format("{}:{}:{}", ha1, nonce, cnonce));
  const std::string ha2 = hash(fmt::format("{}:{}", method, uri));
  const std::string response =
      qop_auth ? hash(fmt::format("{}:{}:{}:{}:auth:{}", ha1, nonce, nc, cnonce, ha2))
               : hash(fmt::format("{}:{}:{}", ha1, nonce, ha2));
  std::string out =
      fmt::format("Digest username={}, realm={}, nonce={}, uri={}, response={}", Quote(username),
                  Quote(realm), Quote(nonce), Quote(uri), Quote(response));
  if (!algorithm.empty()) out += ", algorithm=" + algorithm;
  if (const std::string opaque = param("opaque"); !opaque.empty()) {
    out += ", opaque=" + Quote(opaque);
  }
  if (qop_auth) out += fmt::format(", qop=auth, nc={}, cnonce={}", nc, Quote(cnonce));
  return out;
}

}  // namespace camguard::scan
