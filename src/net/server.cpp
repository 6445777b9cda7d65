// SPDX-License-Identifier: Apache-2.0
// Beast's HTTP/1.1 parser and Asio's TLS stream, driven by callbacks on the one loop thread.
// Each Connection reads one request at a time (no pipelining), so at most one handler call per
// connection is in flight and the response order is trivially right.
#include "net/server.h"

#include <openssl/ssl.h>

#include <csignal>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include "base/strings.h"

namespace camguard::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using base::ErrorCode;
using base::Fail;

namespace {

// Server-generated errors use the API's error shape; the texts are fixed, so no escaping.
camguard::http::Response ErrorReply(int status, std::string_view code, std::string_view message) {
  camguard::http::Response response;
  response.status = status;
  response.body = fmt::format(R"({{"error":{{"code":"{}","message":"{}"}}}})", code, message);
  response.SetHeader("Content-Type", "application/json");
  return response;
}

std::string PeerAddress(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

}  // namespace

class Server::Impl final : public camguard::http::BlockingExecutor {
 public:
  Impl(ServerOptions options, camguard::http::Handler& handler)
      : options_(std::move(options)),
        handler_(handler),
        tls_(asio::ssl::context::tls_server),
        acceptor_(loop_),
        signals_(loop_),
        pool_(static_cast<std::size_t>(std::max(1, options_.blocking_threads))),
        shutdown_timer_(loop_) {}

  base::Status Start();
  void Run();
  void Stop() {
    asio::post(loop_, [this] { BeginShutdown(); });
  }
  void Post(std::function<void()> task) { asio::post(loop_, std::move(task)); }
  void Every(base::Duration period, std::function<void()> task);
  std::uint16_t port() const { return port_; }

  void RunBlocking(std::function<void()> work, std::function<void()> done) override {
    asio::post(pool_, [this, work = std::move(work), done = std::move(done)]() mutable {
      work();
      asio::post(loop_, std::move(done));
    });
  }

  ~Impl() override {
    pool_.stop();
    pool_.join();
  }

  class Connection;

  const ServerOptions& options() const { return options_; }
  camguard::http::Handler& handler() { return handler_; }
  bool stopping() const { return stopping_; }
  void Register(Connection* connection) { connections_.insert(connection); }
  void Unregister(Connection* connection);

 private:
  void Accept();
  void BeginShutdown();

  ServerOptions options_;
  camguard::http::Handler& handler_;
  asio::io_context loop_{1};
  asio::ssl::context tls_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::thread_pool pool_;
  asio::steady_timer shutdown_timer_;
  std::vector<std::unique_ptr<asio::steady_timer>> periodic_;
  std::vector<std::shared_ptr<std::function<void(boost::system::error_code)>>> periodic_ticks_;
  std::unordered_set<Connection*> connections_;
  std::uint16_t port_ = 0;
  bool stopping_ = false;
};

class Server::Impl::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Impl& server, tcp::socket socket, bool over_capacity)
      : server_(server),
        address_(PeerAddress(socket)),
        stream_(std::move(socket), server.tls_),
        timer_(stream_.get_executor()),
        over_capacity_(over_capacity) {
    server_.Register(this);
  }
  ~Connection() { server_.Unregister(this); }

  void Start() {
    Arm(server_.options().handshake_timeout, Phase::kHandshake);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
  }

  // The server is stopping: idle connections close now, busy ones after their response.
  void OnServerStop() {
    close_after_response_ = true;
    // A pending read or handshake completes with operation_aborted and then closes.
    if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake) beast::get_lowest_layer(stream_).cancel();
  }

 private:
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kClosing, kClosed };

  void Arm(base::Duration timeout, Phase phase) {
    phase_ = phase;
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(), phase](beast::error_code ec) {
      if (!ec) self->OnTimeout(phase);
    });
  }

  void OnTimeout(Phase phase) {
    if (phase != phase_) return;
    switch (phase_) {
      case Phase::kHandshake:
      case Phase::kIdle:
      case Phase::kReading:
      case Phase::kWriting:
        // Cancel the pending operation; its completion handler decides (408 for a request
        // that started to arrive but stalled — slowloris — and a plain close otherwise).
        timed_out_ = true;
        beast::get_lowest_layer(stream_).cancel();
        break;
      case Phase::kHandling:
        Respond(ErrorReply(503, "timeout", "the request took too long"), /*force_close=*/true);
        break;
      case Phase::kClosing:
      case Phase::kClosed:
        break;
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Abort();  // not TLS 1.3, plain HTTP, a scanner, or too slow: nothing to answer
    if (over_capacity_) {
      return Respond(ErrorReply(503, "overloaded", "too many connections; retry later"), true);
    }
    ReadHeader();
  }

  void ReadHeader() {
    if (server_.stopping()) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
    parser_->body_limit(server_.options().max_body_bytes);
    timed_out_ = false;
    // The first request must arrive within the request deadline; later ones may wait for the
    // keep-alive deadline.
    Arm(requests_ == 0 ? server_.options().request_timeout : server_.options().keepalive_timeout, Phase::kIdle);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    ++requests_;
    const auto& header = parser_->get();
    if (bhttp::token_list(header[bhttp::field::connection]).exists("upgrade") ||
        header.count(bhttp::field::upgrade) > 0) {
      return Respond(ErrorReply(404, "not_found", "WebSocket endpoints are not available"), true);
    }
    if (header.count(bhttp::field::transfer_encoding) > 0 && !parser_->chunked()) {
      return Respond(ErrorReply(400, "invalid_request", "unsupported Transfer-Encoding"), true);
    }
    const auto length = parser_->content_length();
    if (length && *length > server_.options().max_body_bytes) {
      return Respond(ErrorReply(413, "payload_too_large",
                                fmt::format("the request body is larger than {} bytes",
                                            server_.options().max_body_bytes)),
                     true);
    }
    const auto expect = header[bhttp::field::expect];
    if (!expect.empty()) {
      if (!beast::iequals(expect, "100-continue")) {
        return Respond(ErrorReply(417, "expectation_failed", "unsupported Expect header"), true);
      }
      // The client waits for this before it sends the body.
      auto interim = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      Arm(server_.options().request_timeout, Phase::kReading);
      return bhttp::async_write(stream_, *interim,
                                [self = shared_from_this(), interim](beast::error_code write_ec, std::size_t) {
                                  if (write_ec) return self->Abort();
                                  self->ReadBody();
                                });
    }
    Arm(server_.options().request_timeout, Phase::kReading);
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->OnBody(ec);
    });
  }

  void OnReadError(beast::error_code ec) {
    if (timed_out_ || ec == asio::error::operation_aborted) {
      if (timed_out_ && !server_.stopping() && parser_ && parser_->got_some()) {
        return Respond(ErrorReply(408, "request_timeout", "the request was not received in time"), true);
      }
      return Abort();  // keep-alive wait ended, or the server is stopping
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      return Abort();
    }
    if (ec == bhttp::error::body_limit) {
      return Respond(ErrorReply(413, "payload_too_large",
                                fmt::format("the request body is larger than {} bytes",
                                            server_.options().max_body_bytes)),
                     true);
    }
    if (ec == bhttp::error::header_limit) {
      return Respond(ErrorReply(431, "headers_too_large", "the request headers are too large"), true);
    }
    if (ec.category() == beast::error_code(bhttp::error::end_of_stream).category()) {
      return Respond(ErrorReply(400, "invalid_request", "malformed HTTP request"), true);
    }
    Abort();  // transport or TLS failure
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto message = parser_->release();
    camguard::http::Request request;
    request.method = std::string(message.method_string());
    for (char& c : request.method) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    request.target = std::string(message.target());
    for (const auto& field : message) {
      const std::string name = base::ToLower(field.name_string());
      auto [it, inserted] = request.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += (name == "cookie" ? "; " : ", ") + std::string(field.value());
    }
    request.body = std::move(message.body());
    request.remote_address = address_;
    keep_alive_ = message.keep_alive();
    Arm(server_.options().handler_timeout, Phase::kHandling);
    const std::uint64_t generation = ++generation_;
    std::weak_ptr<Connection> weak = shared_from_this();
    server_.handler().Handle(std::move(request), [weak, generation](camguard::http::Response response) {
      if (auto self = weak.lock(); self && self->phase_ == Phase::kHandling && self->generation_ == generation) {
        self->Respond(std::move(response), false);
      }
    });
  }

  void Respond(camguard::http::Response response, bool force_close) {
    if (phase_ == Phase::kClosing || phase_ == Phase::kClosed || phase_ == Phase::kWriting) return;
    camguard::http::ApplySecurityHeaders(response);
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(11);
    out->result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers) out->insert(name, value);
    out->body() = std::move(response.body);
    const bool close = force_close || !keep_alive_ || close_after_response_ || server_.stopping();
    out->keep_alive(!close);
    out->prepare_payload();
    Arm(server_.options().request_timeout, Phase::kWriting);
    bhttp::async_write(stream_, *out, [self = shared_from_this(), out, close](beast::error_code ec, std::size_t) {
      if (ec) return self->Abort();
      if (close) return self->Close();
      self->ReadHeader();
    });
  }

  void Close() {
    if (phase_ == Phase::kClosing || phase_ == Phase::kClosed) return;
    timer_.cancel();
    phase_ = Phase::kClosing;
    // A bounded TLS close_notify; whatever happens, the socket is closed afterwards.
    timer_.expires_after(std::chrono::seconds(2));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Abort();
    });
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->Abort(); });
  }

  void Abort() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  Impl& server_;
  std::string address_;
  asio::ssl::stream<beast::tcp_stream> stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Phase phase_ = Phase::kHandshake;
  std::uint64_t generation_ = 0;
  bool over_capacity_ = false;
  bool keep_alive_ = true;
  bool timed_out_ = false;
  std::uint64_t requests_ = 0;
  bool close_after_response_ = false;
};

void Server::Impl::Unregister(Connection* connection) {
  connections_.erase(connection);
  if (stopping_ && connections_.empty()) loop_.stop();
}

base::Status Server::Impl::Start() {
  SSL_CTX* ctx = tls_.native_handle();
  // TLS 1.3 only: older versions are refused during the handshake.
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_num_tickets(ctx, 0);  // no resumption state to protect or rotate
  SSL_CTX_set_alpn_select_cb(
      ctx,
      [](SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in, unsigned int in_length,
         void*) -> int {
        // Offer http/1.1 only; a client that wants h2 alone continues without ALPN.
        static const unsigned char kProtocols[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        unsigned char* selected = nullptr;
        if (SSL_select_next_proto(&selected, out_length, kProtocols, sizeof(kProtocols), in, in_length) ==
            OPENSSL_NPN_NEGOTIATED) {
          *out = selected;
          return SSL_TLSEXT_ERR_OK;
        }
        return SSL_TLSEXT_ERR_NOACK;
      },
      nullptr);
  boost::system::error_code ec;
  tls_.use_certificate_chain(asio::buffer(options_.certificate_pem), ec);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "the TLS certificate is not valid PEM: " + ec.message());
  tls_.use_private_key(asio::buffer(options_.private_key_pem), asio::ssl::context::pem, ec);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "the TLS private key is not valid PEM: " + ec.message());
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Fail(ErrorCode::kInvalidArgument, "the TLS private key does not match the certificate");
  }

  tcp::resolver resolver(loop_);
  auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("cannot resolve listen address '{}': {}", options_.host,
                                                         ec ? ec.message() : "no address"));
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(ec == asio::error::address_in_use ? ErrorCode::kUnavailable : ErrorCode::kInvalidArgument,
                fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port, ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  Accept();
  return base::Ok();
}

void Server::Impl::Accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (stopping_) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      const bool over = connections_.size() >= options_.max_connections;
      std::make_shared<Connection>(*this, std::move(socket), over)->Start();
    }
    Accept();
  });
}

void Server::Impl::Every(base::Duration period, std::function<void()> task) {
  auto timer = std::make_unique<asio::steady_timer>(loop_);
  asio::steady_timer* raw = timer.get();
  periodic_.push_back(std::move(timer));
  auto tick = std::make_shared<std::function<void(beast::error_code)>>();
  *tick = [this, raw, period, task = std::move(task), weak_tick = std::weak_ptr(tick)](beast::error_code ec) {
    if (ec || stopping_) return;
    task();
    raw->expires_after(period);
    if (auto next = weak_tick.lock()) raw->async_wait(*next);
  };
  raw->expires_after(period);
  raw->async_wait([tick](beast::error_code ec) { (*tick)(ec); });
  // Keep the closure alive for as long as the timer repeats.
  periodic_ticks_.push_back(tick);
}

void Server::Impl::BeginShutdown() {
  if (stopping_) return;
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  signals_.cancel(ignored);
  for (auto& timer : periodic_) timer->cancel();
  const std::vector<Connection*> live(connections_.begin(), connections_.end());
  for (Connection* connection : live) connection->OnServerStop();
  if (connections_.empty()) return loop_.stop();
  shutdown_timer_.expires_after(options_.shutdown_grace);
  shutdown_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) loop_.stop();
  });
}

void Server::Impl::Run() {
  signals_.async_wait([this](beast::error_code ec, int) {
    if (!ec) BeginShutdown();
  });
  loop_.run();
}

base::Result<std::unique_ptr<Server>> Server::Create(ServerOptions options, camguard::http::Handler& handler) {
  auto impl = std::make_unique<Impl>(std::move(options), handler);
  CAMGUARD_TRY_STATUS(impl->Start());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;
std::uint16_t Server::port() const { return impl_->port(); }
camguard::http::BlockingExecutor& Server::blocking() { return *impl_; }
void Server::Post(std::function<void()> task) { impl_->Post(std::move(task)); }
void Server::Every(base::Duration period, std::function<void()> task) { impl_->Every(period, std::move(task)); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace camguard::net
