// SPDX-License-Identifier: Apache-2.0
#include "base/clock.h"

#include <ctime>

#include <fmt/format.h>

namespace camguard::base {

WallTime SystemClock::Now() const { return std::chrono::system_clock::now(); }

std::string FormatRfc3339(WallTime t) {
  const std::int64_t ms = ToUnixMillis(t);
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

}  // namespace camguard::base
