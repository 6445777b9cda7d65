// SPDX-License-Identifier: Apache-2.0
#include "cameras/camera_store.h"

#include <fmt/format.h>

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
  return camera;
}
constexpr std::string_view kColumns =
    "id, public_id, name, main_url, sub_url, credentials_sealed IS NOT NULL, created_ms";
}  // namespace

Status ValidateStreamUrl(std::string_view url) {
  if (url.size() > 2048)
    return Fail(ErrorCode::kInvalidArgument, "URL is longer than 2048 characters");
  std::string_view rest;
  if (url.starts_with("rtsp://")) {
    rest = url.substr(7);
  } else if (url.starts_with("rtsps://")) {
    rest = url.substr(8);
  } else {
    return Fail(ErrorCode::kInvalidArgument, "URL must start with rtsp:// or rtsps://");
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

Result<Camera> CameraStore::Create(const NewCamera& camera, std::int64_t now_ms) {
  CAMGUARD_TRY(auto stmt, db_.Prepare("INSERT INTO cameras (public_id, name, main_url, sub_url, "
                                      "credentials_sealed, created_ms) VALUES (?, ?, ?, ?, ?, ?)"));
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
  stmt.Bind(6, now_ms);
  CAMGUARD_TRY_STATUS(stmt.Run());
  Camera created;
  created.id = db_.LastInsertRowId();
  created.public_id = public_id;
  created.name = camera.name;
  created.main_url = camera.main_url;
  created.sub_url = camera.sub_url;
  created.has_credentials = camera.credentials_sealed.has_value();
  created.created_ms = now_ms;
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
