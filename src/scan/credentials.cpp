// SPDX-License-Identifier: Apache-2.0
#include "scan/credentials.h"

namespace camguard::scan {

const std::vector<CredentialPair>& CameraCredentials() {
  // Factory defaults of widespread camera and NVR firmware, and the passwords people set when
  // asked for "at least six characters"; admin first because nearly every camera uses it.
  static const std::vector<CredentialPair> kPairs = {
      {"admin", "admin"},     {"admin", ""},
      {"admin", "12345"},     {"admin", "123456"},
      {"admin", "password"},  {"admin", "888888"},
      {"admin", "1234"},      {"admin", "666666"},
      {"admin", "admin123"},  {"admin", "111111"},
      {"admin", "instar"},    {"admin", "4321"},
      {"admin", "meinsm"},    {"admin", "9999"},
      {"admin", "000000"},    {"root", "root"},
      {"root", "pass"},       {"root", "12345"},
      {"ubnt", "ubnt"},       {"supervisor", "supervisor"},
      {"service", "service"}, {"user", "user"},
      {"guest", "guest"},     {"Admin", "1234"},
  };
  return kPairs;
}

const std::vector<CredentialPair>& TelnetCredentials() {
  static const std::vector<CredentialPair> kPairs = {
      {"root", "xc3511"},     {"root", "vizxv"},    {"admin", "admin"},       {"root", "admin"},
      {"root", ""},           {"root", "root"},     {"root", "888888"},       {"root", "xmhdipc"},
      {"root", "default"},    {"root", "juantech"}, {"root", "123456"},       {"root", "54321"},
      {"root", "hi3518"},     {"root", "klv123"},   {"root", "anko"},         {"root", "12345"},
      {"support", "support"}, {"admin", ""},        {"root", "7ujMko0admin"}, {"root", "zlxx."},
  };
  return kPairs;
}

}  // namespace camguard::scan
