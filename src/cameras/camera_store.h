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

enum class Transport { kTcp, kUdp };  // RTP over the RTSP connection (default) or over UDP
std::string_view ToString(Transport transport);
std::optional<Transport> ParseTransport(std::string_view text);

inline constexpr int kMinRetentionDays = 1;
inline constexpr int kMaxRetentionDays = 3650;
inline constexpr int kDefaultRetentionDays = 30;

struct Camera {
  std::int64_t id = 0;
  std::string public_id;
  std::string name;
  std::string main_url;
  std::optional<std::string> sub_url;
  bool has_credentials = false;
  Transport transport = Transport::kTcp;
  bool recording_enabled = true;
  int retention_days = kDefaultRetentionDays;
  std::int64_t created_ms = 0;
  std::optional<std::string> onvif_url;  // the ONVIF device service, when the camera has one
  bool integrity_watch = true;           // watch for moves and reconfiguration from outside
  bool privacy = false;                  // privacy mode: neither recorded nor shown
};

struct NewCamera {
  std::string name;
  std::string main_url;
  std::optional<std::string> sub_url;
  std::optional<std::string> credentials_sealed;
  Transport transport = Transport::kTcp;
  bool recording_enabled = true;
  int retention_days = kDefaultRetentionDays;
  std::optional<std::string> onvif_url;
  bool integrity_watch = true;
};

// A partial change: only the engaged fields change. `sub_url` engaged with nullopt clears it;
// `credentials_sealed` likewise clears the credentials.
struct CameraUpdate {
  std::optional<std::string> name;
  std::optional<std::string> main_url;
  std::optional<std::optional<std::string>> sub_url;
  std::optional<std::optional<std::string>> credentials_sealed;
  std::optional<Transport> transport;
  std::optional<bool> recording_enabled;
  std::optional<int> retention_days;
  std::optional<std::optional<std::string>> onvif_url;
  std::optional<bool> integrity_watch;
  std::optional<bool> privacy;

  bool empty() const {
    return !name && !main_url && !sub_url && !credentials_sealed && !transport &&
           !recording_enabled && !retention_days && !onvif_url && !integrity_watch && !privacy;
  }
};

// Validates an RTSP URL for registration: rtsp:// or rtsps://, a host, no user info (credentials
// travel separately so they are never stored in clear), no whitespace or control characters.
Status ValidateStreamUrl(std::string_view url);
// Validates an ONVIF device service URL: http:// or https://, a host, no user info, no
// whitespace or control characters, at most 2048 characters.
Status ValidateOnvifUrl(std::string_view url);

class CameraStore {
 public:
  explicit CameraStore(store::Database& db) : db_(db) {}

  Result<Camera> Create(const NewCamera& camera, std::int64_t now_ms);
  Result<std::vector<Camera>> List();
  Result<std::optional<Camera>> FindByPublicId(std::string_view public_id);
  Result<std::optional<Camera>> FindById(std::int64_t camera_id);
  // Applies `update` and returns the camera as it is now (nullopt: no such camera).
  Result<std::optional<Camera>> Update(std::int64_t camera_id, const CameraUpdate& update);
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
