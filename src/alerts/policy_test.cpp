// SPDX-License-Identifier: Apache-2.0
#include "alerts/policy.h"

#include <gtest/gtest.h>

namespace camguard::alerts {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using Time = std::chrono::system_clock::time_point;

RaisedAlert Moved(std::int64_t camera) {
  return RaisedAlert{
      Kind::kCameraMovedFromOutside, Severity::kCritical, camera, "moved", "{}", "", std::nullopt};
}

TEST(AlertPolicy, RepeatsWithinTheWindowAreOneAlert) {
  Policy policy;
  const Time t0{};
  auto first = policy.Admit(Moved(1), t0);
  ASSERT_EQ(first.outcome, Policy::Outcome::kNew);
  policy.Opened(Moved(1), 100, t0);
  auto again = policy.Admit(Moved(1), t0 + minutes(5));
  EXPECT_EQ(again.outcome, Policy::Outcome::kRepeat);
  EXPECT_EQ(again.open_id, 100);
  // Another camera is another alert.
  EXPECT_EQ(policy.Admit(Moved(2), t0 + minutes(5)).outcome, Policy::Outcome::kNew);
  // The window slides with each repeat: still the same alert 9 minutes after the last repeat...
  EXPECT_EQ(policy.Admit(Moved(1), t0 + minutes(14)).outcome, Policy::Outcome::kRepeat);
  // ...and a new one after ten quiet minutes.
  EXPECT_EQ(policy.Admit(Moved(1), t0 + minutes(25)).outcome, Policy::Outcome::kNew);
}

TEST(AlertPolicy, RateLimitFoldsAFlappingCameraIntoItsLastAlert) {
  PolicyOptions options;
  options.dedup_window = seconds(1);
  options.rate_limit_count = 3;
  options.rate_limit_window = minutes(10);
  Policy policy(options);
  RaisedAlert offline{Kind::kCameraOffline, Severity::kWarning, 7, "offline", "{}", "",
                      std::nullopt};
  Time now{};
  for (int i = 0; i < 3; ++i) {
    now += seconds(10);
    ASSERT_EQ(policy.Admit(offline, now).outcome, Policy::Outcome::kNew) << i;
    policy.Opened(offline, 10 + i, now);
  }
  now += seconds(10);
  const auto folded = policy.Admit(offline, now);
  EXPECT_EQ(folded.outcome, Policy::Outcome::kRepeat);
  EXPECT_EQ(folded.open_id, 12);
  now += minutes(11);
  EXPECT_EQ(policy.Admit(offline, now).outcome, Policy::Outcome::kNew);
}

TEST(AlertPolicy, QuietHoursNeverSilenceCriticalAlerts) {
  const Subscription night_owl{1, Severity::kInfo, std::nullopt, QuietHours{22 * 60, 7 * 60}};
  const auto may_view = [](std::int64_t, std::optional<std::int64_t>) { return true; };
  RaisedAlert offline{Kind::kCameraOffline, Severity::kWarning, 7, "offline", "{}", "",
                      std::nullopt};
  EXPECT_TRUE(Policy::Recipients(offline, {night_owl}, 23 * 60, may_view).empty());
  EXPECT_TRUE(Policy::Recipients(offline, {night_owl}, 3 * 60, may_view).empty());
  EXPECT_EQ(Policy::Recipients(offline, {night_owl}, 12 * 60, may_view).size(), 1u);
  EXPECT_EQ(Policy::Recipients(Moved(7), {night_owl}, 23 * 60, may_view).size(), 1u);
}

TEST(AlertPolicy, SubscriptionsFilterBySeverityCameraAndViewingRight) {
  const std::vector<Subscription> subscriptions = {
      {1, Severity::kCritical, std::nullopt, std::nullopt},
      {2, Severity::kInfo, std::set<std::int64_t>{8}, std::nullopt},
      {3, Severity::kInfo, std::nullopt, std::nullopt},
  };
  const auto may_view = [](std::int64_t user, std::optional<std::int64_t> camera) {
    return user != 3 || camera == 7;  // user 3 sees camera 7 only
  };
  RaisedAlert offline7{Kind::kCameraOffline, Severity::kWarning, 7, "", "{}", "", std::nullopt};
  RaisedAlert offline8{Kind::kCameraOffline, Severity::kWarning, 8, "", "{}", "", std::nullopt};
  EXPECT_EQ(Policy::Recipients(offline7, subscriptions, 600, may_view),
            std::vector<std::int64_t>{3});
  EXPECT_EQ(Policy::Recipients(offline8, subscriptions, 600, may_view),
            std::vector<std::int64_t>{2});
  EXPECT_EQ(Policy::Recipients(Moved(7), subscriptions, 600, may_view),
            (std::vector<std::int64_t>{1, 3}));
}

TEST(AlertPolicy, NamesRoundTrip) {
  for (Kind kind : kEveryKind) EXPECT_EQ(ParseKind(ToString(kind)), kind);
  EXPECT_EQ(ParseSeverity("critical"), Severity::kCritical);
  EXPECT_FALSE(ParseSeverity("loud"));
  EXPECT_FALSE(ParseKind("camera.exploded"));
}

}  // namespace
}  // namespace camguard::alerts
