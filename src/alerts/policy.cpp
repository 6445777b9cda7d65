// SPDX-License-Identifier: Apache-2.0
#include "alerts/policy.h"

#include <fmt/format.h>

namespace camguard::alerts {

std::string_view ToString(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kCritical: return "critical";
  }
  return "unknown";
}

std::optional<Severity> ParseSeverity(std::string_view text) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kCritical})
    if (ToString(s) == text) return s;
  return std::nullopt;
}

std::string_view ToString(Kind kind) {
  switch (kind) {
    case Kind::kNewDeviceLogin: return "auth.new_device_login";
    case Kind::kFailedLoginBurst: return "auth.failed_login_burst";
    case Kind::kCameraMovedFromOutside: return "camera.moved_from_outside";
    case Kind::kConfigurationDrift: return "camera.configuration_drift";
    case Kind::kTamper: return "camera.tamper";
    case Kind::kCameraOffline: return "camera.offline";
    case Kind::kRecordingGap: return "recording.gap";
    case Kind::kDiskLow: return "storage.disk_low";
    case Kind::kCriticalAuditFinding: return "audit.critical_finding";
    case Kind::kPrivacyModeChanged: return "camera.privacy_mode_changed";
  }
  return "unknown";
}

std::optional<Kind> ParseKind(std::string_view text) {
  for (Kind kind : kEveryKind)
    if (ToString(kind) == text) return kind;
  return std::nullopt;
}

Severity DefaultSeverity(Kind kind) {
  switch (kind) {
    case Kind::kCameraMovedFromOutside:
    case Kind::kConfigurationDrift:
    case Kind::kTamper:
    case Kind::kCriticalAuditFinding: return Severity::kCritical;
    case Kind::kNewDeviceLogin:
    case Kind::kFailedLoginBurst:
    case Kind::kCameraOffline:
    case Kind::kRecordingGap:
    case Kind::kDiskLow: return Severity::kWarning;
    case Kind::kPrivacyModeChanged: return Severity::kInfo;
  }
  return Severity::kWarning;
}

std::string DefaultDedupKey(Kind kind, std::optional<std::int64_t> camera_id) {
  return camera_id ? fmt::format("{}:{}", ToString(kind), *camera_id) : std::string(ToString(kind));
}

bool QuietHours::Contains(int minute_of_day) const {
  if (start_minute == end_minute) return false;
  if (start_minute < end_minute) return minute_of_day >= start_minute && minute_of_day < end_minute;
  return minute_of_day >= start_minute || minute_of_day < end_minute;  // wraps past midnight
}

Policy::Decision Policy::Admit(const RaisedAlert& alert,
                               std::chrono::system_clock::time_point now) {
  const std::string key =
      alert.dedup_key.empty() ? DefaultDedupKey(alert.kind, alert.camera_id) : alert.dedup_key;
  if (const auto it = open_.find(key); it != open_.end()) {
    if (now - it->second.last_seen < options_.dedup_window) {
      it->second.last_seen = now;
      return Decision{Outcome::kRepeat, it->second.id};
    }
    open_.erase(it);
  }
  // Rate limit per kind and camera: a flapping camera must not bury the owner in alerts. Past
  // the limit a new alert is folded into the last one of its kind and camera (counted, not lost).
  KindState& state = by_kind_[DefaultDedupKey(alert.kind, alert.camera_id)];
  while (!state.recent.empty() && now - state.recent.front() >= options_.rate_limit_window)
    state.recent.pop_front();
  if (static_cast<int>(state.recent.size()) >= options_.rate_limit_count && state.last_id) {
    return Decision{Outcome::kRepeat, state.last_id};
  }
  return Decision{Outcome::kNew, std::nullopt};
}

void Policy::Opened(const RaisedAlert& alert, std::int64_t id,
                    std::chrono::system_clock::time_point now) {
  const std::string key =
      alert.dedup_key.empty() ? DefaultDedupKey(alert.kind, alert.camera_id) : alert.dedup_key;
  open_[key] = OpenAlert{id, now};
  KindState& state = by_kind_[DefaultDedupKey(alert.kind, alert.camera_id)];
  state.recent.push_back(now);
  state.last_id = id;
}

}  // namespace camguard::alerts
