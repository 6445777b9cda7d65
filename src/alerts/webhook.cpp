// SPDX-License-Identifier: Apache-2.0
#include "alerts/webhook.h"

#include <memory>
#include <mutex>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>

#include "base/encoding.h"
#include "crypto/crypto.h"

namespace camguard::alerts {

base::Status ValidateWebhookUrl(std::string_view url) {
  if (url.size() > 2048) return base::Fail(base::ErrorCode::kInvalidArgument, "URL is too long");
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return base::Fail(base::ErrorCode::kInvalidArgument, "URL must start with https:// or http://");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return base::Fail(base::ErrorCode::kInvalidArgument, "URL contains whitespace");
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.front() == ':')
    return base::Fail(base::ErrorCode::kInvalidArgument, "URL has no host");
  if (authority.find('@') != std::string_view::npos)
    return base::Fail(base::ErrorCode::kInvalidArgument, "URL must not contain credentials");
  return base::Ok();
}

std::string WebhookSignature(std::string_view secret, std::int64_t timestamp_s,
                             std::string_view body) {
  const std::string signed_text = fmt::format("{}.{}", timestamp_s, body);
  return base::HexEncode(crypto::HmacSha256(secret, signed_text));
}

namespace {
std::size_t DiscardBody(char*, std::size_t size, std::size_t count, void*) { return size * count; }

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}
}  // namespace

WebhookResult PostWebhook(const WebhookRequest& request, std::chrono::milliseconds timeout) {
  GlobalInit();
  WebhookResult result;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) {
    result.detail = "cannot create an HTTP client";
    return result;
  }
  curl_slist* raw_headers = nullptr;
  const std::string timestamp = std::to_string(request.timestamp_s);
  const std::vector<std::string> header_lines = {
      "Content-Type: application/json",
      "User-Agent: camguard-webhook/1",
      "X-Camguard-Timestamp: " + timestamp,
      "X-Camguard-Signature: sha256=" +
          WebhookSignature(request.secret, request.timestamp_s, request.body),
      "X-Camguard-Delivery: " + request.delivery_id,
      "Expect:"};  // no 100-continue round trip
  for (const std::string& header : header_lines) {
    raw_headers = curl_slist_append(raw_headers, header.c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(raw_headers,
                                                                      &curl_slist_free_all);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is a failure, not a new target
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &DiscardBody);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    result.detail = code == CURLE_OPERATION_TIMEDOUT ? "timeout" : curl_easy_strerror(code);
    return result;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.http_status);
  result.delivered = result.http_status >= 200 && result.http_status < 300;
  result.detail = fmt::format("HTTP {}", result.http_status);
  return result;
}

}  // namespace camguard::alerts
