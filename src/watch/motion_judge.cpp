// SPDX-License-Identifier: Apache-2.0
#include "watch/motion_judge.h"

#include <cmath>

namespace camguard::watch {

bool MotionJudge::Differs(const PtzSample& a, const PtzSample& b) const {
  const double tolerance = options_.position_tolerance;
  return std::abs(a.pan - b.pan) > tolerance || std::abs(a.tilt - b.tilt) > tolerance ||
         std::abs(a.zoom - b.zoom) > tolerance;
}

void MotionJudge::HubCommand(base::WallTime at) {
  hub_busy_ = true;
  if (at > last_command_) last_command_ = at;
  // A hub command during an outside movement takes over the camera: what follows is ours.
  outside_move_ = false;
}

std::optional<MotionVerdict> MotionJudge::Observe(const PtzSample& sample) {
  const std::optional<PtzSample> previous = last_;
  last_ = sample;
  if (!settled_) {
    // The first look at a camera: whatever it shows is where it is.
    if (!sample.moving) settled_ = sample;
    return std::nullopt;
  }
  if (hub_busy_) {
    if (!sample.moving && sample.at >= last_command_ + options_.command_grace) {
      hub_busy_ = false;
      settled_ = sample;
    }
    return std::nullopt;
  }
  if (outside_move_) {
    const bool still = previous && !Differs(*previous, sample);
    if (!sample.moving && still) {
      outside_move_ = false;
      MotionVerdict verdict{MotionEvent::kOutsideMoveEnded, *settled_, sample};
      settled_ = sample;
      return verdict;
    }
    return std::nullopt;
  }
  if (sample.moving || Differs(*settled_, sample)) {
    outside_move_ = true;
    return MotionVerdict{MotionEvent::kOutsideMoveStarted, *settled_, sample};
  }
  settled_ = sample;  // small drift within the tolerance follows the camera
  return std::nullopt;
}

}  // namespace camguard::watch
