// SPDX-License-Identifier: Apache-2.0
// Authorization header values for the credential checks: Basic (RFC 7617) and Digest
// (RFC 7616 / RFC 2617: MD5, MD5-sess and SHA-256, with or without qop=auth), the forms IP
// cameras speak on HTTP and RTSP alike. Pure apart from nothing: the caller gives the cnonce.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scan/wire.h"

namespace camguard::scan {

std::string BasicAuthorization(std::string_view username, std::string_view password);

// nullopt when the challenge asks for an algorithm or qop we cannot answer.
std::optional<std::string> DigestAuthorization(const Challenge& challenge,
                                               std::string_view username, std::string_view password,
                                               std::string_view method, std::string_view uri,
                                               std::string_view cnonce, unsigned nonce_count = 1);

std::string Md5Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);

}  // namespace camguard::scan
