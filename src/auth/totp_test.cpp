// SPDX-License-Identifier: Apache-2.0
#include "auth/totp.h"

#include <array>
#include <chrono>

#include <gtest/gtest.h>

namespace camguard::auth::totp {
namespace {

// The shared secret of RFC 4226 Appendix D and RFC 6238 Appendix B (SHA-1).
constexpr std::string_view kRfcSecret = "12345678901234567890";

base::WallTime At(std::int64_t unix_seconds) {
  return base::WallTime(std::chrono::seconds(unix_seconds));
}

TEST(Hotp, MatchesRfc4226AppendixDValues) {
  constexpr std::array<std::string_view, 10> kExpected = {"755224", "287082", "359152", "969429",
                                                          "338314", "254676", "287922", "162583",
                                                          "399871", "520489"};
  for (std::size_t count = 0; count < kExpected.size(); ++count) {
    EXPECT_EQ(Code(kRfcSecret, static_cast<std::int64_t>(count)), kExpected[count])
        << "count " << count;
  }
}

TEST(Totp, MatchesRfc6238AppendixBSha1Vectors) {
  struct Vector {
    std::int64_t unix_seconds;
    std::string_view code;
  };
  constexpr std::array<Vector, 6> kVectors = {{{59, "94287082"},
                                               {1111111109, "07081804"},
                                               {1111111111, "14050471"},
                                               {1234567890, "89005924"},
                                               {2000000000, "69279037"},
                                               {20000000000, "65353130"}}};
  // WallTime counts nanoseconds in 64 bits, so it ends in 2262: the year-2603 vector is
  // checked through its step only.
  const std::int64_t max_wall_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(base::WallTime::max().time_since_epoch())
          .count();
  for (const Vector& vector : kVectors) {
    const std::int64_t step = vector.unix_seconds / 30;
    EXPECT_EQ(Code(kRfcSecret, step, 8), vector.code) << vector.unix_seconds;
    if (vector.unix_seconds < max_wall_seconds) {
      EXPECT_EQ(StepAt(At(vector.unix_seconds)), step) << vector.unix_seconds;
    }
  }
}

TEST(Totp, StepIsFloorOfUnixSecondsOverThirty) {
  EXPECT_EQ(StepAt(At(0)), 0);
  EXPECT_EQ(StepAt(At(29)), 0);
  EXPECT_EQ(StepAt(At(30)), 1);
  EXPECT_EQ(StepAt(At(59)), 1);
  EXPECT_EQ(StepAt(At(1111111109)), 37037036);
  EXPECT_EQ(StepAt(At(-1)), -1);
  EXPECT_EQ(StepAt(base::WallTime(std::chrono::milliseconds(29'999))), 0);
}

TEST(Totp, CodeHasRequestedDigitsWithLeadingZeros) {
  // Step 37037036 gives 07081804 with 8 digits (RFC 6238 Appendix B); 6 digits keep "081804".
  EXPECT_EQ(Code(kRfcSecret, 37037036, 6), "081804");
  EXPECT_EQ(Code(kRfcSecret, 37037036, 0), "");
  EXPECT_EQ(Code(kRfcSecret, 37037036, 10), "");
}

TEST(Totp, AcceptsCodesOfCurrentAndAdjacentSteps) {
  const base::WallTime now = At(1'700'000'015);
  const std::int64_t step = StepAt(now);
  for (std::int64_t delta : {-1, 0, 1}) {
    const auto matched = Verify(kRfcSecret, Code(kRfcSecret, step + delta), now, 0);
    ASSERT_TRUE(matched.has_value()) << "delta " << delta;
    EXPECT_EQ(*matched, step + delta);
  }
}

TEST(Totp, RejectsCodesTwoOrMoreStepsAway) {
  const base::WallTime now = At(1'700'000'015);
  const std::int64_t step = StepAt(now);
  for (std::int64_t delta : {-3, -2, 2, 3}) {
    EXPECT_FALSE(Verify(kRfcSecret, Code(kRfcSecret, step + delta), now, 0).has_value()) << delta;
  }
}

TEST(Totp, RejectsCodeReusedInSameStep) {
  const base::WallTime now = At(1'700'000'015);
  const std::string code = Code(kRfcSecret, StepAt(now));
  const auto first = Verify(kRfcSecret, code, now, 0);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(Verify(kRfcSecret, code, now, *first).has_value());
  // Still refused a few seconds later, while the code remains inside the window.
  EXPECT_FALSE(Verify(kRfcSecret, code, now + std::chrono::seconds(20), *first).has_value());
}

TEST(Totp, RejectsOlderCodeAfterNewerOne) {
  const base::WallTime now = At(1'700'000'015);
  const std::int64_t step = StepAt(now);
  const auto newer = Verify(kRfcSecret, Code(kRfcSecret, step + 1), now, 0);
  ASSERT_EQ(newer, step + 1);
  EXPECT_FALSE(Verify(kRfcSecret, Code(kRfcSecret, step), now, *newer).has_value());
  EXPECT_FALSE(Verify(kRfcSecret, Code(kRfcSecret, step - 1), now, *newer).has_value());
}

TEST(Totp, RejectsMalformedCodes) {
  const base::WallTime now = At(1'700'000'015);
  const std::string good = Code(kRfcSecret, StepAt(now));
  ASSERT_TRUE(Verify(kRfcSecret, good, now, 0).has_value());
  for (const std::string& bad :
       {std::string(), good.substr(0, 5), good + "0", " " + good, good + " ",
        good.substr(0, 3) + " " + good.substr(3), std::string("12345a"), std::string("-12345"),
        std::string("+12345"), std::string("12345\0", 6), std::string("\xef\xbc\x91\xef\xbc\x92"),
        std::string(1000, '1')}) {
    EXPECT_FALSE(Verify(kRfcSecret, bad, now, 0).has_value()) << "input of size " << bad.size();
  }
}

TEST(Totp, RejectsAnyCodeForAnEmptySecret) {
  const base::WallTime now = At(1'700'000'015);
  EXPECT_FALSE(Verify("", Code("", StepAt(now)), now, 0).has_value());
}

TEST(Totp, GeneratesDistinctTwentyByteSecrets) {
  const std::string a = GenerateSecret();
  const std::string b = GenerateSecret();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_EQ(b.size(), 20u);
  EXPECT_NE(a, b);
}

TEST(Totp, BuildsPercentEncodedOtpauthUri) {
  EXPECT_EQ(OtpauthUri("camguard", "alice", kRfcSecret),
            "otpauth://totp/camguard:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=camguard"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(OtpauthUri("Home Hub", "bob@example.org", "\x01\x02"),
            "otpauth://totp/Home%20Hub:bob%40example.org?secret=AEBA&issuer=Home%20Hub"
            "&algorithm=SHA1&digits=6&period=30");
  // Characters with a meaning in URIs cannot break out of their component.
  const std::string uri = OtpauthUri("a&b", "c?d:e", kRfcSecret);
  EXPECT_NE(uri.find("/a%26b:c%3Fd%3Ae?"), std::string::npos) << uri;
  EXPECT_NE(uri.find("&issuer=a%26b&"), std::string::npos) << uri;
}

}  // namespace
}  // namespace camguard::auth::totp
