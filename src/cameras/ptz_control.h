// SPDX-License-Identifier: Apache-2.0
// What the API needs from the integrity watch for PTZ through the hub, without depending on it:
// the watch implements this interface (over ONVIF) and the daemon hands it to the API.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace camguard::cameras {

enum class PtzAction {
  kContinuousMove,  // velocities in [-1, 1], optional timeout
  kAbsoluteMove,    // pan/tilt in [-1, 1], zoom in [0, 1]
  kRelativeMove,    // deltas
  kStop,
  kGotoPreset,
  kSetPreset,  // stores the current position under preset_name
  kRemovePreset,
};
std::string_view ToString(PtzAction action);
std::optional<PtzAction> ParsePtzAction(std::string_view text);

struct PtzRequest {
  PtzAction action = PtzAction::kStop;
  double pan = 0;
  double tilt = 0;
  double zoom = 0;
  std::optional<std::chrono::milliseconds> timeout;  // continuous moves
  std::string preset_token;                          // goto / remove
  std::string preset_name;                           // set
};

// Checks ranges and required fields; the message names the offending field.
base::Status ValidatePtzRequest(const PtzRequest& request);

struct PtzPresetInfo {
  std::string token;
  std::string name;
};

struct PtzState {
  double pan = 0;
  double tilt = 0;
  double zoom = 0;
  bool moving = false;
  std::vector<PtzPresetInfo> presets;
  std::optional<std::string> new_preset_token;  // after kSetPreset
};

class PtzControl {
 public:
  virtual ~PtzControl() = default;
  // Both block for a network round trip to the camera: call them from a worker thread, never
  // from the event loop. Thread-safe. kFailedPrecondition when the camera has no ONVIF PTZ,
  // kNotFound for an unknown camera, kResourceExhausted when commands come too fast.
  virtual base::Result<PtzState> Command(std::int64_t camera_id, const PtzRequest& request) = 0;
  virtual base::Result<PtzState> State(std::int64_t camera_id) = 0;
  // A camera was added, changed or removed in the store (called from the loop; never blocks).
  virtual void CameraChanged(std::int64_t camera_id) = 0;
  virtual void CameraRemoved(std::int64_t camera_id) = 0;
};

}  // namespace camguard::cameras
