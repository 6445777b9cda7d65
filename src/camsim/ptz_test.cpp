// SPDX-License-Identifier: Apache-2.0
#include "camsim/ptz.h"

#include <cmath>

#include <gtest/gtest.h>

namespace camguard::camsim {
namespace {

using std::chrono::milliseconds;

const PtzTime kStart{std::chrono::seconds(1000)};

TEST(PtzModel, AbsoluteMoveTakesTimeAtTheConfiguredSpeed) {
  PtzModel ptz(0.5);
  ptz.Status(kStart);
  ptz.AbsoluteMove(kStart, {1.0, 0.0, 0.0});
  const PtzStatus half = ptz.Status(kStart + milliseconds(1000));
  EXPECT_NEAR(half.position.pan, 0.5, 1e-9);
  EXPECT_TRUE(half.pan_tilt_moving);
  const PtzStatus done = ptz.Status(kStart + milliseconds(2000));
  EXPECT_DOUBLE_EQ(done.position.pan, 1.0);
  EXPECT_FALSE(done.pan_tilt_moving);
}

TEST(PtzModel, ContinuousMoveStopsAtTimeoutAndLimits) {
  PtzModel ptz(0.5);
  ptz.Status(kStart);
  ptz.ContinuousMove(kStart, {-1.0, 0.5, 0.0}, milliseconds(1000));
  const PtzStatus moving = ptz.Status(kStart + milliseconds(500));
  EXPECT_TRUE(moving.pan_tilt_moving);
  const PtzStatus after = ptz.Status(kStart + milliseconds(3000));
  EXPECT_NEAR(after.position.pan, -0.5, 1e-9);  // 1 s at full speed, then the timeout
  EXPECT_NEAR(after.position.tilt, 0.25, 1e-9);
  EXPECT_FALSE(after.pan_tilt_moving);

  ptz.ContinuousMove(kStart + milliseconds(3000), {-1.0, 0.0, 0.0}, std::nullopt);
  const PtzStatus limit = ptz.Status(kStart + milliseconds(10000));
  EXPECT_DOUBLE_EQ(limit.position.pan, -1.0);
  EXPECT_FALSE(limit.pan_tilt_moving);  // pushing against the end stop moves nothing
}

TEST(PtzModel, StopHoldsTheCurrentPosition) {
  PtzModel ptz(1.0);
  ptz.Status(kStart);
  ptz.AbsoluteMove(kStart, {0.0, -1.0, 1.0});
  ptz.Stop(kStart + milliseconds(250), true, false);
  const PtzStatus status = ptz.Status(kStart + milliseconds(2000));
  EXPECT_NEAR(status.position.tilt, -0.25, 1e-9);
  EXPECT_DOUBLE_EQ(status.position.zoom, 1.0);  // zoom was not stopped
  EXPECT_FALSE(status.pan_tilt_moving);
}

TEST(PtzModel, RelativeMoveAndClamping) {
  PtzModel ptz(10.0);
  ptz.Status(kStart);
  ptz.RelativeMove(kStart, {0.7, 0.0, 0.0});
  ptz.RelativeMove(kStart + milliseconds(1000), {0.7, 0.0, -5.0});
  const PtzStatus status = ptz.Status(kStart + milliseconds(2000));
  EXPECT_DOUBLE_EQ(status.position.pan, 1.0);
  EXPECT_DOUBLE_EQ(status.position.zoom, 0.0);
}

TEST(PtzModel, PresetsStoreAndReturn) {
  PtzModel ptz(10.0);
  ptz.Teleport(kStart, {0.3, 0.2, 0.1});
  const std::string token = ptz.SetPreset(kStart, "door", std::nullopt).value();
  ptz.Teleport(kStart, {-0.9, 0.0, 0.0});
  ASSERT_TRUE(ptz.GotoPreset(kStart, token));
  const PtzStatus status = ptz.Status(kStart + milliseconds(1000));
  EXPECT_DOUBLE_EQ(status.position.pan, 0.3);
  EXPECT_EQ(ptz.presets().at(token).name, "door");
  EXPECT_FALSE(ptz.GotoPreset(kStart, "nope"));
  EXPECT_TRUE(ptz.RemovePreset(token));
  EXPECT_FALSE(ptz.RemovePreset(token));
}

TEST(PtzModel, NanInputDoesNotPoisonThePosition) {
  PtzModel ptz(1.0);
  ptz.Status(kStart);
  ptz.AbsoluteMove(kStart, {std::nan(""), 0.5, std::nan("")});
  const PtzStatus status = ptz.Status(kStart + milliseconds(5000));
  EXPECT_DOUBLE_EQ(status.position.pan, 0.0);
  EXPECT_DOUBLE_EQ(status.position.tilt, 0.5);
}

TEST(ViewAt, MapsPositionsToScenes) {
  EXPECT_EQ(ViewAt({0, 0, 0}), "home");
  EXPECT_EQ(ViewAt({-0.8, 0, 0}), "left");
  EXPECT_EQ(ViewAt({0.8, 0, 0}), "right");
  EXPECT_EQ(ViewAt({0.8, -0.9, 0}), "down");
}

}  // namespace
}  // namespace camguard::camsim
