// SPDX-License-Identifier: Apache-2.0
#include "watch/config_snapshot.h"

#include <gtest/gtest.h>

namespace camguard::watch {
namespace {

CameraConfiguration Typical() {
  CameraConfiguration c;
  c.users = {{"admin", onvif::UserLevel::kAdministrator}, {"viewer", onvif::UserLevel::kUser}};
  onvif::NetworkInterface nic;
  nic.token = "eth0";
  nic.enabled = true;
  nic.hw_address = "02:00:7f:00:00:01";
  nic.ipv4_addresses = {"127.77.0.1"};
  c.interfaces = {nic};
  c.dns = onvif::Dns{false, {"127.0.0.53"}, {"home.arpa"}};
  c.ntp = onvif::Ntp{false, {"ntp.home.arpa"}};
  onvif::DeviceInformation device;
  device.firmware_version = "2.4.1";
  device.model = "camsim";
  device.serial_number = "CS1";
  c.device = device;
  return c;
}

TEST(ConfigSnapshot, SerializeAndParseRoundTrip) {
  const ConfigSnapshot snapshot = SnapshotOf(Typical());
  auto parsed = ParseSnapshot(Serialize(snapshot));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, snapshot);
  EXPECT_EQ(snapshot.at("user/admin"), "Administrator");
  EXPECT_EQ(snapshot.at("dns/servers"), "127.0.0.53");
  EXPECT_FALSE(ParseSnapshot("no equals sign\n"));
}

TEST(ConfigSnapshot, NoChangeNoDiff) {
  EXPECT_TRUE(Diff(SnapshotOf(Typical()), SnapshotOf(Typical())).empty());
}

TEST(ConfigSnapshot, ANewAccountIsCriticalAndNamed) {
  CameraConfiguration changed = Typical();
  changed.users.push_back({"mallory", onvif::UserLevel::kAdministrator});
  const auto changes = Diff(SnapshotOf(Typical()), SnapshotOf(changed));
  ASSERT_EQ(changes.size(), 1U);
  EXPECT_TRUE(changes[0].critical);
  EXPECT_EQ(changes[0].description, "new account 'mallory' (Administrator)");
}

TEST(ConfigSnapshot, PromotionIsCriticalDnsChangeIsNot) {
  CameraConfiguration changed = Typical();
  changed.users[1].level = onvif::UserLevel::kAdministrator;
  changed.dns->servers = {"127.0.0.66"};
  changed.device->firmware_version = "2.4.2";
  const auto changes = Diff(SnapshotOf(Typical()), SnapshotOf(changed));
  ASSERT_EQ(changes.size(), 3U);
  int critical = 0;
  for (const auto& change : changes) critical += change.critical ? 1 : 0;
  EXPECT_EQ(critical, 1);
  bool dns_named = false;
  for (const auto& change : changes) {
    if (change.key == "dns/servers") {
      dns_named = change.description == "dns/servers changed from '127.0.0.53' to '127.0.0.66'";
    }
  }
  EXPECT_TRUE(dns_named);
}

TEST(ConfigSnapshot, CameraTextCannotBreakTheFormat) {
  CameraConfiguration hostile = Typical();
  hostile.users.push_back({"evil\nuser/admin=User", onvif::UserLevel::kUser});
  const ConfigSnapshot snapshot = SnapshotOf(hostile);
  auto parsed = ParseSnapshot(Serialize(snapshot));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, snapshot);
  EXPECT_EQ(parsed->at("user/admin"), "Administrator");
}

}  // namespace
}  // namespace camguard::watch
