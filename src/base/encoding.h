// SPDX-License-Identifier: Apache-2.0
// Text encodings of bytes. Decoders are total: any input gives bytes or an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace camguard::base {

using Bytes = std::vector<std::uint8_t>;

std::string HexEncode(std::string_view bytes);
Result<std::string> HexDecode(std::string_view hex);

// RFC 4648 base64 with padding, and base64url without padding (cookies, tokens).
std::string Base64Encode(std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);
Result<std::string> Base64UrlDecode(std::string_view text);
// Standard alphabet with '=' padding (RFC 4648 section 4); whitespace is not allowed.
Result<std::string> Base64Decode(std::string_view text);

// RFC 4648 base32 (TOTP secrets), upper case, no padding on output; decoding accepts
// lower case, spaces and padding as authenticator apps print them.
std::string Base32Encode(std::string_view bytes);
Result<std::string> Base32Decode(std::string_view text);

// Percent-encoding for otpauth:// URIs and query strings (RFC 3986 unreserved kept).
std::string PercentEncode(std::string_view text);
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace camguard::base
