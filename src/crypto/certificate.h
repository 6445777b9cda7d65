// SPDX-License-Identifier: Apache-2.0
// X.509 for the hub's HTTPS listener: a self-signed EC P-256 certificate generated on first
// start, fingerprints the owner can compare with what the browser shows, and checks of
// owner-supplied certificate/key pairs. OpenSSL 3 EVP APIs only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace camguard::crypto {

struct GeneratedCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
  std::string sha256_fingerprint;  // "AB:CD:...:EF", uppercase hex of the DER, colon separated
};

// Self-signed EC P-256, ECDSA-SHA256, random 128-bit serial, CN = first DNS name, SANs for
// every DNS name and IP address, CA:FALSE (critical), keyUsage digitalSignature (critical),
// extendedKeyUsage serverAuth, valid from one hour ago for `valid_days` (1..3650; 825 is the
// longest lifetime Apple platforms accept). kInvalidArgument when there is no DNS name, a DNS
// name is not an RFC 1123 host name, or an IP address does not parse.
base::Result<GeneratedCertificate> GenerateSelfSignedCertificate(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
    int valid_days = 825);

// Fingerprint of the first certificate in a PEM text.
base::Result<std::string> CertificateFingerprintSha256(std::string_view certificate_pem);

// Subject alternative names of the first certificate as "DNS:name" and "IP:address" (IPv6 in
// its RFC 5952 text form); other name types are skipped.
base::Result<std::vector<std::string>> CertificateSubjectAltNames(std::string_view certificate_pem);

// Fails unless the PEM private key belongs to the first PEM certificate. Encrypted keys are
// refused (never a passphrase prompt).
base::Status CheckKeyMatchesCertificate(std::string_view certificate_pem,
                                        std::string_view private_key_pem);

}  // namespace camguard::crypto
