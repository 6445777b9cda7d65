// SPDX-License-Identifier: Apache-2.0
#include "auth/totp.h"

#include <array>
#include <chrono>

#include "base/encoding.h"
#include "crypto/crypto.h"

namespace camguard::auth::totp {

std::string GenerateSecret() { return crypto::RandomBytes(20); }

std::int64_t StepAt(base::WallTime t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  // Floor division, so that negative times map to negative steps without rounding toward 0.
  std::int64_t step = seconds / kStepSeconds;
  if (seconds % kStepSeconds < 0) --step;
  return step;
}

std::string Code(std::string_view secret, std::int64_t step, int digits) {
  static constexpr std::array<std::uint32_t, 10> kPowersOfTen = {
      1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
  if (digits < 1 || digits > 9) return {};
  // RFC 4226 §5.2: the counter is an 8-byte big-endian value.
  const auto counter = static_cast<std::uint64_t>(step);
  std::string message(8, '\0');
  for (int i = 0; i < 8; ++i) {
    message[static_cast<std::size_t>(7 - i)] = static_cast<char>((counter >> (8 * i)) & 0xff);
  }
  const std::string mac = crypto::HmacSha1(secret, message);
  // RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks 4 bytes, of which
  // the top bit is masked off.
  const auto byte = [&mac](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(mac[i]));
  };
  const std::size_t offset = byte(mac.size() - 1) & 0x0f;
  const std::uint32_t binary = ((byte(offset) & 0x7f) << 24) | (byte(offset + 1) << 16) |
                               (byte(offset + 2) << 8) | byte(offset + 3);
  std::string code = std::to_string(binary % kPowersOfTen[static_cast<std::size_t>(digits)]);
  code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
  return code;
}

std::optional<std::int64_t> Verify(std::string_view secret, std::string_view code,
                                   base::WallTime now, std::int64_t last_used_step) {
  if (secret.empty() || code.size() != static_cast<std::size_t>(kDigits)) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const std::int64_t current = StepAt(now);
  std::optional<std::int64_t> matched;
  // All three candidates are computed and compared in constant time, so the response time
  // does not reveal which step (if any) matched.
  for (std::int64_t step = current - 1; step <= current + 1; ++step) {
    if (crypto::ConstantTimeEqual(Code(secret, step, kDigits), code) && step > last_used_step) {
      matched = step;
    }
  }
  return matched;
}

std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view secret) {
  const std::string encoded_issuer = base::PercentEncode(issuer);
  std::string uri = "otpauth://totp/";
  uri += encoded_issuer;
  uri += ':';
  uri += base::PercentEncode(account);
  uri += "?secret=";
  uri += base::Base32Encode(secret);
  uri += "&issuer=";
  uri += encoded_issuer;
  uri += "&algorithm=SHA1&digits=6&period=30";
  return uri;
}

}  // namespace camguard::auth::totp
