// SPDX-License-Identifier: Apache-2.0
#include "cameras/credentials.h"

#include <cstdint>

namespace camguard::cameras {

using base::ErrorCode;
using base::Fail;

namespace {
constexpr char kVersion = 1;

void AppendField(std::string& out, std::string_view field) {
  out.push_back(static_cast<char>((field.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(field.size() & 0xff));
  out.append(field);
}

bool ReadField(std::string_view& in, std::string& field) {
  if (in.size() < 2) return false;
  const std::size_t length = (static_cast<std::size_t>(static_cast<unsigned char>(in[0])) << 8) |
                             static_cast<unsigned char>(in[1]);
  in.remove_prefix(2);
  if (in.size() < length) return false;
  field.assign(in.substr(0, length));
  in.remove_prefix(length);
  return true;
}
}  // namespace

base::Result<std::string> SealCredentials(const crypto::SecretKey& key,
                                          const CameraCredentials& credentials) {
  if (credentials.username.size() > kMaxCredentialLength ||
      credentials.password.Reveal().size() > kMaxCredentialLength) {
    return Fail(ErrorCode::kInvalidArgument, "camera credentials are too long");
  }
  std::string plain;
  plain.push_back(kVersion);
  AppendField(plain, credentials.username);
  AppendField(plain, credentials.password.Reveal());
  std::string sealed = crypto::Seal(key, plain);
  std::fill(plain.begin(), plain.end(), '\0');
  return sealed;
}

base::Result<CameraCredentials> OpenCredentials(const crypto::SecretKey& key,
                                                std::string_view sealed) {
  auto plain = crypto::Open(key, sealed);
  if (!plain) return tl::unexpected(plain.error());
  std::string_view in = *plain;
  CameraCredentials credentials;
  std::string password;
  const bool ok = !in.empty() && in.front() == kVersion && (in.remove_prefix(1), true) &&
                  ReadField(in, credentials.username) && ReadField(in, password) && in.empty();
  std::fill(plain->begin(), plain->end(), '\0');
  if (!ok) return Fail(ErrorCode::kDataLoss, "camera credentials record is malformed");
  credentials.password = base::Redacted<std::string>(std::move(password));
  return credentials;
}

}  // namespace camguard::cameras
