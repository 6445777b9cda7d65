// SPDX-License-Identifier: Apache-2.0
#include "camsim/camera.h"

#include "base/strings.h"

namespace camguard::camsim {

using base::ErrorCode;
using base::Fail;

std::string_view ToString(UserLevel level) {
  switch (level) {
    case UserLevel::kAdministrator: return "Administrator";
    case UserLevel::kOperator: return "Operator";
    case UserLevel::kUser: return "User";
  }
  return "User";
}

std::optional<UserLevel> ParseUserLevel(std::string_view text) {
  if (text == "Administrator") return UserLevel::kAdministrator;
  if (text == "Operator") return UserLevel::kOperator;
  if (text == "User") return UserLevel::kUser;
  return std::nullopt;
}

base::Result<Weaknesses> ParseProfiles(std::string_view text) {
  Weaknesses w;
  bool hardened = false;
  int weaknesses = 0;
  for (std::string_view name : base::Split(text, ',')) {
    name = base::Trim(name);
    bool* flag = nullptr;
    if (name == "hardened") {
      hardened = true;
      continue;
    }
    if (name == "default-creds") flag = &w.default_creds;
    if (name == "open-rtsp") flag = &w.open_rtsp;
    if (name == "onvif-noauth") flag = &w.onvif_noauth;
    if (name == "plain-http-basic") flag = &w.plain_http_basic;
    if (name == "info-leak") flag = &w.info_leak;
    if (name == "weak-password") flag = &w.weak_password;
    if (name == "no-lockout") flag = &w.no_lockout;
    if (name == "cve-2017-7921") flag = &w.cve_2017_7921;
    if (flag == nullptr) {
      return Fail(ErrorCode::kInvalidArgument,
                  "unknown profile '" + std::string(name) +
                      "' (hardened, default-creds, open-rtsp, onvif-noauth, plain-http-basic, "
                      "info-leak, weak-password, no-lockout, cve-2017-7921)");
    }
    *flag = true;
    ++weaknesses;
  }
  if (hardened && weaknesses > 0) {
    return Fail(ErrorCode::kInvalidArgument, "'hardened' cannot be combined with a weakness");
  }
  return w;
}

const CameraAccount* CameraState::FindAccount(std::string_view name) const {
  for (const CameraAccount& account : accounts) {
    if (account.name == name) return &account;
  }
  return nullptr;
}

std::optional<std::string> CameraState::PasswordOf(std::string_view name) const {
  const CameraAccount* account = FindAccount(name);
  if (account == nullptr) return std::nullopt;
  return account->password;
}

std::string CameraState::View(PtzTime now) {
  if (covered) return "covered";
  if (forced_view) return *forced_view;
  return std::string(ViewAt(ptz.Status(now).position));
}

}  // namespace camguard::camsim
