// SPDX-License-Identifier: Apache-2.0
#include "http/message.h"

#include "base/strings.h"

namespace camguard::http {

std::optional<std::string_view> Request::Header(std::string_view lower_name) const {
  const auto it = headers.find(std::string(lower_name));
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->second);
}

void Response::SetHeader(std::string_view name, std::string_view value) {
  const std::string lower = base::ToLower(name);
  for (auto& [key, existing] : headers) {
    if (base::ToLower(key) == lower) {
      existing = std::string(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
}

void Response::AddHeader(std::string_view name, std::string_view value) {
  headers.emplace_back(std::string(name), std::string(value));
}

void Handler::HandleUpgrade(Request, UpgradeResponder respond) {
  Response response;
  response.status = 404;
  response.SetHeader("Content-Type", "application/json");
  response.body = R"({"error":{"code":"not_found","message":"no WebSocket endpoint here"}})";
  respond(std::move(response));
}

std::optional<std::string_view> Response::Header(std::string_view name) const {
  const std::string lower = base::ToLower(name);
  for (const auto& [key, value] : headers) {
    if (base::ToLower(key) == lower) return std::string_view(value);
  }
  return std::nullopt;
}

void ApplySecurityHeaders(Response& response) {
  response.SetHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  response.SetHeader(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
      "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
      "form-action 'self'; frame-ancestors 'none'");
  response.SetHeader("X-Frame-Options", "DENY");
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Referrer-Policy", "no-referrer");
  response.SetHeader("Cross-Origin-Opener-Policy", "same-origin");
  response.SetHeader("Cross-Origin-Resource-Policy", "same-origin");
  response.SetHeader("Permissions-Policy",
                     "camera=(), microphone=(), geolocation=(), interest-cohort=()");
  if (!response.Header("Cache-Control")) response.SetHeader("Cache-Control", "no-store");
}

}  // namespace camguard::http
