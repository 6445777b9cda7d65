// SPDX-License-Identifier: Apache-2.0
#include "watch/motion_judge.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace camguard::watch {
namespace {

using std::chrono::milliseconds;
using Ms = milliseconds;

const base::WallTime kT0{std::chrono::seconds(1'800'000'000)};

PtzSample At(int ms, double pan, double tilt = 0, bool moving = false) {
  return {kT0 + Ms(ms), pan, tilt, 0, moving};
}

TEST(MotionJudge, AnOutsideMoveIsReportedOnceThenSettles) {
  MotionJudge judge;
  EXPECT_FALSE(judge.Observe(At(0, 0.0)));
  EXPECT_FALSE(judge.Observe(At(1000, 0.0)));
  auto started = judge.Observe(At(2000, 0.2, 0, true));
  ASSERT_TRUE(started);
  EXPECT_EQ(started->event, MotionEvent::kOutsideMoveStarted);
  EXPECT_DOUBLE_EQ(started->before.pan, 0.0);
  EXPECT_FALSE(judge.Observe(At(3000, 0.6, 0, true)));
  EXPECT_FALSE(judge.Observe(At(4000, 0.7)));  // idle but not yet still
  auto ended = judge.Observe(At(5000, 0.7));
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->event, MotionEvent::kOutsideMoveEnded);
  EXPECT_DOUBLE_EQ(ended->current.pan, 0.7);
  EXPECT_FALSE(judge.Observe(At(6000, 0.7)));
}

TEST(MotionJudge, HubCommandsExplainTheirMovement) {
  MotionJudge judge;
  judge.Observe(At(0, 0.0));
  judge.HubCommand(kT0 + Ms(500));
  EXPECT_FALSE(judge.Observe(At(1000, 0.0)));  // not started yet: still explained
  EXPECT_FALSE(judge.Observe(At(2000, 0.5, 0, true)));
  EXPECT_FALSE(judge.Observe(At(3000, 0.9)));
  EXPECT_FALSE(judge.hub_busy());
  EXPECT_DOUBLE_EQ(judge.settled()->pan, 0.9);
  // And the next outside move after it is caught.
  EXPECT_TRUE(judge.Observe(At(4000, 0.5, 0, true)));
}

TEST(MotionJudge, IdleBeforeTheGraceDoesNotEndTheHubPeriod) {
  MotionJudge judge({0.01, Ms(1500)});
  judge.Observe(At(0, 0.0));
  judge.HubCommand(kT0 + Ms(100));
  EXPECT_FALSE(judge.Observe(At(300, 0.0)));  // camera has not begun
  EXPECT_TRUE(judge.hub_busy());
  EXPECT_FALSE(judge.Observe(At(1200, 0.3, 0, true)));
  EXPECT_FALSE(judge.Observe(At(2200, 0.4)));
  EXPECT_FALSE(judge.hub_busy());
}

TEST(MotionJudge, DriftWithinToleranceIsNoMove) {
  MotionJudge judge;
  judge.Observe(At(0, 0.0));
  EXPECT_FALSE(judge.Observe(At(1000, 0.004)));
  EXPECT_FALSE(judge.Observe(At(2000, 0.008)));
  EXPECT_FALSE(judge.Observe(At(3000, 0.012)));  // followed, so never more than one step away
}

TEST(MotionJudge, AStartMidMoveWaitsForTheCameraToSettle) {
  MotionJudge judge;
  EXPECT_FALSE(judge.Observe(At(0, 0.1, 0, true)));
  EXPECT_FALSE(judge.settled());
  EXPECT_FALSE(judge.Observe(At(1000, 0.3)));
  EXPECT_TRUE(judge.settled());
}

// A PTZ head moving toward a target at a finite speed, like a real camera (and camsim).
class SimulatedHead {
 public:
  explicit SimulatedHead(double speed) : speed_(speed) {}
  void MoveTo(double t, double pan, double tilt) {
    Advance(t);
    target_pan_ = pan;
    target_tilt_ = tilt;
  }
  PtzSample Sample(double t) {
    Advance(t);
    const bool moving = pan_ != target_pan_ || tilt_ != target_tilt_;
    return {kT0 + Ms(static_cast<std::int64_t>(t * 1000)), pan_, tilt_, 0, moving};
  }
  bool Idle(double t) { return !Sample(t).moving; }

 private:
  void Advance(double t) {
    const double step = speed_ * (t - last_);
    auto approach = [step](double from, double to) {
      return std::abs(to - from) <= step ? to : from + (to > from ? step : -step);
    };
    pan_ = approach(pan_, target_pan_);
    tilt_ = approach(tilt_, target_tilt_);
    last_ = t;
  }
  double speed_;
  double last_ = 0, pan_ = 0, tilt_ = 0, target_pan_ = 0, target_tilt_ = 0;
};

// The target: in a randomized run of 1000 mixed hub and outsider moves, zero missed and
// zero false alarms, each outside move reported within 2 s. The camera is polled every second
// (with jitter); moves start when the previous one has finished and the camera stood still for
// at least two polls, as the watch's tolerance window documents.
TEST(MotionJudge, RandomizedThousandMixedMovesNoMissNoFalseAlarm) {
  std::mt19937 rng(20261124);
  std::uniform_real_distribution<double> position(-1.0, 1.0);
  std::uniform_real_distribution<double> jitter(-0.15, 0.15);
  std::uniform_real_distribution<double> pause(2.2, 5.0);
  std::bernoulli_distribution outsider(0.5);
  SimulatedHead head(0.5);
  MotionJudge judge;
  double t = 0;
  double next_poll = 0;
  int outside_moves = 0;
  int detected = 0;
  int false_alarms = 0;
  double worst_latency = 0;
  std::optional<double> pending_outside_start;

  auto poll_until = [&](double until) {
    while (next_poll <= until) {
      const PtzSample sample = head.Sample(next_poll);
      if (auto verdict = judge.Observe(sample);
          verdict && verdict->event == MotionEvent::kOutsideMoveStarted) {
        if (pending_outside_start) {
          ++detected;
          worst_latency = std::max(worst_latency, next_poll - *pending_outside_start);
          pending_outside_start.reset();
        } else {
          ++false_alarms;
        }
      }
      next_poll += 1.0 + jitter(rng);
    }
  };

  t = 3.0;
  poll_until(t);  // the watch has seen the camera at rest before the first move
  for (int move = 0; move < 1000; ++move) {
    double pan = position(rng);
    double tilt = position(rng);
    const PtzSample here = head.Sample(t);
    if (std::abs(pan - here.pan) < 0.05 && std::abs(tilt - here.tilt) < 0.05) pan = -here.pan;
    if (std::abs(pan - here.pan) < 0.05) pan = here.pan > 0 ? -0.5 : 0.5;
    if (outsider(rng)) {
      ++outside_moves;
      pending_outside_start = t;
      head.MoveTo(t, pan, tilt);
    } else {
      judge.HubCommand(kT0 + Ms(static_cast<std::int64_t>(t * 1000)));
      head.MoveTo(t + 0.05, pan, tilt);  // the command reaches the camera a little later
    }
    // Let the move finish, then stand still for a while (at least two polls).
    double end = t;
    while (!head.Idle(end)) end += 0.1;
    poll_until(end);
    t = end + pause(rng);
    poll_until(t);
    ASSERT_FALSE(pending_outside_start) << "outside move " << move << " was missed";
  }
  EXPECT_GT(outside_moves, 400);
  EXPECT_EQ(detected, outside_moves);
  EXPECT_EQ(false_alarms, 0);
  EXPECT_LE(worst_latency, 2.0);
}

}  // namespace
}  // namespace camguard::watch
