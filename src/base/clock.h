// SPDX-License-Identifier: Apache-2.0
// Time is injected: nothing outside base/clock.cpp reads the system clock, so expiry,
// throttling and TOTP are testable with FakeClock.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace camguard::base {

using WallTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime Now() const override;
};

// Manually advanced clock for tests. Thread: any, but not synchronized.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = WallTime(std::chrono::seconds(1'700'000'000)))
      : now_(start) {}
  WallTime Now() const override { return now_; }
  void Advance(Duration d) { now_ += d; }
  void Set(WallTime t) { now_ = t; }

 private:
  WallTime now_;
};

// Milliseconds since the Unix epoch, the unit stored in the database.
inline std::int64_t ToUnixMillis(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline WallTime FromUnixMillis(std::int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

// RFC 3339 UTC with milliseconds, e.g. 2026-11-23T21:29:47.123Z.
std::string FormatRfc3339(WallTime t);

}  // namespace camguard::base

namespace camguard::base {
// Parses RFC 3339 date-time ("2026-11-23T21:29:47Z", fractional seconds and ±hh:mm offsets
// accepted), years 1970 to 2200. Returns nullopt on anything else.
std::optional<WallTime> ParseRfc3339(std::string_view text);
}  // namespace camguard::base
