// SPDX-License-Identifier: Apache-2.0
// Everything a browser sends in a WebAuthn ceremony is hostile: attestationObject,
// authenticatorData, the COSE key inside it, clientDataJSON and the signature. The first byte
// picks what the rest is fed to:
//   0 ParseAttestationObject (and ParseAuthenticatorData on its authData)
//   1 ParseAuthenticatorData     2 ParseCoseKey     3 ParseClientDataJson
//   4 VerifyRegistration: u16 length ‖ clientDataJSON ‖ attestationObject
//   5 VerifyAssertion: options ‖ u16 length ‖ clientDataJSON ‖ u16 length ‖ authenticatorData ‖
//     signature, with a fixed stored key; options bit 0 = require UV, bits 1-7 = stored count
// Every input gives a value or an error; accepted values must keep the verifier's promises.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/webauthn.h"
#include "base/strings.h"
#include "crypto/crypto.h"

namespace {

using camguard::auth::AssertionInput;
using camguard::auth::AuthenticatorData;
using camguard::auth::CoseAlgorithm;
using camguard::auth::CredentialPublicKey;
using camguard::auth::kMaxCredentialIdBytes;
using camguard::auth::kMinCredentialIdBytes;
using camguard::auth::ParseAttestationObject;
using camguard::auth::ParseAuthenticatorData;
using camguard::auth::ParseClientDataJson;
using camguard::auth::ParseCoseKey;
using camguard::auth::RegistrationInput;
using camguard::auth::VerifyAssertion;
using camguard::auth::VerifyRegistration;

constexpr std::string_view kRpId = "camhub.example";
constexpr std::string_view kOrigin = "https://camhub.example";

// The stored credential of mode 5: a P-256 key whose private half made the seed corpus' valid
// assertions (COSE_Key, kty 2, alg -7, crv 1).
constexpr unsigned char kStoredKey[] = {
    0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20, 0x5f, 0x88, 0x5a, 0x4d, 0xb2, 0xdb,
    0x28, 0x1c, 0xb1, 0xf3, 0x14, 0xb0, 0x73, 0x22, 0xc3, 0x57, 0x05, 0x4a, 0x4c, 0x53, 0x7a, 0xd2,
    0x17, 0x9d, 0x20, 0x11, 0x97, 0xcf, 0x5e, 0xea, 0x66, 0x3a, 0x22, 0x58, 0x20, 0x13, 0x92, 0xb9,
    0x87, 0x3c, 0x15, 0xa9, 0x9b, 0x3c, 0xde, 0x1a, 0xea, 0x09, 0xe4, 0xb5, 0x31, 0xcb, 0x25, 0xe6,
    0x75, 0xa6, 0x25, 0xc2, 0x88, 0xf2, 0x3c, 0x54, 0xbd, 0x53, 0xec, 0x6f, 0x4e};

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

// Challenge bytes 1..32, as in the seeds.
std::string Challenge() {
  std::string challenge;
  for (int i = 1; i <= 32; ++i) challenge += static_cast<char>(i);
  return challenge;
}

// A u16 big-endian length and that many bytes (or what is left).
std::string_view TakeField(std::string_view& rest) {
  if (rest.size() < 2) {
    rest = {};
    return {};
  }
  const std::size_t length =
      (std::size_t{static_cast<unsigned char>(rest[0])} << 8) | static_cast<unsigned char>(rest[1]);
  rest.remove_prefix(2);
  const std::string_view field = rest.substr(0, length);
  rest.remove_prefix(field.size());
  return field;
}

void CheckKey(const CredentialPublicKey& key) {
  Require(key.x.size() == 32);
  Require(key.algorithm == CoseAlgorithm::kEs256 ? key.y.size() == 32 : key.y.empty());
}

void CheckAuthenticatorData(const AuthenticatorData& data, std::string_view bytes) {
  Require(data.rp_id_hash.size() == 32);
  Require(bytes.size() >= 37);
  Require(data.flags.raw == static_cast<std::uint8_t>(bytes[32]));
  Require(data.flags.user_present == ((data.flags.raw & 0x01) != 0));
  Require(data.flags.user_verified == ((data.flags.raw & 0x04) != 0));
  Require(!data.flags.backed_up || data.flags.backup_eligible);
  Require(data.attested.has_value() == data.flags.attested_credential_data);
  Require(data.extensions_cbor.empty() != data.flags.extension_data);
  if (data.attested) {
    Require(data.attested->aaguid.size() == 16);
    Require(data.attested->credential_id.size() >= kMinCredentialIdBytes &&
            data.attested->credential_id.size() <= kMaxCredentialIdBytes);
    CheckKey(data.attested->public_key);
    // The key's bytes are kept exactly and parse on their own to the same key.
    const auto again = ParseCoseKey(data.attested->public_key_cose);
    Require(again.has_value());
    Require(again->algorithm == data.attested->public_key.algorithm);
    Require(again->x == data.attested->public_key.x && again->y == data.attested->public_key.y);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Require(camguard::crypto::Initialize().has_value());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] % 6;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (mode) {
    case 0: {
      const auto object = ParseAttestationObject(rest);
      if (!object) break;
      Require(object->authenticator_data.size() <= rest.size());
      if (const auto parsed = ParseAuthenticatorData(object->authenticator_data)) {
        CheckAuthenticatorData(*parsed, object->authenticator_data);
      }
      break;
    }
    case 1:
      if (const auto parsed = ParseAuthenticatorData(rest)) CheckAuthenticatorData(*parsed, rest);
      break;
    case 2:
      if (const auto key = ParseCoseKey(rest)) CheckKey(*key);
      break;
    case 3:
      if (const auto client = ParseClientDataJson(rest)) {
        Require(camguard::base::IsValidUtf8(client->type));
        Require(camguard::base::IsValidUtf8(client->challenge));
        Require(camguard::base::IsValidUtf8(client->origin));
      }
      break;
    case 4: {
      RegistrationInput input;
      input.client_data_json = std::string(TakeField(rest));
      input.attestation_object = std::string(rest);
      input.expected_challenge = Challenge();
      input.expected_origin = std::string(kOrigin);
      input.rp_id = std::string(kRpId);
      const auto credential = VerifyRegistration(input);
      if (!credential) break;
      Require(credential->flags.user_present && credential->flags.attested_credential_data);
      Require(credential->credential_id.size() >= kMinCredentialIdBytes &&
              credential->credential_id.size() <= kMaxCredentialIdBytes);
      Require(credential->aaguid.size() == 16);
      const auto key = ParseCoseKey(credential->public_key_cose);
      Require(key.has_value() && key->algorithm == credential->algorithm);
      Require(credential->attestation_format == "none" ||
              credential->attestation_format == "packed");
      break;
    }
    default: {
      if (rest.empty()) break;
      const auto options = static_cast<std::uint8_t>(rest[0]);
      rest.remove_prefix(1);
      AssertionInput input;
      input.client_data_json = std::string(TakeField(rest));
      input.authenticator_data = std::string(TakeField(rest));
      input.signature = std::string(rest);
      input.expected_challenge = Challenge();
      input.expected_origin = std::string(kOrigin);
      input.rp_id = std::string(kRpId);
      input.require_user_verification = (options & 1) != 0;
      input.public_key_cose.assign(reinterpret_cast<const char*>(kStoredKey), sizeof kStoredKey);
      input.stored_sign_count = options >> 1;
      const auto result = VerifyAssertion(input);
      if (!result) break;
      Require(result->flags.user_present);
      Require(!input.require_user_verification || result->flags.user_verified);
      Require(!result->flags.attested_credential_data);
      Require(result->sign_count > input.stored_sign_count ||
              (result->sign_count == 0 && input.stored_sign_count == 0));
      break;
    }
  }
  return 0;
}
