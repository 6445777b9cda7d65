// SPDX-License-Identifier: Apache-2.0
// The decoder on camsim's real H.264 clips (1080p main and 360p sub streams): every keyframe
// decodes to the expected thumbnail, one decoder serves a whole stream and survives size changes
// and garbage, and damaged keyframes are refused instead of concealed.
#include "tamper/keyframe_decoder.h"

#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tamper/test_footage.h"

namespace camguard::tamper {
namespace {

using base::ErrorCode;
using testing::ClipsDir;
using testing::KeyframeUnits;
using testing::ReadBytes;

double MeanAbsoluteDifference(const Thumbnail& a, const Thumbnail& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.luma.size(); ++i) sum += std::abs(a.luma[i] - b.luma[i]);
  return sum / static_cast<double>(a.luma.size());
}

double Mean(const Thumbnail& t) {
  double sum = 0;
  for (const auto v : t.luma) sum += v;
  return sum / static_cast<double>(t.luma.size());
}

double Stddev(const Thumbnail& t) {
  const double mean = Mean(t);
  double sum = 0;
  for (const auto v : t.luma) sum += (v - mean) * (v - mean);
  return std::sqrt(sum / static_cast<double>(t.luma.size()));
}

// The fuzz target's seed keyframes (160x90, made with ffmpeg and libx264), decoded each by a
// fresh decoder: every 8-bit layout decodes, everything else is refused with the right code.
TEST(KeyframeDecoderSeedsTest, DecodesEveryEightBitLayoutAndRefusesTheRest) {
  const char* source_dir = std::getenv("CAMGUARD_SOURCE_DIR");
  if (source_dir == nullptr) GTEST_SKIP() << "CAMGUARD_SOURCE_DIR not set";
  const std::filesystem::path seeds =
      std::filesystem::path(source_dir) / "tests/fuzz/corpus/tamper_decode_fuzz";
  const auto decode = [&](const std::string& name) {
    const auto bytes = ReadBytes(seeds / name);
    EXPECT_FALSE(bytes.empty()) << name;
    KeyframeDecoder decoder;
    return decoder.Decode(bytes);
  };
  std::map<std::string, Thumbnail> decoded;
  for (const std::string name : {"keyframe_160x90", "keyframe_full_range", "keyframe_422",
                                 "keyframe_444", "keyframe_gray", "keyframe_4_slices"}) {
    auto thumbnail = decode(name);
    ASSERT_TRUE(thumbnail) << name << ": " << thumbnail.error().message;
    EXPECT_EQ(thumbnail->source_width, 160) << name;
    EXPECT_EQ(thumbnail->source_height, 90) << name;
    decoded[name] = std::move(*thumbnail);
  }
  // The same picture in video range and in full range gives the same thumbnail.
  EXPECT_LT(MeanAbsoluteDifference(decoded["keyframe_160x90"], decoded["keyframe_full_range"]), 3);
  EXPECT_LT(MeanAbsoluteDifference(decoded["keyframe_160x90"], decoded["keyframe_444"]), 3);
  EXPECT_LT(MeanAbsoluteDifference(decoded["keyframe_160x90"], decoded["keyframe_gray"]), 3);

  const std::map<std::string, ErrorCode> refused = {
      {"keyframe_10bit", ErrorCode::kInvalidArgument},
      {"keyframe_without_parameter_sets", ErrorCode::kFailedPrecondition},
      {"keyframe_truncated", ErrorCode::kDataLoss},
      {"p_frame", ErrorCode::kInvalidArgument},
      {"random_bytes", ErrorCode::kInvalidArgument},
      {"start_codes_only", ErrorCode::kInvalidArgument},
      {"garbage_idr_slice", ErrorCode::kDataLoss},
  };
  for (const auto& [name, code] : refused) {
    const auto result = decode(name);
    ASSERT_FALSE(result) << name;
    EXPECT_EQ(result.error().code, code) << name << ": " << result.error().message;
  }
}

class KeyframeDecoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = ClipsDir();
    if (!dir) GTEST_SKIP() << "camsim clips not found (set CAMSIM_CLIPS)";
    dir_ = *dir;
  }
  std::vector<std::vector<std::uint8_t>> Keyframes(const std::string& view,
                                                   const std::string& stream) const {
    const auto bytes = ReadBytes(dir_ / (view + "_" + stream + ".h264"));
    EXPECT_FALSE(bytes.empty()) << view << "_" << stream;
    return KeyframeUnits(bytes);
  }
  // NAL units of an Annex-B access unit without the parameter sets.
  static std::vector<std::uint8_t> WithoutParameterSets(std::span<const std::uint8_t> unit) {
    std::vector<std::uint8_t> out;
    for (const auto nal : media::SplitAnnexB(unit)) {
      if (testing::NalType(nal) == 7 || testing::NalType(nal) == 8) continue;
      out.insert(out.end(), {0, 0, 0, 1});
      out.insert(out.end(), nal.begin(), nal.end());
    }
    return out;
  }
  static std::vector<std::uint8_t> NalOfType(std::span<const std::uint8_t> unit, int type) {
    for (const auto nal : media::SplitAnnexB(unit)) {
      if (testing::NalType(nal) == type) return {nal.begin(), nal.end()};
    }
    return {};
  }
  std::filesystem::path dir_;
};

TEST_F(KeyframeDecoderTest, DecodesTheFirstKeyframeOfEveryClip) {
  for (const std::string view : {"home", "left", "right", "down", "covered"}) {
    for (const auto& [stream, width, height] :
         {std::tuple{"main", 1920, 1080}, std::tuple{"sub", 640, 360}}) {
      SCOPED_TRACE(fmt::format("{}_{}", view, stream));
      const auto keyframes = Keyframes(view, stream);
      ASSERT_EQ(keyframes.size(), 2u);  // 4 s clips, a keyframe every 2 s
      KeyframeDecoder decoder;
      const auto thumbnail = decoder.Decode(keyframes.front());
      ASSERT_TRUE(thumbnail.has_value()) << thumbnail.error().message;
      EXPECT_EQ(thumbnail->width, kDefaultThumbnailWidth);
      EXPECT_EQ(thumbnail->height, kDefaultThumbnailHeight);
      EXPECT_EQ(thumbnail->luma.size(), 80u * 45u);
      EXPECT_EQ(thumbnail->source_width, width);
      EXPECT_EQ(thumbnail->source_height, height);
      if (std::string(view) == "covered") {
        // 0x0a0a0a behind a little sensor noise, in full range.
        EXPECT_LT(Mean(*thumbnail), 16);
        EXPECT_LT(Stddev(*thumbnail), 2);
      } else {
        EXPECT_GT(Stddev(*thumbnail), 15) << "a scene has contrast";
      }
    }
  }
}

TEST_F(KeyframeDecoderTest, MainAndSubStreamGiveTheSameThumbnail) {
  // Same scene at 1920x1080 and 640x360: area averaging makes the thumbnails nearly equal (the
  // encoders' noise and the clock overlay's font differ). Not "down": its gradient source picks
  // random colours for every encode.
  for (const std::string view : {"home", "left", "right", "covered"}) {
    KeyframeDecoder main_decoder, sub_decoder;
    const auto main = main_decoder.Decode(Keyframes(view, "main").front());
    const auto sub = sub_decoder.Decode(Keyframes(view, "sub").front());
    ASSERT_TRUE(main && sub);
    EXPECT_LT(MeanAbsoluteDifference(*main, *sub), 6.0) << view;
  }
}

TEST_F(KeyframeDecoderTest, ThumbnailMatchesTheFullPictureOnAFlatArea) {
  // The right view's top-left bar is SMPTE 40 % grey: luma 104 in video range. In full range
  // that is (104 - 16) * 255 / 219 = 102.5.
  KeyframeDecoder decoder;
  const auto thumbnail = decoder.Decode(Keyframes("right", "sub").front());
  ASSERT_TRUE(thumbnail);
  EXPECT_NEAR(thumbnail->at(2, 20), 102.5, 4.0);
}

TEST_F(KeyframeDecoderTest, OneDecoderServesEveryKeyframeAndReopensOnSizeChange) {
  KeyframeDecoder shared;
  int expected_opens = 0;
  std::string previous_stream;
  for (const std::string stream : {"sub", "main", "sub"}) {
    for (const std::string view : {"home", "left", "right", "down", "covered"}) {
      for (const auto& keyframe : Keyframes(view, stream)) {
        SCOPED_TRACE(fmt::format("{}_{}", view, stream));
        const auto reused = shared.Decode(keyframe);
        KeyframeDecoder fresh;
        const auto expected = fresh.Decode(keyframe);
        ASSERT_TRUE(reused && expected);
        EXPECT_EQ(reused->luma, expected->luma);
      }
    }
    // The clips of one stream type were encoded with the same settings, so their parameter
    // sets are byte-identical: the decoder reopens only when the stream type changes.
    if (stream != previous_stream) ++expected_opens;
    previous_stream = stream;
  }
  EXPECT_EQ(shared.decoder_opens(), expected_opens);
}

TEST_F(KeyframeDecoderTest, UsesParameterSetsGivenOutOfBand) {
  const auto keyframe = Keyframes("home", "sub").front();
  const auto bare = WithoutParameterSets(keyframe);
  KeyframeDecoder decoder;
  const auto refused = decoder.Decode(bare);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);

  ASSERT_TRUE(decoder.SetParameterSets(NalOfType(keyframe, 7), NalOfType(keyframe, 8)));
  const auto from_sdp = decoder.Decode(bare);
  ASSERT_TRUE(from_sdp) << from_sdp.error().message;
  KeyframeDecoder reference;
  EXPECT_EQ(from_sdp->luma, reference.Decode(keyframe)->luma);

  // In-band parameter sets are remembered for later keyframes that lack them.
  KeyframeDecoder in_band;
  ASSERT_TRUE(in_band.Decode(keyframe));
  EXPECT_TRUE(in_band.Decode(bare));

  EXPECT_FALSE(decoder.SetParameterSets(NalOfType(keyframe, 8), NalOfType(keyframe, 7)));
}

TEST_F(KeyframeDecoderTest, AcceptsTheEnginesAccessUnits) {
  const auto keyframe = Keyframes("left", "sub").front();
  media::AccessUnit unit;
  unit.keyframe = true;
  for (const auto nal : media::SplitAnnexB(keyframe))
    unit.nal_units.emplace_back(nal.begin(), nal.end());
  KeyframeDecoder a, b;
  const auto from_unit = a.Decode(unit);
  const auto from_bytes = b.Decode(keyframe);
  ASSERT_TRUE(from_unit && from_bytes);
  EXPECT_EQ(from_unit->luma, from_bytes->luma);
}

TEST_F(KeyframeDecoderTest, RefusesWhatIsNotAKeyframe) {
  KeyframeDecoder decoder;
  const auto expect_error = [&](std::span<const std::uint8_t> bytes, ErrorCode code,
                                const std::string& what) {
    const auto result = decoder.Decode(bytes);
    ASSERT_FALSE(result) << what;
    EXPECT_EQ(result.error().code, code) << what << ": " << result.error().message;
  };
  expect_error({}, ErrorCode::kInvalidArgument, "empty");
  const std::vector<std::uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  expect_error(text, ErrorCode::kInvalidArgument, "no start code");

  // The second access unit of a clip is a P-frame.
  const auto units = testing::AccessUnits(ReadBytes(dir_ / "home_sub.h264"));
  ASSERT_GT(units.size(), 2u);
  ASSERT_FALSE(testing::HasNalType(units[1], 5));
  expect_error(units[1], ErrorCode::kInvalidArgument, "P-frame");

  // Forbidden bit, and parameter sets that do not parse.
  auto keyframe = Keyframes("home", "sub").front();
  auto forbidden = keyframe;
  for (std::size_t i = 0; i + 4 < forbidden.size(); ++i) {
    if (forbidden[i] == 0 && forbidden[i + 1] == 0 && forbidden[i + 2] == 1 &&
        (forbidden[i + 3] & 0x1f) == 5) {
      forbidden[i + 3] |= 0x80;
      break;
    }
  }
  expect_error(forbidden, ErrorCode::kInvalidArgument, "forbidden bit");
  std::vector<std::uint8_t> broken_sps = {0, 0, 0, 1, 0x67, 0xff};
  const auto bare = WithoutParameterSets(keyframe);
  broken_sps.insert(broken_sps.end(), {0, 0, 0, 1, 0x68, 0xce, 0x38, 0x80});
  broken_sps.insert(broken_sps.end(), bare.begin(), bare.end());
  expect_error(broken_sps, ErrorCode::kInvalidArgument, "broken SPS");

  // The decoder still works.
  EXPECT_TRUE(decoder.Decode(keyframe));
}

TEST_F(KeyframeDecoderTest, RefusesDamagedKeyframesAndRecovers) {
  const auto keyframes = Keyframes("home", "sub");
  const auto& keyframe = keyframes.front();
  KeyframeDecoder decoder;
  const auto good = decoder.Decode(keyframe);
  ASSERT_TRUE(good);

  // Cut off: the tail of the picture is missing (a lost packet). Concealment would paint it
  // grey; the decoder refuses it.
  int refused = 0;
  for (const double keep : {0.9, 0.75, 0.5, 0.25}) {
    const std::vector<std::uint8_t> truncated(
        keyframe.begin(), keyframe.begin() + static_cast<std::ptrdiff_t>(
                                                 static_cast<double>(keyframe.size()) * keep));
    const auto result = decoder.Decode(truncated);
    if (!result) {
      ++refused;
      EXPECT_EQ(result.error().code, ErrorCode::kDataLoss) << result.error().message;
    }
    const auto again = decoder.Decode(keyframe);
    ASSERT_TRUE(again) << "decoder unusable after a damaged keyframe";
    EXPECT_EQ(again->luma, good->luma);
  }
  EXPECT_EQ(refused, 4);

  // Random bit flips in the slice data: refused or decoded, never a crash, and the decoder goes
  // on giving the right picture.
  std::mt19937 random(7);
  for (int round = 0; round < 50; ++round) {
    auto damaged = keyframe;
    for (int flip = 0; flip < 4; ++flip) {
      const std::size_t at = 64 + random() % (damaged.size() - 64);
      damaged[at] ^= static_cast<std::uint8_t>(1u << (random() % 8));
    }
    (void)decoder.Decode(damaged);
    const auto again = decoder.Decode(keyframes.back());
    ASSERT_TRUE(again);
  }
}

TEST_F(KeyframeDecoderTest, EnforcesSizeLimits) {
  const auto keyframe = Keyframes("home", "main").front();
  DecoderOptions small_pictures;
  small_pictures.max_pixels = 1280 * 720;
  KeyframeDecoder decoder(small_pictures);
  const auto too_large = decoder.Decode(keyframe);
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(decoder.Decode(Keyframes("home", "sub").front())) << "640x360 is within the limit";

  DecoderOptions small_units;
  small_units.max_access_unit_bytes = keyframe.size() - 1;
  KeyframeDecoder strict(small_units);
  const auto too_long = strict.Decode(keyframe);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::kResourceExhausted);
}

TEST_F(KeyframeDecoderTest, HonoursTheThumbnailSize) {
  DecoderOptions options;
  options.thumbnail_width = 64;
  options.thumbnail_height = 36;
  KeyframeDecoder decoder(options);
  const auto thumbnail = decoder.Decode(Keyframes("left", "main").front());
  ASSERT_TRUE(thumbnail);
  EXPECT_EQ(thumbnail->width, 64);
  EXPECT_EQ(thumbnail->height, 36);
}

// CPU time of this thread in milliseconds: unlike wall time, not inflated by other processes.
double ThreadCpuMilliseconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// Decode cost per keyframe, for docs/benchmarks.md. Prints; asserts only that decoding works.
TEST_F(KeyframeDecoderTest, DecodeCostPerKeyframe) {
  for (const auto& [stream, label] :
       {std::pair{"main", "1920x1080"}, std::pair{"sub", "640x360"}}) {
    std::vector<std::vector<std::uint8_t>> keyframes;
    for (const std::string& view : testing::SceneViews()) {
      for (auto& keyframe : Keyframes(view, stream)) keyframes.push_back(std::move(keyframe));
    }
    KeyframeDecoder decoder;
    ASSERT_TRUE(decoder.Decode(keyframes.front()));  // opens the decoder
    constexpr int kRounds = 5;
    std::size_t bytes = 0;
    const double cpu_start = ThreadCpuMilliseconds();
    const auto wall_start = std::chrono::steady_clock::now();
    for (int round = 0; round < kRounds; ++round) {
      for (const auto& keyframe : keyframes) {
        ASSERT_TRUE(decoder.Decode(keyframe));
        bytes += keyframe.size();
      }
    }
    const double cpu = ThreadCpuMilliseconds() - cpu_start;
    const std::chrono::duration<double, std::milli> wall =
        std::chrono::steady_clock::now() - wall_start;
    const double count = static_cast<double>(kRounds * keyframes.size());
    fmt::print(
        "keyframe to thumbnail, {} ({:.0f} KB keyframes): {:.2f} ms CPU ({:.2f} ms wall) "
        "per keyframe\n",
        label, static_cast<double>(bytes) / count / 1024, cpu / count, wall.count() / count);
  }
  // The thumbnail's share: area-averaging a 1080p luma plane.
  const std::vector<std::uint8_t> plane(1920 * 1080, 128);
  const LumaPlane luma{plane, 1920, 1080, 1920, true};
  constexpr int kThumbnails = 50;
  const double cpu_start = ThreadCpuMilliseconds();
  for (int i = 0; i < kThumbnails; ++i) ASSERT_TRUE(MakeThumbnail(luma, 80, 45));
  fmt::print("of which the thumbnail of a 1920x1080 luma plane: {:.2f} ms CPU\n",
             (ThreadCpuMilliseconds() - cpu_start) / kThumbnails);
}

}  // namespace
}  // namespace camguard::tamper
