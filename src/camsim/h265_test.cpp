// SPDX-License-Identifier: Apache-2.0
#include "camsim/h265.h"

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

// SPS of the 1080p25 H.265 fixture (x265 Main, no B-frames; emulation prevention bytes in).
constexpr std::string_view kMainSps =
    "420101016000000300900000030000030078a003c08010e596ea4932bc05a02000000300200000030321";
// x265 with 4 B-frames in a pyramid, 352x288 at 30000/1001: several reference picture sets,
// some predicted from the previous one (inter_ref_pic_set_prediction_flag).
constexpr std::string_view kPyramidSps =
    "42010101600000030090000003000003003ca00b08048596566924caf01680800001f480003a9804";
// x265 4:2:2 (Main 4:2:2 10, a range-extensions profile), 1280x720 at 50 fps, scaling lists on.
constexpr std::string_view kRextSps =
    "4201010408000003009d08000003000078b00280802d165959a49395e02d010000030001000003003208";

TEST(HevcNalTypeOf, ReadsTheSixBitTypeOfTheTwoByteHeader) {
  EXPECT_EQ(HevcNalTypeOf(FromHex("4001")), 32);  // VPS
  EXPECT_EQ(HevcNalTypeOf(FromHex("4201")), 33);  // SPS
  EXPECT_EQ(HevcNalTypeOf(FromHex("2801")), 20);  // IDR_N_LP
  EXPECT_EQ(HevcNalTypeOf(FromHex("0201")), 1);   // TRAIL_R
  EXPECT_EQ(HevcNalTypeOf(ByteSpan{}), 63);
}

TEST(SplitHevcAccessUnits, GroupsParameterSetsWithTheIrapPictureAndStartsNewUnitAtEachPicture) {
  // AUD VPS SPS PPS SEI IDR(first) | AUD TRAIL(first) | TRAIL(first, no delimiter),
  // TRAIL(not first: a second slice segment of the same picture), suffix SEI
  const auto data = FromHex(
      "00000001"
      "460150"
      "00000001"
      "4001aa"
      "00000001"
      "4201bb"
      "00000001"
      "4401cc"
      "00000001"
      "4e01dd"
      "00000001"
      "2801af"
      "00000001"
      "460150"
      "00000001"
      "0201d0"
      "00000001"
      "0201c0"
      "00000001"
      "020140"
      "00000001"
      "5001ee");
  const auto units = SplitHevcAccessUnits(data);
  ASSERT_EQ(units.size(), 3U);
  EXPECT_EQ(units[0].nals.size(), 6U);
  EXPECT_TRUE(units[0].keyframe);
  EXPECT_EQ(units[1].nals.size(), 2U);
  EXPECT_FALSE(units[1].keyframe);
  EXPECT_EQ(units[2].nals.size(), 3U) << "later slice segments and a suffix SEI stay in the unit";
}

TEST(SplitHevcAccessUnits, MarksEveryIrapTypeAsAKeyframe) {
  for (std::uint8_t type : {16, 19, 20, 21, 23}) {
    std::vector<std::uint8_t> data = {0, 0, 1, static_cast<std::uint8_t>(type << 1), 1, 0x80};
    const auto units = SplitHevcAccessUnits(data);
    ASSERT_EQ(units.size(), 1U);
    EXPECT_TRUE(units[0].keyframe) << int{type};
  }
  std::vector<std::uint8_t> trail = {0, 0, 1, 0x02, 1, 0x80};
  EXPECT_FALSE(SplitHevcAccessUnits(trail)[0].keyframe);
}

TEST(ParseHevcSps, ReadsProfileTierLevelSizeAndRateOfTheMainFixture) {
  const auto sps = ParseHevcSps(FromHex(kMainSps));
  ASSERT_TRUE(sps.has_value()) << sps.error().message;
  EXPECT_EQ(sps->profile_space, 0);
  EXPECT_EQ(sps->tier_flag, 0);
  EXPECT_EQ(sps->profile_idc, 1);  // Main
  EXPECT_EQ(sps->profile_compatibility_flags, 0x60000000U);
  EXPECT_EQ(sps->constraint_indicator_flags, 0x900000000000ULL);  // progressive, frame only
  EXPECT_EQ(sps->level_idc, 120);                                 // level 4
  EXPECT_EQ(sps->width, 1920);
  EXPECT_EQ(sps->height, 1080);  // 1088 coded, cropped by the conformance window
  EXPECT_EQ(sps->fps_num, 25U);
  EXPECT_EQ(sps->fps_den, 1U);
}

TEST(ParseHevcSps, ParsesPredictedReferencePictureSetsUpToTheTiming) {
  // The frame rate comes after the reference picture sets: reading it right proves they were
  // parsed bit-exactly.
  const auto sps = ParseHevcSps(FromHex(kPyramidSps));
  ASSERT_TRUE(sps.has_value()) << sps.error().message;
  EXPECT_EQ(sps->width, 352);
  EXPECT_EQ(sps->height, 288);
  EXPECT_EQ(sps->fps_num, 30000U);
  EXPECT_EQ(sps->fps_den, 1001U);
}

TEST(ParseHevcSps, ReadsA422StreamWithScalingLists) {
  const auto sps = ParseHevcSps(FromHex(kRextSps));
  ASSERT_TRUE(sps.has_value()) << sps.error().message;
  EXPECT_EQ(sps->profile_idc, 4);  // format range extensions
  EXPECT_EQ(sps->width, 1280);
  EXPECT_EQ(sps->height, 720);
  EXPECT_EQ(sps->fps_num, 50U);
  EXPECT_EQ(sps->fps_den, 1U);
}

TEST(ParseHevcSps, RefusesTruncatedAndNonSpsInput) {
  const auto full = FromHex(kMainSps);
  for (std::size_t n = 0; n + 1 < full.size(); ++n) {
    const std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
    EXPECT_FALSE(ParseHevcSps(cut).has_value()) << n;
  }
  EXPECT_FALSE(ParseHevcSps(FromHex("4401c172b46240")).has_value()) << "a PPS";
  EXPECT_FALSE(ParseHevcSps(FromHex("67640028acb403c0113f2e02")).has_value()) << "an H.264 SPS";
}

TEST(ParseHevcSps, IsTotalOnRandomBytes) {
  std::mt19937 rng(11);
  const auto fixture = FromHex(kPyramidSps);
  for (int i = 0; i < 4000; ++i) {
    std::vector<std::uint8_t> bytes;
    if (i % 2 == 0) {
      bytes.resize(2 + rng() % 60);
      for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    } else {
      bytes = fixture;  // the fixture with a few bits flipped reaches deeper into the syntax
      for (int flips = 0; flips < 3; ++flips) {
        bytes[2 + rng() % (bytes.size() - 2)] ^= static_cast<std::uint8_t>(1U << (rng() % 8));
      }
    }
    bytes[0] = 0x42;
    bytes[1] = 0x01;
    const auto sps = ParseHevcSps(bytes);
    if (sps) {
      EXPECT_GT(sps->width, 0);
      EXPECT_GT(sps->height, 0);
    }
  }
}

}  // namespace
}  // namespace camguard::camsim
