// SPDX-License-Identifier: Apache-2.0
// The alert hub against a real HTTP receiver on 127.0.0.1: signed payloads, retries with
// backoff until the receiver recovers, the dead-letter outcome, de-duplication and listeners.
#include "alerts/alert_hub.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alerts/webhook.h"
#include "base/strings.h"
#include "store/migrations.h"
#include "test_support.h"

namespace camguard::alerts {
namespace {

// Accepts HTTP/1.1 requests one at a time; answers with the next status from `statuses`
// (the last one repeats) and keeps what it received.
class Receiver {
 public:
  explicit Receiver(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Receiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string data;
      char buffer[4096];
      for (;;) {
        const auto header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          const auto cl = base::ToLower(data).find("content-length: ");
          const std::size_t length = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
          if (data.size() >= header_end + 4 + length) break;
        }
        const ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        data.append(buffer, static_cast<std::size_t>(n));
      }
      int status;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(data);
        status = statuses_[std::min(requests_.size(), statuses_.size()) - 1];
      }
      const std::string answer = "HTTP/1.1 " + std::to_string(status) +
                                 " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)::write(client, answer.data(), answer.size());
      ::close(client);
    }
  }
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::vector<int> statuses_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

std::string HeaderOf(const std::string& request, const std::string& name) {
  const std::string lower = base::ToLower(request);
  const auto at = lower.find(base::ToLower(name) + ": ");
  if (at == std::string::npos) return "";
  const auto start = at + name.size() + 2;
  return request.substr(start, request.find("\r\n", start) - start);
}

class AlertHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Initialize());
    path_ = dir_.path() / "camguard.db";
    auto db = store::Database::Open(path_);
    ASSERT_TRUE(db);
    ASSERT_TRUE(store::Migrate(*db));
    ASSERT_TRUE(
        db->Execute("INSERT INTO users (id, username, password_hash, role, created_ms, "
                    "password_changed_ms) "
                    "VALUES (1, 'owner', 'x', 'owner', 0, 0)"));
    db_.emplace(std::move(*db));
  }
  std::unique_ptr<AlertHub> StartHub() {
    AlertHubOptions options;
    options.database = path_;
    options.secrets_key = &key_;
    options.clock = &clock_;
    options.retry_delays = {std::chrono::milliseconds(20), std::chrono::milliseconds(20)};
    options.webhook_timeout = std::chrono::milliseconds(2000);
    auto hub = AlertHub::Start(options);
    EXPECT_TRUE(hub);
    return std::move(*hub);
  }
  void AddWebhook(const std::string& url, Severity min = Severity::kWarning) {
    AlertStore store(*db_);
    Webhook webhook;
    webhook.name = "receiver";
    webhook.url = url;
    webhook.secret_sealed = crypto::Seal(key_, "webhook-secret");
    webhook.min_severity = min;
    ASSERT_TRUE(store.AddWebhook(webhook, 0));
  }
  static RaisedAlert Moved() {
    return RaisedAlert{Kind::kCameraMovedFromOutside,
                       Severity::kCritical,
                       std::nullopt,
                       "Garden camera moved from outside camguard",
                       R"({"pan":0.4})",
                       "",
                       std::nullopt};
  }
  // Waits (bounded) until `done` holds, flushing the hub between looks.
  template <typename Done>
  void WaitFor(AlertHub& hub, Done done) {
    for (int i = 0; i < 200 && !done(); ++i) {
      hub.Flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(done());
  }

  camguard::testing::TempDir dir_{"alerts"};
  std::filesystem::path path_;
  std::optional<store::Database> db_;
  crypto::SecretKey key_{std::string(crypto::SecretKey::kSize, 's')};
  base::FakeClock clock_{base::FromUnixMillis(1'790'000'000'000)};
};

TEST_F(AlertHubTest, DeliversASignedPayloadTheReceiverCanVerify) {
  Receiver receiver({200});
  AddWebhook(receiver.url());
  auto hub = StartHub();
  hub->Raise(Moved());
  WaitFor(*hub, [&] { return receiver.requests().size() == 1; });
  const std::string request = receiver.requests()[0];
  const std::string body = request.substr(request.find("\r\n\r\n") + 4);
  const std::string timestamp = HeaderOf(request, "X-Camguard-Timestamp");
  EXPECT_EQ(timestamp, "1790000000");
  EXPECT_EQ(HeaderOf(request, "X-Camguard-Signature"),
            "sha256=" + WebhookSignature("webhook-secret", std::stoll(timestamp), body));
  const auto payload = nlohmann::json::parse(body);
  EXPECT_EQ(payload["kind"], "camera.moved_from_outside");
  EXPECT_EQ(payload["severity"], "critical");
  EXPECT_EQ(payload["details"]["pan"], 0.4);
  EXPECT_EQ(request.find("webhook-secret"), std::string::npos);
  AlertStore store(*db_);
  auto deliveries = store.Deliveries(std::nullopt, false, 10);
  ASSERT_TRUE(deliveries);
  ASSERT_EQ(deliveries->size(), 1u);
  EXPECT_EQ((*deliveries)[0].outcome, "delivered");
}

TEST_F(AlertHubTest, RetriesUntilTheReceiverRecoversThenRecordsEveryAttempt) {
  Receiver receiver({500, 503, 200});
  AddWebhook(receiver.url());
  auto hub = StartHub();
  hub->Raise(Moved());
  WaitFor(*hub, [&] { return receiver.requests().size() == 3; });
  AlertStore store(*db_);
  WaitFor(*hub, [&] { return store.Deliveries(std::nullopt, false, 10)->size() == 3; });
  auto deliveries = *store.Deliveries(std::nullopt, false, 10);
  EXPECT_EQ(deliveries[0].outcome, "delivered");
  EXPECT_EQ(deliveries[0].attempt, 3);
  EXPECT_EQ(deliveries[1].outcome, "retrying");
  EXPECT_EQ(deliveries[1].detail, "HTTP 503");
  // Every retry carries the same delivery id so the receiver can drop duplicates.
  const auto requests = receiver.requests();
  EXPECT_EQ(HeaderOf(requests[0], "X-Camguard-Delivery"),
            HeaderOf(requests[2], "X-Camguard-Delivery"));
}

TEST_F(AlertHubTest, AfterTheLastRetryTheDeliveryIsDead) {
  Receiver receiver({500});
  AddWebhook(receiver.url());
  auto hub = StartHub();
  hub->Raise(Moved());
  AlertStore store(*db_);
  WaitFor(*hub, [&] { return store.Deliveries(std::nullopt, true, 10)->size() == 1; });
  EXPECT_EQ(receiver.requests().size(), 3u);  // first attempt + two retries
}

TEST_F(AlertHubTest, RepeatsAreCountedNotResentAndListenersHearNewAlerts) {
  Receiver receiver({200});
  AddWebhook(receiver.url());
  auto hub = StartHub();
  std::atomic<int> heard{0};
  hub->AddListener([&](const StoredAlert&, const std::vector<std::int64_t>& recipients) {
    EXPECT_EQ(recipients, std::vector<std::int64_t>{1});
    ++heard;
  });
  hub->Raise(Moved());
  hub->Raise(Moved());
  hub->Raise(Moved());
  hub->Flush();
  WaitFor(*hub, [&] { return receiver.requests().size() == 1; });
  EXPECT_EQ(heard, 1);
  AlertStore store(*db_);
  auto alerts = store.List(AlertQuery{});
  ASSERT_TRUE(alerts);
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].count, 3);
}

TEST_F(AlertHubTest, WebhooksBelowTheirMinimumSeverityStayQuiet) {
  Receiver receiver({200});
  AddWebhook(receiver.url(), Severity::kCritical);
  auto hub = StartHub();
  hub->Raise(RaisedAlert{Kind::kCameraOffline, Severity::kWarning, std::nullopt, "offline", "{}",
                         "", std::nullopt});
  hub->Flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(receiver.requests().empty());
}

TEST(WebhookUrl, OnlyHttpAndHttpsWithAHostAndNoCredentials) {
  EXPECT_TRUE(ValidateWebhookUrl("https://hooks.example.org/camguard"));
  EXPECT_TRUE(ValidateWebhookUrl("http://127.0.0.1:8123/api/webhook/x"));
  EXPECT_FALSE(ValidateWebhookUrl("ftp://example.org/"));
  EXPECT_FALSE(ValidateWebhookUrl("https://user:pw@example.org/"));
  EXPECT_FALSE(ValidateWebhookUrl("https:///path"));
  EXPECT_FALSE(ValidateWebhookUrl("https://exa mple.org/"));
  EXPECT_FALSE(ValidateWebhookUrl("file:///etc/passwd"));
}

}  // namespace
}  // namespace camguard::alerts
