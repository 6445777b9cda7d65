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

#include "base/redacted.h"
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

// What adding a camera by its ONVIF address finds out.
struct OnvifDiscovery {
  std::string manufacturer;
  std::string model;
  std::string firmware;
  std::string main_url;                // RTSP URI of the first (best) profile
  std::optional<std::string> sub_url;  // of the smallest other profile, when there is one
  bool has_ptz = false;
};

// An account on the camera itself (not a camguard user).
struct CameraAccountInfo {
  std::string username;
  std::string level;    // "Administrator", "Operator", "User", ...
  bool is_hub = false;  // the account camguard signs in with
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

  // Adding a camera by address: asks it (blocking) for its identity and stream addresses.
  virtual base::Result<OnvifDiscovery> Probe(const std::string& onvif_url,
                                             const std::string& username,
                                             const base::Redacted<std::string>& password) = 0;
  // The camera's own accounts (blocking).
  virtual base::Result<std::vector<CameraAccountInfo>> Accounts(std::int64_t camera_id) = 0;
  // Gives the hub's camera account `new_password` (blocking). On success the caller stores it
  // and tells CameraChanged.
  virtual base::Status RotatePassword(std::int64_t camera_id,
                                      const base::Redacted<std::string>& new_password) = 0;
  // Deletes an account from the camera (never the hub's own); the change becomes the accepted
  // configuration, so it raises no drift alert.
  virtual base::Status RemoveAccount(std::int64_t camera_id, const std::string& username) = 0;
};

}  // namespace camguard::cameras
