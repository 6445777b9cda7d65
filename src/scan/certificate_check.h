// SPDX-License-Identifier: Apache-2.0
// Judges a TLS server certificate as a camera presents it: self-signed or not, expired, key
// strength and signature hash. The time comes from the caller's clock.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"

namespace camguard::scan {

struct CertificateAssessment {
  bool parsed = false;
  std::string subject;    // one line, printable
  std::string not_after;  // "2027-01-31T12:00:00Z"
  bool self_signed = false;
  bool expired = false;
  bool not_yet_valid = false;
  std::string key_type;  // "RSA", "EC", "DSA", "Ed25519", …
  int key_bits = 0;
  bool weak_key = false;        // RSA or DSA under 2048 bits, EC under 224
  std::string signature_hash;   // "SHA256", "SHA1", "MD5", …
  bool weak_signature = false;  // MD5 or SHA-1 on a certificate that is not self-signed
};

CertificateAssessment AssessCertificate(std::string_view der, base::WallTime now);

}  // namespace camguard::scan
