// SPDX-License-Identifier: Apache-2.0
#include "camsim/control.h"

#include <charconv>
#include <cmath>

#include "base/strings.h"

namespace camguard::camsim {

using base::ErrorCode;
using base::Fail;

const char* const kControlHelp =
    "status CAM | ptz CAM absolute|teleport PAN TILT [ZOOM] | ptz CAM relative DPAN DTILT [DZOOM]"
    " | ptz CAM continuous VPAN VTILT [SECONDS] | ptz CAM stop | add-user CAM NAME PASSWORD"
    " [Administrator|Operator|User] | remove-user CAM NAME | set-dns CAM SERVER... | set-ntp CAM"
    " SERVER... | firmware CAM VERSION | cover CAM on|off | view CAM home|left|right|down|covered|"
    "auto | stall CAM on|off | cut CAM | udp-loss CAM PERCENT | udp-reorder CAM PERCENT";

namespace {

std::optional<double> Number(std::string_view text) {
  double value = 0;
  if (text.empty() || text.size() > 32) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool Printable(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u == 127) return false;
  }
  return !text.empty() && text.size() <= 128;
}

}  // namespace

base::Result<ControlCommand> ParseControlCommand(std::string_view line, int camera_count) {
  if (line.size() > kMaxControlLine) return Fail(ErrorCode::kInvalidArgument, "line too long");
  std::vector<std::string_view> words;
  for (std::string_view word : base::Split(base::Trim(line), ' ')) {
    if (!word.empty()) words.push_back(word);
  }
  if (words.empty()) return Fail(ErrorCode::kInvalidArgument, "empty command");
  ControlCommand command;
  const std::string_view verb = words[0];
  if (verb == "help") return command;
  if (words.size() < 2) return Fail(ErrorCode::kInvalidArgument, "missing camera number");
  const auto camera = Number(words[1]);
  if (!camera || *camera != std::floor(*camera) || *camera < 1 || *camera > camera_count) {
    return Fail(ErrorCode::kInvalidArgument, "no such camera: " + std::string(words[1]));
  }
  command.camera = static_cast<int>(*camera);
  const std::vector<std::string_view> args(words.begin() + 2, words.end());
  auto want = [&](std::size_t min, std::size_t max) -> base::Status {
    if (args.size() < min || args.size() > max) {
      return Fail(ErrorCode::kInvalidArgument,
                  "wrong number of arguments; usage: " + std::string(kControlHelp));
    }
    return base::Ok();
  };
  auto on_off = [&]() -> base::Status {
    CAMGUARD_TRY_STATUS(want(1, 1));
    if (args[0] != "on" && args[0] != "off") return Fail(ErrorCode::kInvalidArgument, "on or off");
    command.on = args[0] == "on";
    return base::Ok();
  };

  if (verb == "status") {
    command.verb = ControlVerb::kStatus;
    CAMGUARD_TRY_STATUS(want(0, 0));
  } else if (verb == "ptz") {
    if (args.empty()) return Fail(ErrorCode::kInvalidArgument, "ptz needs a motion");
    const std::string_view motion = args[0];
    std::vector<double> numbers;
    for (std::size_t i = 1; i < args.size(); ++i) {
      const auto n = Number(args[i]);
      if (!n) return Fail(ErrorCode::kInvalidArgument, "not a number: " + std::string(args[i]));
      numbers.push_back(*n);
    }
    if (motion == "stop") {
      command.verb = ControlVerb::kPtzStop;
      if (!numbers.empty()) return Fail(ErrorCode::kInvalidArgument, "stop takes no numbers");
      return command;
    }
    if (numbers.size() < 2 || numbers.size() > 3) {
      return Fail(ErrorCode::kInvalidArgument,
                  "ptz " + std::string(motion) + " needs 2 or 3 numbers");
    }
    command.vector = {numbers[0], numbers[1], 0};
    if (motion == "absolute" || motion == "teleport" || motion == "relative") {
      if (numbers.size() == 3) command.vector.zoom = numbers[2];
      command.verb = motion == "absolute"   ? ControlVerb::kPtzAbsolute
                     : motion == "teleport" ? ControlVerb::kPtzTeleport
                                            : ControlVerb::kPtzRelative;
    } else if (motion == "continuous") {
      command.verb = ControlVerb::kPtzContinuous;
      if (numbers.size() == 3) {
        if (numbers[2] <= 0 || numbers[2] > 3600) {
          return Fail(ErrorCode::kInvalidArgument, "seconds must be in (0, 3600]");
        }
        command.seconds = numbers[2];
      }
    } else {
      return Fail(ErrorCode::kInvalidArgument, "unknown ptz motion: " + std::string(motion));
    }
  } else if (verb == "add-user") {
    command.verb = ControlVerb::kAddUser;
    CAMGUARD_TRY_STATUS(want(2, 3));
    if (!Printable(args[0]) || !Printable(args[1])) {
      return Fail(ErrorCode::kInvalidArgument, "bad name or password");
    }
    command.name = std::string(args[0]);
    command.password = std::string(args[1]);
    command.level = UserLevel::kAdministrator;
    if (args.size() == 3) {
      const auto level = ParseUserLevel(args[2]);
      if (!level)
        return Fail(ErrorCode::kInvalidArgument, "level: Administrator, Operator or User");
      command.level = *level;
    }
  } else if (verb == "remove-user") {
    command.verb = ControlVerb::kRemoveUser;
    CAMGUARD_TRY_STATUS(want(1, 1));
    command.name = std::string(args[0]);
  } else if (verb == "set-dns" || verb == "set-ntp") {
    command.verb = verb == "set-dns" ? ControlVerb::kSetDns : ControlVerb::kSetNtp;
    CAMGUARD_TRY_STATUS(want(1, 4));
    for (std::string_view value : args) {
      if (!Printable(value)) return Fail(ErrorCode::kInvalidArgument, "bad server");
      command.values.emplace_back(value);
    }
  } else if (verb == "firmware") {
    command.verb = ControlVerb::kSetFirmware;
    CAMGUARD_TRY_STATUS(want(1, 1));
    if (!Printable(args[0])) return Fail(ErrorCode::kInvalidArgument, "bad version");
    command.name = std::string(args[0]);
  } else if (verb == "cover") {
    command.verb = ControlVerb::kCover;
    CAMGUARD_TRY_STATUS(on_off());
  } else if (verb == "stall") {
    command.verb = ControlVerb::kStall;
    CAMGUARD_TRY_STATUS(on_off());
  } else if (verb == "view") {
    command.verb = ControlVerb::kView;
    CAMGUARD_TRY_STATUS(want(1, 1));
    const std::string_view view = args[0];
    if (view != "home" && view != "left" && view != "right" && view != "down" &&
        view != "covered" && view != "auto") {
      return Fail(ErrorCode::kInvalidArgument, "view: home, left, right, down, covered or auto");
    }
    command.name = std::string(view);
  } else if (verb == "cut") {
    command.verb = ControlVerb::kCut;
    CAMGUARD_TRY_STATUS(want(0, 0));
  } else if (verb == "udp-loss" || verb == "udp-reorder") {
    command.verb = verb == "udp-loss" ? ControlVerb::kUdpLoss : ControlVerb::kUdpReorder;
    CAMGUARD_TRY_STATUS(want(1, 1));
    const auto percent = Number(args[0]);
    if (!percent || *percent < 0 || *percent > 100) {
      return Fail(ErrorCode::kInvalidArgument, "percent must be a number from 0 to 100");
    }
    command.percent = *percent;
  } else {
    return Fail(ErrorCode::kInvalidArgument, "unknown command: " + std::string(verb));
  }
  return command;
}

}  // namespace camguard::camsim
