// SPDX-License-Identifier: Apache-2.0
// The simulated pan/tilt/zoom head. Like a real one it moves at a finite speed: a command sets
// a goal (a velocity or a target position) and the position follows it over time, so a client
// polling GetStatus sees MOVING, then the new position and IDLE. Pure: time is passed in.
//
// Coordinates are ONVIF's generic spaces: pan and tilt in [-1, 1], zoom in [0, 1].
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace camguard::camsim {

using PtzTime = std::chrono::steady_clock::time_point;

struct PtzPosition {
  double pan = 0;
  double tilt = 0;
  double zoom = 0;
};

struct PtzPreset {
  std::string name;
  PtzPosition position;
};

struct PtzStatus {
  PtzPosition position;
  bool pan_tilt_moving = false;
  bool zoom_moving = false;
};

inline constexpr std::size_t kMaxPresets = 32;

class PtzModel {
 public:
  // `speed`: pan/tilt units per second at full velocity (zoom moves at the same rate).
  explicit PtzModel(double speed = 0.5) : speed_(speed) {}

  PtzStatus Status(PtzTime now);

  // Velocities in [-1, 1] (clamped); the move ends at the limits, at `timeout` or on Stop.
  void ContinuousMove(PtzTime now, PtzPosition velocity,
                      std::optional<std::chrono::milliseconds> timeout);
  void AbsoluteMove(PtzTime now, PtzPosition target);
  void RelativeMove(PtzTime now, PtzPosition delta);
  void Stop(PtzTime now, bool pan_tilt, bool zoom);
  // Jumps at once (a reboot restoring a position, the control interface's "set").
  void Teleport(PtzTime now, PtzPosition position);

  // Presets, keyed by token ("1", "2", ...). SetPreset stores the current position.
  base::Result<std::string> SetPreset(PtzTime now, std::string_view name,
                                      std::optional<std::string_view> token);
  base::Status GotoPreset(PtzTime now, std::string_view token);
  base::Status RemovePreset(std::string_view token);
  const std::map<std::string, PtzPreset>& presets() const { return presets_; }

 private:
  enum class Goal { kNone, kVelocity, kTarget };
  void Advance(PtzTime now);

  double speed_;
  PtzPosition position_;
  Goal goal_ = Goal::kNone;
  PtzPosition velocity_;                   // kVelocity, already scaled to units per second
  std::optional<PtzTime> velocity_until_;  // kVelocity
  PtzPosition target_;                     // kTarget
  std::optional<PtzTime> last_;
  std::map<std::string, PtzPreset> presets_;
  int next_preset_ = 1;
};

// The picture the camera shows at a position: the clips are named after these views.
std::string_view ViewAt(const PtzPosition& position);

}  // namespace camguard::camsim
