// SPDX-License-Identifier: Apache-2.0
// The alert pipeline's decisions, pure (time in, decision out): what an alert is, whether a
// raised alert is a repeat of one still open (de-duplication), whether its kind has raised too
// many alerts lately (rate limit), and which users receive it now (subscriptions and quiet hours,
// which never silence a critical alert).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace camguard::alerts {

enum class Severity { kInfo = 0, kWarning = 1, kCritical = 2 };
std::string_view ToString(Severity severity);
std::optional<Severity> ParseSeverity(std::string_view text);

// Every kind of alert camguard raises; the producers live in other modules.
enum class Kind {
  kNewDeviceLogin,
  kFailedLoginBurst,
  kCameraMovedFromOutside,
  kConfigurationDrift,
  kTamper,
  kCameraOffline,
  kRecordingGap,
  kDiskLow,
  kCriticalAuditFinding,
  kPrivacyModeChanged,
};
inline constexpr std::array<Kind, 10> kEveryKind = {
    Kind::kNewDeviceLogin,     Kind::kFailedLoginBurst, Kind::kCameraMovedFromOutside,
    Kind::kConfigurationDrift, Kind::kTamper,           Kind::kCameraOffline,
    Kind::kRecordingGap,       Kind::kDiskLow,          Kind::kCriticalAuditFinding,
    Kind::kPrivacyModeChanged};
std::string_view ToString(Kind kind);  // "camera.moved_from_outside", ...
std::optional<Kind> ParseKind(std::string_view text);
Severity DefaultSeverity(Kind kind);

struct RaisedAlert {
  Kind kind;
  Severity severity;
  std::optional<std::int64_t> camera_id;
  std::string title;         // one line a person reads: "Front door camera moved from outside"
  std::string details_json;  // structured evidence (a JSON object), built by the producer
  // Alerts with the same key within the de-duplication window are one alert seen N times.
  // Default: kind + camera.
  std::string dedup_key;
  std::optional<std::int64_t> user_id;  // alerts about one account go to its user and managers
};

// Quiet hours in local minutes of the day [start, end) — may wrap past midnight.
struct QuietHours {
  int start_minute = 0;
  int end_minute = 0;  // equal to start: no quiet hours
  bool Contains(int minute_of_day) const;
};

struct Subscription {
  std::int64_t user_id = 0;
  Severity min_severity = Severity::kWarning;
  std::optional<std::set<std::int64_t>> cameras;  // nullopt: every camera the user may view
  std::optional<QuietHours> quiet_hours;
};

struct PolicyOptions {
  std::chrono::seconds dedup_window{600};
  // Per kind and camera: at most `rate_limit_count` new alerts per `rate_limit_window`; more are
  // folded into the last one (counted, not lost).
  int rate_limit_count = 6;
  std::chrono::seconds rate_limit_window{600};
};

class Policy {
 public:
  explicit Policy(PolicyOptions options = {}) : options_(options) {}

  enum class Outcome { kNew, kRepeat };
  // Decides whether `alert` opens a new alert or repeats the open one with the same key; the
  // caller keeps the alert ids (`open_id` names the alert a repeat belongs to).
  struct Decision {
    Outcome outcome;
    std::optional<std::int64_t> open_id;  // for kRepeat
  };
  Decision Admit(const RaisedAlert& alert, std::chrono::system_clock::time_point now);
  // Records the id the caller gave the alert just admitted as new.
  void Opened(const RaisedAlert& alert, std::int64_t id, std::chrono::system_clock::time_point now);

  // Users who get a delivery now. `may_view(user, camera)` answers the viewing right.
  template <typename MayView>
  static std::vector<std::int64_t> Recipients(const RaisedAlert& alert,
                                              const std::vector<Subscription>& subscriptions,
                                              int local_minute_of_day, MayView&& may_view) {
    std::vector<std::int64_t> users;
    for (const Subscription& s : subscriptions) {
      if (alert.user_id && *alert.user_id != s.user_id && !may_view(s.user_id, std::nullopt))
        continue;  // an account alert goes to its user and to those who see everything
      if (alert.severity < s.min_severity) continue;
      if (alert.camera_id) {
        if (s.cameras && !s.cameras->contains(*alert.camera_id)) continue;
        if (!may_view(s.user_id, alert.camera_id)) continue;
      }
      // Quiet hours never hold back a critical alert.
      if (alert.severity != Severity::kCritical && s.quiet_hours &&
          s.quiet_hours->Contains(local_minute_of_day)) {
        continue;
      }
      users.push_back(s.user_id);
    }
    return users;
  }

 private:
  struct OpenAlert {
    std::int64_t id;
    std::chrono::system_clock::time_point last_seen;
  };
  PolicyOptions options_;
  std::map<std::string, OpenAlert> open_;  // by dedup key
  struct KindState {
    std::deque<std::chrono::system_clock::time_point> recent;  // new alerts in the window
    std::optional<std::int64_t> last_id;
  };
  std::map<std::string, KindState> by_kind_;  // by kind + camera
};

std::string DefaultDedupKey(Kind kind, std::optional<std::int64_t> camera_id);

}  // namespace camguard::alerts
