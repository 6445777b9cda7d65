// SPDX-License-Identifier: Apache-2.0
#include "crypto/certificate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "base/strings.h"

namespace camguard::crypto {
namespace {

using ::testing::Contains;
using ::testing::StartsWith;
using camguard::testing::RunCommand;


TEST(Certificate, GeneratedCertificateCarriesTheNamesAndAValidKeyPair) {
  auto generated = GenerateSelfSignedCertificate({"localhost", "camguard.home.arpa"}, {"127.0.0.1", "::1"});
  ASSERT_TRUE(generated) << generated.error().message;
  EXPECT_THAT(generated->certificate_pem, StartsWith("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(generated->private_key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  auto names = CertificateSubjectAltNames(generated->certificate_pem);
  ASSERT_TRUE(names);
  EXPECT_THAT(*names, Contains("DNS:localhost"));
  EXPECT_THAT(*names, Contains("DNS:camguard.home.arpa"));
  EXPECT_THAT(*names, Contains("IP:127.0.0.1"));
  EXPECT_THAT(*names, Contains("IP:::1"));
  EXPECT_TRUE(CheckKeyMatchesCertificate(generated->certificate_pem, generated->private_key_pem));
  EXPECT_EQ(CertificateFingerprintSha256(generated->certificate_pem).value(), generated->sha256_fingerprint);
}

TEST(Certificate, FingerprintAndKeyTypeAgreeWithTheOpensslCli) {
  auto generated = GenerateSelfSignedCertificate({"localhost"}, {});
  ASSERT_TRUE(generated);
  const auto path = std::filesystem::temp_directory_path() / ("camguard-cert-" + std::to_string(::getpid()) + ".pem");
  std::ofstream(path) << generated->certificate_pem;
  const std::string fingerprint = RunCommand("openssl x509 -noout -fingerprint -sha256 -in " + path.string()).output;
  const std::string text = RunCommand("openssl x509 -noout -text -in " + path.string()).output;
  std::filesystem::remove(path);
  EXPECT_EQ(base::Trim(fingerprint), "sha256 Fingerprint=" + generated->sha256_fingerprint);
  EXPECT_NE(text.find("ASN1 OID: prime256v1"), std::string::npos) << text;
  EXPECT_NE(text.find("CA:FALSE"), std::string::npos);
  EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos);
  EXPECT_NE(text.find("ecdsa-with-SHA256"), std::string::npos);
}

TEST(Certificate, KeyOfAnotherCertificateIsRefused) {
  auto first = GenerateSelfSignedCertificate({"localhost"}, {});
  auto second = GenerateSelfSignedCertificate({"localhost"}, {});
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(CheckKeyMatchesCertificate(first->certificate_pem, second->private_key_pem));
  EXPECT_NE(first->sha256_fingerprint, second->sha256_fingerprint);
}

TEST(Certificate, GarbageIsAnErrorNotACrash) {
  EXPECT_FALSE(CertificateFingerprintSha256("not a certificate"));
  EXPECT_FALSE(CertificateSubjectAltNames("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
  EXPECT_FALSE(CheckKeyMatchesCertificate("x", "y"));
  EXPECT_FALSE(GenerateSelfSignedCertificate({}, {}));
  EXPECT_FALSE(GenerateSelfSignedCertificate({"localhost"}, {"999.1.1.1"}));
}

}  // namespace
}  // namespace camguard::crypto
