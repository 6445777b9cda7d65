// SPDX-License-Identifier: Apache-2.0
#include "cameras/camera_store.h"

#include <fmt/format.h>

#include "cameras/streaming.h"
#include "crypto/crypto.h"

namespace camguard::cameras {

using base::ErrorCode;
using base::Fail;

namespace {
Camera ReadCamera(const store::Statement& s) {
  Camera camera;
  camera.id = s.ColumnInt(0);
  camera.public_id = s.ColumnText(1);
  camera.name = s.ColumnText(2);
  camera.main_url = s.ColumnText(3);
  if (!s.ColumnIsNull(4)) camera.sub_url = s.ColumnText(4);
  camera.has_credentials = s.ColumnInt(5) != 0;
  camera.created_ms = s.ColumnInt(6);
  // The schema's CHECK constraints keep these in range.
  camera.transport = ParseTransport(s.ColumnText(7)).value_or(Transport::kTcp);
  camera.recording_enabled = s.ColumnInt(8) != 0;
  camera.retention_days = static_cast<int>(s.ColumnInt(9));
  if (!s.ColumnIsNull(10)) camera.onvif_url = s.ColumnText(10);
  camera.integrity_watch = s.ColumnInt(11) != 0;
  camera.privacy = s.ColumnInt(12) != 0;
  return camera;
}
constexpr std::string_view kColumns =
    "id, public_id, name, main_url, sub_url, credentials_sealed IS NOT NULL, created_ms, "
    "transport, recording_enabled, retention_days, onvif_url, integrity_watch, privacy";

Status ValidateRetentionDays(int days) {
  if (days < kMinRetentionDays || days > kMaxRetentionDays) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("retention_days must be between {} and {}",
                                                         kMinRetentionDays, kMaxRetentionDays));
  }
  return base::Ok();
}
}  // namespace

std::string_view ToString(StreamState state) {
  switch (state) {
    case StreamState::kStarting: return "starting";
    case StreamState::kOnline: return "online";
    case StreamState::kReconnecting: return "reconnecting";
    case StreamState::kDisabled: return "disabled";
  }
  return "unknown";
}

std::string_view ToString(Transport transport) {
  return transport == Transport::kUdp ? "udp" : "tcp";
}

std::optional<Transport> ParseTransport(std::string_view text) {
  if (text == "tcp") return Transport::kTcp;
  if (text == "udp") return Transport::kUdp;
  return std::nullopt;
}

namespace {
// A URL of one of `schemes` with a host and without user info (credentials travel separately
// so they are never stored in clear), no whitespace or control characters.
Status ValidateUrl(std::string_view url, std::initializer_list<std::string_view> schemes,
                   std::string_view schemes_text) {
  if (url.size() > 2048)
    return Fail(ErrorCode::kInvalidArgument, "URL is longer than 2048 characters");
  std::string_view rest;
  for (std::string_view scheme : schemes) {
    if (url.starts_with(scheme)) rest = url.substr(scheme.size());
  }
  if (rest.data() == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("URL must start with {}", schemes_text));
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Fail(ErrorCode::kInvalidArgument, "URL contains whitespace or control characters");
    }
  }
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "URL must not contain credentials; pass username and password separately");
  }
  if (authority.empty() || authority.front() == ':') {
    return Fail(ErrorCode::kInvalidArgument, "URL has no host");
  }
  return base::Ok();
}
}  // namespace

Status ValidateStreamUrl(std::string_view url) {
  return ValidateUrl(url, {"rtsp://", "rtsps://"}, "rtsp:// or rtsps://");
}

Status ValidateOnvifUrl(std::string_view url) {
  return ValidateUrl(url, {"http://", "https://"}, "http:// or https://");
}

Result<Camera> CameraStore::Create(const NewCamera& camera, std::int64_t now_ms) {
  CAMGUARD_TRY_STATUS(ValidateRetentionDays(camera.retention_days));
  if (camera.onvif_url) CAMGUARD_TRY_STATUS(ValidateOnvifUrl(*camera.onvif_url));
  CAMGUARD_TRY(auto stmt,
               db_.Prepare("INSERT INTO cameras (public_id, name, main_url, sub_url, "
                           "credentials_sealed, created_ms, transport, recording_enabled, "
                           "retention_days, onvif_url, integrity_watch) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const std::string public_id = "cam_" + crypto::RandomToken(12);
  stmt.Bind(1, public_id).Bind(2, camera.name).Bind(3, camera.main_url);
  if (camera.sub_url) {
    stmt.Bind(4, *camera.sub_url);
  } else {
    stmt.BindNull(4);
  }
  if (camera.credentials_sealed) {
    stmt.BindBlob(5, *camera.credentials_sealed);
  } else {
    stmt.BindNull(5);
  }
  stmt.Bind(6, now_ms)
      .Bind(7, ToString(camera.transport))
      .Bind(8, std::int64_t{camera.recording_enabled ? 1 : 0})
      .Bind(9, std::int64_t{camera.retention_days});
  if (camera.onvif_url) {
    stmt.Bind(10, *camera.onvif_url);
  } else {
    stmt.BindNull(10);
  }
  stmt.Bind(11, std::int64_t{camera.integrity_watch ? 1 : 0});
  CAMGUARD_TRY_STATUS(stmt.Run());
  Camera created;
  created.id = db_.LastInsertRowId();
  created.public_id = public_id;
  created.name = camera.name;
  created.main_url = camera.main_url;
  created.sub_url = camera.sub_url;
  created.has_credentials = camera.credentials_sealed.has_value();
  created.created_ms = now_ms;
  created.transport = camera.transport;
  created.recording_enabled = camera.recording_enabled;
  created.retention_days = camera.retention_days;
  created.onvif_url = camera.onvif_url;
  created.integrity_watch = camera.integrity_watch;
  return created;
}

Result<std::vector<Camera>> CameraStore::List() {
  CAMGUARD_TRY(auto stmt, db_.Prepare(fmt::format("SELECT {} FROM cameras ORDER BY id", kColumns)));
  std::vector<Camera> cameras;
  for (;;) {
    CAMGUARD_TRY(const bool row, stmt.Step());
    if (!row) break;
    cameras.push_back(ReadCamera(stmt));
  }
  return cameras;
}

Result<std::optional<Camera>> CameraStore::FindByPublicId(std::string_view public_id) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare(fmt::format("SELECT {} FROM cameras WHERE public_id = ?", kColumns)));
  stmt.Bind(1, public_id);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return std::optional<Camera>();
  return std::optional<Camera>(ReadCamera(stmt));
}

Result<std::optional<Camera>> CameraStore::FindById(std::int64_t camera_id) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare(fmt::format("SELECT {} FROM cameras WHERE id = ?", kColumns)));
  stmt.Bind(1, camera_id);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row) return std::optional<Camera>();
  return std::optional<Camera>(ReadCamera(stmt));
}

Result<std::optional<Camera>> CameraStore::Update(std::int64_t camera_id,
                                                  const CameraUpdate& update) {
  if (update.retention_days) CAMGUARD_TRY_STATUS(ValidateRetentionDays(*update.retention_days));
  if (update.main_url) CAMGUARD_TRY_STATUS(ValidateStreamUrl(*update.main_url));
  if (update.sub_url && *update.sub_url) CAMGUARD_TRY_STATUS(ValidateStreamUrl(**update.sub_url));
  if (update.onvif_url && *update.onvif_url)
    CAMGUARD_TRY_STATUS(ValidateOnvifUrl(**update.onvif_url));
  // One statement with COALESCE-style flags keeps the change atomic without a transaction.
  CAMGUARD_TRY(auto stmt,
               db_.Prepare("UPDATE cameras SET "
                           "name = CASE WHEN ?1 THEN ?2 ELSE name END, "
                           "main_url = CASE WHEN ?3 THEN ?4 ELSE main_url END, "
                           "sub_url = CASE WHEN ?5 THEN ?6 ELSE sub_url END, "
                           "credentials_sealed = CASE WHEN ?7 THEN ?8 ELSE credentials_sealed END, "
                           "transport = CASE WHEN ?9 THEN ?10 ELSE transport END, "
                           "recording_enabled = CASE WHEN ?11 THEN ?12 ELSE recording_enabled END, "
                           "retention_days = CASE WHEN ?13 THEN ?14 ELSE retention_days END, "
                           "onvif_url = CASE WHEN ?16 THEN ?17 ELSE onvif_url END, "
                           "integrity_watch = CASE WHEN ?18 THEN ?19 ELSE integrity_watch END, "
                           "privacy = CASE WHEN ?20 THEN ?21 ELSE privacy END "
                           "WHERE id = ?15"));
  const auto flag = [](bool engaged) { return std::int64_t{engaged ? 1 : 0}; };
  stmt.Bind(1, flag(update.name.has_value()));
  if (update.name)
    stmt.Bind(2, *update.name);
  else
    stmt.BindNull(2);
  stmt.Bind(3, flag(update.main_url.has_value()));
  if (update.main_url)
    stmt.Bind(4, *update.main_url);
  else
    stmt.BindNull(4);
  stmt.Bind(5, flag(update.sub_url.has_value()));
  if (update.sub_url && *update.sub_url)
    stmt.Bind(6, **update.sub_url);
  else
    stmt.BindNull(6);
  stmt.Bind(7, flag(update.credentials_sealed.has_value()));
  if (update.credentials_sealed && *update.credentials_sealed) {
    stmt.BindBlob(8, **update.credentials_sealed);
  } else {
    stmt.BindNull(8);
  }
  stmt.Bind(9, flag(update.transport.has_value()));
  stmt.Bind(10, ToString(update.transport.value_or(Transport::kTcp)));
  stmt.Bind(11, flag(update.recording_enabled.has_value()));
  stmt.Bind(12, flag(update.recording_enabled.value_or(false)));
  stmt.Bind(13, flag(update.retention_days.has_value()));
  stmt.Bind(14, std::int64_t{update.retention_days.value_or(kDefaultRetentionDays)});
  stmt.Bind(15, camera_id);
  stmt.Bind(16, flag(update.onvif_url.has_value()));
  if (update.onvif_url && *update.onvif_url) {
    stmt.Bind(17, **update.onvif_url);
  } else {
    stmt.BindNull(17);
  }
  stmt.Bind(18, flag(update.integrity_watch.has_value()));
  stmt.Bind(19, flag(update.integrity_watch.value_or(true)));
  stmt.Bind(20, flag(update.privacy.has_value()));
  stmt.Bind(21, flag(update.privacy.value_or(false)));
  CAMGUARD_TRY_STATUS(stmt.Run());
  return FindById(camera_id);
}

Status CameraStore::Delete(std::int64_t camera_id) {
  CAMGUARD_TRY(auto stmt, db_.Prepare("DELETE FROM cameras WHERE id = ?"));
  stmt.Bind(1, camera_id);
  return stmt.Run();
}

Result<std::optional<std::string>> CameraStore::SealedCredentials(std::int64_t camera_id) {
  CAMGUARD_TRY(auto stmt, db_.Prepare("SELECT credentials_sealed FROM cameras WHERE id = ?"));
  stmt.Bind(1, camera_id);
  CAMGUARD_TRY(const bool row, stmt.Step());
  if (!row || stmt.ColumnIsNull(0)) return std::optional<std::string>();
  return std::optional<std::string>(stmt.ColumnText(0));
}

Result<std::map<std::int64_t, std::uint32_t>> CameraStore::RightsOfUser(std::int64_t user_id) {
  CAMGUARD_TRY(auto stmt,
               db_.Prepare("SELECT camera_id, rights FROM camera_rights WHERE user_id = ?"));
  stmt.Bind(1, user_id);
  std::map<std::int64_t, std::uint32_t> rights;
  for (;;) {
    CAMGUARD_TRY(const bool row, stmt.Step());
    if (!row) break;
    rights[stmt.ColumnInt(0)] = static_cast<std::uint32_t>(stmt.ColumnInt(1));
  }
  return rights;
}

Status CameraStore::ReplaceRightsOfUser(std::int64_t user_id,
                                        const std::map<std::int64_t, std::uint32_t>& rights) {
  CAMGUARD_TRY(auto clear, db_.Prepare("DELETE FROM camera_rights WHERE user_id = ?"));
  clear.Bind(1, user_id);
  CAMGUARD_TRY_STATUS(clear.Run());
  CAMGUARD_TRY(
      auto insert,
      db_.Prepare("INSERT INTO camera_rights (user_id, camera_id, rights) VALUES (?, ?, ?)"));
  for (const auto& [camera_id, bits] : rights) {
    if (bits == 0) continue;
    insert.Reset();
    insert.Bind(1, user_id).Bind(2, camera_id).Bind(3, static_cast<std::int64_t>(bits));
    CAMGUARD_TRY_STATUS(insert.Run());
  }
  return base::Ok();
}

}  // namespace camguard::cameras
