// SPDX-License-Identifier: Apache-2.0
#include "scan/certificate_check.h"

#include <chrono>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "base/clock.h"
#include "crypto/certificate.h"

namespace camguard::scan {
namespace {

std::string PemToDer(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return {};
  std::string der(static_cast<std::size_t>(i2d_X509(cert, nullptr)), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &out);
  X509_free(cert);
  return der;
}

// A leaf with an RSA key of `bits`, issued by a separate CA key and signed with `md`.
std::string IssuedCertificate(int bits, const EVP_MD* md) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
  EVP_PKEY* ca = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  X509_set_version(cert, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("old camera"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(X509_get_issuer_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("vendor CA"), -1, -1, 0);
  X509_sign(cert, ca, md);
  std::string der(static_cast<std::size_t>(i2d_X509(cert, nullptr)), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &out);
  X509_free(cert);
  EVP_PKEY_free(key);
  EVP_PKEY_free(ca);
  return der;
}

TEST(CertificateCheckTest, TheHubsOwnCertificateIsSelfSignedAndSound) {
  auto generated = crypto::GenerateSelfSignedCertificate({"camguard.local"}, {"127.0.0.1"}, 30);
  ASSERT_TRUE(generated);
  const std::string der = PemToDer(generated->certificate_pem);
  ASSERT_FALSE(der.empty());
  // Judged against our own clock: GenerateSelfSignedCertificate dated it from the real now.
  const base::WallTime now = base::SystemClock().Now();
  const CertificateAssessment a = AssessCertificate(der, now);
  ASSERT_TRUE(a.parsed);
  EXPECT_TRUE(a.self_signed);
  EXPECT_FALSE(a.expired);
  EXPECT_FALSE(a.not_yet_valid);
  EXPECT_EQ(a.key_type, "EC");
  EXPECT_EQ(a.key_bits, 256);
  EXPECT_FALSE(a.weak_key);
  EXPECT_EQ(a.signature_hash, "SHA256");
  EXPECT_FALSE(a.weak_signature);
  EXPECT_NE(a.subject.find("camguard.local"), std::string::npos);

  const CertificateAssessment later = AssessCertificate(der, now + std::chrono::hours(24 * 40));
  EXPECT_TRUE(later.expired);
  const CertificateAssessment earlier = AssessCertificate(der, now - std::chrono::hours(24));
  EXPECT_TRUE(earlier.not_yet_valid);
}

TEST(CertificateCheckTest, WeakKeysAndSha1SignaturesAreFlagged) {
  const std::string der = IssuedCertificate(1024, EVP_sha1());
  const CertificateAssessment a = AssessCertificate(der, base::SystemClock().Now());
  ASSERT_TRUE(a.parsed);
  EXPECT_FALSE(a.self_signed);
  EXPECT_EQ(a.key_type, "RSA");
  EXPECT_EQ(a.key_bits, 1024);
  EXPECT_TRUE(a.weak_key);
  EXPECT_EQ(a.signature_hash, "SHA1");
  EXPECT_TRUE(a.weak_signature);

  const CertificateAssessment strong =
      AssessCertificate(IssuedCertificate(2048, EVP_sha256()), base::SystemClock().Now());
  EXPECT_FALSE(strong.weak_key);
  EXPECT_FALSE(strong.weak_signature);
}

TEST(CertificateCheckTest, GarbageIsNotACertificate) {
  EXPECT_FALSE(AssessCertificate("", base::SystemClock().Now()).parsed);
  EXPECT_FALSE(AssessCertificate("\x30\x82\x01", base::SystemClock().Now()).parsed);
}

}  // namespace
}  // namespace camguard::scan
