// SPDX-License-Identifier: Apache-2.0
// Segment files against ffprobe: plain and encrypted recordings of a real encoded clip read back
// whole, survive a crash at any byte, refuse tampering, roll over at keyframes, are indexed,
// expire, and export across segments into one playable file.
#include "recording/recording.h"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "media/fmp4.h"
#include "store/migrations.h"
#include "test_support.h"

namespace camguard::recording {
namespace {

using camguard::testing::TempDir;

camguard::testing::CommandResult Shell(const std::string& command) {
  return camguard::testing::RunCommand(command + " 2>/dev/null");
}

struct Clip {
  std::vector<std::uint8_t> init;
  std::vector<media::Fragmenter::Fragment> fragments;
};

// 6 s of 320x240 at 15 fps with a keyframe every second, packaged by our muxer.
Clip MakeClip(const std::filesystem::path& dir) {
  const auto h264 = dir / "clip.h264";
  Shell(
      "ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=15 -t 6 -c:v libx264 -g 15 -bf 0 "
      "-bsf:v h264_metadata=aud=insert -f h264 '" +
      h264.string() + "'");
  std::ifstream in(h264, std::ios::binary);
  const std::vector<std::uint8_t> stream(std::istreambuf_iterator<char>(in), {});
  std::vector<media::AccessUnit> units;
  for (auto nal : media::SplitAnnexB(stream)) {
    if (nal.empty()) continue;
    if ((nal[0] & 0x1f) == 9 || units.empty()) {
      units.emplace_back();
      units.back().timestamp = static_cast<std::int64_t>(units.size() - 1) * 6000;
    }
    units.back().nal_units.emplace_back(nal.begin(), nal.end());
    if ((nal[0] & 0x1f) == 5) units.back().keyframe = true;
  }
  Clip clip;
  std::vector<std::uint8_t> sps, pps;
  for (const auto& nal : units.at(0).nal_units) {
    if ((nal[0] & 0x1f) == 7) sps = nal;
    if ((nal[0] & 0x1f) == 8) pps = nal;
  }
  clip.init = media::BuildInitSegment(*media::DescribeH264(sps, pps));
  media::Fragmenter fragmenter;
  for (auto& unit : units)
    if (auto done = *fragmenter.Push(std::move(unit))) clip.fragments.push_back(std::move(*done));
  clip.fragments.push_back(*fragmenter.Flush());
  return clip;
}

int ProbeFrames(const std::filesystem::path& path) {
  const auto probe = Shell(
      "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
      "stream=nb_read_frames -of csv=p=0 '" +
      path.string() + "'");
  if (probe.exit_code != 0) return -1;
  return std::atoi(probe.output.c_str());
}

class RecordingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Shell("ffmpeg -version").exit_code != 0) GTEST_SKIP() << "ffmpeg is missing";
    ASSERT_TRUE(crypto::Initialize());
    clip_ = MakeClip(dir_.path());
    ASSERT_EQ(clip_.fragments.size(), 6u);
    auto db = store::Database::Open(dir_.path() / "camguard.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(store::Migrate(*db));
    ASSERT_TRUE(
        db->Execute("INSERT INTO cameras (id, public_id, name, main_url, created_ms) "
                    "VALUES (7, 'cam_7', 'Porch', 'rtsp://127.0.0.1/m', 0)"));
    db_.emplace(std::move(*db));
  }
  // Records the clip; returns the index rows the writer produced.
  std::vector<SegmentRecord> Record(bool encrypt,
                                    std::chrono::seconds segment = std::chrono::seconds(60)) {
    WriterOptions options;
    options.directory = dir_.path() / "recordings" / "7";
    options.camera_id = 7;
    options.encrypt = encrypt;
    options.segment_length = segment;
    options.master_key = key_;
    auto writer = SegmentWriter::Open(options);
    EXPECT_TRUE(writer);
    EXPECT_TRUE((*writer)->StartSegment(clip_.init, "avc1.640014", 320, 240));
    for (const auto& f : clip_.fragments) {
      FragmentMeta meta;
      meta.start = start_ + std::chrono::microseconds(f.start_time * 1000000 / 90000);
      meta.duration = std::chrono::microseconds(f.duration * 1000000 / 90000);
      meta.starts_with_keyframe = f.starts_with_keyframe;
      meta.frames = f.sample_count;
      EXPECT_TRUE((*writer)->Append(f.bytes, meta));
    }
    EXPECT_TRUE((*writer)->Close());
    auto rows = (*writer)->TakeIndexUpdates();
    EXPECT_TRUE(RecordingIndex(*db_).Upsert(rows));
    return rows;
  }
  TempDir dir_{"recording"};
  Clip clip_;
  std::optional<store::Database> db_;
  std::shared_ptr<const crypto::SecretKey> key_ =
      std::make_shared<const crypto::SecretKey>(std::string(32, 'k'));
  base::WallTime start_ = base::FromUnixMillis(1'790'000'000'000);
};

TEST_F(RecordingTest, PlainAndEncryptedSegmentsReadBackWhole) {
  for (bool encrypt : {false, true}) {
    const auto rows = Record(encrypt);
    ASSERT_FALSE(rows.empty());
    const SegmentRecord& last = rows.back();
    EXPECT_TRUE(last.complete);
    EXPECT_EQ(last.frames, 90u);
    EXPECT_EQ(last.path.extension(), encrypt ? ".cgv" : ".mp4");
    auto bytes = ReadSegment(last.path, key_.get());
    ASSERT_TRUE(bytes) << bytes.error().message;
    const auto out = dir_.path() / "read.mp4";
    std::ofstream(out, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes->data()),
               static_cast<std::streamsize>(bytes->size()));
    EXPECT_EQ(ProbeFrames(out), 90);
    if (encrypt) {
      EXPECT_EQ(ProbeFrames(last.path), -1);  // not readable without the key
      const crypto::SecretKey other(std::string(32, 'o'));
      EXPECT_FALSE(ReadSegment(last.path, &other));
    }
    std::filesystem::remove(last.path);
  }
}

TEST_F(RecordingTest, SegmentsRollOverAtKeyframesAndExportJoinsThem) {
  const auto rows = Record(true, std::chrono::seconds(2));
  std::set<std::filesystem::path> files;
  for (const auto& r : rows) files.insert(r.path);
  EXPECT_EQ(files.size(), 3u);
  RecordingIndex index(*db_);
  const auto out = dir_.path() / "export.mp4";
  auto exported = Export(index, 7, start_, start_ + std::chrono::seconds(10), out, key_.get());
  ASSERT_TRUE(exported) << exported.error().message;
  EXPECT_EQ(exported->fragments, 6u);
  EXPECT_EQ(ProbeFrames(out), 90);
  const auto sum = Shell("sha256sum '" + out.string() + "'");
  EXPECT_EQ(sum.output.substr(0, 64), exported->sha256_hex);
  // A range in the middle starts at the keyframe at or after its start.
  auto middle = Export(index, 7, start_ + std::chrono::milliseconds(2500),
                       start_ + std::chrono::milliseconds(4200), out, key_.get());
  ASSERT_TRUE(middle);
  EXPECT_EQ(ProbeFrames(out), static_cast<int>(middle->fragments) * 15);
  EXPECT_FALSE(Export(index, 7, start_ + std::chrono::hours(1), start_ + std::chrono::hours(2), out,
                      key_.get()));
}

TEST_F(RecordingTest, RecoveryCutsACrashedFileBackToItsLastWholeFragment) {
  for (bool encrypt : {false, true}) {
    const auto rows = Record(encrypt);
    const auto path = rows.back().path;
    const auto size = std::filesystem::file_size(path);
    std::filesystem::resize_file(path, size - 777);  // killed in the middle of the last fragment
    RecordingIndex index(*db_);
    auto report = Recover(dir_.path() / "recordings", index, key_.get());
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->trimmed, 1);
    auto bytes = ReadSegment(path, key_.get());
    ASSERT_TRUE(bytes);
    const auto out = dir_.path() / "recovered.mp4";
    std::ofstream(out, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes->data()),
               static_cast<std::streamsize>(bytes->size()));
    EXPECT_EQ(ProbeFrames(out), 75) << "five whole fragments of 15 frames survive";
    auto found = index.Find(7, start_, start_ + std::chrono::hours(1));
    ASSERT_TRUE(found);
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ((*found)[0].frames, 75u);
    EXPECT_EQ((*found)[0].codec, "avc1.640014");
    std::filesystem::remove(path);
    ASSERT_TRUE(index.Remove(path));
  }
}

TEST_F(RecordingTest, TamperedEncryptedChunksAreRefused) {
  const auto rows = Record(true);
  const auto path = rows.back().path;
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(std::filesystem::file_size(path) / 2));
    file.put('\x5a');
  }
  auto bytes = ReadSegment(path, key_.get());
  EXPECT_FALSE(bytes);
}

TEST_F(RecordingTest, RetentionDeletesByAgeAndBudgetOldestFirst) {
  Record(false, std::chrono::seconds(2));
  RecordingIndex index(*db_);
  RetentionPolicy policy;
  policy.root = dir_.path();
  policy.max_age_by_camera[7] = std::chrono::hours(24);
  auto kept = ApplyRetention(index, policy, start_ + std::chrono::hours(1));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->deleted, 0);
  auto all = index.All();
  ASSERT_EQ(all->size(), 3u);
  policy.disk_budget_bytes = (*all)[1].bytes + (*all)[2].bytes;
  auto budget = ApplyRetention(index, policy, start_ + std::chrono::hours(1));
  ASSERT_TRUE(budget);
  EXPECT_EQ(budget->deleted, 1);
  EXPECT_FALSE(std::filesystem::exists((*all)[0].path));
  EXPECT_TRUE(std::filesystem::exists((*all)[2].path));
  auto aged = ApplyRetention(index, policy, start_ + std::chrono::hours(25));
  ASSERT_TRUE(aged);
  EXPECT_EQ(aged->deleted, 2);
  EXPECT_TRUE(index.All()->empty());
}

}  // namespace
}  // namespace camguard::recording
