// SPDX-License-Identifier: Apache-2.0
#include "crypto/certificate.h"

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/clock.h"
#include "base/strings.h"

namespace camguard::crypto {

using base::ErrorCode;
using base::Fail;

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

std::string OpenSslError(std::string_view what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(what);
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return fmt::format("{}: {}", what, text);
}

// PEM blocks can be marked encrypted; without this callback OpenSSL would prompt for a
// passphrase on the terminal. Refusing makes such input a plain parse error.
int NoPassphrase(char*, int, int, void*) { return -1; }

Bio MemoryBio(std::string_view data) {
  return Bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

base::Result<X509Ptr> ReadCertificate(std::string_view pem) {
  if (pem.size() > (1 << 20))
    return Fail(ErrorCode::kInvalidArgument, "certificate PEM is too large");
  Bio bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!cert) return Fail(ErrorCode::kInvalidArgument, OpenSslError("not a PEM certificate"));
  return cert;
}

base::Result<std::string> Pem(int (*write)(BIO*, void*), void* object) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get(), object) != 1)
    return Fail(ErrorCode::kInternal, OpenSslError("cannot write PEM"));
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (data == nullptr || size <= 0) return Fail(ErrorCode::kInternal, "cannot write PEM");
  std::string out(data, static_cast<std::size_t>(size));
  OPENSSL_cleanse(data, static_cast<std::size_t>(size));  // the buffer may hold the private key
  return out;
}

base::Status AddExtension(X509* cert, int nid, bool critical, void* value) {
  ExtPtr ext(X509V3_EXT_i2d(nid, critical ? 1 : 0, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Fail(ErrorCode::kInternal, OpenSslError("cannot add certificate extension"));
  }
  return base::Ok();
}

// RFC 1123 §2.1 host names (letters, digits, hyphens; labels of 1..63 characters, not starting
// or ending with a hyphen; at most 253 characters), case-insensitive. Anything else would either
// be refused by clients or smuggle odd bytes into the certificate.
bool IsHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (std::string_view label : base::Split(name, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
  }
  return true;
}

base::Status PushName(GENERAL_NAMES* names, int type, ASN1_STRING* value) {
  std::unique_ptr<ASN1_STRING, Deleter<ASN1_STRING, ASN1_STRING_free>> owned(value);
  std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME, GENERAL_NAME_free>> entry(GENERAL_NAME_new());
  if (!owned || !entry) return Fail(ErrorCode::kInternal, OpenSslError("out of memory"));
  GENERAL_NAME_set0_value(entry.get(), type, owned.release());
  if (sk_GENERAL_NAME_push(names, entry.get()) == 0)
    return Fail(ErrorCode::kInternal, OpenSslError("out of memory"));
  entry.release();  // owned by `names` now
  return base::Ok();
}

std::string Fingerprint(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(cert, EVP_sha256(), digest, &length);
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    if (i > 0) out += ':';
    out += fmt::format("{:02X}", digest[i]);
  }
  return out;
}

}  // namespace

base::Result<GeneratedCertificate> GenerateSelfSignedCertificate(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
    int valid_days) {
  if (dns_names.empty())
    return Fail(ErrorCode::kInvalidArgument, "a certificate needs at least one DNS name");
  for (const std::string& dns : dns_names) {
    if (!IsHostName(dns)) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("'{}' is not a valid DNS name", dns.substr(0, 64)));
    }
  }
  if (valid_days < 1 || valid_days > 3650)
    return Fail(ErrorCode::kInvalidArgument, "validity out of range");
  NamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return Fail(ErrorCode::kInternal, OpenSslError("out of memory"));
  for (const std::string& dns : dns_names) {
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    if (text != nullptr && ASN1_STRING_set(text, dns.data(), static_cast<int>(dns.size())) != 1) {
      ASN1_IA5STRING_free(text);
      text = nullptr;
    }
    CAMGUARD_TRY_STATUS(PushName(names.get(), GEN_DNS, text));
  }
  for (const std::string& ip : ip_addresses) {
    unsigned char raw[16];
    int length = 0;
    if (::inet_pton(AF_INET, ip.c_str(), raw) == 1) {
      length = 4;
    } else if (::inet_pton(AF_INET6, ip.c_str(), raw) == 1) {
      length = 16;
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("'{}' is not an IP address", ip.substr(0, 64)));
    }
    ASN1_OCTET_STRING* octets = ASN1_OCTET_STRING_new();
    if (octets != nullptr && ASN1_OCTET_STRING_set(octets, raw, length) != 1) {
      ASN1_OCTET_STRING_free(octets);
      octets = nullptr;
    }
    CAMGUARD_TRY_STATUS(PushName(names.get(), GEN_IPADD, octets));
  }

  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return Fail(ErrorCode::kInternal, OpenSslError("cannot generate an EC P-256 key"));
  X509Ptr cert(X509_new());
  if (!cert) return Fail(ErrorCode::kInternal, OpenSslError("X509_new"));

  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) {
    return Fail(ErrorCode::kInternal, OpenSslError("RAND_bytes"));
  }
  // 128 random bits read as an unsigned number: always non-negative, and DER adds a leading
  // zero octet when the top bit is set, so the serial stays within RFC 5280 §4.1.2.2's 20 octets.
  BignumPtr serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));

  // The time comes from base's clock, like every other reading of the current time.
  std::time_t now = std::chrono::system_clock::to_time_t(base::SystemClock().Now());
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string& common_name = dns_names.front();  // at most 253 bytes, but CN allows only 64
  const bool built =
      X509_set_version(cert.get(), X509_VERSION_3) == 1 && serial &&
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr &&
      // One hour of slack for clients whose clocks run slightly behind.
      X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -3600, &now) != nullptr &&
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), valid_days, 0, &now) != nullptr &&
      X509_set_pubkey(cert.get(), key.get()) == 1 &&
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("camguard"), -1, -1,
                                 0) == 1 &&
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.data()),
          static_cast<int>(std::min<std::size_t>(common_name.size(), 64)), -1, 0) == 1 &&
      X509_set_issuer_name(cert.get(), name) == 1;
  if (!built) return Fail(ErrorCode::kInternal, OpenSslError("cannot build the certificate"));
  CAMGUARD_TRY_STATUS(AddExtension(cert.get(), NID_subject_alt_name, false, names.get()));

  std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>>
      constraints(BASIC_CONSTRAINTS_new());
  if (!constraints) return Fail(ErrorCode::kInternal, OpenSslError("out of memory"));
  constraints->ca = 0;
  CAMGUARD_TRY_STATUS(AddExtension(cert.get(), NID_basic_constraints, true, constraints.get()));

  std::unique_ptr<ASN1_BIT_STRING, Deleter<ASN1_BIT_STRING, ASN1_BIT_STRING_free>> usage(
      ASN1_BIT_STRING_new());
  if (!usage || ASN1_BIT_STRING_set_bit(usage.get(), 0, 1) != 1) {  // bit 0: digitalSignature
    return Fail(ErrorCode::kInternal, OpenSslError("out of memory"));
  }
  CAMGUARD_TRY_STATUS(AddExtension(cert.get(), NID_key_usage, true, usage.get()));

  std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>>
      extended(sk_ASN1_OBJECT_new_null());
  if (!extended || sk_ASN1_OBJECT_push(extended.get(), OBJ_nid2obj(NID_server_auth)) == 0) {
    return Fail(ErrorCode::kInternal, OpenSslError("out of memory"));
  }
  CAMGUARD_TRY_STATUS(AddExtension(cert.get(), NID_ext_key_usage, false, extended.get()));

  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return Fail(ErrorCode::kInternal, OpenSslError("cannot sign the certificate"));
  }
  GeneratedCertificate out;
  CAMGUARD_TRY(out.certificate_pem,
               Pem([](BIO* b, void* x) { return PEM_write_bio_X509(b, static_cast<X509*>(x)); },
                   cert.get()));
  CAMGUARD_TRY(out.private_key_pem, Pem(
                                        [](BIO* b, void* k) {
                                          // PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted: the caller
                                          // stores it with mode 0600.
                                          return PEM_write_bio_PrivateKey(
                                              b, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0,
                                              nullptr, nullptr);
                                        },
                                        key.get()));
  out.sha256_fingerprint = Fingerprint(cert.get());
  return out;
}

base::Result<std::string> CertificateFingerprintSha256(std::string_view certificate_pem) {
  CAMGUARD_TRY(X509Ptr cert, ReadCertificate(certificate_pem));
  return Fingerprint(cert.get());
}

base::Result<std::vector<std::string>> CertificateSubjectAltNames(
    std::string_view certificate_pem) {
  CAMGUARD_TRY(X509Ptr cert, ReadCertificate(certificate_pem));
  NamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> out;
  if (!names) {
    ERR_clear_error();  // no extension, or one that does not decode: no names
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(names.get(), i);
    if (entry->type == GEN_DNS) {
      const ASN1_IA5STRING* text = entry->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                                         static_cast<std::size_t>(ASN1_STRING_length(text))));
    } else if (entry->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* octets = entry->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      const int length = ASN1_STRING_length(octets);
      const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : -1;
      if (family < 0 ||
          ::inet_ntop(family, ASN1_STRING_get0_data(octets), text, sizeof(text)) == nullptr)
        continue;
      out.push_back(std::string("IP:") + text);
    }
  }
  return out;
}

base::Status CheckKeyMatchesCertificate(std::string_view certificate_pem,
                                        std::string_view private_key_pem) {
  CAMGUARD_TRY(X509Ptr cert, ReadCertificate(certificate_pem));
  if (private_key_pem.size() > (1 << 20))
    return Fail(ErrorCode::kInvalidArgument, "private key PEM is too large");
  Bio bio = MemoryBio(private_key_pem);
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    return Fail(ErrorCode::kInvalidArgument,
                OpenSslError("not a PEM private key (encrypted keys are not supported)"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Fail(ErrorCode::kInvalidArgument, "the private key does not belong to the certificate");
  }
  return base::Ok();
}

}  // namespace camguard::crypto
