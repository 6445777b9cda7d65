// SPDX-License-Identifier: Apache-2.0
// Webhook delivery: a JSON POST signed with HMAC-SHA256 so the receiver can check it came from
// this hub and was not replayed. Headers:
//   X-Camguard-Timestamp: <Unix seconds>
//   X-Camguard-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//   X-Camguard-Delivery: <delivery id, the same for every retry of one alert>
// Blocking (libcurl); called from the alert hub's worker thread only.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace camguard::alerts {

// Checks a webhook URL the owner enters: http:// or https://, a host, at most 2048 characters,
// no user info and no whitespace.
base::Status ValidateWebhookUrl(std::string_view url);

std::string WebhookSignature(std::string_view secret, std::int64_t timestamp_s,
                             std::string_view body);

struct WebhookRequest {
  std::string url;
  std::string body;  // JSON
  std::string secret;
  std::int64_t timestamp_s = 0;
  std::string delivery_id;
};

struct WebhookResult {
  bool delivered = false;  // a 2xx answer
  long http_status = 0;    // 0 when no HTTP answer came
  std::string detail;      // "HTTP 500", "timeout", ... (never the secret)
};

// One attempt: no redirects followed, only http and https, certificate checked for https.
WebhookResult PostWebhook(const WebhookRequest& request, std::chrono::milliseconds timeout);

}  // namespace camguard::alerts
