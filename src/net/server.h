// SPDX-License-Identifier: Apache-2.0
// The HTTPS listener of the hub (Boost.Beast over Asio, TLS 1.3 only). It turns wire bytes
// into http::Request values, hands them to an http::Handler on the loop thread, and writes the
// http::Response back with the security headers every response carries.
//
// Thread model: Run() drives one io_context on the calling thread (the loop). The handler, the
// responders and periodic tasks run there. RunBlocking work runs on a small pool and its `done`
// continuation is posted back to the loop. No Boost header leaks out of this file, so only
// net's own translation units pay Beast's compile cost.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "http/message.h"

namespace camguard::net {

struct ServerOptions {
  std::string host = "127.0.0.1";  // IP literal or a name the resolver knows ("localhost")
  std::uint16_t port = 8443;       // 0 = ephemeral, see Server::port()
  std::string certificate_pem;     // leaf first, then any intermediates
  std::string private_key_pem;     // unencrypted PEM
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 * 1024;
  base::Duration handshake_timeout = std::chrono::seconds(10);
  // From the first byte of a request to its last body byte (slowloris, slow bodies): 408.
  base::Duration request_timeout = std::chrono::seconds(15);
  base::Duration handler_timeout = std::chrono::seconds(60);    // the handler must answer by then
  base::Duration keepalive_timeout = std::chrono::seconds(60);  // idle time between requests
  base::Duration shutdown_grace = std::chrono::seconds(5);      // for in-flight requests on Stop
  std::size_t max_connections = 512;  // beyond: 503, and beyond a small margin: closed unanswered
  int blocking_threads = 2;
  // Source of the Date header (RFC 9110 §6.6.1); the system clock when null. Must outlive the
  // server and be safe to read from the loop thread.
  const base::Clock* clock = nullptr;
};

class Server {
 public:
  // Binds and listens. Fails with a clear message on a bad address, an address in use, or a
  // certificate/key pair that does not parse or does not match. From here on SIGINT and SIGTERM
  // are routed to this server (Run() stops on them) until it is destroyed.
  static base::Result<std::unique_ptr<Server>> Create(ServerOptions options,
                                                      http::Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;  // the bound port, also when ServerOptions::port was 0
  http::BlockingExecutor& blocking();
  void Post(std::function<void()> task);                          // thread-safe
  void Every(base::Duration period, std::function<void()> task);  // thread-safe; runs on the loop

  // Runs the loop until SIGTERM/SIGINT or Stop(); call once. Stopping closes the listener and
  // idle connections at once and gives in-flight requests `shutdown_grace` to finish.
  void Run();
  void Stop();  // thread-safe, also before Run()

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace camguard::net
