// SPDX-License-Identifier: Apache-2.0
#include "auth/login_throttle.h"

#include <string>

#include <gtest/gtest.h>

namespace camguard::auth {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

ThrottleParams SmallParams() {
  ThrottleParams params;
  params.free_failures = 2;
  params.base_delay = seconds(1);
  params.max_delay = seconds(8);
  params.forget_after = hours(1);
  params.max_tracked = 100;
  return params;
}

class LoginThrottleTest : public ::testing::Test {
 protected:
  void Fail(std::string_view address, std::string_view account, int times = 1) {
    for (int i = 0; i < times; ++i) throttle_.RecordFailure(address, account);
  }
  bool Allowed(std::string_view address, std::string_view account, bool trusted = false) const {
    return throttle_.Check(address, account, trusted).allowed;
  }

  base::FakeClock clock_;
  LoginThrottle throttle_{clock_, SmallParams()};
};

TEST_F(LoginThrottleTest, AllowsTheFreeFailures) {
  EXPECT_TRUE(Allowed("10.0.0.1", "alice"));
  Fail("10.0.0.1", "alice", 2);
  const auto decision = throttle_.Check("10.0.0.1", "alice", false);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.retry_after, milliseconds(0));
}

TEST_F(LoginThrottleTest, DelaysDoubleAfterEachFailureUpToTheCap) {
  Fail("10.0.0.1", "alice", 2);
  for (const auto expected :
       {seconds(1), seconds(2), seconds(4), seconds(8), seconds(8), seconds(8)}) {
    Fail("10.0.0.1", "alice");
    const auto decision = throttle_.Check("10.0.0.1", "alice", false);
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.retry_after, expected);
    clock_.Advance(expected - milliseconds(1));
    EXPECT_FALSE(Allowed("10.0.0.1", "alice"));
    clock_.Advance(milliseconds(1));
    EXPECT_TRUE(Allowed("10.0.0.1", "alice"));
  }
}

TEST_F(LoginThrottleTest, RetryAfterCountsDownFromTheLastFailure) {
  Fail("10.0.0.1", "alice", 4);  // delay 2 s
  clock_.Advance(milliseconds(300));
  EXPECT_EQ(throttle_.Check("10.0.0.1", "alice", false).retry_after, milliseconds(1700));
}

TEST_F(LoginThrottleTest, AccountCounterBlocksEveryAddress) {
  // A distributed guesser: each address stays within its free failures.
  for (int i = 0; i < 3; ++i) Fail("10.0.0." + std::to_string(i), "alice");
  EXPECT_FALSE(Allowed("10.9.9.9", "alice"));
  EXPECT_TRUE(Allowed("10.9.9.9", "bob"));
}

TEST_F(LoginThrottleTest, TrustedHolderIsNotBlockedByTheAccountCounter) {
  for (int i = 0; i < 6; ++i) Fail("10.0.0." + std::to_string(i), "alice");
  EXPECT_FALSE(Allowed("192.168.1.20", "alice", false));
  const auto decision = throttle_.Check("192.168.1.20", "alice", true);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.retry_after, milliseconds(0));
}

TEST_F(LoginThrottleTest, AddressCounterStillAppliesToTrustedHolder) {
  Fail("10.0.0.1", "alice");
  Fail("10.0.0.1", "bob");
  Fail("10.0.0.1", "carol");  // three accounts, one failure each: only the address is over
  EXPECT_TRUE(Allowed("10.0.0.2", "alice"));
  EXPECT_FALSE(Allowed("10.0.0.1", "dave", true));
  EXPECT_FALSE(Allowed("10.0.0.1", "alice", true));
  EXPECT_EQ(throttle_.Check("10.0.0.1", "alice", true).retry_after, seconds(1));
}

TEST_F(LoginThrottleTest, ComparesAccountsIgnoringCase) {
  Fail("10.0.0.1", "Alice");
  Fail("10.0.0.2", "ALICE");
  Fail("10.0.0.3", "alice");
  EXPECT_FALSE(Allowed("10.0.0.4", "aLiCe"));
}

TEST_F(LoginThrottleTest, TracksUnknownAccountsLikeKnownOnes) {
  Fail("10.0.0.1", "no-such-user", 3);
  EXPECT_FALSE(Allowed("10.0.0.2", "no-such-user"));
}

TEST_F(LoginThrottleTest, SuccessResetsBothCounters) {
  Fail("10.0.0.1", "alice", 5);
  Fail("10.0.0.2", "alice", 5);
  clock_.Advance(seconds(8));
  throttle_.RecordSuccess("10.0.0.1", "alice");
  // Both counters restart from zero: two more failures are free again.
  Fail("10.0.0.1", "alice", 2);
  EXPECT_TRUE(Allowed("10.0.0.1", "alice"));
  // The other address keeps its own history.
  Fail("10.0.0.2", "bob");
  EXPECT_FALSE(Allowed("10.0.0.2", "bob"));
}

TEST_F(LoginThrottleTest, ForgetsFailuresAfterForgetAfter) {
  Fail("10.0.0.1", "alice", 10);
  clock_.Advance(hours(1) - milliseconds(1));
  EXPECT_TRUE(Allowed("10.0.0.1", "alice"));  // the capped delay is over anyway
  Fail("10.0.0.1", "alice");                  // still remembered: failure 11 is delayed
  EXPECT_FALSE(Allowed("10.0.0.1", "alice"));
  clock_.Advance(hours(1));
  EXPECT_TRUE(Allowed("10.0.0.1", "alice"));
  Fail("10.0.0.1", "alice", 2);  // counting restarted: these are free
  EXPECT_TRUE(Allowed("10.0.0.1", "alice"));
  Fail("10.0.0.1", "alice");
  EXPECT_EQ(throttle_.Check("10.0.0.1", "alice", false).retry_after, seconds(1));
}

TEST_F(LoginThrottleTest, ClockSteppingBackDoesNotForget) {
  Fail("10.0.0.1", "alice", 3);
  clock_.Advance(-hours(5));
  EXPECT_FALSE(Allowed("10.0.0.1", "alice"));
}

TEST(LoginThrottle, EvictsTheOldestEntryWhenFull) {
  base::FakeClock clock;
  ThrottleParams params = SmallParams();
  params.max_tracked = 3;
  LoginThrottle throttle(clock, params);
  for (int i = 0; i < 3; ++i) throttle.RecordFailure("10.0.0.1", "alice");
  ASSERT_FALSE(throttle.Check("10.0.0.1", "alice", false).allowed);
  clock.Advance(milliseconds(10));
  throttle.RecordFailure("10.0.0.2", "bob");
  throttle.RecordFailure("10.0.0.3", "carol");
  // Three addresses and three accounts tracked: nothing evicted yet.
  EXPECT_FALSE(throttle.Check("10.0.0.1", "dave", false).allowed);
  EXPECT_FALSE(throttle.Check("10.0.0.9", "alice", false).allowed);
  throttle.RecordFailure("10.0.0.4", "erin");
  // The fourth key pushed out the oldest address and the oldest account.
  EXPECT_TRUE(throttle.Check("10.0.0.1", "dave", false).allowed);
  EXPECT_TRUE(throttle.Check("10.0.0.9", "alice", false).allowed);
}

TEST(LoginThrottle, EvictionKeepsRecentlyFailingEntries) {
  base::FakeClock clock;
  ThrottleParams params = SmallParams();
  params.max_tracked = 3;
  LoginThrottle throttle(clock, params);
  throttle.RecordFailure("10.0.0.1", "alice");
  throttle.RecordFailure("10.0.0.2", "bob");
  throttle.RecordFailure("10.0.0.3", "carol");
  throttle.RecordFailure("10.0.0.1", "alice");  // 10.0.0.1 and alice become the newest
  throttle.RecordFailure("10.0.0.4", "dave");   // evicts 10.0.0.2 and bob
  throttle.RecordFailure("10.0.0.1", "alice");
  EXPECT_FALSE(throttle.Check("10.0.0.1", "zed", false).allowed);
  EXPECT_FALSE(throttle.Check("10.0.0.9", "alice", false).allowed);
}

TEST(LoginThrottle, KeepsLongAccountNamesApart) {
  base::FakeClock clock;
  LoginThrottle throttle(clock, SmallParams());
  const std::string long_a = std::string(5000, 'a');
  const std::string long_b = std::string(5000, 'a') + "b";
  for (int i = 0; i < 3; ++i) throttle.RecordFailure("10.0.0." + std::to_string(i), long_a);
  EXPECT_FALSE(throttle.Check("10.0.0.9", long_a, false).allowed);
  EXPECT_FALSE(throttle.Check("10.0.0.9", std::string(5000, 'A'), false).allowed);
  EXPECT_TRUE(throttle.Check("10.0.0.9", long_b, false).allowed);
}

TEST(LoginThrottle, DefaultsMatchTheDocumentedPolicy) {
  const ThrottleParams params;
  EXPECT_EQ(params.free_failures, 5);
  EXPECT_EQ(params.base_delay, seconds(1));
  EXPECT_EQ(params.max_delay, std::chrono::minutes(15));
  EXPECT_EQ(params.forget_after, hours(24));
  EXPECT_EQ(params.max_tracked, 10000u);
  base::FakeClock clock;
  LoginThrottle throttle(clock, params);
  for (int i = 0; i < 5; ++i) throttle.RecordFailure("10.0.0.1", "alice");
  EXPECT_TRUE(throttle.Check("10.0.0.1", "alice", false).allowed);
  for (int i = 0; i < 20; ++i) throttle.RecordFailure("10.0.0.1", "alice");
  EXPECT_EQ(throttle.Check("10.0.0.1", "alice", false).retry_after, std::chrono::minutes(15));
}

}  // namespace
}  // namespace camguard::auth
