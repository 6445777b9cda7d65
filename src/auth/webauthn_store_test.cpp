// SPDX-License-Identifier: Apache-2.0
#include "auth/webauthn_store.h"

#include <gtest/gtest.h>

#include "auth/account_store.h"
#include "store/migrations.h"

namespace camguard::auth {
namespace {

store::Database Migrated() {
  auto db = store::Database::OpenInMemory();
  EXPECT_TRUE(db);
  EXPECT_TRUE(store::Migrate(*db));
  return std::move(*db);
}

RegisteredCredential Credential(char id_byte, std::uint32_t sign_count = 0) {
  RegisteredCredential credential;
  // Binary on purpose: NUL and high bytes must survive the round trip through SQLite.
  credential.credential_id = std::string(1, '\0') + std::string(31, id_byte) + "\xff";
  credential.public_key_cose = std::string("\xa5\x01\x02\x03\x26\x00", 6);
  credential.sign_count = sign_count;
  return credential;
}

class PasskeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AccountStore accounts(db_);
    auto owner = accounts.CreateUser("owner", "$argon2id$x", Role::kOwner, 1);
    auto guest = accounts.CreateUser("guest", "$argon2id$x", Role::kGuest, 1);
    ASSERT_TRUE(owner && guest);
    owner_ = *owner;
    guest_ = *guest;
  }

  store::Database db_ = Migrated();
  PasskeyStore passkeys_{db_};
  std::int64_t owner_ = 0;
  std::int64_t guest_ = 0;
};

TEST_F(PasskeyStoreTest, AddedPasskeysAreFoundByCredentialIdAndListedPerUser) {
  auto phone = passkeys_.Add(owner_, Credential('p', 3), "Phone", "internal,hybrid", 1000);
  ASSERT_TRUE(phone) << phone.error().message;
  auto key = passkeys_.Add(owner_, Credential('k'), "YubiKey", "usb,nfc", 2000);
  ASSERT_TRUE(key) << key.error().message;
  ASSERT_TRUE(passkeys_.Add(guest_, Credential('g'), "Laptop", "", 3000));

  auto found = passkeys_.FindByCredentialId(Credential('p').credential_id);
  ASSERT_TRUE(found && *found);
  const Passkey& passkey = **found;
  EXPECT_EQ(passkey.id, *phone);
  EXPECT_EQ(passkey.user_id, owner_);
  EXPECT_EQ(passkey.credential_id, Credential('p').credential_id);
  EXPECT_EQ(passkey.public_key_cose, Credential('p').public_key_cose);
  EXPECT_EQ(passkey.sign_count, 3u);
  EXPECT_EQ(passkey.transports, "internal,hybrid");
  EXPECT_EQ(passkey.name, "Phone");
  EXPECT_EQ(passkey.created_ms, 1000);
  EXPECT_FALSE(passkey.last_used_ms);

  auto none = passkeys_.FindByCredentialId(Credential('x').credential_id);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  auto list = passkeys_.ListForUser(owner_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "Phone");
  EXPECT_EQ((*list)[1].name, "YubiKey");
}

TEST_F(PasskeyStoreTest, ACredentialIdBelongsToOneUserOnly) {
  ASSERT_TRUE(passkeys_.Add(owner_, Credential('p'), "Phone", "", 1000));
  auto again = passkeys_.Add(guest_, Credential('p'), "Phone", "", 2000);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, base::ErrorCode::kAlreadyExists);
}

TEST_F(PasskeyStoreTest, NamesAndTransportsAreChecked) {
  for (const std::string& name :
       {std::string(), std::string("tab\there"), std::string("\xff"), std::string(65, 'n')}) {
    auto result = passkeys_.Add(owner_, Credential('p'), name, "", 1000);
    ASSERT_FALSE(result) << name;
    EXPECT_EQ(result.error().code, base::ErrorCode::kInvalidArgument);
  }
  for (std::string_view transports : {"USB", "usb,", "usb nfc", ",usb"}) {
    auto result = passkeys_.Add(owner_, Credential('p'), "Phone", transports, 1000);
    ASSERT_FALSE(result) << transports;
    EXPECT_EQ(result.error().code, base::ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(passkeys_.Add(owner_, Credential('p'), "Téléphone", "smart-card", 1000));
}

TEST_F(PasskeyStoreTest, RecordUseIsACompareAndSetOnTheCount) {
  auto id = passkeys_.Add(owner_, Credential('p', 3), "Phone", "", 1000);
  ASSERT_TRUE(id);
  auto recorded = passkeys_.RecordUse(*id, 3, 4, 5000);
  ASSERT_TRUE(recorded);
  EXPECT_TRUE(*recorded);
  // A second sign-in that was verified against count 3 lost the race.
  recorded = passkeys_.RecordUse(*id, 3, 4, 6000);
  ASSERT_TRUE(recorded);
  EXPECT_FALSE(*recorded);
  auto found = passkeys_.FindByCredentialId(Credential('p').credential_id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((**found).sign_count, 4u);
  EXPECT_EQ((**found).last_used_ms, 5000);
  // The full 32-bit range of the counter survives.
  recorded = passkeys_.RecordUse(*id, 4, 0xffffffffu, 7000);
  ASSERT_TRUE(recorded && *recorded);
  found = passkeys_.FindByCredentialId(Credential('p').credential_id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((**found).sign_count, 0xffffffffu);
}

TEST_F(PasskeyStoreTest, UsersRenameAndRemoveOnlyTheirOwnPasskeys) {
  auto id = passkeys_.Add(owner_, Credential('p'), "Phone", "", 1000);
  ASSERT_TRUE(id);
  auto renamed = passkeys_.Rename(guest_, *id, "Mine now");
  ASSERT_TRUE(renamed);
  EXPECT_FALSE(*renamed);
  auto removed = passkeys_.Remove(guest_, *id);
  ASSERT_TRUE(removed);
  EXPECT_FALSE(*removed);

  renamed = passkeys_.Rename(owner_, *id, "Old phone");
  ASSERT_TRUE(renamed && *renamed);
  EXPECT_EQ((**passkeys_.FindByCredentialId(Credential('p').credential_id)).name, "Old phone");
  removed = passkeys_.Remove(owner_, *id);
  ASSERT_TRUE(removed && *removed);
  EXPECT_FALSE(*passkeys_.FindByCredentialId(Credential('p').credential_id));
}

TEST_F(PasskeyStoreTest, DeletingAUserDeletesTheirPasskeys) {
  ASSERT_TRUE(passkeys_.Add(guest_, Credential('g'), "Laptop", "", 1000));
  ASSERT_TRUE(AccountStore(db_).DeleteUser(guest_));
  EXPECT_FALSE(*passkeys_.FindByCredentialId(Credential('g').credential_id));
}

}  // namespace
}  // namespace camguard::auth
