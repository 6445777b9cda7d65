// SPDX-License-Identifier: Apache-2.0
// The default and weak credentials the audit tries: a short list of our own, ordered by how
// often cameras ship with them, so that the few tries a lockout-aware audit can afford (see
// kLoginFailureBudget) go to the likeliest pairs. Telnet has its own list: embedded Linux root
// passwords that botnets try first.
#pragma once

#include <string_view>
#include <vector>

namespace camguard::scan {

struct CredentialPair {
  std::string_view username;
  std::string_view password;
};

// Web, RTSP and ONVIF logins.
const std::vector<CredentialPair>& CameraCredentials();
// Telnet logins.
const std::vector<CredentialPair>& TelnetCredentials();

// Wrong logins the audit allows itself per service without --brute-force-test: below the five
// failures after which cameras with a lockout commonly lock the client out (the hub records
// from the same address, so locking it out would stop recording).
inline constexpr int kLoginFailureBudget = 4;
// Wrong logins in the opt-in brute-force test.
inline constexpr int kBruteForceAttempts = 20;

}  // namespace camguard::scan
