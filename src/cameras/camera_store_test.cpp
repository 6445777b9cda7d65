// SPDX-License-Identifier: Apache-2.0
#include "cameras/camera_store.h"

#include <gtest/gtest.h>

#include "cameras/credentials.h"
#include "crypto/crypto.h"
#include "store/migrations.h"

namespace camguard::cameras {
namespace {

NewCamera Porch(std::optional<std::string> sub_url = std::nullopt) {
  NewCamera camera;
  camera.name = "Porch";
  camera.main_url = "rtsp://127.77.0.1/main";
  camera.sub_url = std::move(sub_url);
  return camera;
}

store::Database Migrated() {
  auto db = store::Database::OpenInMemory();
  EXPECT_TRUE(db);
  EXPECT_TRUE(store::Migrate(*db));
  return std::move(*db);
}

TEST(CameraStore, NewCamerasGetTheStreamingDefaults) {
  store::Database db = Migrated();
  CameraStore store(db);
  auto created = store.Create(Porch(), 1000);
  ASSERT_TRUE(created) << created.error().message;
  auto found = store.FindById(created->id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((**found).transport, Transport::kTcp);
  EXPECT_TRUE((**found).recording_enabled);
  EXPECT_EQ((**found).retention_days, kDefaultRetentionDays);
  EXPECT_FALSE((**found).has_credentials);
  EXPECT_FALSE((**found).onvif_url);
  EXPECT_TRUE((**found).integrity_watch);
}

TEST(CameraStore, OnvifUrlAndIntegrityWatchRoundTrip) {
  store::Database db = Migrated();
  CameraStore store(db);
  NewCamera camera = Porch();
  camera.onvif_url = "http://127.77.0.1:8080/onvif/device_service";
  auto created = store.Create(camera, 1000);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->onvif_url, camera.onvif_url);
  CameraUpdate update;
  update.integrity_watch = false;
  update.onvif_url = std::optional<std::string>();
  auto updated = store.Update(created->id, update);
  ASSERT_TRUE(updated && *updated);
  EXPECT_FALSE((**updated).onvif_url);
  EXPECT_FALSE((**updated).integrity_watch);

  for (const char* bad : {"rtsp://127.77.0.1/onvif", "http://admin:pw@127.77.0.1/onvif",
                          "http:///onvif", "http://127.77.0.1/on vif"}) {
    NewCamera wrong = Porch();
    wrong.onvif_url = bad;
    EXPECT_FALSE(store.Create(wrong, 1000)) << bad;
    CameraUpdate wrong_update;
    wrong_update.onvif_url = std::optional<std::string>(bad);
    EXPECT_FALSE(store.Update(created->id, wrong_update)) << bad;
  }
}

TEST(CameraStore, UpdateChangesOnlyTheGivenFields) {
  store::Database db = Migrated();
  CameraStore store(db);
  NewCamera camera = Porch("rtsp://127.77.0.1/sub");
  camera.credentials_sealed = "sealed";
  auto created = store.Create(camera, 1000);
  ASSERT_TRUE(created);

  CameraUpdate update;
  update.transport = Transport::kUdp;
  update.retention_days = 7;
  update.sub_url = std::optional<std::string>();  // cleared
  auto updated = store.Update(created->id, update);
  ASSERT_TRUE(updated && *updated) << (updated ? "" : updated.error().message);
  EXPECT_EQ((**updated).name, "Porch");
  EXPECT_EQ((**updated).main_url, "rtsp://127.77.0.1/main");
  EXPECT_FALSE((**updated).sub_url);
  EXPECT_TRUE((**updated).has_credentials);
  EXPECT_EQ((**updated).transport, Transport::kUdp);
  EXPECT_EQ((**updated).retention_days, 7);
  EXPECT_TRUE((**updated).recording_enabled);

  CameraUpdate clear;
  clear.credentials_sealed = std::optional<std::string>();
  clear.recording_enabled = false;
  updated = store.Update(created->id, clear);
  ASSERT_TRUE(updated && *updated);
  EXPECT_FALSE((**updated).has_credentials);
  EXPECT_FALSE((**updated).recording_enabled);
  EXPECT_EQ((**updated).transport, Transport::kUdp);
}

TEST(CameraStore, UpdateRefusesBadValuesAndUnknownCameras) {
  store::Database db = Migrated();
  CameraStore store(db);
  auto created = store.Create(Porch(), 1000);
  ASSERT_TRUE(created);
  CameraUpdate too_long;
  too_long.retention_days = kMaxRetentionDays + 1;
  EXPECT_FALSE(store.Update(created->id, too_long));
  CameraUpdate with_password;
  with_password.main_url = "rtsp://admin:secret@127.77.0.1/main";
  EXPECT_FALSE(store.Update(created->id, with_password));
  CameraUpdate rename;
  rename.name = "Garden";
  auto missing = store.Update(created->id + 100, rename);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST(CameraCredentials, SealAndOpenRoundTrip) {
  ASSERT_TRUE(crypto::Initialize());
  const crypto::SecretKey key(std::string(crypto::SecretKey::kSize, 'k'));
  auto sealed =
      SealCredentials(key, CameraCredentials{"admin", base::Redacted<std::string>("p:w")});
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->find("p:w"), std::string::npos);
  auto opened = OpenCredentials(key, *sealed);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->username, "admin");
  EXPECT_EQ(opened->password.Reveal(), "p:w");
}

TEST(CameraCredentials, WrongKeyTamperingAndOversizeAreErrors) {
  ASSERT_TRUE(crypto::Initialize());
  const crypto::SecretKey key(std::string(crypto::SecretKey::kSize, 'k'));
  const crypto::SecretKey other(std::string(crypto::SecretKey::kSize, 'o'));
  auto sealed = SealCredentials(key, CameraCredentials{"admin", base::Redacted<std::string>("x")});
  ASSERT_TRUE(sealed);
  EXPECT_FALSE(OpenCredentials(other, *sealed));
  std::string tampered = *sealed;
  tampered.back() = static_cast<char>(tampered.back() ^ 1);
  EXPECT_FALSE(OpenCredentials(key, tampered));
  // A well-sealed record with a bad layout is refused, not misread.
  EXPECT_FALSE(OpenCredentials(key, crypto::Seal(key, std::string("\x01\x00\x05"
                                                                  "ab",
                                                                  5))));
  EXPECT_FALSE(OpenCredentials(key, crypto::Seal(key, "")));
  EXPECT_FALSE(SealCredentials(key, CameraCredentials{std::string(kMaxCredentialLength + 1, 'u'),
                                                      base::Redacted<std::string>("x")}));
}

}  // namespace
}  // namespace camguard::cameras
