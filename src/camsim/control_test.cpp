// SPDX-License-Identifier: Apache-2.0
#include "camsim/control.h"

#include <gtest/gtest.h>

namespace camguard::camsim {
namespace {

TEST(ControlCommand, ParsesPtzMotions) {
  auto absolute = ParseControlCommand("ptz 2 absolute 0.8 -0.1", 4);
  ASSERT_TRUE(absolute) << absolute.error().message;
  EXPECT_EQ(absolute->verb, ControlVerb::kPtzAbsolute);
  EXPECT_EQ(absolute->camera, 2);
  EXPECT_DOUBLE_EQ(absolute->vector.pan, 0.8);
  EXPECT_DOUBLE_EQ(absolute->vector.tilt, -0.1);

  auto continuous = ParseControlCommand("  ptz 1 continuous -1 0 2.5 ", 1);
  ASSERT_TRUE(continuous);
  EXPECT_EQ(continuous->verb, ControlVerb::kPtzContinuous);
  EXPECT_EQ(continuous->seconds, 2.5);
  EXPECT_EQ(ParseControlCommand("ptz 1 stop", 1)->verb, ControlVerb::kPtzStop);
}

TEST(ControlCommand, ParsesAccountsAndSettings) {
  auto add = ParseControlCommand("add-user 1 mirai xc3511 Operator", 1);
  ASSERT_TRUE(add);
  EXPECT_EQ(add->name, "mirai");
  EXPECT_EQ(add->password, "xc3511");
  EXPECT_EQ(add->level, UserLevel::kOperator);
  auto dns = ParseControlCommand("set-dns 1 127.0.0.66 127.0.0.67", 1);
  ASSERT_TRUE(dns);
  EXPECT_EQ(dns->values.size(), 2U);
  EXPECT_TRUE(ParseControlCommand("cover 1 on", 1)->on);
  EXPECT_EQ(ParseControlCommand("view 1 left", 1)->name, "left");
}

TEST(ControlCommand, ParsesUdpFaults) {
  auto loss = ParseControlCommand("udp-loss 1 30", 1);
  ASSERT_TRUE(loss) << loss.error().message;
  EXPECT_EQ(loss->verb, ControlVerb::kUdpLoss);
  EXPECT_TRUE(ParseControlCommand("udp-reorder 1 5", 1));
  EXPECT_FALSE(ParseControlCommand("udp-loss 1 101", 1));
  EXPECT_FALSE(ParseControlCommand("udp-loss 1", 1));
}

TEST(ControlCommand, RefusesBadInputWithAReason) {
  for (const char* line : {"", "ptz", "ptz 0 stop", "ptz 5 stop", "ptz 1.5 stop", "ptz 1 fly 1 2",
                           "ptz 1 absolute x 0", "ptz 1 absolute 1", "ptz 1 continuous 1 0 -2",
                           "cover 1 maybe", "view 1 ceiling", "add-user 1 onlyname",
                           "add-user 1 a b Root", "launch 1", "ptz 1 absolute nan 0"}) {
    auto command = ParseControlCommand(line, 4);
    EXPECT_FALSE(command) << line;
    if (!command) {
      EXPECT_FALSE(command.error().message.empty());
    }
  }
  EXPECT_FALSE(ParseControlCommand(std::string(2000, 'a'), 1));
}

}  // namespace
}  // namespace camguard::camsim
