// SPDX-License-Identifier: Apache-2.0
// Transport-independent HTTP messages. net/ turns wire bytes (via Boost.Beast) into a
// Request and a Response back into bytes; everything above works on these plain values,
// so routing, authorization and handlers are testable and fuzzable without sockets.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
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

// An open WebSocket (RFC 6455), implemented by the transport. Thread-safe: Send and Close may be
// called from any thread (the live-video path calls from the streaming engine's thread).
class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  // Queues one message. Refused (false, nothing queued) when the peer is behind by more than
  // kMaxWebSocketQueue bytes or the socket is closed: the caller decides what to skip.
  virtual bool Send(std::string message, bool binary) = 0;
  virtual std::size_t queued_bytes() const = 0;
  virtual void Close() = 0;  // a normal closure (1000)
};
inline constexpr std::size_t kMaxWebSocketQueue = 8 * 1024 * 1024;

// One accepted WebSocket connection, implemented above the transport. Called on the loop thread.
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  virtual void OnOpen(std::shared_ptr<WebSocketChannel> channel) = 0;
  virtual void OnMessage(std::string message, bool binary) = 0;
  virtual void OnClose() = 0;  // exactly once, after OnOpen
};

// The answer to an upgrade request: an HTTP response (a refusal), or the session to run.
using UpgradeAnswer = std::variant<Response, std::shared_ptr<WebSocketSession>>;
using UpgradeResponder = std::function<void(UpgradeAnswer)>;

// Everything above the transport implements this. Thread: loop only.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void Handle(Request request, Responder respond) = 0;
  // A GET with "Upgrade: websocket". The default refuses with 404.
  virtual void HandleUpgrade(Request request, UpgradeResponder respond);
};

// Headers added to every response, whatever produced it (RFC 6797 HSTS, CSP Level 3).
void ApplySecurityHeaders(Response& response);

}  // namespace camguard::http
