// SPDX-License-Identifier: Apache-2.0
#include "base/clock.h"

#include <gtest/gtest.h>

namespace camguard::base {
namespace {

using std::chrono::milliseconds;

TEST(Clock, FormatsRfc3339InUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'700'000'000'123)), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'709'164'800'000)), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'735'689'599'999)), "2024-12-31T23:59:59.999Z");
}

TEST(Clock, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(-1000)), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(-1001)), "1969-12-31T23:59:58.999Z");
}

TEST(Clock, ConvertsUnixMillisBothWays) {
  const WallTime t = FromUnixMillis(1'700'000'000'123);
  EXPECT_EQ(ToUnixMillis(t), 1'700'000'000'123);
  EXPECT_EQ(ToUnixMillis(FromUnixMillis(-5)), -5);
}

TEST(FakeClock, StartsAtAFixedTimeAndMovesOnlyWhenTold) {
  FakeClock clock;
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1'700'000'000'000);
  EXPECT_EQ(clock.Now(), clock.Now());
  clock.Advance(milliseconds(1500));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1'700'000'001'500);
  clock.Set(FromUnixMillis(42));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 42);
}

TEST(SystemClock, IsAfterTheSkeletonWasWritten) {
  // A real clock; only a sanity bound (2023-11-14), not a timing assertion.
  EXPECT_GT(ToUnixMillis(SystemClock().Now()), 1'700'000'000'000);
}

}  // namespace
}  // namespace camguard::base

namespace camguard::base {
namespace {

TEST(ParseRfc3339, AcceptsUtcOffsetsAndFractions) {
  EXPECT_EQ(ToUnixMillis(*ParseRfc3339("1970-01-01T00:00:00Z")), 0);
  EXPECT_EQ(ToUnixMillis(*ParseRfc3339("2026-11-23T21:29:47.123Z")), 1795469387123);
  EXPECT_EQ(ParseRfc3339("2026-11-23T22:29:47+01:00"), ParseRfc3339("2026-11-23T21:29:47Z"));
  EXPECT_EQ(ParseRfc3339("2026-11-23T21:29:47.5z"), FromUnixMillis(1795469387500));
}

TEST(ParseRfc3339, RefusesMalformedAndUnrepresentableTimes) {
  for (const char* text :
       {"", "2026-11-23", "2026-11-23 21:29:47Z", "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T21:29:47", "2026-11-23T21:29:47.Z", "2026-11-23T21:29:47+0100",
        "7862-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2026-11-23T21:29:47Zjunk"}) {
    EXPECT_FALSE(ParseRfc3339(text)) << text;
  }
}

}  // namespace
}  // namespace camguard::base
