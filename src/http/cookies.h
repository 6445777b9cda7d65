// SPDX-License-Identifier: Apache-2.0
// Cookie and Origin helpers (RFC 6265 §4.2 Cookie header, RFC 6454 origins).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace camguard::http {

// The value of cookie `name` in a Cookie header, if present exactly once. A cookie that appears
// twice is treated as absent: a sibling subdomain could otherwise shadow ours.
std::optional<std::string> FindCookie(std::string_view cookie_header, std::string_view name);

struct CookieOptions {
  std::optional<long long> max_age_seconds;  // nullopt: session cookie
};
// Set-Cookie value for a `__Host-` cookie: Secure, HttpOnly, SameSite=Strict, Path=/, no Domain.
std::string HostCookie(std::string_view name, std::string_view value, const CookieOptions& options);
std::string ExpiredHostCookie(std::string_view name);

// True when the request's Origin (if any) is https://<Host> or one of `allowed_origins`, and
// Sec-Fetch-Site (if any) is not cross-site. Requests without Origin pass (non-browser clients).
bool IsSameOriginOrAllowed(const Request& request, const std::vector<std::string>& allowed_origins);

}  // namespace camguard::http
