// SPDX-License-Identifier: Apache-2.0
// The test control interface: one text line per command on a separate loopback port, so a
// test can play the outsider (move the PTZ head behind the hub's back, add a camera account,
// change DNS, cover the lens, stall or cut the streams). Parsing is pure; the simulator applies
// the command in its loop and prints every injected event with a timestamp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "camsim/camera.h"
#include "camsim/ptz.h"

namespace camguard::camsim {

inline constexpr std::size_t kMaxControlLine = 1024;

enum class ControlVerb {
  kHelp,
  kStatus,         // status CAM
  kPtzAbsolute,    // ptz CAM absolute PAN TILT [ZOOM]
  kPtzRelative,    // ptz CAM relative DPAN DTILT [DZOOM]
  kPtzContinuous,  // ptz CAM continuous VPAN VTILT [SECONDS]
  kPtzStop,        // ptz CAM stop
  kPtzTeleport,    // ptz CAM teleport PAN TILT [ZOOM]
  kAddUser,        // add-user CAM NAME PASSWORD [Administrator|Operator|User]
  kRemoveUser,     // remove-user CAM NAME
  kSetDns,         // set-dns CAM SERVER...
  kSetNtp,         // set-ntp CAM SERVER...
  kSetFirmware,    // firmware CAM VERSION
  kCover,          // cover CAM on|off
  kView,           // view CAM home|left|right|down|covered|auto
  kStall,          // stall CAM on|off
  kCut,            // cut CAM   (closes every RTSP connection of the camera)
  kUdpLoss,        // udp-loss CAM PERCENT     (drops that share of RTP packets sent over UDP)
  kUdpReorder,     // udp-reorder CAM PERCENT  (swaps that share of adjacent UDP RTP packets)
};

struct ControlCommand {
  ControlVerb verb = ControlVerb::kHelp;
  int camera = 0;  // 1-based
  PtzPosition vector;
  std::optional<double> seconds;
  std::string name;
  std::string password;
  UserLevel level = UserLevel::kUser;
  std::vector<std::string> values;
  bool on = false;
  double percent = 0;  // udp-loss, udp-reorder: 0 to 100
};

// Parses one line (without the newline). Camera numbers are checked against `camera_count`.
base::Result<ControlCommand> ParseControlCommand(std::string_view line, int camera_count);

extern const char* const kControlHelp;

}  // namespace camguard::camsim
