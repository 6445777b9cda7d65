// SPDX-License-Identifier: Apache-2.0
// The single authorization decision of camguard. Every API route names an Action; the API
// calls Authorize() before the handler runs (route level) and again with the loaded target
// (object level). Nothing else decides who may do what — tests enumerate every route × role ×
// right against this function.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

namespace camguard::auth {

enum class Role { kOwner, kAdmin, kMember, kGuest };
std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);

// Per-camera rights, stored as a bit set. PTZ is a right of its own, never implied by view.
enum class CameraRight : std::uint32_t {
  kView = 1,
  kPlayback = 2,
  kExport = 4,
  kPtz = 8,
  kTalk = 16,
  kConfigure = 32,
};
using CameraRights = std::uint32_t;
inline constexpr CameraRights kAllCameraRights = 63;
inline constexpr CameraRight kEveryCameraRight[] = {CameraRight::kView,   CameraRight::kPlayback,
                                                    CameraRight::kExport, CameraRight::kPtz,
                                                    CameraRight::kTalk,   CameraRight::kConfigure};
std::string_view ToString(CameraRight right);
std::optional<CameraRight> ParseCameraRight(std::string_view text);
inline bool Has(CameraRights rights, CameraRight right) {
  return (rights & static_cast<CameraRights>(right)) != 0;
}
// The camera rights a user of `role` may be granted (owners and admins hold all implicitly).
CameraRights GrantableRights(Role role);
// The rights a user effectively holds on one camera given what was granted.
CameraRights EffectiveRights(Role role, CameraRights granted);

enum class Action {
  // No session needed.
  kSetup,
  kLogin,
  // Any signed-in user, on their own account.
  kLogout,
  kReadSelf,
  kChangeOwnPassword,
  kManageOwnSecondFactor,
  kListOwnSessions,
  // Account administration.
  kListAllSessions,
  kRevokeSession,  // own sessions always; others' by owner/admin
  kListUsers,
  kReadUser,
  kCreateUser,
  kUpdateUser,
  kDeleteUser,
  kSetUserRights,
  kReadAuditLog,
  // Cameras.
  kListCameras,
  kCreateCamera,
  kDeleteCamera,
  kUseCamera,  // needs Target::camera_right on Target::camera_rights
  // API tokens (managed only from a signed-in session, never with a token).
  kListTokens,   // own tokens; owners and admins may list everyone's
  kCreateToken,  // for oneself; Target::token_scopes must suit the role
  kRevokeToken,  // own tokens; owners and admins anyone's (admins not the owner's)
  // Integrations.
  kReadMetrics,  // owners and admins, or a token with the metrics scope
  // Alerts.
  kListAlerts,                  // filtered to the cameras one may view and one's own account
  kAcknowledgeAlert,            // an alert one may see
  kManageOwnAlertSubscription,  // what reaches oneself
  kManageWebhooks,              // owners and admins
  kSubscribeEvents,             // the browser's push channel (a session, never a token)
  // Privacy mode (no live view, no recording): the configure right on the camera; a token
  // needs the privacy scope.
  kSetPrivacyMode,
};
std::string_view ToString(Action action);

// What an API token narrows its user to (scope bits as in auth/api_tokens.h: read=1 ptz=2
// privacy=4 metrics=8; cameras by row id, nullopt meaning all the user's cameras).
struct TokenGrant {
  std::uint32_t scopes = 0;
  std::optional<std::set<std::int64_t>> cameras;
};

// Who asks. Absent for requests without a valid session or token.
struct Principal {
  std::int64_t user_id = 0;
  Role role = Role::kGuest;
  std::optional<TokenGrant> token;  // set when the request came with an API token
};

// What the action is applied to, filled as far as the caller knows it.
struct Target {
  std::optional<Role> user_role;  // the user being read/changed/deleted, or whose session
  std::optional<Role> new_role;   // the role being assigned (create/update)
  bool is_self = false;           // the target user is the principal
  std::optional<CameraRight> camera_right;
  CameraRights camera_rights_granted = 0;  // the principal's granted rights on that camera
  CameraRights rights_to_grant = 0;        // for kSetUserRights
  std::optional<std::int64_t> camera_id;   // for kUseCamera: the camera's row id
  std::uint32_t token_scopes = 0;          // for kCreateToken: the scopes asked for
};

enum class Decision {
  kAllow,
  kUnauthenticated,  // needs a session
  kDeny,             // signed in, not allowed
  kInvalid,          // the request asks for something no one may do (e.g. grant ptz to a guest)
};

Decision Authorize(const std::optional<Principal>& principal, Action action, const Target& target);

}  // namespace camguard::auth
