// SPDX-License-Identifier: Apache-2.0
// Redacted<T> wraps a secret (password, token, TOTP seed, camera credential) so that
// formatting it for a log prints "***". Reading the value is explicit: Reveal().
#pragma once

#include <utility>

#include <fmt/format.h>

namespace camguard::base {

template <typename T>
class Redacted {
 public:
  Redacted() = default;
  explicit Redacted(T value) : value_(std::move(value)) {}
  const T& Reveal() const { return value_; }
  T& RevealMutable() { return value_; }

 private:
  T value_{};
};

}  // namespace camguard::base

template <typename T>
struct fmt::formatter<camguard::base::Redacted<T>> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const camguard::base::Redacted<T>&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
