// SPDX-License-Identifier: Apache-2.0
#include "crypto/certificate.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/strings.h"
#include "test_support.h"

namespace camguard::crypto {
namespace {

using camguard::testing::RunCommand;
using ::testing::Contains;
using ::testing::StartsWith;

TEST(Certificate, GeneratedCertificateCarriesTheNamesAndAValidKeyPair) {
  auto generated =
      GenerateSelfSignedCertificate({"localhost", "camguard.home.arpa"}, {"127.0.0.1", "::1"});
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
  EXPECT_EQ(CertificateFingerprintSha256(generated->certificate_pem).value(),
            generated->sha256_fingerprint);
}

TEST(Certificate, FingerprintAndKeyTypeAgreeWithTheOpensslCli) {
  auto generated = GenerateSelfSignedCertificate({"localhost"}, {});
  ASSERT_TRUE(generated);
  const auto path = std::filesystem::temp_directory_path() /
                    ("camguard-cert-" + std::to_string(::getpid()) + ".pem");
  std::ofstream(path) << generated->certificate_pem;
  const std::string fingerprint =
      RunCommand("openssl x509 -noout -fingerprint -sha256 -in " + path.string()).output;
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
  EXPECT_FALSE(
      CertificateSubjectAltNames("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
  EXPECT_FALSE(CheckKeyMatchesCertificate("x", "y"));
  EXPECT_FALSE(GenerateSelfSignedCertificate({}, {}));
  EXPECT_FALSE(GenerateSelfSignedCertificate({"localhost"}, {"999.1.1.1"}));
}

TEST(Certificate, FollowsTheServerProfile) {
  auto generated =
      GenerateSelfSignedCertificate({"hub.home.arpa", "localhost"}, {"192.168.1.20"}, 30);
  ASSERT_TRUE(generated) << generated.error().message;
  const camguard::testing::TempDir dir("cert-profile");
  const auto path = dir.path() / "cert.pem";
  std::ofstream(path) << generated->certificate_pem;
  const std::string in = " -in " + path.string();
  const std::string text = RunCommand(
                               "openssl x509 -noout -subject -serial -dates -ext "
                               "basicConstraints,keyUsage,extendedKeyUsage,subjectAltName" +
                               in)
                               .output;
  const int valid_for_29_days =
      RunCommand("openssl x509 -noout -checkend " + std::to_string(29 * 86400) + in).exit_code;
  const int valid_for_31_days =
      RunCommand("openssl x509 -noout -checkend " + std::to_string(31 * 86400) + in).exit_code;

  EXPECT_NE(text.find("CN = hub.home.arpa"), std::string::npos) << text;
  EXPECT_NE(text.find("X509v3 Basic Constraints: critical\n    CA:FALSE"), std::string::npos)
      << text;
  EXPECT_NE(text.find("X509v3 Key Usage: critical\n    Digital Signature\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS:hub.home.arpa, DNS:localhost, IP Address:192.168.1.20"),
            std::string::npos)
      << text;
  EXPECT_EQ(valid_for_29_days, 0) << "expires too early";
  EXPECT_EQ(valid_for_31_days, 1) << "valid beyond the requested 30 days";

  // notBefore is one hour in the past (slack for clients whose clocks lag).
  const std::size_t at = text.find("notBefore=");
  ASSERT_NE(at, std::string::npos);
  std::tm tm{};
  ASSERT_NE(::strptime(text.c_str() + at + 10, "%b %d %H:%M:%S %Y GMT", &tm), nullptr);
  const std::time_t not_before = ::timegm(&tm);
  const std::time_t now = std::time(nullptr);
  EXPECT_LE(std::abs(static_cast<long>(now - 3600 - not_before)), 120L);

  // A random 128-bit serial: up to 16 octets of hex (openssl drops DER's sign octet).
  const std::size_t serial_at = text.find("serial=");
  ASSERT_NE(serial_at, std::string::npos);
  const std::string serial = text.substr(serial_at + 7, text.find('\n', serial_at) - serial_at - 7);
  EXPECT_GE(serial.size(), 24U) << serial;  // shorter only with probability 2^-32
  EXPECT_LE(serial.size(), 32U) << serial;
}

TEST(Certificate, NamesThatAreNotHostNamesOrAddressesAreRefused) {
  for (const std::string& bad :
       {std::string(""), std::string("a b"), std::string("-lead.example"),
        std::string("trail-.example"), std::string("a..b"), std::string("x\0y", 3),
        std::string("h\xc3\xbc"
                    "b"),
        std::string(254, 'a'), std::string(64, 'a') + ".b", std::string("a,DNS:evil")}) {
    auto generated = GenerateSelfSignedCertificate({bad}, {});
    ASSERT_FALSE(generated) << bad;
    EXPECT_EQ(generated.error().code, base::ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(GenerateSelfSignedCertificate({"localhost"}, {"localhost"}));
  EXPECT_FALSE(GenerateSelfSignedCertificate({"localhost"}, {"10.0.0.1/8"}));
  EXPECT_FALSE(GenerateSelfSignedCertificate({"localhost"}, {}, 0));
  EXPECT_TRUE(GenerateSelfSignedCertificate({std::string(63, 'a') + ".example"}, {}));
}

TEST(Certificate, FingerprintAndNamesComeFromTheFirstCertificateOfAChain) {
  auto leaf = GenerateSelfSignedCertificate({"leaf.example"}, {});
  auto other = GenerateSelfSignedCertificate({"other.example"}, {});
  ASSERT_TRUE(leaf && other);
  const std::string chain = leaf->certificate_pem + other->certificate_pem;
  EXPECT_EQ(CertificateFingerprintSha256(chain).value(), leaf->sha256_fingerprint);
  EXPECT_EQ(CertificateSubjectAltNames(chain).value(),
            std::vector<std::string>{"DNS:leaf.example"});
  EXPECT_TRUE(CheckKeyMatchesCertificate(chain, leaf->private_key_pem));
  EXPECT_FALSE(CheckKeyMatchesCertificate(chain, other->private_key_pem));
}

TEST(Certificate, EncryptedPemIsRefusedWithoutPrompting) {
  auto generated = GenerateSelfSignedCertificate({"localhost"}, {});
  ASSERT_TRUE(generated);
  const camguard::testing::TempDir dir("cert-key");
  const auto path = dir.path() / "key.pem";
  std::ofstream(path) << generated->private_key_pem;
  const std::string encrypted =
      RunCommand("openssl pkey -aes256 -passout pass:secret </dev/null -in " + path.string())
          .output;
  ASSERT_NE(encrypted.find("ENCRYPTED PRIVATE KEY"), std::string::npos) << encrypted;
  auto checked = CheckKeyMatchesCertificate(generated->certificate_pem, encrypted);
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message.find("encrypted keys are not supported"), std::string::npos);
  // A certificate block with legacy encryption headers is an error too, not a passphrase prompt.
  EXPECT_FALSE(
      CertificateFingerprintSha256("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n"
                                   "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n"
                                   "AAAA\n-----END CERTIFICATE-----\n"));
}

}  // namespace
}  // namespace camguard::crypto
