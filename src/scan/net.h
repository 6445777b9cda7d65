// SPDX-License-Identifier: Apache-2.0
// The audit's own transport: non-blocking IPv4 TCP connects bounded by a timeout, plain and TLS
// streams read and written against deadlines (poll), a token-bucket limiter every new
// connection passes through, and request/response conversations that keep a connection alive
// and reconnect once when the peer closed it. TLS here is a probe, not a protection: any
// version from 1.0, OpenSSL security level 0, no certificate verification.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"
#include "scan/target.h"
#include "scan/wire.h"

namespace camguard::scan {

using SteadyClock = std::chrono::steady_clock;
using Deadline = SteadyClock::time_point;
using Millis = std::chrono::milliseconds;

// Thread-safe token bucket: `per_second` new connections on average, bursts up to `burst`.
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst);
  // Takes a token, sleeping until one is there.
  void Acquire();
  // Takes a token if one is there (zero), or says how long until the next one.
  std::chrono::microseconds TryAcquire();

 private:
  std::mutex mutex_;
  double per_second_;
  double burst_;
  double tokens_;
  SteadyClock::time_point last_;
};

struct Endpoint {
  Ipv4 address = 0;
  std::uint16_t port = 0;
};

class Stream {
 public:
  virtual ~Stream() = default;
  // Bytes read; 0 when the peer closed. kDeadlineExceeded when nothing came in time.
  virtual base::Result<std::size_t> Read(char* data, std::size_t size, Deadline deadline) = 0;
  virtual base::Status Write(std::string_view data, Deadline deadline) = 0;
};

// kUnavailable when refused or unreachable, kDeadlineExceeded after `timeout`.
base::Result<std::unique_ptr<Stream>> ConnectPlain(const Endpoint& endpoint, Millis timeout);

// OpenSSL protocol version constants (TLS1_VERSION … TLS1_3_VERSION); 0 = no bound.
struct TlsRange {
  int min_version = 0;
  int max_version = 0;
};
struct TlsSession {
  std::string version;          // "TLSv1.2"
  std::string cipher;           // "ECDHE-RSA-AES128-GCM-SHA256"
  std::string certificate_der;  // the peer's leaf certificate
};
// TCP connect then a TLS handshake, both within `timeout`.
base::Result<std::unique_ptr<Stream>> ConnectTls(const Endpoint& endpoint, Millis timeout,
                                                 const TlsRange& range, TlsSession* session);

// What every probe of one host shares: the timeout, the limiter, the verbose log and the count.
class ProbeContext {
 public:
  ProbeContext(Ipv4 address, Millis timeout, RateLimiter& limiter,
               std::function<void(const std::string&)> log);
  Ipv4 address() const { return address_; }
  const std::string& address_text() const { return address_text_; }
  Millis timeout() const { return timeout_; }
  int probes() const { return probes_; }

  // Counts a probe and writes one line to the verbose log ("127.0.0.1:554 RTSP DESCRIBE …").
  void Note(std::uint16_t port, std::string_view what);
  bool verbose() const { return static_cast<bool>(log_); }

  base::Result<std::unique_ptr<Stream>> Connect(std::uint16_t port, bool tls,
                                                const TlsRange& range = {},
                                                TlsSession* session = nullptr);

 private:
  Ipv4 address_;
  std::string address_text_;
  Millis timeout_;
  RateLimiter& limiter_;
  std::function<void(const std::string&)> log_;
  int probes_ = 0;
};

// Request/response over one kept-alive connection (HTTP/1.1 or RTSP/1.0).
class Conversation {
 public:
  Conversation(ProbeContext& context, std::uint16_t port, bool tls);
  // Sends `request` and reads one response; when a reused connection turns out closed, connects
  // again and resends once. `label` names the request in the verbose log.
  base::Result<Response> Exchange(const std::string& request, std::string_view label,
                                  bool no_body = false);
  void Close();
  std::uint16_t port() const { return port_; }
  bool tls() const { return tls_; }

 private:
  base::Result<Response> ExchangeOnce(const std::string& request, bool no_body);

  ProbeContext& context_;
  std::uint16_t port_;
  bool tls_;
  std::unique_ptr<Stream> stream_;
  std::string buffer_;
};

}  // namespace camguard::scan
