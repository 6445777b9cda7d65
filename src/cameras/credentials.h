// SPDX-License-Identifier: Apache-2.0
// Camera credentials at rest: sealed (secretbox under keys/secrets.key) in a small binary
// layout, so the streaming engine can open them without knowing JSON.
#pragma once

#include <string>
#include <string_view>

#include "base/redacted.h"
#include "base/result.h"
#include "crypto/crypto.h"

namespace camguard::cameras {

struct CameraCredentials {
  std::string username;
  base::Redacted<std::string> password;
};

inline constexpr std::size_t kMaxCredentialLength = 1024;

// Layout before sealing: version byte 1, then username and password, each as a 2-byte
// big-endian length and the bytes.
base::Result<std::string> SealCredentials(const crypto::SecretKey& key,
                                          const CameraCredentials& credentials);
base::Result<CameraCredentials> OpenCredentials(const crypto::SecretKey& key,
                                                std::string_view sealed);

}  // namespace camguard::cameras
