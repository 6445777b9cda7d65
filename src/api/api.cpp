// SPDX-License-Identifier: Apache-2.0
#include "api/api.h"

#include <arpa/inet.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "alerts/alert_store.h"
#include "alerts/webhook.h"
#include "api/errors.h"
#include "api/json_body.h"
#include "api/router.h"
#include "auth/account_store.h"
#include "auth/api_tokens.h"
#include "auth/password_policy.h"
#include "auth/qr.h"
#include "auth/recovery_codes.h"
#include "auth/totp.h"
#include "auth/user_agent.h"
#include "auth/webauthn.h"
#include "auth/webauthn_store.h"
#include "base/encoding.h"
#include "base/files.h"
#include "base/strings.h"
#include "cameras/camera_store.h"
#include "cameras/credentials.h"
#include "http/cookies.h"
#include "recording/recording.h"

namespace camguard::api {

using auth::Action;
using auth::Decision;
using auth::Role;
using nlohmann::json;

namespace {

std::int64_t Millis(const base::Clock& clock) { return base::ToUnixMillis(clock.Now()); }
std::string Time(std::int64_t ms) { return base::FormatRfc3339(base::FromUnixMillis(ms)); }

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool IsValidUsername(std::string_view name) {
  if (name.size() < 3 || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool IsStateChanging(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

json RightsArray(auth::CameraRights rights) {
  json array = json::array();
  for (auth::CameraRight right : auth::kEveryCameraRight) {
    if (auth::Has(rights, right)) array.push_back(std::string(auth::ToString(right)));
  }
  return array;
}

json UserJson(const auth::User& user) {
  return json{{"id", std::to_string(user.id)},
              {"username", user.username},
              {"role", std::string(auth::ToString(user.role))},
              {"disabled", user.disabled},
              {"totp_enabled", user.totp_enabled()},
              {"created_at", Time(user.created_ms)}};
}

json SessionJson(const auth::Session& session, std::string_view username, bool current) {
  return json{{"id", session.public_id},
              {"user_id", std::to_string(session.user_id)},
              {"username", std::string(username)},
              {"device", session.device},
              {"address", session.address},
              {"created_at", Time(session.created_ms)},
              {"last_seen_at", Time(session.last_seen_ms)},
              {"expires_at", Time(session.expires_ms)},
              {"current", current}};
}

json StatusJson(const std::optional<cameras::StreamStatus>& status) {
  if (!status) return nullptr;
  return json{
      {"state", cameras::ToString(status->state)},
      {"codec", status->codec},
      {"width", status->width},
      {"height", status->height},
      {"frames_per_second", status->frames_per_second},
      {"bits_per_second", status->bits_per_second},
      {"frames", status->frames},
      {"lost_packets", status->lost_packets},
      {"reconnects", status->reconnects},
      {"recording", status->recording},
      {"last_frame_at", status->last_frame_ms ? json(Time(*status->last_frame_ms)) : json(nullptr)},
      {"recording_lag_ms", status->recording_lag_ms},
      {"fragments_dropped", status->fragments_dropped},
      {"last_error", status->last_error}};
}

json CameraJson(const cameras::Camera& camera, auth::CameraRights rights,
                const std::optional<cameras::StreamStatus>& status) {
  return json{{"id", camera.public_id},
              {"name", camera.name},
              {"main_url", camera.main_url},
              {"sub_url", camera.sub_url ? json(*camera.sub_url) : json(nullptr)},
              {"has_credentials", camera.has_credentials},
              {"transport", cameras::ToString(camera.transport)},
              {"recording_enabled", camera.recording_enabled},
              {"retention_days", camera.retention_days},
              {"onvif_url", camera.onvif_url ? json(*camera.onvif_url) : json(nullptr)},
              {"integrity_watch", camera.integrity_watch},
              {"privacy", camera.privacy},
              {"rights", RightsArray(rights)},
              {"status", StatusJson(status)},
              {"created_at", Time(camera.created_ms)}};
}

// 429 with Retry-After rounded up: a client that waits exactly that long is let through.
http::Response Throttled(base::Duration retry_after) {
  http::Response response =
      ErrorResponse(ApiError{429, "throttled", "too many failed attempts; wait and retry"});
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(retry_after).count();
  response.SetHeader("Retry-After", std::to_string(std::max<long long>(1, seconds)));
  return response;
}

std::optional<std::int64_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

// One request in flight. Shared so that asynchronous steps (Argon2id on the pool) keep it alive.
struct Call {
  http::Request request;
  http::Responder respond;
  Target target;
  std::map<std::string, std::string> params;
  std::optional<auth::Principal> principal;
  std::optional<auth::User> user;
  std::optional<auth::Session> session;
  std::optional<auth::ApiToken> token;  // when the request came with an API token
  audit::Actor actor;
  std::vector<std::string> set_cookies;
  bool finished = false;
};
using CallPtr = std::shared_ptr<Call>;

class Api::Impl {
 public:
  Impl(ApiDeps deps, ApiOptions options)
      : deps_(deps),
        options_(std::move(options)),
        accounts_(deps.db),
        cameras_(deps.db),
        tokens_(deps.db),
        alert_store_(deps.db) {}

  void Handle(http::Request request, http::Responder respond);

  using Method = void (Impl::*)(const CallPtr&);
  struct Route {
    std::string_view method;
    std::string_view pattern;
    Action action;
    bool needs_target;  // the handler calls Require() itself once it knows the target
    Method handler;
  };
  static const std::vector<Route>& RouteTable();

 private:
  // --- plumbing -----------------------------------------------------------------------------
  void Finish(const CallPtr& call, http::Response response) {
    if (call->finished) return;
    call->finished = true;
    for (const std::string& cookie : call->set_cookies) response.AddHeader("Set-Cookie", cookie);
    call->respond(std::move(response));
  }
  void Reply(const CallPtr& call, int status, const json& body) {
    Finish(call, JsonResponse(status, status == 204 ? std::string() : Dump(body)));
  }
  void Error(const CallPtr& call, const ApiError& error) { Finish(call, ErrorResponse(error)); }
  void Error(const CallPtr& call, int status, std::string code, std::string message) {
    Error(call, ApiError{status, std::move(code), std::move(message)});
  }
  // Internal failures: detail to the log, a generic message to the client.
  void Internal(const CallPtr& call, const base::Error& error, std::string_view what) {
    spdlog::error("{} {}: {}: {}", call->request.method, call->target.path, what, error.message);
    Error(call, FromError(error));
  }

  void Audit(const CallPtr& call, std::string_view action, std::string_view target,
             audit::Outcome outcome, const json& details = json::object()) {
    audit::Entry entry{call->actor, std::string(action), std::string(target), outcome,
                       Dump(details)};
    auto appended = deps_.audit.Append(entry);
    if (!appended) {
      spdlog::critical("audit log append failed for {}: {}", action, appended.error().message);
    }
  }

  // Asks the one authorization function; answers and audits a refusal. True when allowed.
  bool Require(const CallPtr& call, Action action, const auth::Target& target,
               std::string_view audit_target) {
    const Decision decision = auth::Authorize(call->principal, action, target);
    switch (decision) {
      case Decision::kAllow: return true;
      case Decision::kUnauthenticated:
        Error(call, 401, "unauthenticated", "sign in first");
        return false;
      case Decision::kDeny:
        Audit(call, fmt::format("authz.{}", auth::ToString(action)), audit_target,
              audit::Outcome::kDenied);
        Error(call, 403, "permission_denied", "you do not have the right to do this");
        return false;
      case Decision::kInvalid:
        Audit(call, fmt::format("authz.{}", auth::ToString(action)), audit_target,
              audit::Outcome::kDenied, json{{"reason", "invalid"}});
        Error(call, 400, "invalid_request", "this change is not possible for this account");
        return false;
    }
    return false;
  }

  bool OwnerExists() {
    if (!owner_exists_) {
      auto exists = accounts_.AnyOwnerExists();
      owner_exists_ = exists && *exists;
    }
    return *owner_exists_;
  }

  void ResolveSession(const CallPtr& call);
  void ResolveToken(const CallPtr& call, std::string_view secret);
  std::string SealSecret(std::string_view secret) const {
    return crypto::Seal(deps_.secrets_key, secret);
  }
  std::string RecoveryCodeHash(std::string_view code) const {
    return base::HexEncode(crypto::HmacSha256(
        deps_.secrets_key.bytes(), "recovery-code:" + auth::NormalizeRecoveryCode(code)));
  }
  // Checks a TOTP code or a recovery code for `user`; consumes what it accepts.
  base::Result<bool> CheckSecondFactor(const auth::User& user,
                                       const std::optional<std::string>& totp_code,
                                       const std::optional<std::string>& recovery_code);
  void StartSession(const CallPtr& call, const auth::User& user,
                    std::optional<std::int64_t> device_id);
  std::optional<std::pair<std::int64_t, std::int64_t>> PresentedDevice(const CallPtr& call);

  // --- handlers -----------------------------------------------------------------------------
  void Setup(const CallPtr& call);
  void Login(const CallPtr& call);
  void Logout(const CallPtr& call);
  void Me(const CallPtr& call);
  void ChangePassword(const CallPtr& call);
  void TotpStart(const CallPtr& call);
  void TotpConfirm(const CallPtr& call);
  void TotpDisable(const CallPtr& call);
  void RegenerateRecoveryCodes(const CallPtr& call);
  // Passkeys (WebAuthn): registration, listing and removal for the signed-in user, and
  // passwordless sign-in.
  void PasskeyRegistrationOptions(const CallPtr& call);
  void PasskeyRegister(const CallPtr& call);
  void ListPasskeys(const CallPtr& call);
  void RemovePasskey(const CallPtr& call);
  void PasskeyLoginOptions(const CallPtr& call);
  void PasskeyLogin(const CallPtr& call);
  void ListSessions(const CallPtr& call);
  void RevokeSession(const CallPtr& call);
  void ListUsers(const CallPtr& call);
  void CreateUser(const CallPtr& call);
  void GetUser(const CallPtr& call);
  void UpdateUser(const CallPtr& call);
  void DeleteUser(const CallPtr& call);
  void SetRights(const CallPtr& call);
  void ListCameras(const CallPtr& call);
  void CreateCamera(const CallPtr& call);
  void GetCamera(const CallPtr& call);
  void UpdateCamera(const CallPtr& call);
  void DeleteCamera(const CallPtr& call);
  void ReadAuditLog(const CallPtr& call);
  void ListTokens(const CallPtr& call);
  void CreateToken(const CallPtr& call);
  void RevokeToken(const CallPtr& call);
  void Metrics(const CallPtr& call);
  void ListAlerts(const CallPtr& call);
  void AcknowledgeAlert(const CallPtr& call);
  void GetAlertSubscription(const CallPtr& call);
  void SetAlertSubscription(const CallPtr& call);
  void ListWebhooks(const CallPtr& call);
  void CreateWebhook(const CallPtr& call);
  void DeleteWebhook(const CallPtr& call);
  void WebhookDeliveries(const CallPtr& call);
  void EventsWithoutUpgrade(const CallPtr& call);
  void LiveWithoutUpgrade(const CallPtr& call);
  void ListRecordings(const CallPtr& call);
  void CreateExport(const CallPtr& call);
  void GetPtz(const CallPtr& call);
  void SetPrivacy(const CallPtr& call);
  void FinishCreateCamera(const CallPtr& call, const cameras::CameraUpdate& settings,
                          const cameras::OnvifDiscovery* discovered);
  void ListCameraAccounts(const CallPtr& call);
  void RotateCameraPassword(const CallPtr& call);
  void RemoveCameraAccount(const CallPtr& call);
  void CommandPtz(const CallPtr& call);
  // Runs a PTZ call on the blocking pool and answers with the camera's PTZ state.
  void RunPtz(const CallPtr& call, const cameras::Camera& camera,
              std::optional<cameras::PtzRequest> request);
  void DownloadExport(const CallPtr& call);

 public:
  void HandleUpgrade(http::Request request, http::UpgradeResponder respond);
  void PushAlert(const alerts::StoredAlert& alert, const std::vector<std::int64_t>& recipients);

 private:
  // Open event channels by user (loop thread). Entries whose session ended are pruned on push.
  std::multimap<std::int64_t, std::weak_ptr<http::WebSocketChannel>> event_channels_;

  // Who is watching which camera live right now (loop thread), for the "being watched" panel.
  struct Watcher {
    std::string username, device, address;
    std::int64_t since_ms = 0;
  };
  std::map<std::int64_t, std::map<std::uint64_t, Watcher>> watchers_;  // camera → watch id
  std::uint64_t next_watch_id_ = 1;
  json WatchersJson(std::int64_t camera_id) const {
    json list = json::array();
    if (const auto it = watchers_.find(camera_id); it != watchers_.end()) {
      for (const auto& [id, w] : it->second) {
        list.push_back(json{{"username", w.username},
                            {"device", w.device},
                            {"address", w.address},
                            {"since", Time(w.since_ms)}});
      }
    }
    return list;
  }
  void HandleLiveUpgrade(const CallPtr& call, http::UpgradeResponder respond);
  // Whether the caller may see `alert` (its camera's view right, or their own account's alert).
  base::Result<bool> MaySeeAlert(const CallPtr& call, const alerts::StoredAlert& alert);
  void RaiseAlert(alerts::RaisedAlert alert) {
    if (deps_.alerts) deps_.alerts->Raise(std::move(alert));
  }

  // Verifies `password` for the current user on the pool, then runs `then` on the loop.
  void WithPasswordCheck(const CallPtr& call, std::string password, std::function<void()> then);
  base::Result<std::optional<auth::User>> LoadTargetUser(const CallPtr& call);
  // The camera named by {id} if the caller holds `right` on it. Answers the call (403 alike for
  // a missing camera and a forbidden one, 404 only to those who could see it) when not.
  std::optional<cameras::Camera> CameraWithRight(const CallPtr& call, auth::CameraRight right,
                                                 auth::CameraRights* effective = nullptr,
                                                 Action action = Action::kUseCamera);
  std::optional<cameras::StreamStatus> StreamStatusOf(std::int64_t camera_id) const {
    return deps_.streaming ? deps_.streaming->Status(camera_id) : std::nullopt;
  }
  // Reads name/main_url/sub_url/username/password/transport/recording_enabled/retention_days
  // shared by create and update; answers the call and returns false on bad input.
  bool ReadCameraSettings(const CallPtr& call, const json& body, bool creating,
                          cameras::CameraUpdate& update);

  ApiDeps deps_;
  ApiOptions options_;
  auth::AccountStore accounts_;
  cameras::CameraStore cameras_;
  auth::ApiTokenStore tokens_;
  alerts::AlertStore alert_store_;
  // When each token's read-only use was last written to the audit log (see ResolveToken).
  std::map<std::int64_t, std::int64_t> token_read_audited_ms_;
  std::optional<bool> owner_exists_;

  // Passkey ceremonies in progress: registrations by session, sign-ins by their public id.
  struct PasskeyRelyingParty {
    std::string id;      // the host name the browser used
    std::string origin;  // "https://" + the Host header as sent
  };
  struct PendingPasskeyCeremony {
    std::string challenge;  // raw bytes
    PasskeyRelyingParty relying_party;
    std::int64_t user_id = 0;  // registration only
    std::int64_t expires_ms = 0;
  };
  std::optional<PasskeyRelyingParty> PasskeyRelyingPartyFor(const CallPtr& call);
  std::string PasskeyUserHandle(std::int64_t user_id) const;
  void StorePasskeyCeremony(std::string key, PendingPasskeyCeremony ceremony);
  // Removes and returns the ceremony (single use); nullopt when unknown or expired.
  std::optional<PendingPasskeyCeremony> TakePasskeyCeremony(const std::string& key);
  std::map<std::string, PendingPasskeyCeremony> passkey_ceremonies_;
};

const std::vector<Api::Impl::Route>& Api::Impl::RouteTable() {
  static const std::vector<Route> routes = {
      {"POST", "/api/v1/setup", Action::kSetup, false, &Impl::Setup},
      {"POST", "/api/v1/login", Action::kLogin, false, &Impl::Login},
      {"POST", "/api/v1/logout", Action::kLogout, false, &Impl::Logout},
      {"GET", "/api/v1/me", Action::kReadSelf, false, &Impl::Me},
      {"POST", "/api/v1/me/password", Action::kChangeOwnPassword, false, &Impl::ChangePassword},
      {"POST", "/api/v1/me/totp", Action::kManageOwnSecondFactor, false, &Impl::TotpStart},
      {"POST", "/api/v1/me/totp/confirm", Action::kManageOwnSecondFactor, false,
       &Impl::TotpConfirm},
      {"POST", "/api/v1/me/totp/disable", Action::kManageOwnSecondFactor, false,
       &Impl::TotpDisable},
      {"POST", "/api/v1/me/recovery-codes", Action::kManageOwnSecondFactor, false,
       &Impl::RegenerateRecoveryCodes},
      {"GET", "/api/v1/me/passkeys", Action::kManageOwnSecondFactor, false, &Impl::ListPasskeys},
      {"POST", "/api/v1/me/passkeys", Action::kManageOwnSecondFactor, false,
       &Impl::PasskeyRegister},
      {"POST", "/api/v1/me/passkeys/registration", Action::kManageOwnSecondFactor, false,
       &Impl::PasskeyRegistrationOptions},
      {"DELETE", "/api/v1/me/passkeys/{id}", Action::kManageOwnSecondFactor, false,
       &Impl::RemovePasskey},
      {"POST", "/api/v1/login/passkey/options", Action::kLogin, false, &Impl::PasskeyLoginOptions},
      {"POST", "/api/v1/login/passkey", Action::kLogin, false, &Impl::PasskeyLogin},
      {"GET", "/api/v1/sessions", Action::kListOwnSessions, true, &Impl::ListSessions},
      {"DELETE", "/api/v1/sessions/{id}", Action::kRevokeSession, true, &Impl::RevokeSession},
      {"GET", "/api/v1/users", Action::kListUsers, false, &Impl::ListUsers},
      {"POST", "/api/v1/users", Action::kCreateUser, true, &Impl::CreateUser},
      {"GET", "/api/v1/users/{id}", Action::kReadUser, true, &Impl::GetUser},
      {"PATCH", "/api/v1/users/{id}", Action::kUpdateUser, true, &Impl::UpdateUser},
      {"DELETE", "/api/v1/users/{id}", Action::kDeleteUser, true, &Impl::DeleteUser},
      {"PUT", "/api/v1/users/{id}/rights", Action::kSetUserRights, true, &Impl::SetRights},
      {"GET", "/api/v1/cameras", Action::kListCameras, false, &Impl::ListCameras},
      {"POST", "/api/v1/cameras", Action::kCreateCamera, false, &Impl::CreateCamera},
      {"GET", "/api/v1/cameras/{id}", Action::kUseCamera, true, &Impl::GetCamera},
      {"PATCH", "/api/v1/cameras/{id}", Action::kUseCamera, true, &Impl::UpdateCamera},
      {"DELETE", "/api/v1/cameras/{id}", Action::kDeleteCamera, false, &Impl::DeleteCamera},
      {"GET", "/api/v1/audit-log", Action::kReadAuditLog, false, &Impl::ReadAuditLog},
      {"GET", "/api/v1/tokens", Action::kListTokens, false, &Impl::ListTokens},
      {"POST", "/api/v1/tokens", Action::kCreateToken, true, &Impl::CreateToken},
      {"DELETE", "/api/v1/tokens/{id}", Action::kRevokeToken, true, &Impl::RevokeToken},
      {"GET", "/api/v1/metrics", Action::kReadMetrics, false, &Impl::Metrics},
      {"GET", "/api/v1/alerts", Action::kListAlerts, false, &Impl::ListAlerts},
      {"POST", "/api/v1/alerts/{id}/acknowledge", Action::kAcknowledgeAlert, false,
       &Impl::AcknowledgeAlert},
      {"GET", "/api/v1/me/alert-subscription", Action::kManageOwnAlertSubscription, false,
       &Impl::GetAlertSubscription},
      {"PUT", "/api/v1/me/alert-subscription", Action::kManageOwnAlertSubscription, false,
       &Impl::SetAlertSubscription},
      {"GET", "/api/v1/webhooks", Action::kManageWebhooks, false, &Impl::ListWebhooks},
      {"POST", "/api/v1/webhooks", Action::kManageWebhooks, false, &Impl::CreateWebhook},
      {"DELETE", "/api/v1/webhooks/{id}", Action::kManageWebhooks, false, &Impl::DeleteWebhook},
      {"GET", "/api/v1/webhooks/{id}/deliveries", Action::kManageWebhooks, false,
       &Impl::WebhookDeliveries},
      // A WebSocket endpoint (HandleUpgrade); a plain GET is told to upgrade.
      {"GET", "/api/v1/events", Action::kSubscribeEvents, false, &Impl::EventsWithoutUpgrade},
      {"GET", "/api/v1/cameras/{id}/live", Action::kUseCamera, true, &Impl::LiveWithoutUpgrade},
      {"GET", "/api/v1/cameras/{id}/recordings", Action::kUseCamera, true, &Impl::ListRecordings},
      {"POST", "/api/v1/cameras/{id}/exports", Action::kUseCamera, true, &Impl::CreateExport},
      {"GET", "/api/v1/cameras/{id}/ptz", Action::kUseCamera, true, &Impl::GetPtz},
      {"POST", "/api/v1/cameras/{id}/privacy", Action::kSetPrivacyMode, true, &Impl::SetPrivacy},
      {"GET", "/api/v1/cameras/{id}/accounts", Action::kUseCamera, true, &Impl::ListCameraAccounts},
      {"POST", "/api/v1/cameras/{id}/accounts/rotate-password", Action::kUseCamera, true,
       &Impl::RotateCameraPassword},
      {"DELETE", "/api/v1/cameras/{id}/accounts/{account}", Action::kUseCamera, true,
       &Impl::RemoveCameraAccount},
      {"POST", "/api/v1/cameras/{id}/ptz", Action::kUseCamera, true, &Impl::CommandPtz},
      {"GET", "/api/v1/exports/{id}", Action::kUseCamera, true, &Impl::DownloadExport},
  };
  return routes;
}

void Api::Impl::Handle(http::Request request, http::Responder respond) {
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->respond = std::move(respond);
  call->actor.address = call->request.remote_address;
  call->actor.device = auth::DeviceLabel(call->request.Header("user-agent").value_or(""));

  auto target = ParseTarget(call->request.target);
  if (!target) return Error(call, 400, "invalid_request", target.error().message);
  call->target = std::move(*target);

  if (!call->target.path.starts_with("/api/")) {
    return Error(call, 404, "not_found", "no such resource");
  }

  const Route* route = nullptr;
  std::vector<std::string_view> allowed_methods;
  for (const Route& candidate : RouteTable()) {
    std::map<std::string, std::string> params;
    if (!MatchPath(candidate.pattern, call->target.path, params)) continue;
    allowed_methods.push_back(candidate.method);
    if (candidate.method == call->request.method) {
      route = &candidate;
      call->params = std::move(params);
    }
  }
  if (route == nullptr) {
    if (allowed_methods.empty()) return Error(call, 404, "not_found", "no such API endpoint");
    http::Response response =
        ErrorResponse(ApiError{405, "method_not_allowed", "method not allowed here"});
    std::string allow;
    for (std::string_view m : allowed_methods)
      allow += (allow.empty() ? "" : ", ") + std::string(m);
    response.SetHeader("Allow", allow);
    return Finish(call, std::move(response));
  }

  // Until the owner exists nothing but setup answers, and it answers nothing else afterwards.
  if (!OwnerExists() && route->action != Action::kSetup) {
    return Error(
        call, 503, "setup_required",
        "camguard is not set up yet: create the owner with the setup token printed on the console");
  }

  if (IsStateChanging(call->request.method)) {
    if (!http::IsSameOriginOrAllowed(call->request, options_.allowed_origins)) {
      return Error(call, 403, "forbidden_origin", "cross-origin requests are not allowed");
    }
    if (!call->request.body.empty()) {
      const std::string content_type =
          base::ToLower(call->request.Header("content-type").value_or(""));
      const std::string_view media =
          base::Trim(std::string_view(content_type).substr(0, content_type.find(';')));
      if (media != "application/json") {
        return Error(call, 415, "unsupported_media_type",
                     "request bodies must be application/json");
      }
    }
  }

  ResolveSession(call);
  if (call->finished) return;

  // CSRF protects ambient cookie credentials; a bearer token is sent deliberately by its holder.
  if (call->session && IsStateChanging(call->request.method)) {
    const auto presented = call->request.Header(kCsrfHeader);
    if (!presented || !crypto::ConstantTimeEqual(*presented, call->session->csrf_token)) {
      Audit(call, "csrf.reject", call->target.path, audit::Outcome::kDenied);
      return Error(call, 403, "csrf_failed", "missing or wrong X-CSRF-Token header");
    }
  }

  if (!route->needs_target && !Require(call, route->action, auth::Target{}, call->target.path))
    return;
  if (route->needs_target && !call->principal && route->action != Action::kSetup &&
      route->action != Action::kLogin) {
    return Error(call, 401, "unauthenticated", "sign in first");
  }
  (this->*(route->handler))(call);
}

void Api::Impl::ResolveSession(const CallPtr& call) {
  if (const auto authorization = call->request.Header("authorization")) {
    // An explicit credential wins over cookies: an integration never acts with a browser session.
    constexpr std::string_view kBearer = "bearer ";
    const std::string lowered = base::ToLower(authorization->substr(0, kBearer.size()));
    if (lowered != kBearer) {
      return Error(call, 401, "unauthenticated", "only Bearer API tokens are accepted here");
    }
    return ResolveToken(call, base::Trim(authorization->substr(kBearer.size())));
  }
  const auto header = call->request.Header("cookie");
  if (!header) return;
  const auto token = http::FindCookie(*header, kSessionCookie);
  if (!token || token->empty() || token->size() > 128) return;
  auto found = accounts_.FindSessionByTokenHash(crypto::Sha256Hex(*token));
  if (!found) return Internal(call, found.error(), "session lookup");
  if (!*found) {
    call->set_cookies.push_back(http::ExpiredHostCookie(kSessionCookie));
    return;
  }
  auth::Session session = std::move(**found);
  const std::int64_t now = Millis(deps_.clock);
  const std::int64_t idle_ms = options_.session_idle_timeout.count() * 1000;
  if (now >= session.expires_ms || now - session.last_seen_ms >= idle_ms) {
    (void)accounts_.RevokeSession(session.id, now, "expired");
    call->set_cookies.push_back(http::ExpiredHostCookie(kSessionCookie));
    return;
  }
  auto user = accounts_.FindUser(session.user_id);
  if (!user) return Internal(call, user.error(), "user lookup");
  if (!*user || (*user)->disabled) {
    (void)accounts_.RevokeSession(session.id, now, "user disabled");
    call->set_cookies.push_back(http::ExpiredHostCookie(kSessionCookie));
    return;
  }
  // Refresh last-seen at most every 30 s: enough for idle expiry, and few writes.
  if (now - session.last_seen_ms > 30'000) {
    (void)accounts_.TouchSession(session.id, now);
    session.last_seen_ms = now;
  }
  call->principal = auth::Principal{(*user)->id, (*user)->role, std::nullopt};
  call->actor.user_id = (*user)->id;
  call->actor.username = (*user)->username;
  call->actor.session_id = session.public_id;
  call->actor.device = session.device;
  call->user = std::move(**user);
  call->session = std::move(session);
}

void Api::Impl::ResolveToken(const CallPtr& call, std::string_view secret) {
  const std::int64_t now = Millis(deps_.clock);
  auto found = tokens_.FindUsable(secret, now);
  if (!found) return Internal(call, found.error(), "token lookup");
  if (!*found) {
    Audit(call, "token.reject", call->target.path, audit::Outcome::kFailure);
    return Error(call, 401, "unauthenticated", "the API token is unknown, revoked or expired");
  }
  auto user = accounts_.FindUser((*found)->user_id);
  if (!user) return Internal(call, user.error(), "user lookup");
  if (!*user || (*user)->disabled) {
    return Error(call, 401, "unauthenticated", "the API token's user is disabled");
  }
  auth::ApiToken token = std::move(**found);
  call->principal =
      auth::Principal{(*user)->id, (*user)->role, auth::TokenGrant{token.scopes, token.camera_ids}};
  call->actor.user_id = (*user)->id;
  call->actor.username = (*user)->username;
  call->actor.session_id = token.public_id;
  call->actor.device = "API token \"" + token.name + "\"";
  if (!token.last_used_ms || now - *token.last_used_ms > 30'000) (void)tokens_.Touch(token.id, now);
  // Every use is audited: each change at once; reads (a scraper polls every few seconds) at
  // most once per token every ten minutes, so the log shows the integration is active.
  const bool changing = IsStateChanging(call->request.method);
  auto& last_read = token_read_audited_ms_[token.id];
  if (changing || now - last_read >= 600'000) {
    if (!changing) last_read = now;
    Audit(call, "token.use", call->request.method + " " + call->target.path,
          audit::Outcome::kSuccess);
  }
  call->user = std::move(**user);
  call->token = std::move(token);
}

// ----------------------------------------------------------------------------------------------
// Setup and login

void Api::Impl::Setup(const CallPtr& call) {
  if (OwnerExists()) return Error(call, 409, "already_set_up", "camguard already has an owner");
  auto body = DecodeObject(call->request.body, {{"token", FieldType::kString, true, 256},
                                                {"username", FieldType::kString, true, 64},
                                                {"password", FieldType::kString, true, 1024}});
  if (!body) return Error(call, body.error());
  const std::string token = RequiredString(*body, "token");
  const std::string username = RequiredString(*body, "username");
  std::string password = RequiredString(*body, "password");

  const auto throttle = deps_.throttle.Check(call->request.remote_address, "\x01setup", false);
  if (!throttle.allowed) {
    return Finish(call, Throttled(throttle.retry_after));
  }
  switch (deps_.setup_token.Verify(token)) {
    case auth::SetupToken::Check::kValid: break;
    case auth::SetupToken::Check::kExpired:
      Audit(call, "auth.setup", username, audit::Outcome::kFailure,
            json{{"reason", "token expired"}});
      return Error(call, 403, "invalid_setup_token",
                   "the setup token has expired; restart camguard to get a new one");
    case auth::SetupToken::Check::kWrong:
    case auth::SetupToken::Check::kNone:
      deps_.throttle.RecordFailure(call->request.remote_address, "\x01setup");
      Audit(call, "auth.setup", username, audit::Outcome::kFailure,
            json{{"reason", "wrong token"}});
      return Error(call, 403, "invalid_setup_token", "the setup token is wrong");
  }
  if (!IsValidUsername(username)) {
    return Error(call, 400, "invalid_request",
                 "username must be 3 to 32 characters: letters, digits, '.', '_' or '-'");
  }
  if (auto policy = auth::CheckPasswordPolicy(password, username); !policy) {
    return Error(call, 400, "weak_password", policy.error().message);
  }
  auto hash = std::make_shared<base::Result<std::string>>();
  deps_.blocking.RunBlocking(
      [this, hash, password = std::move(password)] { *hash = deps_.hasher.Hash(password); },
      [this, call, hash, username, token] {
        if (!*hash) return Internal(call, hash->error(), "hashing");
        // Re-check on the loop: a concurrent setup may have won while we were hashing.
        owner_exists_.reset();
        if (OwnerExists())
          return Error(call, 409, "already_set_up", "camguard already has an owner");
        if (deps_.setup_token.Verify(token) != auth::SetupToken::Check::kValid) {
          return Error(call, 403, "invalid_setup_token", "the setup token was already used");
        }
        const std::int64_t now = Millis(deps_.clock);
        auto id = accounts_.CreateUser(username, **hash, Role::kOwner, now);
        if (!id) return Internal(call, id.error(), "creating owner");
        owner_exists_ = true;
        if (auto consumed = deps_.setup_token.Consume(); !consumed) {
          spdlog::error("could not remove the setup token file: {}", consumed.error().message);
        }
        call->actor.user_id = *id;
        call->actor.username = username;
        Audit(call, "auth.setup", username, audit::Outcome::kSuccess);
        spdlog::info("owner '{}' created; the setup token is used up", username);
        auto user = accounts_.FindUser(*id);
        if (!user || !*user) return Reply(call, 201, json{{"user", json::object()}});
        Reply(call, 201, json{{"user", UserJson(**user)}});
      });
}

std::optional<std::pair<std::int64_t, std::int64_t>> Api::Impl::PresentedDevice(
    const CallPtr& call) {
  const auto header = call->request.Header("cookie");
  if (!header) return std::nullopt;
  const auto token = http::FindCookie(*header, kDeviceCookie);
  if (!token || token->empty() || token->size() > 128) return std::nullopt;
  auto found = accounts_.FindTrustedDevice(crypto::Sha256Hex(*token));
  if (!found || !*found) return std::nullopt;
  return **found;
}

base::Result<bool> Api::Impl::CheckSecondFactor(const auth::User& user,
                                                const std::optional<std::string>& totp_code,
                                                const std::optional<std::string>& recovery_code) {
  const std::int64_t now = Millis(deps_.clock);
  if (totp_code && user.totp_secret_sealed) {
    CAMGUARD_TRY(const std::string secret,
                 crypto::Open(deps_.secrets_key, *user.totp_secret_sealed));
    const auto step =
        auth::totp::Verify(secret, *totp_code, deps_.clock.Now(), user.totp_last_step);
    if (!step) return false;
    // Atomic in SQL: a code accepted once can never be accepted again, even by a racing request.
    return accounts_.AdvanceTotpStep(user.id, *step);
  }
  if (recovery_code)
    return accounts_.ConsumeRecoveryCode(user.id, RecoveryCodeHash(*recovery_code), now);
  return false;
}

void Api::Impl::Login(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, {{"username", FieldType::kString, true, 64},
                                                {"password", FieldType::kString, true, 1024},
                                                {"totp", FieldType::kString, false, 16},
                                                {"recovery_code", FieldType::kString, false, 64}});
  if (!body) return Error(call, body.error());
  const std::string username = RequiredString(*body, "username");
  std::string password = RequiredString(*body, "password");
  const auto totp_code = OptionalString(*body, "totp");
  const auto recovery_code = OptionalString(*body, "recovery_code");
  const std::string account = base::ToLower(username);
  const std::string& address = call->request.remote_address;

  auto found = accounts_.FindUserByName(username);
  if (!found) return Internal(call, found.error(), "user lookup");

  // A caller holding a live session or trusted-device cookie of this very account is never
  // locked out by failures of others against the account.
  bool trusted_holder = false;
  const auto device = PresentedDevice(call);
  if (*found) {
    if (call->user && call->user->id == (**found).id) trusted_holder = true;
    if (device && device->second == (**found).id) trusted_holder = true;
  }
  const auto throttle = deps_.throttle.Check(address, account, trusted_holder);
  if (!throttle.allowed) {
    Audit(call, "auth.login", username, audit::Outcome::kFailure, json{{"reason", "throttled"}});
    alerts::RaisedAlert burst{
        alerts::Kind::kFailedLoginBurst,
        alerts::DefaultSeverity(alerts::Kind::kFailedLoginBurst),
        std::nullopt,
        fmt::format("Repeated failed sign-ins to '{}' from {}", username.substr(0, 64), address),
        Dump(json{{"username", username.substr(0, 64)}, {"address", address}}),
        "auth.failed_login_burst:" + account,
        *found ? std::optional<std::int64_t>((**found).id) : std::nullopt};
    RaiseAlert(std::move(burst));
    return Finish(call, Throttled(throttle.retry_after));
  }

  struct Outcome {
    bool password_ok = false;
    std::optional<std::string> new_hash;
  };
  auto outcome = std::make_shared<Outcome>();
  // Unknown users are checked against a dummy hash so both paths cost one Argon2id run.
  std::string stored_hash = *found ? (**found).password_hash : deps_.hasher.DummyHash();
  const bool known = found->has_value();
  deps_.blocking.RunBlocking(
      [this, outcome, known, stored_hash = std::move(stored_hash), password = std::move(password)] {
        outcome->password_ok = deps_.hasher.Verify(stored_hash, password) && known;
        if (outcome->password_ok && deps_.hasher.NeedsRehash(stored_hash)) {
          if (auto rehashed = deps_.hasher.Hash(password)) outcome->new_hash = std::move(*rehashed);
        }
      },
      [this, call, outcome, username, account, address, totp_code, recovery_code, device] {
        // Reload: the account may have changed while the hash ran.
        auto reloaded = accounts_.FindUserByName(username);
        if (!reloaded) return Internal(call, reloaded.error(), "user lookup");
        const bool ok = outcome->password_ok && *reloaded && !(**reloaded).disabled;
        if (!ok) {
          deps_.throttle.RecordFailure(address, account);
          Audit(call, "auth.login", username, audit::Outcome::kFailure,
                json{{"reason", "invalid credentials"}});
          return Error(call, 401, "invalid_credentials", "wrong username or password");
        }
        const auth::User& user = **reloaded;
        if (user.totp_enabled()) {
          if (!totp_code && !recovery_code) {
            Audit(call, "auth.login", username, audit::Outcome::kFailure,
                  json{{"reason", "second factor required"}});
            return Error(call, 401, "totp_required", "enter the code from your authenticator app");
          }
          auto second = CheckSecondFactor(user, totp_code, recovery_code);
          if (!second) return Internal(call, second.error(), "second factor");
          if (!*second) {
            deps_.throttle.RecordFailure(address, account);
            Audit(call, "auth.login", username, audit::Outcome::kFailure,
                  json{{"reason",
                        recovery_code ? "wrong recovery code" : "wrong or reused TOTP code"}});
            return Error(call, 401, "invalid_credentials", "wrong or already used code");
          }
        }
        deps_.throttle.RecordSuccess(address, account);
        if (outcome->new_hash) {
          (void)accounts_.SetPasswordHash(user.id, *outcome->new_hash, Millis(deps_.clock), false);
        }
        std::optional<std::int64_t> device_id;
        if (device && device->second == user.id) device_id = device->first;
        StartSession(call, user, device_id);
      });
}

void Api::Impl::StartSession(const CallPtr& call, const auth::User& user,
                             std::optional<std::int64_t> device_id) {
  const std::int64_t now = Millis(deps_.clock);
  const std::string user_agent(call->request.Header("user-agent").value_or("").substr(0, 512));
  const std::string label = auth::DeviceLabel(user_agent);
  if (!device_id) {
    const std::string device_token = crypto::RandomToken(32);
    auto created = accounts_.CreateTrustedDevice(user.id, "dev_" + crypto::RandomToken(12),
                                                 crypto::Sha256Hex(device_token), label, now);
    if (!created) return Internal(call, created.error(), "creating device");
    device_id = *created;
    call->set_cookies.push_back(http::HostCookie(kDeviceCookie, device_token, {365LL * 24 * 3600}));
    RaiseAlert(alerts::RaisedAlert{
        alerts::Kind::kNewDeviceLogin, alerts::DefaultSeverity(alerts::Kind::kNewDeviceLogin),
        std::nullopt,
        fmt::format("'{}' signed in from a new device: {} ({})", user.username, label,
                    call->request.remote_address),
        Dump(json{{"username", user.username},
                  {"device", label},
                  {"address", call->request.remote_address}}),
        fmt::format("auth.new_device_login:{}:{}", user.id, *device_id), user.id});
  } else {
    (void)accounts_.TouchTrustedDevice(*device_id, now);
  }
  const std::string token = crypto::RandomToken(32);
  auth::NewSession fresh;
  fresh.token_hash = crypto::Sha256Hex(token);
  fresh.public_id = "ses_" + crypto::RandomToken(12);
  fresh.csrf_token = crypto::RandomToken(32);
  fresh.user_id = user.id;
  fresh.device_id = device_id;
  fresh.device = label;
  fresh.user_agent = user_agent;
  fresh.address = call->request.remote_address;
  fresh.now_ms = now;
  fresh.expires_ms = now + options_.session_absolute_timeout.count() * 1000;
  auto id = accounts_.CreateSession(fresh);
  if (!id) return Internal(call, id.error(), "creating session");
  auto session = accounts_.FindSessionByPublicId(fresh.public_id);
  if (!session || !*session)
    return Internal(call, base::Error{base::ErrorCode::kInternal, "session vanished"}, "login");
  call->set_cookies.push_back(http::HostCookie(
      kSessionCookie, token, {static_cast<long long>(options_.session_absolute_timeout.count())}));
  call->actor.user_id = user.id;
  call->actor.username = user.username;
  call->actor.session_id = fresh.public_id;
  call->actor.device = label;
  Audit(call, "auth.login", user.username, audit::Outcome::kSuccess,
        json{{"second_factor", user.totp_enabled()}});
  Reply(call, 200,
        json{{"user", UserJson(user)},
             {"session", SessionJson(**session, user.username, true)},
             {"csrf_token", fresh.csrf_token}});
}

void Api::Impl::Logout(const CallPtr& call) {
  (void)accounts_.RevokeSession(call->session->id, Millis(deps_.clock), "logout");
  call->set_cookies.push_back(http::ExpiredHostCookie(kSessionCookie));
  Audit(call, "auth.logout", call->user->username, audit::Outcome::kSuccess);
  Reply(call, 204, json());
}

void Api::Impl::Me(const CallPtr& call) {
  Reply(call, 200,
        json{{"user", UserJson(*call->user)},
             {"session", SessionJson(*call->session, call->user->username, true)},
             {"csrf_token", call->session->csrf_token}});
}

void Api::Impl::WithPasswordCheck(const CallPtr& call, std::string password,
                                  std::function<void()> then) {
  const std::string account = base::ToLower(call->user->username);
  const auto throttle = deps_.throttle.Check(call->request.remote_address, account, true);
  if (!throttle.allowed) {
    return Finish(call, Throttled(throttle.retry_after));
  }
  auto ok = std::make_shared<bool>(false);
  deps_.blocking.RunBlocking(
      [this, ok, hash = call->user->password_hash, password = std::move(password)] {
        *ok = deps_.hasher.Verify(hash, password);
      },
      [this, call, ok, account, then = std::move(then)] {
        if (!*ok) {
          deps_.throttle.RecordFailure(call->request.remote_address, account);
          Audit(call, "auth.reauthenticate", call->user->username, audit::Outcome::kFailure);
          return Error(call, 401, "invalid_credentials", "the password is wrong");
        }
        then();
      });
}

void Api::Impl::ChangePassword(const CallPtr& call) {
  auto body =
      DecodeObject(call->request.body, {{"current_password", FieldType::kString, true, 1024},
                                        {"new_password", FieldType::kString, true, 1024}});
  if (!body) return Error(call, body.error());
  std::string current = RequiredString(*body, "current_password");
  std::string next = RequiredString(*body, "new_password");
  if (auto policy = auth::CheckPasswordPolicy(next, call->user->username); !policy) {
    return Error(call, 400, "weak_password", policy.error().message);
  }
  WithPasswordCheck(call, std::move(current), [this, call, next = std::move(next)]() mutable {
    auto hash = std::make_shared<base::Result<std::string>>();
    deps_.blocking.RunBlocking(
        [this, hash, next = std::move(next)] { *hash = deps_.hasher.Hash(next); },
        [this, call, hash] {
          if (!*hash) return Internal(call, hash->error(), "hashing");
          const std::int64_t now = Millis(deps_.clock);
          if (auto set = accounts_.SetPasswordHash(call->user->id, **hash, now, true); !set) {
            return Internal(call, set.error(), "storing password");
          }
          auto revoked = accounts_.RevokeUserSessions(call->user->id, call->session->id, now,
                                                      "password changed");
          Audit(call, "auth.password_change", call->user->username, audit::Outcome::kSuccess,
                json{{"other_sessions_ended", revoked ? *revoked : 0}});
          Reply(call, 204, json());
        });
  });
}

void Api::Impl::TotpStart(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, {{"password", FieldType::kString, true, 1024}});
  if (!body) return Error(call, body.error());
  if (call->user->totp_enabled()) {
    return Error(call, 409, "conflict",
                 "TOTP is already enabled; disable it first to enroll again");
  }
  WithPasswordCheck(call, RequiredString(*body, "password"), [this, call] {
    const std::string secret = auth::totp::GenerateSecret();
    if (auto stored =
            accounts_.SetTotpEnrollment(call->user->id, SealSecret(secret), Millis(deps_.clock));
        !stored) {
      return Internal(call, stored.error(), "storing enrollment");
    }
    const std::string uri = auth::totp::OtpauthUri(options_.issuer, call->user->username, secret);
    auto svg = auth::QrCodeSvg(uri);
    if (!svg) return Internal(call, svg.error(), "QR code");
    Audit(call, "auth.totp_enroll", call->user->username, audit::Outcome::kSuccess);
    Reply(call, 200,
          json{{"otpauth_uri", uri}, {"secret", base::Base32Encode(secret)}, {"qr_svg", *svg}});
  });
}

void Api::Impl::TotpConfirm(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, {{"code", FieldType::kString, true, 16}});
  if (!body) return Error(call, body.error());
  if (call->user->totp_enabled()) return Error(call, 409, "conflict", "TOTP is already enabled");
  auto pending = accounts_.TotpEnrollment(call->user->id);
  if (!pending) return Internal(call, pending.error(), "reading enrollment");
  if (!*pending) return Error(call, 409, "conflict", "start TOTP enrollment first");
  auto secret = crypto::Open(deps_.secrets_key, **pending);
  if (!secret) return Internal(call, secret.error(), "opening enrollment");
  const auto step =
      auth::totp::Verify(*secret, RequiredString(*body, "code"), deps_.clock.Now(), 0);
  if (!step) {
    Audit(call, "auth.totp_enable", call->user->username, audit::Outcome::kFailure);
    return Error(call, 400, "invalid_request", "the code does not match; check the device's clock");
  }
  std::vector<std::string> codes = auth::GenerateRecoveryCodes(10);
  std::vector<std::string> hashes;
  for (const auto& code : codes) hashes.push_back(RecoveryCodeHash(code));
  auto tx = store::Transaction::Begin(deps_.db);
  if (!tx) return Internal(call, tx.error(), "transaction");
  if (auto enabled = accounts_.EnableTotp(call->user->id, **pending, *step); !enabled) {
    return Internal(call, enabled.error(), "enabling TOTP");
  }
  if (auto stored = accounts_.ReplaceRecoveryCodes(call->user->id, hashes); !stored) {
    return Internal(call, stored.error(), "storing recovery codes");
  }
  if (auto committed = tx->Commit(); !committed) return Internal(call, committed.error(), "commit");
  Audit(call, "auth.totp_enable", call->user->username, audit::Outcome::kSuccess);
  Reply(call, 200, json{{"recovery_codes", codes}});
}

void Api::Impl::TotpDisable(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, {{"password", FieldType::kString, true, 1024},
                                                {"code", FieldType::kString, false, 16},
                                                {"recovery_code", FieldType::kString, false, 64}});
  if (!body) return Error(call, body.error());
  if (!call->user->totp_enabled()) return Error(call, 409, "conflict", "TOTP is not enabled");
  const auto code = OptionalString(*body, "code");
  const auto recovery = OptionalString(*body, "recovery_code");
  if (!code && !recovery)
    return Error(call, 400, "invalid_request", "field 'code' or 'recovery_code' is required");
  WithPasswordCheck(call, RequiredString(*body, "password"), [this, call, code, recovery] {
    auto user = accounts_.FindUser(call->user->id);
    if (!user || !*user) return Error(call, 401, "unauthenticated", "sign in first");
    auto second = CheckSecondFactor(**user, code, recovery);
    if (!second) return Internal(call, second.error(), "second factor");
    if (!*second) {
      deps_.throttle.RecordFailure(call->request.remote_address,
                                   base::ToLower(call->user->username));
      Audit(call, "auth.totp_disable", call->user->username, audit::Outcome::kFailure);
      return Error(call, 401, "invalid_credentials", "wrong or already used code");
    }
    if (auto disabled = accounts_.DisableTotp(call->user->id); !disabled) {
      return Internal(call, disabled.error(), "disabling TOTP");
    }
    Audit(call, "auth.totp_disable", call->user->username, audit::Outcome::kSuccess);
    Reply(call, 204, json());
  });
}

void Api::Impl::RegenerateRecoveryCodes(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, {{"password", FieldType::kString, true, 1024}});
  if (!body) return Error(call, body.error());
  if (!call->user->totp_enabled()) return Error(call, 409, "conflict", "enable TOTP first");
  WithPasswordCheck(call, RequiredString(*body, "password"), [this, call] {
    std::vector<std::string> codes = auth::GenerateRecoveryCodes(10);
    std::vector<std::string> hashes;
    for (const auto& code : codes) hashes.push_back(RecoveryCodeHash(code));
    if (auto stored = accounts_.ReplaceRecoveryCodes(call->user->id, hashes); !stored) {
      return Internal(call, stored.error(), "storing recovery codes");
    }
    Audit(call, "auth.recovery_codes", call->user->username, audit::Outcome::kSuccess);
    Reply(call, 200, json{{"recovery_codes", codes}});
  });
}

// ----------------------------------------------------------------------------------------------
// Passkeys (WebAuthn, see auth/webauthn.h for what the browser is sent and what is checked)

namespace {

constexpr std::int64_t kPasskeyCeremonyMs = 300'000;  // the `timeout` the browser is given
constexpr std::size_t kMaxPendingPasskeyCeremonies = 1024;
constexpr std::size_t kPasskeyUserHandleBytes = 16;
// Base64url of the largest browser fields auth/webauthn.h accepts, plus a little slack.
constexpr std::size_t kMaxClientDataField = auth::kMaxClientDataJsonBytes * 4 / 3 + 4;
constexpr std::size_t kMaxAttestationField = auth::kMaxAttestationObjectBytes * 4 / 3 + 4;
constexpr std::size_t kMaxAuthenticatorDataField = auth::kMaxAuthenticatorDataBytes * 4 / 3 + 4;
constexpr std::size_t kMaxSignatureField = auth::kMaxSignatureBytes * 4 / 3 + 4;
constexpr std::size_t kMaxCredentialIdField = auth::kMaxCredentialIdBytes * 4 / 3 + 4;

bool IsIpAddress(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// The host name of "https://name[:port]", lower-cased; empty for anything else.
std::string HostOfOrigin(std::string_view origin) {
  constexpr std::string_view kScheme = "https://";
  const std::string lowered = base::ToLower(origin);
  if (!lowered.starts_with(kScheme)) return {};
  std::string host = lowered.substr(kScheme.size());
  if (host.starts_with("[")) return {};
  return host.substr(0, host.find(':'));
}

json PasskeyJson(const auth::Passkey& passkey) {
  json transports = json::array();
  for (std::string_view rest = passkey.transports; !rest.empty();) {
    const auto comma = rest.find(',');
    transports.push_back(std::string(rest.substr(0, comma)));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return json{{"id", std::to_string(passkey.id)},
              {"name", passkey.name},
              {"transports", transports},
              {"created_at", Time(passkey.created_ms)},
              {"last_used_at", passkey.last_used_ms ? json(Time(*passkey.last_used_ms)) : json()}};
}

// Decodes a base64url field of a decoded body; nullopt when it is not valid base64url.
std::optional<std::string> DecodedField(const json& body, std::string_view name) {
  auto decoded = base::Base64UrlDecode(RequiredString(body, name));
  if (!decoded) return std::nullopt;
  return std::move(*decoded);
}

}  // namespace

std::optional<Api::Impl::PasskeyRelyingParty> Api::Impl::PasskeyRelyingPartyFor(
    const CallPtr& call) {
  const std::string host_header = std::string(call->request.Header("host").value_or(""));
  std::string host = base::ToLower(host_header);
  if (host.starts_with("[")) {
    host.clear();  // an IPv6 literal
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty() || IsIpAddress(host)) {
    Error(call, 409, "passkeys_need_a_name",
          "passkeys need the hub to be reached by a name, see docs/security.md");
    return std::nullopt;
  }
  bool known = host == "localhost";
  for (const std::string& name : options_.server_names) {
    if (base::ToLower(name) == host) known = true;
  }
  for (const std::string& origin : options_.allowed_origins) {
    if (HostOfOrigin(origin) == host) known = true;
  }
  if (!known) {
    Error(call, 409, "passkeys_need_a_name",
          fmt::format("the hub is not configured for the name '{}': list https://{} in [server] "
                      "allowed_origins, see docs/security.md",
                      host.substr(0, 253), host_header.substr(0, 260)));
    return std::nullopt;
  }
  return PasskeyRelyingParty{host, "https://" + host_header};
}

std::string Api::Impl::PasskeyUserHandle(std::int64_t user_id) const {
  // Stable per user and hub, and says nothing about the account to whoever reads the
  // authenticator.
  return crypto::HmacSha256(deps_.secrets_key.bytes(), "webauthn-user:" + std::to_string(user_id))
      .substr(0, kPasskeyUserHandleBytes);
}

void Api::Impl::StorePasskeyCeremony(std::string key, PendingPasskeyCeremony ceremony) {
  const std::int64_t now = Millis(deps_.clock);
  std::erase_if(passkey_ceremonies_,
                [now](const auto& entry) { return entry.second.expires_ms <= now; });
  // Anyone may start a sign-in: when full, the ceremony closest to expiry makes room.
  while (passkey_ceremonies_.size() >= kMaxPendingPasskeyCeremonies) {
    passkey_ceremonies_.erase(std::min_element(
        passkey_ceremonies_.begin(), passkey_ceremonies_.end(),
        [](const auto& a, const auto& b) { return a.second.expires_ms < b.second.expires_ms; }));
  }
  passkey_ceremonies_[std::move(key)] = std::move(ceremony);
}

std::optional<Api::Impl::PendingPasskeyCeremony> Api::Impl::TakePasskeyCeremony(
    const std::string& key) {
  const auto it = passkey_ceremonies_.find(key);
  if (it == passkey_ceremonies_.end()) return std::nullopt;
  PendingPasskeyCeremony ceremony = std::move(it->second);
  passkey_ceremonies_.erase(it);
  if (ceremony.expires_ms <= Millis(deps_.clock)) return std::nullopt;
  return ceremony;
}

void Api::Impl::PasskeyRegistrationOptions(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, {{"password", FieldType::kString, true, 1024}});
  if (!body) return Error(call, body.error());
  if (!call->session) {
    return Error(call, 403, "permission_denied", "passkeys are added from a signed-in browser");
  }
  auto relying_party = PasskeyRelyingPartyFor(call);
  if (!relying_party) return;
  // Like TOTP enrollment: adding a way to sign in needs the password again.
  WithPasswordCheck(
      call, RequiredString(*body, "password"),
      [this, call, relying_party = std::move(*relying_party)] {
        auth::PasskeyStore store(deps_.db);
        auto existing = store.ListForUser(call->user->id);
        if (!existing) return Internal(call, existing.error(), "listing passkeys");
        json exclude = json::array();
        for (const auth::Passkey& passkey : *existing) {
          exclude.push_back(
              json{{"type", "public-key"}, {"id", base::Base64UrlEncode(passkey.credential_id)}});
        }
        PendingPasskeyCeremony ceremony{auth::NewChallenge(), relying_party, call->user->id,
                                        Millis(deps_.clock) + kPasskeyCeremonyMs};
        const json options = {
            {"rp", {{"id", relying_party.id}, {"name", options_.issuer}}},
            {"user",
             {{"id", base::Base64UrlEncode(PasskeyUserHandle(call->user->id))},
              {"name", call->user->username},
              {"displayName", call->user->username}}},
            {"challenge", base::Base64UrlEncode(ceremony.challenge)},
            {"pubKeyCredParams", json::array({json{{"type", "public-key"}, {"alg", -7}},
                                              json{{"type", "public-key"}, {"alg", -8}}})},
            {"timeout", kPasskeyCeremonyMs},
            {"attestation", "none"},
            {"excludeCredentials", exclude},
            {"authenticatorSelection",
             {{"residentKey", "required"},
              {"requireResidentKey", true},
              {"userVerification", "required"}}}};
        StorePasskeyCeremony("register:" + call->session->public_id, std::move(ceremony));
        Reply(call, 200, json{{"public_key", options}});
      });
}

void Api::Impl::PasskeyRegister(const CallPtr& call) {
  auto body = DecodeObject(call->request.body,
                           {{"name", FieldType::kString, true, auth::kMaxPasskeyNameBytes},
                            {"client_data_json", FieldType::kString, true, kMaxClientDataField},
                            {"attestation_object", FieldType::kString, true, kMaxAttestationField},
                            {"transports", FieldType::kArray, false, 8}});
  if (!body) return Error(call, body.error());
  if (!call->session) {
    return Error(call, 403, "permission_denied", "passkeys are added from a signed-in browser");
  }
  std::string transports;
  if (const auto it = body->find("transports"); it != body->end()) {
    for (const json& transport : *it) {
      if (!transport.is_string() || transport.get<std::string>().empty()) {
        return Error(call, 400, "invalid_request", "field 'transports' must list words");
      }
      transports += (transports.empty() ? "" : ",") + transport.get<std::string>();
    }
  }
  const auto client_data = DecodedField(*body, "client_data_json");
  const auto attestation = DecodedField(*body, "attestation_object");
  if (!client_data || !attestation) {
    return Error(call, 400, "invalid_request",
                 "fields 'client_data_json' and 'attestation_object' must be base64url");
  }
  auto relying_party = PasskeyRelyingPartyFor(call);
  if (!relying_party) return;
  auto ceremony = TakePasskeyCeremony("register:" + call->session->public_id);
  if (!ceremony || ceremony->user_id != call->user->id) {
    return Error(call, 409, "conflict", "start adding the passkey again (it expired or was used)");
  }
  if (ceremony->relying_party.id != relying_party->id ||
      ceremony->relying_party.origin != relying_party->origin) {
    return Error(call, 409, "conflict", "the passkey was started under another name of the hub");
  }
  auto credential = auth::VerifyRegistration(
      auth::RegistrationInput{*client_data, *attestation, ceremony->challenge,
                              relying_party->origin, relying_party->id, true});
  if (!credential) {
    Audit(call, "auth.passkey_add", call->user->username, audit::Outcome::kFailure,
          json{{"reason", credential.error().message}});
    if (credential.error().code == base::ErrorCode::kFailedPrecondition) {
      return Internal(call, credential.error(), "passkey registration");
    }
    return Error(call, 400, "invalid_passkey",
                 "the authenticator's answer was not accepted: " + credential.error().message);
  }
  auth::PasskeyStore store(deps_.db);
  const std::string name = RequiredString(*body, "name");
  auto added = store.Add(call->user->id, *credential, name, transports, Millis(deps_.clock));
  if (!added) {
    if (added.error().code == base::ErrorCode::kAlreadyExists) {
      return Error(call, 409, "conflict", "this passkey is registered already");
    }
    if (added.error().code == base::ErrorCode::kInvalidArgument) {
      return Error(call, 400, "invalid_request", added.error().message);
    }
    return Internal(call, added.error(), "storing passkey");
  }
  Audit(call, "auth.passkey_add", call->user->username, audit::Outcome::kSuccess,
        json{{"passkey", std::to_string(*added)}, {"name", name}});
  auto found = store.FindByCredentialId(credential->credential_id);
  if (!found || !*found) {
    return Internal(call, base::Error{base::ErrorCode::kInternal, "passkey vanished"}, "passkey");
  }
  Reply(call, 201, json{{"passkey", PasskeyJson(**found)}});
}

void Api::Impl::ListPasskeys(const CallPtr& call) {
  auth::PasskeyStore store(deps_.db);
  auto passkeys = store.ListForUser(call->user->id);
  if (!passkeys) return Internal(call, passkeys.error(), "listing passkeys");
  json list = json::array();
  for (const auth::Passkey& passkey : *passkeys) list.push_back(PasskeyJson(passkey));
  Reply(call, 200, json{{"passkeys", list}});
}

void Api::Impl::RemovePasskey(const CallPtr& call) {
  const auto id = ParseId(call->params["id"]);
  auth::PasskeyStore store(deps_.db);
  auto removed = id ? store.Remove(call->user->id, *id) : base::Result<bool>(false);
  if (!removed) return Internal(call, removed.error(), "removing passkey");
  if (!*removed) return Error(call, 404, "not_found", "no such passkey");
  Audit(call, "auth.passkey_remove", call->user->username, audit::Outcome::kSuccess,
        json{{"passkey", call->params["id"]}});
  Reply(call, 204, json());
}

void Api::Impl::PasskeyLoginOptions(const CallPtr& call) {
  if (!call->request.body.empty()) {
    if (auto body = DecodeObject(call->request.body, {}); !body) return Error(call, body.error());
  }
  const std::string& address = call->request.remote_address;
  const auto throttle = deps_.throttle.Check(address, "\x02passkey:" + address, false);
  if (!throttle.allowed) return Finish(call, Throttled(throttle.retry_after));
  auto relying_party = PasskeyRelyingPartyFor(call);
  if (!relying_party) return;
  const std::string login_id = "pkl_" + crypto::RandomToken(16);
  PendingPasskeyCeremony ceremony{auth::NewChallenge(), *relying_party, 0,
                                  Millis(deps_.clock) + kPasskeyCeremonyMs};
  const json options = {{"challenge", base::Base64UrlEncode(ceremony.challenge)},
                        {"rpId", relying_party->id},
                        {"timeout", kPasskeyCeremonyMs},
                        {"userVerification", "required"},
                        {"allowCredentials", json::array()}};
  StorePasskeyCeremony("login:" + login_id, std::move(ceremony));
  Reply(call, 200, json{{"login_id", login_id}, {"public_key", options}});
}

void Api::Impl::PasskeyLogin(const CallPtr& call) {
  auto body =
      DecodeObject(call->request.body,
                   {{"login_id", FieldType::kString, true, 64},
                    {"credential_id", FieldType::kString, true, kMaxCredentialIdField},
                    {"client_data_json", FieldType::kString, true, kMaxClientDataField},
                    {"authenticator_data", FieldType::kString, true, kMaxAuthenticatorDataField},
                    {"signature", FieldType::kString, true, kMaxSignatureField},
                    {"user_handle", FieldType::kString, true, 128}});
  if (!body) return Error(call, body.error());
  const auto credential_id = DecodedField(*body, "credential_id");
  const auto client_data = DecodedField(*body, "client_data_json");
  const auto authenticator_data = DecodedField(*body, "authenticator_data");
  const auto signature = DecodedField(*body, "signature");
  const auto user_handle = DecodedField(*body, "user_handle");
  if (!credential_id || !client_data || !authenticator_data || !signature || !user_handle) {
    return Error(call, 400, "invalid_request", "the passkey fields must be base64url");
  }
  const std::string& address = call->request.remote_address;
  const std::string unknown_account = "\x02passkey:" + address;
  const auto address_throttle = deps_.throttle.Check(address, unknown_account, false);
  if (!address_throttle.allowed) {
    Audit(call, "auth.login", "passkey", audit::Outcome::kFailure, json{{"reason", "throttled"}});
    return Finish(call, Throttled(address_throttle.retry_after));
  }
  auto relying_party = PasskeyRelyingPartyFor(call);
  if (!relying_party) return;
  auto ceremony = TakePasskeyCeremony("login:" + RequiredString(*body, "login_id"));
  if (!ceremony || ceremony->relying_party.id != relying_party->id ||
      ceremony->relying_party.origin != relying_party->origin) {
    Audit(call, "auth.login", "passkey", audit::Outcome::kFailure,
          json{{"reason", "unknown or expired passkey challenge"}});
    return Error(call, 401, "invalid_credentials",
                 "the passkey sign-in expired or was used; start again");
  }

  auth::PasskeyStore store(deps_.db);
  auto found = store.FindByCredentialId(*credential_id);
  if (!found) return Internal(call, found.error(), "passkey lookup");
  std::optional<auth::User> user;
  if (*found) {
    auto loaded = accounts_.FindUser((**found).user_id);
    if (!loaded) return Internal(call, loaded.error(), "user lookup");
    if (*loaded && !(**loaded).disabled) user = std::move(**loaded);
  }
  if (!user) {
    deps_.throttle.RecordFailure(address, unknown_account);
    Audit(call, "auth.login", "passkey", audit::Outcome::kFailure,
          json{{"reason", "unknown passkey"}});
    return Error(call, 401, "invalid_credentials", "this passkey is not registered here");
  }
  const auth::Passkey& passkey = **found;
  const std::string account = base::ToLower(user->username);
  bool trusted_holder = call->user && call->user->id == user->id;
  const auto device = PresentedDevice(call);
  if (device && device->second == user->id) trusted_holder = true;
  const auto throttle = deps_.throttle.Check(address, account, trusted_holder);
  if (!throttle.allowed) {
    Audit(call, "auth.login", user->username, audit::Outcome::kFailure,
          json{{"reason", "throttled"}, {"method", "passkey"}});
    return Finish(call, Throttled(throttle.retry_after));
  }
  const auto refuse = [&](std::string_view reason) {
    deps_.throttle.RecordFailure(address, account);
    Audit(call, "auth.login", user->username, audit::Outcome::kFailure,
          json{{"reason", reason}, {"method", "passkey"}, {"passkey", std::to_string(passkey.id)}});
    Error(call, 401, "invalid_credentials", "the passkey was not accepted");
  };
  // A discoverable credential names its account; it must be the one the credential belongs to.
  if (!crypto::ConstantTimeEqual(*user_handle, PasskeyUserHandle(user->id))) {
    return refuse("user handle does not match");
  }
  auto verified = auth::VerifyAssertion(auth::AssertionInput{
      *client_data, *authenticator_data, *signature, ceremony->challenge, relying_party->origin,
      relying_party->id, true, passkey.public_key_cose, passkey.sign_count});
  if (!verified) {
    if (verified.error().code == base::ErrorCode::kPermissionDenied) {
      // The counter went backwards: two authenticators may hold this key. There is no alert
      // kind for it yet; the audit entry is what the owner sees.
      Audit(call, "auth.passkey_clone_suspected", user->username, audit::Outcome::kDenied,
            json{{"passkey", std::to_string(passkey.id)},
                 {"name", passkey.name},
                 {"stored_sign_count", passkey.sign_count}});
      return refuse("signature counter did not increase");
    }
    if (verified.error().code == base::ErrorCode::kFailedPrecondition) {
      return Internal(call, verified.error(), "passkey sign-in");
    }
    return refuse(verified.error().message);
  }
  auto recorded =
      store.RecordUse(passkey.id, passkey.sign_count, verified->sign_count, Millis(deps_.clock));
  if (!recorded) return Internal(call, recorded.error(), "recording passkey use");
  if (!*recorded) return refuse("a concurrent sign-in used the same passkey");
  deps_.throttle.RecordSuccess(address, account);
  deps_.throttle.RecordSuccess(address, unknown_account);
  std::optional<std::int64_t> device_id;
  if (device && device->second == user->id) device_id = device->first;
  StartSession(call, *user, device_id);
}

// ----------------------------------------------------------------------------------------------
// Sessions

void Api::Impl::ListSessions(const CallPtr& call) {
  bool all = false;
  if (const auto it = call->target.query.find("all"); it != call->target.query.end()) {
    if (it->second == "true" || it->second == "1") {
      all = true;
    } else if (it->second != "false" && it->second != "0") {
      return Error(call, 400, "invalid_request", "query parameter 'all' must be true or false");
    }
  }
  if (!Require(call, all ? Action::kListAllSessions : Action::kListOwnSessions, {}, "sessions"))
    return;
  auto sessions = accounts_.ListSessions(all ? std::nullopt : std::optional(call->user->id),
                                         Millis(deps_.clock));
  if (!sessions) return Internal(call, sessions.error(), "listing sessions");
  auto users = accounts_.ListUsers();
  if (!users) return Internal(call, users.error(), "listing users");
  std::map<std::int64_t, std::string> names;
  for (const auto& u : *users) names[u.id] = u.username;
  json list = json::array();
  for (const auto& s : *sessions)
    list.push_back(SessionJson(s, names[s.user_id], s.id == call->session->id));
  Reply(call, 200, json{{"sessions", list}});
}

void Api::Impl::RevokeSession(const CallPtr& call) {
  const std::string& id = call->params["id"];
  auto found = accounts_.FindSessionByPublicId(id);
  if (!found) return Internal(call, found.error(), "session lookup");
  std::optional<Role> owner_role;
  if (*found) {
    auto owner = accounts_.FindUser((**found).user_id);
    if (owner && *owner) owner_role = (**owner).role;
  }
  auth::Target target;
  target.is_self = *found && (**found).user_id == call->user->id;
  target.user_role = owner_role;
  // Someone else's session that does not exist and one they may not touch look the same.
  if (!*found) {
    if (!Require(call, Action::kListAllSessions, {}, id)) return;
    return Error(call, 404, "not_found", "no such session");
  }
  if (!Require(call, Action::kRevokeSession, target, id)) return;
  if (auto revoked = accounts_.RevokeSession((**found).id, Millis(deps_.clock), "revoked");
      !revoked) {
    return Internal(call, revoked.error(), "revoking session");
  }
  Audit(call, "session.revoke", id, audit::Outcome::kSuccess,
        json{{"user_id", std::to_string((**found).user_id)}});
  if ((**found).id == call->session->id)
    call->set_cookies.push_back(http::ExpiredHostCookie(kSessionCookie));
  Reply(call, 204, json());
}

// ----------------------------------------------------------------------------------------------
// Users

base::Result<std::optional<auth::User>> Api::Impl::LoadTargetUser(const CallPtr& call) {
  const auto id = ParseId(call->params["id"]);
  if (!id) return std::optional<auth::User>();
  return accounts_.FindUser(*id);
}

void Api::Impl::ListUsers(const CallPtr& call) {
  auto users = accounts_.ListUsers();
  if (!users) return Internal(call, users.error(), "listing users");
  json list = json::array();
  for (const auto& u : *users) list.push_back(UserJson(u));
  Reply(call, 200, json{{"users", list}});
}

void Api::Impl::CreateUser(const CallPtr& call) {
  // Role-level check first (members and guests stop here), before the body is even read.
  if (!Require(call, Action::kCreateUser, {}, "users")) return;
  auto body = DecodeObject(call->request.body, {{"username", FieldType::kString, true, 64},
                                                {"password", FieldType::kString, true, 1024},
                                                {"role", FieldType::kString, true, 16}});
  if (!body) return Error(call, body.error());
  const std::string username = RequiredString(*body, "username");
  std::string password = RequiredString(*body, "password");
  const auto role = auth::ParseRole(RequiredString(*body, "role"));
  if (!role) return Error(call, 400, "invalid_request", "role must be admin, member or guest");
  auth::Target target;
  target.new_role = *role;
  if (!Require(call, Action::kCreateUser, target, username)) return;
  if (!IsValidUsername(username)) {
    return Error(call, 400, "invalid_request",
                 "username must be 3 to 32 characters: letters, digits, '.', '_' or '-'");
  }
  if (auto policy = auth::CheckPasswordPolicy(password, username); !policy) {
    return Error(call, 400, "weak_password", policy.error().message);
  }
  auto existing = accounts_.FindUserByName(username);
  if (!existing) return Internal(call, existing.error(), "user lookup");
  if (*existing) return Error(call, 409, "conflict", "a user with that name already exists");
  auto hash = std::make_shared<base::Result<std::string>>();
  deps_.blocking.RunBlocking(
      [this, hash, password = std::move(password)] { *hash = deps_.hasher.Hash(password); },
      [this, call, hash, username, role] {
        if (!*hash) return Internal(call, hash->error(), "hashing");
        auto id = accounts_.CreateUser(username, **hash, *role, Millis(deps_.clock));
        if (!id) {
          if (id.error().code == base::ErrorCode::kAlreadyExists) {
            return Error(call, 409, "conflict", "a user with that name already exists");
          }
          return Internal(call, id.error(), "creating user");
        }
        Audit(call, "user.create", username, audit::Outcome::kSuccess,
              json{{"role", std::string(auth::ToString(*role))}});
        auto user = accounts_.FindUser(*id);
        if (!user || !*user) return Reply(call, 201, json{{"user", json::object()}});
        Reply(call, 201, json{{"user", UserJson(**user)}});
      });
}

void Api::Impl::GetUser(const CallPtr& call) {
  if (!Require(call, Action::kReadUser, {}, call->params["id"])) return;
  auto user = LoadTargetUser(call);
  if (!user) return Internal(call, user.error(), "user lookup");
  if (!*user) return Error(call, 404, "not_found", "no such user");
  auto rights = cameras_.RightsOfUser((**user).id);
  if (!rights) return Internal(call, rights.error(), "rights lookup");
  auto all = cameras_.List();
  if (!all) return Internal(call, all.error(), "camera list");
  json list = json::array();
  for (const auto& camera : *all) {
    const auto it = rights->find(camera.id);
    if (it == rights->end()) continue;
    list.push_back(json{{"camera_id", camera.public_id}, {"rights", RightsArray(it->second)}});
  }
  Reply(call, 200, json{{"user", UserJson(**user)}, {"rights", list}});
}

void Api::Impl::UpdateUser(const CallPtr& call) {
  // Role-level check first (members and guests stop here), the target-level one below.
  if (!Require(call, Action::kUpdateUser, {}, call->params["id"])) return;
  auto user = LoadTargetUser(call);
  if (!user) return Internal(call, user.error(), "user lookup");
  if (!*user) return Error(call, 404, "not_found", "no such user");
  auto body = DecodeObject(call->request.body, {{"role", FieldType::kString, false, 16},
                                                {"disabled", FieldType::kBoolean, false}});
  if (!body) return Error(call, body.error());
  if (body->empty())
    return Error(call, 400, "invalid_request", "nothing to change: give 'role' or 'disabled'");
  auth::Target target;
  target.user_role = (**user).role;
  target.is_self = (**user).id == call->user->id;
  std::optional<Role> new_role;
  if (const auto role_text = OptionalString(*body, "role")) {
    new_role = auth::ParseRole(*role_text);
    if (!new_role)
      return Error(call, 400, "invalid_request", "role must be admin, member or guest");
    target.new_role = new_role;
  }
  if (!Require(call, Action::kUpdateUser, target, (**user).username)) return;
  const std::int64_t now = Millis(deps_.clock);
  json details = json::object();
  if (new_role && *new_role != (**user).role) {
    if (auto set = accounts_.SetRole((**user).id, *new_role); !set)
      return Internal(call, set.error(), "role");
    details["role"] = {std::string(auth::ToString((**user).role)),
                       std::string(auth::ToString(*new_role))};
    // Rights a guest may not hold are dropped when demoting.
    auto rights = cameras_.RightsOfUser((**user).id);
    if (rights) {
      for (auto& [camera, bits] : *rights) bits &= auth::GrantableRights(*new_role);
      (void)cameras_.ReplaceRightsOfUser((**user).id, *rights);
    }
  }
  if (body->contains("disabled")) {
    const bool disabled = (*body)["disabled"].get<bool>();
    if (disabled != (**user).disabled) {
      if (auto set = accounts_.SetDisabled((**user).id, disabled); !set)
        return Internal(call, set.error(), "disable");
      details["disabled"] = disabled;
      if (disabled) {
        auto ended =
            accounts_.RevokeUserSessions((**user).id, std::nullopt, now, "account disabled");
        details["sessions_ended"] = ended ? *ended : 0;
      }
    }
  }
  Audit(call, "user.update", (**user).username, audit::Outcome::kSuccess, details);
  auto updated = accounts_.FindUser((**user).id);
  if (!updated || !*updated) return Error(call, 404, "not_found", "no such user");
  Reply(call, 200, json{{"user", UserJson(**updated)}});
}

void Api::Impl::DeleteUser(const CallPtr& call) {
  // Role-level check first (members and guests stop here), the target-level one below.
  if (!Require(call, Action::kDeleteUser, {}, call->params["id"])) return;
  auto user = LoadTargetUser(call);
  if (!user) return Internal(call, user.error(), "user lookup");
  if (!*user) return Error(call, 404, "not_found", "no such user");
  auth::Target target;
  target.user_role = (**user).role;
  target.is_self = (**user).id == call->user->id;
  if (!Require(call, Action::kDeleteUser, target, (**user).username)) return;
  (void)accounts_.RevokeUserSessions((**user).id, std::nullopt, Millis(deps_.clock),
                                     "account deleted");
  if (auto deleted = accounts_.DeleteUser((**user).id); !deleted)
    return Internal(call, deleted.error(), "delete");
  Audit(call, "user.delete", (**user).username, audit::Outcome::kSuccess);
  Reply(call, 204, json());
}

void Api::Impl::SetRights(const CallPtr& call) {
  // Role-level check first (members and guests stop here), the target-level one below.
  if (!Require(call, Action::kSetUserRights, {}, call->params["id"])) return;
  auto user = LoadTargetUser(call);
  if (!user) return Internal(call, user.error(), "user lookup");
  if (!*user) return Error(call, 404, "not_found", "no such user");
  auto body = DecodeObject(call->request.body, {{"rights", FieldType::kArray, true, 1000}});
  if (!body) return Error(call, body.error());
  auto all = cameras_.List();
  if (!all) return Internal(call, all.error(), "camera list");
  std::map<std::string, std::int64_t> by_public_id;
  for (const auto& camera : *all) by_public_id[camera.public_id] = camera.id;

  std::map<std::int64_t, std::uint32_t> rights;
  auth::CameraRights union_of_rights = 0;
  for (const json& element : (*body)["rights"]) {
    if (!element.is_object() || element.size() != 2 || !element.contains("camera_id") ||
        !element.contains("rights") || !element["camera_id"].is_string() ||
        !element["rights"].is_array()) {
      return Error(
          call, 400, "invalid_request",
          "each element of 'rights' must be {\"camera_id\": string, \"rights\": [string]}");
    }
    const auto camera = by_public_id.find(element["camera_id"].get<std::string>());
    if (camera == by_public_id.end())
      return Error(call, 400, "invalid_request", "unknown camera_id");
    if (rights.contains(camera->second))
      return Error(call, 400, "invalid_request", "camera_id listed twice");
    std::uint32_t bits = 0;
    for (const json& name : element["rights"]) {
      const auto right =
          name.is_string() ? auth::ParseCameraRight(name.get<std::string>()) : std::nullopt;
      if (!right) {
        return Error(call, 400, "invalid_request",
                     "rights must be among view, playback, export, ptz, talk, configure");
      }
      bits |= static_cast<std::uint32_t>(*right);
    }
    rights[camera->second] = bits;
    union_of_rights |= bits;
  }
  auth::Target target;
  target.user_role = (**user).role;
  target.is_self = (**user).id == call->user->id;
  target.rights_to_grant = union_of_rights;
  if (!Require(call, Action::kSetUserRights, target, (**user).username)) return;
  if (auto stored = cameras_.ReplaceRightsOfUser((**user).id, rights); !stored) {
    return Internal(call, stored.error(), "storing rights");
  }
  json list = json::array();
  for (const auto& camera : *all) {
    const auto it = rights.find(camera.id);
    if (it == rights.end() || it->second == 0) continue;
    list.push_back(json{{"camera_id", camera.public_id}, {"rights", RightsArray(it->second)}});
  }
  Audit(call, "user.rights", (**user).username, audit::Outcome::kSuccess, json{{"rights", list}});
  Reply(call, 200, json{{"rights", list}});
}

// ----------------------------------------------------------------------------------------------
// Cameras

void Api::Impl::ListCameras(const CallPtr& call) {
  auto all = cameras_.List();
  if (!all) return Internal(call, all.error(), "camera list");
  auto granted = cameras_.RightsOfUser(call->user->id);
  if (!granted) return Internal(call, granted.error(), "rights lookup");
  json list = json::array();
  for (const auto& camera : *all) {
    const auto it = granted->find(camera.id);
    auth::Target target;
    target.camera_right = auth::CameraRight::kView;
    target.camera_id = camera.id;
    target.camera_rights_granted = it == granted->end() ? 0 : it->second;
    if (auth::Authorize(call->principal, Action::kUseCamera, target) != Decision::kAllow) continue;
    json shown =
        CameraJson(camera, auth::EffectiveRights(call->user->role, target.camera_rights_granted),
                   StreamStatusOf(camera.id));
    shown["watchers"] = WatchersJson(camera.id);
    list.push_back(std::move(shown));
  }
  Reply(call, 200, json{{"cameras", list}});
}

bool Api::Impl::ReadCameraSettings(const CallPtr& call, const json& body, bool creating,
                                   cameras::CameraUpdate& update) {
  if (const auto name = OptionalString(body, "name")) {
    update.name = std::string(base::Trim(*name));
    if (update.name->empty() || !base::IsValidUtf8(*update.name)) {
      Error(call, 400, "invalid_request", "name must be a non-empty text");
      return false;
    }
  }
  if (const auto url = OptionalString(body, "main_url")) {
    if (auto valid = cameras::ValidateStreamUrl(*url); !valid) {
      Error(call, 400, "invalid_request", "main_url: " + valid.error().message);
      return false;
    }
    update.main_url = *url;
  }
  if (const auto url = OptionalString(body, "sub_url")) {
    if (url->empty() && !creating) {
      update.sub_url = std::optional<std::string>();  // "" removes the sub-stream
    } else if (auto valid = cameras::ValidateStreamUrl(*url); !valid) {
      Error(call, 400, "invalid_request", "sub_url: " + valid.error().message);
      return false;
    } else {
      update.sub_url = std::optional<std::string>(*url);
    }
  }
  const auto username = OptionalString(body, "username");
  const auto password = OptionalString(body, "password");
  if (username.has_value() != password.has_value()) {
    Error(call, 400, "invalid_request", "username and password go together");
    return false;
  }
  if (username) {
    if (username->empty()) {
      update.credentials_sealed = std::optional<std::string>();  // both empty: no credentials
      if (!password->empty()) {
        Error(call, 400, "invalid_request", "a password needs a username");
        return false;
      }
    } else {
      auto sealed = cameras::SealCredentials(
          deps_.secrets_key, cameras::CameraCredentials{*username, base::Redacted(*password)});
      if (!sealed) {
        Error(call, 400, "invalid_request", sealed.error().message);
        return false;
      }
      update.credentials_sealed = std::optional<std::string>(std::move(*sealed));
    }
  }
  if (const auto transport = OptionalString(body, "transport")) {
    update.transport = cameras::ParseTransport(*transport);
    if (!update.transport) {
      Error(call, 400, "invalid_request", "transport must be \"tcp\" or \"udp\"");
      return false;
    }
  }
  if (const auto it = body.find("recording_enabled"); it != body.end()) {
    update.recording_enabled = it->get<bool>();
  }
  if (const auto it = body.find("retention_days"); it != body.end()) {
    const auto days = it->get<std::int64_t>();
    if (days < cameras::kMinRetentionDays || days > cameras::kMaxRetentionDays) {
      Error(call, 400, "invalid_request",
            fmt::format("retention_days must be between {} and {}", cameras::kMinRetentionDays,
                        cameras::kMaxRetentionDays));
      return false;
    }
    update.retention_days = static_cast<int>(days);
  }
  if (const auto url = OptionalString(body, "onvif_url")) {
    if (url->empty()) {
      update.onvif_url = std::optional<std::string>();  // "" removes the ONVIF address
    } else if (auto valid = cameras::ValidateOnvifUrl(*url); !valid) {
      Error(call, 400, "invalid_request", "onvif_url: " + valid.error().message);
      return false;
    } else {
      update.onvif_url = std::optional<std::string>(*url);
    }
  }
  if (const auto it = body.find("integrity_watch"); it != body.end()) {
    update.integrity_watch = it->get<bool>();
  }
  return true;
}

namespace {
// The fields a camera body may carry; `required` only for creation.
std::initializer_list<Field> CameraFields(bool creating) {
  static const std::initializer_list<Field> create = {
      {"name", FieldType::kString, true, 64},
      {"main_url", FieldType::kString, false, 2048},  // or found through onvif_url
      {"sub_url", FieldType::kString, false, 2048},
      {"username", FieldType::kString, false, 128},
      {"password", FieldType::kString, false, 256},
      {"transport", FieldType::kString, false, 8},
      {"recording_enabled", FieldType::kBoolean, false},
      {"retention_days", FieldType::kInteger, false},
      {"onvif_url", FieldType::kString, false, 2048},
      {"integrity_watch", FieldType::kBoolean, false}};
  static const std::initializer_list<Field> update = {
      {"name", FieldType::kString, false, 64},
      {"main_url", FieldType::kString, false, 2048},
      {"sub_url", FieldType::kString, false, 2048},
      {"username", FieldType::kString, false, 128},
      {"password", FieldType::kString, false, 256},
      {"transport", FieldType::kString, false, 8},
      {"recording_enabled", FieldType::kBoolean, false},
      {"retention_days", FieldType::kInteger, false},
      {"onvif_url", FieldType::kString, false, 2048},
      {"integrity_watch", FieldType::kBoolean, false}};
  return creating ? create : update;
}

// Names of the changed settings, for the audit entry (never the credentials themselves).
json ChangedFields(const cameras::CameraUpdate& update) {
  json changed = json::array();
  if (update.name) changed.push_back("name");
  if (update.main_url) changed.push_back("main_url");
  if (update.sub_url) changed.push_back("sub_url");
  if (update.credentials_sealed) changed.push_back("credentials");
  if (update.transport) changed.push_back("transport");
  if (update.recording_enabled) changed.push_back("recording_enabled");
  if (update.retention_days) changed.push_back("retention_days");
  if (update.onvif_url) changed.push_back("onvif_url");
  if (update.integrity_watch) changed.push_back("integrity_watch");
  return changed;
}
}  // namespace

void Api::Impl::CreateCamera(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, CameraFields(true));
  if (!body) return Error(call, body.error());
  cameras::CameraUpdate settings;
  if (!ReadCameraSettings(call, *body, /*creating=*/true, settings)) return;
  if (!settings.main_url) {
    const auto onvif_url = settings.onvif_url.value_or(std::nullopt);
    if (!onvif_url) {
      return Error(call, 400, "invalid_request", "main_url or onvif_url is required");
    }
    if (deps_.ptz == nullptr) {
      return Error(call, 503, "unavailable", "ONVIF is not running; give main_url");
    }
    // Adding by address: the camera tells its stream addresses (a network round trip, so off
    // the loop), then the camera is created as if they had been given.
    struct Outcome {
      base::Result<cameras::OnvifDiscovery> found = base::Fail(base::ErrorCode::kInternal, "");
    };
    auto outcome = std::make_shared<Outcome>();
    deps_.blocking.RunBlocking(
        [outcome, ptz = deps_.ptz, url = *onvif_url,
         username = OptionalString(*body, "username").value_or(""),
         password = base::Redacted<std::string>(OptionalString(*body, "password").value_or(""))] {
          outcome->found = ptz->Probe(url, username, password);
        },
        [this, call, outcome, settings]() mutable {
          if (!outcome->found) {
            return Error(
                call, outcome->found.error().code == base::ErrorCode::kPermissionDenied ? 400 : 502,
                "camera_error",
                "the camera did not tell its streams: " + outcome->found.error().message);
          }
          if (auto valid = cameras::ValidateStreamUrl(outcome->found->main_url); !valid) {
            return Error(call, 502, "camera_error",
                         "the camera gave an unusable stream address: " + valid.error().message);
          }
          settings.main_url = outcome->found->main_url;
          if (!settings.sub_url && outcome->found->sub_url &&
              cameras::ValidateStreamUrl(*outcome->found->sub_url)) {
            settings.sub_url = outcome->found->sub_url;
          }
          FinishCreateCamera(call, settings, &*outcome->found);
        });
    return;
  }
  FinishCreateCamera(call, settings, nullptr);
}

void Api::Impl::FinishCreateCamera(const CallPtr& call, const cameras::CameraUpdate& settings,
                                   const cameras::OnvifDiscovery* discovered) {
  cameras::NewCamera camera;
  camera.name = settings.name.value_or("");
  camera.main_url = settings.main_url.value_or("");
  camera.sub_url = settings.sub_url.value_or(std::nullopt);
  camera.credentials_sealed = settings.credentials_sealed.value_or(std::nullopt);
  camera.transport = settings.transport.value_or(cameras::Transport::kTcp);
  camera.recording_enabled = settings.recording_enabled.value_or(true);
  camera.retention_days = settings.retention_days.value_or(cameras::kDefaultRetentionDays);
  camera.onvif_url = settings.onvif_url.value_or(std::nullopt);
  camera.integrity_watch = settings.integrity_watch.value_or(true);
  auto created = cameras_.Create(camera, Millis(deps_.clock));
  if (!created) return Internal(call, created.error(), "creating camera");
  json details{{"name", created->name},
               {"main_url", created->main_url},
               {"has_credentials", created->has_credentials}};
  if (discovered) {
    details["found_through_onvif"] = json{{"manufacturer", discovered->manufacturer},
                                          {"model", discovered->model},
                                          {"firmware", discovered->firmware}};
  }
  Audit(call, "camera.create", created->public_id, audit::Outcome::kSuccess, details);
  if (deps_.streaming) deps_.streaming->CameraChanged(created->id);
  if (deps_.ptz) deps_.ptz->CameraChanged(created->id);
  Reply(
      call, 201,
      json{{"camera", CameraJson(*created, auth::kAllCameraRights, StreamStatusOf(created->id))}});
}

std::optional<cameras::Camera> Api::Impl::CameraWithRight(const CallPtr& call,
                                                          auth::CameraRight right,
                                                          auth::CameraRights* effective,
                                                          Action action) {
  auto camera = cameras_.FindByPublicId(call->params["id"]);
  if (!camera) {
    Internal(call, camera.error(), "camera lookup");
    return std::nullopt;
  }
  auth::Target target;
  target.camera_right = right;
  if (*camera) {
    auto granted = cameras_.RightsOfUser(call->user->id);
    if (!granted) {
      Internal(call, granted.error(), "rights lookup");
      return std::nullopt;
    }
    const auto it = granted->find((**camera).id);
    target.camera_rights_granted = it == granted->end() ? 0 : it->second;
    target.camera_id = (**camera).id;
  }
  // A camera that does not exist and one the caller may not use look the same.
  if (!Require(call, action, target, call->params["id"])) return std::nullopt;
  if (!*camera) {
    Error(call, 404, "not_found", "no such camera");
    return std::nullopt;
  }
  if (effective) *effective = auth::EffectiveRights(call->user->role, target.camera_rights_granted);
  return std::move(**camera);
}

void Api::Impl::GetCamera(const CallPtr& call) {
  auth::CameraRights rights = 0;
  const auto camera = CameraWithRight(call, auth::CameraRight::kView, &rights);
  if (!camera) return;
  json shown = CameraJson(*camera, rights, StreamStatusOf(camera->id));
  shown["watchers"] = WatchersJson(camera->id);
  Reply(call, 200, json{{"camera", shown}});
}

void Api::Impl::UpdateCamera(const CallPtr& call) {
  auth::CameraRights rights = 0;
  const auto camera = CameraWithRight(call, auth::CameraRight::kConfigure, &rights);
  if (!camera) return;
  auto body = DecodeObject(call->request.body, CameraFields(false));
  if (!body) return Error(call, body.error());
  cameras::CameraUpdate update;
  if (!ReadCameraSettings(call, *body, /*creating=*/false, update)) return;
  if (update.empty()) return Error(call, 400, "invalid_request", "nothing to change");
  auto updated = cameras_.Update(camera->id, update);
  if (!updated) return Internal(call, updated.error(), "updating camera");
  if (!*updated) return Error(call, 404, "not_found", "no such camera");
  Audit(call, "camera.update", camera->public_id, audit::Outcome::kSuccess,
        json{{"changed", ChangedFields(update)}});
  if (deps_.streaming) deps_.streaming->CameraChanged(camera->id);
  if (deps_.ptz) deps_.ptz->CameraChanged(camera->id);
  Reply(call, 200, json{{"camera", CameraJson(**updated, rights, StreamStatusOf(camera->id))}});
}

void Api::Impl::DeleteCamera(const CallPtr& call) {
  auto camera = cameras_.FindByPublicId(call->params["id"]);
  if (!camera) return Internal(call, camera.error(), "camera lookup");
  if (!*camera) return Error(call, 404, "not_found", "no such camera");
  if (auto deleted = cameras_.Delete((**camera).id); !deleted)
    return Internal(call, deleted.error(), "delete");
  Audit(call, "camera.delete", (**camera).public_id, audit::Outcome::kSuccess,
        json{{"name", (**camera).name}});
  if (deps_.streaming) deps_.streaming->CameraRemoved((**camera).id);
  if (deps_.ptz) deps_.ptz->CameraRemoved((**camera).id);
  Reply(call, 204, json());
}

// ----------------------------------------------------------------------------------------------
// API tokens

namespace {
json TokenJson(const auth::ApiToken& token, std::string_view username,
               const std::map<std::int64_t, std::string>& camera_public_ids) {
  json scopes = json::array();
  for (auth::TokenScope scope : auth::kEveryTokenScope)
    if (auth::Has(token.scopes, scope)) scopes.push_back(auth::ToString(scope));
  json cameras = nullptr;
  if (token.camera_ids) {
    cameras = json::array();
    for (std::int64_t id : *token.camera_ids) {
      const auto it = camera_public_ids.find(id);
      if (it != camera_public_ids.end()) cameras.push_back(it->second);  // deleted ones vanish
    }
  }
  auto optional_time = [](const std::optional<std::int64_t>& ms) {
    return ms ? json(Time(*ms)) : json(nullptr);
  };
  return json{{"id", token.public_id},
              {"name", token.name},
              {"username", username},
              {"scopes", scopes},
              {"camera_ids", cameras},
              {"created_at", Time(token.created_ms)},
              {"expires_at", optional_time(token.expires_ms)},
              {"last_used_at", optional_time(token.last_used_ms)},
              {"revoked_at", optional_time(token.revoked_ms)}};
}
}  // namespace

void Api::Impl::ListTokens(const CallPtr& call) {
  bool all = false;
  if (const auto it = call->target.query.find("all"); it != call->target.query.end()) {
    if (it->second == "true" || it->second == "1") {
      all = true;
    } else if (it->second != "false" && it->second != "0") {
      return Error(call, 400, "invalid_request", "query parameter 'all' must be true or false");
    }
  }
  // Everyone's tokens only for managers: the same rule as revoking them.
  if (all && !Require(call, Action::kListAllSessions, auth::Target{}, "tokens")) return;
  auto tokens = tokens_.List(all ? std::nullopt : std::optional<std::int64_t>(call->user->id));
  if (!tokens) return Internal(call, tokens.error(), "token list");
  auto users = accounts_.ListUsers();
  if (!users) return Internal(call, users.error(), "user list");
  std::map<std::int64_t, std::string> names;
  for (const auto& user : *users) names[user.id] = user.username;
  auto cameras = cameras_.List();
  if (!cameras) return Internal(call, cameras.error(), "camera list");
  std::map<std::int64_t, std::string> camera_ids;
  for (const auto& camera : *cameras) camera_ids[camera.id] = camera.public_id;
  json list = json::array();
  for (const auto& token : *tokens)
    list.push_back(TokenJson(token, names[token.user_id], camera_ids));
  Reply(call, 200, json{{"tokens", list}});
}

void Api::Impl::CreateToken(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, {{"name", FieldType::kString, true, 64},
                                                {"scopes", FieldType::kArray, true, 8},
                                                {"camera_ids", FieldType::kArray, false, 1000},
                                                {"expires_in_days", FieldType::kInteger, false}});
  if (!body) return Error(call, body.error());
  auth::NewApiToken token;
  token.user_id = call->user->id;
  token.name = std::string(base::Trim(RequiredString(*body, "name")));
  if (token.name.empty() || !base::IsValidUtf8(token.name))
    return Error(call, 400, "invalid_request", "name must be a non-empty text");
  for (const json& scope : (*body)["scopes"]) {
    const auto parsed =
        scope.is_string() ? auth::ParseTokenScope(scope.get<std::string>()) : std::nullopt;
    if (!parsed)
      return Error(call, 400, "invalid_request", "scopes must name read, ptz, privacy or metrics");
    token.scopes |= static_cast<auth::TokenScopes>(*parsed);
  }
  auth::Target target;
  target.token_scopes = token.scopes;
  target.is_self = true;
  if (!Require(call, Action::kCreateToken, target, "token")) return;
  if (const auto it = body->find("camera_ids"); it != body->end()) {
    token.camera_ids.emplace();
    for (const json& id : *it) {
      if (!id.is_string()) return Error(call, 400, "invalid_request", "camera_ids are strings");
      auto camera = cameras_.FindByPublicId(id.get<std::string>());
      if (!camera) return Internal(call, camera.error(), "camera lookup");
      if (!*camera) return Error(call, 400, "invalid_request", "camera_ids names no such camera");
      token.camera_ids->insert((**camera).id);
    }
  }
  if (const auto it = body->find("expires_in_days"); it != body->end()) {
    const auto days = it->get<std::int64_t>();
    if (days < 1 || days > 3650)
      return Error(call, 400, "invalid_request", "expires_in_days must be between 1 and 3650");
    token.expires_ms = Millis(deps_.clock) + days * 24 * 3600 * 1000;
  }
  auto created = tokens_.Create(token, Millis(deps_.clock));
  if (!created) return Internal(call, created.error(), "creating token");
  auto cameras = cameras_.List();
  if (!cameras) return Internal(call, cameras.error(), "camera list");
  std::map<std::int64_t, std::string> camera_ids;
  for (const auto& camera : *cameras) camera_ids[camera.id] = camera.public_id;
  const json shown = TokenJson(created->first, call->user->username, camera_ids);
  Audit(call, "token.create", created->first.public_id, audit::Outcome::kSuccess,
        json{{"name", shown["name"]},
             {"scopes", shown["scopes"]},
             {"camera_ids", shown["camera_ids"]}});
  // The secret is shown this once; only its hash is kept.
  Reply(call, 201, json{{"token", shown}, {"secret", created->second}});
}

void Api::Impl::RevokeToken(const CallPtr& call) {
  auto token = tokens_.FindByPublicId(call->params["id"]);
  if (!token) return Internal(call, token.error(), "token lookup");
  auth::Target target;
  if (*token) {
    target.is_self = (**token).user_id == call->user->id;
    auto owner = accounts_.FindUser((**token).user_id);
    if (!owner) return Internal(call, owner.error(), "user lookup");
    if (*owner) target.user_role = (**owner).role;
  } else {
    target.is_self = true;  // unknown ids answer 404 to anyone signed in
  }
  if (!Require(call, Action::kRevokeToken, target, call->params["id"])) return;
  if (!*token) return Error(call, 404, "not_found", "no such token");
  if (auto revoked = tokens_.Revoke((**token).id, Millis(deps_.clock)); !revoked)
    return Internal(call, revoked.error(), "revoking token");
  Audit(call, "token.revoke", (**token).public_id, audit::Outcome::kSuccess,
        json{{"name", (**token).name}});
  Reply(call, 204, json());
}

// ----------------------------------------------------------------------------------------------
// Metrics (Prometheus text exposition format 0.0.4)

namespace {
// Label values escape backslash, double quote and line feed.
std::string LabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

void Api::Impl::Metrics(const CallPtr& call) {
  auto all = cameras_.List();
  if (!all) return Internal(call, all.error(), "camera list");
  struct Family {
    std::string_view name, type, help;
    std::function<double(const cameras::StreamStatus&)> value;
  };
  const std::vector<Family> families = {
      {"camguard_camera_up", "gauge", "1 while the camera streams video to the hub",
       [](const auto& s) { return s.state == cameras::StreamState::kOnline ? 1.0 : 0.0; }},
      {"camguard_camera_recording", "gauge", "1 while the camera's video is being recorded",
       [](const auto& s) { return s.recording ? 1.0 : 0.0; }},
      {"camguard_camera_frames_per_second", "gauge", "Frame rate received from the camera",
       [](const auto& s) { return s.frames_per_second; }},
      {"camguard_camera_bits_per_second", "gauge", "Video bit rate received from the camera",
       [](const auto& s) { return s.bits_per_second; }},
      {"camguard_camera_frames_total", "counter", "Frames received since the hub started",
       [](const auto& s) { return static_cast<double>(s.frames); }},
      {"camguard_camera_lost_packets_total", "counter", "RTP packets lost on the way",
       [](const auto& s) { return static_cast<double>(s.lost_packets); }},
      {"camguard_camera_reconnects_total", "counter", "Reconnections to the camera",
       [](const auto& s) { return static_cast<double>(s.reconnects); }},
      {"camguard_camera_recording_lag_seconds", "gauge",
       "From a fragment's arrival to its durable write, for the last fragment recorded",
       [](const auto& s) { return static_cast<double>(s.recording_lag_ms) / 1000.0; }},
      {"camguard_camera_recording_dropped_fragments_total", "counter",
       "Fragments lost on the way to disk (a slow or full disk)",
       [](const auto& s) { return static_cast<double>(s.fragments_dropped); }},
  };
  std::vector<std::pair<std::string, cameras::StreamStatus>> rows;
  for (const auto& camera : *all) {
    // Only managers get here (they see every camera); a token may be limited to some cameras.
    const auto& grant = call->principal->token;
    if (grant && grant->cameras && !grant->cameras->contains(camera.id)) continue;
    const std::string labels = fmt::format(R"(camera="{}",name="{}")", LabelValue(camera.public_id),
                                           LabelValue(camera.name));
    rows.emplace_back(labels, StreamStatusOf(camera.id).value_or(cameras::StreamStatus{}));
  }
  std::string out = fmt::format(
      "# HELP camguard_cameras Cameras registered and visible to this caller\n"
      "# TYPE camguard_cameras gauge\ncamguard_cameras {}\n",
      rows.size());
  for (const Family& family : families) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n", family.name, family.help, family.type);
    for (const auto& [labels, status] : rows)
      out += fmt::format("{}{{{}}} {}\n", family.name, labels, family.value(status));
  }
  auto counts = alert_store_.CountBySeverity();
  if (!counts) return Internal(call, counts.error(), "alert counts");
  out +=
      "# HELP camguard_alerts_total Alerts raised, repeats included\n"
      "# TYPE camguard_alerts_total counter\n";
  for (const auto& [severity, count] : *counts)
    out += fmt::format("camguard_alerts_total{{severity=\"{}\"}} {}\n", alerts::ToString(severity),
                       count.total);
  out +=
      "# HELP camguard_alerts_unacknowledged Alerts nobody acknowledged yet\n"
      "# TYPE camguard_alerts_unacknowledged gauge\n";
  for (const auto& [severity, count] : *counts)
    out += fmt::format("camguard_alerts_unacknowledged{{severity=\"{}\"}} {}\n",
                       alerts::ToString(severity), count.unacknowledged);
  if (options_.recordings_directory) {
    std::error_code ec;
    const auto space = std::filesystem::space(*options_.recordings_directory, ec);
    if (!ec) {
      out += fmt::format(
          "# HELP camguard_recordings_disk_free_bytes Free space where recordings are written\n"
          "# TYPE camguard_recordings_disk_free_bytes gauge\ncamguard_recordings_disk_free_bytes "
          "{}\n# HELP camguard_recordings_disk_size_bytes Size of that file system\n"
          "# TYPE camguard_recordings_disk_size_bytes gauge\ncamguard_recordings_disk_size_bytes "
          "{}\n",
          space.available, space.capacity);
    }
  }
  http::Response response;
  response.status = 200;
  response.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  response.SetHeader("Cache-Control", "no-store");
  response.body = std::move(out);
  Finish(call, std::move(response));
}

// ----------------------------------------------------------------------------------------------
// Alerts, subscriptions and webhooks

namespace {
json AlertJson(const alerts::StoredAlert& alert,
               const std::map<std::int64_t, std::string>& camera_public_ids) {
  json details = json::parse(alert.details_json, nullptr, false);
  if (details.is_discarded()) details = json::object();
  json camera = nullptr;
  if (alert.camera_id) {
    const auto it = camera_public_ids.find(*alert.camera_id);
    if (it != camera_public_ids.end()) camera = it->second;
  }
  return json{{"id", alert.public_id},
              {"kind", alerts::ToString(alert.kind)},
              {"severity", alerts::ToString(alert.severity)},
              {"camera_id", camera},
              {"title", alert.title},
              {"details", details},
              {"first_at", Time(alert.first_ms)},
              {"last_at", Time(alert.last_ms)},
              {"count", alert.count},
              {"acknowledged_at",
               alert.acknowledged_ms ? json(Time(*alert.acknowledged_ms)) : json(nullptr)}};
}

json WebhookJson(const alerts::Webhook& webhook) {
  return json{
      {"id", webhook.public_id},    {"name", webhook.name},
      {"url", webhook.url},         {"min_severity", alerts::ToString(webhook.min_severity)},
      {"enabled", webhook.enabled}, {"created_at", Time(webhook.created_ms)}};
}

std::optional<alerts::Severity> SeverityParam(const std::multimap<std::string, std::string>& query,
                                              bool& bad) {
  const auto it = query.find("min_severity");
  if (it == query.end()) return std::nullopt;
  auto parsed = alerts::ParseSeverity(it->second);
  if (!parsed) bad = true;
  return parsed;
}
}  // namespace

base::Result<bool> Api::Impl::MaySeeAlert(const CallPtr& call, const alerts::StoredAlert& alert) {
  if (call->user->role == auth::Role::kOwner || call->user->role == auth::Role::kAdmin) return true;
  if (alert.user_id && *alert.user_id == call->user->id) return true;
  if (!alert.camera_id) return false;
  CAMGUARD_TRY(auto granted, cameras_.RightsOfUser(call->user->id));
  const auto it = granted.find(*alert.camera_id);
  auth::Target target;
  target.camera_right = auth::CameraRight::kView;
  target.camera_id = *alert.camera_id;
  target.camera_rights_granted = it == granted.end() ? 0 : it->second;
  return auth::Authorize(call->principal, Action::kUseCamera, target) == Decision::kAllow;
}

void Api::Impl::ListAlerts(const CallPtr& call) {
  static const std::set<std::string> known = {"before", "limit", "min_severity", "unacknowledged"};
  alerts::AlertQuery query;
  for (const auto& [key, value] : call->target.query) {
    if (!known.contains(key))
      return Error(call, 400, "invalid_request",
                   "unknown query parameter '" + key.substr(0, 32) + "'");
  }
  bool bad = false;
  query.min_severity = SeverityParam(call->target.query, bad);
  if (bad) return Error(call, 400, "invalid_request", "min_severity: info, warning or critical");
  if (const auto it = call->target.query.find("limit"); it != call->target.query.end()) {
    const auto limit = ParseId(it->second);
    if (!limit || *limit < 1 || *limit > 500)
      return Error(call, 400, "invalid_request", "limit must be 1..500");
    query.limit = static_cast<int>(*limit);
  }
  if (const auto it = call->target.query.find("before"); it != call->target.query.end()) {
    query.before_id = ParseId(it->second);
    if (!query.before_id) return Error(call, 400, "invalid_request", "before must be a number");
  }
  if (const auto it = call->target.query.find("unacknowledged"); it != call->target.query.end()) {
    query.unacknowledged_only = it->second == "true" || it->second == "1";
  }
  // Filtering after the query may return fewer than `limit`; next_before pages on regardless.
  auto found = alert_store_.List(query);
  if (!found) return Internal(call, found.error(), "alert list");
  auto cameras = cameras_.List();
  if (!cameras) return Internal(call, cameras.error(), "camera list");
  std::map<std::int64_t, std::string> camera_ids;
  for (const auto& camera : *cameras) camera_ids[camera.id] = camera.public_id;
  json list = json::array();
  for (const auto& alert : *found) {
    auto visible = MaySeeAlert(call, alert);
    if (!visible) return Internal(call, visible.error(), "rights lookup");
    if (*visible) list.push_back(AlertJson(alert, camera_ids));
  }
  const bool more = static_cast<int>(found->size()) == query.limit;
  Reply(call, 200,
        json{{"alerts", list}, {"next_before", more ? json(found->back().id) : json(nullptr)}});
}

void Api::Impl::AcknowledgeAlert(const CallPtr& call) {
  auto alert = alert_store_.FindByPublicId(call->params["id"]);
  if (!alert) return Internal(call, alert.error(), "alert lookup");
  bool visible = false;
  if (*alert) {
    auto may = MaySeeAlert(call, **alert);
    if (!may) return Internal(call, may.error(), "rights lookup");
    visible = *may;
  }
  if (!visible) return Error(call, 404, "not_found", "no such alert");
  if (auto done = alert_store_.Acknowledge((**alert).id, call->user->id, Millis(deps_.clock));
      !done) {
    return Internal(call, done.error(), "acknowledging");
  }
  Audit(call, "alert.acknowledge", (**alert).public_id, audit::Outcome::kSuccess);
  Reply(call, 204, json());
}

void Api::Impl::GetAlertSubscription(const CallPtr& call) {
  auto subscription = alert_store_.SubscriptionOf(call->user->id);
  if (!subscription) return Internal(call, subscription.error(), "subscription");
  alerts::Subscription defaults;
  defaults.user_id = call->user->id;
  const alerts::Subscription s = subscription->value_or(defaults);
  auto cameras = cameras_.List();
  if (!cameras) return Internal(call, cameras.error(), "camera list");
  json ids = nullptr;
  if (s.cameras) {
    ids = json::array();
    for (const auto& camera : *cameras)
      if (s.cameras->contains(camera.id)) ids.push_back(camera.public_id);
  }
  json quiet = nullptr;
  if (s.quiet_hours) {
    quiet = json{{"start", fmt::format("{:02}:{:02}", s.quiet_hours->start_minute / 60,
                                       s.quiet_hours->start_minute % 60)},
                 {"end", fmt::format("{:02}:{:02}", s.quiet_hours->end_minute / 60,
                                     s.quiet_hours->end_minute % 60)}};
  }
  Reply(call, 200,
        json{{"subscription", json{{"min_severity", alerts::ToString(s.min_severity)},
                                   {"camera_ids", ids},
                                   {"quiet_hours", quiet}}}});
}

namespace {
// "HH:MM" → minutes of the day.
std::optional<int> ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return hours * 60 + minutes;
}
}  // namespace

void Api::Impl::SetAlertSubscription(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, {{"min_severity", FieldType::kString, true, 16},
                                                {"camera_ids", FieldType::kArray, false, 1000},
                                                {"quiet_start", FieldType::kString, false, 5},
                                                {"quiet_end", FieldType::kString, false, 5}});
  if (!body) return Error(call, body.error());
  alerts::Subscription subscription;
  subscription.user_id = call->user->id;
  const auto severity = alerts::ParseSeverity(RequiredString(*body, "min_severity"));
  if (!severity)
    return Error(call, 400, "invalid_request", "min_severity: info, warning or critical");
  subscription.min_severity = *severity;
  if (const auto it = body->find("camera_ids"); it != body->end()) {
    subscription.cameras.emplace();
    for (const json& id : *it) {
      if (!id.is_string()) return Error(call, 400, "invalid_request", "camera_ids are strings");
      auto camera = cameras_.FindByPublicId(id.get<std::string>());
      if (!camera) return Internal(call, camera.error(), "camera lookup");
      if (!*camera) return Error(call, 400, "invalid_request", "camera_ids names no such camera");
      subscription.cameras->insert((**camera).id);
    }
  }
  const auto start = OptionalString(*body, "quiet_start");
  const auto end = OptionalString(*body, "quiet_end");
  if (start.has_value() != end.has_value())
    return Error(call, 400, "invalid_request", "quiet_start and quiet_end go together");
  if (start) {
    const auto from = ParseClock(*start);
    const auto to = ParseClock(*end);
    if (!from || !to) return Error(call, 400, "invalid_request", "quiet hours are HH:MM");
    subscription.quiet_hours = alerts::QuietHours{*from, *to};
  }
  if (auto saved = alert_store_.SetSubscription(subscription); !saved)
    return Internal(call, saved.error(), "saving subscription");
  Audit(call, "alert.subscription", call->user->username, audit::Outcome::kSuccess,
        json{{"min_severity", alerts::ToString(subscription.min_severity)}});
  GetAlertSubscription(call);
}

void Api::Impl::ListWebhooks(const CallPtr& call) {
  auto webhooks = alert_store_.Webhooks();
  if (!webhooks) return Internal(call, webhooks.error(), "webhook list");
  json list = json::array();
  for (const auto& webhook : *webhooks) list.push_back(WebhookJson(webhook));
  Reply(call, 200, json{{"webhooks", list}});
}

void Api::Impl::CreateWebhook(const CallPtr& call) {
  auto body = DecodeObject(call->request.body, {{"name", FieldType::kString, true, 64},
                                                {"url", FieldType::kString, true, 2048},
                                                {"min_severity", FieldType::kString, false, 16}});
  if (!body) return Error(call, body.error());
  alerts::Webhook webhook;
  webhook.name = std::string(base::Trim(RequiredString(*body, "name")));
  if (webhook.name.empty() || !base::IsValidUtf8(webhook.name))
    return Error(call, 400, "invalid_request", "name must be a non-empty text");
  webhook.url = RequiredString(*body, "url");
  if (auto valid = alerts::ValidateWebhookUrl(webhook.url); !valid)
    return Error(call, 400, "invalid_request", "url: " + valid.error().message);
  if (const auto severity = OptionalString(*body, "min_severity")) {
    const auto parsed = alerts::ParseSeverity(*severity);
    if (!parsed)
      return Error(call, 400, "invalid_request", "min_severity: info, warning or critical");
    webhook.min_severity = *parsed;
  }
  // The signing secret is generated here, shown once, and kept sealed.
  const std::string secret = crypto::RandomToken(32);
  webhook.secret_sealed = SealSecret(secret);
  auto created = alert_store_.AddWebhook(webhook, Millis(deps_.clock));
  if (!created) return Internal(call, created.error(), "creating webhook");
  Audit(call, "webhook.create", created->public_id, audit::Outcome::kSuccess,
        json{{"name", created->name}, {"url", created->url}});
  Reply(call, 201, json{{"webhook", WebhookJson(*created)}, {"secret", secret}});
}

void Api::Impl::DeleteWebhook(const CallPtr& call) {
  auto webhook = alert_store_.FindWebhook(call->params["id"]);
  if (!webhook) return Internal(call, webhook.error(), "webhook lookup");
  if (!*webhook) return Error(call, 404, "not_found", "no such webhook");
  if (auto deleted = alert_store_.DeleteWebhook((**webhook).id); !deleted)
    return Internal(call, deleted.error(), "deleting webhook");
  Audit(call, "webhook.delete", (**webhook).public_id, audit::Outcome::kSuccess,
        json{{"name", (**webhook).name}});
  Reply(call, 204, json());
}

void Api::Impl::WebhookDeliveries(const CallPtr& call) {
  auto webhook = alert_store_.FindWebhook(call->params["id"]);
  if (!webhook) return Internal(call, webhook.error(), "webhook lookup");
  if (!*webhook) return Error(call, 404, "not_found", "no such webhook");
  bool dead_only = false;
  if (const auto it = call->target.query.find("dead"); it != call->target.query.end())
    dead_only = it->second == "true" || it->second == "1";
  auto deliveries = alert_store_.Deliveries((**webhook).id, dead_only, 200);
  if (!deliveries) return Internal(call, deliveries.error(), "deliveries");
  json list = json::array();
  for (const auto& d : *deliveries) {
    auto alert = alert_store_.Find(d.alert_id);
    if (!alert) return Internal(call, alert.error(), "alert lookup");
    list.push_back(json{{"alert_id", *alert ? json((**alert).public_id) : json(nullptr)},
                        {"attempt", d.attempt},
                        {"outcome", d.outcome},
                        {"detail", d.detail},
                        {"at", Time(d.time_ms)}});
  }
  Reply(call, 200, json{{"deliveries", list}});
}

// ----------------------------------------------------------------------------------------------
// Events (WebSocket)

void Api::Impl::LiveWithoutUpgrade(const CallPtr& call) {
  if (!CameraWithRight(call, auth::CameraRight::kView)) return;
  EventsWithoutUpgrade(call);
}

void Api::Impl::EventsWithoutUpgrade(const CallPtr& call) {
  http::Response response =
      ErrorResponse(ApiError{426, "upgrade_required", "this endpoint is a WebSocket"});
  response.SetHeader("Upgrade", "websocket");
  Finish(call, std::move(response));
}

namespace {
// The browser's event channel: nothing is read from it but pings (handled by the transport);
// any message from the page is ignored.
class EventSession final : public http::WebSocketSession {
 public:
  explicit EventSession(std::function<void(std::shared_ptr<http::WebSocketChannel>)> opened)
      : opened_(std::move(opened)) {}
  void OnOpen(std::shared_ptr<http::WebSocketChannel> channel) override { opened_(channel); }
  void OnMessage(std::string, bool) override {}
  void OnClose() override {}

 private:
  std::function<void(std::shared_ptr<http::WebSocketChannel>)> opened_;
};
}  // namespace

void Api::Impl::HandleUpgrade(http::Request request, http::UpgradeResponder respond) {
  // Answer refusals through the ordinary pipeline, so errors look like every other error.
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->respond = [respond](http::Response response) { respond(std::move(response)); };
  call->actor.address = call->request.remote_address;
  call->actor.device = auth::DeviceLabel(call->request.Header("user-agent").value_or(""));
  auto target = ParseTarget(call->request.target);
  if (!target) return Error(call, 400, "invalid_request", target.error().message);
  call->target = std::move(*target);
  const bool events = call->target.path == "/api/v1/events";
  const bool live = MatchPath("/api/v1/cameras/{id}/live", call->target.path, call->params);
  if (!events && !live) return Error(call, 404, "not_found", "no WebSocket endpoint here");
  if (!OwnerExists()) return Error(call, 503, "setup_required", "camguard is not set up yet");
  // Cross-site WebSocket hijacking: the browser attaches the session cookie to a WebSocket that
  // any page opens, so the Origin must be ours (and present: every browser sends it here).
  if (!call->request.Header("origin") ||
      !http::IsSameOriginOrAllowed(call->request, options_.allowed_origins)) {
    return Error(call, 403, "forbidden_origin", "cross-origin WebSocket refused");
  }
  if (call->request.Header("authorization")) {
    return Error(call, 403, "permission_denied", "events are for signed-in browsers");
  }
  ResolveSession(call);
  if (call->finished) return;
  if (live) return HandleLiveUpgrade(call, std::move(respond));
  if (!Require(call, Action::kSubscribeEvents, auth::Target{}, call->target.path)) return;
  const std::int64_t user_id = call->user->id;
  call->finished = true;  // answered by the upgrade
  respond(std::make_shared<EventSession>(
      [this, user_id](std::shared_ptr<http::WebSocketChannel> channel) {
        event_channels_.emplace(user_id, channel);
        channel->Send(Dump(json{{"type", "hello"}}), false);
      }));
}

namespace {
// One viewer of one camera. Chunks arrive on the streaming engine's thread and are queued on the
// WebSocket; a viewer that falls behind (the queue is full) skips to the next keyframe instead of
// delaying anyone, and recording never waits for it.
class LiveSession final : public http::WebSocketSession,
                          public std::enable_shared_from_this<LiveSession> {
 public:
  LiveSession(cameras::StreamingControl& streaming, std::int64_t camera_id,
              std::function<void()> on_open, std::function<void(std::uint64_t skipped)> on_close)
      : streaming_(streaming),
        camera_id_(camera_id),
        on_open_(std::move(on_open)),
        on_close_(std::move(on_close)) {}

  void OnOpen(std::shared_ptr<http::WebSocketChannel> channel) override {
    channel_ = channel;
    on_open_();
    std::weak_ptr<LiveSession> weak = shared_from_this();
    subscription_ = streaming_.SubscribeLive(camera_id_, [weak](const cameras::LiveChunk& chunk) {
      if (auto self = weak.lock()) self->Deliver(chunk);
    });
  }
  void OnMessage(std::string, bool) override {}  // the page sends nothing that matters
  void OnClose() override {
    streaming_.UnsubscribeLive(camera_id_, subscription_);
    std::lock_guard lock(mutex_);
    on_close_(skipped_);
  }

 private:
  void Deliver(const cameras::LiveChunk& chunk) {
    std::lock_guard lock(mutex_);
    auto channel = channel_.lock();
    if (!channel || !chunk.bytes) return;
    if (chunk.is_init) {
      // The page needs the codec before the init segment to create its SourceBuffer.
      const auto status = streaming_.Status(camera_id_);
      const std::string codec = status ? status->codec : std::string();
      channel->Send(json{{"type", "init"},
                         {"codec", codec},
                         {"width", status ? status->width : 0},
                         {"height", status ? status->height : 0}}
                        .dump(),
                    false);
      waiting_for_keyframe_ = true;
    } else if (waiting_for_keyframe_ && !chunk.keyframe) {
      ++skipped_;
      return;
    }
    std::string bytes(chunk.bytes->begin(), chunk.bytes->end());
    if (!channel->Send(std::move(bytes), true)) {
      ++skipped_;
      waiting_for_keyframe_ = true;  // behind: resume at the next keyframe
      return;
    }
    if (!chunk.is_init) waiting_for_keyframe_ = false;
  }

  cameras::StreamingControl& streaming_;
  const std::int64_t camera_id_;
  std::function<void()> on_open_;
  std::function<void(std::uint64_t)> on_close_;
  std::mutex mutex_;
  std::weak_ptr<http::WebSocketChannel> channel_;
  std::uint64_t subscription_ = 0;
  bool waiting_for_keyframe_ = true;
  std::uint64_t skipped_ = 0;
};
}  // namespace

void Api::Impl::HandleLiveUpgrade(const CallPtr& call, http::UpgradeResponder respond) {
  const auto camera = CameraWithRight(call, auth::CameraRight::kView);
  if (!camera) return;
  if (!deps_.streaming) {
    return Error(call, 503, "streaming_unavailable", "the streaming engine is not running");
  }
  const std::uint64_t watch_id = next_watch_id_++;
  const Watcher watcher{call->user->username, call->actor.device, call->request.remote_address,
                        Millis(deps_.clock)};
  const std::int64_t camera_id = camera->id;
  const std::string public_id = camera->public_id;
  call->finished = true;  // answered by the upgrade
  // Every live session is audited when it starts and when it ends (who, device, address, how
  // long), and listed as a watcher on the camera meanwhile.
  auto on_open = [this, call, camera_id, watch_id, watcher, public_id] {
    watchers_[camera_id][watch_id] = watcher;
    Audit(call, "camera.live_start", public_id, audit::Outcome::kSuccess);
  };
  auto on_close = [this, call, camera_id, watch_id, watcher, public_id](std::uint64_t skipped) {
    if (auto it = watchers_.find(camera_id); it != watchers_.end()) {
      it->second.erase(watch_id);
      if (it->second.empty()) watchers_.erase(it);
    }
    Audit(call, "camera.live_end", public_id, audit::Outcome::kSuccess,
          json{{"seconds", (Millis(deps_.clock) - watcher.since_ms) / 1000},
               {"skipped_fragments", skipped}});
  };
  respond(std::make_shared<LiveSession>(*deps_.streaming, camera_id, std::move(on_open),
                                        std::move(on_close)));
}

void Api::Impl::PushAlert(const alerts::StoredAlert& alert,
                          const std::vector<std::int64_t>& recipients) {
  auto cameras = cameras_.List();
  std::map<std::int64_t, std::string> camera_ids;
  if (cameras) {
    for (const auto& camera : *cameras) camera_ids[camera.id] = camera.public_id;
  }
  const std::string message =
      Dump(json{{"type", "alert"}, {"alert", AlertJson(alert, camera_ids)}});
  for (auto it = event_channels_.begin(); it != event_channels_.end();) {
    auto channel = it->second.lock();
    if (!channel) {
      it = event_channels_.erase(it);
      continue;
    }
    if (std::find(recipients.begin(), recipients.end(), it->first) != recipients.end()) {
      // A page that stopped reading loses events rather than holding memory; it reloads.
      if (!channel->Send(message, false)) channel->Close();
    }
    ++it;
  }
}

// ----------------------------------------------------------------------------------------------
// Recordings and exports

namespace {
// "from"/"to" query or body values: RFC 3339.
std::optional<base::WallTime> TimeParam(const std::multimap<std::string, std::string>& query,
                                        const char* name) {
  const auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  auto parsed = base::ParseRfc3339(it->second);
  if (!parsed) return std::nullopt;
  return *parsed;
}
}  // namespace

void Api::Impl::ListRecordings(const CallPtr& call) {
  const auto camera = CameraWithRight(call, auth::CameraRight::kPlayback);
  if (!camera) return;
  const auto now = deps_.clock.Now();
  const auto from = TimeParam(call->target.query, "from").value_or(now - std::chrono::hours(24));
  const auto to = TimeParam(call->target.query, "to").value_or(now + std::chrono::minutes(1));
  for (const auto& [key, value] : call->target.query) {
    if (key != "from" && key != "to")
      return Error(call, 400, "invalid_request",
                   "unknown query parameter '" + key.substr(0, 32) + "'");
    if (!base::ParseRfc3339(value))
      return Error(call, 400, "invalid_request", "'" + key + "' must be an RFC 3339 date-time");
  }
  if (to <= from) return Error(call, 400, "invalid_request", "'to' must be after 'from'");
  recording::RecordingIndex index(deps_.db);
  auto segments = index.Find(camera->id, from, to);
  if (!segments) return Internal(call, segments.error(), "recordings");
  json list = json::array(), gaps = json::array();
  std::optional<base::WallTime> previous_end;
  for (const auto& segment : *segments) {
    // A hole of more than two seconds between segments is a gap the owner should see.
    if (previous_end && segment.start - *previous_end > std::chrono::seconds(2)) {
      gaps.push_back(json{{"from", base::FormatRfc3339(*previous_end)},
                          {"to", base::FormatRfc3339(segment.start)}});
    }
    previous_end = std::max(previous_end.value_or(segment.end), segment.end);
    list.push_back(json{{"from", base::FormatRfc3339(segment.start)},
                        {"to", base::FormatRfc3339(segment.end)},
                        {"frames", segment.frames},
                        {"bytes", segment.bytes},
                        {"codec", segment.codec},
                        {"complete", segment.complete},
                        {"encrypted", segment.encrypted}});
  }
  Reply(call, 200, json{{"segments", list}, {"gaps", gaps}});
}

void Api::Impl::CreateExport(const CallPtr& call) {
  const auto camera = CameraWithRight(call, auth::CameraRight::kExport);
  if (!camera) return;
  auto body = DecodeObject(call->request.body, {{"from", FieldType::kString, true, 64},
                                                {"to", FieldType::kString, true, 64}});
  if (!body) return Error(call, body.error());
  const auto from = base::ParseRfc3339(RequiredString(*body, "from"));
  const auto to = base::ParseRfc3339(RequiredString(*body, "to"));
  if (!from || !to)
    return Error(call, 400, "invalid_request", "from and to are RFC 3339 date-times");
  if (*to <= *from) return Error(call, 400, "invalid_request", "'to' must be after 'from'");
  if (*to - *from > std::chrono::hours(24))
    return Error(call, 400, "invalid_request", "an export covers at most 24 hours");
  if (!options_.exports_directory) return Error(call, 503, "unavailable", "exports are not set up");
  const std::string public_id = "exp_" + crypto::RandomToken(12);
  const auto path = *options_.exports_directory / (public_id + ".mp4");
  if (auto made = base::EnsurePrivateDirectory(*options_.exports_directory); !made)
    return Internal(call, made.error(), "exports folder");
  // Reading and writing a clip is slow file work: the blocking pool does it on its own
  // database connection, and the answer comes back to the loop.
  struct Outcome {
    base::Result<recording::ExportResult> result =
        base::Fail(base::ErrorCode::kInternal, "not run");
  };
  auto outcome = std::make_shared<Outcome>();
  const std::filesystem::path database = deps_.db.path();
  if (database.empty()) return Error(call, 503, "unavailable", "exports need an on-disk database");
  deps_.blocking.RunBlocking(
      [outcome, database, camera_id = camera->id, from = *from, to = *to, path,
       key = options_.recordings_key] {
        auto db = store::Database::Open(database);
        if (!db) {
          outcome->result = tl::unexpected(db.error());
          return;
        }
        recording::RecordingIndex index(*db);
        outcome->result = recording::Export(index, camera_id, from, to, path, key.get());
      },
      [this, call, outcome, camera = *camera, public_id, path, from = *from, to = *to] {
        if (!outcome->result) {
          if (outcome->result.error().code == base::ErrorCode::kNotFound)
            return Error(call, 404, "not_found", outcome->result.error().message);
          return Internal(call, outcome->result.error(), "export");
        }
        const auto& done = *outcome->result;
        auto stmt = deps_.db.Prepare(
            "INSERT INTO exports (public_id, camera_id, user_id, path, from_ms, to_ms, bytes, "
            "sha256, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        if (!stmt) return Internal(call, stmt.error(), "export");
        stmt->Bind(1, public_id)
            .Bind(2, camera.id)
            .Bind(3, call->user->id)
            .Bind(4, path.string())
            .Bind(5, base::ToUnixMillis(from))
            .Bind(6, base::ToUnixMillis(to))
            .Bind(7, static_cast<std::int64_t>(done.bytes))
            .Bind(8, done.sha256_hex)
            .Bind(9, Millis(deps_.clock));
        if (auto stored = stmt->Run(); !stored) return Internal(call, stored.error(), "export");
        Audit(call, "recording.export", camera.public_id, audit::Outcome::kSuccess,
              json{{"export", public_id},
                   {"from", base::FormatRfc3339(from)},
                   {"to", base::FormatRfc3339(to)},
                   {"sha256", done.sha256_hex}});
        Reply(call, 201,
              json{{"export", json{{"id", public_id},
                                   {"camera_id", camera.public_id},
                                   {"from", base::FormatRfc3339(from)},
                                   {"to", base::FormatRfc3339(to)},
                                   {"bytes", done.bytes},
                                   {"sha256", done.sha256_hex},
                                   {"fragments", done.fragments}}}});
      });
}

// ----------------------------------------------------------------------------------------------
// PTZ through the hub: every command is authorized (the ptz right), rate limited by the watch,
// and audited with the person, session, device and address.

namespace {
json PtzStateJson(const cameras::PtzState& state) {
  json presets = json::array();
  for (const auto& preset : state.presets) {
    presets.push_back(json{{"token", preset.token}, {"name", preset.name}});
  }
  json out{{"pan", state.pan},
           {"tilt", state.tilt},
           {"zoom", state.zoom},
           {"moving", state.moving},
           {"presets", presets}};
  if (state.new_preset_token) out["preset"] = *state.new_preset_token;
  return out;
}

ApiError PtzError(const base::Error& error) {
  switch (error.code) {
    case base::ErrorCode::kInvalidArgument: return {400, "invalid_request", error.message};
    case base::ErrorCode::kFailedPrecondition: return {409, "ptz_unavailable", error.message};
    case base::ErrorCode::kResourceExhausted: return {429, "throttled", error.message};
    case base::ErrorCode::kNotFound: return {404, "not_found", error.message};
    default: return {502, "camera_error", error.message};
  }
}
}  // namespace

// Privacy mode: the hub stops live view and recording of the camera (and says so to everyone
// who may view it) until it is switched off again.
void Api::Impl::SetPrivacy(const CallPtr& call) {
  const auto camera =
      CameraWithRight(call, auth::CameraRight::kConfigure, nullptr, Action::kSetPrivacyMode);
  if (!camera) return;
  auto body = DecodeObject(call->request.body, {{"enabled", FieldType::kBoolean, true}});
  if (!body) return Error(call, body.error());
  const bool enabled = body->at("enabled").get<bool>();
  if (enabled != camera->privacy) {
    cameras::CameraUpdate update;
    update.privacy = enabled;
    auto updated = cameras_.Update(camera->id, update);
    if (!updated || !*updated) {
      return Internal(
          call,
          updated ? base::Error{base::ErrorCode::kNotFound, "camera vanished"} : updated.error(),
          "privacy mode");
    }
    Audit(call, "camera.privacy", camera->public_id, audit::Outcome::kSuccess,
          json{{"enabled", enabled}});
    if (deps_.streaming) deps_.streaming->CameraChanged(camera->id);
    if (deps_.alerts) {
      const std::string who =
          call->actor.username.empty() ? "an integration" : call->actor.username;
      deps_.alerts->Raise(alerts::RaisedAlert{
          alerts::Kind::kPrivacyModeChanged,
          alerts::DefaultSeverity(alerts::Kind::kPrivacyModeChanged), camera->id,
          fmt::format("{}: privacy mode {} by {}", camera->name, enabled ? "on" : "off", who),
          json{{"enabled", enabled}, {"by", who}}.dump(),
          fmt::format("privacy:{}:{}", camera->id, enabled ? 1 : 0), std::nullopt});
    }
  }
  Reply(call, 200, json{{"privacy", enabled}});
}

// ---- the camera's own accounts: see them, give the hub's a strong unique password, remove the
// ones the owner does not know. Each step is a separate, audited request (the page confirms).

void Api::Impl::ListCameraAccounts(const CallPtr& call) {
  const auto camera = CameraWithRight(call, auth::CameraRight::kConfigure);
  if (!camera) return;
  if (deps_.ptz == nullptr) return Error(call, 503, "unavailable", "ONVIF is not running");
  struct Outcome {
    base::Result<std::vector<cameras::CameraAccountInfo>> accounts =
        base::Fail(base::ErrorCode::kInternal, "");
  };
  auto outcome = std::make_shared<Outcome>();
  deps_.blocking.RunBlocking(
      [outcome, ptz = deps_.ptz, id = camera->id] { outcome->accounts = ptz->Accounts(id); },
      [this, call, outcome] {
        if (!outcome->accounts) return Error(call, PtzError(outcome->accounts.error()));
        json list = json::array();
        for (const auto& account : *outcome->accounts) {
          list.push_back(json{{"username", account.username},
                              {"level", account.level},
                              {"is_hub", account.is_hub}});
        }
        Reply(call, 200, json{{"accounts", list}});
      });
}

void Api::Impl::RotateCameraPassword(const CallPtr& call) {
  const auto camera = CameraWithRight(call, auth::CameraRight::kConfigure);
  if (!camera) return;
  if (auto body = DecodeObject(call->request.body.empty() ? "{}" : call->request.body, {}); !body)
    return Error(call, body.error());
  if (deps_.ptz == nullptr) return Error(call, 503, "unavailable", "ONVIF is not running");
  auto sealed = cameras_.SealedCredentials(camera->id);
  if (!sealed) return Internal(call, sealed.error(), "camera credentials");
  if (!*sealed) return Error(call, 409, "failed_precondition", "the camera has no credentials");
  auto credentials = cameras::OpenCredentials(deps_.secrets_key, **sealed);
  if (!credentials) return Internal(call, credentials.error(), "camera credentials");
  // 24 random bytes → 32 characters of base64url, 192 bits: nobody types it, camguard keeps it.
  auto password = std::make_shared<base::Redacted<std::string>>(crypto::RandomToken(24));
  auto resealed = cameras::SealCredentials(
      deps_.secrets_key, cameras::CameraCredentials{credentials->username, *password});
  if (!resealed) return Internal(call, resealed.error(), "camera credentials");
  struct Outcome {
    base::Status done = base::Fail(base::ErrorCode::kInternal, "");
  };
  auto outcome = std::make_shared<Outcome>();
  deps_.blocking.RunBlocking(
      [outcome, ptz = deps_.ptz, id = camera->id, password] {
        outcome->done = ptz->RotatePassword(id, *password);
      },
      [this, call, outcome, camera = *camera, resealed = std::move(*resealed)] {
        if (!outcome->done) {
          Audit(call, "camera.rotate_password", camera.public_id, audit::Outcome::kFailure,
                json{{"error", outcome->done.error().message}});
          return Error(call, PtzError(outcome->done.error()));
        }
        cameras::CameraUpdate update;
        update.credentials_sealed = std::optional<std::string>(resealed);
        auto stored = cameras_.Update(camera.id, update);
        Audit(call, "camera.rotate_password", camera.public_id,
              stored ? audit::Outcome::kSuccess : audit::Outcome::kFailure);
        if (!stored) {
          // The camera has the new password and the hub could not store it: say so loudly.
          spdlog::critical("camera {}: the new password could not be stored: {}", camera.public_id,
                           stored.error().message);
          return Internal(call, stored.error(), "storing the new camera password");
        }
        if (deps_.streaming) deps_.streaming->CameraChanged(camera.id);
        deps_.ptz->CameraChanged(camera.id);
        Reply(call, 200, json{{"rotated", true}});
      });
}

void Api::Impl::RemoveCameraAccount(const CallPtr& call) {
  const auto camera = CameraWithRight(call, auth::CameraRight::kConfigure);
  if (!camera) return;
  if (deps_.ptz == nullptr) return Error(call, 503, "unavailable", "ONVIF is not running");
  const std::string account = call->params["account"];
  if (account.empty() || account.size() > 64) {
    return Error(call, 400, "invalid_request", "no such account name");
  }
  struct Outcome {
    base::Status done = base::Fail(base::ErrorCode::kInternal, "");
  };
  auto outcome = std::make_shared<Outcome>();
  deps_.blocking.RunBlocking(
      [outcome, ptz = deps_.ptz, id = camera->id, account] {
        outcome->done = ptz->RemoveAccount(id, account);
      },
      [this, call, outcome, camera = *camera, account] {
        Audit(call, "camera.remove_account", camera.public_id,
              outcome->done ? audit::Outcome::kSuccess : audit::Outcome::kFailure,
              json{{"account", account}});
        if (!outcome->done) return Error(call, PtzError(outcome->done.error()));
        Reply(call, 204, json());
      });
}

void Api::Impl::GetPtz(const CallPtr& call) {
  const auto camera = CameraWithRight(call, auth::CameraRight::kPtz);
  if (!camera) return;
  RunPtz(call, *camera, std::nullopt);
}

void Api::Impl::CommandPtz(const CallPtr& call) {
  const auto camera = CameraWithRight(call, auth::CameraRight::kPtz);
  if (!camera) return;
  auto body = DecodeObject(call->request.body, {{"action", FieldType::kString, true, 32},
                                                {"pan", FieldType::kNumber, false},
                                                {"tilt", FieldType::kNumber, false},
                                                {"zoom", FieldType::kNumber, false},
                                                {"timeout_ms", FieldType::kInteger, false},
                                                {"preset", FieldType::kString, false, 64},
                                                {"preset_name", FieldType::kString, false, 64}});
  if (!body) return Error(call, body.error());
  cameras::PtzRequest request;
  const auto action = cameras::ParsePtzAction(RequiredString(*body, "action"));
  if (!action) {
    return Error(call, 400, "invalid_request",
                 "action must be continuous_move, absolute_move, relative_move, stop, "
                 "goto_preset, set_preset or remove_preset");
  }
  request.action = *action;
  request.pan = body->value("pan", 0.0);
  request.tilt = body->value("tilt", 0.0);
  request.zoom = body->value("zoom", 0.0);
  if (const auto it = body->find("timeout_ms"); it != body->end()) {
    request.timeout = std::chrono::milliseconds(it->get<std::int64_t>());
  }
  request.preset_token = OptionalString(*body, "preset").value_or("");
  request.preset_name = OptionalString(*body, "preset_name").value_or("");
  if (auto valid = cameras::ValidatePtzRequest(request); !valid) {
    return Error(call, 400, "invalid_request", valid.error().message);
  }
  RunPtz(call, *camera, request);
}

void Api::Impl::RunPtz(const CallPtr& call, const cameras::Camera& camera,
                       std::optional<cameras::PtzRequest> request) {
  if (deps_.ptz == nullptr) return Error(call, 503, "unavailable", "PTZ control is not running");
  struct Outcome {
    base::Result<cameras::PtzState> result = base::Fail(base::ErrorCode::kInternal, "not run");
  };
  auto outcome = std::make_shared<Outcome>();
  cameras::PtzControl* ptz = deps_.ptz;
  deps_.blocking.RunBlocking(
      [outcome, ptz, camera_id = camera.id, request] {
        outcome->result = request ? ptz->Command(camera_id, *request) : ptz->State(camera_id);
      },
      [this, call, outcome, camera, request] {
        if (request) {
          json details{{"action", cameras::ToString(request->action)}};
          switch (request->action) {
            case cameras::PtzAction::kContinuousMove:
            case cameras::PtzAction::kAbsoluteMove:
            case cameras::PtzAction::kRelativeMove:
              details["pan"] = request->pan;
              details["tilt"] = request->tilt;
              details["zoom"] = request->zoom;
              if (request->timeout) details["timeout_ms"] = request->timeout->count();
              break;
            case cameras::PtzAction::kGotoPreset:
            case cameras::PtzAction::kRemovePreset:
              details["preset"] = request->preset_token;
              break;
            case cameras::PtzAction::kSetPreset:
              details["preset_name"] = request->preset_name;
              break;
            case cameras::PtzAction::kStop: break;
          }
          if (!outcome->result) details["error"] = outcome->result.error().message;
          Audit(call, "camera.ptz", camera.public_id,
                outcome->result ? audit::Outcome::kSuccess : audit::Outcome::kFailure, details);
        }
        if (!outcome->result) return Error(call, PtzError(outcome->result.error()));
        Reply(call, 200, json{{"ptz", PtzStateJson(*outcome->result)}});
      });
}

void Api::Impl::DownloadExport(const CallPtr& call) {
  auto stmt = deps_.db.Prepare(
      "SELECT e.path, e.user_id, e.sha256, c.public_id FROM exports e LEFT JOIN cameras c ON "
      "c.id = e.camera_id WHERE e.public_id = ?");
  if (!stmt) return Internal(call, stmt.error(), "export lookup");
  stmt->Bind(1, call->params["id"]);
  auto row = stmt->Step();
  if (!row) return Internal(call, row.error(), "export lookup");
  // Only the person who made the export, or a manager, downloads it.
  const bool found = *row;
  const bool mine = found && stmt->ColumnOptionalInt(1) == call->user->id;
  const bool manager =
      call->user->role == auth::Role::kOwner || call->user->role == auth::Role::kAdmin;
  if (call->principal->token || !found || !(mine || manager)) {
    return Error(call, 404, "not_found", "no such export");
  }
  const std::string path = stmt->ColumnText(0);
  const std::string sha256 = stmt->ColumnText(2);
  Audit(call, "recording.download", call->params["id"], audit::Outcome::kSuccess);
  http::Response response;
  response.status = 200;
  response.SetHeader("Content-Type", "video/mp4");
  response.SetHeader("Content-Disposition",
                     "attachment; filename=\"camguard-" + call->params["id"] + ".mp4\"");
  response.SetHeader("X-Content-SHA256", sha256);
  response.body_file = path;
  Finish(call, std::move(response));
}

// ----------------------------------------------------------------------------------------------
// Audit log

void Api::Impl::ReadAuditLog(const CallPtr& call) {
  audit::Query query;
  static const std::set<std::string> known = {"from",    "to",     "action", "username",
                                              "outcome", "before", "limit"};
  for (const auto& [key, value] : call->target.query) {
    if (!known.contains(key))
      return Error(call, 400, "invalid_request",
                   "unknown query parameter '" + key.substr(0, 32) + "'");
    if (key == "from" || key == "to") {
      const auto time = base::ParseRfc3339(value);
      if (!time)
        return Error(call, 400, "invalid_request", "'" + key + "' must be an RFC 3339 date-time");
      (key == "from" ? query.from_ms : query.to_ms) = base::ToUnixMillis(*time);
    } else if (key == "action") {
      query.action = value;
    } else if (key == "username") {
      query.username = value;
    } else if (key == "outcome") {
      query.outcome = audit::ParseOutcome(value);
      if (!query.outcome)
        return Error(call, 400, "invalid_request", "outcome must be success, failure or denied");
    } else if (key == "before") {
      const auto before = ParseId(value);
      if (!before)
        return Error(call, 400, "invalid_request", "'before' must be a positive integer");
      query.before_seq = *before;
    } else if (key == "limit") {
      const auto limit = ParseId(value);
      if (!limit || *limit < 1 || *limit > 1000) {
        return Error(call, 400, "invalid_request", "'limit' must be between 1 and 1000");
      }
      query.limit = static_cast<int>(*limit);
    }
  }
  auto entries = deps_.audit.List(query);
  if (!entries) return Internal(call, entries.error(), "reading audit log");
  json list = json::array();
  for (const auto& e : *entries) {
    json details = json::parse(e.details_json, nullptr, false);
    if (details.is_discarded()) details = json::object();
    list.push_back(
        json{{"seq", e.seq},
             {"time", Time(e.time_ms)},
             {"user_id", e.actor.user_id ? json(std::to_string(*e.actor.user_id)) : json(nullptr)},
             {"username", e.actor.username},
             {"session_id", e.actor.session_id},
             {"device", e.actor.device},
             {"address", e.actor.address},
             {"action", e.action},
             {"target", e.target},
             {"outcome", std::string(audit::ToString(e.outcome))},
             {"details", details}});
  }
  json next = nullptr;
  if (!entries->empty() && static_cast<int>(entries->size()) == query.limit &&
      entries->back().seq > 1) {
    next = entries->back().seq;
  }
  Reply(call, 200, json{{"entries", list}, {"next_before", next}});
}

// ----------------------------------------------------------------------------------------------

Api::Api(ApiDeps deps, ApiOptions options)
    : impl_(std::make_unique<Impl>(deps, std::move(options))) {}
Api::~Api() = default;

void Api::Handle(http::Request request, http::Responder respond) {
  impl_->Handle(std::move(request), std::move(respond));
}

void Api::HandleUpgrade(http::Request request, http::UpgradeResponder respond) {
  impl_->HandleUpgrade(std::move(request), std::move(respond));
}

void Api::PushAlert(const alerts::StoredAlert& alert, const std::vector<std::int64_t>& recipients) {
  impl_->PushAlert(alert, recipients);
}

std::vector<RouteInfo> Api::Routes() {
  std::vector<RouteInfo> routes;
  for (const auto& route : Impl::RouteTable())
    routes.push_back({route.method, route.pattern, route.action});
  return routes;
}

}  // namespace camguard::api
