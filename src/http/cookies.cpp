// SPDX-License-Identifier: Apache-2.0
#include "http/cookies.h"

#include "base/strings.h"

namespace camguard::http {

std::optional<std::string> FindCookie(std::string_view cookie_header, std::string_view name) {
  std::optional<std::string> found;
  int count = 0;
  for (std::string_view part : base::Split(cookie_header, ';')) {
    part = base::Trim(part);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (base::Trim(part.substr(0, eq)) != name) continue;
    std::string_view value = base::Trim(part.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    found = std::string(value);
    ++count;
  }
  if (count != 1) return std::nullopt;
  return found;
}

std::string HostCookie(std::string_view name, std::string_view value,
                       const CookieOptions& options) {
  std::string cookie;
  cookie.append(name).append("=").append(value).append(
      "; Path=/; Secure; HttpOnly; SameSite=Strict");
  if (options.max_age_seconds)
    cookie.append("; Max-Age=").append(std::to_string(*options.max_age_seconds));
  return cookie;
}

std::string ExpiredHostCookie(std::string_view name) {
  return HostCookie(name, "", CookieOptions{0});
}

bool IsSameOriginOrAllowed(const Request& request,
                           const std::vector<std::string>& allowed_origins) {
  if (const auto site = request.Header("sec-fetch-site");
      site && base::ToLower(*site) == "cross-site") {
    return false;
  }
  const auto origin = request.Header("origin");
  if (!origin) return true;
  const auto host = request.Header("host");
  const std::string lowered_origin = base::ToLower(*origin);
  if (host && lowered_origin == "https://" + base::ToLower(*host)) return true;
  for (const std::string& allowed : allowed_origins) {
    if (lowered_origin == base::ToLower(allowed)) return true;
  }
  return false;
}

}  // namespace camguard::http
