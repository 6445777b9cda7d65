// SPDX-License-Identifier: Apache-2.0
// The integrity watch: PTZ through the hub, and the alarm when a camera is moved or reconfigured
// from outside camguard (the seed incident).
//
// Every camera with an ONVIF address and the watch enabled gets a poller thread of its own: it
// connects (clock sync, services, the first PTZ profile), polls PTZ GetStatus every
// `poll_interval` into a MotionJudge, and every `config_interval` takes a configuration
// snapshot (users, network interfaces, DNS, NTP, firmware) and compares it with the stored
// baseline. Hub PTZ commands (PtzControl, called from the API's worker threads) use the same
// ONVIF session under the camera's lock and tell the judge first, so the hub's own moves never
// raise the alarm. Threads: one per watched camera, plus the callers of PtzControl.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "cameras/ptz_control.h"
#include "crypto/crypto.h"
#include "watch/config_snapshot.h"
#include "watch/motion_judge.h"

namespace camguard::watch {

struct WatchEvent {
  enum class Kind {
    kMovedFromOutside,      // an unexplained PTZ movement began
    kOutsideMoveEnded,      // ... and ended at `after`
    kConfigurationChanged,  // `changes` against the accepted baseline (now replaced)
  };
  Kind kind = Kind::kMovedFromOutside;
  std::int64_t camera_id = 0;
  std::string camera_name;
  base::WallTime at{};
  std::optional<PtzSample> before;
  std::optional<PtzSample> after;
  std::vector<ConfigChange> changes;
  bool critical = false;
};

struct WatchOptions {
  std::filesystem::path database;                  // the watch opens its own connection
  const crypto::SecretKey* secrets_key = nullptr;  // opens camera credentials (required)
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::seconds config_interval{60};
  std::chrono::milliseconds request_timeout{3000};
  MotionJudgeOptions judge;
  int max_commands_per_second = 10;  // per camera; more is refused (kResourceExhausted)
  // Called on a watch thread; must not block for long (queue the work).
  std::function<void(const WatchEvent&)> on_event;
  // Told after the hub moved a camera (the picture changes on purpose: image tamper detection
  // learns the new view). Called on the caller's thread of Command().
  std::function<void(std::int64_t camera_id)> on_hub_move;
};

// Per-camera state for status pages and tests.
struct WatchStatus {
  bool connected = false;
  bool has_ptz = false;
  std::string last_error;  // never contains credentials
  std::optional<PtzSample> last_sample;
  std::uint64_t polls = 0;
  std::vector<cameras::PtzPresetInfo> presets;  // as last read from the camera
};

class IntegrityWatch final : public cameras::PtzControl {
 public:
  static base::Result<std::unique_ptr<IntegrityWatch>> Create(WatchOptions options,
                                                              const base::Clock& clock);
  ~IntegrityWatch() override;
  IntegrityWatch(const IntegrityWatch&) = delete;
  IntegrityWatch& operator=(const IntegrityWatch&) = delete;

  base::Status Start();  // watches every registered camera
  void Stop();           // idempotent

  base::Result<cameras::PtzState> Command(std::int64_t camera_id,
                                          const cameras::PtzRequest& request) override;
  base::Result<cameras::PtzState> State(std::int64_t camera_id) override;
  void CameraChanged(std::int64_t camera_id) override;
  void CameraRemoved(std::int64_t camera_id) override;
  base::Result<cameras::OnvifDiscovery> Probe(const std::string& onvif_url,
                                              const std::string& username,
                                              const base::Redacted<std::string>& password) override;
  base::Result<std::vector<cameras::CameraAccountInfo>> Accounts(std::int64_t camera_id) override;
  base::Status RotatePassword(std::int64_t camera_id,
                              const base::Redacted<std::string>& new_password) override;
  base::Status RemoveAccount(std::int64_t camera_id, const std::string& username) override;

  std::optional<WatchStatus> Status(std::int64_t camera_id) const;

  class Impl;

 private:
  explicit IntegrityWatch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace camguard::watch
