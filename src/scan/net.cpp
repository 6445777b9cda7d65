// SPDX-License-Identifier: Apache-2.0
#include "scan/net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/files.h"

namespace camguard::scan {

using base::ErrorCode;
using base::Fail;

namespace {

int RemainingMs(Deadline deadline) {
  const auto left = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now()).count();
  return static_cast<int>(std::clamp<std::int64_t>(left, 0, 600'000));
}

// Waits for `events` on `fd` until the deadline: true when ready, false on timeout.
base::Result<bool> WaitFor(int fd, short events, Deadline deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n > 0) return true;
    if (n == 0) {
      if (SteadyClock::now() >= deadline) return false;
      continue;
    }
    if (errno == EINTR) continue;
    return Fail(ErrorCode::kInternal, fmt::format("poll: {}", std::strerror(errno)));
  }
}

using Fd = base::UniqueFd;

base::Result<int> ConnectSocket(const Endpoint& endpoint, Deadline deadline) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return Fail(ErrorCode::kResourceExhausted, fmt::format("socket: {}", std::strerror(errno)));
  }
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(endpoint.port);
  addr.sin_addr.s_addr = htonl(endpoint.address);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) {
      return Fail(ErrorCode::kUnavailable, fmt::format("connect: {}", std::strerror(errno)));
    }
    CAMGUARD_TRY(const bool ready, WaitFor(fd.get(), POLLOUT, deadline));
    if (!ready) return Fail(ErrorCode::kDeadlineExceeded, "connect: timed out");
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      return Fail(ErrorCode::kUnavailable, fmt::format("connect: {}", std::strerror(error)));
    }
  }
  return fd.release();
}

class PlainStream final : public Stream {
 public:
  explicit PlainStream(int fd) : fd_(fd) {}

  base::Result<std::size_t> Read(char* data, std::size_t size, Deadline deadline) override {
    for (;;) {
      const ssize_t n = ::recv(fd_.get(), data, size, 0);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return std::size_t{0};
      if (errno != EAGAIN) {  // EWOULDBLOCK is the same value on Linux
        return Fail(ErrorCode::kUnavailable, fmt::format("recv: {}", std::strerror(errno)));
      }
      CAMGUARD_TRY(const bool ready, WaitFor(fd_.get(), POLLIN, deadline));
      if (!ready) return Fail(ErrorCode::kDeadlineExceeded, "no answer in time");
    }
  }

  base::Status Write(std::string_view data, Deadline deadline) override {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN) {
        return Fail(ErrorCode::kUnavailable, fmt::format("send: {}", std::strerror(errno)));
      }
      CAMGUARD_TRY(const bool ready, WaitFor(fd_.get(), POLLOUT, deadline));
      if (!ready) return Fail(ErrorCode::kDeadlineExceeded, "send: timed out");
    }
    return base::Ok();
  }

 private:
  Fd fd_;
};

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

std::string OpenSslErrorText() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "handshake refused";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

class TlsStream final : public Stream {
 public:
  TlsStream(int fd, std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx,
            std::unique_ptr<SSL, SslDeleter> ssl)
      : fd_(fd), ctx_(std::move(ctx)), ssl_(std::move(ssl)) {}

  // Drives an SSL call to completion against the deadline.
  template <typename Call>
  base::Result<int> Drive(Call call, Deadline deadline, std::string_view what) {
    for (;;) {
      ERR_clear_error();
      const int rc = call();
      if (rc > 0) return rc;
      const int error = SSL_get_error(ssl_.get(), rc);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        CAMGUARD_TRY(const bool ready,
                     WaitFor(fd_.get(), error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline));
        if (!ready) return Fail(ErrorCode::kDeadlineExceeded, fmt::format("{}: timed out", what));
        continue;
      }
      if (error == SSL_ERROR_ZERO_RETURN) return 0;
      if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return 0;  // closed without notify
      return Fail(ErrorCode::kUnavailable, fmt::format("{}: {}", what, OpenSslErrorText()));
    }
  }

  base::Status Handshake(Deadline deadline) {
    CAMGUARD_TRY(const int rc, Drive([&] { return SSL_connect(ssl_.get()); }, deadline, "TLS"));
    if (rc <= 0) return Fail(ErrorCode::kUnavailable, "TLS: closed during the handshake");
    return base::Ok();
  }

  base::Result<std::size_t> Read(char* data, std::size_t size, Deadline deadline) override {
    const int want = static_cast<int>(std::min<std::size_t>(size, 1 << 20));
    CAMGUARD_TRY(const int rc,
                 Drive([&] { return SSL_read(ssl_.get(), data, want); }, deadline, "TLS read"));
    return static_cast<std::size_t>(std::max(rc, 0));
  }

  base::Status Write(std::string_view data, Deadline deadline) override {
    while (!data.empty()) {
      const int want = static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20));
      CAMGUARD_TRY(const int rc, Drive([&] { return SSL_write(ssl_.get(), data.data(), want); },
                                       deadline, "TLS write"));
      if (rc <= 0) return Fail(ErrorCode::kUnavailable, "TLS write: closed");
      data.remove_prefix(static_cast<std::size_t>(rc));
    }
    return base::Ok();
  }

  SSL* ssl() const { return ssl_.get(); }

 private:
  Fd fd_;
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
};

}  // namespace

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(burst), tokens_(burst), last_(SteadyClock::now()) {}

std::chrono::microseconds RateLimiter::TryAcquire() {
  std::lock_guard lock(mutex_);
  const auto now = SteadyClock::now();
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed * per_second_);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::chrono::microseconds(0);
  }
  return std::chrono::microseconds(static_cast<std::int64_t>((1.0 - tokens_) / per_second_ * 1e6) +
                                   1);
}

void RateLimiter::Acquire() {
  for (;;) {
    const auto wait = TryAcquire();
    if (wait.count() == 0) return;
    std::this_thread::sleep_for(wait);
  }
}

base::Result<std::unique_ptr<Stream>> ConnectPlain(const Endpoint& endpoint, Millis timeout) {
  CAMGUARD_TRY(const int fd, ConnectSocket(endpoint, SteadyClock::now() + timeout));
  return std::unique_ptr<Stream>(std::make_unique<PlainStream>(fd));
}

base::Result<std::unique_ptr<Stream>> ConnectTls(const Endpoint& endpoint, Millis timeout,
                                                 const TlsRange& range, TlsSession* session) {
  const Deadline deadline = SteadyClock::now() + timeout;
  CAMGUARD_TRY(const int raw_fd, ConnectSocket(endpoint, deadline));
  Fd fd(raw_fd);
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return Fail(ErrorCode::kInternal, "SSL_CTX_new failed");
  // A probe must see what old cameras offer: every version and cipher OpenSSL still has.
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_cipher_list(ctx.get(), "ALL:@SECLEVEL=0");
  SSL_CTX_set_options(ctx.get(), SSL_OP_LEGACY_SERVER_CONNECT);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  if (SSL_CTX_set_min_proto_version(ctx.get(), range.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), range.max_version) != 1) {
    return Fail(ErrorCode::kInvalidArgument, "TLS version range not supported by OpenSSL");
  }
  std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) {
    return Fail(ErrorCode::kInternal, "SSL_new failed");
  }
  auto stream = std::make_unique<TlsStream>(fd.release(), std::move(ctx), std::move(ssl));
  CAMGUARD_TRY_STATUS(stream->Handshake(deadline));
  if (session != nullptr) {
    session->version = SSL_get_version(stream->ssl());
    const SSL_CIPHER* cipher = SSL_get_current_cipher(stream->ssl());
    session->cipher = cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "";
    session->certificate_der.clear();
    if (X509* cert = SSL_get1_peer_certificate(stream->ssl())) {
      const int length = i2d_X509(cert, nullptr);
      if (length > 0) {
        session->certificate_der.resize(static_cast<std::size_t>(length));
        auto* out = reinterpret_cast<unsigned char*>(session->certificate_der.data());
        i2d_X509(cert, &out);
      }
      X509_free(cert);
    }
  }
  return std::unique_ptr<Stream>(std::move(stream));
}

ProbeContext::ProbeContext(Ipv4 address, Millis timeout, RateLimiter& limiter,
                           std::function<void(const std::string&)> log)
    : address_(address),
      address_text_(FormatIpv4(address)),
      timeout_(timeout),
      limiter_(limiter),
      log_(std::move(log)) {}

void ProbeContext::Note(std::uint16_t port, std::string_view what) {
  ++probes_;
  if (log_) log_(fmt::format("{}:{} {}", address_text_, port, what));
}

base::Result<std::unique_ptr<Stream>> ProbeContext::Connect(std::uint16_t port, bool tls,
                                                            const TlsRange& range,
                                                            TlsSession* session) {
  limiter_.Acquire();
  ++probes_;
  const Endpoint endpoint{address_, port};
  if (tls) return ConnectTls(endpoint, timeout_, range, session);
  return ConnectPlain(endpoint, timeout_);
}

Conversation::Conversation(ProbeContext& context, std::uint16_t port, bool tls)
    : context_(context), port_(port), tls_(tls) {}

void Conversation::Close() {
  stream_.reset();
  buffer_.clear();
}

base::Result<Response> Conversation::Exchange(const std::string& request, std::string_view label,
                                              bool no_body) {
  const bool reused = stream_ != nullptr;
  auto response = ExchangeOnce(request, no_body);
  if (!response && reused && response.error().code == ErrorCode::kAborted) {
    Close();
    response = ExchangeOnce(request, no_body);
  }
  context_.Note(port_, response ? fmt::format("{} → {} {}", label, response->status,
                                              Printable(response->reason, 60))
                                : fmt::format("{} → {}", label, response.error().message));
  return response;
}

base::Result<Response> Conversation::ExchangeOnce(const std::string& request, bool no_body) {
  if (!stream_) {
    auto stream = context_.Connect(port_, tls_);
    if (!stream) return tl::unexpected(stream.error());
    stream_ = std::move(*stream);
    buffer_.clear();
  }
  const Deadline deadline = SteadyClock::now() + context_.timeout();
  if (auto written = stream_->Write(request, deadline); !written) {
    Close();
    // A kept-alive connection the peer already closed: the caller may retry on a new one.
    return Fail(ErrorCode::kAborted, written.error().message);
  }
  bool got_bytes = false;
  for (;;) {
    const ParseOutcome parsed = ParseResponse(buffer_, false, no_body);
    if (parsed.state == ParseState::kComplete) {
      Response response = parsed.response;
      buffer_.erase(0, parsed.consumed);
      const auto connection = response.Header("connection");
      if ((connection && connection->find("close") != std::string::npos) ||
          response.protocol == "HTTP/1.0") {
        Close();
      }
      return response;
    }
    if (parsed.state == ParseState::kError) {
      Close();
      return Fail(ErrorCode::kDataLoss, "unreadable answer: " + parsed.error);
    }
    char chunk[16384];
    auto n = stream_->Read(chunk, sizeof chunk, deadline);
    if (!n) {
      Close();
      return tl::unexpected(n.error());
    }
    if (*n == 0) {
      const ParseOutcome last = ParseResponse(buffer_, true, no_body);
      Close();
      if (last.state == ParseState::kComplete) return last.response;
      if (!got_bytes) return Fail(ErrorCode::kAborted, "connection closed without an answer");
      return Fail(ErrorCode::kDataLoss, "unreadable answer: " + last.error);
    }
    got_bytes = true;
    buffer_.append(chunk, *n);
  }
}

}  // namespace camguard::scan
