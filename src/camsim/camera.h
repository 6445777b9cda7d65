// SPDX-License-Identifier: Apache-2.0
// What one simulated camera is, apart from its sockets: its accounts, its PTZ head, its network
// settings and its identity, plus the weaknesses it was started with. Owned by the simulator's
// event loop; the ONVIF service, the RTSP server and the control interface read and change it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "camsim/ptz.h"

namespace camguard::camsim {

// ONVIF user levels (ONVIF Core §5.9.4.3).
enum class UserLevel { kAdministrator, kOperator, kUser };
std::string_view ToString(UserLevel level);
std::optional<UserLevel> ParseUserLevel(std::string_view text);

struct CameraAccount {
  std::string name;
  std::string password;  // a simulated camera's own secret, printed on start on purpose
  UserLevel level = UserLevel::kAdministrator;
};

// Weakness profiles (docs/camsim.md lists what an audit must report for each).
struct Weaknesses {
  bool default_creds = false;     // admin/admin everywhere
  bool open_rtsp = false;         // streams without authentication
  bool onvif_noauth = false;      // every ONVIF operation allowed anonymously
  bool plain_http_basic = false;  // web admin and snapshot with Basic over plain HTTP
  bool info_leak = false;         // serial and firmware in pre-auth answers
  bool weak_password = false;     // six-digit numeric password
  bool no_lockout = false;        // (lockout is not simulated otherwise: noted in the docs)
  bool cve_2017_7921 = false;     // answers the Hikvision auth-bypass read probe
};

// Parses a comma-separated profile list ("hardened", "default-creds,open-rtsp", ...).
base::Result<Weaknesses> ParseProfiles(std::string_view text);

inline constexpr std::size_t kMaxAccounts = 32;

struct CameraState {
  int number = 1;  // 1-based, as printed
  std::string address;
  std::uint16_t rtsp_port = 0;
  std::uint16_t http_port = 0;
  std::string profile_text = "hardened";
  Weaknesses weaknesses;

  std::vector<CameraAccount> accounts;
  PtzModel ptz;
  std::vector<std::string> dns_servers{"127.0.0.53"};
  std::vector<std::string> search_domains{"home.arpa"};
  std::vector<std::string> ntp_servers{"ntp.home.arpa"};
  bool dns_from_dhcp = false;
  bool ntp_from_dhcp = false;
  std::string hostname;
  std::string manufacturer = "camguard";
  std::string model = "camsim PTZ-1080";
  std::string firmware = "2.4.1";
  std::string serial;
  std::string mac;
  std::string main_encoding = "H264";  // as ONVIF names it: H264 or H265

  bool covered = false;                    // lens covered: the covered clip is shown
  std::optional<std::string> forced_view;  // "point the view elsewhere" without moving PTZ
  bool stalled = false;                    // streams send nothing (a hung encoder)

  const CameraAccount* FindAccount(std::string_view name) const;
  std::optional<std::string> PasswordOf(std::string_view name) const;
  // The clip shown now: covered, forced or the one at the PTZ position.
  std::string View(PtzTime now);
};

}  // namespace camguard::camsim
