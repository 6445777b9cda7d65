// SPDX-License-Identifier: Apache-2.0
// Rules a new password must meet (NIST SP 800-63B §5.1.1.2: length and a blocklist rather
// than composition rules).
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.h"

namespace camguard::auth {

inline constexpr std::size_t kMinPasswordCodePoints = 12;
inline constexpr std::size_t kMaxPasswordBytes = 256;

// Ok, or InvalidArgument with a user-facing message that never contains the password.
// Refuses passwords that:
//  - are longer than 256 bytes, not valid UTF-8, or contain control characters
//    (C0, DEL, C1);
//  - have fewer than 12 characters (Unicode code points);
//  - contain the username, ignoring ASCII case (only for usernames of 3 characters or more);
//  - are on the common-password list, or are such a password with digits, symbols or
//    spaces added before and/or after it ("password1234!");
//  - are one character repeated, or a simple run along the digits, the alphabet or a
//    keyboard row, forwards or backwards ("123456789012", "abcdefghijkl", "qwertyuiopas").
base::Status CheckPasswordPolicy(std::string_view password, std::string_view username);

// True if `password` is on the embedded common-password list, ignoring ASCII case.
bool IsCommonPassword(std::string_view password);

}  // namespace camguard::auth
