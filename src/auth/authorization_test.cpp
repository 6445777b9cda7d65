// SPDX-License-Identifier: Apache-2.0
#include "auth/authorization.h"

#include <gtest/gtest.h>

namespace camguard::auth {
namespace {

Principal As(Role role) { return Principal{42, role}; }

Target UserTarget(Role user_role, std::optional<Role> new_role = std::nullopt,
                  bool is_self = false) {
  Target target;
  target.user_role = user_role;
  target.new_role = new_role;
  target.is_self = is_self;
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
  EXPECT_EQ(Authorize(As(Role::kAdmin), Action::kCreateUser,
                      Target{std::nullopt, Role::kAdmin, false, {}, 0, 0}),
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
  EXPECT_EQ(Authorize(As(Role::kOwner), Action::kCreateUser,
                      Target{std::nullopt, Role::kOwner, false, {}, 0, 0}),
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
