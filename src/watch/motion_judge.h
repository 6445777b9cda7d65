// SPDX-License-Identifier: Apache-2.0
// Decides whether a PTZ camera moved without camguard: fed the positions polled from the camera
// and the moments the hub itself sent a command, it reports the start of every movement that no
// hub command explains. Pure: no clock, no I/O.
//
// The rule. A hub command opens an "explained" period that lasts until the camera is seen idle
// again at least `command_grace` after the last hub command (cameras take a moment to start
// moving, and a poll may land before they do). Outside such a period, a position further than
// `position_tolerance` from the last settled one, or a MOVING status, starts an outside
// movement: reported once, then followed until the camera is idle and still, which settles the
// new position. A movement that starts while a hub command is being carried out is credited to
// the hub: the tolerance window of the integrity watch.
#pragma once

#include <chrono>
#include <optional>

#include "base/clock.h"

namespace camguard::watch {

struct PtzSample {
  base::WallTime at;
  double pan = 0;
  double tilt = 0;
  double zoom = 0;
  bool moving = false;
};

struct MotionJudgeOptions {
  double position_tolerance = 0.01;  // in the generic spaces: 0.5 % of the pan range
  std::chrono::milliseconds command_grace{1500};
};

enum class MotionEvent {
  kOutsideMoveStarted,  // raise the alarm
  kOutsideMoveEnded,    // the camera settled at `current`
};

struct MotionVerdict {
  MotionEvent event = MotionEvent::kOutsideMoveStarted;
  PtzSample before;   // the last settled position
  PtzSample current;  // the sample that showed the change (or the settled one)
};

class MotionJudge {
 public:
  explicit MotionJudge(MotionJudgeOptions options = {}) : options_(options) {}

  // The hub is about to send a PTZ command (call before it goes on the wire).
  void HubCommand(base::WallTime at);
  std::optional<MotionVerdict> Observe(const PtzSample& sample);

  bool hub_busy() const { return hub_busy_; }
  bool outside_move_in_progress() const { return outside_move_; }
  const std::optional<PtzSample>& settled() const { return settled_; }

 private:
  bool Differs(const PtzSample& a, const PtzSample& b) const;

  MotionJudgeOptions options_;
  std::optional<PtzSample> settled_;
  std::optional<PtzSample> last_;
  bool hub_busy_ = false;
  base::WallTime last_command_{};
  bool outside_move_ = false;
};

}  // namespace camguard::watch
