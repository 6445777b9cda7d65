// SPDX-License-Identifier: Apache-2.0
// The ONVIF client's HTTP transport over libcurl: one reusable connection per camera (the watch
// polls every second), HTTP Digest with the camera's credentials when the camera asks for it,
// bounded answers, no redirects, short timeouts. Not thread-safe: one per camera, used under
// that camera's lock.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/redacted.h"
#include "onvif/client.h"

namespace camguard::watch {

inline constexpr std::size_t kMaxOnvifAnswerBytes = 1 << 20;

class CurlTransport {
 public:
  CurlTransport(std::string username, base::Redacted<std::string> password,
                std::chrono::milliseconds timeout);
  ~CurlTransport();
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  base::Result<onvif::HttpExchange> Post(const std::string& url, std::string_view action,
                                         const std::string& body);
  // A GET (snapshots), same limits.
  base::Result<onvif::HttpExchange> Get(const std::string& url);

  // As the onvif::Client wants it; the transport must outlive the client.
  onvif::Transport AsTransport();

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  std::string username_;
  base::Redacted<std::string> password_;
  std::chrono::milliseconds timeout_;
};

}  // namespace camguard::watch
