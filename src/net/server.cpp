// SPDX-License-Identifier: Apache-2.0
// Beast's HTTP/1.1 parser and Asio's TLS stream, driven by callbacks on the one loop thread.
// Each Connection reads one request at a time (no pipelining), so at most one handler call per
// connection is in flight and the response order is trivially right.
//
// A connection moves through phases; exactly one deadline timer guards the current phase:
//   handshake (handshake_timeout) -> idle (request_timeout for the first request, then
//   keepalive_timeout) -> reading (request_timeout from the first byte to the last body byte)
//   -> handling (handler_timeout) -> writing (request_timeout) -> idle ... -> closing -> closed.
// A deadline cancels the pending socket operation; its completion handler then decides whether
// the peer still gets an answer (408 for a stalled request) or just a close.
#include "net/server.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <ctime>
#include <deque>
#include <exception>
#include <limits>
#include <list>
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
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "base/strings.h"
#include "crypto/certificate.h"

namespace camguard::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using base::ErrorCode;
using base::Fail;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

// Connections above max_connections get a TLS handshake and a 503 so that a browser shows a
// reason; beyond this many more they are closed at once, because answering costs a handshake.
constexpr std::size_t kOverflowConnections = 32;
// How long a failing accept() (EMFILE, ENFILE, ENOBUFS) waits before the next try, instead of
// spinning on the loop.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// Bound on waiting for the peer's TLS close_notify after ours.
constexpr std::chrono::seconds kCloseNotifyTimeout{2};
// One TLS record's worth of plaintext (RFC 8446 §5.1).
constexpr std::size_t kReadChunk = 16 * 1024;

// Server-generated errors use the API's error shape. Codes and messages are fixed texts (the
// only variable part is a number), so no JSON escaping is needed.
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
  const auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

// RFC 9110 §5.6.2 tchar.
bool IsTokenChar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsValidFieldName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

// RFC 9110 §5.5: no CR, LF, NUL or other controls except HTAB, so a handler can never split a
// response or smuggle a second header.
bool IsValidFieldValue(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
  });
}

// Framing and connection management belong to this layer; a handler's values are dropped.
// Server is dropped too: no version banner.
bool IsTransportHeader(std::string_view name) {
  const std::string lower = base::ToLower(name);
  for (std::string_view reserved :
       {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade",
        "proxy-connection", "te", "trailer", "server", "date"}) {
    if (lower == reserved) return true;
  }
  return false;
}

// IMF-fixdate, RFC 9110 §5.6.7, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". Locale independent.
std::string HttpDate(base::WallTime time) {
  static constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  if (::gmtime_r(&seconds, &tm) == nullptr || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
      tm.tm_mon > 11) {
    return {};
  }
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// Elements of a comma-separated list over all fields named `name` (RFC 9110 §5.6.1), trimmed,
// empty elements skipped.
std::vector<std::string> ListElements(const bhttp::fields& fields, bhttp::field name) {
  std::vector<std::string> out;
  const auto range = fields.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) {
    for (std::string_view element : base::Split(it->value(), ',')) {
      element = base::Trim(element);
      if (!element.empty()) out.emplace_back(element);
    }
  }
  return out;
}

// Messages from browsers are small commands; live video only flows to them.
constexpr std::size_t kMaxWebSocketMessage = 64 * 1024;
// How long a closing handshake may take before the session ends anyway.
constexpr auto kWebSocketCloseGrace = std::chrono::seconds(2);

using WireResponse = bhttp::response<bhttp::string_body>;
using WireFileResponse = bhttp::response<bhttp::file_body>;

// Status line and headers of a handler's response. An invalid status or header (which only a
// bug can produce) becomes a 500 instead of reaching the wire.
template <typename Wire>
void SetHead(Wire& out, camguard::http::Response& response, bool keep_alive,
             const std::string& date) {
  camguard::http::ApplySecurityHeaders(response);
  out.version(11);
  out.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers) {
    if (!IsTransportHeader(name)) out.insert(name, value);
  }
  if (!date.empty()) out.set(bhttp::field::date, date);
  out.keep_alive(keep_alive);
}

bool IsValidResponse(const camguard::http::Response& response) {
  const bool valid_status = response.status >= 200 && response.status <= 599;
  return valid_status &&
         std::all_of(response.headers.begin(), response.headers.end(), [](const auto& header) {
           return IsValidFieldName(header.first) && IsValidFieldValue(header.second);
         });
}

std::shared_ptr<WireResponse> ToWire(camguard::http::Response response, bool head_request,
                                     bool keep_alive, const std::string& date) {
  if (!IsValidResponse(response)) {
    response = ErrorReply(500, "internal", "the server produced an invalid response");
  }
  auto out = std::make_shared<WireResponse>();
  SetHead(*out, response, keep_alive, date);
  // RFC 9110 §8.6 and §15.3.5/§15.4.5: 204 and 304 carry neither content nor Content-Length.
  if (response.status != 204 && response.status != 304) {
    out->content_length(response.body.size());
    // A response to HEAD announces the length of the GET body but sends none (RFC 9110 §9.3.2).
    if (!head_request) out->body() = std::move(response.body);
  }
  return out;
}

// A response whose body is a file; nullptr when the file cannot be opened.
std::shared_ptr<WireFileResponse> ToWireFile(camguard::http::Response response, bool keep_alive,
                                             const std::string& date) {
  if (!IsValidResponse(response) || response.status == 204 || response.status == 304) {
    return nullptr;
  }
  auto out = std::make_shared<WireFileResponse>();
  beast::error_code ec;
  out->body().open(response.body_file->c_str(), beast::file_mode::scan, ec);
  if (ec) return nullptr;
  SetHead(*out, response, keep_alive, date);
  out->prepare_payload();
  return out;
}

// What a WebSocket channel hands its messages to (the connection), on the loop thread.
class WebSocketTarget {
 public:
  virtual ~WebSocketTarget() = default;
  virtual void QueueWebSocket(std::string message, bool binary) = 0;
  virtual void CloseWebSocket(websocket::close_code code) = 0;
};

// The thread-safe handle a WebSocket session sends through; messages hop to the loop thread.
class Channel final : public camguard::http::WebSocketChannel {
 public:
  Channel(asio::io_context& loop, std::weak_ptr<WebSocketTarget> target)
      : loop_(loop), target_(std::move(target)) {}

  bool Send(std::string message, bool binary) override {
    if (detached_) return false;
    const std::size_t size = message.size();
    if (queued_.load() + size > camguard::http::kMaxWebSocketQueue) return false;
    queued_ += size;
    asio::post(loop_, [weak = target_, message = std::move(message), binary]() mutable {
      if (auto target = weak.lock()) target->QueueWebSocket(std::move(message), binary);
    });
    return true;
  }
  std::size_t queued_bytes() const override { return queued_.load(); }
  void Close() override {
    asio::post(loop_, [weak = target_] {
      if (auto target = weak.lock()) target->CloseWebSocket(websocket::close_code::normal);
    });
  }

  void Sent(std::size_t bytes) {
    std::size_t current = queued_.load();
    while (!queued_.compare_exchange_weak(current, current - std::min(bytes, current))) {
    }
  }
  void Detach() { detached_ = true; }

 private:
  asio::io_context& loop_;
  std::weak_ptr<WebSocketTarget> target_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> detached_{false};
};

}  // namespace

class Server::Impl final : public camguard::http::BlockingExecutor {
 public:
  Impl(ServerOptions options, camguard::http::Handler& handler)
      : options_(std::move(options)),
        handler_(handler),
        clock_(options_.clock != nullptr ? *options_.clock : system_clock_),
        tls_(asio::ssl::context::tls_server),
        acceptor_(loop_),
        accept_retry_(loop_),
        signals_(loop_),
        shutdown_timer_(loop_),
        pool_(static_cast<std::size_t>(std::max(1, options_.blocking_threads))) {}

  // Work that is still running finishes; queued work is dropped. Then the loop and everything
  // still waiting on it (connections included) is destroyed, while connections_ still exists.
  ~Impl() override {
    pool_.stop();
    pool_.join();
    destroying_ = true;
  }

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

  class Connection;

 private:
  struct Periodic {
    Periodic(asio::io_context& loop, base::Duration every, std::function<void()> run)
        : timer(loop), period(every), task(std::move(run)) {}
    asio::steady_timer timer;
    base::Duration period;
    std::function<void()> task;
  };

  void Accept();
  void BeginShutdown();
  void Schedule(Periodic& periodic);
  void Register(Connection* connection) { connections_.insert(connection); }
  void Unregister(Connection* connection);

  // Declaration order is destruction order in reverse: the pool goes first (its work posts to
  // the loop), then the I/O objects, then the loop, which destroys pending handlers and with
  // them the connections, whose destructors still use connections_.
  ServerOptions options_;
  camguard::http::Handler& handler_;
  base::SystemClock system_clock_;
  const base::Clock& clock_;
  std::unordered_set<Connection*> connections_;
  std::uint16_t port_ = 0;
  bool stopping_ = false;
  bool destroying_ = false;
  asio::ssl::context tls_;
  asio::io_context loop_{1};
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  asio::signal_set signals_;
  asio::steady_timer shutdown_timer_;
  std::list<Periodic> periodic_;  // a list: handlers keep references to its elements
  asio::thread_pool pool_;
};

class Server::Impl::Connection : public std::enable_shared_from_this<Connection>,
                                 public WebSocketTarget {
 public:
  Connection(Impl& server, tcp::socket socket, bool over_capacity)
      : server_(server),
        address_(PeerAddress(socket)),
        stream_(std::move(socket), server.tls_),
        timer_(server.loop_),
        over_capacity_(over_capacity) {
    server_.Register(this);
  }
  ~Connection() { server_.Unregister(this); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start() {
    Arm(options().handshake_timeout, Phase::kHandshake);
    stream_.async_handshake(
        asio::ssl::stream_base::server,
        [self = shared_from_this()](const beast::error_code& ec) { self->OnHandshake(ec); });
  }

  // The server is stopping: idle connections close now, busy ones after their response.
  void OnServerStop() {
    close_after_response_ = true;
    if (phase_ == Phase::kWebSocket) return CloseWebSocket(websocket::close_code::going_away);
    if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake) {
      // The pending read or handshake completes with operation_aborted and then closes.
      beast::get_lowest_layer(stream_).cancel();
    }
  }

 private:
  enum class Phase {
    kHandshake,
    kIdle,
    kReading,
    kHandling,
    kWriting,
    kClosing,
    kClosed,
    kWebSocket,  // upgraded: the WebSocket stream owns the connection's I/O from here on
  };

  const ServerOptions& options() const { return server_.options_; }

  void Arm(base::Duration timeout, Phase phase) {
    ArmUntil(std::chrono::steady_clock::now() + timeout, phase);
  }

  // The generation makes a timer completion that was already queued when the timer was re-armed
  // harmless: only the newest arming may act.
  void ArmUntil(SteadyTime deadline, Phase phase) {
    phase_ = phase;
    const std::uint64_t generation = ++timer_generation_;
    timer_.expires_at(deadline);
    timer_.async_wait([self = shared_from_this(), generation](const beast::error_code& ec) {
      if (!ec && generation == self->timer_generation_) self->OnTimeout();
    });
  }

  void OnTimeout() {
    switch (phase_) {
      case Phase::kHandshake:
      case Phase::kIdle:
      case Phase::kReading:
      case Phase::kWriting:
        timed_out_ = true;
        beast::get_lowest_layer(stream_).cancel();
        break;
      case Phase::kHandling:
        Respond(ErrorReply(503, "handler_timeout", "the server did not answer in time"),
                /*force_close=*/true);
        break;
      case Phase::kClosing: Abort(); break;
      case Phase::kClosed:
      case Phase::kWebSocket: break;  // the WebSocket stream keeps its own deadlines
    }
  }

  void OnHandshake(const beast::error_code& ec) {
    // Not TLS 1.3, plain HTTP, no common ALPN protocol, a scanner, or too slow: nothing to answer.
    if (ec) return Abort();
    if (over_capacity_) {
      keep_alive_ = false;
      return Respond(ErrorReply(503, "overloaded", "too many connections; retry later"), true);
    }
    WaitForRequest();
  }

  // Waits for the first byte of the next request under the idle deadline, so that a request
  // that has started gets the (shorter) request deadline for all of its bytes.
  void WaitForRequest() {
    if (close_after_response_ || server_.stopping_) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // the client sent ahead
    timed_out_ = false;
    Arm(requests_ == 0 ? options().request_timeout : options().keepalive_timeout, Phase::kIdle);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](const beast::error_code& ec, std::size_t n) {
          if (ec) return self->OnIdleEnd(ec);
          self->buffer_.commit(n);
          self->ReadHeader();
        });
  }

  void OnIdleEnd(const beast::error_code& ec) {
    // RFC 9112 §9.8: an idle connection may be closed at any time; no response is owed.
    if (timed_out_ || ec == asio::error::operation_aborted) return Close();
    Abort();  // the peer closed or the transport failed
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
        options().max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(options().max_body_bytes);
    head_request_ = false;
    timed_out_ = false;
    ArmUntil(std::chrono::steady_clock::now() + options().request_timeout, Phase::kReading);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(const beast::error_code& ec) {
    if (ec) return OnReadError(ec);
    ++requests_;
    const auto& header = parser_->get();
    head_request_ = header.method() == bhttp::verb::head;
    if (header.version() != 10 && header.version() != 11) {
      return Respond(ErrorReply(400, "invalid_request", "unsupported HTTP version"), true);
    }
    keep_alive_ = header.version() == 11 && header.keep_alive();
    // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host field is refused with 400.
    if (header.version() == 11 && header.count(bhttp::field::host) != 1) {
      return Respond(ErrorReply(400, "invalid_request", "exactly one Host header is required"),
                     true);
    }
    for (const std::string& protocol : ListElements(header, bhttp::field::upgrade)) {
      if (beast::iequals(protocol.substr(0, protocol.find('/')), "websocket")) {
        // RFC 6455 §4.2.1: a GET with Connection: Upgrade, version 13 and a key; nothing else.
        const bool version_13 = header[bhttp::field::sec_websocket_version] == "13";
        const bool one_key = header.count(bhttp::field::sec_websocket_key) == 1 &&
                             !header[bhttp::field::sec_websocket_key].empty();
        if (!websocket::is_upgrade(header) || !parser_->is_done() || !version_13 || !one_key) {
          return Respond(ErrorReply(400, "invalid_request", "malformed WebSocket upgrade"), true);
        }
        return OnUpgrade();
      }
    }
    if (header.count(bhttp::field::transfer_encoding) > 0) {
      const std::vector<std::string> codings =
          ListElements(header, bhttp::field::transfer_encoding);
      // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing. §6.3: unless chunked
      // is the final coding the body length is unknowable (400). A coding we do not implement
      // before chunked is 501 (§6.1).
      if (header.version() < 11 || codings.empty() || !beast::iequals(codings.back(), "chunked")) {
        return Respond(ErrorReply(400, "invalid_request", "unsupported Transfer-Encoding"), true);
      }
      if (codings.size() > 1) {
        return Respond(
            ErrorReply(501, "not_implemented", "only the chunked transfer coding is supported"),
            true);
      }
    }
    if (header.count(bhttp::field::expect) > 0) {
      const std::vector<std::string> expectations = ListElements(header, bhttp::field::expect);
      // RFC 9110 §10.1.1: 100-continue is the only expectation defined; others get 417.
      if (expectations.size() != 1 || !beast::iequals(expectations.front(), "100-continue")) {
        return Respond(ErrorReply(417, "expectation_failed", "unsupported Expect header"), true);
      }
      // The client waits for this before it sends the body (not for HTTP/1.0, §10.1.1). The
      // request deadline keeps running.
      if (header.version() == 11 && !parser_->is_done()) {
        auto interim =
            std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
        return bhttp::async_write(
            stream_, *interim,
            [self = shared_from_this(), interim](const beast::error_code& write_ec, std::size_t) {
              if (write_ec) return self->Abort();
              self->ReadBody();
            });
      }
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnBody({});
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                        self->OnBody(ec);
                      });
  }

  void OnReadError(const beast::error_code& ec) {
    if (timed_out_) {
      // A request that started to arrive but stalled (slowloris, slow body).
      if (!server_.stopping_) {
        return Respond(ErrorReply(408, "request_timeout", "the request was not received in time"),
                       true);
      }
      return Close();
    }
    if (ec == asio::error::operation_aborted) return Close();
    if (ec == bhttp::error::body_limit) {
      // Raised by the parser as soon as Content-Length or a chunk header exceeds the limit, so
      // the refused body is never read.
      return Respond(ErrorReply(413, "payload_too_large",
                                fmt::format("the request body is larger than {} bytes",
                                            options().max_body_bytes)),
                     true);
    }
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      return Respond(ErrorReply(431, "headers_too_large",
                                fmt::format("the request headers are larger than {} bytes",
                                            options().max_header_bytes)),
                     true);
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return Abort();
    if (ec.category() == beast::error_code(bhttp::error::bad_method).category()) {
      return Respond(ErrorReply(400, "invalid_request", "malformed HTTP request"), true);
    }
    Abort();  // transport or TLS failure
  }

  void OnBody(const beast::error_code& ec) {
    if (ec) return OnReadError(ec);
    auto message = parser_->release();
    camguard::http::Request request = ToRequest(message, /*with_body=*/false);
    request.body = std::move(message.body());

    Arm(options().handler_timeout, Phase::kHandling);
    const std::uint64_t generation = ++request_generation_;
    std::weak_ptr<Connection> weak = weak_from_this();
    auto respond = [weak, generation](camguard::http::Response response) {
      auto self = weak.lock();
      if (self && self->phase_ == Phase::kHandling && self->request_generation_ == generation) {
        self->Respond(std::move(response), false);
      }
    };
    try {
      server_.handler_.Handle(std::move(request), std::move(respond));
    } catch (...) {
      // Handlers report errors as values; an escaping exception is a bug, not a reason to die.
      Respond(ErrorReply(500, "internal", "internal error"), true);
    }
  }

  void Respond(camguard::http::Response response, bool force_close) {
    if (phase_ == Phase::kWriting || phase_ == Phase::kClosing || phase_ == Phase::kClosed) return;
    const bool close = force_close || !keep_alive_ || close_after_response_ || server_.stopping_;
    if (response.body_file && !head_request_) return RespondWithFile(std::move(response), close);
    std::shared_ptr<WireResponse> out;
    try {
      out = ToWire(std::move(response), head_request_, !close, HttpDate(server_.clock_.Now()));
    } catch (...) {
      return Abort();  // out of memory while building the response
    }
    Arm(options().request_timeout, Phase::kWriting);
    bhttp::async_write(
        stream_, *out,
        [self = shared_from_this(), out, close](const beast::error_code& ec, std::size_t) {
          if (ec) return self->Abort();
          if (close) return self->Close();
          self->WaitForRequest();
        });
  }

  // --- WebSocket ------------------------------------------------------------------------------

  // The wire request as a plain value. Repeated fields become one comma-separated list (RFC 9110
  // §5.3); Cookie is the exception whose pairs are separated by "; " (RFC 6265 §5.4).
  camguard::http::Request ToRequest(const bhttp::request<bhttp::string_body>& message,
                                    bool with_body = true) const {
    camguard::http::Request request;
    request.method = std::string(message.method_string());
    for (char& c : request.method) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    request.target = std::string(message.target());
    for (const auto& field : message) {
      std::string name = base::ToLower(field.name_string());
      auto [it, inserted] =
          request.headers.try_emplace(std::move(name), std::string(field.value()));
      if (!inserted)
        it->second += (it->first == "cookie" ? "; " : ", ") + std::string(field.value());
    }
    if (with_body) request.body = message.body();
    request.remote_address = address_;
    return request;
  }

  void OnUpgrade() {
    upgrade_request_.emplace(parser_->release());
    Arm(options().handler_timeout, Phase::kHandling);
    const std::uint64_t generation = ++request_generation_;
    std::weak_ptr<Connection> weak = weak_from_this();
    auto respond = [weak, generation](camguard::http::UpgradeAnswer answer) {
      auto self = weak.lock();
      if (!self || self->phase_ != Phase::kHandling || self->request_generation_ != generation)
        return;
      if (auto* refusal = std::get_if<camguard::http::Response>(&answer)) {
        return self->Respond(std::move(*refusal), true);
      }
      self->AcceptWebSocket(std::get<std::shared_ptr<camguard::http::WebSocketSession>>(answer));
    };
    try {
      server_.handler_.HandleUpgrade(ToRequest(*upgrade_request_), std::move(respond));
    } catch (...) {
      Respond(ErrorReply(500, "internal", "internal error"), true);
    }
  }

  void AcceptWebSocket(std::shared_ptr<camguard::http::WebSocketSession> session) {
    if (!session) return Respond(ErrorReply(500, "internal", "no WebSocket session"), true);
    ++timer_generation_;  // our deadlines end here; the WebSocket stream has its own
    timer_.cancel();
    phase_ = Phase::kWebSocket;
    ws_session_ = std::move(session);
    ws_.emplace(stream_);
    // Handshake 30 s, idle 300 s with pings in between (Beast's suggested server settings).
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_->read_message_max(kMaxWebSocketMessage);
    ws_->auto_fragment(false);  // one frame per message: fewer headers on the video path
    ws_->set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      // No product banner, as for every other response (Beast adds its own when the field is
      // absent, so it is present and empty).
      response.set(bhttp::field::server, "");
      response.set(bhttp::field::cache_control, "no-store");
    }));
    ws_->async_accept(*upgrade_request_, [self = shared_from_this()](const beast::error_code& ec) {
      self->upgrade_request_.reset();
      if (ec) return self->Abort();
      // A close frame from the peer ends the session within a bounded time even when the TLS
      // teardown that should follow never completes (peers that drop without close_notify).
      self->ws_->control_callback(
          [weak = self->weak_from_this()](websocket::frame_type kind, beast::string_view) {
            if (kind != websocket::frame_type::close) return;
            if (auto connection = weak.lock()) connection->EndWebSocketSoon();
          });
      self->channel_ = std::make_shared<Channel>(
          self->server_.loop_, std::weak_ptr<WebSocketTarget>(self->shared_from_this()));
      self->ws_open_ = true;
      self->ws_session_->OnOpen(self->channel_);
      self->ReadWebSocket();
    });
  }

  void ReadWebSocket() {
    ws_->async_read(ws_buffer_,
                    [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                      if (ec) return self->EndWebSocket();
                      std::string message = beast::buffers_to_string(self->ws_buffer_.data());
                      self->ws_buffer_.consume(self->ws_buffer_.size());
                      self->ws_session_->OnMessage(std::move(message), !self->ws_->got_text());
                      if (self->ws_open_) self->ReadWebSocket();
                    });
  }

  // Loop thread: a message from Channel::Send.
  void QueueWebSocket(std::string message, bool binary) override {
    if (!ws_open_) {
      channel_->Sent(message.size());
      return;
    }
    ws_queue_.emplace_back(std::move(message), binary);
    if (!ws_writing_) WriteWebSocket();
  }

  void WriteWebSocket() {
    if (ws_queue_.empty() || !ws_open_) {
      ws_writing_ = false;
      return;
    }
    ws_writing_ = true;
    ws_->binary(ws_queue_.front().second);
    ws_->async_write(asio::buffer(ws_queue_.front().first),
                     [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                       if (!self->ws_queue_.empty()) {  // EndWebSocket may have emptied it
                         self->channel_->Sent(self->ws_queue_.front().first.size());
                         self->ws_queue_.pop_front();
                       }
                       if (ec) return self->EndWebSocket();
                       self->WriteWebSocket();
                     });
  }

  void CloseWebSocket(websocket::close_code code) override {
    if (!ws_open_ || ws_closing_) return;
    ws_closing_ = true;
    ws_->async_close(
        code, [self = shared_from_this()](const beast::error_code&) { self->EndWebSocket(); });
    EndWebSocketSoon();
  }

  // Gives the closing handshake a moment to finish, then ends the session regardless.
  void EndWebSocketSoon() {
    timer_.expires_after(kWebSocketCloseGrace);
    timer_.async_wait([self = shared_from_this()](const beast::error_code& ec) {
      if (!ec) self->EndWebSocket();
    });
  }

  void EndWebSocket() {
    if (!ws_open_) return;
    ws_open_ = false;
    for (const auto& queued : ws_queue_) channel_->Sent(queued.first.size());
    ws_queue_.clear();
    channel_->Detach();
    ws_session_->OnClose();
    ws_session_.reset();
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
    phase_ = Phase::kClosed;
  }

  void RespondWithFile(camguard::http::Response response, bool close) {
    std::shared_ptr<WireFileResponse> out;
    try {
      out = ToWireFile(std::move(response), !close, HttpDate(server_.clock_.Now()));
    } catch (...) {
      return Abort();
    }
    if (!out) {
      return Respond(ErrorReply(500, "internal", "the file to send cannot be read"), true);
    }
    // A large download may take a while: allow it to proceed at 64 KiB/s at least.
    const auto size = out->body().size();
    const auto allowance = std::chrono::seconds(static_cast<std::int64_t>(size / (64 * 1024)));
    Arm(options().request_timeout + allowance, Phase::kWriting);
    bhttp::async_write(
        stream_, *out,
        [self = shared_from_this(), out, close](const beast::error_code& ec, std::size_t) {
          if (ec) return self->Abort();
          if (close) return self->Close();
          self->WaitForRequest();
        });
  }

  // Sends our TLS close_notify and waits (bounded) for the peer's, then closes the socket.
  void Close() {
    if (phase_ == Phase::kClosing || phase_ == Phase::kClosed) return;
    Arm(kCloseNotifyTimeout, Phase::kClosing);
    stream_.async_shutdown(
        [self = shared_from_this()](const beast::error_code&) { self->Abort(); });
  }

  void Abort() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    ++timer_generation_;
    timer_.cancel();
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  Impl& server_;
  std::string address_;
  beast::ssl_stream<beast::tcp_stream> stream_;  // coalesces header and body into one TLS record
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::request<bhttp::string_body>> upgrade_request_;
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>&>> ws_;
  beast::flat_buffer ws_buffer_;
  std::shared_ptr<camguard::http::WebSocketSession> ws_session_;
  std::shared_ptr<Channel> channel_;
  std::deque<std::pair<std::string, bool>> ws_queue_;
  bool ws_open_ = false;
  bool ws_writing_ = false;
  bool ws_closing_ = false;
  Phase phase_ = Phase::kHandshake;
  std::uint64_t timer_generation_ = 0;
  std::uint64_t request_generation_ = 0;
  std::uint64_t requests_ = 0;
  bool over_capacity_ = false;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool timed_out_ = false;
  bool close_after_response_ = false;
};

void Server::Impl::Unregister(Connection* connection) {
  connections_.erase(connection);
  if (stopping_ && connections_.empty() && !destroying_) loop_.stop();
}

namespace {

// ALPN (RFC 7301): http/1.1 is the only protocol spoken. A client that offers ALPN without it
// gets the no_application_protocol alert (§3.2); a client without ALPN is served HTTP/1.1.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
               unsigned int in_length, void*) {
  static constexpr std::string_view kHttp11 = "http/1.1";
  unsigned int offset = 0;
  while (offset < in_length) {
    const unsigned int length = in[offset];
    if (length == 0 || length > in_length - offset - 1) break;  // malformed list
    if (std::string_view(reinterpret_cast<const char*>(in + offset + 1), length) == kHttp11) {
      *out = in + offset + 1;
      *out_length = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    offset += length + 1;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// An encrypted key is refused instead of letting OpenSSL prompt on the terminal.
int RefusePassphrase(char*, int, int, void*) { return -1; }

}  // namespace

base::Status Server::Impl::Start() {
  // Parse and match the pair first: its messages are clearer than the TLS layer's.
  if (auto matched =
          crypto::CheckKeyMatchesCertificate(options_.certificate_pem, options_.private_key_pem);
      !matched) {
    return base::Wrap(matched.error(), "TLS certificate and key");
  }
  SSL_CTX* ctx = tls_.native_handle();
  // TLS 1.3 only (RFC 8446): older versions are refused during the handshake.
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    ERR_clear_error();
    return Fail(ErrorCode::kInternal, "this OpenSSL cannot restrict TLS to version 1.3");
  }
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // No resumption: no ticket keys to protect or rotate, and a handshake is cheap for a hub.
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, nullptr);
  SSL_CTX_set_default_passwd_cb(ctx, RefusePassphrase);

  boost::system::error_code ec;
  tls_.use_certificate_chain(asio::buffer(options_.certificate_pem), ec);
  if (ec)
    return Fail(ErrorCode::kInvalidArgument,
                "the TLS certificate chain is not valid PEM: " + ec.message());
  tls_.use_private_key(asio::buffer(options_.private_key_pem), asio::ssl::context::pem, ec);
  if (ec)
    return Fail(ErrorCode::kInvalidArgument,
                "the TLS private key is not valid PEM: " + ec.message());
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return Fail(ErrorCode::kInvalidArgument, "the TLS private key does not match the certificate");
  }

  tcp::resolver resolver(loop_);
  const auto endpoints =
      resolver.resolve(options_.host, std::to_string(options_.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("cannot resolve listen address '{}': {}", options_.host,
                            ec ? ec.message() : "no address"));
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  // SO_REUSEADDR lets a restarted hub bind while old connections sit in TIME_WAIT; on Linux it
  // does not let two listeners share the port.
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(
        ec == asio::error::address_in_use ? ErrorCode::kUnavailable : ErrorCode::kInvalidArgument,
        fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port, ec.message()));
  }
  port_ = acceptor_.local_endpoint(ec).port();
  signals_.add(SIGINT, ec);
  if (!ec) signals_.add(SIGTERM, ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot handle SIGINT/SIGTERM: " + ec.message());
  Accept();
  return base::Ok();
}

void Server::Impl::Accept() {
  acceptor_.async_accept([this](const beast::error_code& ec, tcp::socket socket) {
    if (stopping_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors or buffers: retry later rather than spin.
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([this](const beast::error_code& wait_ec) {
        if (!wait_ec && !stopping_) Accept();
      });
      return;
    }
    const std::size_t live = connections_.size();
    if (live >= options_.max_connections + kOverflowConnections) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Connection>(*this, std::move(socket), live >= options_.max_connections)
          ->Start();
    }
    Accept();
  });
}

void Server::Impl::Every(base::Duration period, std::function<void()> task) {
  asio::post(loop_, [this, period, task = std::move(task)]() mutable {
    if (stopping_) return;
    periodic_.emplace_back(loop_, period, std::move(task));
    Schedule(periodic_.back());
  });
}

void Server::Impl::Schedule(Periodic& periodic) {
  periodic.timer.expires_after(periodic.period);
  periodic.timer.async_wait([this, &periodic](const beast::error_code& ec) {
    if (ec || stopping_) return;
    periodic.task();
    Schedule(periodic);
  });
}

void Server::Impl::BeginShutdown() {
  if (stopping_) return;
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  signals_.cancel(ignored);
  for (Periodic& periodic : periodic_) periodic.timer.cancel();
  const std::vector<Connection*> live(connections_.begin(), connections_.end());
  for (Connection* connection : live) connection->OnServerStop();
  if (connections_.empty()) return loop_.stop();
  // In-flight requests get a bounded grace period; whatever is left then is dropped.
  shutdown_timer_.expires_after(options_.shutdown_grace);
  shutdown_timer_.async_wait([this](const beast::error_code& ec) {
    if (!ec) loop_.stop();
  });
}

void Server::Impl::Run() {
  signals_.async_wait([this](const beast::error_code& ec, int) {
    if (!ec) BeginShutdown();
  });
  loop_.run();
}

base::Result<std::unique_ptr<Server>> Server::Create(ServerOptions options,
                                                     camguard::http::Handler& handler) {
  auto impl = std::make_unique<Impl>(std::move(options), handler);
  CAMGUARD_TRY_STATUS(impl->Start());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;
std::uint16_t Server::port() const { return impl_->port(); }
camguard::http::BlockingExecutor& Server::blocking() { return *impl_; }
void Server::Post(std::function<void()> task) { impl_->Post(std::move(task)); }
void Server::Every(base::Duration period, std::function<void()> task) {
  impl_->Every(period, std::move(task));
}
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace camguard::net
