// SPDX-License-Identifier: Apache-2.0
#include "auth/authorization.h"

namespace camguard::auth {

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kOwner: return "owner";
    case Role::kAdmin: return "admin";
    case Role::kMember: return "member";
    case Role::kGuest: return "guest";
  }
  return "guest";
}

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "owner") return Role::kOwner;
  if (text == "admin") return Role::kAdmin;
  if (text == "member") return Role::kMember;
  if (text == "guest") return Role::kGuest;
  return std::nullopt;
}

std::string_view ToString(CameraRight right) {
  switch (right) {
    case CameraRight::kView: return "view";
    case CameraRight::kPlayback: return "playback";
    case CameraRight::kExport: return "export";
    case CameraRight::kPtz: return "ptz";
    case CameraRight::kTalk: return "talk";
    case CameraRight::kConfigure: return "configure";
  }
  return "view";
}

std::optional<CameraRight> ParseCameraRight(std::string_view text) {
  for (CameraRight right : kEveryCameraRight) {
    if (ToString(right) == text) return right;
  }
  return std::nullopt;
}

CameraRights GrantableRights(Role role) {
  switch (role) {
    case Role::kOwner:
    case Role::kAdmin: return kAllCameraRights;
    case Role::kMember: return kAllCameraRights;
    case Role::kGuest:
      // Guests (a babysitter, a neighbour watering plants) may watch, never steer or reconfigure.
      return static_cast<CameraRights>(CameraRight::kView) |
             static_cast<CameraRights>(CameraRight::kPlayback);
  }
  return 0;
}

CameraRights EffectiveRights(Role role, CameraRights granted) {
  if (role == Role::kOwner || role == Role::kAdmin) return kAllCameraRights;
  return granted & GrantableRights(role);
}

std::string_view ToString(Action action) {
  switch (action) {
    case Action::kSetup: return "setup";
    case Action::kLogin: return "login";
    case Action::kLogout: return "logout";
    case Action::kReadSelf: return "read_self";
    case Action::kChangeOwnPassword: return "change_own_password";
    case Action::kManageOwnSecondFactor: return "manage_own_second_factor";
    case Action::kListOwnSessions: return "list_own_sessions";
    case Action::kListAllSessions: return "list_all_sessions";
    case Action::kRevokeSession: return "revoke_session";
    case Action::kListUsers: return "list_users";
    case Action::kReadUser: return "read_user";
    case Action::kCreateUser: return "create_user";
    case Action::kUpdateUser: return "update_user";
    case Action::kDeleteUser: return "delete_user";
    case Action::kSetUserRights: return "set_user_rights";
    case Action::kReadAuditLog: return "read_audit_log";
    case Action::kListCameras: return "list_cameras";
    case Action::kCreateCamera: return "create_camera";
    case Action::kDeleteCamera: return "delete_camera";
    case Action::kUseCamera: return "use_camera";
    case Action::kListTokens: return "list_tokens";
    case Action::kCreateToken: return "create_token";
    case Action::kRevokeToken: return "revoke_token";
    case Action::kReadMetrics: return "read_metrics";
    case Action::kListAlerts: return "list_alerts";
    case Action::kAcknowledgeAlert: return "acknowledge_alert";
    case Action::kManageOwnAlertSubscription: return "manage_own_alert_subscription";
    case Action::kManageWebhooks: return "manage_webhooks";
    case Action::kSubscribeEvents: return "subscribe_events";
    case Action::kSetPrivacyMode: return "set_privacy_mode";
  }
  return "unknown";
}

namespace {

bool IsManager(Role role) { return role == Role::kOwner || role == Role::kAdmin; }

// May `actor` administer an account whose role is `target` (and give it `new_role`)?
// The owner manages everyone but cannot be managed; admins manage members and guests only.
Decision ManageAccount(Role actor, const Target& target) {
  if (!IsManager(actor)) return Decision::kDeny;
  if (target.new_role == Role::kOwner) return Decision::kInvalid;  // there is exactly one owner
  if (target.user_role == Role::kOwner) return Decision::kDeny;
  if (actor == Role::kAdmin) {
    if (target.user_role == Role::kAdmin) return Decision::kDeny;
    if (target.new_role == Role::kAdmin) return Decision::kDeny;
  }
  return Decision::kAllow;
}

// Scope bits (auth/api_tokens.h; repeated here so authorization has no dependency on storage).
constexpr std::uint32_t kScopeRead = 1;
constexpr std::uint32_t kScopePtz = 2;
constexpr std::uint32_t kScopePrivacy = 4;
constexpr std::uint32_t kScopeMetrics = 8;

// What a token may do at all; the role rules then apply as for its user.
Decision AuthorizeToken(const TokenGrant& grant, Action action, const Target& target) {
  switch (action) {
    case Action::kListCameras:
      return (grant.scopes & kScopeRead) ? Decision::kAllow : Decision::kDeny;
    case Action::kUseCamera: {
      if (grant.cameras && (!target.camera_id || !grant.cameras->contains(*target.camera_id))) {
        return Decision::kDeny;
      }
      if (!target.camera_right) return Decision::kDeny;
      switch (*target.camera_right) {
        case CameraRight::kView:
        case CameraRight::kPlayback:
        case CameraRight::kExport:
          return (grant.scopes & kScopeRead) ? Decision::kAllow : Decision::kDeny;
        case CameraRight::kPtz:
          return (grant.scopes & kScopePtz) ? Decision::kAllow : Decision::kDeny;
        case CameraRight::kTalk:
        case CameraRight::kConfigure: return Decision::kDeny;
      }
      return Decision::kDeny;
    }
    case Action::kReadMetrics:
      return (grant.scopes & kScopeMetrics) ? Decision::kAllow : Decision::kDeny;
    case Action::kSetPrivacyMode:
      if (grant.cameras && (!target.camera_id || !grant.cameras->contains(*target.camera_id))) {
        return Decision::kDeny;
      }
      return (grant.scopes & kScopePrivacy) ? Decision::kAllow : Decision::kDeny;
    case Action::kListAlerts:  // Home Assistant shows the last alert
      return (grant.scopes & kScopeRead) ? Decision::kAllow : Decision::kDeny;
    default:
      // Accounts, sessions, tokens, rights, cameras' registration and the audit log are for
      // people signed in, never for an integration's token.
      return Decision::kDeny;
  }
}

}  // namespace

Decision Authorize(const std::optional<Principal>& principal, Action action, const Target& target) {
  if (action == Action::kSetup || action == Action::kLogin) return Decision::kAllow;
  if (!principal) return Decision::kUnauthenticated;
  const Role role = principal->role;
  if (principal->token) {
    const Decision narrowed = AuthorizeToken(*principal->token, action, target);
    if (narrowed != Decision::kAllow) return narrowed;
    // Within its scope a token has at most its user's rights: the role rules below apply too.
  }

  switch (action) {
    case Action::kSetup:
    case Action::kLogin: return Decision::kAllow;

    case Action::kLogout:
    case Action::kReadSelf:
    case Action::kChangeOwnPassword:
    case Action::kManageOwnSecondFactor:
    case Action::kListOwnSessions:
    case Action::kListCameras:  // the list is filtered by the view right
      return Decision::kAllow;

    case Action::kListAllSessions:
    case Action::kListUsers:
    case Action::kReadAuditLog:
    case Action::kCreateCamera:
    case Action::kDeleteCamera: return IsManager(role) ? Decision::kAllow : Decision::kDeny;

    case Action::kRevokeSession:
      if (target.is_self) return Decision::kAllow;
      if (!IsManager(role)) return Decision::kDeny;
      if (target.user_role == Role::kOwner) return Decision::kDeny;
      if (role == Role::kAdmin && target.user_role == Role::kAdmin) return Decision::kDeny;
      return Decision::kAllow;

    case Action::kReadUser:
      if (!IsManager(role)) return Decision::kDeny;
      return Decision::kAllow;

    case Action::kCreateUser:
    case Action::kUpdateUser:
      if (target.is_self && action == Action::kUpdateUser) {
        // Nobody changes their own role or disables themselves through user administration.
        return IsManager(role) ? Decision::kInvalid : Decision::kDeny;
      }
      return ManageAccount(role, target);

    case Action::kDeleteUser:
      if (target.is_self) return IsManager(role) ? Decision::kInvalid : Decision::kDeny;
      return ManageAccount(role, target);

    case Action::kSetUserRights: {
      if (target.is_self && role != Role::kOwner) return Decision::kDeny;  // no self-escalation
      const Decision manage = ManageAccount(role, target);
      if (manage != Decision::kAllow) return manage;
      if (target.user_role) {
        const CameraRights grantable = GrantableRights(*target.user_role);
        if ((target.rights_to_grant & ~grantable) != 0) return Decision::kInvalid;
      }
      return Decision::kAllow;
    }

    case Action::kSetPrivacyMode:
      return Has(EffectiveRights(role, target.camera_rights_granted), CameraRight::kConfigure)
                 ? Decision::kAllow
                 : Decision::kDeny;

    case Action::kUseCamera: {
      if (!target.camera_right) return Decision::kDeny;  // fail closed: a route forgot its right
      return Has(EffectiveRights(role, target.camera_rights_granted), *target.camera_right)
                 ? Decision::kAllow
                 : Decision::kDeny;
    }

    case Action::kListTokens: return Decision::kAllow;  // the list is filtered by owner
    case Action::kCreateToken: {
      if (target.token_scopes == 0 || target.token_scopes >= 16) return Decision::kInvalid;
      // metrics shows every camera's state: managers only; ptz: roles that may hold ptz.
      if ((target.token_scopes & kScopeMetrics) && !IsManager(role)) return Decision::kInvalid;
      if ((target.token_scopes & kScopePtz) && !Has(GrantableRights(role), CameraRight::kPtz)) {
        return Decision::kInvalid;
      }
      return Decision::kAllow;
    }
    case Action::kRevokeToken:
      if (target.is_self) return Decision::kAllow;
      if (!IsManager(role)) return Decision::kDeny;
      if (target.user_role == Role::kOwner && role != Role::kOwner) return Decision::kDeny;
      return Decision::kAllow;
    case Action::kReadMetrics: return IsManager(role) ? Decision::kAllow : Decision::kDeny;
    case Action::kListAlerts:  // the list is filtered by what the user may see
    case Action::kAcknowledgeAlert:
    case Action::kManageOwnAlertSubscription:
    case Action::kSubscribeEvents: return Decision::kAllow;
    case Action::kManageWebhooks: return IsManager(role) ? Decision::kAllow : Decision::kDeny;
  }
  return Decision::kDeny;
}

}  // namespace camguard::auth
