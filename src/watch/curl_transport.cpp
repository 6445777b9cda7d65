// SPDX-License-Identifier: Apache-2.0
#include "watch/curl_transport.h"

#include <mutex>

#include <curl/curl.h>

namespace camguard::watch {
namespace {

using base::ErrorCode;
using base::Fail;

struct Sink {
  std::string body;
  bool overflow = false;
};

std::size_t Collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  if (sink->body.size() + bytes > kMaxOnvifAnswerBytes) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->body.append(data, bytes);
  return bytes;
}

}  // namespace

struct CurlTransport::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

CurlTransport::CurlTransport(std::string username, base::Redacted<std::string> password,
                             std::chrono::milliseconds timeout)
    : handle_(std::make_unique<Handle>()),
      username_(std::move(username)),
      password_(std::move(password)),
      timeout_(timeout) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlTransport::~CurlTransport() = default;

namespace {
base::Result<onvif::HttpExchange> Perform(CURL* c, const std::string& url, curl_slist* headers,
                                          const std::string* body, const std::string& username,
                                          const std::string& password,
                                          std::chrono::milliseconds timeout) {
  Sink sink;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (body != nullptr) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  // Digest only, and only when the camera answers 401: never Basic, which would send the
  // password in clear to anything that asks.
  curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
  curl_easy_setopt(c, CURLOPT_USERNAME, username.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
  const CURLcode code = curl_easy_perform(c);
  if (sink.overflow) return Fail(ErrorCode::kInvalidArgument, "camera answer too large");
  if (code != CURLE_OK) {
    return Fail(
        code == CURLE_OPERATION_TIMEDOUT ? ErrorCode::kDeadlineExceeded : ErrorCode::kUnavailable,
        std::string("camera unreachable: ") + curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  return onvif::HttpExchange{static_cast<int>(status), std::move(sink.body)};
}
}  // namespace

base::Result<onvif::HttpExchange> CurlTransport::Post(const std::string& url,
                                                      std::string_view action,
                                                      const std::string& body) {
  if (handle_->curl == nullptr) handle_->curl = curl_easy_init();
  if (handle_->curl == nullptr) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  curl_easy_reset(handle_->curl);
  const std::string type =
      "Content-Type: application/soap+xml; charset=utf-8; action=\"" + std::string(action) + "\"";
  curl_slist* headers = curl_slist_append(nullptr, type.c_str());
  headers = curl_slist_append(headers, "Expect:");
  auto result =
      Perform(handle_->curl, url, headers, &body, username_, password_.Reveal(), timeout_);
  curl_slist_free_all(headers);
  return result;
}

base::Result<onvif::HttpExchange> CurlTransport::Get(const std::string& url) {
  if (handle_->curl == nullptr) handle_->curl = curl_easy_init();
  if (handle_->curl == nullptr) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  curl_easy_reset(handle_->curl);
  auto result =
      Perform(handle_->curl, url, nullptr, nullptr, username_, password_.Reveal(), timeout_);
  return result;
}

onvif::Transport CurlTransport::AsTransport() {
  return [this](const std::string& url, std::string_view action, const std::string& body) {
    return Post(url, action, body);
  };
}

}  // namespace camguard::watch
