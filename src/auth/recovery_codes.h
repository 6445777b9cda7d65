// SPDX-License-Identifier: Apache-2.0
// One-time recovery codes for accounts with TOTP: shown once, stored only as hashes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace camguard::auth {

// `count` distinct codes such as "k7d2m-q9xfp": 10 characters of the lower-case RFC 4648
// base32 alphabet (50 random bits each), a dash after the fifth. Empty for count <= 0.
std::vector<std::string> GenerateRecoveryCodes(int count = 10);

// The form codes are hashed and compared in: ASCII lower case, without spaces, tabs and
// dashes, so "K7D2M Q9XFP" and "k7d2m-q9xfp" are the same code. Other bytes are kept, so a
// mistyped code stays wrong.
std::string NormalizeRecoveryCode(std::string_view input);

}  // namespace camguard::auth
