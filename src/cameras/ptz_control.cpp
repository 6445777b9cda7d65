// SPDX-License-Identifier: Apache-2.0
#include "cameras/ptz_control.h"

#include <cmath>

#include <fmt/format.h>

namespace camguard::cameras {

using base::ErrorCode;
using base::Fail;

namespace {
constexpr std::pair<PtzAction, std::string_view> kActions[] = {
    {PtzAction::kContinuousMove, "continuous_move"}, {PtzAction::kAbsoluteMove, "absolute_move"},
    {PtzAction::kRelativeMove, "relative_move"},     {PtzAction::kStop, "stop"},
    {PtzAction::kGotoPreset, "goto_preset"},         {PtzAction::kSetPreset, "set_preset"},
    {PtzAction::kRemovePreset, "remove_preset"},
};
constexpr auto kMaxContinuousTimeout = std::chrono::minutes(5);
constexpr std::size_t kMaxPresetText = 64;

base::Status InRange(double value, double low, double high, std::string_view field) {
  if (!std::isfinite(value) || value < low || value > high) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{} must be a number between {:g} and {:g}", field, low, high));
  }
  return base::Ok();
}

base::Status PresetText(std::string_view text, std::string_view field) {
  if (text.empty() || text.size() > kMaxPresetText) {
    return Fail(ErrorCode::kInvalidArgument, std::string(field) + " must be 1 to 64 characters");
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Fail(ErrorCode::kInvalidArgument, std::string(field) + " contains control characters");
    }
  }
  return base::Ok();
}
}  // namespace

std::string_view ToString(PtzAction action) {
  for (const auto& [value, name] : kActions) {
    if (value == action) return name;
  }
  return "stop";
}

std::optional<PtzAction> ParsePtzAction(std::string_view text) {
  for (const auto& [value, name] : kActions) {
    if (name == text) return value;
  }
  return std::nullopt;
}

base::Status ValidatePtzRequest(const PtzRequest& r) {
  switch (r.action) {
    case PtzAction::kContinuousMove:
      CAMGUARD_TRY_STATUS(InRange(r.pan, -1, 1, "pan"));
      CAMGUARD_TRY_STATUS(InRange(r.tilt, -1, 1, "tilt"));
      CAMGUARD_TRY_STATUS(InRange(r.zoom, -1, 1, "zoom"));
      if (r.timeout && (r.timeout->count() <= 0 || *r.timeout > kMaxContinuousTimeout)) {
        return Fail(ErrorCode::kInvalidArgument, "timeout_ms must be between 1 and 300000");
      }
      return base::Ok();
    case PtzAction::kAbsoluteMove:
      CAMGUARD_TRY_STATUS(InRange(r.pan, -1, 1, "pan"));
      CAMGUARD_TRY_STATUS(InRange(r.tilt, -1, 1, "tilt"));
      return InRange(r.zoom, 0, 1, "zoom");
    case PtzAction::kRelativeMove:
      CAMGUARD_TRY_STATUS(InRange(r.pan, -2, 2, "pan"));
      CAMGUARD_TRY_STATUS(InRange(r.tilt, -2, 2, "tilt"));
      return InRange(r.zoom, -1, 1, "zoom");
    case PtzAction::kStop: return base::Ok();
    case PtzAction::kGotoPreset:
    case PtzAction::kRemovePreset: return PresetText(r.preset_token, "preset");
    case PtzAction::kSetPreset: return PresetText(r.preset_name, "preset_name");
  }
  return base::Ok();
}

}  // namespace camguard::cameras
