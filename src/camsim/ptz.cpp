// SPDX-License-Identifier: Apache-2.0
#include "camsim/ptz.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace camguard::camsim {
namespace {

using base::ErrorCode;
using base::Fail;

double Clamp(double v, double lo, double hi) {
  if (std::isnan(v)) return lo < 0 ? 0 : lo;
  return std::clamp(v, lo, hi);
}

PtzPosition ClampPosition(PtzPosition p) {
  return {Clamp(p.pan, -1, 1), Clamp(p.tilt, -1, 1), Clamp(p.zoom, 0, 1)};
}

// Moves `from` toward `to` by at most `step`.
double Approach(double from, double to, double step) {
  if (std::abs(to - from) <= step) return to;
  return from + (to > from ? step : -step);
}

}  // namespace

void PtzModel::Advance(PtzTime now) {
  if (!last_ || now <= *last_) {
    if (!last_) last_ = now;
    return;
  }
  PtzTime end = now;
  if (goal_ == Goal::kVelocity && velocity_until_ && *velocity_until_ < end) end = *velocity_until_;
  const double seconds = std::chrono::duration<double>(end - *last_).count();
  if (seconds > 0) {
    if (goal_ == Goal::kVelocity) {
      position_ = ClampPosition({position_.pan + velocity_.pan * seconds,
                                 position_.tilt + velocity_.tilt * seconds,
                                 position_.zoom + velocity_.zoom * seconds});
    } else if (goal_ == Goal::kTarget) {
      const double step = speed_ * seconds;
      position_ = {Approach(position_.pan, target_.pan, step),
                   Approach(position_.tilt, target_.tilt, step),
                   Approach(position_.zoom, target_.zoom, step)};
    }
  }
  if (goal_ == Goal::kVelocity && velocity_until_ && now >= *velocity_until_) goal_ = Goal::kNone;
  if (goal_ == Goal::kTarget && position_.pan == target_.pan && position_.tilt == target_.tilt &&
      position_.zoom == target_.zoom) {
    goal_ = Goal::kNone;
  }
  last_ = now;
}

PtzStatus PtzModel::Status(PtzTime now) {
  Advance(now);
  PtzStatus status;
  status.position = position_;
  if (goal_ == Goal::kTarget) {
    status.pan_tilt_moving = position_.pan != target_.pan || position_.tilt != target_.tilt;
    status.zoom_moving = position_.zoom != target_.zoom;
  } else if (goal_ == Goal::kVelocity) {
    // A velocity pushing against a limit moves nothing: the head reports IDLE there.
    auto pushing = [](double pos, double v, double lo, double hi) {
      return (v > 0 && pos < hi) || (v < 0 && pos > lo);
    };
    status.pan_tilt_moving = pushing(position_.pan, velocity_.pan, -1, 1) ||
                             pushing(position_.tilt, velocity_.tilt, -1, 1);
    status.zoom_moving = pushing(position_.zoom, velocity_.zoom, 0, 1);
  }
  return status;
}

void PtzModel::ContinuousMove(PtzTime now, PtzPosition velocity,
                              std::optional<std::chrono::milliseconds> timeout) {
  Advance(now);
  goal_ = Goal::kVelocity;
  velocity_ = {Clamp(velocity.pan, -1, 1) * speed_, Clamp(velocity.tilt, -1, 1) * speed_,
               Clamp(velocity.zoom, -1, 1) * speed_};
  velocity_until_.reset();
  if (timeout) velocity_until_ = now + *timeout;
}

void PtzModel::AbsoluteMove(PtzTime now, PtzPosition target) {
  Advance(now);
  goal_ = Goal::kTarget;
  target_ = ClampPosition(target);
}

void PtzModel::RelativeMove(PtzTime now, PtzPosition delta) {
  Advance(now);
  // Relative to where the head is now (ONVIF PTZ 5.3.2), not to a pending target.
  AbsoluteMove(
      now, {position_.pan + delta.pan, position_.tilt + delta.tilt, position_.zoom + delta.zoom});
}

void PtzModel::Stop(PtzTime now, bool pan_tilt, bool zoom) {
  Advance(now);
  if (goal_ == Goal::kNone) return;
  if (goal_ == Goal::kVelocity) {
    if (pan_tilt) velocity_.pan = velocity_.tilt = 0;
    if (zoom) velocity_.zoom = 0;
    if (velocity_.pan == 0 && velocity_.tilt == 0 && velocity_.zoom == 0) goal_ = Goal::kNone;
    return;
  }
  if (pan_tilt) {
    target_.pan = position_.pan;
    target_.tilt = position_.tilt;
  }
  if (zoom) target_.zoom = position_.zoom;
  Advance(now);
}

void PtzModel::Teleport(PtzTime now, PtzPosition position) {
  Advance(now);
  position_ = ClampPosition(position);
  goal_ = Goal::kNone;
}

base::Result<std::string> PtzModel::SetPreset(PtzTime now, std::string_view name,
                                              std::optional<std::string_view> token) {
  Advance(now);
  if (name.size() > 64) return Fail(ErrorCode::kInvalidArgument, "preset name too long");
  std::string key;
  if (token && !token->empty()) {
    if (presets_.count(std::string(*token)) == 0) {
      return Fail(ErrorCode::kNotFound, "no such preset");
    }
    key = std::string(*token);
  } else {
    if (presets_.size() >= kMaxPresets) {
      return Fail(ErrorCode::kResourceExhausted, "too many presets");
    }
    key = fmt::format("{}", next_preset_++);
  }
  presets_[key] = PtzPreset{name.empty() ? "Preset " + key : std::string(name), position_};
  return key;
}

base::Status PtzModel::GotoPreset(PtzTime now, std::string_view token) {
  auto it = presets_.find(std::string(token));
  if (it == presets_.end()) return Fail(ErrorCode::kNotFound, "no such preset");
  AbsoluteMove(now, it->second.position);
  return base::Ok();
}

base::Status PtzModel::RemovePreset(std::string_view token) {
  if (presets_.erase(std::string(token)) == 0) return Fail(ErrorCode::kNotFound, "no such preset");
  return base::Ok();
}

std::string_view ViewAt(const PtzPosition& p) {
  // Tilting down dominates; otherwise far enough left or right shows another scene.
  if (p.tilt < -0.5) return "down";
  if (p.pan < -0.4) return "left";
  if (p.pan > 0.4) return "right";
  return "home";
}

}  // namespace camguard::camsim
