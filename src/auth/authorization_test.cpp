// SPDX-License-Identifier: Apache-2.0
#include "auth/authorization.h"

#include <gtest/gtest.h>

namespace camguard::auth {
namespace {

Principal As(Role role) { return Principal{42, role, std::nullopt}; }

Target UserTarget(Role user_role, std::optional<Role> new_role = std::nullopt,
                  bool is_self = false) {
  Target target;
  target.user_role = user_role;
  target.new_role = new_role;
  target.is_self = is_self;
  return target;
}

Target NewRole(Role new_role) {
  Target target;
  target.new_role = new_role;
  return target;
}

TEST(Authorize, PublicActionsNeedNoSession) {
  EXPECT_EQ(Authorize(std::nullopt, Action::kSetup, {}), Decision::kAllow);
  EXPECT_EQ(Authorize(std::nullopt, Action::kLogin, {}), Decision::kAllow);
}

TEST(Authorize, EveryOtherActionNeedsASession) {
  for (Action action :
       {Action::kLogout, Action::kReadSelf, Action::kChangeOwnPassword, Action::kListUsers,
        Action::kReadAuditLog, Action::kListCameras, Action::kUseCamera, Action::kDeleteUser}) {
    EXPECT_EQ(Authorize(std::nullopt, action, {}), Decision::kUnauthenticated) << ToString(action);
  }
}

TEST(Authorize, OnlyOwnerAndAdminAdministerAndReadTheAuditLog) {
  for (Action action : {Action::kListUsers, Action::kReadAuditLog, Action::kListAllSessions,
                        Action::kCreateCamera, Action::kDeleteCamera, Action::kReadUser}) {
    EXPECT_EQ(Authorize(As(Role::kOwner), action, {}), Decision::kAllow) << ToString(action);
    EXPECT_EQ(Authorize(As(Role::kAdmin), action, {}), Decision::kAllow) << ToString(action);
    EXPECT_EQ(Authorize(As(Role::kMember), action, {}), Decision::kDeny) << ToString(action);
    EXPECT_EQ(Authorize(As(Role::kGuest), action, {}), Decision::kDeny) << ToString(action);
  }
}

TEST(Authorize, AdminsManageMembersAndGuestsButNotAdminsOrTheOwner) {
  EXPECT_EQ(
      Authorize(As(Role::kAdmin), Action::kCreateUser, UserTarget(Role::kGuest, Role::kMember)),
      Decision::kAllow);
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kCreateUser, NewRole(Role::kAdmin)),
            Decision::kDeny);
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kUpdateUser, UserTarget(Role::kAdmin)),
            Decision::kDeny);
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kDeleteUser, UserTarget(Role::kOwner)),
            Decision::kDeny);
  EXPECT_EQ(
      Authorize(As(Role::kAdmin), Action::kUpdateUser, UserTarget(Role::kMember, Role::kAdmin)),
      Decision::kDeny);
  EXPECT_EQ(
      Authorize(As(Role::kOwner), Action::kUpdateUser, UserTarget(Role::kMember, Role::kAdmin)),
      Decision::kAllow);
}

TEST(Authorize, NobodyCreatesASecondOwnerOrTouchesTheOwner) {
  EXPECT_EQ(Authorize(As(Role::kOwner), Action::kCreateUser, NewRole(Role::kOwner)),
            Decision::kInvalid);
  EXPECT_EQ(
      Authorize(As(Role::kOwner), Action::kUpdateUser, UserTarget(Role::kAdmin, Role::kOwner)),
      Decision::kInvalid);
  EXPECT_EQ(Authorize(As(Role::kOwner), Action::kDeleteUser,
                      UserTarget(Role::kOwner, std::nullopt, true)),
            Decision::kInvalid);
}

TEST(Authorize, MembersAndGuestsCannotAdministerThemselves) {
  EXPECT_EQ(Authorize(As(Role::kMember), Action::kUpdateUser,
                      UserTarget(Role::kMember, Role::kAdmin, true)),
            Decision::kDeny);
  EXPECT_EQ(Authorize(As(Role::kGuest), Action::kSetUserRights,
                      UserTarget(Role::kGuest, std::nullopt, true)),
            Decision::kDeny);
}

TEST(Authorize, PtzIsNeverImpliedByView) {
  Target target;
  target.camera_right = CameraRight::kPtz;
  target.camera_rights_granted = static_cast<CameraRights>(CameraRight::kView);
  EXPECT_EQ(Authorize(As(Role::kMember), Action::kUseCamera, target), Decision::kDeny);
  target.camera_rights_granted |= static_cast<CameraRights>(CameraRight::kPtz);
  EXPECT_EQ(Authorize(As(Role::kMember), Action::kUseCamera, target), Decision::kAllow);
}

TEST(Authorize, GuestsCanOnlyEverViewAndPlayBack) {
  Target target;
  target.camera_rights_granted = kAllCameraRights;  // even if the database said otherwise
  for (CameraRight right : kEveryCameraRight) {
    target.camera_right = right;
    const bool expected = right == CameraRight::kView || right == CameraRight::kPlayback;
    EXPECT_EQ(Authorize(As(Role::kGuest), Action::kUseCamera, target) == Decision::kAllow, expected)
        << ToString(right);
  }
  Target grant = UserTarget(Role::kGuest);
  grant.rights_to_grant = static_cast<CameraRights>(CameraRight::kPtz);
  EXPECT_EQ(Authorize(As(Role::kOwner), Action::kSetUserRights, grant), Decision::kInvalid);
}

TEST(Authorize, OwnersAndAdminsHoldEveryCameraRight) {
  for (CameraRight right : kEveryCameraRight) {
    Target target;
    target.camera_right = right;
    EXPECT_EQ(Authorize(As(Role::kOwner), Action::kUseCamera, target), Decision::kAllow);
    EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kUseCamera, target), Decision::kAllow);
  }
}

TEST(Authorize, CameraUseWithoutANamedRightFailsClosed) {
  EXPECT_EQ(Authorize(As(Role::kOwner), Action::kUseCamera, {}), Decision::kDeny);
}

TEST(Authorize, SessionsOfOthersOnlyByManagersAndNeverTheOwners) {
  Target own = UserTarget(Role::kGuest, std::nullopt, true);
  EXPECT_EQ(Authorize(As(Role::kGuest), Action::kRevokeSession, own), Decision::kAllow);
  EXPECT_EQ(Authorize(As(Role::kMember), Action::kRevokeSession, UserTarget(Role::kGuest)),
            Decision::kDeny);
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kRevokeSession, UserTarget(Role::kMember)),
            Decision::kAllow);
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kRevokeSession, UserTarget(Role::kOwner)),
            Decision::kDeny);
  EXPECT_EQ(Authorize(As(Role::kOwner), Action::kRevokeSession, UserTarget(Role::kAdmin)),
            Decision::kAllow);
}

Principal WithToken(Role role, std::uint32_t scopes,
                    std::optional<std::set<std::int64_t>> cameras = std::nullopt) {
  Principal principal = As(role);
  principal.token = TokenGrant{scopes, std::move(cameras)};
  return principal;
}

Target CameraTarget(CameraRight right, std::int64_t camera_id, CameraRights granted = 0) {
  Target target;
  target.camera_right = right;
  target.camera_id = camera_id;
  target.camera_rights_granted = granted;
  return target;
}

TEST(AuthorizeTokens, ATokenNeverAdministersAnything) {
  const Principal owner_token = WithToken(Role::kOwner, 15);
  for (Action action :
       {Action::kListUsers, Action::kCreateUser, Action::kDeleteUser, Action::kReadAuditLog,
        Action::kCreateCamera, Action::kDeleteCamera, Action::kListTokens, Action::kCreateToken,
        Action::kRevokeToken, Action::kChangeOwnPassword, Action::kManageOwnSecondFactor,
        Action::kListAllSessions, Action::kSetUserRights, Action::kReadSelf}) {
    EXPECT_EQ(Authorize(owner_token, action, UserTarget(Role::kMember)), Decision::kDeny)
        << ToString(action);
  }
}

TEST(AuthorizeTokens, ScopesNarrowCameraUse) {
  const Target view = CameraTarget(CameraRight::kView, 7);
  const Target ptz = CameraTarget(CameraRight::kPtz, 7);
  const Target configure = CameraTarget(CameraRight::kConfigure, 7);
  EXPECT_EQ(Authorize(WithToken(Role::kOwner, 1), Action::kUseCamera, view), Decision::kAllow);
  EXPECT_EQ(Authorize(WithToken(Role::kOwner, 1), Action::kUseCamera, ptz), Decision::kDeny);
  EXPECT_EQ(Authorize(WithToken(Role::kOwner, 2), Action::kUseCamera, ptz), Decision::kAllow);
  EXPECT_EQ(Authorize(WithToken(Role::kOwner, 2), Action::kUseCamera, view), Decision::kDeny);
  EXPECT_EQ(Authorize(WithToken(Role::kOwner, 15), Action::kUseCamera, configure), Decision::kDeny);
  EXPECT_EQ(Authorize(WithToken(Role::kOwner, 1), Action::kListCameras, {}), Decision::kAllow);
  EXPECT_EQ(Authorize(WithToken(Role::kOwner, 8), Action::kListCameras, {}), Decision::kDeny);
}

TEST(AuthorizeTokens, ATokenHasAtMostItsUsersRights) {
  // A member with view only on camera 7: a ptz token still cannot move it.
  const Target ptz =
      CameraTarget(CameraRight::kPtz, 7, static_cast<CameraRights>(CameraRight::kView));
  EXPECT_EQ(Authorize(WithToken(Role::kMember, 3), Action::kUseCamera, ptz), Decision::kDeny);
  const Target view =
      CameraTarget(CameraRight::kView, 7, static_cast<CameraRights>(CameraRight::kView));
  EXPECT_EQ(Authorize(WithToken(Role::kMember, 3), Action::kUseCamera, view), Decision::kAllow);
  // Metrics: the scope alone is not enough for a member.
  EXPECT_EQ(Authorize(WithToken(Role::kMember, 8), Action::kReadMetrics, {}), Decision::kDeny);
  EXPECT_EQ(Authorize(WithToken(Role::kAdmin, 8), Action::kReadMetrics, {}), Decision::kAllow);
  EXPECT_EQ(Authorize(WithToken(Role::kAdmin, 1), Action::kReadMetrics, {}), Decision::kDeny);
}

TEST(AuthorizeTokens, PrivacyModeNeedsTheScopeTheCameraAndTheUsersConfigureRight) {
  const Target camera = CameraTarget(CameraRight::kConfigure, 7);
  EXPECT_EQ(Authorize(WithToken(Role::kOwner, 4), Action::kSetPrivacyMode, camera),
            Decision::kAllow);
  EXPECT_EQ(Authorize(WithToken(Role::kOwner, 3), Action::kSetPrivacyMode, camera),
            Decision::kDeny);
  const Principal only_nine = WithToken(Role::kOwner, 4, std::set<std::int64_t>{9});
  EXPECT_EQ(Authorize(only_nine, Action::kSetPrivacyMode, camera), Decision::kDeny);
  // A member holding view only cannot switch privacy, with or without a token.
  const Target view_only =
      CameraTarget(CameraRight::kConfigure, 7, static_cast<CameraRights>(CameraRight::kView));
  EXPECT_EQ(Authorize(WithToken(Role::kMember, 4), Action::kSetPrivacyMode, view_only),
            Decision::kDeny);
  EXPECT_EQ(Authorize(As(Role::kMember), Action::kSetPrivacyMode, view_only), Decision::kDeny);
  const Target configure =
      CameraTarget(CameraRight::kConfigure, 7, static_cast<CameraRights>(CameraRight::kConfigure));
  EXPECT_EQ(Authorize(As(Role::kMember), Action::kSetPrivacyMode, configure), Decision::kAllow);
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kSetPrivacyMode, camera), Decision::kAllow);
}

TEST(AuthorizeTokens, CameraListRestrictsToTheNamedCameras) {
  const Principal token = WithToken(Role::kOwner, 1, std::set<std::int64_t>{7, 9});
  EXPECT_EQ(Authorize(token, Action::kUseCamera, CameraTarget(CameraRight::kView, 7)),
            Decision::kAllow);
  EXPECT_EQ(Authorize(token, Action::kUseCamera, CameraTarget(CameraRight::kView, 8)),
            Decision::kDeny);
  Target unknown;
  unknown.camera_right = CameraRight::kView;  // no camera id: fail closed
  EXPECT_EQ(Authorize(token, Action::kUseCamera, unknown), Decision::kDeny);
}

TEST(AuthorizeTokens, CreatingTokensChecksTheScopesAgainstTheRole) {
  Target scopes;
  scopes.token_scopes = 1;
  EXPECT_EQ(Authorize(As(Role::kGuest), Action::kCreateToken, scopes), Decision::kAllow);
  scopes.token_scopes = 2;
  EXPECT_EQ(Authorize(As(Role::kGuest), Action::kCreateToken, scopes), Decision::kInvalid);
  EXPECT_EQ(Authorize(As(Role::kMember), Action::kCreateToken, scopes), Decision::kAllow);
  scopes.token_scopes = 8;
  EXPECT_EQ(Authorize(As(Role::kMember), Action::kCreateToken, scopes), Decision::kInvalid);
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kCreateToken, scopes), Decision::kAllow);
  scopes.token_scopes = 0;
  EXPECT_EQ(Authorize(As(Role::kOwner), Action::kCreateToken, scopes), Decision::kInvalid);
}

TEST(AuthorizeTokens, RevokingOthersTokensIsForManagersAndNeverTheOwnersByAnAdmin) {
  EXPECT_EQ(Authorize(As(Role::kGuest), Action::kRevokeToken, UserTarget(Role::kGuest, {}, true)),
            Decision::kAllow);
  EXPECT_EQ(Authorize(As(Role::kMember), Action::kRevokeToken, UserTarget(Role::kGuest)),
            Decision::kDeny);
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kRevokeToken, UserTarget(Role::kMember)),
            Decision::kAllow);
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kRevokeToken, UserTarget(Role::kOwner)),
            Decision::kDeny);
  EXPECT_EQ(Authorize(As(Role::kOwner), Action::kRevokeToken, UserTarget(Role::kAdmin)),
            Decision::kAllow);
}

TEST(Roles, ParseAndPrintRoundTrip) {
  for (Role role : {Role::kOwner, Role::kAdmin, Role::kMember, Role::kGuest}) {
    EXPECT_EQ(ParseRole(ToString(role)), role);
  }
  EXPECT_FALSE(ParseRole("root"));
  for (CameraRight right : kEveryCameraRight) EXPECT_EQ(ParseCameraRight(ToString(right)), right);
  EXPECT_FALSE(ParseCameraRight("View"));
}

}  // namespace
}  // namespace camguard::auth
