// SPDX-License-Identifier: Apache-2.0
// An in-process hub for API tests and the API fuzzer: in-memory SQLite, fake clock, blocking
// work run inline, cheap Argon2id parameters. No sockets.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/api.h"

namespace camguard::api::testing {

class InlineExecutor final : public http::BlockingExecutor {
 public:
  void RunBlocking(std::function<void()> work, std::function<void()> done) override {
    work();
    done();
  }
};

struct Reply {
  int status = 0;
  nlohmann::json body;
  http::Response raw;
};

class TestHub {
 public:
  explicit TestHub(std::filesystem::path dir);
  ~TestHub();

  // Sends one request; `cookies` and `csrf` as a browser would.
  Reply Send(std::string method, std::string target, std::string body = "",
             const std::optional<std::string>& cookie = std::nullopt,
             const std::optional<std::string>& csrf = std::nullopt,
             std::string address = "127.0.0.1",
             std::vector<std::pair<std::string, std::string>> extra_headers = {});

  std::string setup_token() const { return setup_token_; }
  // Rebuilds the API with other Argon2id parameters over the same database, as a restart with
  // a changed configuration would.
  void ReplaceHasher(auth::Argon2Params params);
  base::FakeClock& clock() { return clock_; }
  store::Database& db() { return *db_; }
  Api& api() { return *api_; }

  // Convenience: creates the owner and returns nothing; fails the test on error.
  void SetUpOwner(const std::string& username, const std::string& password);
  struct Login {
    std::string cookie;  // "name=value; name=value" for the Cookie header
    std::string csrf;
    nlohmann::json body;
  };
  std::optional<Login> LogIn(const std::string& username, const std::string& password,
                             const std::optional<std::string>& totp = std::nullopt,
                             const std::string& address = "127.0.0.1");

 private:
  std::filesystem::path dir_;
  base::FakeClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<auth::PasswordHasher> hasher_;
  std::unique_ptr<auth::LoginThrottle> throttle_;
  std::unique_ptr<auth::SetupToken> token_;
  crypto::SecretKey secrets_;
  InlineExecutor executor_;
  std::unique_ptr<Api> api_;
  std::string setup_token_;
};

}  // namespace camguard::api::testing
