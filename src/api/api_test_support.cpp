// SPDX-License-Identifier: Apache-2.0
#include "api/api_test_support.h"

#include <cstdlib>

#include "base/strings.h"
#include "store/migrations.h"

namespace camguard::api::testing {

namespace {
[[noreturn]] void Die(const char* what, const base::Error& error) {
  std::fprintf(stderr, "test hub: %s: %s\n", what, error.message.c_str());
  std::abort();
}
}  // namespace

TestHub::TestHub(std::filesystem::path dir) : dir_(std::move(dir)) {
  if (auto init = crypto::Initialize(); !init) Die("crypto", init.error());
  std::filesystem::create_directories(dir_);
  auto db = store::Database::OpenInMemory();
  if (!db) Die("db", db.error());
  db_ = std::make_unique<store::Database>(std::move(*db));
  if (auto migrated = store::Migrate(*db_); !migrated) Die("migrate", migrated.error());
  audit_ = std::make_unique<audit::AuditLog>(*db_, crypto::SecretKey(crypto::RandomBytes(32)),
                                             dir_ / "audit.head", clock_);
  hasher_ = std::make_unique<auth::PasswordHasher>(auth::Argon2Params{1024, 1});
  auth::ThrottleParams params;
  params.free_failures = 3;
  throttle_ = std::make_unique<auth::LoginThrottle>(clock_, params);
  token_ = std::make_unique<auth::SetupToken>(clock_, dir_ / "setup-token");
  auto issued = token_->Issue();
  if (!issued) Die("setup token", issued.error());
  setup_token_ = *issued;
  secrets_ = crypto::SecretKey(crypto::RandomBytes(32));
  ApiOptions options;
  options.session_idle_timeout = std::chrono::hours(1);
  options.session_absolute_timeout = std::chrono::hours(24);
  api_ = std::make_unique<Api>(
      ApiDeps{clock_, *db_, *audit_, *hasher_, *throttle_, *token_, secrets_, executor_}, options);
}

void TestHub::ReplaceHasher(auth::Argon2Params params) {
  api_.reset();
  hasher_ = std::make_unique<auth::PasswordHasher>(params);
  ApiOptions options;
  options.session_idle_timeout = std::chrono::hours(1);
  options.session_absolute_timeout = std::chrono::hours(24);
  api_ = std::make_unique<Api>(
      ApiDeps{clock_, *db_, *audit_, *hasher_, *throttle_, *token_, secrets_, executor_}, options);
}

TestHub::~TestHub() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Reply TestHub::Send(std::string method, std::string target, std::string body,
                    const std::optional<std::string>& cookie,
                    const std::optional<std::string>& csrf, std::string address,
                    std::vector<std::pair<std::string, std::string>> extra_headers) {
  http::Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  request.remote_address = std::move(address);
  request.headers["host"] = "hub.test:8443";
  request.headers["user-agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
  if (!request.body.empty()) request.headers["content-type"] = "application/json";
  if (cookie) request.headers["cookie"] = *cookie;
  if (csrf) request.headers["x-csrf-token"] = *csrf;
  for (auto& [name, value] : extra_headers) request.headers[base::ToLower(name)] = value;
  Reply reply;
  bool answered = false;
  api_->Handle(std::move(request), [&](http::Response response) {
    answered = true;
    reply.raw = std::move(response);
  });
  if (!answered) {
    reply.status = -1;
    return reply;
  }
  reply.status = reply.raw.status;
  reply.body = nlohmann::json::parse(reply.raw.body, nullptr, false);
  return reply;
}

void TestHub::SetUpOwner(const std::string& username, const std::string& password) {
  const nlohmann::json body = {
      {"token", setup_token_}, {"username", username}, {"password", password}};
  const Reply reply = Send("POST", "/api/v1/setup", body.dump());
  if (reply.status != 201) {
    std::fprintf(stderr, "setup failed: %d %s\n", reply.status, reply.raw.body.c_str());
    std::abort();
  }
}

std::optional<TestHub::Login> TestHub::LogIn(const std::string& username,
                                             const std::string& password,
                                             const std::optional<std::string>& totp,
                                             const std::string& address) {
  nlohmann::json body = {{"username", username}, {"password", password}};
  if (totp) body["totp"] = *totp;
  Reply reply = Send("POST", "/api/v1/login", body.dump(), std::nullopt, std::nullopt, address);
  if (reply.status != 200) return std::nullopt;
  Login login;
  for (const auto& [name, value] : reply.raw.headers) {
    if (base::ToLower(name) != "set-cookie") continue;
    const std::string pair = value.substr(0, value.find(';'));
    login.cookie += (login.cookie.empty() ? "" : "; ") + pair;
  }
  login.csrf = reply.body.value("csrf_token", "");
  login.body = reply.body;
  return login;
}

}  // namespace camguard::api::testing
