// SPDX-License-Identifier: Apache-2.0
// A software authenticator (OpenSSL keys, libcbor encodings) produces the browser's side of
// both ceremonies; every check of the verifier gets a response that breaks exactly it.
#include "auth/webauthn.h"

#include <cbor.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/encoding.h"
#include "base/files.h"
#include "crypto/crypto.h"
#include "test_support.h"

namespace camguard::auth {
namespace {

using base::ErrorCode;

constexpr std::string_view kRpId = "camhub.example";
constexpr std::string_view kOrigin = "https://camhub.example:8443";
constexpr std::uint8_t kUp = 0x01;
constexpr std::uint8_t kUv = 0x04;
constexpr std::uint8_t kBe = 0x08;
constexpr std::uint8_t kBs = 0x10;
constexpr std::uint8_t kAt = 0x40;
constexpr std::uint8_t kEd = 0x80;

// ---- CBOR building ----------------------------------------------------------------------------

struct CborDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using Cbor = std::unique_ptr<cbor_item_t, CborDeleter>;

std::string Encode(const Cbor& item) {
  unsigned char* buffer = nullptr;
  std::size_t capacity = 0;
  const std::size_t length = cbor_serialize_alloc(item.get(), &buffer, &capacity);
  std::string out(reinterpret_cast<const char*>(buffer), length);
  std::free(buffer);
  return out;
}

Cbor Int(std::int64_t value) {
  if (value >= 0) return Cbor(cbor_build_uint64(static_cast<std::uint64_t>(value)));
  return Cbor(cbor_build_negint64(static_cast<std::uint64_t>(-1 - value)));
}
Cbor Bytes(std::string_view bytes) {
  return Cbor(
      cbor_build_bytestring(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}
Cbor Text(const std::string& text) { return Cbor(cbor_build_string(text.c_str())); }

Cbor Map(std::vector<std::pair<Cbor, Cbor>>&& entries) {
  Cbor map(cbor_new_definite_map(entries.size()));
  for (auto& [key, value] : entries) {
    EXPECT_TRUE(cbor_map_add(map.get(), {cbor_move(key.release()), cbor_move(value.release())}));
  }
  return map;
}

template <typename... Entries>
Cbor MapOf(Entries&&... entries) {
  std::vector<std::pair<Cbor, Cbor>> list;
  (list.push_back(std::forward<Entries>(entries)), ...);
  return Map(std::move(list));
}

std::string Ec2Key(std::string_view x, std::string_view y, std::int64_t alg = -7,
                   std::int64_t crv = 1) {
  return Encode(MapOf(std::pair{Int(1), Int(2)}, std::pair{Int(3), Int(alg)},
                      std::pair{Int(-1), Int(crv)}, std::pair{Int(-2), Bytes(x)},
                      std::pair{Int(-3), Bytes(y)}));
}

// ---- Keys -------------------------------------------------------------------------------------

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

class SoftwareKey {
 public:
  static SoftwareKey Es256() {
    return SoftwareKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), true);
  }
  static SoftwareKey Ed25519() {
    return SoftwareKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), false);
  }

  std::string Cose() const {
    if (ecdsa_) return Ec2Key(x_, y_);
    return Encode(MapOf(std::pair{Int(1), Int(1)}, std::pair{Int(3), Int(-8)},
                        std::pair{Int(-1), Int(6)}, std::pair{Int(-2), Bytes(x_)}));
  }
  const std::string& x() const { return x_; }
  const std::string& y() const { return y_; }

  std::string Sign(std::string_view message) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EXPECT_EQ(EVP_DigestSignInit_ex(ctx, nullptr, ecdsa_ ? "SHA256" : nullptr, nullptr, nullptr,
                                    key_.get(), nullptr),
              1);
    const auto* data = reinterpret_cast<const unsigned char*>(message.data());
    std::size_t length = 0;
    EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &length, data, message.size()), 1);
    std::string signature(length, '\0');
    EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                             message.size()),
              1);
    EVP_MD_CTX_free(ctx);
    signature.resize(length);
    return signature;
  }

  std::string PrivatePem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    EXPECT_EQ(PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr), 1);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    return pem;
  }

 private:
  SoftwareKey(EVP_PKEY* key, bool ecdsa) : key_(key, PkeyDeleter()), ecdsa_(ecdsa) {
    EXPECT_NE(key, nullptr);
    if (ecdsa) {
      unsigned char point[65];
      std::size_t length = 0;
      EXPECT_EQ(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                                &length),
                1);
      EXPECT_EQ(length, 65u);
      x_.assign(reinterpret_cast<const char*>(point + 1), 32);
      y_.assign(reinterpret_cast<const char*>(point + 33), 32);
    } else {
      unsigned char raw[32];
      std::size_t length = sizeof raw;
      EXPECT_EQ(EVP_PKEY_get_raw_public_key(key, raw, &length), 1);
      x_.assign(reinterpret_cast<const char*>(raw), length);
    }
  }

  std::shared_ptr<EVP_PKEY> key_;
  bool ecdsa_;
  std::string x_;
  std::string y_;
};

// ---- The browser's side -----------------------------------------------------------------------

struct AuthDataSpec {
  std::string rp_id = std::string(kRpId);
  std::uint8_t flags = kUp;
  std::uint32_t sign_count = 0;
  std::optional<std::string> credential_id;  // with cose_key: attested credential data (AT)
  std::string cose_key;
  std::string aaguid = std::string(16, '\x5a');
  std::string extensions;  // raw CBOR; ED is set when not empty
  std::string trailing;
};

std::string BuildAuthData(const AuthDataSpec& spec) {
  std::string out = crypto::Sha256(spec.rp_id);
  std::uint8_t flags = spec.flags;
  if (spec.credential_id) flags |= kAt;
  if (!spec.extensions.empty()) flags |= kEd;
  out += static_cast<char>(flags);
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += static_cast<char>((spec.sign_count >> shift) & 0xff);
  }
  if (spec.credential_id) {
    out += spec.aaguid;
    out += static_cast<char>(spec.credential_id->size() >> 8);
    out += static_cast<char>(spec.credential_id->size() & 0xff);
    out += *spec.credential_id;
    out += spec.cose_key;
  }
  out += spec.extensions;
  out += spec.trailing;
  return out;
}

std::string ClientDataJson(std::string_view type, std::string_view challenge,
                           std::string_view origin = kOrigin, std::string_view extra = "") {
  return "{\"type\":\"" + std::string(type) + "\",\"challenge\":\"" +
         base::Base64UrlEncode(challenge) + "\",\"origin\":\"" + std::string(origin) +
         "\",\"crossOrigin\":false" + std::string(extra) + "}";
}

std::string AttestationNone(const std::string& auth_data) {
  return Encode(MapOf(std::pair{Text("fmt"), Text("none")}, std::pair{Text("attStmt"), Map({})},
                      std::pair{Text("authData"), Bytes(auth_data)}));
}

const std::string& CredentialId() {
  static const std::string id = [] {
    std::string bytes;
    for (int i = 0; i < 32; ++i) bytes += static_cast<char>(0xa0 + i);
    return bytes;
  }();
  return id;
}

class WebauthnTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Initialize()); }

  AuthDataSpec RegistrationAuthData() const {
    AuthDataSpec spec;
    spec.credential_id = CredentialId();
    spec.cose_key = key_.Cose();
    return spec;
  }

  RegistrationInput Registration(const AuthDataSpec& spec) const {
    RegistrationInput input;
    input.client_data_json = ClientDataJson("webauthn.create", challenge_);
    input.attestation_object = AttestationNone(BuildAuthData(spec));
    input.expected_challenge = challenge_;
    input.expected_origin = std::string(kOrigin);
    input.rp_id = std::string(kRpId);
    return input;
  }
  RegistrationInput Registration() const { return Registration(RegistrationAuthData()); }

  AssertionInput Assertion(const AuthDataSpec& spec, std::uint32_t stored_count = 0) const {
    AssertionInput input;
    input.client_data_json = ClientDataJson("webauthn.get", challenge_);
    input.authenticator_data = BuildAuthData(spec);
    input.signature = key_.Sign(input.authenticator_data + crypto::Sha256(input.client_data_json));
    input.expected_challenge = challenge_;
    input.expected_origin = std::string(kOrigin);
    input.rp_id = std::string(kRpId);
    input.public_key_cose = key_.Cose();
    input.stored_sign_count = stored_count;
    return input;
  }
  AssertionInput Assertion() const { return Assertion(AuthDataSpec{}); }

  // Re-signs after a test changed what the signature covers, so only the intended check fails.
  void Resign(AssertionInput& input) const {
    input.signature = key_.Sign(input.authenticator_data + crypto::Sha256(input.client_data_json));
  }

  SoftwareKey key_ = SoftwareKey::Es256();
  std::string challenge_ = NewChallenge();
};

void ExpectError(const auto& result, ErrorCode code, std::string_view fragment) {
  ASSERT_FALSE(result) << "expected an error containing: " << fragment;
  EXPECT_EQ(result.error().code, code) << result.error().message;
  EXPECT_NE(result.error().message.find(fragment), std::string::npos) << result.error().message;
}

// ---- Registration -----------------------------------------------------------------------------

TEST_F(WebauthnTest, RegistrationWithAttestationNoneVerifies) {
  AuthDataSpec spec = RegistrationAuthData();
  spec.sign_count = 7;
  spec.flags = kUp | kUv | kBe | kBs;
  const auto credential = VerifyRegistration(Registration(spec));
  ASSERT_TRUE(credential) << credential.error().message;
  EXPECT_EQ(credential->credential_id, CredentialId());
  EXPECT_EQ(credential->public_key_cose, key_.Cose());
  EXPECT_EQ(credential->algorithm, CoseAlgorithm::kEs256);
  EXPECT_EQ(credential->sign_count, 7u);
  EXPECT_EQ(credential->aaguid, std::string(16, '\x5a'));
  EXPECT_EQ(credential->attestation_format, "none");
  EXPECT_TRUE(credential->flags.user_present);
  EXPECT_TRUE(credential->flags.user_verified);
  EXPECT_TRUE(credential->flags.backup_eligible);
  EXPECT_TRUE(credential->flags.backed_up);
  EXPECT_TRUE(credential->flags.attested_credential_data);

  // The stored key verifies a later assertion of the same authenticator.
  AssertionInput assertion = Assertion();
  assertion.public_key_cose = credential->public_key_cose;
  EXPECT_TRUE(VerifyAssertion(assertion));
}

TEST_F(WebauthnTest, RegistrationOfAnEd25519KeyVerifies) {
  key_ = SoftwareKey::Ed25519();
  const auto credential = VerifyRegistration(Registration());
  ASSERT_TRUE(credential) << credential.error().message;
  EXPECT_EQ(credential->algorithm, CoseAlgorithm::kEdDsa);
  const auto key = ParseCoseKey(credential->public_key_cose);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->x, key_.x());
  EXPECT_TRUE(key->y.empty());
}

TEST_F(WebauthnTest, RegistrationRefusesTheWrongCeremonyType) {
  RegistrationInput input = Registration();
  input.client_data_json = ClientDataJson("webauthn.get", challenge_);
  ExpectError(VerifyRegistration(input), ErrorCode::kUnauthenticated, "type");
}

TEST_F(WebauthnTest, RegistrationRefusesAnotherChallenge) {
  RegistrationInput input = Registration();
  input.client_data_json = ClientDataJson("webauthn.create", NewChallenge());
  ExpectError(VerifyRegistration(input), ErrorCode::kUnauthenticated, "challenge");
}

TEST_F(WebauthnTest, RegistrationRefusesAnotherSpellingOfTheChallenge) {
  RegistrationInput input = Registration();
  const std::string encoded = base::Base64UrlEncode(challenge_);
  // Padded, and standard base64: the same bytes, not the same string the browser must send.
  for (const std::string& spelling : {encoded + "=", base::Base64Encode(challenge_)}) {
    if (spelling == encoded) continue;
    input.client_data_json = R"({"type":"webauthn.create","challenge":")" + spelling +
                             R"(","origin":")" + std::string(kOrigin) + "\"}";
    ExpectError(VerifyRegistration(input), ErrorCode::kUnauthenticated, "challenge");
  }
}

TEST_F(WebauthnTest, RegistrationRefusesOtherOrigins) {
  for (std::string_view origin : {"https://camhub.example", "https://camhub.example:8444",
                                  "http://camhub.example:8443", "https://evil.example:8443",
                                  "https://camhub.example:8443/", "https://CAMHUB.example:8443"}) {
    RegistrationInput input = Registration();
    input.client_data_json = ClientDataJson("webauthn.create", challenge_, origin);
    ExpectError(VerifyRegistration(input), ErrorCode::kUnauthenticated, "origin");
  }
}

TEST_F(WebauthnTest, RegistrationRefusesCrossOriginCeremonies) {
  RegistrationInput input = Registration();
  input.client_data_json = R"({"type":"webauthn.create","challenge":")" +
                           base::Base64UrlEncode(challenge_) + R"(","origin":")" +
                           std::string(kOrigin) + R"(","crossOrigin":true})";
  ExpectError(VerifyRegistration(input), ErrorCode::kUnauthenticated, "cross-origin");
  input.client_data_json = ClientDataJson("webauthn.create", challenge_, kOrigin,
                                          R"(,"topOrigin":"https://evil.example")");
  ExpectError(VerifyRegistration(input), ErrorCode::kUnauthenticated, "cross-origin");
}

TEST_F(WebauthnTest, RegistrationRefusesAuthenticatorDataForAnotherRpId) {
  AuthDataSpec spec = RegistrationAuthData();
  spec.rp_id = "evil.example";
  ExpectError(VerifyRegistration(Registration(spec)), ErrorCode::kUnauthenticated, "RP ID");
}

TEST_F(WebauthnTest, RegistrationNeedsUserPresence) {
  AuthDataSpec spec = RegistrationAuthData();
  spec.flags = kUv;
  ExpectError(VerifyRegistration(Registration(spec)), ErrorCode::kUnauthenticated, "UP");
}

TEST_F(WebauthnTest, RegistrationNeedsUserVerificationOnlyWhenRequired) {
  RegistrationInput input = Registration();
  EXPECT_TRUE(VerifyRegistration(input));
  input.require_user_verification = true;
  ExpectError(VerifyRegistration(input), ErrorCode::kUnauthenticated, "UV");
  AuthDataSpec spec = RegistrationAuthData();
  spec.flags = kUp | kUv;
  input = Registration(spec);
  input.require_user_verification = true;
  EXPECT_TRUE(VerifyRegistration(input));
}

TEST_F(WebauthnTest, RegistrationNeedsAttestedCredentialData) {
  ExpectError(VerifyRegistration(Registration(AuthDataSpec{})), ErrorCode::kInvalidArgument, "AT");
}

TEST_F(WebauthnTest, RegistrationBoundsTheCredentialIdLength) {
  AuthDataSpec spec = RegistrationAuthData();
  spec.credential_id = std::string(1023, 'i');
  EXPECT_TRUE(VerifyRegistration(Registration(spec)));
  spec.credential_id = std::string(1024, 'i');
  ExpectError(VerifyRegistration(Registration(spec)), ErrorCode::kInvalidArgument,
              "credential id of 1024 bytes");
  spec.credential_id = std::string(15, 'i');
  ExpectError(VerifyRegistration(Registration(spec)), ErrorCode::kInvalidArgument,
              "credential id of 15 bytes");
}

TEST_F(WebauthnTest, RegistrationRefusesUnsupportedAlgorithms) {
  struct Case {
    std::string cose;
    std::string_view error;
  };
  const std::string x = key_.x();
  const std::string y = key_.y();
  const std::vector<Case> cases = {
      // RS256 (kty 3, alg -257)
      {Encode(MapOf(std::pair{Int(1), Int(3)}, std::pair{Int(3), Int(-257)},
                    std::pair{Int(-1), Bytes(std::string(256, '\x01'))},
                    std::pair{Int(-2), Bytes(std::string("\x01\x00\x01", 3))})),
       "unsupported key type 3 with algorithm -257"},
      // ES384 on P-384
      {Ec2Key(x, y, -35, 2), "unsupported key type 2 with algorithm -35"},
      // ES256 on another curve
      {Ec2Key(x, y, -7, 2), "P-256"},
      // EdDSA on Ed448
      {Encode(MapOf(std::pair{Int(1), Int(1)}, std::pair{Int(3), Int(-8)},
                    std::pair{Int(-1), Int(7)}, std::pair{Int(-2), Bytes(x)})),
       "Ed25519"},
      // No algorithm at all
      {Encode(MapOf(std::pair{Int(1), Int(2)}, std::pair{Int(-1), Int(1)},
                    std::pair{Int(-2), Bytes(x)}, std::pair{Int(-3), Bytes(y)})),
       "kty and alg are required"},
  };
  for (const Case& c : cases) {
    AuthDataSpec spec = RegistrationAuthData();
    spec.cose_key = c.cose;
    ExpectError(VerifyRegistration(Registration(spec)), ErrorCode::kInvalidArgument, c.error);
  }
}

TEST_F(WebauthnTest, CoseKeysMustBeWellFormedAndOnTheCurve) {
  const std::string x = key_.x();
  const std::string y = key_.y();
  ASSERT_TRUE(ParseCoseKey(key_.Cose()));
  ExpectError(ParseCoseKey(Ec2Key(x.substr(1), y)), ErrorCode::kInvalidArgument, "32 bytes");
  ExpectError(ParseCoseKey(Ec2Key(x, y + '\0')), ErrorCode::kInvalidArgument, "32 bytes");
  std::string off_curve = y;
  off_curve[31] = static_cast<char>(off_curve[31] ^ 1);
  ExpectError(ParseCoseKey(Ec2Key(x, off_curve)), ErrorCode::kInvalidArgument,
              "not a valid public key");
  ExpectError(ParseCoseKey(Encode(MapOf(std::pair{Int(1), Int(2)}, std::pair{Int(3), Int(-7)},
                                        std::pair{Int(-1), Int(1)}, std::pair{Int(-2), Bytes(x)},
                                        std::pair{Int(-3), Bytes(y)},
                                        std::pair{Int(-4), Bytes(std::string(32, 'd'))}))),
              ErrorCode::kInvalidArgument, "private key");
  // Compressed points (y as a boolean) are not used by WebAuthn authenticators.
  ExpectError(ParseCoseKey(Encode(MapOf(std::pair{Int(1), Int(2)}, std::pair{Int(3), Int(-7)},
                                        std::pair{Int(-1), Int(1)}, std::pair{Int(-2), Bytes(x)},
                                        std::pair{Int(-3), Cbor(cbor_build_bool(true))}))),
              ErrorCode::kInvalidArgument, "byte string");
  // The same label twice: the second alg must not be able to shadow the first.
  ExpectError(ParseCoseKey(Encode(MapOf(std::pair{Int(1), Int(2)}, std::pair{Int(3), Int(-7)},
                                        std::pair{Int(-1), Int(1)}, std::pair{Int(-2), Bytes(x)},
                                        std::pair{Int(-3), Bytes(y)}, std::pair{Int(3), Int(-7)}))),
              ErrorCode::kInvalidArgument, "duplicate key");
  ExpectError(ParseCoseKey(key_.Cose() + '\0'), ErrorCode::kInvalidArgument, "trailing");
  // Unused labels (kid) are ignored.
  EXPECT_TRUE(
      ParseCoseKey(Encode(MapOf(std::pair{Int(1), Int(2)}, std::pair{Int(3), Int(-7)},
                                std::pair{Int(-1), Int(1)}, std::pair{Int(-2), Bytes(x)},
                                std::pair{Int(-3), Bytes(y)}, std::pair{Int(2), Bytes("kid")}))));
}

TEST_F(WebauthnTest, PackedSelfAttestationIsVerified) {
  const std::string auth_data = BuildAuthData(RegistrationAuthData());
  RegistrationInput input = Registration();
  const auto packed = [&](std::int64_t alg, const std::string& signature, bool with_x5c) {
    std::vector<std::pair<Cbor, Cbor>> statement;
    statement.emplace_back(Text("alg"), Int(alg));
    statement.emplace_back(Text("sig"), Bytes(signature));
    if (with_x5c) {
      Cbor chain(cbor_new_definite_array(1));
      EXPECT_TRUE(cbor_array_push(chain.get(), cbor_move(Bytes("certificate").release())));
      statement.emplace_back(Text("x5c"), std::move(chain));
    }
    return Encode(MapOf(std::pair{Text("fmt"), Text("packed")},
                        std::pair{Text("attStmt"), Map(std::move(statement))},
                        std::pair{Text("authData"), Bytes(auth_data)}));
  };
  const std::string signature = key_.Sign(auth_data + crypto::Sha256(input.client_data_json));

  input.attestation_object = packed(-7, signature, false);
  const auto credential = VerifyRegistration(input);
  ASSERT_TRUE(credential) << credential.error().message;
  EXPECT_EQ(credential->attestation_format, "packed");

  std::string bad = signature;
  bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x01);
  input.attestation_object = packed(-7, bad, false);
  ExpectError(VerifyRegistration(input), ErrorCode::kUnauthenticated, "does not verify");
  input.attestation_object = packed(-8, signature, false);
  ExpectError(VerifyRegistration(input), ErrorCode::kInvalidArgument, "alg differs");
  input.attestation_object = packed(-7, signature, true);
  ExpectError(VerifyRegistration(input), ErrorCode::kInvalidArgument, "certificate chain");
}

TEST_F(WebauthnTest, OtherAttestationFormatsAreRefusedClearly) {
  const std::string auth_data = BuildAuthData(RegistrationAuthData());
  RegistrationInput input = Registration();
  input.attestation_object =
      Encode(MapOf(std::pair{Text("fmt"), Text("fido-u2f")}, std::pair{Text("attStmt"), Map({})},
                   std::pair{Text("authData"), Bytes(auth_data)}));
  ExpectError(VerifyRegistration(input), ErrorCode::kInvalidArgument,
              "attestation format \"fido-u2f\" is not supported");
  // "none" claims nothing, so it carries nothing.
  std::vector<std::pair<Cbor, Cbor>> statement;
  statement.emplace_back(Text("sig"), Bytes("x"));
  input.attestation_object = Encode(MapOf(std::pair{Text("fmt"), Text("none")},
                                          std::pair{Text("attStmt"), Map(std::move(statement))},
                                          std::pair{Text("authData"), Bytes(auth_data)}));
  ExpectError(VerifyRegistration(input), ErrorCode::kInvalidArgument, "empty statement");
}

TEST_F(WebauthnTest, EveryTruncationOfTheAttestationObjectIsRefused) {
  const RegistrationInput valid = Registration();
  ASSERT_TRUE(VerifyRegistration(valid));
  for (std::size_t length = 0; length < valid.attestation_object.size(); ++length) {
    RegistrationInput input = valid;
    input.attestation_object.resize(length);
    const auto result = VerifyRegistration(input);
    ASSERT_FALSE(result) << "prefix of " << length << " bytes";
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << result.error().message;
  }
}

TEST_F(WebauthnTest, TrailingBytesAreRefused) {
  RegistrationInput input = Registration();
  input.attestation_object += '\x00';
  ExpectError(VerifyRegistration(input), ErrorCode::kInvalidArgument, "trailing bytes");
  AuthDataSpec spec = RegistrationAuthData();
  spec.trailing = "x";
  ExpectError(VerifyRegistration(Registration(spec)), ErrorCode::kInvalidArgument,
              "trailing bytes");
}

TEST_F(WebauthnTest, HostileCborIsRefusedBeforeItIsBuilt) {
  // Nested arrays 200 deep.
  std::string deep(200, '\x81');
  deep += '\x00';
  ExpectError(ParseAttestationObject(deep), ErrorCode::kInvalidArgument, "nested too deeply");
  // Indefinite-length map and byte string.
  ExpectError(ParseAttestationObject("\xbf\x63"
                                     "fmt\x64none\xff"),
              ErrorCode::kInvalidArgument, "indefinite");
  ExpectError(ParseCoseKey(std::string("\x5f\x41\x00\xff", 4)), ErrorCode::kInvalidArgument,
              "indefinite");
  // A map announcing 2^36 entries in nine bytes (libcbor would allocate them up front).
  ExpectError(ParseAttestationObject(std::string("\xbb\x00\x00\x00\x10\x00\x00\x00\x00", 9)),
              ErrorCode::kInvalidArgument, "too many entries");
  // A byte string announcing 2^63 bytes.
  ExpectError(ParseCoseKey(std::string("\x5b\x80\x00\x00\x00\x00\x00\x00\x00", 9)),
              ErrorCode::kInvalidArgument, "longer than the input");
  // Tags, reserved additional information, unassigned simple values.
  ExpectError(ParseCoseKey("\xc0\x60"), ErrorCode::kInvalidArgument, "tags");
  ExpectError(ParseCoseKey("\x1c"), ErrorCode::kInvalidArgument, "reserved");
  ExpectError(ParseCoseKey("\xf0"), ErrorCode::kInvalidArgument, "simple value");
  // Not a map at all, and a map with a key that is neither text nor an integer.
  ExpectError(ParseAttestationObject("\x80"), ErrorCode::kInvalidArgument, "not a CBOR map");
  ExpectError(ParseAttestationObject(std::string("\xa1\x40\x00", 3)), ErrorCode::kInvalidArgument,
              "integers or text");
  // Oversized input.
  ExpectError(ParseAttestationObject(std::string(kMaxAttestationObjectBytes + 1, '\0')),
              ErrorCode::kInvalidArgument, "too large");
}

TEST_F(WebauthnTest, AttestationObjectMembersAreCheckedOnce) {
  const std::string auth_data = BuildAuthData(RegistrationAuthData());
  ExpectError(
      ParseAttestationObject(Encode(MapOf(
          std::pair{Text("fmt"), Text("none")}, std::pair{Text("attStmt"), Map({})},
          std::pair{Text("authData"), Bytes(auth_data)}, std::pair{Text("fmt"), Text("packed")}))),
      ErrorCode::kInvalidArgument, "duplicate key");
  ExpectError(ParseAttestationObject(Encode(MapOf(std::pair{Text("fmt"), Text("none")},
                                                  std::pair{Text("authData"), Bytes(auth_data)}))),
              ErrorCode::kInvalidArgument, "required");
  ExpectError(ParseAttestationObject(
                  Encode(MapOf(std::pair{Text("fmt"), Int(1)}, std::pair{Text("attStmt"), Map({})},
                               std::pair{Text("authData"), Bytes(auth_data)}))),
              ErrorCode::kInvalidArgument, "fmt must be text");
  ExpectError(ParseAttestationObject(Encode(MapOf(std::pair{Text("fmt"), Text("none")},
                                                  std::pair{Text("attStmt"), Map({})},
                                                  std::pair{Text("authData"), Text("x")}))),
              ErrorCode::kInvalidArgument, "authData must be a byte string");
}

TEST_F(WebauthnTest, AuthenticatorDataIsParsedStrictly) {
  ExpectError(ParseAuthenticatorData(std::string(36, '\0')), ErrorCode::kInvalidArgument,
              "shorter than 37");
  ExpectError(ParseAuthenticatorData(std::string(kMaxAuthenticatorDataBytes + 1, '\0')),
              ErrorCode::kInvalidArgument, "too large");
  AuthDataSpec spec;
  spec.flags = kUp | kBs;
  ExpectError(ParseAuthenticatorData(BuildAuthData(spec)), ErrorCode::kInvalidArgument, "BE");
  // AT set, but the credential data stops early.
  spec = AuthDataSpec{};
  spec.flags = kUp | kAt;
  ExpectError(ParseAuthenticatorData(BuildAuthData(spec) + std::string(10, '\0')),
              ErrorCode::kInvalidArgument, "truncated attested");
  spec = RegistrationAuthData();
  std::string data = BuildAuthData(spec);
  ExpectError(ParseAuthenticatorData(data.substr(0, 37 + 18 + 10)), ErrorCode::kInvalidArgument,
              "truncated credential id");
  // Extensions: a map is kept as bytes; anything else (or nothing) after ED is refused.
  spec = AuthDataSpec{};
  spec.extensions = Encode(MapOf(std::pair{Text("credProtect"), Int(2)}));
  const auto parsed = ParseAuthenticatorData(BuildAuthData(spec));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->flags.extension_data);
  EXPECT_EQ(parsed->extensions_cbor, spec.extensions);
  spec.extensions = Encode(Int(5));
  ExpectError(ParseAuthenticatorData(BuildAuthData(spec)), ErrorCode::kInvalidArgument,
              "not a CBOR map");
  spec = AuthDataSpec{};
  spec.flags = kUp | kEd;
  ExpectError(ParseAuthenticatorData(BuildAuthData(spec)), ErrorCode::kInvalidArgument,
              "truncated");
}

TEST_F(WebauthnTest, TheHubsOwnExpectationsMustBeUsable) {
  RegistrationInput input = Registration();
  input.rp_id = "192.168.1.20";
  input.expected_origin = "https://192.168.1.20";
  ExpectError(VerifyRegistration(input), ErrorCode::kFailedPrecondition, "IP address");
  input = Registration();
  input.expected_origin = "https://other.example:8443";
  ExpectError(VerifyRegistration(input), ErrorCode::kFailedPrecondition, "not within");
  input = Registration();
  input.expected_origin = "http://camhub.example:8443";
  ExpectError(VerifyRegistration(input), ErrorCode::kFailedPrecondition, "https://");
  input = Registration();
  input.expected_challenge = "short";
  ExpectError(VerifyRegistration(input), ErrorCode::kFailedPrecondition, "too short");
  for (std::string_view rp_id : {"", "Camhub.example", "-camhub.example", "camhub..example",
                                 "camhub.example.", "[::1]", "10.0.0.1"}) {
    input = Registration();
    input.rp_id = std::string(rp_id);
    ExpectError(VerifyRegistration(input), ErrorCode::kFailedPrecondition, "RP ID");
  }
  for (std::string_view origin :
       {"ftp://camhub.example", "camhub.example", "https://camhub.example:0",
        "https://camhub.example:99999", "https://camhub.example:", "https://camhub.example/",
        "https://user@camhub.example", "https://xcamhub.example"}) {
    input = Registration();
    input.expected_origin = std::string(origin);
    const auto result = VerifyRegistration(input);
    ASSERT_FALSE(result) << origin;
    EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition) << origin;
  }
  // A subdomain of the RP ID is fine, and so is http on localhost (a secure context).
  input = Registration();
  input.expected_origin = "https://cams.camhub.example";
  input.client_data_json = ClientDataJson("webauthn.create", challenge_, input.expected_origin);
  EXPECT_TRUE(VerifyRegistration(input));
  AuthDataSpec spec = RegistrationAuthData();
  spec.rp_id = "localhost";
  input = Registration(spec);
  input.rp_id = "localhost";
  input.expected_origin = "http://localhost:8080";
  input.client_data_json = ClientDataJson("webauthn.create", challenge_, input.expected_origin);
  EXPECT_TRUE(VerifyRegistration(input));
}

// ---- clientDataJSON ---------------------------------------------------------------------------

TEST(ClientDataJson, ReadsTheFieldsAndSkipsTheRest) {
  const auto data = ParseClientDataJson(
      " {\"type\":\"webauthn.get\" , \"challenge\":\"abc\",\"origin\":\"https:\\/\\/h\\u00e9\","
      "\"crossOrigin\":false,\"tokenBinding\":{\"status\":\"supported\",\"n\":[1,-2.5e+3,true,"
      "null,{}]},\"other_keys_can_be_added_here\":\"do not compare clientDataJSON against a "
      "template\",\"emoji\":\"\\ud83d\\ude00\"}\n");
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->type, "webauthn.get");
  EXPECT_EQ(data->challenge, "abc");
  EXPECT_EQ(data->origin, "https://h\xc3\xa9");
  EXPECT_FALSE(data->cross_origin);
  EXPECT_FALSE(data->top_origin);
}

TEST(ClientDataJson, RefusesAnythingThatIsNotStrictJson) {
  const std::string valid = R"({"type":"t","challenge":"c","origin":"o")";
  for (const std::string& bad : {
           std::string("[]"),
           std::string(""),
           valid,                                  // unterminated object
           valid + "}x",                           // trailing bytes
           valid + ",\"type\":\"t\"}",             // duplicate member
           valid + ",\"x\":01}",                   // leading zero
           valid + ",\"x\":1.}",                   // bad fraction
           valid + ",\"x\":tru}",                  // bad literal
           valid + ",\"x\":\"\\q\"}",              // bad escape
           valid + ",\"x\":\"\\ud800\"}",          // lone high surrogate
           valid + ",\"x\":\"\\udc00\"}",          // lone low surrogate
           valid + ",\"x\":\"a\nb\"}",             // raw control character
           valid + ",\"x\":\"\xff\"}",             // not UTF-8
           valid + ",\"x\":[1,]}",                 // trailing comma
           valid + ",\"crossOrigin\":\"false\"}",  // crossOrigin must be a boolean
           std::string(R"({"type":1,"challenge":"c","origin":"o"})"),
           std::string(R"({"challenge":"c","origin":"o"})"),                       // type missing
           valid + ",\"x\":" + std::string(40, '[') + std::string(40, ']') + "}",  // too deep
           std::string("{") + std::string(kMaxClientDataJsonBytes, ' ') + "}",
       }) {
    const auto result = ParseClientDataJson(bad);
    EXPECT_FALSE(result) << bad.substr(0, 80);
    if (!result) {
      EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_TRUE(ParseClientDataJson(valid + "}"));
}

// ---- Assertion --------------------------------------------------------------------------------

TEST_F(WebauthnTest, AssertionVerifiesAndReportsTheNewCount) {
  AuthDataSpec spec;
  spec.flags = kUp | kUv | kBe;
  spec.sign_count = 42;
  const auto result = VerifyAssertion(Assertion(spec, 41));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->sign_count, 42u);
  EXPECT_TRUE(result->flags.user_verified);
  EXPECT_TRUE(result->flags.backup_eligible);
  EXPECT_FALSE(result->flags.backed_up);
}

TEST_F(WebauthnTest, AssertionWithAnEd25519KeyVerifies) {
  key_ = SoftwareKey::Ed25519();
  const auto result = VerifyAssertion(Assertion());
  ASSERT_TRUE(result) << result.error().message;
  AssertionInput input = Assertion();
  input.signature[0] = static_cast<char>(input.signature[0] ^ 0x20);
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "signature");
}

TEST_F(WebauthnTest, AssertionSignedByTheOpensslCommandLineVerifies) {
  // An independent signer: the openssl tool, with the same key, over the same bytes.
  testing::TempDir dir("webauthn");
  const auto key_file = dir.path() / "key.pem";
  const auto message_file = dir.path() / "message";
  const auto signature_file = dir.path() / "signature";
  AssertionInput input = Assertion();
  ASSERT_TRUE(base::WritePrivateFile(key_file, key_.PrivatePem()));
  ASSERT_TRUE(base::WritePrivateFile(
      message_file, input.authenticator_data + crypto::Sha256(input.client_data_json)));
  const auto signed_by_tool =
      testing::RunCommand("openssl dgst -sha256 -sign " + key_file.string() + " -out " +
                              signature_file.string() + " " + message_file.string(),
                          true);
  ASSERT_EQ(signed_by_tool.exit_code, 0) << signed_by_tool.output;
  const auto signature = base::ReadFile(signature_file);
  ASSERT_TRUE(signature);
  input.signature = *signature;
  const auto result = VerifyAssertion(input);
  EXPECT_TRUE(result) << result.error().message;
}

TEST_F(WebauthnTest, AssertionRefusesTheWrongCeremonyType) {
  AssertionInput input = Assertion();
  input.client_data_json = ClientDataJson("webauthn.create", challenge_);
  Resign(input);
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "type");
}

TEST_F(WebauthnTest, AssertionRefusesAnotherChallenge) {
  AssertionInput input = Assertion();
  input.client_data_json = ClientDataJson("webauthn.get", NewChallenge());
  Resign(input);
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "challenge");
}

TEST_F(WebauthnTest, AssertionRefusesAnotherOrigin) {
  AssertionInput input = Assertion();
  input.client_data_json = ClientDataJson("webauthn.get", challenge_, "https://evil.example:8443");
  Resign(input);
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "origin");
}

TEST_F(WebauthnTest, AssertionRefusesAnotherRpId) {
  AuthDataSpec spec;
  spec.rp_id = "example";
  ExpectError(VerifyAssertion(Assertion(spec)), ErrorCode::kUnauthenticated, "RP ID");
}

TEST_F(WebauthnTest, AssertionNeedsUserPresenceAndVerificationWhenRequired) {
  AuthDataSpec spec;
  spec.flags = 0;
  ExpectError(VerifyAssertion(Assertion(spec)), ErrorCode::kUnauthenticated, "UP");
  spec.flags = kUp;
  AssertionInput input = Assertion(spec);
  input.require_user_verification = true;
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "UV");
  spec.flags = kUp | kUv;
  input = Assertion(spec);
  input.require_user_verification = true;
  EXPECT_TRUE(VerifyAssertion(input));
}

TEST_F(WebauthnTest, AssertionRefusesBadSignatures) {
  AssertionInput input = Assertion();
  std::string& signature = input.signature;
  signature[signature.size() - 1] = static_cast<char>(signature[signature.size() - 1] ^ 0x01);
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "signature");
  // A valid signature by another key.
  input = Assertion();
  input.signature =
      SoftwareKey::Es256().Sign(input.authenticator_data + crypto::Sha256(input.client_data_json));
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "signature");
  // Empty, oversized, and a DER signature with a byte appended (OpenSSL refuses non-DER).
  for (const std::string& bad : {std::string(), std::string(kMaxSignatureBytes + 1, '\x30'),
                                 Assertion().signature + '\x00'}) {
    input = Assertion();
    input.signature = bad;
    ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "signature");
  }
}

TEST_F(WebauthnTest, RefusalsLeaveNoErrorOnTheOpensslQueue) {
  // The TLS code on the same thread reads that queue; a refused passkey must not show up there.
  ERR_clear_error();
  AssertionInput input = Assertion();
  input.signature = "\x30\x02\x02\x00";
  EXPECT_FALSE(VerifyAssertion(input));
  std::string off_curve = key_.y();
  off_curve[0] = static_cast<char>(off_curve[0] ^ 1);
  EXPECT_FALSE(ParseCoseKey(Ec2Key(key_.x(), off_curve)));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(WebauthnTest, AssertionRefusesTamperedData) {
  // Tampered authenticator data: the counter raised after signing.
  AssertionInput input = Assertion();
  input.authenticator_data[36] = '\x09';
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "signature");
  // UV added after signing.
  input = Assertion();
  input.authenticator_data[32] = static_cast<char>(kUp | kUv);
  input.require_user_verification = true;
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "signature");
  // Tampered clientDataJSON that still passes every field check.
  input = Assertion();
  input.client_data_json.insert(1, " ");
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "signature");
}

TEST_F(WebauthnTest, AssertionRefusesACounterThatDidNotGrow) {
  AuthDataSpec spec;
  spec.sign_count = 5;
  ExpectError(VerifyAssertion(Assertion(spec, 5)), ErrorCode::kPermissionDenied, "cloned");
  ExpectError(VerifyAssertion(Assertion(spec, 9)), ErrorCode::kPermissionDenied, "cloned");
  EXPECT_TRUE(VerifyAssertion(Assertion(spec, 4)));
  EXPECT_TRUE(VerifyAssertion(Assertion(spec, 0)));  // the first count after registration at 0
  spec.sign_count = 0;
  EXPECT_TRUE(VerifyAssertion(Assertion(spec, 0)));  // never counts (synced passkeys)
  ExpectError(VerifyAssertion(Assertion(spec, 3)), ErrorCode::kPermissionDenied, "cloned");
}

TEST_F(WebauthnTest, AssertionRefusesAttestedCredentialData) {
  AuthDataSpec spec = RegistrationAuthData();
  ExpectError(VerifyAssertion(Assertion(spec)), ErrorCode::kInvalidArgument, "AT");
}

TEST_F(WebauthnTest, AssertionRefusesMalformedAuthenticatorData) {
  AssertionInput valid = Assertion();
  for (std::size_t length = 0; length < valid.authenticator_data.size(); ++length) {
    AssertionInput input = valid;
    input.authenticator_data.resize(length);
    Resign(input);
    ExpectError(VerifyAssertion(input), ErrorCode::kInvalidArgument, "shorter than 37");
  }
  AssertionInput input = valid;
  input.authenticator_data += '\x00';
  Resign(input);
  ExpectError(VerifyAssertion(input), ErrorCode::kInvalidArgument, "trailing");
  // Extensions after the header are fine when ED says so.
  AuthDataSpec spec;
  spec.extensions = Encode(MapOf(std::pair{Text("appid"), Cbor(cbor_build_bool(false))}));
  EXPECT_TRUE(VerifyAssertion(Assertion(spec)));
}

TEST_F(WebauthnTest, AnUnusableStoredKeyIsTheHubsProblem) {
  AssertionInput input = Assertion();
  input.public_key_cose = "\xa0";
  ExpectError(VerifyAssertion(input), ErrorCode::kDataLoss, "stored credential key");
}

// ---- Responses recorded from a real browser ---------------------------------------------------
// Chromium 156 (Debian) with a CDP virtual authenticator (ctap2, internal, resident keys, user
// verification), on a page served from http://localhost: create() with challenge bytes 1..32,
// rp.id "localhost", attestation "none" (or "direct"), then get() with challenge bytes
// 100..131. Base64 as the page exported them.

struct RecordedCeremony {
  std::string_view origin;
  std::string_view registration_client_data;
  std::string_view attestation_object;
  std::string_view assertion_client_data = {};
  std::string_view authenticator_data = {};
  std::string_view signature = {};
};

constexpr RecordedCeremony kChromiumEs256 = {
    .origin = "http://localhost:37285",
    .registration_client_data =
        "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiQVFJREJBVUdCd2dKQ2dzTURRNFBFQkVTRX"
        "hRVkZoY1lHUm9iSEIwZUh5QSIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6MzcyODUiLCJjcm9zc09yaWdp"
        "biI6ZmFsc2V9",
    .attestation_object =
        "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVikSZYN5YgOjGh0NBcPZHZgW4/krrmihjLHmVzzuoMdl2NFAA"
        "AAAQECAwQFBgcIAQIDBAUGBwgAIKIQKqBFX9u+yZ7o0qVczz+disO5gUkUIHkil7NuJ051pQECAyYgASFYIIKy"
        "PJzjSSclP1R2s06mImESEsayiNjQyW0otXz5kJnHIlgg9C7cEeudIMvhslhrU6IoLlHBHkjgj7s+ZrR0Za8HKH"
        "M=",
    .assertion_client_data =
        "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiWkdWbVoyaHBhbXRzYlc1dmNIRnljM1IxZG5kNG"
        "VYcDdmSDEtZjRDQmdvTSIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6MzcyODUiLCJjcm9zc09yaWdpbiI6"
        "ZmFsc2V9",
    .authenticator_data = "SZYN5YgOjGh0NBcPZHZgW4/krrmihjLHmVzzuoMdl2MFAAAAAg==",
    .signature =
        "MEUCIQDM4efGK7LxhvbbUAOHTxfWxF9SBdDtdoaJsklXcvekMgIgR5vCzpLnLUjHxFpiUXrAH0oRSrgV/8BlzU"
        "2UswDdYIY=",
};

constexpr RecordedCeremony kChromiumEd25519 = {
    .origin = "http://localhost:42895",
    .registration_client_data =
        "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiQVFJREJBVUdCd2dKQ2dzTURRNFBFQkVTRX"
        "hRVkZoY1lHUm9iSEIwZUh5QSIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6NDI4OTUiLCJjcm9zc09yaWdp"
        "biI6ZmFsc2UsIm90aGVyX2tleXNfY2FuX2JlX2FkZGVkX2hlcmUiOiJkbyBub3QgY29tcGFyZSBjbGllbnREYX"
        "RhSlNPTiBhZ2FpbnN0IGEgdGVtcGxhdGUuIFNlZSBodHRwczovL2dvby5nbC95YWJQZXgifQ==",
    .attestation_object =
        "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YViBSZYN5YgOjGh0NBcPZHZgW4/krrmihjLHmVzzuoMdl2NFAA"
        "AAAQECAwQFBgcIAQIDBAUGBwgAID/SdcfCcPbvuYddzetJjLqfJfiJxGwtVvlSXbCiOFRSpAEBAycgBiFYIHYG"
        "n1IGQ3PjsaUn7mJWXFLj4kZFLeyK7i4GMAj/y2x/",
    .assertion_client_data =
        "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiWkdWbVoyaHBhbXRzYlc1dmNIRnljM1IxZG5kNG"
        "VYcDdmSDEtZjRDQmdvTSIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6NDI4OTUiLCJjcm9zc09yaWdpbiI6"
        "ZmFsc2V9",
    .authenticator_data = "SZYN5YgOjGh0NBcPZHZgW4/krrmihjLHmVzzuoMdl2MFAAAAAg==",
    .signature =
        "g+HtW+J95zifo04kFmx7bP9ANyx9WkV/hPVyRdYBpWwT/8Hhpp9O5QhkL3O0UnyO463p51r+yZxOqf1mKKEdDA"
        "==",
};

constexpr RecordedCeremony kChromiumPackedWithCertificate = {
    .origin = "http://localhost:41747",
    .registration_client_data =
        "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiQVFJREJBVUdCd2dKQ2dzTURRNFBFQkVTRX"
        "hRVkZoY1lHUm9iSEIwZUh5QSIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6NDE3NDciLCJjcm9zc09yaWdp"
        "biI6ZmFsc2V9",
    .attestation_object =
        "o2NmbXRmcGFja2VkZ2F0dFN0bXSjY2FsZyZjc2lnWEcwRQIhAKgGotSwXi0eT210ruaiw8iFuJkBhKwkAKH3Q/"
        "Nl1qLQAiB47ZrOH9nM7OLj2g+kwzQhElHNrk6j8g+S4Z3UVvU8dGN4NWOBWQHXMIIB0zCCAXqgAwIBAgIBATAK"
        "BggqhkjOPQQDAjBgMQswCQYDVQQGEwJVUzERMA8GA1UECgwIQ2hyb21pdW0xIjAgBgNVBAsMGUF1dGhlbnRpY2"
        "F0b3IgQXR0ZXN0YXRpb24xGjAYBgNVBAMMEUJhdGNoIENlcnRpZmljYXRlMB4XDTE3MDcxNDAyNDAwMFoXDTQ2"
        "MTExOTA1MDY0MVowYDELMAkGA1UEBhMCVVMxETAPBgNVBAoMCENocm9taXVtMSIwIAYDVQQLDBlBdXRoZW50aW"
        "NhdG9yIEF0dGVzdGF0aW9uMRowGAYDVQQDDBFCYXRjaCBDZXJ0aWZpY2F0ZTBZMBMGByqGSM49AgEGCCqGSM49"
        "AwEHA0IABI1hfmXJUI5kvMVnOsgqZ5naPBRGaCwljEY//99Y39L6Pmw3i1PXlcSk3/tBme3Xhi8jq68CA7S4kR"
        "ugVpmU4QGjJTAjMAwGA1UdEwEB/wQCMAAwEwYLKwYBBAGC5RwCAQEEBAMCAwgwCgYIKoZIzj0EAwIDRwAwRAIg"
        "bzlq1TUMy6RAtvmqsvys4Md6YgexhWGE/Mr2i4b+z0ECIHmXGisfwmcrKlAEmvq97IYhEIXi538kcPRTeU+2Ib"
        "dIaGF1dGhEYXRhWKRJlg3liA6MaHQ0Fw9kdmBbj+SuuaKGMseZXPO6gx2XY0UAAAABAQIDBAUGBwgBAgMEBQYH"
        "CAAgZxNdTjBQrFVb3nUf8GMrIqXIHmOSHoxUFP3OhHyukrWlAQIDJiABIVgggU39EdNxyuAMJ8cJ4Ar+G59vQ+"
        "WwvpRv1M8Rr/IR0RoiWCDCeiN17Ar1TmdV8pZKoV11ZYbxZxClVVMT/AD1LMGHTA==",
};

std::string Decoded(std::string_view base64) {
  auto bytes = base::Base64Decode(base64);
  EXPECT_TRUE(bytes) << base64;
  return bytes ? *bytes : std::string();
}

std::string CountingBytes(int first) {
  std::string bytes;
  for (int i = 0; i < 32; ++i) bytes += static_cast<char>(first + i);
  return bytes;
}

RegistrationInput RecordedRegistration(const RecordedCeremony& recorded) {
  RegistrationInput input;
  input.client_data_json = Decoded(recorded.registration_client_data);
  input.attestation_object = Decoded(recorded.attestation_object);
  input.expected_challenge = CountingBytes(1);
  input.expected_origin = std::string(recorded.origin);
  input.rp_id = "localhost";
  input.require_user_verification = true;
  return input;
}

void ExpectRecordedCeremonyVerifies(const RecordedCeremony& recorded, CoseAlgorithm algorithm) {
  const auto credential = VerifyRegistration(RecordedRegistration(recorded));
  ASSERT_TRUE(credential) << credential.error().message;
  EXPECT_EQ(credential->algorithm, algorithm);
  EXPECT_EQ(credential->credential_id.size(), 32u);
  EXPECT_EQ(credential->sign_count, 1u);
  EXPECT_EQ(credential->aaguid, "\x01\x02\x03\x04\x05\x06\x07\x08\x01\x02\x03\x04\x05\x06\x07\x08");
  EXPECT_TRUE(credential->flags.user_verified);
  EXPECT_FALSE(credential->flags.backup_eligible);

  AssertionInput input;
  input.client_data_json = Decoded(recorded.assertion_client_data);
  input.authenticator_data = Decoded(recorded.authenticator_data);
  input.signature = Decoded(recorded.signature);
  input.expected_challenge = CountingBytes(100);
  input.expected_origin = std::string(recorded.origin);
  input.rp_id = "localhost";
  input.require_user_verification = true;
  input.public_key_cose = credential->public_key_cose;
  input.stored_sign_count = credential->sign_count;
  const auto result = VerifyAssertion(input);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->sign_count, 2u);
  EXPECT_TRUE(result->flags.user_verified);

  // The same response replayed against the next challenge, or after its count was stored.
  input.expected_challenge = CountingBytes(200);
  ExpectError(VerifyAssertion(input), ErrorCode::kUnauthenticated, "challenge");
  input.expected_challenge = CountingBytes(100);
  input.stored_sign_count = result->sign_count;
  ExpectError(VerifyAssertion(input), ErrorCode::kPermissionDenied, "cloned");
}

TEST(WebauthnRecorded, ChromiumEs256PasskeyVerifies) {
  ExpectRecordedCeremonyVerifies(kChromiumEs256, CoseAlgorithm::kEs256);
}

TEST(WebauthnRecorded, ChromiumEd25519PasskeyVerifies) {
  ExpectRecordedCeremonyVerifies(kChromiumEd25519, CoseAlgorithm::kEdDsa);
}

TEST(WebauthnRecorded, ChromiumDirectAttestationIsRefusedClearly) {
  ExpectError(VerifyRegistration(RecordedRegistration(kChromiumPackedWithCertificate)),
              ErrorCode::kInvalidArgument, "request attestation \"none\"");
}

TEST_F(WebauthnTest, ChallengesAreFreshRandomBytes) {
  const std::string first = NewChallenge();
  const std::string second = NewChallenge();
  EXPECT_EQ(first.size(), kChallengeBytes);
  EXPECT_EQ(second.size(), kChallengeBytes);
  EXPECT_NE(first, second);
}

}  // namespace
}  // namespace camguard::auth
