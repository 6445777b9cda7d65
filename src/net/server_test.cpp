// SPDX-License-Identifier: Apache-2.0
// The HTTPS server against real clients: curl and openssl s_client as subprocesses, on
// 127.0.0.1 with an ephemeral port.
#include "net/server.h"

#include <gtest/gtest.h>

#include "test_support.h"

#include <array>
#include <cstdio>
#include <future>
#include <thread>

#include "crypto/certificate.h"

namespace camguard::net {
namespace {

// Output (stdout and stderr) of a shell command, and optionally its exit code.
std::string RunCommand(const std::string& command, int* exit_code = nullptr) {
  auto result = camguard::testing::RunCommand(command, /*with_stderr=*/true);
  if (exit_code != nullptr) *exit_code = result.exit_code;
  return result.output;
}

// Echoes the request as text; "/slow" answers from the blocking pool, "/never" never answers.
class EchoHandler final : public http::Handler {
 public:
  http::BlockingExecutor* blocking = nullptr;
  void Handle(http::Request request, http::Responder respond) override {
    if (request.target == "/never") {
      pending_ = std::move(respond);
      return;
    }
    if (request.target == "/slow") {
      auto result = std::make_shared<std::string>();
      blocking->RunBlocking([result] { *result = "from the pool"; },
                            [result, respond = std::move(respond)] {
                              http::Response response;
                              response.body = *result;
                              respond(std::move(response));
                            });
      return;
    }
    http::Response response;
    response.body = request.method + " " + request.target + " from " + request.remote_address + " body=" +
                    std::to_string(request.body.size()) + " ua=" + std::string(request.Header("user-agent").value_or(""));
    respond(std::move(response));
  }

 private:
  http::Responder pending_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = crypto::GenerateSelfSignedCertificate({"localhost"}, {"127.0.0.1"});
    ASSERT_TRUE(cert);
    ServerOptions options;
    options.port = 0;
    options.certificate_pem = cert->certificate_pem;
    options.private_key_pem = cert->private_key_pem;
    options.max_body_bytes = 4096;
    options.request_timeout = std::chrono::seconds(1);
    options.handler_timeout = std::chrono::seconds(1);
    auto created = Server::Create(options, handler_);
    ASSERT_TRUE(created) << created.error().message;
    server_ = std::move(*created);
    handler_.blocking = &server_->blocking();
    thread_ = std::thread([this] { server_->Run(); });
    base_ = "https://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string Curl(const std::string& args, int* code = nullptr) {
    return RunCommand("curl -sk --max-time 10 --tlsv1.3 -i " + args, code);
  }

  EchoHandler handler_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::string base_;
};

TEST_F(ServerTest, ServesRequestsWithSecurityHeaders) {
  const std::string out = Curl("-A probe/1 " + base_ + "/hello");
  EXPECT_NE(out.find("HTTP/1.1 200"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /hello from 127.0.0.1 body=0 ua=probe/1"), std::string::npos) << out;
  EXPECT_NE(out.find("Strict-Transport-Security: max-age="), std::string::npos);
  EXPECT_NE(out.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(out.find("X-Content-Type-Options: nosniff"), std::string::npos);
  EXPECT_NE(out.find("Referrer-Policy: no-referrer"), std::string::npos);
  EXPECT_EQ(out.find("Server:"), std::string::npos) << "no version banner";
}

TEST_F(ServerTest, RefusesTls12AndAcceptsTls13) {
  int code = 0;
  const std::string old = RunCommand("echo | timeout 10 openssl s_client -tls1_2 -connect 127.0.0.1:" +
                                         std::to_string(server_->port()),
                                     &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(old.find("alert protocol version"), std::string::npos) << old;
  const std::string current = RunCommand("echo | timeout 10 openssl s_client -tls1_3 -connect 127.0.0.1:" +
                                         std::to_string(server_->port()));
  EXPECT_NE(current.find("TLSv1.3"), std::string::npos) << current;
}

TEST_F(ServerTest, AnswersFromTheBlockingPool) {
  EXPECT_NE(Curl(base_ + "/slow").find("from the pool"), std::string::npos);
}

TEST_F(ServerTest, OversizedBodyIs413WithoutReadingIt) {
  const std::string big(5000, 'a');
  const std::string again = Curl("-d " + big + " " + base_ + "/upload");
  EXPECT_NE(again.find("HTTP/1.1 413"), std::string::npos) << again.substr(0, 300);
  EXPECT_NE(again.find("payload_too_large"), std::string::npos);
  EXPECT_NE(Curl("-d small " + base_ + "/upload").find("body=5"), std::string::npos);
}

TEST_F(ServerTest, StalledRequestGets408) {
  const std::string out = RunCommand("(printf 'GET /x HTTP/1.1\\r\\nHost: a\\r\\n'; sleep 3) | timeout 10 "
                                     "openssl s_client -quiet -tls1_3 -connect 127.0.0.1:" +
                                     std::to_string(server_->port()));
  EXPECT_NE(out.find("HTTP/1.1 408"), std::string::npos) << out;
}

TEST_F(ServerTest, HandlerThatNeverAnswersTimesOut) {
  const std::string out = Curl(base_ + "/never");
  EXPECT_NE(out.find("HTTP/1.1 503"), std::string::npos) << out;
}

TEST_F(ServerTest, GarbageAndUpgradesAreRefused) {
  const std::string garbage = RunCommand("printf 'NOT HTTP\\r\\n\\r\\n' | timeout 10 openssl s_client -quiet "
                                         "-tls1_3 -connect 127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_NE(garbage.find("HTTP/1.1 400"), std::string::npos) << garbage;
  const std::string upgrade = Curl("-H 'Connection: Upgrade' -H 'Upgrade: websocket' " + base_ + "/ws");
  EXPECT_NE(upgrade.find("HTTP/1.1 404"), std::string::npos) << upgrade;
  // Plain HTTP on the TLS port gets nothing, and the server keeps serving.
  int code = 0;
  RunCommand("curl -s --max-time 5 http://127.0.0.1:" + std::to_string(server_->port()) + "/", &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(Curl(base_ + "/still-alive").find("HTTP/1.1 200"), std::string::npos);
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  const std::string out = Curl(base_ + "/one " + base_ + "/two -v");
  EXPECT_NE(out.find("GET /one"), std::string::npos);
  EXPECT_NE(out.find("GET /two"), std::string::npos);
  EXPECT_NE(out.find("Re-using existing connection"), std::string::npos) << out;
}

TEST(ServerCreate, ReportsAnAddressInUseAndBadPem) {
  EchoHandler handler;
  auto cert = crypto::GenerateSelfSignedCertificate({"localhost"}, {});
  ServerOptions options;
  options.port = 0;
  options.certificate_pem = cert->certificate_pem;
  options.private_key_pem = cert->private_key_pem;
  auto first = Server::Create(options, handler);
  ASSERT_TRUE(first);
  options.port = (*first)->port();
  auto second = Server::Create(options, handler);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
  options.port = 0;
  options.private_key_pem = "garbage";
  EXPECT_FALSE(Server::Create(options, handler));
}

}  // namespace
}  // namespace camguard::net
