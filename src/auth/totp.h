// SPDX-License-Identifier: Apache-2.0
// Time-based one-time passwords: RFC 6238 TOTP over RFC 4226 HOTP with HMAC-SHA1,
// 30-second steps and 6 digits, the profile every authenticator app supports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace camguard::auth::totp {

inline constexpr int kStepSeconds = 30;
inline constexpr int kDigits = 6;

// 20 random bytes, raw (RFC 4226 §4 R6 recommends a 160-bit shared secret); Base32 appears
// only in the otpauth:// URI.
std::string GenerateSecret();

// floor(unix_seconds / 30) (RFC 6238 §4.2, T0 = 0); times before 1970 round down too.
std::int64_t StepAt(base::WallTime t);

// The HOTP value (RFC 4226 §5.3) for counter `step`, zero-padded to `digits` (1..9).
// Returns an empty string for other digit counts.
std::string Code(std::string_view secret, std::int64_t step, int digits = kDigits);

// Accepts the codes of steps now-1, now and now+1 (RFC 6238 §5.2: one step of clock drift
// either way, no more). Returns the matched step only if it is greater than
// `last_used_step`, so a code cannot be used twice, nor an older code after a newer one
// (RFC 6238 §5.2, "MUST NOT accept the second attempt of the same OTP"). The caller stores
// the returned step as the new `last_used_step`. Anything but exactly 6 ASCII digits, or an
// empty secret, gives nullopt.
std::optional<std::int64_t> Verify(std::string_view secret, std::string_view code,
                                   base::WallTime now, std::int64_t last_used_step);

// otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30
// (Google Authenticator key URI format; issuer and account percent-encoded, Base32 unpadded).
std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view secret);

}  // namespace camguard::auth::totp
