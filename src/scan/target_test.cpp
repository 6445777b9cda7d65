// SPDX-License-Identifier: Apache-2.0
#include "scan/target.h"

#include <map>

#include <gtest/gtest.h>

namespace camguard::scan {
namespace {

Resolver Table(std::map<std::string, std::vector<Ipv4>> table) {
  return [table](const std::string& name) -> base::Result<std::vector<Ipv4>> {
    auto it = table.find(name);
    if (it == table.end()) return base::Fail(base::ErrorCode::kNotFound, "unknown host");
    return it->second;
  };
}

Ipv4 Ip(const char* text) { return *ParseIpv4(text); }

TEST(Ipv4Test, ParsesAndFormatsDottedQuads) {
  EXPECT_EQ(ParseIpv4("127.0.0.1"), Ipv4{0x7f000001});
  EXPECT_EQ(FormatIpv4(0xc0a80a01), "192.168.10.1");
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d",
                          "1.2.3.4 ", "-1.2.3.4"}) {
    EXPECT_FALSE(ParseIpv4(bad)) << bad;
  }
}

TEST(Ipv4Test, ScopesSeparateOwnNetworksFromThePublicInternet) {
  EXPECT_EQ(ScopeOf(Ip("127.77.0.5")), AddressScope::kLoopback);
  EXPECT_EQ(ScopeOf(Ip("10.1.2.3")), AddressScope::kPrivate);
  EXPECT_EQ(ScopeOf(Ip("172.31.255.1")), AddressScope::kPrivate);
  EXPECT_EQ(ScopeOf(Ip("172.32.0.1")), AddressScope::kPublic);
  EXPECT_EQ(ScopeOf(Ip("192.168.1.20")), AddressScope::kPrivate);
  EXPECT_EQ(ScopeOf(Ip("169.254.3.4")), AddressScope::kLinkLocal);
  EXPECT_EQ(ScopeOf(Ip("100.64.0.1")), AddressScope::kSharedCgn);
  EXPECT_EQ(ScopeOf(Ip("8.8.8.8")), AddressScope::kPublic);
  EXPECT_EQ(ScopeOf(Ip("0.0.0.0")), AddressScope::kUnusable);
  EXPECT_EQ(ScopeOf(Ip("239.255.255.250")), AddressScope::kUnusable);
  EXPECT_EQ(ScopeOf(Ip("255.255.255.255")), AddressScope::kUnusable);
}

TEST(TargetTest, HostHostPortAndCidr) {
  auto host = ParseTarget("192.168.1.10");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->first, Ip("192.168.1.10"));
  EXPECT_EQ(host->count, 1u);
  EXPECT_FALSE(host->port);

  auto with_port = ParseTarget("127.0.0.1:8554");
  ASSERT_TRUE(with_port);
  EXPECT_EQ(with_port->port, 8554);

  auto block = ParseTarget("127.77.0.0/24");
  ASSERT_TRUE(block);
  EXPECT_EQ(block->first, Ip("127.77.0.1"));  // without the network address
  EXPECT_EQ(block->count, 254u);              // … and the broadcast address

  auto unaligned = ParseTarget("10.0.0.77/30");
  ASSERT_TRUE(unaligned);
  EXPECT_EQ(unaligned->first, Ip("10.0.0.77"));
  EXPECT_EQ(unaligned->count, 2u);

  auto pair = ParseTarget("10.0.0.0/31");
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->count, 2u);
  auto single = ParseTarget("10.0.0.9/32");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->first, Ip("10.0.0.9"));
  EXPECT_EQ(single->count, 1u);

  auto name = ParseTarget("cam-1.home.arpa:554");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->hostname, "cam-1.home.arpa");
  EXPECT_EQ(name->port, 554);
}

TEST(TargetTest, RefusesWideBlocksAndMalformedTargets) {
  EXPECT_TRUE(ParseTarget("10.0.0.0/22"));
  auto wide = ParseTarget("10.0.0.0/21");
  ASSERT_FALSE(wide);
  EXPECT_NE(wide.error().message.find("/22"), std::string::npos);
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "/24", "1.2.3.4:0", "1.2.3.4:65536",
                          "1.2.3.4:x", "::1", "fe80::1", "1.2.3", "host_name", "-bad.example"}) {
    EXPECT_FALSE(ParseTarget(bad)) << bad;
  }
}

TEST(PortListTest, NumbersAndRanges) {
  auto ports = ParsePortList("8554, 80-82,554,80");
  ASSERT_TRUE(ports);
  EXPECT_EQ(*ports, (std::vector<std::uint16_t>{80, 81, 82, 554, 8554}));
  for (const char* bad : {"", "0", "65536", "90-80", "a", "1-", "-5", "1,,2"}) {
    EXPECT_FALSE(ParsePortList(bad)) << bad;
  }
  EXPECT_FALSE(ParsePortList("1-1000"));  // more than kMaxPorts
}

TEST(ExpandTargetsTest, MergesPortsPerAddressAndUsesTheDefaultList) {
  auto targets =
      ExpandTargets({"127.0.0.1:8554", "127.0.0.1:8080", "127.0.0.2"}, {80, 554}, false, {});
  ASSERT_TRUE(targets);
  ASSERT_EQ(targets->size(), 2u);
  EXPECT_EQ((*targets)[0].address, Ip("127.0.0.1"));
  EXPECT_EQ((*targets)[0].ports, (std::vector<std::uint16_t>{8080, 8554}));
  EXPECT_EQ((*targets)[1].ports, (std::vector<std::uint16_t>{80, 554}));
}

TEST(ExpandTargetsTest, PublicAddressesNeedTheExplicitFlag) {
  auto refused = ExpandTargets({"8.8.8.8"}, DefaultPorts(), false, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, base::ErrorCode::kPermissionDenied);
  EXPECT_NE(refused.error().message.find("--allow-public"), std::string::npos);
  EXPECT_TRUE(ExpandTargets({"8.8.8.8"}, DefaultPorts(), true, {}));
  // A name that resolves to a public address is refused the same way.
  const Resolver resolve =
      Table({{"camera.example", {Ip("203.0.113.7")}}, {"cam.home.arpa", {Ip("192.168.1.9")}}});
  EXPECT_FALSE(ExpandTargets({"camera.example"}, DefaultPorts(), false, resolve));
  auto local = ExpandTargets({"cam.home.arpa:554"}, DefaultPorts(), false, resolve);
  ASSERT_TRUE(local);
  ASSERT_EQ(local->size(), 1u);
  EXPECT_EQ((*local)[0].address, Ip("192.168.1.9"));
  EXPECT_EQ((*local)[0].ports, std::vector<std::uint16_t>{554});
  EXPECT_FALSE(ExpandTargets({"unknown.home.arpa"}, DefaultPorts(), false, resolve));
  EXPECT_FALSE(ExpandTargets({"cam.home.arpa"}, DefaultPorts(), false, {}));
}

TEST(ExpandTargetsTest, UnusableAddressesAreRefusedAloneAndSkippedInBlocks) {
  EXPECT_FALSE(ExpandTargets({"0.0.0.0"}, DefaultPorts(), true, {}));
  EXPECT_FALSE(ExpandTargets({"224.0.0.1"}, DefaultPorts(), true, {}));
  EXPECT_FALSE(ExpandTargets({}, DefaultPorts(), false, {}));
}

TEST(ExpandTargetsTest, CapsTheNumberOfAddresses) {
  auto four_blocks =
      ExpandTargets({"10.0.0.0/23", "10.0.2.0/23"}, DefaultPorts(), false, {});  // 2 × 510
  ASSERT_TRUE(four_blocks);
  EXPECT_EQ(four_blocks->size(), 1020u);
  auto too_many = ExpandTargets({"10.0.0.0/22", "10.0.8.0/24"}, DefaultPorts(), false, {});
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("1024"), std::string::npos);
}

}  // namespace
}  // namespace camguard::scan
