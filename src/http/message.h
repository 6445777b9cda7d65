// SPDX-License-Identifier: Apache-2.0
// Transport-independent HTTP messages. net/ turns wire bytes (via Boost.Beast) into a
// Request and a Response back into bytes; everything above works on these plain values,
// so routing, authorization and handlers are testable and fuzzable without sockets.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace camguard::http {

struct Request {
  std::string method;                          // upper case, e.g. "POST"
  std::string target;                          // raw request-target, e.g. "/api/v1/users?limit=5"
  std::map<std::string, std::string> headers;  // names lower-cased; repeated fields joined by ", "
  std::string body;
  std::string remote_address;  // peer IP address as text

  std::optional<std::string_view> Header(std::string_view lower_name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the transport sends this file as the body instead of `body` (large downloads such
  // as exports never sit in memory). The file must exist; if it cannot be opened the client gets
  // a 500.
  std::optional<std::filesystem::path> body_file;

  void SetHeader(std::string_view name, std::string_view value);
  void AddHeader(std::string_view name, std::string_view value);
  std::optional<std::string_view> Header(std::string_view name) const;  // case-insensitive
};

// Completes a request; may be called from the loop thread only, exactly once.
using Responder = std::function<void(Response)>;

// Runs `work` on a blocking-work pool and then `done` back on the loop thread. Handlers use
// it for Argon2id so the event loop never stalls.
class BlockingExecutor {
 public:
  virtual ~BlockingExecutor() = default;
  virtual void RunBlocking(std::function<void()> work, std::function<void()> done) = 0;
};

// Everything above the transport implements this. Thread: loop only.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void Handle(Request request, Responder respond) = 0;
};

// Headers added to every response, whatever produced it (RFC 6797 HSTS, CSP Level 3).
void ApplySecurityHeaders(Response& response);

}  // namespace camguard::http
