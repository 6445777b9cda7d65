// SPDX-License-Identifier: Apache-2.0
#include "base/result.h"

#include <set>

#include <gtest/gtest.h>

namespace camguard::base {
namespace {

Result<int> ParsePositive(int value) {
  if (value <= 0) return Fail(ErrorCode::kInvalidArgument, "not positive");
  return value;
}

Result<int> Doubled(int value) {
  CAMGUARD_TRY(const int parsed, ParsePositive(value));
  return parsed * 2;
}

Status CheckBoth(int a, int b) {
  CAMGUARD_TRY_STATUS(ParsePositive(a));
  CAMGUARD_TRY_STATUS(ParsePositive(b));
  return Ok();
}

TEST(Result, TryPassesValuesThroughAndReturnsErrorsEarly) {
  EXPECT_EQ(*Doubled(4), 8);
  auto failed = Doubled(-1);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failed.error().message, "not positive");
  EXPECT_TRUE(CheckBoth(1, 2));
  EXPECT_FALSE(CheckBoth(1, 0));
}

TEST(Result, WrapPrependsContextAndKeepsTheCode) {
  const Error original{ErrorCode::kNotFound, "no such file"};
  Result<int> wrapped = Wrap(original, "reading config");
  ASSERT_FALSE(wrapped);
  EXPECT_EQ(wrapped.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(wrapped.error().message, "reading config: no such file");
}

TEST(Result, EveryErrorCodeHasItsOwnName) {
  EXPECT_EQ(ToString(ErrorCode::kInvalidArgument), "invalid_argument");
  EXPECT_EQ(ToString(ErrorCode::kDataLoss), "data_loss");
  EXPECT_EQ(ToString(ErrorCode::kInternal), "internal");
  std::set<std::string_view> names;
  for (int code = 0; code <= static_cast<int>(ErrorCode::kInternal); ++code) {
    names.insert(ToString(static_cast<ErrorCode>(code)));
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(ErrorCode::kInternal) + 1);
}

}  // namespace
}  // namespace camguard::base
