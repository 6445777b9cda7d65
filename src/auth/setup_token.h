// SPDX-License-Identifier: Apache-2.0
// The one-time setup token that replaces every default password: printed on the console and
// written to DATA_DIR/setup-token (0600) while no owner exists; 256 bits, single use, expires
// after one hour; a restart issues a new one. Only its hash is kept in memory.
// Thread: loop only.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"

namespace camguard::auth {

class SetupToken {
 public:
  static constexpr auto kLifetime = std::chrono::hours(1);

  SetupToken(const base::Clock& clock, std::filesystem::path file)
      : clock_(clock), file_(std::move(file)) {}

  // Creates a fresh token, writes the file, and returns the token text to print.
  base::Result<std::string> Issue();

  enum class Check { kValid, kWrong, kExpired, kNone };
  Check Verify(std::string_view candidate) const;

  // Invalidates the token and removes the file (after the owner was created).
  base::Status Consume();
  bool active() const { return hash_.has_value(); }

 private:
  const base::Clock& clock_;
  std::filesystem::path file_;
  std::optional<std::string> hash_;
  base::WallTime expires_{};
};

}  // namespace camguard::auth
