// SPDX-License-Identifier: Apache-2.0
// The JSON API under /api/v1/ (docs/api/openapi.yaml). Api is the http::Handler the transport
// calls; it resolves the route, applies the setup gate, Origin/CSRF checks and the session,
// asks auth::Authorize() for every decision, runs the handler, and audits what happened.
// Thread: loop only. Slow work (Argon2id) goes through http::BlockingExecutor.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_hub.h"
#include "audit/audit_log.h"
#include "auth/authorization.h"
#include "auth/login_throttle.h"
#include "auth/password_hasher.h"
#include "auth/setup_token.h"
#include "base/clock.h"
#include "cameras/ptz_control.h"
#include "cameras/streaming.h"
#include "crypto/crypto.h"
#include "http/message.h"
#include "store/database.h"

namespace camguard::api {

inline constexpr std::string_view kSessionCookie = "__Host-camguard_session";
inline constexpr std::string_view kDeviceCookie = "__Host-camguard_device";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";

struct ApiOptions {
  std::chrono::seconds session_idle_timeout{12 * 3600};
  std::chrono::seconds session_absolute_timeout{7 * 24 * 3600};
  std::vector<std::string> allowed_origins;
  // The hub's host names ([server] server_names): passkeys are bound to one of these (or
  // localhost), never to an IP address.
  std::vector<std::string> server_names;
  std::string issuer = "camguard";  // shown in authenticator apps
  // Where recordings are written; its file system's free space is a metric.
  std::optional<std::filesystem::path> recordings_directory;
  // Where exported clips are written (plain MP4; never deleted by retention).
  std::optional<std::filesystem::path> exports_directory;
  // Opens encrypted recordings for export; null when recordings are not encrypted.
  std::shared_ptr<const crypto::SecretKey> recordings_key;
};

struct ApiDeps {
  const base::Clock& clock;
  store::Database& db;
  audit::AuditLog& audit;
  const auth::PasswordHasher& hasher;
  auth::LoginThrottle& throttle;
  auth::SetupToken& setup_token;
  const crypto::SecretKey& secrets_key;
  http::BlockingExecutor& blocking;
  // The streaming engine, told about camera changes and asked for status; null in tests and
  // before the engine starts.
  cameras::StreamingControl* streaming = nullptr;
  // The alert pipeline; null in tests that do not need it (nothing is raised then).
  alerts::AlertHub* alerts = nullptr;
  // PTZ through the hub (the integrity watch); null when not running (PTZ answers 503).
  cameras::PtzControl* ptz = nullptr;
};

struct RouteInfo {
  std::string_view method;
  std::string_view pattern;
  auth::Action action;
};

class Api final : public http::Handler {
 public:
  Api(ApiDeps deps, ApiOptions options);
  ~Api() override;
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void Handle(http::Request request, http::Responder respond) override;
  // WebSocket endpoints: GET /api/v1/events (alerts pushed to the signed-in user's open pages).
  void HandleUpgrade(http::Request request, http::UpgradeResponder respond) override;
  // A new alert for `recipients` (user ids): pushed to their open event channels. Loop thread.
  void PushAlert(const alerts::StoredAlert& alert, const std::vector<std::int64_t>& recipients);

  // Every route, for the spec-agreement test and the authorization matrix.
  static std::vector<RouteInfo> Routes();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace camguard::api
