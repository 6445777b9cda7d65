// SPDX-License-Identifier: Apache-2.0
#include "scan/certificate_check.h"

#include <ctime>
#include <memory>

#include <fmt/format.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "scan/wire.h"

namespace camguard::scan {
namespace {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};

std::string FormatAsn1Time(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return {};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

CertificateAssessment AssessCertificate(std::string_view der, base::WallTime now) {
  CertificateAssessment out;
  const auto* data = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, X509Deleter> cert(d2i_X509(nullptr, &data, static_cast<long>(der.size())));
  if (!cert) return out;
  out.parsed = true;

  char name[512] = {};
  X509_NAME_oneline(X509_get_subject_name(cert.get()), name, sizeof name);
  out.subject = Printable(name, 120);
  out.not_after = FormatAsn1Time(X509_get0_notAfter(cert.get()));

  std::time_t when = std::chrono::system_clock::to_time_t(now);
  out.expired = X509_cmp_time(X509_get0_notAfter(cert.get()), &when) < 0;
  out.not_yet_valid = X509_cmp_time(X509_get0_notBefore(cert.get()), &when) > 0;

  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key != nullptr) {
    out.key_bits = EVP_PKEY_get_bits(key);
    switch (EVP_PKEY_get_base_id(key)) {
      case EVP_PKEY_RSA:
      case EVP_PKEY_RSA_PSS:
        out.key_type = "RSA";
        out.weak_key = out.key_bits < 2048;
        break;
      case EVP_PKEY_DSA:
        out.key_type = "DSA";
        out.weak_key = out.key_bits < 2048;
        break;
      case EVP_PKEY_EC:
        out.key_type = "EC";
        out.weak_key = out.key_bits < 224;
        break;
      case EVP_PKEY_ED25519: out.key_type = "Ed25519"; break;
      case EVP_PKEY_ED448: out.key_type = "Ed448"; break;
      default: out.key_type = "other"; break;
    }
    // Issuer = subject and signed by its own key. (X509_check_issued would also demand the
    // keyCertSign usage, which end-entity certificates such as the hub's do not carry.)
    out.self_signed =
        X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())) == 0 &&
        X509_verify(cert.get(), key) == 1;
  }

  int md_nid = NID_undef;
  int pk_nid = NID_undef;
  if (OBJ_find_sigid_algs(X509_get_signature_nid(cert.get()), &md_nid, &pk_nid) == 1 &&
      md_nid != NID_undef) {
    const char* sn = OBJ_nid2sn(md_nid);
    out.signature_hash = sn != nullptr ? sn : "";
    // A self-signed certificate's own signature proves nothing either way: trust comes from
    // the key itself, so its hash does not matter.
    out.weak_signature = !out.self_signed && (md_nid == NID_md5 || md_nid == NID_sha1 ||
                                              md_nid == NID_md4 || md_nid == NID_md2);
  }
  return out;
}

}  // namespace camguard::scan
