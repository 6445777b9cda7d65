// SPDX-License-Identifier: Apache-2.0
#include "auth/recovery_codes.h"

#include <algorithm>

#include "crypto/crypto.h"

namespace camguard::auth {
namespace {

// RFC 4648 base32 alphabet, lower case. It has no 0, 1, 8 or 9, which are easily mistaken for
// o, l, b and g when a code is read off paper.
constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr int kCharacters = 10;

std::string RandomCode() {
  std::string code;
  code.reserve(kCharacters + 1);
  for (int i = 0; i < kCharacters; ++i) {
    if (i == kCharacters / 2) code += '-';
    code += kAlphabet[crypto::RandomUniform(static_cast<std::uint32_t>(kAlphabet.size()))];
  }
  return code;
}

}  // namespace

std::vector<std::string> GenerateRecoveryCodes(int count) {
  std::vector<std::string> codes;
  if (count <= 0) return codes;
  codes.reserve(static_cast<std::size_t>(count));
  while (codes.size() < static_cast<std::size_t>(count)) {
    std::string code = RandomCode();
    // A repeat within one set is astronomically unlikely (2^-50 per pair), but a duplicate
    // would silently turn two codes into one, so it is cheap to rule out.
    if (std::find(codes.begin(), codes.end(), code) == codes.end())
      codes.push_back(std::move(code));
  }
  return codes;
}

std::string NormalizeRecoveryCode(std::string_view input) {
  std::string out;
  out.reserve(input.size());
  for (char c : input) {
    if (c == ' ' || c == '\t' || c == '-') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

}  // namespace camguard::auth
