// SPDX-License-Identifier: Apache-2.0
#include "cameras/ptz_control.h"

#include <cmath>

#include <gtest/gtest.h>

namespace camguard::cameras {
namespace {

TEST(PtzRequest, ActionsRoundTrip) {
  for (const char* name : {"continuous_move", "absolute_move", "relative_move", "stop",
                           "goto_preset", "set_preset", "remove_preset"}) {
    auto action = ParsePtzAction(name);
    ASSERT_TRUE(action) << name;
    EXPECT_EQ(ToString(*action), name);
  }
  EXPECT_FALSE(ParsePtzAction("spin"));
}

TEST(PtzRequest, ValidationNamesTheField) {
  PtzRequest absolute{PtzAction::kAbsoluteMove, 0.5, -0.5, 0.2, std::nullopt, "", ""};
  EXPECT_TRUE(ValidatePtzRequest(absolute));
  absolute.zoom = -0.1;
  auto bad = ValidatePtzRequest(absolute);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "zoom must be a number between 0 and 1");
  absolute.zoom = 0;
  absolute.pan = std::nan("");
  EXPECT_FALSE(ValidatePtzRequest(absolute));

  PtzRequest continuous{PtzAction::kContinuousMove, 1, 0, 0, std::chrono::milliseconds(0), "", ""};
  EXPECT_FALSE(ValidatePtzRequest(continuous));
  continuous.timeout = std::chrono::milliseconds(500);
  EXPECT_TRUE(ValidatePtzRequest(continuous));

  PtzRequest go{PtzAction::kGotoPreset, 0, 0, 0, std::nullopt, "", ""};
  EXPECT_FALSE(ValidatePtzRequest(go));
  go.preset_token = "1";
  EXPECT_TRUE(ValidatePtzRequest(go));
  PtzRequest set{PtzAction::kSetPreset, 0, 0, 0, std::nullopt, "", "Door\n"};
  EXPECT_FALSE(ValidatePtzRequest(set));
}

}  // namespace
}  // namespace camguard::cameras
