// SPDX-License-Identifier: Apache-2.0
#include "camsim/h264.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace camguard::camsim {
namespace {

std::vector<std::uint8_t> FromHex(std::string_view hex) {
  const auto raw = base::HexDecode(hex);
  EXPECT_TRUE(raw.has_value());
  return std::vector<std::uint8_t>(raw->begin(), raw->end());
}

std::vector<std::uint8_t> ToVector(ByteSpan s) { return {s.begin(), s.end()}; }

// SPS of the 1080p25 and 360p15 fixtures (x264 High profile, with emulation prevention bytes).
constexpr std::string_view kMainSps = "67640028acb403c0113f2e0220000003002000000641e30654";
constexpr std::string_view kSubSps = "67640016acb405017fcb8088000003000800000300f078b175";

TEST(AnnexBReader, SplitsOnThreeAndFourByteStartCodes) {
  const auto data = FromHex(
      "00000001"
      "6742"
      "000001"
      "68ce"
      "00000001"
      "65888480");
  AnnexBReader reader(data);
  EXPECT_EQ(ToVector(*reader.Next()), FromHex("6742"));
  EXPECT_EQ(ToVector(*reader.Next()), FromHex("68ce"));
  EXPECT_EQ(ToVector(*reader.Next()), FromHex("65888480"));
  EXPECT_FALSE(reader.Next().has_value());
}

TEST(AnnexBReader, SkipsBytesBeforeFirstStartCodeAndTrailingZeros) {
  const auto data = FromHex(
      "ffee"
      "000001"
      "0901"
      "0000"
      "000001"
      "41e0"
      "000000");
  AnnexBReader reader(data);
  EXPECT_EQ(ToVector(*reader.Next()), FromHex("0901"));
  EXPECT_EQ(ToVector(*reader.Next()), FromHex("41e0"));
  EXPECT_FALSE(reader.Next().has_value());
}

TEST(AnnexBReader, KeepsEmulationPreventedZerosInsideNalUnit) {
  // 00 00 03 01 inside a NAL unit is not a start code.
  const auto data = FromHex(
      "000001"
      "65000003010203");
  AnnexBReader reader(data);
  EXPECT_EQ(ToVector(*reader.Next()), FromHex("65000003010203"));
  EXPECT_FALSE(reader.Next().has_value());
}

TEST(AnnexBReader, NoStartCodeMeansNoNalUnits) {
  const auto data = FromHex("0102030000");
  AnnexBReader reader(data);
  EXPECT_FALSE(reader.Next().has_value());
  AnnexBReader empty(ByteSpan{});
  EXPECT_FALSE(empty.Next().has_value());
}

TEST(SplitAccessUnits, GroupsParameterSetsWithTheIdrAndStartsNewUnitAtEachFrame) {
  // AUD, SPS, PPS, IDR (first_mb 0) | AUD, P | P (first_mb 0, no delimiter) , P (first_mb != 0)
  const auto data = FromHex(
      "00000001"
      "0910"
      "00000001"
      "6742"
      "00000001"
      "68ce"
      "00000001"
      "65b8"
      "00000001"
      "0930"
      "00000001"
      "41e0"
      "00000001"
      "41e1"
      "00000001"
      "4140");
  const auto units = SplitAccessUnits(data);
  ASSERT_EQ(units.size(), 3U);
  EXPECT_EQ(units[0].nals.size(), 4U);
  EXPECT_TRUE(units[0].keyframe);
  EXPECT_EQ(units[1].nals.size(), 2U);
  EXPECT_FALSE(units[1].keyframe);
  EXPECT_EQ(units[2].nals.size(), 2U) << "a slice with first_mb_in_slice != 0 continues the frame";
}

TEST(ParseSps, ReadsSizeFrameRateAndProfileOfTheMainFixture) {
  const auto sps = ParseSps(FromHex(kMainSps));
  ASSERT_TRUE(sps.has_value()) << sps.error().message;
  EXPECT_EQ(sps->profile_idc, 100);  // High
  EXPECT_EQ(sps->level_idc, 40);
  EXPECT_EQ(sps->width, 1920);
  EXPECT_EQ(sps->height, 1080);  // 1088 coded, cropped by 8
  EXPECT_EQ(sps->fps_num, 25U);
  EXPECT_EQ(sps->fps_den, 1U);
}

TEST(ParseSps, ReadsTheSubStreamFixture) {
  const auto sps = ParseSps(FromHex(kSubSps));
  ASSERT_TRUE(sps.has_value()) << sps.error().message;
  EXPECT_EQ(sps->width, 640);
  EXPECT_EQ(sps->height, 360);
  EXPECT_EQ(sps->fps_num, 15U);
  EXPECT_EQ(sps->fps_den, 1U);
}

TEST(ParseSps, RefusesTruncatedAndNonSpsInput) {
  const auto full = FromHex(kMainSps);
  for (std::size_t n = 0; n < 12; ++n) {
    const std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
    EXPECT_FALSE(ParseSps(cut).has_value()) << n;
  }
  EXPECT_FALSE(ParseSps(FromHex("68ce3c80")).has_value());
}

TEST(ParseSps, IsTotalOnRandomBytes) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::uint8_t> bytes(1 + rng() % 40);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    bytes[0] = 0x67;
    const auto sps = ParseSps(bytes);
    if (sps) {
      EXPECT_GT(sps->width, 0);
      EXPECT_GT(sps->height, 0);
    }
  }
}

}  // namespace
}  // namespace camguard::camsim
