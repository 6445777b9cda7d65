// SPDX-License-Identifier: Apache-2.0
#include "base/redacted.h"

#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace camguard::base {
namespace {

TEST(Redacted, FormatsAsStarsAndRevealsOnlyOnRequest) {
  const Redacted<std::string> password("hunter2");
  EXPECT_EQ(fmt::format("password={}", password), "password=***");
  EXPECT_EQ(fmt::format("[{:>5}]", password), "[  ***]");
  EXPECT_EQ(password.Reveal(), "hunter2");
}

}  // namespace
}  // namespace camguard::base
