// SPDX-License-Identifier: Apache-2.0
// The muxer against a real encoder and a real reader: ffmpeg encodes a short H.264 clip, the
// Fragmenter packages it, ffprobe must decode every frame of the result; truncated files keep a
// playable prefix.
#include "media/fmp4.h"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "test_support.h"

namespace camguard::media {
namespace {

using camguard::testing::TempDir;

// Runs a command given as words (quoted for /bin/sh); stdout only.
camguard::testing::CommandResult RunCommand(const std::vector<std::string>& words) {
  std::string command;
  for (const std::string& word : words) command += "'" + word + "' ";
  return camguard::testing::RunCommand(command + "2>/dev/null");
}

std::vector<std::uint8_t> ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

// Access units of an Annex-B stream whose units start with an AUD (type 9).
std::vector<AccessUnit> AccessUnits(std::span<const std::uint8_t> stream, int fps) {
  std::vector<AccessUnit> units;
  for (auto nal : SplitAnnexB(stream)) {
    if (nal.empty()) continue;
    if ((nal[0] & 0x1f) == 9 || units.empty()) {
      units.emplace_back();
      units.back().timestamp = static_cast<std::int64_t>(units.size() - 1) * kTimescale / fps;
    }
    units.back().nal_units.emplace_back(nal.begin(), nal.end());
    if ((nal[0] & 0x1f) == 5) units.back().keyframe = true;
  }
  return units;
}

class Fmp4Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunCommand({"ffmpeg", "-version"}).exit_code != 0) GTEST_SKIP() << "ffmpeg is missing";
    clip_ = dir_.path() / "clip.h264";
    const auto made = RunCommand({"ffmpeg",
                                  "-v",
                                  "error",
                                  "-f",
                                  "lavfi",
                                  "-i",
                                  "testsrc2=size=320x240:rate=15",
                                  "-t",
                                  "3",
                                  "-c:v",
                                  "libx264",
                                  "-profile:v",
                                  "high",
                                  "-g",
                                  "15",
                                  "-bf",
                                  "0",
                                  "-bsf:v",
                                  "h264_metadata=aud=insert",
                                  "-f",
                                  "h264",
                                  clip_.string()});
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  TempDir dir_{"fmp4"};
  std::filesystem::path clip_;
};

TEST_F(Fmp4Test, FfprobeDecodesEveryFrameOfTheMuxedClip) {
  const auto stream = ReadAll(clip_);
  auto units = AccessUnits(stream, 15);
  ASSERT_EQ(units.size(), 45u);
  std::vector<std::uint8_t> sps, pps;
  for (const auto& nal : units[0].nal_units) {
    if ((nal[0] & 0x1f) == 7) sps = nal;
    if ((nal[0] & 0x1f) == 8) pps = nal;
  }
  auto track = DescribeH264(sps, pps);
  ASSERT_TRUE(track) << track.error().message;
  EXPECT_EQ(track->width, 320);
  EXPECT_EQ(track->height, 240);
  EXPECT_TRUE(track->codec_string.starts_with("avc1.64")) << track->codec_string;
  ASSERT_TRUE(track->frame_rate);
  EXPECT_NEAR(*track->frame_rate, 15.0, 0.01);

  std::vector<std::uint8_t> file = BuildInitSegment(*track);
  Fragmenter fragmenter(std::chrono::seconds(1));
  fragmenter.SetParameterSets({sps, pps});
  int fragments = 0, keyframe_starts = 0;
  for (auto& unit : units) {
    auto done = fragmenter.Push(std::move(unit));
    ASSERT_TRUE(done);
    if (*done) {
      ++fragments;
      keyframe_starts += (*done)->starts_with_keyframe;
      file.insert(file.end(), (*done)->bytes.begin(), (*done)->bytes.end());
    }
  }
  auto last = fragmenter.Flush();
  ASSERT_TRUE(last);
  file.insert(file.end(), last->bytes.begin(), last->bytes.end());
  EXPECT_EQ(fragments + 1, 3);  // one fragment per 1 s GOP
  EXPECT_EQ(keyframe_starts + 1, 3);
  EXPECT_FALSE(fragmenter.parameters_changed());
  const auto path = dir_.path() / "out.mp4";
  WriteAll(path, file);
  const auto probe = RunCommand(
      {"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
       "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", path.string()});
  ASSERT_EQ(probe.exit_code, 0) << probe.output;
  EXPECT_EQ(probe.output, "h264,320,240,45\n");
  EXPECT_EQ(PlayablePrefixLength(file), file.size());
  auto boxes = ReadTopLevelBoxes(file);
  ASSERT_TRUE(boxes);
  EXPECT_EQ(boxes->size(), 2u + 2u * 3u);
}

TEST_F(Fmp4Test, ATruncatedFileKeepsAPlayablePrefix) {
  const auto stream = ReadAll(clip_);
  auto units = AccessUnits(stream, 15);
  std::vector<std::uint8_t> sps, pps;
  for (const auto& nal : units[0].nal_units) {
    if ((nal[0] & 0x1f) == 7) sps = nal;
    if ((nal[0] & 0x1f) == 8) pps = nal;
  }
  std::vector<std::uint8_t> file = BuildInitSegment(*DescribeH264(sps, pps));
  Fragmenter fragmenter;
  for (auto& unit : units) {
    if (auto done = *fragmenter.Push(std::move(unit)))
      file.insert(file.end(), done->bytes.begin(), done->bytes.end());
  }
  for (std::size_t cut : {file.size() - 1, file.size() / 2, file.size() / 3, std::size_t{700}}) {
    const std::span<const std::uint8_t> prefix(file.data(), cut);
    const std::uint64_t playable = PlayablePrefixLength(prefix);
    ASSERT_LE(playable, cut);
    if (playable == 0) continue;
    const auto path = dir_.path() / "cut.mp4";
    WriteAll(path, prefix.subspan(0, playable));
    const auto probe = RunCommand({"ffprobe", "-v", "error", "-count_frames", "-show_entries",
                                   "stream=nb_read_frames", "-of", "csv=p=0", path.string()});
    EXPECT_EQ(probe.exit_code, 0) << probe.output;
    EXPECT_EQ(probe.output.find("rror"), std::string::npos) << probe.output;
  }
}

TEST(H264, GarbageParameterSetsAreErrors) {
  const std::vector<std::uint8_t> not_sps = {0x68, 1, 2, 3};
  const std::vector<std::uint8_t> pps = {0x68, 0xce, 0x3c, 0x80};
  EXPECT_FALSE(DescribeH264(not_sps, pps));
  const std::vector<std::uint8_t> short_sps = {0x67, 0x64};
  EXPECT_FALSE(DescribeH264(short_sps, pps));
  const std::vector<std::uint8_t> zeros(64, 0x00);
  std::vector<std::uint8_t> sps = {0x67, 0x64, 0x00, 0x28};
  sps.insert(sps.end(), zeros.begin(), zeros.end());
  EXPECT_FALSE(DescribeH264(sps, pps));  // an exp-Golomb code longer than 32 bits
  EXPECT_EQ(Unescape(std::vector<std::uint8_t>{0, 0, 3, 1, 0, 0, 3}),
            (std::vector<std::uint8_t>{0, 0, 1, 0, 0}));
}

TEST(Fmp4, BoxReaderRefusesCutAndLyingBoxes) {
  EXPECT_FALSE(ReadTopLevelBoxes(std::vector<std::uint8_t>{0, 0, 0, 20, 'f', 't', 'y', 'p'}));
  EXPECT_FALSE(ReadTopLevelBoxes(std::vector<std::uint8_t>{0, 0, 0, 4, 'f', 't', 'y', 'p'}));
  EXPECT_EQ(PlayablePrefixLength(std::vector<std::uint8_t>{0, 0, 0, 1, 'm', 'o', 'o', 'v'}), 0u);
  EXPECT_TRUE(ReadTopLevelBoxes(std::vector<std::uint8_t>{0, 0, 0, 8, 'f', 'r', 'e', 'e'}));
}

}  // namespace
}  // namespace camguard::media
