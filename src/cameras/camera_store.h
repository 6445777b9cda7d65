// SPDX-License-Identifier: Apache-2.0
// Registered cameras and per-user camera rights. Camera credentials are sealed with the
// hub's secrets key before they reach SQL and are only unsealed by the streaming engine;
// nothing here returns them to a caller that renders or logs.
// Thread: loop only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/database.h"

namespace camguard::cameras {

using base::Result;
using base::Status;

struct Camera {
  std::int64_t id = 0;
  std::string public_id;
  std::string name;
  std::string main_url;
  std::optional<std::string> sub_url;
  bool has_credentials = false;
  std::int64_t created_ms = 0;
};

struct NewCamera {
  std::string name;
  std::string main_url;
  std::optional<std::string> sub_url;
  std::optional<std::string> credentials_sealed;
};

// Validates an RTSP URL for registration: rtsp:// or rtsps://, a host, no user info (credentials
// travel separately so they are never stored in clear), no whitespace or control characters.
Status ValidateStreamUrl(std::string_view url);

class CameraStore {
 public:
  explicit CameraStore(store::Database& db) : db_(db) {}

  Result<Camera> Create(const NewCamera& camera, std::int64_t now_ms);
  Result<std::vector<Camera>> List();
  Result<std::optional<Camera>> FindByPublicId(std::string_view public_id);
  Status Delete(std::int64_t camera_id);
  Result<std::optional<std::string>> SealedCredentials(std::int64_t camera_id);

  // Granted rights (bit sets) of one user, by camera row id.
  Result<std::map<std::int64_t, std::uint32_t>> RightsOfUser(std::int64_t user_id);
  Status ReplaceRightsOfUser(std::int64_t user_id,
                             const std::map<std::int64_t, std::uint32_t>& rights);

 private:
  store::Database& db_;
};

}  // namespace camguard::cameras
