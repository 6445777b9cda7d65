// SPDX-License-Identifier: Apache-2.0
// The transport against small servers on 127.0.0.1 run by the test itself.
#include "scan/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "scan/port_scan.h"

namespace camguard::scan {
namespace {

constexpr Ipv4 kLoopback = 0x7f000001;

// A listening socket on 127.0.0.1 with a thread that serves each connection with `serve`.
class TestServer {
 public:
  explicit TestServer(std::function<void(int fd)> serve) : serve_(std::move(serve)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(kLoopback);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t length = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        if (stop_) {
          ::close(client);
          return;
        }
        ++accepted_;
        serve_(client);
        ::close(client);
      }
    });
  }
  ~TestServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  std::function<void(int)> serve_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Reads one request head (up to the empty line).
std::string ReadHead(int fd) {
  std::string data;
  char c;
  while (data.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) data += c;
  return data;
}

void SendAll(int fd, std::string_view data) { ::send(fd, data.data(), data.size(), MSG_NOSIGNAL); }

std::uint16_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(kLoopback);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t length = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  ::close(fd);  // bound, never listened: connects are refused
  return ntohs(addr.sin_port);
}

TEST(PortScanTest, FindsOpenPortsAndTheirGreetings) {
  TestServer ssh([](int fd) { SendAll(fd, "SSH-2.0-dropbear_2019.78\r\n"); });
  TestServer silent([](int fd) { ReadHead(fd); });
  const std::uint16_t closed = ClosedPort();
  RateLimiter limiter(1000, 10);
  PortScanSettings settings;
  settings.connect_timeout = Millis(1000);
  settings.greeting_wait = Millis(150);
  settings.concurrency = 2;
  settings.limiter = &limiter;
  std::size_t last_done = 0;
  settings.progress = [&](std::size_t done, std::size_t total) {
    EXPECT_EQ(total, 3u);
    last_done = done;
  };
  const auto open = ScanPorts(
      {{kLoopback, closed}, {kLoopback, ssh.port()}, {kLoopback, silent.port()}}, settings);
  EXPECT_EQ(last_done, 3u);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].port, ssh.port());
  EXPECT_EQ(open[0].greeting, "SSH-2.0-dropbear_2019.78\r\n");
  EXPECT_EQ(open[1].port, silent.port());
  EXPECT_TRUE(open[1].greeting.empty());
}

TEST(ConversationTest, KeepsTheConnectionAndReconnectsWhenClosed) {
  // Answers two requests per connection, then closes it.
  TestServer http([](int fd) {
    for (int i = 0; i < 2; ++i) {
      if (ReadHead(fd).empty()) return;
      SendAll(fd, "HTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  RateLimiter limiter(1000, 10);
  ProbeContext context(kLoopback, Millis(1000), limiter, {});
  Conversation conversation(context, http.port(), false);
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 5; ++i) {
    auto answer = conversation.Exchange(request, "GET /");
    ASSERT_TRUE(answer) << i << ": " << answer.error().message;
    EXPECT_EQ(answer->status, 200);
    EXPECT_EQ(answer->body, "ok");
  }
  EXPECT_EQ(http.accepted(), 3);
  EXPECT_GE(context.probes(), 8);  // 5 exchanges and 3 connections
}

TEST(ConversationTest, ReportsWhatIsNotAnAnswer) {
  TestServer garbage([](int fd) {
    ReadHead(fd);
    SendAll(fd, "\x15\x03\x01\x00\x02\x02\x28");
  });
  RateLimiter limiter(1000, 10);
  ProbeContext context(kLoopback, Millis(1000), limiter, {});
  Conversation conversation(context, garbage.port(), false);
  auto answer = conversation.Exchange("GET / HTTP/1.1\r\n\r\n", "GET /");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, base::ErrorCode::kDataLoss);

  Conversation refused(context, ClosedPort(), false);
  auto none = refused.Exchange("GET / HTTP/1.1\r\n\r\n", "GET /");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, base::ErrorCode::kUnavailable);
}

TEST(ConversationTest, TimesOutOnASilentServer) {
  TestServer silent([](int fd) {
    ReadHead(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  });
  RateLimiter limiter(1000, 10);
  ProbeContext context(kLoopback, Millis(100), limiter, {});
  Conversation conversation(context, silent.port(), false);
  const auto start = SteadyClock::now();
  auto answer = conversation.Exchange("GET / HTTP/1.1\r\n\r\n", "GET /");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, base::ErrorCode::kDeadlineExceeded);
  EXPECT_LT(SteadyClock::now() - start, Millis(350));
}

TEST(RateLimiterTest, PacesAfterTheBurst) {
  RateLimiter limiter(100, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.TryAcquire().count(), 0);
  const auto wait = limiter.TryAcquire();
  EXPECT_GT(wait.count(), 0);
  EXPECT_LE(wait.count(), 10'001);
  const auto start = SteadyClock::now();
  for (int i = 0; i < 5; ++i) limiter.Acquire();
  EXPECT_GE(SteadyClock::now() - start, Millis(35));
}

}  // namespace
}  // namespace camguard::scan
