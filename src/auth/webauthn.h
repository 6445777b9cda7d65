// SPDX-License-Identifier: Apache-2.0
// WebAuthn (passkeys) verification, relying-party side (W3C Web Authentication Level 2, §7.1
// registration and §7.2 authentication). Pure: the browser's bytes and what the hub expects go
// in, a verified credential or an error comes out. Every byte that comes from the browser
// (clientDataJSON, attestationObject, authenticatorData, the COSE key inside it, the signature)
// is hostile: sizes, CBOR nesting, container sizes and lengths are bounded before anything is
// allocated, and every parser is fuzzed (tests/fuzz/webauthn_fuzz.cpp).
//
// Supported: ES256 (ECDSA P-256 with SHA-256, COSE alg -7) and EdDSA (Ed25519, alg -8) keys;
// attestation "none", and "packed" self-attestation (signed by the credential's own key).
// Attestation with a certificate chain, other formats and other algorithms are refused with an
// error that says so.
//
// What the API sends to the browser (it builds the options JSON itself):
//
// navigator.credentials.create({publicKey: ...})
//   rp: {id: <the RP ID: the hub's host name, never an IP address>, name: "camguard"}
//   user: {id: <user handle: 16 to 64 bytes that name the account without personal data,
//          stable per user>, name: <user name>, displayName: <user name>}
//   challenge: NewChallenge(), kept server-side for this session only, single use, expiring
//          with `timeout`
//   pubKeyCredParams: [{type: "public-key", alg: -7}, {type: "public-key", alg: -8}]
//   timeout: 300000 (milliseconds)
//   attestation: "none"
//   excludeCredentials: the user's existing credential ids (no second passkey on the same
//          authenticator)
//   authenticatorSelection: passwordless sign-in: {residentKey: "required",
//          requireResidentKey: true, userVerification: "required"}; as a second factor after
//          the password: {residentKey: "discouraged", userVerification: "discouraged"}
// then VerifyRegistration() with require_user_verification = true for passwordless.
//
// navigator.credentials.get({publicKey: ...})
//   challenge: NewChallenge() (as above), rpId: the same RP ID, timeout: 300000,
//   userVerification: "required" (passwordless) or "discouraged" (second factor),
//   allowCredentials: the user's credential ids as second factor; empty for passwordless
//          (the authenticator offers its discoverable credentials)
// then the API finds the stored credential by the response's rawId (it must belong to the user
// being signed in; for passwordless, the response's userHandle must be that user's handle) and
// calls VerifyAssertion() with its stored COSE key and sign count, and stores the new count.
//
// The origin must be a secure context: "https://host[:port]" whose host is the RP ID or a
// subdomain of it ("http://localhost[:port]" is accepted for local development).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace camguard::auth {

// Bounds on what the browser may send; larger inputs are refused before parsing.
inline constexpr std::size_t kMaxClientDataJsonBytes = std::size_t{16} * 1024;
inline constexpr std::size_t kMaxAttestationObjectBytes = std::size_t{64} * 1024;
inline constexpr std::size_t kMaxAuthenticatorDataBytes = std::size_t{16} * 1024;
inline constexpr std::size_t kMaxSignatureBytes = 512;
// §5.1: credential ids longer than 1023 bytes must be refused; shorter than 16 bytes cannot
// carry the 100 bits of entropy §4 asks for.
inline constexpr std::size_t kMinCredentialIdBytes = 16;
inline constexpr std::size_t kMaxCredentialIdBytes = 1023;
inline constexpr std::size_t kChallengeBytes = 32;
// Challenges shorter than this are a bug in the caller (§13.4.3 asks for at least 16 bytes).
inline constexpr std::size_t kMinChallengeBytes = 16;

// COSE algorithm identifiers (IANA "COSE Algorithms").
enum class CoseAlgorithm : std::int32_t { kEs256 = -7, kEdDsa = -8 };

// The authenticator data flags byte (§6.1).
struct AuthenticatorFlags {
  bool user_present = false;              // UP, bit 0
  bool user_verified = false;             // UV, bit 2
  bool backup_eligible = false;           // BE, bit 3: the credential may be synced (a passkey)
  bool backed_up = false;                 // BS, bit 4: it is synced right now
  bool attested_credential_data = false;  // AT, bit 6
  bool extension_data = false;            // ED, bit 7
  std::uint8_t raw = 0;
};

// A credential public key from its COSE_Key form (RFC 9052 §7, RFC 9053 §7).
struct CredentialPublicKey {
  CoseAlgorithm algorithm = CoseAlgorithm::kEs256;
  std::string x;  // 32 bytes: the P-256 x coordinate, or the Ed25519 public key
  std::string y;  // 32 bytes for P-256, empty for Ed25519
};

// Attested credential data (§6.5.1), present in authenticator data when AT is set.
struct AttestedCredential {
  std::string aaguid;           // 16 bytes, the authenticator model (zero for "none")
  std::string credential_id;    // kMinCredentialIdBytes..kMaxCredentialIdBytes
  std::string public_key_cose;  // the COSE_Key bytes exactly as the authenticator sent them
  CredentialPublicKey public_key;
};

// Authenticator data (§6.1).
struct AuthenticatorData {
  std::string rp_id_hash;  // 32 bytes
  AuthenticatorFlags flags;
  std::uint32_t sign_count = 0;
  std::optional<AttestedCredential> attested;
  std::string extensions_cbor;  // the extension map's bytes when ED is set (not interpreted)
};

// The attestation object (§6.5): its format, the statement fields camguard understands, and
// the authenticator data.
struct AttestationObject {
  std::string format;                         // "none", "packed", ...
  std::optional<std::int64_t> statement_alg;  // packed: attStmt.alg
  std::string statement_signature;            // packed: attStmt.sig
  bool statement_has_certificates = false;    // attStmt.x5c present
  bool statement_empty = true;                // attStmt is {}
  std::string authenticator_data;             // raw bytes
};

// The fields of clientDataJSON (§5.8.1) that verification uses.
struct ClientData {
  std::string type;       // "webauthn.create" or "webauthn.get"
  std::string challenge;  // base64url as the browser wrote it
  std::string origin;
  bool cross_origin = false;
  std::optional<std::string> top_origin;
};

// Parsers, public for the tests and the fuzzer. Each takes exactly one complete item: trailing
// bytes are an error. Failures are kInvalidArgument.
base::Result<ClientData> ParseClientDataJson(std::string_view json);
base::Result<AttestationObject> ParseAttestationObject(std::string_view cbor);
base::Result<AuthenticatorData> ParseAuthenticatorData(std::string_view bytes);
base::Result<CredentialPublicKey> ParseCoseKey(std::string_view cose);

// kChallengeBytes random bytes (raw; the API sends them base64url-encoded).
std::string NewChallenge();

struct RegistrationInput {
  std::string client_data_json;    // response.clientDataJSON, raw bytes
  std::string attestation_object;  // response.attestationObject, raw bytes
  std::string expected_challenge;  // raw bytes, as NewChallenge() returned them
  std::string expected_origin;     // "https://camhub.example:8443"
  std::string rp_id;               // "camhub.example"
  bool require_user_verification = false;
};

struct RegisteredCredential {
  std::string credential_id;
  std::string public_key_cose;  // store this (webauthn_credentials.public_key)
  CoseAlgorithm algorithm = CoseAlgorithm::kEs256;
  std::uint32_t sign_count = 0;
  std::string aaguid;
  AuthenticatorFlags flags;
  std::string attestation_format;  // "none" or "packed" (self-attestation)
};

struct AssertionInput {
  std::string client_data_json;    // response.clientDataJSON
  std::string authenticator_data;  // response.authenticatorData
  std::string signature;           // response.signature (DER for ES256, 64 bytes for EdDSA)
  std::string expected_challenge;
  std::string expected_origin;
  std::string rp_id;
  bool require_user_verification = false;
  std::string public_key_cose;  // the stored credential's key
  // §7.2 step 21: when the stored or the new count is non-zero, the new one must be greater
  // (so a drop to 0 after counting is refused too); authenticators that never count (synced
  // passkeys) send 0 every time and pass.
  std::uint32_t stored_sign_count = 0;
};

struct AssertionResult {
  std::uint32_t sign_count = 0;  // store this as the credential's new count
  AuthenticatorFlags flags;
};

// Errors of both ceremonies:
//   kInvalidArgument    malformed or oversized input, an unsupported algorithm or attestation
//   kUnauthenticated    the response does not prove what it must: wrong type, challenge,
//                       origin or RP ID, a missing UP/UV flag, a bad signature
//   kPermissionDenied   (assertion only) the signature counter did not increase: possibly a
//                       cloned authenticator; the API should audit it and alert the owner
//   kFailedPrecondition the hub's own expectations are unusable (an IP address as RP ID, an
//                       origin outside the RP ID, a challenge shorter than kMinChallengeBytes)
base::Result<RegisteredCredential> VerifyRegistration(const RegistrationInput& input);
base::Result<AssertionResult> VerifyAssertion(const AssertionInput& input);

}  // namespace camguard::auth
