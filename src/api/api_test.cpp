// SPDX-License-Identifier: Apache-2.0
// In-process API tests: the role × endpoint × right matrix, the setup gate, sessions and their
// expiry (with a fake clock), CSRF and Origin checks, TOTP and recovery codes, throttling, and
// strict input handling. The same behaviour is checked over real HTTPS in tests/integration.
#include <unistd.h>

#include <map>
#include <set>

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "alerts/alert_store.h"
#include "api/api_test_support.h"
#include "auth/account_store.h"
#include "auth/totp.h"
#include "base/encoding.h"
#include "base/strings.h"
#include "cameras/camera_store.h"
#include "crypto/crypto.h"

namespace camguard::api {
namespace {

using nlohmann::json;
using testing::Reply;
using testing::TestHub;

constexpr const char* kOwnerPassword = "correct horse battery staple";
constexpr const char* kUserPassword = "violet-lantern-orbit-57";

std::filesystem::path TempDir() {
  static int counter = 0;
  return std::filesystem::temp_directory_path() /
         ("camguard-api-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

// A hub with an owner, an admin, a member, a guest, a "victim" member, and two cameras.
// The member may view camera A and steer (ptz) camera B; the guest may view camera A.
struct World {
  std::unique_ptr<TestHub> hub = std::make_unique<TestHub>(TempDir());
  std::map<std::string, TestHub::Login> logins;  // by role name
  std::string camera_a, camera_b;
  std::string victim_id, victim_session, victim_token;
  std::string alert_a, alert_b, webhook;  // an alert on each camera; a webhook

  World() {
    hub->SetUpOwner("owner", kOwnerPassword);
    logins["owner"] = *hub->LogIn("owner", kOwnerPassword);
    for (const char* role : {"admin", "member", "guest"}) {
      CreateUser(role, role);
      logins[role] = *hub->LogIn(role, kUserPassword);
    }
    victim_id = CreateUser("victim", "member");
    auto victim = hub->LogIn("victim", kUserPassword);
    victim_session = victim->body["session"]["id"];
    const Reply token =
        hub->Send("POST", "/api/v1/tokens", R"({"name":"victim's","scopes":["read"]})",
                  victim->cookie, victim->csrf);
    EXPECT_EQ(token.status, 201) << token.raw.body;
    victim_token = token.body["token"]["id"];
    camera_a = CreateCamera("Kitchen");
    camera_b = CreateCamera("Garden PTZ");
    Grant(logins["member"].body["user"]["id"], {{camera_a, {"view"}}, {camera_b, {"ptz"}}});
    Grant(logins["guest"].body["user"]["id"], {{camera_a, {"view"}}});
    alerts::AlertStore store(hub->db());
    for (const std::string& camera : {camera_a, camera_b}) {
      cameras::CameraStore cameras(hub->db());
      const auto row = (*cameras.FindByPublicId(camera))->id;
      auto alert = store.Insert(
          alerts::RaisedAlert{alerts::Kind::kCameraMovedFromOutside, alerts::Severity::kCritical,
                              row, "moved", "{}", "", std::nullopt},
          1000);
      (camera == camera_a ? alert_a : alert_b) = alert->public_id;
    }
    const Reply created =
        As("owner", "POST", "/api/v1/webhooks", R"({"name":"ha","url":"http://127.0.0.1:9/hook"})");
    EXPECT_EQ(created.status, 201) << created.raw.body;
    webhook = created.body["webhook"]["id"];
  }

  Reply As(const std::string& role, const std::string& method, const std::string& target,
           const std::string& body = "") {
    if (role == "anonymous") return hub->Send(method, target, body);
    const auto& login = logins.at(role);
    return hub->Send(method, target, body, login.cookie, login.csrf);
  }

  std::string CreateUser(const std::string& name, const std::string& role) {
    const Reply reply =
        As("owner", "POST", "/api/v1/users",
           json{{"username", name}, {"password", kUserPassword}, {"role", role}}.dump());
    EXPECT_EQ(reply.status, 201) << reply.raw.body;
    return reply.body["user"]["id"];
  }
  std::string CreateCamera(const std::string& name) {
    const Reply reply = As("owner", "POST", "/api/v1/cameras",
                           json{{"name", name},
                                {"main_url", "rtsp://127.77.0.1:8554/main"},
                                {"username", "admin"},
                                {"password", "cam-secret-1"}}
                               .dump());
    EXPECT_EQ(reply.status, 201) << reply.raw.body;
    return reply.body["camera"]["id"];
  }
  void Grant(const std::string& user_id,
             const std::map<std::string, std::vector<std::string>>& rights) {
    json list = json::array();
    for (const auto& [camera, names] : rights)
      list.push_back(json{{"camera_id", camera}, {"rights", names}});
    const Reply reply =
        As("owner", "PUT", "/api/v1/users/" + user_id + "/rights", json{{"rights", list}}.dump());
    EXPECT_EQ(reply.status, 200) << reply.raw.body;
  }
};

struct MatrixCase {
  std::string method;
  std::string path;  // {victim}, {victim_session}, {camera_a}, {camera_b} are substituted
  std::string body;
  // Expected status for anonymous, guest, member, admin, owner.
  std::array<int, 5> expected;
};

// Written by hand from the authorization rules in docs/api/openapi.yaml; every route of the API
// must appear here, or the test fails.
const std::map<std::string, MatrixCase>& Matrix() {
  static const std::string strong = json{
      {"current_password", kUserPassword},
      {"new_password",
       "another-long-passphrase-93"}}.dump();
  static const std::map<std::string, MatrixCase> matrix = {
      {"POST /api/v1/setup",
       {"POST",
        "/api/v1/setup",
        R"({"token":"x","username":"again","password":"x"})",
        {409, 409, 409, 409, 409}}},
      {"POST /api/v1/login",
       {"POST",
        "/api/v1/login",
        json{{"username", "victim"}, {"password", kUserPassword}}.dump(),
        {200, 200, 200, 200, 200}}},
      {"POST /api/v1/logout", {"POST", "/api/v1/logout", "", {401, 204, 204, 204, 204}}},
      {"GET /api/v1/me", {"GET", "/api/v1/me", "", {401, 200, 200, 200, 200}}},
      {"POST /api/v1/me/password",
       {"POST", "/api/v1/me/password", "PASSWORD", {401, 204, 204, 204, 204}}},
      {"POST /api/v1/me/totp", {"POST", "/api/v1/me/totp", "REAUTH", {401, 200, 200, 200, 200}}},
      {"POST /api/v1/me/totp/confirm",
       {"POST", "/api/v1/me/totp/confirm", R"({"code":"123456"})", {401, 409, 409, 409, 409}}},
      {"POST /api/v1/me/totp/disable",
       {"POST", "/api/v1/me/totp/disable", "REAUTH_CODE", {401, 409, 409, 409, 409}}},
      {"POST /api/v1/me/recovery-codes",
       {"POST", "/api/v1/me/recovery-codes", "REAUTH", {401, 409, 409, 409, 409}}},
      // The in-process hub is reached as hub.test, a name it is not configured for: allowed
      // callers get 409 where a relying party is needed.
      {"GET /api/v1/me/passkeys", {"GET", "/api/v1/me/passkeys", "", {401, 200, 200, 200, 200}}},
      {"POST /api/v1/me/passkeys/registration",
       {"POST", "/api/v1/me/passkeys/registration", "REAUTH", {401, 409, 409, 409, 409}}},
      {"POST /api/v1/me/passkeys",
       {"POST",
        "/api/v1/me/passkeys",
        R"({"name":"Phone","client_data_json":"e30","attestation_object":"oA"})",
        {401, 409, 409, 409, 409}}},
      {"DELETE /api/v1/me/passkeys/{id}",
       {"DELETE", "/api/v1/me/passkeys/1", "", {401, 404, 404, 404, 404}}},
      {"POST /api/v1/login/passkey/options",
       {"POST", "/api/v1/login/passkey/options", "", {409, 409, 409, 409, 409}}},
      {"POST /api/v1/login/passkey",
       {"POST",
        "/api/v1/login/passkey",
        R"({"login_id":"pkl_x","credential_id":"AA","client_data_json":"e30",)"
        R"("authenticator_data":"AA","signature":"AA","user_handle":"AA"})",
        {409, 409, 409, 409, 409}}},
      {"GET /api/v1/sessions", {"GET", "/api/v1/sessions", "", {401, 200, 200, 200, 200}}},
      {"DELETE /api/v1/sessions/{id}",
       {"DELETE", "/api/v1/sessions/{victim_session}", "", {401, 403, 403, 204, 204}}},
      {"GET /api/v1/users", {"GET", "/api/v1/users", "", {401, 403, 403, 200, 200}}},
      {"POST /api/v1/users",
       {"POST",
        "/api/v1/users",
        json{{"username", "newbie"}, {"password", kUserPassword}, {"role", "member"}}.dump(),
        {401, 403, 403, 201, 201}}},
      {"GET /api/v1/users/{id}", {"GET", "/api/v1/users/{victim}", "", {401, 403, 403, 200, 200}}},
      {"PATCH /api/v1/users/{id}",
       {"PATCH", "/api/v1/users/{victim}", R"({"role":"guest"})", {401, 403, 403, 200, 200}}},
      {"DELETE /api/v1/users/{id}",
       {"DELETE", "/api/v1/users/{victim}", "", {401, 403, 403, 204, 204}}},
      {"PUT /api/v1/users/{id}/rights",
       {"PUT", "/api/v1/users/{victim}/rights", "GRANT_VIEW_A", {401, 403, 403, 200, 200}}},
      {"GET /api/v1/cameras", {"GET", "/api/v1/cameras", "", {401, 200, 200, 200, 200}}},
      {"POST /api/v1/cameras",
       {"POST",
        "/api/v1/cameras",
        R"({"name":"Porch","main_url":"rtsp://127.77.0.9/s"})",
        {401, 403, 403, 201, 201}}},
      // Camera B: the member holds ptz there but not view, and ptz never implies view.
      {"GET /api/v1/cameras/{id}",
       {"GET", "/api/v1/cameras/{camera_b}", "", {401, 403, 403, 200, 200}}},
      // Camera A: the member holds view only; configure is needed to change a camera.
      {"PATCH /api/v1/cameras/{id}",
       {"PATCH", "/api/v1/cameras/{camera_a}", R"({"name":"Renamed"})", {401, 403, 403, 200, 200}}},
      {"DELETE /api/v1/cameras/{id}",
       {"DELETE", "/api/v1/cameras/{camera_b}", "", {401, 403, 403, 204, 204}}},
      {"GET /api/v1/audit-log", {"GET", "/api/v1/audit-log", "", {401, 403, 403, 200, 200}}},
      {"GET /api/v1/tokens", {"GET", "/api/v1/tokens", "", {401, 200, 200, 200, 200}}},
      {"POST /api/v1/tokens",
       {"POST",
        "/api/v1/tokens",
        R"({"name":"Home Assistant","scopes":["read"]})",
        {401, 201, 201, 201, 201}}},
      {"DELETE /api/v1/tokens/{id}",
       {"DELETE", "/api/v1/tokens/{victim_token}", "", {401, 403, 403, 204, 204}}},
      {"GET /api/v1/metrics", {"GET", "/api/v1/metrics", "", {401, 403, 403, 200, 200}}},
      {"GET /api/v1/alerts", {"GET", "/api/v1/alerts", "", {401, 200, 200, 200, 200}}},
      // Alert on camera B: the member's ptz right there does not show its alerts (view does).
      {"POST /api/v1/alerts/{id}/acknowledge",
       {"POST", "/api/v1/alerts/{alert_b}/acknowledge", "", {401, 404, 404, 204, 204}}},
      {"GET /api/v1/me/alert-subscription",
       {"GET", "/api/v1/me/alert-subscription", "", {401, 200, 200, 200, 200}}},
      {"PUT /api/v1/me/alert-subscription",
       {"PUT",
        "/api/v1/me/alert-subscription",
        R"({"min_severity":"critical"})",
        {401, 200, 200, 200, 200}}},
      {"GET /api/v1/webhooks", {"GET", "/api/v1/webhooks", "", {401, 403, 403, 200, 200}}},
      {"POST /api/v1/webhooks",
       {"POST",
        "/api/v1/webhooks",
        R"({"name":"n","url":"https://hooks.example/x"})",
        {401, 403, 403, 201, 201}}},
      {"DELETE /api/v1/webhooks/{id}",
       {"DELETE", "/api/v1/webhooks/{webhook}", "", {401, 403, 403, 204, 204}}},
      {"GET /api/v1/events", {"GET", "/api/v1/events", "", {401, 426, 426, 426, 426}}},
      // Camera B: the member holds ptz there, neither playback nor export.
      {"GET /api/v1/cameras/{id}/recordings",
       {"GET", "/api/v1/cameras/{camera_b}/recordings", "", {401, 403, 403, 200, 200}}},
      // The in-process hub has no exports folder: allowed callers get 503.
      {"POST /api/v1/cameras/{id}/exports",
       {"POST",
        "/api/v1/cameras/{camera_b}/exports",
        R"({"from":"2026-11-24T00:00:00Z","to":"2026-11-24T00:01:00Z"})",
        {401, 403, 403, 503, 503}}},
      {"GET /api/v1/exports/{id}",
       {"GET", "/api/v1/exports/exp_none", "", {401, 404, 404, 404, 404}}},
      {"GET /api/v1/cameras/{id}/live",
       {"GET", "/api/v1/cameras/{camera_b}/live", "", {401, 403, 403, 426, 426}}},
      // Camera B: the member holds ptz there, so PTZ is allowed; the in-process hub has no PTZ
      // control, so allowed callers get 503 (a refusal is 403 before that).
      {"GET /api/v1/cameras/{id}/ptz",
       {"GET", "/api/v1/cameras/{camera_b}/ptz", "", {401, 403, 503, 503, 503}}},
      {"POST /api/v1/cameras/{id}/ptz",
       {"POST",
        "/api/v1/cameras/{camera_b}/ptz",
        R"({"action":"stop"})",
        {401, 403, 503, 503, 503}}},
      // Camera B: the member holds ptz there, not configure.
      {"POST /api/v1/cameras/{id}/privacy",
       {"POST",
        "/api/v1/cameras/{camera_b}/privacy",
        R"({"enabled":false})",
        {401, 403, 403, 200, 200}}},
      // The camera's own accounts need configure (the member holds ptz on B); the in-process
      // hub has no ONVIF, so allowed callers get 503.
      {"GET /api/v1/cameras/{id}/accounts",
       {"GET", "/api/v1/cameras/{camera_b}/accounts", "", {401, 403, 403, 503, 503}}},
      {"POST /api/v1/cameras/{id}/accounts/rotate-password",
       {"POST",
        "/api/v1/cameras/{camera_b}/accounts/rotate-password",
        "{}",
        {401, 403, 403, 503, 503}}},
      {"DELETE /api/v1/cameras/{id}/accounts/{account}",
       {"DELETE", "/api/v1/cameras/{camera_b}/accounts/mallory", "", {401, 403, 403, 503, 503}}},
      {"GET /api/v1/webhooks/{id}/deliveries",
       {"GET", "/api/v1/webhooks/{webhook}/deliveries", "", {401, 403, 403, 200, 200}}},
  };
  return matrix;
}

std::string Substitute(std::string text, const World& world) {
  const std::map<std::string, std::string> values = {
      {"{victim}", world.victim_id},          {"{victim_session}", world.victim_session},
      {"{victim_token}", world.victim_token}, {"{alert_b}", world.alert_b},
      {"{webhook}", world.webhook},           {"{camera_a}", world.camera_a},
      {"{camera_b}", world.camera_b}};
  for (const auto& [key, value] : values) {
    for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key))
      text.replace(pos, key.size(), value);
  }
  return text;
}

std::string BodyFor(const MatrixCase& c, const World& world, const std::string& role) {
  const std::string password = role == "owner" ? kOwnerPassword : kUserPassword;
  if (c.body == "PASSWORD") {
    return json{{"current_password", password}, {"new_password", "another-long-passphrase-93"}}
        .dump();
  }
  if (c.body == "REAUTH") return json{{"password", password}}.dump();
  if (c.body == "REAUTH_CODE") return json{{"password", password}, {"code", "123456"}}.dump();
  if (c.body == "GRANT_VIEW_A") {
    return json{
        {"rights", json::array({json{{"camera_id", world.camera_a}, {"rights", {"view"}}}})}}
        .dump();
  }
  return c.body;
}

TEST(AuthorizationMatrix, EveryRouteHasAnExpectedDecisionForEveryRole) {
  const std::array<std::string, 5> roles = {"anonymous", "guest", "member", "admin", "owner"};
  std::set<std::string> covered;
  for (const RouteInfo& route : Api::Routes()) {
    const std::string key = std::string(route.method) + " " + std::string(route.pattern);
    const auto it = Matrix().find(key);
    ASSERT_NE(it, Matrix().end()) << "route " << key << " has no row in the authorization matrix";
    covered.insert(key);
    for (std::size_t r = 0; r < roles.size(); ++r) {
      World world;  // fresh for every cell: requests may be destructive
      const MatrixCase& c = it->second;
      const Reply reply =
          world.As(roles[r], c.method, Substitute(c.path, world), BodyFor(c, world, roles[r]));
      EXPECT_EQ(reply.status, c.expected[r]) << key << " as " << roles[r] << ": " << reply.raw.body;
    }
  }
  EXPECT_EQ(covered.size(), Matrix().size()) << "the matrix lists routes the API does not have";
}

TEST(AuthorizationMatrix, CameraRightsAreEnforcedPerCamera) {
  World world;
  EXPECT_EQ(world.As("member", "GET", "/api/v1/cameras/" + world.camera_a).status, 200);
  EXPECT_EQ(world.As("guest", "GET", "/api/v1/cameras/" + world.camera_a).status, 200);
  EXPECT_EQ(world.As("guest", "GET", "/api/v1/cameras/" + world.camera_b).status, 403);
  // A camera that does not exist looks like one the caller may not see.
  EXPECT_EQ(world.As("guest", "GET", "/api/v1/cameras/cam_nope").status, 403);
  EXPECT_EQ(world.As("owner", "GET", "/api/v1/cameras/cam_nope").status, 404);
  const Reply listed = world.As("member", "GET", "/api/v1/cameras");
  ASSERT_EQ(listed.body["cameras"].size(), 1u);
  EXPECT_EQ(listed.body["cameras"][0]["id"], world.camera_a);
  EXPECT_EQ(listed.body["cameras"][0]["rights"], json::array({"view"}));
}

TEST(AuthorizationMatrix, GuestsCannotBeGrantedPtz) {
  World world;
  const std::string guest_id = world.logins["guest"].body["user"]["id"];
  const Reply reply = world.As(
      "owner", "PUT", "/api/v1/users/" + guest_id + "/rights",
      json{{"rights",
            json::array({json{{"camera_id", world.camera_a}, {"rights", {"view", "ptz"}}}})}}
          .dump());
  EXPECT_EQ(reply.status, 400) << reply.raw.body;
}

TEST(AuthorizationMatrix, AdminsCannotTouchTheOwnerOrCreateAdmins) {
  World world;
  const std::string owner_id = world.logins["owner"].body["user"]["id"];
  EXPECT_EQ(world.As("admin", "PATCH", "/api/v1/users/" + owner_id, R"({"disabled":true})").status,
            403);
  EXPECT_EQ(world.As("admin", "DELETE", "/api/v1/users/" + owner_id).status, 403);
  EXPECT_EQ(
      world
          .As("admin", "POST", "/api/v1/users",
              json{{"username", "admin2"}, {"password", kUserPassword}, {"role", "admin"}}.dump())
          .status,
      403);
  EXPECT_EQ(
      world
          .As("owner", "POST", "/api/v1/users",
              json{{"username", "owner2"}, {"password", kUserPassword}, {"role", "owner"}}.dump())
          .status,
      400);
}

TEST(AuthorizationMatrix, CameraCredentialsAreNeverReturned) {
  World world;
  const Reply reply = world.As("owner", "GET", "/api/v1/cameras/" + world.camera_a);
  EXPECT_EQ(reply.body["camera"]["has_credentials"], true);
  EXPECT_EQ(reply.raw.body.find("cam-secret-1"), std::string::npos);
  const Reply log = world.As("owner", "GET", "/api/v1/audit-log?limit=1000");
  EXPECT_EQ(log.raw.body.find("cam-secret-1"), std::string::npos);
  EXPECT_EQ(log.raw.body.find(kUserPassword), std::string::npos);
}

TEST(SetupGate, EverythingButSetupAnswersSetupRequired) {
  TestHub hub(TempDir());
  for (const RouteInfo& route : Api::Routes()) {
    if (route.action == auth::Action::kSetup) continue;
    std::string path(route.pattern);
    if (const auto brace = path.find("{id}"); brace != std::string::npos)
      path.replace(brace, 4, "1");
    const Reply reply = hub.Send(std::string(route.method), path, "{}");
    EXPECT_EQ(reply.status, 503) << route.method << " " << route.pattern;
    EXPECT_EQ(reply.body["error"]["code"], "setup_required");
  }
}

TEST(SetupGate, WrongTokenWeakPasswordThenSuccessThenConflictForever) {
  TestHub hub(TempDir());
  EXPECT_EQ(
      hub.Send("POST", "/api/v1/setup",
               json{{"token", "wrong"}, {"username", "owner"}, {"password", kOwnerPassword}}.dump())
          .status,
      403);
  const Reply weak = hub.Send(
      "POST", "/api/v1/setup",
      json{{"token", hub.setup_token()}, {"username", "owner"}, {"password", "password1234"}}
          .dump());
  EXPECT_EQ(weak.status, 400);
  EXPECT_EQ(weak.body["error"]["code"], "weak_password");
  hub.SetUpOwner("owner", kOwnerPassword);
  EXPECT_EQ(
      hub.Send("POST", "/api/v1/setup",
               json{{"token", hub.setup_token()}, {"username", "x2x"}, {"password", kOwnerPassword}}
                   .dump())
          .status,
      409);
  auth::AccountStore accounts(hub.db());
  auto owner = accounts.FindUserByName("owner");
  ASSERT_TRUE(owner && *owner);
  EXPECT_EQ((**owner).password_hash.rfind("$argon2id$", 0), 0u);
}

TEST(SetupGate, TokenExpiresAfterOneHour) {
  TestHub hub(TempDir());
  hub.clock().Advance(std::chrono::minutes(61));
  const Reply reply = hub.Send(
      "POST", "/api/v1/setup",
      json{{"token", hub.setup_token()}, {"username", "owner"}, {"password", kOwnerPassword}}
          .dump());
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.body["error"]["code"], "invalid_setup_token");
}

TEST(Sessions, CookieIsHostPrefixedSecureHttpOnlyStrict) {
  TestHub hub(TempDir());
  hub.SetUpOwner("owner", kOwnerPassword);
  const Reply reply = hub.Send("POST", "/api/v1/login",
                               json{{"username", "owner"}, {"password", kOwnerPassword}}.dump());
  ASSERT_EQ(reply.status, 200);
  bool found = false;
  for (const auto& [name, value] : reply.raw.headers) {
    if (name != "Set-Cookie" || value.rfind("__Host-camguard_session=", 0) != 0) continue;
    found = true;
    for (const char* attribute : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"}) {
      EXPECT_NE(value.find(attribute), std::string::npos) << attribute;
    }
    EXPECT_EQ(value.find("Domain"), std::string::npos);
  }
  EXPECT_TRUE(found);
}

TEST(Sessions, LogoutKillsTheSession) {
  TestHub hub(TempDir());
  hub.SetUpOwner("owner", kOwnerPassword);
  auto login = hub.LogIn("owner", kOwnerPassword);
  ASSERT_TRUE(login);
  EXPECT_EQ(hub.Send("GET", "/api/v1/me", "", login->cookie).status, 200);
  EXPECT_EQ(hub.Send("POST", "/api/v1/logout", "", login->cookie, login->csrf).status, 204);
  EXPECT_EQ(hub.Send("GET", "/api/v1/me", "", login->cookie).status, 401);
}

TEST(Sessions, IdleAndAbsoluteExpiry) {
  TestHub hub(TempDir());  // idle 1 h, absolute 24 h
  hub.SetUpOwner("owner", kOwnerPassword);
  auto login = hub.LogIn("owner", kOwnerPassword);
  ASSERT_TRUE(login);
  for (int i = 0; i < 24; ++i) {  // 24 × 59 min: active all along, still inside 24 h
    hub.clock().Advance(std::chrono::minutes(59));
    ASSERT_EQ(hub.Send("GET", "/api/v1/me", "", login->cookie).status, 200) << "hour " << i;
  }
  hub.clock().Advance(std::chrono::minutes(59));  // past 24 h since login
  EXPECT_EQ(hub.Send("GET", "/api/v1/me", "", login->cookie).status, 401);

  auto second = hub.LogIn("owner", kOwnerPassword);
  ASSERT_TRUE(second);
  hub.clock().Advance(std::chrono::minutes(61));
  EXPECT_EQ(hub.Send("GET", "/api/v1/me", "", second->cookie).status, 401);
}

TEST(Sessions, PasswordChangeEndsEveryOtherSession) {
  TestHub hub(TempDir());
  hub.SetUpOwner("owner", kOwnerPassword);
  auto phone = hub.LogIn("owner", kOwnerPassword);
  auto laptop = hub.LogIn("owner", kOwnerPassword);
  ASSERT_TRUE(phone && laptop);
  const Reply changed = hub.Send(
      "POST", "/api/v1/me/password",
      json{{"current_password", kOwnerPassword}, {"new_password", "fresh-winter-kettle-204"}}
          .dump(),
      laptop->cookie, laptop->csrf);
  ASSERT_EQ(changed.status, 204) << changed.raw.body;
  EXPECT_EQ(hub.Send("GET", "/api/v1/me", "", laptop->cookie).status, 200);
  EXPECT_EQ(hub.Send("GET", "/api/v1/me", "", phone->cookie).status, 401);
  EXPECT_FALSE(hub.LogIn("owner", kOwnerPassword));
  EXPECT_TRUE(hub.LogIn("owner", "fresh-winter-kettle-204"));
}

TEST(Csrf, StateChangesNeedTheTokenAndTheOrigin) {
  World world;
  const auto& owner = world.logins["owner"];
  const std::string body =
      json{{"username", "nobody1"}, {"password", kUserPassword}, {"role", "guest"}}.dump();
  EXPECT_EQ(world.hub->Send("POST", "/api/v1/users", body, owner.cookie).status, 403);
  EXPECT_EQ(
      world.hub->Send("POST", "/api/v1/users", body, owner.cookie, std::string("wrong")).status,
      403);
  EXPECT_EQ(world.hub
                ->Send("POST", "/api/v1/users", body, owner.cookie, owner.csrf, "127.0.0.1",
                       {{"Origin", "https://evil.example"}})
                .status,
            403);
  EXPECT_EQ(world.hub
                ->Send("POST", "/api/v1/users", body, owner.cookie, owner.csrf, "127.0.0.1",
                       {{"Origin", "https://hub.test:8443"}})
                .status,
            201);
  // The refused attempts changed nothing: exactly one "nobody1" exists.
  const Reply users = world.As("owner", "GET", "/api/v1/users");
  int count = 0;
  for (const auto& user : users.body["users"]) count += user["username"] == "nobody1" ? 1 : 0;
  EXPECT_EQ(count, 1);
}

TEST(Totp, EnrollConfirmLoginNoReuseRecoveryCodesOnce) {
  TestHub hub(TempDir());
  hub.SetUpOwner("owner", kOwnerPassword);
  auto login = hub.LogIn("owner", kOwnerPassword);
  ASSERT_TRUE(login);
  const Reply started =
      hub.Send("POST", "/api/v1/me/totp", json{{"password", kOwnerPassword}}.dump(), login->cookie,
               login->csrf);
  ASSERT_EQ(started.status, 200) << started.raw.body;
  EXPECT_EQ(started.body["otpauth_uri"].get<std::string>().rfind("otpauth://totp/", 0), 0u);
  EXPECT_NE(started.body["qr_svg"].get<std::string>().find("<svg"), std::string::npos);
  const std::string secret = *base::Base32Decode(started.body["secret"].get<std::string>());
  auto code_now = [&] { return auth::totp::Code(secret, auth::totp::StepAt(hub.clock().Now())); };

  const Reply confirmed = hub.Send("POST", "/api/v1/me/totp/confirm",
                                   json{{"code", code_now()}}.dump(), login->cookie, login->csrf);
  ASSERT_EQ(confirmed.status, 200) << confirmed.raw.body;
  ASSERT_EQ(confirmed.body["recovery_codes"].size(), 10u);
  const std::string recovery = confirmed.body["recovery_codes"][0];

  const Reply missing = hub.Send("POST", "/api/v1/login",
                                 json{{"username", "owner"}, {"password", kOwnerPassword}}.dump());
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.body["error"]["code"], "totp_required");

  hub.clock().Advance(std::chrono::seconds(30));  // the confirm code's step is used up
  const std::string code = code_now();
  EXPECT_TRUE(hub.LogIn("owner", kOwnerPassword, code));
  EXPECT_FALSE(hub.LogIn("owner", kOwnerPassword, code)) << "a TOTP code must not work twice";

  auto with_recovery = [&](const std::string& value) {
    return hub
        .Send("POST", "/api/v1/login",
              json{{"username", "owner"}, {"password", kOwnerPassword}, {"recovery_code", value}}
                  .dump())
        .status;
  };
  EXPECT_EQ(with_recovery(recovery), 200);
  EXPECT_EQ(with_recovery(recovery), 401) << "a recovery code must not work twice";
}

TEST(Throttle, AttackerIsSlowedButOwnerWithSessionIsNot) {
  TestHub hub(TempDir());  // 3 free failures
  hub.SetUpOwner("owner", kOwnerPassword);
  auto owner = hub.LogIn("owner", kOwnerPassword, std::nullopt, "192.0.2.10");
  ASSERT_TRUE(owner);
  const std::string wrong = json{{"username", "owner"}, {"password", "not-the-password-0"}}.dump();
  int throttled = 0;
  for (int i = 0; i < 10; ++i) {
    const Reply reply =
        hub.Send("POST", "/api/v1/login", wrong, std::nullopt, std::nullopt, "198.51.100.7");
    if (reply.status == 429) {
      ++throttled;
      EXPECT_TRUE(reply.raw.Header("Retry-After").has_value());
    }
  }
  EXPECT_GT(throttled, 0);
  // A stranger on another address is held back by the account counter...
  const Reply stranger = hub.Send("POST", "/api/v1/login",
                                  json{{"username", "owner"}, {"password", kOwnerPassword}}.dump(),
                                  std::nullopt, std::nullopt, "203.0.113.5");
  EXPECT_EQ(stranger.status, 429);
  // ...but the owner's device, which holds a session and a trusted-device cookie, is not.
  const Reply mine = hub.Send("POST", "/api/v1/login",
                              json{{"username", "owner"}, {"password", kOwnerPassword}}.dump(),
                              owner->cookie, owner->csrf, "192.0.2.10");
  EXPECT_EQ(mine.status, 200) << mine.raw.body;
  const Reply failures = hub.Send(
      "GET", "/api/v1/audit-log?action=auth.login&outcome=failure&limit=1000", "", owner->cookie);
  EXPECT_GE(failures.body["entries"].size(), 10u);
}

TEST(Login, RehashesWhenTheHashingParametersChange) {
  TestHub hub(TempDir());  // m=1024 KiB, t=1
  hub.SetUpOwner("owner", kOwnerPassword);
  auth::AccountStore accounts(hub.db());
  const std::string before = (*accounts.FindUserByName("owner"))->password_hash;
  EXPECT_NE(before.find("m=1024,t=1"), std::string::npos) << before;
  hub.ReplaceHasher(auth::Argon2Params{2048, 2});
  ASSERT_TRUE(hub.LogIn("owner", kOwnerPassword));
  const std::string after = (*accounts.FindUserByName("owner"))->password_hash;
  EXPECT_NE(after.find("m=2048,t=2"), std::string::npos) << after;
  EXPECT_TRUE(hub.LogIn("owner", kOwnerPassword));
}

TEST(Login, UnknownUserAndWrongPasswordLookTheSame) {
  TestHub hub(TempDir());
  hub.SetUpOwner("owner", kOwnerPassword);
  const Reply unknown = hub.Send(
      "POST", "/api/v1/login", json{{"username", "ghost"}, {"password", "whatever-123456"}}.dump());
  const Reply wrong = hub.Send("POST", "/api/v1/login",
                               json{{"username", "owner"}, {"password", "whatever-123456"}}.dump());
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.status, wrong.status);
  EXPECT_EQ(unknown.raw.body, wrong.raw.body);
}

TEST(BadInput, IsRefusedWithAClearErrorAndChangesNothing) {
  World world;
  const auto& owner = world.logins["owner"];
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "invalid_json"},
      {"[]", "invalid_json"},
      {R"({"username":"a1b","password":"x","role":"member","admin":true})", "unknown_field"},
      {R"({"username":5,"password":"x","role":"member"})", "invalid_request"},
      {R"({"password":"x","role":"member"})", "invalid_request"},
      {std::string(20, '[') + std::string(20, ']'), "invalid_json"},
      {"{\"username\":\"\xff\xfe\",\"password\":\"x\",\"role\":\"member\"}", "invalid_json"},
      {R"({"username":"bad name!","password":"violet-lantern-orbit-57","role":"member"})",
       "invalid_request"},
      {R"({"username":"okname","password":"violet-lantern-orbit-57","role":"emperor"})",
       "invalid_request"},
  };
  const Reply before = world.As("owner", "GET", "/api/v1/users");
  for (const auto& [body, code] : cases) {
    const Reply reply = world.hub->Send("POST", "/api/v1/users", body, owner.cookie, owner.csrf);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(reply.body["error"]["code"], code) << body << " -> " << reply.raw.body;
  }
  const Reply wrong_type = world.hub->Send("POST", "/api/v1/users", "{}", owner.cookie, owner.csrf,
                                           "127.0.0.1", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(wrong_type.status, 415);
  EXPECT_EQ(world.As("owner", "GET", "/api/v1/nothing-here").status, 404);
  const Reply wrong_method = world.As("owner", "PUT", "/api/v1/me", "{}");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.raw.Header("Allow"), "GET");
  EXPECT_EQ(world.As("owner", "GET", "/api/v1/audit-log?limit=0").status, 400);
  EXPECT_EQ(world.As("owner", "GET", "/api/v1/audit-log?from=yesterday").status, 400);
  EXPECT_EQ(world.As("owner", "GET", "/api/v1/audit-log?bogus=1").status, 400);
  EXPECT_EQ(world.As("owner", "GET", "/api/v1/users").raw.body, before.raw.body);
}

TEST(AuditTrail, ActionsAreAttributedToUserSessionDeviceAndAddress) {
  World world;
  const Reply log = world.As("owner", "GET", "/api/v1/audit-log?action=user.create&limit=10");
  ASSERT_FALSE(log.body["entries"].empty());
  const json& entry = log.body["entries"][0];
  EXPECT_EQ(entry["username"], "owner");
  EXPECT_EQ(entry["address"], "127.0.0.1");
  EXPECT_EQ(entry["device"], "Firefox on Linux");
  EXPECT_EQ(entry["session_id"].get<std::string>().rfind("ses_", 0), 0u);
  EXPECT_EQ(entry["outcome"], "success");
}

}  // namespace
}  // namespace camguard::api

namespace camguard::api {
namespace {

// Sends a request with `Authorization: Bearer <secret>` and no cookie.
Reply WithToken(World& world, const std::string& secret, const std::string& method,
                const std::string& target, const std::string& body = "") {
  return world.hub->Send(method, target, body, std::nullopt, std::nullopt, "127.0.0.1",
                         {{"authorization", "Bearer " + secret}});
}

std::string NewToken(World& world, const std::string& role, const json& request) {
  const Reply reply = world.As(role, "POST", "/api/v1/tokens", request.dump());
  EXPECT_EQ(reply.status, 201) << reply.raw.body;
  EXPECT_TRUE(reply.body["secret"].get<std::string>().starts_with("cgt_"));
  return reply.body["secret"];
}

TEST(ApiTokens, AReadTokenSeesWhatItsUserSeesAndChangesNothing) {
  World world;
  const std::string secret = NewToken(world, "member", {{"name", "ha"}, {"scopes", {"read"}}});
  const Reply listed = WithToken(world, secret, "GET", "/api/v1/cameras");
  ASSERT_EQ(listed.status, 200) << listed.raw.body;
  ASSERT_EQ(listed.body["cameras"].size(), 1u);  // the member views camera A only
  EXPECT_EQ(listed.body["cameras"][0]["id"], world.camera_a);
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/cameras/" + world.camera_a).status, 200);
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/cameras/" + world.camera_b).status, 403);
  // No CSRF token is needed for a bearer token, and still nothing but the scope is allowed.
  EXPECT_EQ(
      WithToken(world, secret, "PATCH", "/api/v1/cameras/" + world.camera_a, R"({"name":"x"})")
          .status,
      403);
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/me").status, 403);
  EXPECT_EQ(
      WithToken(world, secret, "POST", "/api/v1/tokens", R"({"name":"more","scopes":["read"]})")
          .status,
      403);
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/metrics").status, 403);
}

TEST(ApiTokens, AnOwnersTokenCannotAdministerTheHub) {
  World world;
  const std::string secret = NewToken(
      world, "owner", {{"name", "all"}, {"scopes", {"read", "ptz", "privacy", "metrics"}}});
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/users").status, 403);
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/audit-log").status, 403);
  EXPECT_EQ(WithToken(world, secret, "DELETE", "/api/v1/users/" + world.victim_id).status, 403);
  EXPECT_EQ(WithToken(world, secret, "POST", "/api/v1/cameras",
                      R"({"name":"x","main_url":"rtsp://127.77.0.3/m"})")
                .status,
            403);
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/metrics").status, 200);
}

TEST(ApiTokens, CameraListAndScopesRestrictTheToken) {
  World world;
  const std::string secret =
      NewToken(world, "owner",
               {{"name", "kitchen"}, {"scopes", {"read"}}, {"camera_ids", {world.camera_a}}});
  const Reply listed = WithToken(world, secret, "GET", "/api/v1/cameras");
  ASSERT_EQ(listed.body["cameras"].size(), 1u);
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/cameras/" + world.camera_b).status, 403);
  // Scopes the role cannot hold are refused at creation.
  EXPECT_EQ(world.As("guest", "POST", "/api/v1/tokens", R"({"name":"g","scopes":["ptz"]})").status,
            400);
  EXPECT_EQ(
      world.As("member", "POST", "/api/v1/tokens", R"({"name":"m","scopes":["metrics"]})").status,
      400);
  EXPECT_EQ(
      world.As("member", "POST", "/api/v1/tokens", R"({"name":"m","scopes":["root"]})").status,
      400);
  EXPECT_EQ(world.As("member", "POST", "/api/v1/tokens", R"({"name":"m","scopes":[]})").status,
            400);
}

TEST(ApiTokens, RevokedExpiredAndUnknownTokensAre401AndTheSecretIsNeverStoredOrListed) {
  World world;
  const Reply created = world.As("member", "POST", "/api/v1/tokens",
                                 R"({"name":"short","scopes":["read"],"expires_in_days":1})");
  ASSERT_EQ(created.status, 201);
  const std::string secret = created.body["secret"];
  const std::string id = created.body["token"]["id"];
  const Reply listed = world.As("member", "GET", "/api/v1/tokens");
  EXPECT_EQ(listed.raw.body.find(secret), std::string::npos);
  EXPECT_EQ(listed.body["tokens"][0]["id"], id);
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/cameras").status, 200);
  EXPECT_EQ(WithToken(world, "cgt_" + std::string(43, 'A'), "GET", "/api/v1/cameras").status, 401);
  EXPECT_EQ(world.hub
                ->Send("GET", "/api/v1/cameras", "", std::nullopt, std::nullopt, "127.0.0.1",
                       {{"authorization", "Basic b3duZXI6eA=="}})
                .status,
            401);
  const std::string second = NewToken(world, "member", {{"name", "b"}, {"scopes", {"read"}}});
  const std::string second_id = world.As("member", "GET", "/api/v1/tokens").body["tokens"][0]["id"];
  EXPECT_EQ(world.As("member", "DELETE", "/api/v1/tokens/" + second_id).status, 204);
  EXPECT_EQ(WithToken(world, second, "GET", "/api/v1/cameras").status, 401);
  const Reply log = world.As("owner", "GET", "/api/v1/audit-log?limit=1000");

  world.hub->clock().Advance(std::chrono::hours(25));
  EXPECT_EQ(WithToken(world, secret, "GET", "/api/v1/cameras").status, 401);
  EXPECT_EQ(log.raw.body.find(secret), std::string::npos);
  EXPECT_EQ(log.raw.body.find(second), std::string::npos);
  EXPECT_NE(log.raw.body.find("token.use"), std::string::npos);
  EXPECT_NE(log.raw.body.find("token.revoke"), std::string::npos);
  EXPECT_NE(log.raw.body.find("token.reject"), std::string::npos);
}

TEST(Metrics, PrometheusTextWithOneSeriesPerCamera) {
  World world;
  const Reply reply = world.As("admin", "GET", "/api/v1/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(*reply.raw.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = reply.raw.body;
  EXPECT_NE(text.find("# TYPE camguard_camera_up gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("camguard_cameras 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("camguard_camera_up{camera=\"" + world.camera_a + "\",name=\"Kitchen\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE camguard_camera_reconnects_total counter\n"), std::string::npos);
  // The world raised one critical alert on each camera.
  EXPECT_NE(text.find("camguard_alerts_total{severity=\"critical\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("camguard_alerts_unacknowledged{severity=\"warning\"} 0\n"),
            std::string::npos);
}

}  // namespace
}  // namespace camguard::api

namespace camguard::api {
namespace {

TEST(Alerts, EachUserSeesTheAlertsOfTheCamerasTheyMayView) {
  World world;
  const auto ids = [&](const std::string& role) {
    std::set<std::string> out;
    const Reply reply = world.As(role, "GET", "/api/v1/alerts");
    for (const auto& alert : reply.body["alerts"]) out.insert(alert["id"]);
    return out;
  };
  EXPECT_EQ(ids("owner"), (std::set<std::string>{world.alert_a, world.alert_b}));
  EXPECT_EQ(ids("member"), (std::set<std::string>{world.alert_a}));
  EXPECT_EQ(ids("guest"), (std::set<std::string>{world.alert_a}));
  const Reply listed = world.As("member", "GET", "/api/v1/alerts");
  EXPECT_EQ(listed.body["alerts"][0]["camera_id"], world.camera_a);
  EXPECT_EQ(listed.body["alerts"][0]["severity"], "critical");
  EXPECT_EQ(world.As("guest", "POST", "/api/v1/alerts/" + world.alert_a + "/acknowledge").status,
            204);
  const Reply after = world.As("owner", "GET", "/api/v1/alerts?unacknowledged=true");
  ASSERT_EQ(after.body["alerts"].size(), 1u);
  EXPECT_EQ(after.body["alerts"][0]["id"], world.alert_b);
  EXPECT_EQ(world.As("owner", "GET", "/api/v1/alerts?min_severity=loud").status, 400);
  EXPECT_EQ(world.As("owner", "GET", "/api/v1/alerts?color=red").status, 400);
}

TEST(Alerts, SubscriptionRoundTripsAndRefusesBadQuietHours) {
  World world;
  const Reply set = world.As("member", "PUT", "/api/v1/me/alert-subscription",
                             json{{"min_severity", "info"},
                                  {"camera_ids", {world.camera_a}},
                                  {"quiet_start", "22:30"},
                                  {"quiet_end", "07:00"}}
                                 .dump());
  ASSERT_EQ(set.status, 200) << set.raw.body;
  const Reply got = world.As("member", "GET", "/api/v1/me/alert-subscription");
  EXPECT_EQ(got.body["subscription"]["min_severity"], "info");
  EXPECT_EQ(got.body["subscription"]["camera_ids"], json::array({world.camera_a}));
  EXPECT_EQ(got.body["subscription"]["quiet_hours"]["start"], "22:30");
  EXPECT_EQ(world
                .As("member", "PUT", "/api/v1/me/alert-subscription",
                    R"({"min_severity":"info","quiet_start":"25:00","quiet_end":"07:00"})")
                .status,
            400);
  EXPECT_EQ(world
                .As("member", "PUT", "/api/v1/me/alert-subscription",
                    R"({"min_severity":"info","quiet_start":"22:00"})")
                .status,
            400);
}

TEST(Webhooks, SecretShownOnceUrlValidatedAndNeverListed) {
  World world;
  const Reply created = world.As("admin", "POST", "/api/v1/webhooks",
                                 R"({"name":"ntfy","url":"https://ntfy.example/topic"})");
  ASSERT_EQ(created.status, 201);
  const std::string secret = created.body["secret"];
  EXPECT_GE(secret.size(), 40u);
  const Reply listed = world.As("owner", "GET", "/api/v1/webhooks");
  EXPECT_EQ(listed.raw.body.find(secret), std::string::npos);
  EXPECT_EQ(listed.body["webhooks"].size(), 2u);
  for (const char* bad :
       {R"({"name":"x","url":"ftp://a/b"})", R"({"name":"x","url":"https://u:p@a/b"})",
        R"({"name":"x","url":"https://a/b","min_severity":"loud"})"}) {
    EXPECT_EQ(world.As("owner", "POST", "/api/v1/webhooks", bad).status, 400) << bad;
  }
  const Reply log = world.As("owner", "GET", "/api/v1/audit-log?limit=1000");
  EXPECT_EQ(log.raw.body.find(secret), std::string::npos);
}

// ---- Passkeys, with a software authenticator (P-256, attestation "none") -----------------------

constexpr const char* kPasskeyHost = "localhost:8443";
constexpr const char* kPasskeyOrigin = "https://localhost:8443";

// CBOR heads (RFC 8949 §3): major type and argument.
std::string CborHead(std::uint8_t major, std::uint64_t value) {
  std::string out;
  const auto type = static_cast<char>(major << 5);
  if (value < 24) return out + static_cast<char>(type | static_cast<char>(value));
  if (value < 256) return out + static_cast<char>(type | 24) + static_cast<char>(value);
  out += static_cast<char>(type | 25);
  out += static_cast<char>(value >> 8);
  out += static_cast<char>(value & 0xff);
  return out;
}
std::string CborBytes(std::string_view bytes) {
  return CborHead(2, bytes.size()) + std::string(bytes);
}
std::string CborText(std::string_view text) { return CborHead(3, text.size()) + std::string(text); }

class SoftwarePasskey {
 public:
  SoftwarePasskey()
      : key_(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free),
        credential_id_(crypto::RandomBytes(32)) {
    unsigned char point[65];
    std::size_t length = 0;
    EXPECT_EQ(EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_PUB_KEY, point,
                                              sizeof point, &length),
              1);
    x_.assign(reinterpret_cast<const char*>(point + 1), 32);
    y_.assign(reinterpret_cast<const char*>(point + 33), 32);
  }

  const std::string& credential_id() const { return credential_id_; }

  static std::string ClientData(std::string_view type, std::string_view challenge_b64url,
                                std::string_view origin = kPasskeyOrigin) {
    return json{{"type", type}, {"challenge", challenge_b64url}, {"origin", origin}}.dump();
  }

  // The body of POST /api/v1/me/passkeys answering `options` (public_key of the start call).
  json Register(const json& options, std::string_view origin = kPasskeyOrigin) const {
    const std::string cose = CborHead(5, 5) + CborHead(0, 1) + CborHead(0, 2) + CborHead(0, 3) +
                             CborHead(1, 6) + CborHead(1, 0) + CborHead(0, 1) + CborHead(1, 1) +
                             CborBytes(x_) + CborHead(1, 2) + CborBytes(y_);
    std::string auth_data = AuthData(options["rp"]["id"].get<std::string>(), 0x45, 0);
    auth_data += std::string(16, '\0');
    auth_data += static_cast<char>(credential_id_.size() >> 8);
    auth_data += static_cast<char>(credential_id_.size() & 0xff);
    auth_data += credential_id_ + cose;
    const std::string attestation = CborHead(5, 3) + CborText("fmt") + CborText("none") +
                                    CborText("attStmt") + CborHead(5, 0) + CborText("authData") +
                                    CborBytes(auth_data);
    return json{{"name", "Phone"},
                {"client_data_json",
                 base::Base64UrlEncode(ClientData(
                     "webauthn.create", options["challenge"].get<std::string>(), origin))},
                {"attestation_object", base::Base64UrlEncode(attestation)},
                {"transports", json::array({"internal", "hybrid"})}};
  }

  // The body of POST /api/v1/login/passkey answering a sign-in start.
  json Assert(const json& started, std::uint32_t sign_count, const std::string& user_handle,
              std::string_view origin = kPasskeyOrigin) const {
    const json& options = started["public_key"];
    const std::string auth_data = AuthData(options["rpId"].get<std::string>(), 0x05, sign_count);
    const std::string client_data =
        ClientData("webauthn.get", options["challenge"].get<std::string>(), origin);
    return json{{"login_id", started["login_id"]},
                {"credential_id", base::Base64UrlEncode(credential_id_)},
                {"client_data_json", base::Base64UrlEncode(client_data)},
                {"authenticator_data", base::Base64UrlEncode(auth_data)},
                {"signature", base::Base64UrlEncode(Sign(auth_data + crypto::Sha256(client_data)))},
                {"user_handle", user_handle}};
  }

 private:
  static std::string AuthData(const std::string& rp_id, std::uint8_t flags, std::uint32_t count) {
    std::string out = crypto::Sha256(rp_id);
    out += static_cast<char>(flags);
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((count >> shift) & 0xff);
    return out;
  }
  std::string Sign(std::string_view message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EXPECT_EQ(
        EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_.get(), nullptr),
        1);
    const auto* data = reinterpret_cast<const unsigned char*>(message.data());
    std::size_t length = 0;
    EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &length, data, message.size()), 1);
    std::string signature(length, '\0');
    EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                             data, message.size()),
              1);
    signature.resize(length);
    return signature;
  }

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
  std::string credential_id_;
  std::string x_, y_;
};

struct PasskeyHub {
  TestHub hub{TempDir()};
  TestHub::Login owner;
  PasskeyHub() {
    hub.SetUpOwner("owner", kOwnerPassword);
    owner = *hub.LogIn("owner", kOwnerPassword);
  }
  Reply Send(const std::string& method, const std::string& target, const std::string& body,
             const std::optional<std::string>& cookie, const std::optional<std::string>& csrf,
             const std::string& host = kPasskeyHost) {
    return hub.Send(method, target, body, cookie, csrf, "127.0.0.1", {{"host", host}});
  }
  Reply AsOwner(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& host = kPasskeyHost) {
    return Send(method, target, body, owner.cookie, owner.csrf, host);
  }
  Reply StartRegistration() {
    return AsOwner("POST", "/api/v1/me/passkeys/registration",
                   json{{"password", kOwnerPassword}}.dump());
  }
  Reply StartSignIn() { return Send("POST", "/api/v1/login/passkey/options", "", {}, {}); }
  Reply SignIn(const json& body) {
    return Send("POST", "/api/v1/login/passkey", body.dump(), {}, {});
  }
  // Registers `authenticator` for the owner; returns the user handle it was given.
  std::string Register(const SoftwarePasskey& authenticator) {
    const Reply started = StartRegistration();
    EXPECT_EQ(started.status, 200) << started.raw.body;
    const Reply added = AsOwner("POST", "/api/v1/me/passkeys",
                                authenticator.Register(started.body["public_key"]).dump());
    EXPECT_EQ(added.status, 201) << added.raw.body;
    return started.body["public_key"]["user"]["id"];
  }
  std::string AuditText() { return AsOwner("GET", "/api/v1/audit-log?limit=200").raw.body; }
};

TEST(Passkeys, RegistrationNeedsThePasswordAndSendsTheOptionsTheBrowserNeeds) {
  PasskeyHub world;
  EXPECT_EQ(world.AsOwner("POST", "/api/v1/me/passkeys/registration", "{}").status, 400);
  EXPECT_EQ(world
                .AsOwner("POST", "/api/v1/me/passkeys/registration",
                         json{{"password", "wrong password here"}}.dump())
                .status,
            401);
  const Reply started = world.StartRegistration();
  ASSERT_EQ(started.status, 200) << started.raw.body;
  const json& options = started.body["public_key"];
  EXPECT_EQ(options["rp"]["id"], "localhost");
  EXPECT_EQ(options["authenticatorSelection"]["userVerification"], "required");
  EXPECT_EQ(options["authenticatorSelection"]["residentKey"], "required");
  EXPECT_EQ(options["timeout"], 300000);
  const auto handle = base::Base64UrlDecode(options["user"]["id"].get<std::string>());
  ASSERT_TRUE(handle);
  EXPECT_EQ(handle->size(), 16u);
  EXPECT_EQ(handle->find("owner"), std::string::npos);
  EXPECT_EQ(base::Base64UrlDecode(options["challenge"].get<std::string>())->size(), 32u);
  // The same user gets the same handle every time.
  EXPECT_EQ(world.StartRegistration().body["public_key"]["user"]["id"], options["user"]["id"]);
}

TEST(Passkeys, AnIpAddressOrAnUnconfiguredNameIsRefusedWithAClearMessage) {
  PasskeyHub world;
  for (const std::string host : {"127.0.0.1:8443", "[::1]:8443", "10.0.0.5"}) {
    const Reply reply = world.AsOwner("POST", "/api/v1/me/passkeys/registration",
                                      json{{"password", kOwnerPassword}}.dump(), host);
    EXPECT_EQ(reply.status, 409) << host;
    EXPECT_EQ(reply.body["error"]["code"], "passkeys_need_a_name") << host;
    EXPECT_NE(reply.raw.body.find("docs/security.md"), std::string::npos) << reply.raw.body;
    EXPECT_EQ(world.Send("POST", "/api/v1/login/passkey/options", "", {}, {}, host).status, 409);
  }
  EXPECT_EQ(world.Send("POST", "/api/v1/login/passkey/options", "", {}, {}, "evil.example").status,
            409);
}

TEST(Passkeys, RegisterListSignInWithoutPasswordThenRemove) {
  PasskeyHub world;
  SoftwarePasskey authenticator;
  const std::string handle = world.Register(authenticator);

  const Reply listed = world.AsOwner("GET", "/api/v1/me/passkeys");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["passkeys"].size(), 1u);
  EXPECT_EQ(listed.body["passkeys"][0]["name"], "Phone");
  EXPECT_EQ(listed.body["passkeys"][0]["transports"], json({"internal", "hybrid"}));
  EXPECT_TRUE(listed.body["passkeys"][0]["last_used_at"].is_null());
  const std::string id = listed.body["passkeys"][0]["id"];

  // The same authenticator cannot be registered twice.
  const Reply again = world.StartRegistration();
  EXPECT_EQ(again.body["public_key"]["excludeCredentials"].size(), 1u);
  EXPECT_EQ(world
                .AsOwner("POST", "/api/v1/me/passkeys",
                         authenticator.Register(again.body["public_key"]).dump())
                .status,
            409);

  const Reply started = world.StartSignIn();
  ASSERT_EQ(started.status, 200) << started.raw.body;
  EXPECT_EQ(started.body["public_key"]["allowCredentials"].size(), 0u);
  const json assertion = authenticator.Assert(started.body, 1, handle);
  const Reply signed_in = world.SignIn(assertion);
  ASSERT_EQ(signed_in.status, 200) << signed_in.raw.body;
  EXPECT_EQ(signed_in.body["user"]["username"], "owner");
  std::string cookie;
  for (const auto& [name, value] : signed_in.raw.headers) {
    if (base::ToLower(name) == "set-cookie")
      cookie += (cookie.empty() ? "" : "; ") + value.substr(0, value.find(';'));
  }
  EXPECT_NE(cookie.find(std::string(kSessionCookie)), std::string::npos);
  EXPECT_EQ(world.hub.Send("GET", "/api/v1/me", "", cookie).status, 200);
  EXPECT_FALSE(
      world.AsOwner("GET", "/api/v1/me/passkeys").body["passkeys"][0]["last_used_at"].is_null());

  // Replayed: the challenge is single use.
  EXPECT_EQ(world.SignIn(assertion).status, 401);
  // An old response under a fresh challenge does not verify.
  json stale = assertion;
  stale["login_id"] = world.StartSignIn().body["login_id"];
  EXPECT_EQ(world.SignIn(stale).status, 401);

  EXPECT_EQ(world.AsOwner("DELETE", "/api/v1/me/passkeys/" + id).status, 204);
  EXPECT_EQ(world.AsOwner("DELETE", "/api/v1/me/passkeys/" + id).status, 404);
  EXPECT_EQ(world.AsOwner("GET", "/api/v1/me/passkeys").body["passkeys"].size(), 0u);
  EXPECT_EQ(world.SignIn(authenticator.Assert(world.StartSignIn().body, 2, handle)).status, 401);
  const std::string audit = world.AuditText();
  EXPECT_NE(audit.find("auth.passkey_add"), std::string::npos);
  EXPECT_NE(audit.find("auth.passkey_remove"), std::string::npos);
}

TEST(Passkeys, WrongOriginChallengeHandleOrExpiredCeremonyIsRefused) {
  PasskeyHub world;
  SoftwarePasskey authenticator;
  // Registration from another origin fails and uses the ceremony up.
  const Reply started = world.StartRegistration();
  const json foreign = authenticator.Register(started.body["public_key"], "https://evil.example");
  EXPECT_EQ(world.AsOwner("POST", "/api/v1/me/passkeys", foreign.dump()).status, 400);
  EXPECT_EQ(world
                .AsOwner("POST", "/api/v1/me/passkeys",
                         authenticator.Register(started.body["public_key"]).dump())
                .status,
            409);
  const std::string handle = world.Register(authenticator);

  EXPECT_EQ(
      world
          .SignIn(authenticator.Assert(world.StartSignIn().body, 1, handle, "https://evil.example"))
          .status,
      401);
  json wrong_challenge = authenticator.Assert(world.StartSignIn().body, 1, handle);
  wrong_challenge["login_id"] = "pkl_unknown";
  EXPECT_EQ(world.SignIn(wrong_challenge).status, 401);
  EXPECT_EQ(world
                .SignIn(authenticator.Assert(world.StartSignIn().body, 1,
                                             base::Base64UrlEncode(std::string(16, 'x'))))
                .status,
            401);
  const Reply late = world.StartSignIn();
  world.hub.clock().Advance(std::chrono::minutes(6));
  EXPECT_EQ(world.SignIn(authenticator.Assert(late.body, 1, handle)).status, 401);
  // None of this used the credential: a genuine sign-in still works.
  EXPECT_EQ(world.SignIn(authenticator.Assert(world.StartSignIn().body, 1, handle)).status, 200);
}

TEST(Passkeys, ACounterThatGoesBackIsRefusedAndAudited) {
  PasskeyHub world;
  SoftwarePasskey authenticator;
  const std::string handle = world.Register(authenticator);
  ASSERT_EQ(world.SignIn(authenticator.Assert(world.StartSignIn().body, 5, handle)).status, 200);
  EXPECT_EQ(world.SignIn(authenticator.Assert(world.StartSignIn().body, 5, handle)).status, 401);
  EXPECT_NE(world.AuditText().find("auth.passkey_clone_suspected"), std::string::npos);
  EXPECT_EQ(world.SignIn(authenticator.Assert(world.StartSignIn().body, 6, handle)).status, 200);
}

TEST(Passkeys, OneUsersPasskeysAreInvisibleToAnother) {
  PasskeyHub world;
  SoftwarePasskey authenticator;
  world.Register(authenticator);
  const std::string id = world.AsOwner("GET", "/api/v1/me/passkeys").body["passkeys"][0]["id"];
  ASSERT_EQ(
      world
          .AsOwner(
              "POST", "/api/v1/users",
              json{{"username", "member"}, {"password", kUserPassword}, {"role", "member"}}.dump())
          .status,
      201);
  const auto member = world.hub.LogIn("member", kUserPassword);
  ASSERT_TRUE(member);
  EXPECT_EQ(world.Send("GET", "/api/v1/me/passkeys", "", member->cookie, member->csrf)
                .body["passkeys"]
                .size(),
            0u);
  EXPECT_EQ(
      world.Send("DELETE", "/api/v1/me/passkeys/" + id, "", member->cookie, member->csrf).status,
      404);
  EXPECT_EQ(world.AsOwner("GET", "/api/v1/me/passkeys").body["passkeys"].size(), 1u);
}

}  // namespace
}  // namespace camguard::api
