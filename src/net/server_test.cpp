// SPDX-License-Identifier: Apache-2.0
// The HTTPS server against real clients on 127.0.0.1 with an ephemeral port: curl and
// openssl s_client as subprocesses, and a small blocking OpenSSL client (TlsClient) for the
// byte-exact cases (malformed requests, stalls, keep-alive, pipelining, ALPN).
#include "net/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "base/strings.h"
#include "crypto/certificate.h"
#include "test_support.h"

namespace camguard::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

// Output (stdout and stderr) of a shell command, and optionally its exit code.
std::string RunCommand(const std::string& command, int* exit_code = nullptr) {
  auto result = camguard::testing::RunCommand(command, /*with_stderr=*/true);
  if (exit_code != nullptr) *exit_code = result.exit_code;
  return result.output;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int ConnectTcp(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  const timeval timeout{10, 0};  // a backstop: no test may hang on a blocking call
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  return fd;
}

struct RawResponse {
  int status = 0;
  std::string head;                            // status line and header fields as received
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool Has(const std::string& name) const { return headers.count(name) > 0; }
  std::string Get(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A blocking TLS client with deadlines, enough HTTP/1.1 to read Content-Length framed answers.
class TlsClient {
 public:
  struct Options {
    bool tls12_only = false;
    std::string alpn;                        // ALPN wire format, e.g. "\x08http/1.1"
    const std::string* trust_pem = nullptr;  // verify the server against this certificate
  };
  enum class Read { kData, kClosed, kTimeout };

  static std::unique_ptr<TlsClient> Connect(std::uint16_t port, const Options& options) {
    auto client = std::unique_ptr<TlsClient>(new TlsClient());
    client->fd_ = ConnectTcp(port);
    if (client->fd_ < 0) return nullptr;
    client->ctx_ = SSL_CTX_new(TLS_client_method());
    const int version = options.tls12_only ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(client->ctx_, version);
    SSL_CTX_set_max_proto_version(client->ctx_, version);
    if (!options.alpn.empty()) {
      SSL_CTX_set_alpn_protos(client->ctx_,
                              reinterpret_cast<const unsigned char*>(options.alpn.data()),
                              static_cast<unsigned int>(options.alpn.size()));
    }
    if (options.trust_pem != nullptr) {
      BIO* bio =
          BIO_new_mem_buf(options.trust_pem->data(), static_cast<int>(options.trust_pem->size()));
      X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
      BIO_free(bio);
      X509_STORE_add_cert(SSL_CTX_get_cert_store(client->ctx_), cert);
      X509_free(cert);
      SSL_CTX_set_verify(client->ctx_, SSL_VERIFY_PEER, nullptr);
    }
    client->ssl_ = SSL_new(client->ctx_);
    SSL_set_fd(client->ssl_, client->fd_);
    if (options.trust_pem != nullptr)
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(client->ssl_), "127.0.0.1");
    if (SSL_connect(client->ssl_) != 1) {
      ERR_clear_error();
      return nullptr;
    }
    ::fcntl(client->fd_, F_SETFL, ::fcntl(client->fd_, F_GETFL) | O_NONBLOCK);
    return client;
  }
  static std::unique_ptr<TlsClient> Connect(std::uint16_t port) { return Connect(port, Options{}); }

  ~TlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  std::string alpn() const {
    const unsigned char* data = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl_, &data, &length);
    return std::string(reinterpret_cast<const char*>(data), length);
  }

  bool Send(std::string_view data) {
    const auto deadline = Clock::now() + seconds(10);
    while (!data.empty()) {
      const int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      const int error = SSL_get_error(ssl_, n);
      if ((error != SSL_ERROR_WANT_WRITE && error != SSL_ERROR_WANT_READ) ||
          !Wait(error, deadline)) {
        ERR_clear_error();
        return false;
      }
    }
    return true;
  }

  // Reads one response; nullopt if the connection closes or the deadline passes first.
  std::optional<RawResponse> ReadResponse(milliseconds timeout = seconds(10),
                                          bool head_request = false) {
    const auto deadline = Clock::now() + timeout;
    std::size_t end = 0;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (Fill(deadline) != Read::kData) return std::nullopt;
    }
    RawResponse response;
    response.head = buffer_.substr(0, end + 4);
    buffer_.erase(0, end + 4);
    if (response.head.rfind("HTTP/1.1 ", 0) != 0 || response.head.size() < 12) return std::nullopt;
    response.status = std::stoi(response.head.substr(9, 3));
    const std::string_view fields = std::string_view(response.head).substr(0, end);
    bool first = true;
    for (std::string_view line : base::Split(fields, '\n')) {
      if (std::exchange(first, false)) continue;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string& value = response.headers[base::ToLower(line.substr(0, colon))];
      if (!value.empty()) value += ", ";
      value += std::string(base::Trim(line.substr(colon + 1)));
    }
    std::size_t length = 0;
    const bool bodyless = head_request || response.status / 100 == 1 || response.status == 204 ||
                          response.status == 304;
    if (!bodyless && response.Has("content-length"))
      length = std::stoul(response.Get("content-length"));
    while (buffer_.size() < length) {
      if (Fill(deadline) != Read::kData) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // True when the server closes the connection within `timeout`; data meanwhile is kept.
  bool ClosedWithin(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const Read read = Fill(deadline);
      if (read == Read::kClosed) return true;
      if (read == Read::kTimeout) return false;
    }
  }

  const std::string& unread() const { return buffer_; }
  void SendCloseNotify() { SSL_shutdown(ssl_); }

  // One WebSocket frame from the server (RFC 6455 §5.2; the server never masks): opcode, payload.
  std::optional<std::pair<int, std::string>> ReadFrame(milliseconds timeout = seconds(10)) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      if (buffer_.size() >= 2) {
        const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(buffer_[i]); };
        std::size_t length = byte(1) & 0x7f;
        std::size_t header = 2;
        if (length == 126 && buffer_.size() >= 4) {
          length = (std::size_t{byte(2)} << 8) | byte(3);
          header = 4;
        } else if (length == 127 && buffer_.size() >= 10) {
          length = 0;
          for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | byte(i);
          header = 10;
        }
        if ((length < 126 || header > 2) && buffer_.size() >= header + length) {
          const int opcode = byte(0) & 0x0f;
          std::string payload = buffer_.substr(header, length);
          buffer_.erase(0, header + length);
          return std::make_pair(opcode, payload);
        }
      }
      if (Fill(deadline) != Read::kData) return std::nullopt;
    }
  }

 private:
  TlsClient() = default;

  bool Wait(int ssl_error, Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd poll_fd{fd_, static_cast<short>(ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN),
                   0};
    return ::poll(&poll_fd, 1, static_cast<int>(left)) > 0;
  }

  Read Fill(Clock::time_point deadline) {
    for (;;) {
      std::array<char, 16384> chunk{};
      const int n = SSL_read(ssl_, chunk.data(), static_cast<int>(chunk.size()));
      if (n > 0) {
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
        return Read::kData;
      }
      const int error = SSL_get_error(ssl_, n);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return Read::kClosed;  // close_notify, reset, or a TLS alert
      }
      if (!Wait(error, deadline)) return Read::kTimeout;
    }
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

// A client frame: FIN set, masked as RFC 6455 §5.3 requires of clients.
std::string MaskedFrame(int opcode, std::string_view payload) {
  std::string frame;
  frame += static_cast<char>(0x80 | opcode);
  if (payload.size() < 126) {
    frame += static_cast<char>(0x80 | payload.size());
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>((payload.size() >> 8) & 0xff);
    frame += static_cast<char>(payload.size() & 0xff);
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  frame.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    frame += static_cast<char>(payload[i] ^ mask[i % 4]);
  return frame;
}

std::string Upgrade(std::string_view target) {
  return "GET " + std::string(target) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
}

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         std::string(extra_headers) + "\r\n";
}

std::string Post(std::string_view target, std::string_view body,
                 std::string_view extra_headers = "") {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

// Routes by target. Runs on the loop thread; what tests read afterwards is guarded by mu.
class TestHandler final : public http::Handler {
 public:
  void Handle(http::Request request, http::Responder respond) override {
    {
      std::lock_guard lock(mu);
      handler_threads.push_back(std::this_thread::get_id());
      last = request;
    }
    const std::string path = request.target.substr(0, request.target.find('?'));
    http::Response response;
    if (path == "/never") {
      never.push_back(std::move(respond));  // kept, never called
      return;
    }
    if (path == "/held") {
      held = std::move(respond);
      held_entered.set_value();
      return;
    }
    if (path == "/pool") {
      auto work_thread = std::make_shared<std::thread::id>();
      server->blocking().RunBlocking([work_thread] { *work_thread = std::this_thread::get_id(); },
                                     [this, work_thread, respond = std::move(respond)] {
                                       {
                                         std::lock_guard lock(mu);
                                         pool_work_thread = *work_thread;
                                         pool_done_thread = std::this_thread::get_id();
                                       }
                                       http::Response answer;
                                       answer.body = "from the pool";
                                       respond(std::move(answer));
                                     });
      return;
    }
    if (path == "/later") {
      server->Post([respond = std::move(respond)] {
        http::Response answer;
        answer.body = "later";
        respond(std::move(answer));
      });
      return;
    }
    if (path == "/throw") throw std::runtime_error("handler bug");
    if (path == "/inject") {
      response.SetHeader("X-Note", "a\r\nSet-Cookie: evil=1");
    } else if (path == "/bad-status") {
      response.status = 99;
    } else if (path == "/transport-headers") {
      response.SetHeader("Server", "leaky/1.0");
      response.SetHeader("Content-Length", "999");
      response.SetHeader("Connection", "upgrade");
      response.body = "12345";
    } else if (path == "/file" || path == "/missing-file") {
      response.SetHeader("Content-Type", "video/mp4");
      response.body_file = path == "/file"
                               ? file_to_send
                               : std::filesystem::path(file_to_send.string() + ".missing");
    } else if (path == "/no-content") {
      response.status = 204;
      response.body = "must not be sent";
    } else {
      response.SetHeader("Content-Type", "text/plain");
      response.body = request.method + " " + request.target + " body=" + request.body;
    }
    respond(std::move(response));
  }

  // /ws-echo: echoes every message and greets from another thread; /ws-refuse: 403.
  class EchoSession final : public http::WebSocketSession {
   public:
    void OnOpen(std::shared_ptr<http::WebSocketChannel> open) override {
      channel = std::move(open);
      std::thread([c = channel] { c->Send("welcome", false); }).join();
    }
    void OnMessage(std::string message, bool binary) override {
      if (message == "bye") return channel->Close();
      channel->Send(std::move(message), binary);
    }
    void OnClose() override { closed = true; }
    std::shared_ptr<http::WebSocketChannel> channel;
    std::atomic<bool> closed{false};
  };
  void HandleUpgrade(http::Request request, http::UpgradeResponder respond) override {
    if (request.target == "/ws-echo") {
      echo = std::make_shared<EchoSession>();
      return respond(echo);
    }
    if (request.target == "/ws-refuse") {
      http::Response refusal;
      refusal.status = 403;
      refusal.SetHeader("Content-Type", "application/json");
      refusal.body = R"({"error":{"code":"permission_denied","message":"no"}})";
      return respond(std::move(refusal));
    }
    http::Handler::HandleUpgrade(std::move(request), std::move(respond));
  }
  std::shared_ptr<EchoSession> echo;

  Server* server = nullptr;
  std::filesystem::path file_to_send;
  std::mutex mu;
  std::vector<std::thread::id> handler_threads;
  std::optional<http::Request> last;
  std::thread::id pool_work_thread;
  std::thread::id pool_done_thread;
  std::vector<http::Responder> never;
  http::Responder held;
  std::promise<void> held_entered;
};

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto generated = crypto::GenerateSelfSignedCertificate({"localhost"}, {"127.0.0.1"});
    ASSERT_TRUE(generated) << generated.error().message;
    certificate_ = new crypto::GeneratedCertificate(std::move(*generated));
  }
  static void TearDownTestSuite() {
    delete certificate_;
    certificate_ = nullptr;
  }

  void Start(const std::function<void(ServerOptions&)>& tweak = {}) {
    ServerOptions options;
    options.port = 0;
    options.certificate_pem = certificate_->certificate_pem;
    options.private_key_pem = certificate_->private_key_pem;
    options.max_body_bytes = 4096;
    options.max_header_bytes = 2048;
    options.request_timeout = seconds(1);
    options.handler_timeout = seconds(1);
    if (tweak) tweak(options);
    auto created = Server::Create(options, handler_);
    ASSERT_TRUE(created) << created.error().message;
    server_ = std::move(*created);
    handler_.server = server_.get();
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return server_->port(); }
  std::string Url(std::string_view path) const {
    return "https://127.0.0.1:" + std::to_string(port()) + std::string(path);
  }
  std::string Curl(const std::string& args, int* exit_code = nullptr) const {
    return RunCommand("curl -sk --max-time 10 --tlsv1.3 -i " + args, exit_code);
  }
  std::unique_ptr<TlsClient> Connect() const {
    auto client = TlsClient::Connect(port());
    EXPECT_NE(client, nullptr) << "TLS 1.3 connection failed";
    return client;
  }
  // One request on a fresh connection.
  std::optional<RawResponse> Exchange(const std::string& request) const {
    auto client = Connect();
    if (!client || !client->Send(request)) return std::nullopt;
    return client->ReadResponse();
  }
  // The same, for tests that need an answer: no answer throws, which fails the test.
  RawResponse ExchangeOrFail(const std::string& request) const { return Exchange(request).value(); }
  static void ExpectJsonError(const RawResponse& response, int status, const std::string& code) {
    EXPECT_EQ(response.status, status) << response.head;
    EXPECT_EQ(response.Get("content-type"), "application/json");
    EXPECT_THAT(response.body, StartsWith(R"({"error":{"code":")" + code + R"(","message":")"))
        << response.body;
    // Security headers on the server's own errors too.
    EXPECT_THAT(response.Get("strict-transport-security"), StartsWith("max-age="));
    EXPECT_THAT(response.Get("content-security-policy"), HasSubstr("frame-ancestors 'none'"));
    EXPECT_EQ(response.Get("x-content-type-options"), "nosniff");
  }

  static crypto::GeneratedCertificate* certificate_;
  base::FakeClock fake_clock_;  // outlives the server
  TestHandler handler_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

crypto::GeneratedCertificate* ServerTest::certificate_ = nullptr;

// --- TLS ---------------------------------------------------------------------------------

TEST_F(ServerTest, ServesCurlOverTls13WithSecurityHeadersAndNoBanner) {
  Start();
  const std::string out = Curl("-A probe/1 " + Url("/hello"));
  EXPECT_THAT(out, StartsWith("HTTP/1.1 200")) << out;
  EXPECT_THAT(out, HasSubstr("GET /hello body="));
  EXPECT_THAT(out, HasSubstr("Strict-Transport-Security: max-age="));
  EXPECT_THAT(out, HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(out, HasSubstr("X-Content-Type-Options: nosniff"));
  EXPECT_THAT(out, HasSubstr("Referrer-Policy: no-referrer"));
  EXPECT_THAT(out, HasSubstr("Date: "));
  EXPECT_THAT(out, Not(HasSubstr("Server:"))) << "no version banner";
}

TEST_F(ServerTest, RefusesTls12AndAcceptsTls13) {
  Start();
  const std::string connect = " -connect 127.0.0.1:" + std::to_string(port()) + " </dev/null";
  int code = 0;
  const std::string old = RunCommand("timeout 10 openssl s_client -tls1_2" + connect, &code);
  EXPECT_NE(code, 0) << old;
  EXPECT_THAT(old, HasSubstr("alert protocol version"));
  const std::string current = RunCommand("timeout 10 openssl s_client -tls1_3" + connect, &code);
  EXPECT_EQ(code, 0) << current;
  EXPECT_THAT(current, HasSubstr("New, TLSv1.3"));
  TlsClient::Options tls12;
  tls12.tls12_only = true;
  EXPECT_EQ(TlsClient::Connect(port(), tls12), nullptr);
}

TEST_F(ServerTest, AlpnSelectsHttp11AndRefusesAClientThatOffersOnlyH2) {
  Start();
  TlsClient::Options both;
  both.alpn = std::string("\x02h2\x08http/1.1", 12);
  auto client = TlsClient::Connect(port(), both);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->alpn(), "http/1.1");
  TlsClient::Options h2;
  h2.alpn = std::string("\x02h2", 3);
  EXPECT_EQ(TlsClient::Connect(port(), h2), nullptr) << "RFC 7301 §3.2: no_application_protocol";
  // Without ALPN the client is served HTTP/1.1.
  auto plain = Connect();
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->alpn(), "");
  ASSERT_TRUE(plain->Send(Get("/x")));
  EXPECT_EQ(plain->ReadResponse().value().status, 200);
}

TEST_F(ServerTest, PresentsTheConfiguredCertificateWhichVerifiesForItsIpAddress) {
  Start();
  TlsClient::Options verify;
  verify.trust_pem = &certificate_->certificate_pem;
  EXPECT_NE(TlsClient::Connect(port(), verify), nullptr);
  auto other = crypto::GenerateSelfSignedCertificate({"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(other);
  verify.trust_pem = &other->certificate_pem;
  EXPECT_EQ(TlsClient::Connect(port(), verify), nullptr)
      << "a different certificate must not verify";
}

TEST_F(ServerTest, PlainHttpOnTheTlsPortIsNotServed) {
  Start();
  const int fd = ConnectTcp(port());
  ASSERT_GE(fd, 0);
  const std::string request = Get("/x");
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  std::string received;
  std::array<char, 4096> chunk{};
  ssize_t n = 0;
  while ((n = ::recv(fd, chunk.data(), chunk.size(), 0)) > 0)
    received.append(chunk.data(), static_cast<std::size_t>(n));
  const int error = errno;
  ::close(fd);
  EXPECT_EQ(received.find("HTTP/"), std::string::npos) << received;
  // Closed (FIN or, with our request unread, RST) by the server, not ended by the receive timeout.
  EXPECT_TRUE(n == 0 || error == ECONNRESET) << "recv: " << n << " errno " << error;
  EXPECT_EQ(ExchangeOrFail(Get("/still-alive")).status, 200);
}

// --- Requests and responses ----------------------------------------------------------------

TEST_F(ServerTest, ConvertsTheWireRequestForTheHandlerOnTheLoopThread) {
  Start();
  const auto response = Exchange(
      "post /submit?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Multi: one\r\nx-multi: two\r\n"
      "Cookie: a=1\r\nCookie: b=2\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  std::lock_guard lock(handler_.mu);
  ASSERT_TRUE(handler_.last);
  const http::Request& request = *handler_.last;
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/submit?x=1");
  EXPECT_EQ(request.body, "abc");
  EXPECT_EQ(request.remote_address, "127.0.0.1");
  EXPECT_EQ(request.Header("x-multi").value_or(""), "one, two");
  EXPECT_EQ(request.Header("cookie").value_or(""), "a=1; b=2");
  EXPECT_EQ(request.Header("host").value_or(""), "127.0.0.1");
  EXPECT_EQ(request.Header("content-length").value_or(""), "3");
  ASSERT_EQ(handler_.handler_threads.size(), 1U);
  EXPECT_EQ(handler_.handler_threads.front(), thread_.get_id());
}

TEST_F(ServerTest, ChunkedBodiesAreDecoded) {
  Start();
  const auto response = Exchange(
      "POST /c HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: "
      "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "POST /c body=abcde");
}

TEST_F(ServerTest, AsyncResponderFromTheBlockingPoolCompletesOnTheLoopThread) {
  Start();
  const auto response = Exchange(Get("/pool"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "from the pool");
  std::lock_guard lock(handler_.mu);
  EXPECT_NE(handler_.pool_work_thread, thread_.get_id());
  EXPECT_NE(handler_.pool_work_thread, std::thread::id());
  EXPECT_EQ(handler_.pool_done_thread, thread_.get_id());
}

TEST_F(ServerTest, ResponderMayBeCalledLaterFromAPostedTask) {
  Start();
  const auto response = Exchange(Get("/later"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "later");
  EXPECT_THAT(Curl(Url("/pool")), HasSubstr("from the pool"));
}

TEST_F(ServerTest, HeadGetsTheLengthButNoBody) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send("HEAD /h HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const auto head = client->ReadResponse(seconds(10), /*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Get("content-length"), std::to_string(std::string("HEAD /h body=").size()));
  // Had a body been sent, it would now be read as the next response's status line.
  ASSERT_TRUE(client->Send(Get("/after")));
  const auto next = client->ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "GET /after body=");
}

TEST_F(ServerTest, FileBodiesAreStreamedWithTheirLengthAndSecurityHeaders) {
  const camguard::testing::TempDir dir("net-file");
  std::string content(3 * 1024 * 1024 + 17, '\0');
  std::mt19937 random(7);
  for (char& c : content) c = static_cast<char>(random());
  handler_.file_to_send = dir.path() / "export.mp4";
  std::ofstream(handler_.file_to_send, std::ios::binary) << content;
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Get("/file")));
  const auto response = client->ReadResponse(seconds(30));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Get("content-length"), std::to_string(content.size()));
  EXPECT_EQ(response->Get("content-type"), "video/mp4");
  EXPECT_TRUE(response->Has("strict-transport-security"));
  EXPECT_TRUE(response->body == content);
  // The connection carries on after a file.
  ASSERT_TRUE(client->Send(Get("/after")));
  EXPECT_EQ(client->ReadResponse().value().body, "GET /after body=");
}

TEST_F(ServerTest, AFileThatCannotBeOpenedIs500) {
  const camguard::testing::TempDir dir("net-file");
  handler_.file_to_send = dir.path() / "gone.mp4";
  Start();
  const auto response = Exchange(Get("/missing-file"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
}

TEST_F(ServerTest, NoContentCarriesNeitherBodyNorLength) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Get("/no-content")));
  const auto response = client->ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 204);
  EXPECT_FALSE(response->Has("content-length")) << response->head;
  ASSERT_TRUE(client->Send(Get("/after")));
  EXPECT_EQ(client->ReadResponse().value().body, "GET /after body=");
}

TEST_F(ServerTest, TransportHeadersFromTheHandlerAreReplaced) {
  Start();
  const auto response = Exchange(Get("/transport-headers"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(response->Has("server"));
  EXPECT_EQ(response->Get("content-length"), "5");
  EXPECT_EQ(response->body, "12345");
  EXPECT_NE(response->Get("connection"), "upgrade");
}

TEST_F(ServerTest, HandlerBugsBecome500AndTheServerCarriesOn) {
  Start();
  for (const char* path : {"/inject", "/throw", "/bad-status"}) {
    SCOPED_TRACE(path);
    const auto response = Exchange(Get(path));
    ASSERT_TRUE(response);
    ExpectJsonError(*response, 500, "internal");
    EXPECT_THAT(response->head, Not(HasSubstr("evil")));
  }
  EXPECT_EQ(ExchangeOrFail(Get("/ok")).status, 200);
}

TEST_F(ServerTest, DateComesFromTheInjectedClock) {
  fake_clock_.Set(base::WallTime(seconds(784111777)));  // RFC 9110 §5.6.7's example
  Start([&](ServerOptions& options) { options.clock = &fake_clock_; });
  EXPECT_EQ(ExchangeOrFail(Get("/d")).Get("date"), "Sun, 06 Nov 1994 08:49:37 GMT");
}

// --- Refused requests ------------------------------------------------------------------------

TEST_F(ServerTest, MalformedRequestIs400JsonAndTheConnectionCloses) {
  Start();
  for (const char* request :
       {"NOT HTTP\r\n\r\n", "GET / HTTP/1.1\r\nHost x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: a\r\n\r\n", "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    SCOPED_TRACE(request);
    auto client = Connect();
    ASSERT_TRUE(client->Send(request));
    const auto response = client->ReadResponse();
    ASSERT_TRUE(response);
    ExpectJsonError(*response, 400, "invalid_request");
    EXPECT_EQ(response->Get("connection"), "close");
    EXPECT_TRUE(client->ClosedWithin(seconds(5)));
  }
}

TEST_F(ServerTest, Http11RequestNeedsExactlyOneHost) {
  Start();
  ExpectJsonError(ExchangeOrFail("GET / HTTP/1.1\r\n\r\n"), 400, "invalid_request");
  ExpectJsonError(ExchangeOrFail("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400,
                  "invalid_request");
  EXPECT_EQ(ExchangeOrFail("GET / HTTP/1.0\r\n\r\n").status, 200)
      << "HTTP/1.0 has no Host requirement";
}

TEST_F(ServerTest, DeclaredBodyOverTheLimitIs413BeforeAnyBodyIsSent) {
  Start();
  auto client = Connect();
  // Only the header is sent: the answer must not wait for the announced body.
  ASSERT_TRUE(client->Send("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 40960\r\n\r\n"));
  const auto response = client->ReadResponse(seconds(5));
  ASSERT_TRUE(response);
  ExpectJsonError(*response, 413, "payload_too_large");
  EXPECT_THAT(response->body, HasSubstr("4096 bytes"));
  EXPECT_TRUE(client->ClosedWithin(seconds(5)));
  std::lock_guard lock(handler_.mu);
  EXPECT_FALSE(handler_.last) << "the handler never sees a refused request";
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  Start();
  auto client = Connect();
  const std::string chunk(3000, 'x');
  ASSERT_TRUE(
      client->Send("POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nbb8\r\n" +
                   chunk + "\r\nbb8\r\n"));
  const auto response = client->ReadResponse(seconds(5));
  ASSERT_TRUE(response);
  ExpectJsonError(*response, 413, "payload_too_large");
}

TEST_F(ServerTest, BodyExactlyAtTheLimitIsAccepted) {
  Start();
  const auto response = Exchange(Post("/u", std::string(4096, 'b')));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), std::string("POST /u body=").size() + 4096);
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  Start();
  const auto response = Exchange(Get("/h", "X-Big: " + std::string(4000, 'a') + "\r\n"));
  ASSERT_TRUE(response);
  ExpectJsonError(*response, 431, "headers_too_large");
}

TEST_F(ServerTest, TransferCodingsOtherThanChunkedAreRefused) {
  Start();
  const std::string head = "POST /t HTTP/1.1\r\nHost: a\r\n";
  // Without chunked last the body length is unknowable: 400 (RFC 9112 §6.3).
  ExpectJsonError(ExchangeOrFail(head + "Transfer-Encoding: gzip\r\n\r\nabc"), 400,
                  "invalid_request");
  ExpectJsonError(ExchangeOrFail(head + "Transfer-Encoding: chunked, gzip\r\n\r\nabc"), 400,
                  "invalid_request");
  // A coding we do not implement: 501 (RFC 9112 §6.1).
  ExpectJsonError(ExchangeOrFail(head + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"), 501,
                  "not_implemented");
  // Both framings at once is a smuggling attempt (RFC 9112 §6.3).
  ExpectJsonError(
      ExchangeOrFail(head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
      400, "invalid_request");
  ExpectJsonError(ExchangeOrFail("POST /t HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                  400, "invalid_request");
  std::lock_guard lock(handler_.mu);
  EXPECT_FALSE(handler_.last);
}

TEST_F(ServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send(
      "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = client->ReadResponse(seconds(5));
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client->Send("hello"));
  const auto response = client->ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "POST /e body=hello");
}

TEST_F(ServerTest, ExpectContinueWithATooLargeBodyIs413WithoutContinue) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send(
      "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 99999\r\nExpect: 100-continue\r\n\r\n"));
  const auto response = client->ReadResponse(seconds(5));
  ASSERT_TRUE(response);
  ExpectJsonError(*response, 413, "payload_too_large");
}

TEST_F(ServerTest, UnknownExpectationIs417) {
  Start();
  ExpectJsonError(ExchangeOrFail(Post("/e", "x", "Expect: teapot\r\n")), 417, "expectation_failed");
}

TEST_F(ServerTest, WebSocketUpgradeIs404AndOtherUpgradesAreIgnored) {
  Start();
  ExpectJsonError(ExchangeOrFail(Get(
                      "/ws",
                      "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")),
                  404, "not_found");
  const auto h2c = Exchange(Get("/h2c", "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"));
  ASSERT_TRUE(h2c);
  EXPECT_EQ(h2c->status, 200);
  EXPECT_EQ(h2c->body, "GET /h2c body=");
}

TEST_F(ServerTest, WebSocketEchoesBothWaysAndSendsFromOtherThreads) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Upgrade("/ws-echo")));
  const auto switched = client->ReadResponse();
  ASSERT_TRUE(switched);
  EXPECT_EQ(switched->status, 101);
  // RFC 6455 §1.3's example key and answer.
  EXPECT_EQ(switched->Get("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(switched->Get("server"), "");  // present (the WebSocket library insists) but empty
  const auto welcome = client->ReadFrame();
  ASSERT_TRUE(welcome);
  EXPECT_EQ(*welcome, std::make_pair(1, std::string("welcome")));
  ASSERT_TRUE(client->Send(MaskedFrame(1, "hello")));
  EXPECT_EQ(client->ReadFrame().value(), std::make_pair(1, std::string("hello")));
  const std::string big(70000 - 1000, 'v');  // a 16-bit length frame
  ASSERT_TRUE(client->Send(MaskedFrame(2, big.substr(0, 60000))));
  const auto echoed = client->ReadFrame();
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->first, 2);
  EXPECT_EQ(echoed->second.size(), 60000u);
  ASSERT_TRUE(client->Send(MaskedFrame(1, "bye")));  // the server closes
  const auto close = client->ReadFrame();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->first, 8);
  ASSERT_GE(close->second.size(), 2u);
  EXPECT_EQ((static_cast<unsigned char>(close->second[0]) << 8) |
                static_cast<unsigned char>(close->second[1]),
            1000);
}

TEST_F(ServerTest, AClientsCloseIsAnsweredAndEndsTheSession) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Upgrade("/ws-echo")));
  ASSERT_EQ(client->ReadResponse().value().status, 101);
  ASSERT_TRUE(client->ReadFrame());                                       // welcome
  ASSERT_TRUE(client->Send(MaskedFrame(8, std::string("\x03\xe9", 2))));  // 1001 going away
  const auto answer = client->ReadFrame();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->first, 8);
  client->SendCloseNotify();
  EXPECT_TRUE(client->ClosedWithin(seconds(10)));
  for (int i = 0; i < 500 && !handler_.echo->closed; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(handler_.echo->closed);
  EXPECT_FALSE(handler_.echo->channel->Send("after close", false));
}

TEST_F(ServerTest, RefusedAndMalformedUpgradesGetPlainHttpAnswers) {
  Start();
  ExpectJsonError(ExchangeOrFail(Upgrade("/ws-refuse")), 403, "permission_denied");
  ExpectJsonError(ExchangeOrFail(Get("/ws-echo",
                                     "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                     "Sec-WebSocket-Version: 13\r\n")),
                  400, "invalid_request");  // no key
  ExpectJsonError(ExchangeOrFail(Get("/ws-echo",
                                     "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                     "Sec-WebSocket-Version: 8\r\n"
                                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")),
                  400, "invalid_request");  // an old draft
}

TEST_F(ServerTest, StoppingTheServerClosesWebSocketsAsGoingAway) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Upgrade("/ws-echo")));
  ASSERT_EQ(client->ReadResponse().value().status, 101);
  ASSERT_TRUE(client->ReadFrame());  // welcome
  server_->Stop();
  const auto close = client->ReadFrame();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->first, 8);
  EXPECT_EQ((static_cast<unsigned char>(close->second[0]) << 8) |
                static_cast<unsigned char>(close->second[1]),
            1001);
}

TEST_F(ServerTest, GarbageNeverCrashesTheServer) {
  Start();
  std::mt19937 random(20261123);  // fixed seed: the same inputs on every run
  const std::vector<std::string> prefixes = {
      "", "GET / HTTP/1.1\r\n", "POST / HTTP/1.1\r\nHost: a\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"};
  for (int i = 0; i < 40; ++i) {
    std::string blob = prefixes[static_cast<std::size_t>(i) % prefixes.size()];
    const std::size_t length = 1 + random() % 1500;
    for (std::size_t j = 0; j < length; ++j) blob += static_cast<char>(random() & 0xff);
    blob += "\r\n\r\n0\r\n\r\n";
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    ASSERT_TRUE(client->Send(blob));
    // Whatever the bytes, the server answers with an error or closes; it never hangs or dies.
    const auto response = client->ReadResponse(seconds(5));
    if (response) {
      EXPECT_GE(response->status, 400) << i;
      EXPECT_LT(response->status, 500) << i;
    }
  }
  EXPECT_EQ(ExchangeOrFail(Get("/alive")).status, 200);
}

// --- Connections, deadlines ----------------------------------------------------------------

TEST_F(ServerTest, KeepAliveServesSeveralRequestsAndHonoursConnectionClose) {
  Start();
  auto client = Connect();
  for (const char* path : {"/one", "/two"}) {
    ASSERT_TRUE(client->Send(Get(path)));
    const auto response = client->ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, std::string("GET ") + path + " body=");
    EXPECT_FALSE(response->Has("connection"));
  }
  ASSERT_TRUE(client->Send(Get("/three", "Connection: close\r\n")));
  const auto last = client->ReadResponse();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_EQ(last->Get("connection"), "close");
  EXPECT_TRUE(client->ClosedWithin(seconds(5)));
  // curl agrees that the connection is reused.
  const std::string out = Curl(Url("/a") + " " + Url("/b") + " -v");
  EXPECT_THAT(out, HasSubstr("Re-using existing connection"));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Get("/first") + Post("/second", "xy") + Get("/third")));
  for (const char* expected : {"GET /first body=", "POST /second body=xy", "GET /third body="}) {
    const auto response = client->ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, expected);
  }
}

TEST_F(ServerTest, StalledHeadersGet408WithinTheRequestTimeout) {
  Start();
  auto client = Connect();
  const auto start = Clock::now();
  ASSERT_TRUE(client->Send("GET /slow HTTP/1.1\r\nHost: a\r\n"));  // half a request, then silence
  const auto response = client->ReadResponse(seconds(10));
  const double elapsed = SecondsSince(start);
  ASSERT_TRUE(response);
  ExpectJsonError(*response, 408, "request_timeout");
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 3.0);
  EXPECT_TRUE(client->ClosedWithin(seconds(5)));
}

TEST_F(ServerTest, StalledBodyGets408WithinTheRequestTimeout) {
  Start();
  auto client = Connect();
  const auto start = Clock::now();
  ASSERT_TRUE(
      client->Send("POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part"));
  const auto response = client->ReadResponse(seconds(10));
  const double elapsed = SecondsSince(start);
  ASSERT_TRUE(response);
  ExpectJsonError(*response, 408, "request_timeout");
  EXPECT_LT(elapsed, 3.0);
}

TEST_F(ServerTest, IdleConnectionsAreClosedWithoutAnAnswer) {
  Start([](ServerOptions& options) { options.keepalive_timeout = milliseconds(300); });
  auto client = Connect();
  ASSERT_TRUE(client->Send(Get("/x")));
  ASSERT_TRUE(client->ReadResponse());
  EXPECT_TRUE(client->ClosedWithin(seconds(5)));
  EXPECT_EQ(client->unread(), "") << "no 408 for a connection that sent nothing";
  // A connection that never sends a first request is closed after the request timeout.
  auto silent = Connect();
  const auto start = Clock::now();
  EXPECT_TRUE(silent->ClosedWithin(seconds(5)));
  EXPECT_GE(SecondsSince(start), 0.9);
}

TEST_F(ServerTest, HandlerThatNeverAnswersGets503AfterTheHandlerTimeout) {
  Start();
  auto client = Connect();
  ASSERT_TRUE(client->Send(Get("/never")));
  const auto response = client->ReadResponse(seconds(10));
  ASSERT_TRUE(response);
  ExpectJsonError(*response, 503, "handler_timeout");
  EXPECT_TRUE(client->ClosedWithin(seconds(5)));
  // The late responder is harmless: nothing is written, nothing crashes.
  std::promise<void> done;
  server_->Post([&] {
    for (auto& respond : handler_.never) respond(http::Response{});
    done.set_value();
  });
  done.get_future().wait();
  EXPECT_EQ(ExchangeOrFail(Get("/ok")).status, 200);
}

TEST_F(ServerTest, TooManyConnectionsGet503) {
  Start([](ServerOptions& options) { options.max_connections = 1; });
  auto first = Connect();
  ASSERT_NE(first, nullptr);  // its handshake is done, so the server counts it
  auto second = Connect();
  ASSERT_NE(second, nullptr);
  const auto refused = second->ReadResponse(seconds(5));
  ASSERT_TRUE(refused);
  ExpectJsonError(*refused, 503, "overloaded");
  ASSERT_TRUE(first->Send(Get("/x")));
  EXPECT_EQ(first->ReadResponse().value().status, 200);
}

// --- Loop control ------------------------------------------------------------------------------

TEST_F(ServerTest, StopLetsAnInFlightRequestFinishAndClosesIdleConnections) {
  Start();
  auto idle = Connect();
  auto busy = Connect();
  ASSERT_TRUE(busy->Send(Get("/held")));
  ASSERT_EQ(handler_.held_entered.get_future().wait_for(seconds(10)), std::future_status::ready);
  server_->Stop();  // from this thread, while /held is in flight
  // Queued behind the stop request, so the server is already stopping when this answers.
  server_->Post([this] {
    http::Response response;
    response.body = "finished";
    handler_.held(std::move(response));
  });
  const auto response = busy->ReadResponse(seconds(10));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "finished");
  EXPECT_EQ(response->Get("connection"), "close");
  EXPECT_TRUE(busy->ClosedWithin(seconds(5)));
  EXPECT_TRUE(idle->ClosedWithin(seconds(5)));
  thread_.join();  // Run() returned
  EXPECT_EQ(TlsClient::Connect(port()), nullptr) << "no longer accepting";
}

TEST_F(ServerTest, StopGivesUpOnUnansweredRequestsAfterTheGracePeriod) {
  Start([](ServerOptions& options) {
    options.handler_timeout = seconds(60);
    options.shutdown_grace = milliseconds(200);
  });
  auto client = Connect();
  ASSERT_TRUE(client->Send(Get("/held")));
  ASSERT_EQ(handler_.held_entered.get_future().wait_for(seconds(10)), std::future_status::ready);
  const auto start = Clock::now();
  server_->Stop();
  thread_.join();
  EXPECT_LT(SecondsSince(start), 5.0);
}

TEST_F(ServerTest, SigtermStopsRun) {
  Start();
  ASSERT_EQ(ExchangeOrFail(Get("/x")).status, 200);
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);  // routed to the server since Create()
  thread_.join();
}

TEST_F(ServerTest, SigintStopsRun) {
  Start();
  ASSERT_EQ(::kill(::getpid(), SIGINT), 0);
  thread_.join();
}

TEST_F(ServerTest, EveryRunsPeriodicallyOnTheLoopThread) {
  Start();
  // Shared with the task, which keeps running until the server stops after this body.
  struct State {
    int runs = 0;
    std::promise<std::thread::id> third;
  };
  auto state = std::make_shared<State>();
  auto future = state->third.get_future();
  server_->Every(milliseconds(10), [state] {
    if (++state->runs == 3) state->third.set_value(std::this_thread::get_id());
  });
  ASSERT_EQ(future.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_EQ(future.get(), thread_.get_id());
}

TEST_F(ServerTest, StopBeforeRunReturnsAtOnce) {
  TestHandler handler;
  ServerOptions options;
  options.port = 0;
  options.certificate_pem = certificate_->certificate_pem;
  options.private_key_pem = certificate_->private_key_pem;
  auto server = Server::Create(options, handler);
  ASSERT_TRUE(server);
  (*server)->Stop();
  (*server)->Run();
}

// --- Create ------------------------------------------------------------------------------------

class ServerCreateTest : public ServerTest {
 protected:
  ServerOptions Options() const {
    ServerOptions options;
    options.port = 0;
    options.certificate_pem = certificate_->certificate_pem;
    options.private_key_pem = certificate_->private_key_pem;
    return options;
  }
};

TEST_F(ServerCreateTest, ReportsAnAddressInUse) {
  auto first = Server::Create(Options(), handler_);
  ASSERT_TRUE(first);
  ServerOptions options = Options();
  options.port = (*first)->port();
  auto second = Server::Create(options, handler_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, base::ErrorCode::kUnavailable);
  EXPECT_THAT(second.error().message, HasSubstr("in use"));
}

TEST_F(ServerCreateTest, ReportsAnAddressThisHostDoesNotHave) {
  ServerOptions options = Options();
  options.host = "192.0.2.1";  // TEST-NET-1 (RFC 5737): binding fails locally, nothing is sent
  auto server = Server::Create(options, handler_);
  ASSERT_FALSE(server);
  EXPECT_THAT(server.error().message, HasSubstr("192.0.2.1"));
}

TEST_F(ServerCreateTest, RefusesBadPemAndMismatchedOrEncryptedKeys) {
  ServerOptions options = Options();
  options.private_key_pem = "garbage";
  EXPECT_FALSE(Server::Create(options, handler_));
  options = Options();
  options.certificate_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_FALSE(Server::Create(options, handler_));
  auto other = crypto::GenerateSelfSignedCertificate({"localhost"}, {});
  ASSERT_TRUE(other);
  options = Options();
  options.private_key_pem = other->private_key_pem;
  auto mismatched = Server::Create(options, handler_);
  ASSERT_FALSE(mismatched);
  EXPECT_THAT(mismatched.error().message, HasSubstr("does not belong"));

  // An encrypted key fails instead of prompting for a passphrase.
  const camguard::testing::TempDir dir("net-key");
  const auto path = dir.path() / "key.pem";
  std::ofstream(path) << certificate_->private_key_pem;
  const std::string encrypted =
      RunCommand("openssl pkey -aes256 -passout pass:secret </dev/null -in " + path.string());
  ASSERT_THAT(encrypted, HasSubstr("ENCRYPTED PRIVATE KEY"));
  options = Options();
  options.private_key_pem = encrypted;
  EXPECT_FALSE(Server::Create(options, handler_));
}

}  // namespace
}  // namespace camguard::net
