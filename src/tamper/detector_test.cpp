// SPDX-License-Identifier: Apache-2.0
// The detector on synthetic pictures (always) and on camsim's footage (when the clips are
// there): each kind of tampering is reported once, after the confirmation pictures, and ends
// when the picture is normal again; an hour of normal footage with noise, a large moving object
// and a day/night brightness drift raises nothing; a randomized run of 200 moves, covers and
// uncovers is detected without a miss or a false alarm.
#include "tamper/detector.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tamper/keyframe_decoder.h"
#include "tamper/test_footage.h"

namespace camguard::tamper {
namespace {

using std::chrono::seconds;

constexpr int kWidth = kDefaultThumbnailWidth, kHeight = kDefaultThumbnailHeight;
const base::WallTime kStart{seconds(1'700'000'000)};
constexpr seconds kGop{2};  // a keyframe every 2 s

base::WallTime KeyframeTime(int index) { return kStart + kGop * index; }

// ---- picture making -----------------------------------------------------------------------

Thumbnail Picture(const std::function<double(int, int)>& luma) {
  Thumbnail picture;
  picture.width = picture.source_width = kWidth;
  picture.height = picture.source_height = kHeight;
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      picture.luma.push_back(
          static_cast<std::uint8_t>(std::clamp(std::lround(luma(x, y)), 0L, 255L)));
    }
  }
  return picture;
}

Thumbnail Map(const Thumbnail& in, const std::function<double(int, int, double)>& luma) {
  return Picture([&](int x, int y) { return luma(x, y, in.at(x, y)); });
}

// A scene with edges everywhere: cells of random brightness (a bookshelf, a tiled wall), whose
// size and position differ from seed to seed.
Thumbnail Mosaic(unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> level(30, 220);
  std::uniform_int_distribution<int> size(4, 8), shift(0, 7);
  const int cell_width = size(random), cell_height = size(random);
  const int shift_x = shift(random), shift_y = shift(random);
  std::vector<double> cells(32 * 32);
  for (auto& cell : cells) cell = level(random);
  return Picture([&](int x, int y) {
    return cells[static_cast<std::size_t>((y + shift_y) / cell_height * 32 +
                                          (x + shift_x) / cell_width)];
  });
}

Thumbnail Shift(const Thumbnail& in, int dx) {
  return Map(in, [&](int x, int y, double) { return in.at(std::clamp(x + dx, 0, kWidth - 1), y); });
}

// Gaussian blur: what a defocused lens does to the picture.
Thumbnail Blur(const Thumbnail& in, double sigma) {
  const int radius = static_cast<int>(std::ceil(3 * sigma));
  std::vector<double> kernel;
  double total = 0;
  for (int i = -radius; i <= radius; ++i) {
    kernel.push_back(std::exp(-i * i / (2 * sigma * sigma)));
    total += kernel.back();
  }
  for (auto& weight : kernel) weight /= total;
  const auto tap = [&](int i) { return kernel[static_cast<std::size_t>(i + radius)]; };
  const Thumbnail rows = Map(in, [&](int x, int y, double) {
    double sum = 0;
    for (int i = -radius; i <= radius; ++i)
      sum += tap(i) * in.at(std::clamp(x + i, 0, kWidth - 1), y);
    return sum;
  });
  return Map(rows, [&](int x, int y, double) {
    double sum = 0;
    for (int i = -radius; i <= radius; ++i) {
      sum += tap(i) * rows.at(x, std::clamp(y + i, 0, kHeight - 1));
    }
    return sum;
  });
}

// What changes from one keyframe to the next without anyone touching the camera.
struct Conditions {
  double noise = 2.0;              // sensor noise, standard deviation in thumbnail levels
  double gain = 1.0, offset = 0;   // lighting
  bool object = false;             // a bright object a quarter of the picture in size ...
  int object_x = 0, object_y = 0;  // ... at this position
};
constexpr int kObjectSide = 30;  // 30x30 of 80x45: a quarter of the picture

Thumbnail Observe(const Thumbnail& scene, const Conditions& conditions, std::mt19937& random) {
  std::normal_distribution<double> noise(0, conditions.noise);
  return Map(scene, [&](int x, int y, double value) {
    double lit = value * conditions.gain + conditions.offset;
    if (conditions.object && x >= conditions.object_x && x < conditions.object_x + kObjectSide &&
        y >= conditions.object_y && y < conditions.object_y + kObjectSide) {
      lit = 235 * conditions.gain + conditions.offset;
    }
    return lit + noise(random);
  });
}

// The object crosses the picture from left to right, 5 pixels (40 at 640x360) per keyframe.
void PlaceObject(Conditions& conditions, int index) {
  conditions.object = true;
  conditions.object_x = index * 5 % (kWidth + kObjectSide) - kObjectSide;
  conditions.object_y = (index / 3) % (kHeight - kObjectSide + 1);
}

std::string Describe(const std::vector<TamperEvent>& events) {
  std::string text;
  for (const auto& event : events) {
    text += fmt::format("{}{} ", event.raised ? "+" : "-", ToString(event.kind));
  }
  return text;
}

// ---- synthetic pictures -------------------------------------------------------------------

class TamperDetectorTest : public ::testing::Test {
 protected:
  // Feeds `picture` (with fresh noise) `count` times; returns every event.
  std::vector<TamperEvent> FeedMany(const Thumbnail& picture, int count) {
    std::vector<TamperEvent> all;
    for (int i = 0; i < count; ++i) {
      auto events = detector_.Feed(Observe(picture, {}, random_), KeyframeTime(index_++));
      all.insert(all.end(), events.begin(), events.end());
    }
    return all;
  }

  TamperDetector detector_;
  std::mt19937 random_{42};
  int index_ = 0;
  const Thumbnail scene_ = Mosaic(1);
  const Thumbnail dark_ = Picture([](int, int) { return 12.0; });
};

TEST_F(TamperDetectorTest, LearnsTheViewThenStaysQuiet) {
  EXPECT_TRUE(detector_.learning());
  EXPECT_TRUE(FeedMany(scene_, 2).empty());
  EXPECT_TRUE(detector_.learning()) << "three matching pictures make the baseline";
  EXPECT_TRUE(FeedMany(scene_, 1).empty());
  EXPECT_FALSE(detector_.learning());
  EXPECT_TRUE(FeedMany(scene_, 50).empty());
  EXPECT_GT(detector_.last_measurement().similarity, 0.9);
  EXPECT_NEAR(detector_.last_measurement().sharpness_ratio, 1.0, 0.2);
  EXPECT_NEAR(detector_.last_measurement().noise, 2.0, 0.5) << "noise estimated from the picture";

  // The learned baseline is the scene without the noise.
  const Thumbnail baseline = detector_.baseline_picture();
  ASSERT_EQ(baseline.luma.size(), scene_.luma.size());
  double difference = 0;
  for (std::size_t i = 0; i < scene_.luma.size(); ++i) {
    difference += std::abs(baseline.luma[i] - scene_.luma[i]);
  }
  EXPECT_LT(difference / static_cast<double>(scene_.luma.size()), 1.5);
}

TEST_F(TamperDetectorTest, CoverIsReportedAfterTwoPicturesAndEndsWhenUncovered) {
  FeedMany(scene_, 5);
  // One dark picture is not enough (hysteresis) ...
  EXPECT_TRUE(FeedMany(dark_, 1).empty());
  EXPECT_TRUE(FeedMany(scene_, 3).empty());
  // ... two are.
  EXPECT_TRUE(FeedMany(dark_, 1).empty());
  const base::WallTime first_dark = KeyframeTime(index_ - 1);
  auto events = FeedMany(dark_, 1);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  const TamperEvent& covered = events.front();
  EXPECT_EQ(covered.kind, TamperKind::kCovered);
  EXPECT_TRUE(covered.raised);
  EXPECT_EQ(covered.since, first_dark);
  EXPECT_EQ(covered.at, KeyframeTime(index_ - 1));
  EXPECT_EQ(covered.pictures, 2);
  EXPECT_GT(covered.before, 100) << "brightness of the normal view";
  EXPECT_LT(covered.after, 20);
  EXPECT_GT(covered.score, 0.5);
  EXPECT_EQ(covered.baseline.luma.size(), scene_.luma.size()) << "evidence: the normal view";
  EXPECT_EQ(covered.picture.luma.size(), scene_.luma.size()) << "evidence: the covered picture";
  EXPECT_TRUE(detector_.covered());

  EXPECT_TRUE(FeedMany(dark_, 20).empty()) << "one cover, one event";
  EXPECT_TRUE(FeedMany(scene_, 1).empty());
  events = FeedMany(scene_, 1);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kCovered);
  EXPECT_FALSE(events.front().raised);
  EXPECT_FALSE(detector_.covered());
  EXPECT_TRUE(FeedMany(scene_, 20).empty());
}

TEST_F(TamperDetectorTest, UniformPictureIsCoveredAtAnyBrightness) {
  FeedMany(scene_, 5);
  const Thumbnail white = Picture([](int, int) { return 200.0; });
  const auto events = FeedMany(white, 2);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kCovered);
}

TEST_F(TamperDetectorTest, DimButDetailedPictureIsNotCovered) {
  // Night: a quarter of the light, the same scene.
  FeedMany(scene_, 5);
  const Thumbnail night = Map(scene_, [](int, int, double value) { return value * 0.25; });
  EXPECT_TRUE(FeedMany(night, 10).empty());
  EXPECT_FALSE(detector_.last_measurement().covered);
}

TEST_F(TamperDetectorTest, MoveIsOneEventAndTheNewViewBecomesNormal) {
  FeedMany(scene_, 5);
  const Thumbnail elsewhere = Mosaic(2);
  EXPECT_TRUE(FeedMany(elsewhere, 1).empty());
  auto events = FeedMany(elsewhere, 1);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kViewMoved);
  EXPECT_EQ(events.front().pictures, 2);
  EXPECT_GT(events.front().before, 0.9) << "normal pictures match the baseline";
  EXPECT_LT(events.front().after, 0.4);
  EXPECT_NEAR(events.front().score, 1 - events.front().after, 1e-9);
  EXPECT_TRUE(detector_.learning());
  EXPECT_TRUE(FeedMany(elsewhere, 100).empty());
  EXPECT_FALSE(detector_.learning());
  // Moving back is another move.
  FeedMany(scene_, 1);
  events = FeedMany(scene_, 1);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kViewMoved);
}

TEST_F(TamperDetectorTest, PanningByATenthOfThePictureIsAMove) {
  FeedMany(scene_, 5);
  const auto events = FeedMany(Shift(scene_, kWidth / 10), 3);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kViewMoved);
}

TEST_F(TamperDetectorTest, OneOddPictureIsNoMove) {
  FeedMany(scene_, 5);
  for (int round = 0; round < 10; ++round) {
    EXPECT_TRUE(FeedMany(Mosaic(100 + static_cast<unsigned>(round)), 1).empty());
    EXPECT_TRUE(FeedMany(scene_, 1).empty());
  }
}

TEST_F(TamperDetectorTest, TextDrawnOnThePictureStopsCountingAfterMoves) {
  // The camera's clock and name stay in place when the view moves; once two moves showed that,
  // those blocks no longer make a new view look like the old one.
  const auto with_caption = [](const Thumbnail& scene, int phase) {
    return Map(scene, [phase](int x, int y, double value) {
      if (y >= 9 || x >= 30) return value;
      return (x / 3 + y / 3 + phase) % 2 == 0 ? 230.0 : 20.0;
    });
  };
  // How much a caption that stayed in place adds to the similarity of a moved picture.
  const auto caption_share = [&](const Thumbnail& moved_to) {
    TamperDetector same_caption = detector_, other_caption = detector_;
    same_caption.Feed(with_caption(moved_to, 0), KeyframeTime(index_));
    other_caption.Feed(with_caption(moved_to, 1), KeyframeTime(index_));
    return same_caption.last_measurement().similarity - other_caption.last_measurement().similarity;
  };
  FeedMany(with_caption(scene_, 0), 5);
  EXPECT_GT(caption_share(Mosaic(2)), 0.05) << "three blocks of forty match";
  for (unsigned view = 2; view <= 3; ++view) {
    const Thumbnail next = with_caption(Mosaic(view), 0);
    FeedMany(next, 1);
    ASSERT_EQ(FeedMany(next, 1).size(), 1u);
    ASSERT_TRUE(FeedMany(next, 10).empty());
  }
  EXPECT_LT(caption_share(Mosaic(4)), 0.02) << "the caption blocks are known to be an overlay";
}

TEST_F(TamperDetectorTest, RelearnAcceptsAMoveTheHubMadeWithoutAnEvent) {
  FeedMany(scene_, 5);
  detector_.Relearn();
  EXPECT_TRUE(detector_.learning());
  EXPECT_TRUE(FeedMany(Mosaic(3), 30).empty());
  EXPECT_FALSE(detector_.learning());
  const auto events = FeedMany(scene_, 2);
  ASSERT_EQ(events.size(), 1u) << "the old view is now a move";
}

TEST_F(TamperDetectorTest, RelearnKeepsAnOngoingCover) {
  FeedMany(scene_, 5);
  FeedMany(dark_, 2);
  ASSERT_TRUE(detector_.covered());
  detector_.Relearn();
  EXPECT_TRUE(detector_.covered());
  const auto events = FeedMany(scene_, 4);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_FALSE(events.front().raised);
}

TEST_F(TamperDetectorTest, BlurIsDefocusAndEndsWhenSharpAgain) {
  FeedMany(scene_, 5);
  const Thumbnail blurred = Blur(scene_, 1.5);
  EXPECT_TRUE(FeedMany(blurred, 1).empty());
  auto events = FeedMany(blurred, 1);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kDefocused);
  EXPECT_TRUE(events.front().raised);
  EXPECT_LT(events.front().after, events.front().before * 0.4);
  EXPECT_TRUE(detector_.defocused());
  EXPECT_TRUE(FeedMany(blurred, 20).empty());
  events = FeedMany(scene_, 2);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kDefocused);
  EXPECT_FALSE(events.front().raised);
  EXPECT_TRUE(FeedMany(scene_, 20).empty());
}

TEST_F(TamperDetectorTest, CoverWhileLearningIsReportedAndNotLearned) {
  auto events = FeedMany(dark_, 3);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kCovered);
  EXPECT_TRUE(events.front().baseline.luma.empty()) << "no normal view seen yet";
  EXPECT_TRUE(detector_.learning());
  events = FeedMany(scene_, 5);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_FALSE(events.front().raised);
  EXPECT_FALSE(detector_.learning());
}

TEST_F(TamperDetectorTest, NewPictureSizeStartsLearningAgain) {
  FeedMany(scene_, 5);
  Thumbnail small;
  small.width = small.height = 16;
  for (int i = 0; i < 16 * 16; ++i) small.luma.push_back(static_cast<std::uint8_t>(i * 7 % 251));
  EXPECT_TRUE(detector_.Feed(small, KeyframeTime(index_++)).empty());
  EXPECT_TRUE(detector_.learning());
  // Malformed thumbnails are ignored.
  Thumbnail malformed = small;
  malformed.luma.pop_back();
  EXPECT_TRUE(detector_.Feed(malformed, KeyframeTime(index_++)).empty());
  EXPECT_TRUE(detector_.Feed(Thumbnail{}, KeyframeTime(index_++)).empty());
}

TEST_F(TamperDetectorTest, ConfirmationCountsAreOptions) {
  TamperOptions options;
  options.confirm_frames = 3;
  options.clear_frames = 1;
  detector_ = TamperDetector(options);
  FeedMany(scene_, 5);
  EXPECT_TRUE(FeedMany(dark_, 2).empty());
  EXPECT_EQ(FeedMany(dark_, 1).size(), 1u);
  EXPECT_EQ(FeedMany(scene_, 1).size(), 1u);
}

// ---- camsim's footage ---------------------------------------------------------------------

class TamperFootageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto dir = testing::ClipsDir();
    if (!dir) return;
    footage_ = new std::map<std::string, std::vector<Thumbnail>>;
    KeyframeDecoder decoder;
    for (const std::string view : {"home", "left", "right", "down", "covered"}) {
      const auto bytes = testing::ReadBytes(*dir / (view + "_sub.h264"));
      for (const auto& keyframe : testing::KeyframeUnits(bytes)) {
        auto thumbnail = decoder.Decode(keyframe);
        if (thumbnail) (*footage_)[view].push_back(std::move(*thumbnail));
      }
    }
  }
  static void TearDownTestSuite() {
    delete footage_;
    footage_ = nullptr;
  }
  void SetUp() override {
    if (footage_ == nullptr) GTEST_SKIP() << "camsim clips not found (set CAMSIM_CLIPS)";
    for (const std::string view : {"home", "left", "right", "down", "covered"}) {
      ASSERT_EQ((*footage_)[view].size(), 2u) << view;
    }
  }

  // Keyframe `index` of a view's clip, looped, as the camera would send it under `conditions`.
  Thumbnail Keyframe(const std::string& view, int index, Conditions conditions) {
    const auto& keyframes = footage_->at(view);
    if (view == "covered") conditions.object = false;  // nothing shows through a cover
    return Observe(keyframes[static_cast<std::size_t>(index) % keyframes.size()], conditions,
                   random_);
  }
  std::vector<TamperEvent> Feed(const Thumbnail& picture) {
    return detector_.Feed(picture, KeyframeTime(index_++));
  }
  std::vector<TamperEvent> FeedView(const std::string& view, int count) {
    std::vector<TamperEvent> all;
    for (int i = 0; i < count; ++i) {
      auto events = Feed(Keyframe(view, index_, {}));
      all.insert(all.end(), events.begin(), events.end());
    }
    return all;
  }

  static std::map<std::string, std::vector<Thumbnail>>* footage_;
  TamperDetector detector_;
  std::mt19937 random_{2024};
  int index_ = 0;
};
std::map<std::string, std::vector<Thumbnail>>* TamperFootageTest::footage_ = nullptr;

TEST_F(TamperFootageTest, EveryChangeOfViewIsAMove) {
  for (const std::string& from : testing::SceneViews()) {
    for (const std::string& to : testing::SceneViews()) {
      if (from == to) continue;
      SCOPED_TRACE(from + " -> " + to);
      detector_ = TamperDetector();
      ASSERT_TRUE(FeedView(from, 10).empty());
      ASSERT_FALSE(detector_.learning());
      const auto events = FeedView(to, 10);
      ASSERT_EQ(events.size(), 1u) << Describe(events);
      EXPECT_EQ(events.front().kind, TamperKind::kViewMoved);
      EXPECT_EQ(events.front().pictures, 2);
      EXPECT_FALSE(detector_.learning()) << "the new view is learned";
    }
  }
}

TEST_F(TamperFootageTest, HomeToCoveredIsACover) {
  ASSERT_TRUE(FeedView("home", 10).empty());
  auto events = FeedView("covered", 10);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kCovered);
  EXPECT_TRUE(events.front().raised);
  events = FeedView("home", 10);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kCovered);
  EXPECT_FALSE(events.front().raised);
}

TEST_F(TamperFootageTest, BlurredHomeIsDefocused) {
  ASSERT_TRUE(FeedView("home", 10).empty());
  std::vector<TamperEvent> events;
  for (int i = 0; i < 10; ++i) {
    const Thumbnail& keyframe = footage_->at("home")[static_cast<std::size_t>(index_) % 2];
    auto more = Feed(Observe(Blur(keyframe, 1.0), {}, random_));
    events.insert(events.end(), more.begin(), more.end());
  }
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_EQ(events.front().kind, TamperKind::kDefocused);
  EXPECT_EQ(events.front().pictures, 2);
  fmt::print(
      "home blurred (sigma 1 thumbnail pixel = 8 pixels at 640x360): sharpness {:.3f} -> {:.3f}\n",
      events.front().before, events.front().after);
  events = FeedView("home", 10);
  ASSERT_EQ(events.size(), 1u) << Describe(events);
  EXPECT_FALSE(events.front().raised);
}

// An hour of the home view (1800 keyframes at a 2 s GOP): sensor noise, an object a quarter of
// the picture in size crossing it again and again, and light going from day to night and back.
TEST_F(TamperFootageTest, AnHourOfNormalFootageRaisesNothing) {
  constexpr int kKeyframes = 1800;
  double lowest_similarity = 1, lowest_sharpness = 10, lowest_brightness = 255;
  int events = 0;
  for (int i = 0; i < kKeyframes; ++i) {
    Conditions conditions;
    const double phase = 2 * 3.141592653589793 * i / kKeyframes;
    conditions.gain = 0.675 + 0.325 * std::cos(phase);  // 1.0 at day, 0.35 at night
    conditions.offset = 8 * std::sin(phase);
    PlaceObject(conditions, i);
    const auto found = Feed(Keyframe("home", i, conditions));
    for (const auto& event : found) {
      ADD_FAILURE() << "false alarm at keyframe " << i << ": " << Describe({event}) << " score "
                    << event.score;
    }
    events += static_cast<int>(found.size());
    const auto& measured = detector_.last_measurement();
    if (measured.compared) {
      lowest_similarity = std::min(lowest_similarity, measured.similarity);
      lowest_sharpness = std::min(lowest_sharpness, measured.sharpness_ratio);
    }
    lowest_brightness = std::min(lowest_brightness, measured.brightness);
  }
  fmt::print(
      "{} keyframes of normal footage: {} events; lowest similarity {:.2f} (move below "
      "{:.2f}), lowest sharpness ratio {:.2f} (defocus below {:.2f}), darkest {:.0f}\n",
      kKeyframes, events, lowest_similarity, TamperOptions{}.moved_below, lowest_sharpness,
      TamperOptions{}.defocus_below, lowest_brightness);
  EXPECT_EQ(events, 0);
  EXPECT_FALSE(detector_.learning());
}

// 200 planted events (moves between the four views, covers, uncovers, and uncovers onto another
// view) at random moments 12 to 28 s apart, with normal footage in between: noise, lighting,
// and the quarter-picture object crossing every other 44 s. (Moves closer together than the
// time to learn the new view, about 6 s, are one event by design.)
TEST_F(TamperFootageTest, RandomizedEventsAreAllFoundWithoutFalseAlarms) {
  constexpr int kPlanted = 200;
  std::mt19937 plan(7);
  const auto& views = testing::SceneViews();

  struct Expected {
    TamperKind kind;
    bool raised;
    int planted_at;  // keyframe index of the first changed picture
  };
  std::vector<Expected> pending;
  std::map<std::string, std::vector<int>> delays;
  int missed = 0, false_alarms = 0, planted = 0;
  double lowest_normal = 1, highest_moved = 0;  // similarity with the normal view
  double previous_normal = 1;

  std::string view = "home";
  bool covered = false;
  int index = 0;
  const auto run = [&](int count) {
    for (int i = 0; i < count; ++i, ++index) {
      Conditions conditions;
      conditions.gain = 0.85 + 0.15 * std::cos(index / 300.0);
      PlaceObject(conditions, index);
      // The object takes 44 s to cross the picture; then nobody is there for 44 s.
      conditions.object = (index / 22) % 2 == 0;
      const bool move_pending = std::any_of(pending.begin(), pending.end(), [](const Expected& e) {
        return e.kind == TamperKind::kViewMoved;
      });
      const auto found = Feed(Keyframe(covered ? "covered" : view, index, conditions));
      if (const auto& measured = detector_.last_measurement(); measured.compared) {
        if (move_pending) {
          highest_moved = std::max(highest_moved, measured.similarity);
          previous_normal = 1;
        } else {
          // A move needs two pictures in a row below the threshold: the higher of two
          // consecutive normal pictures is what must stay above it.
          lowest_normal = std::min(lowest_normal, std::max(previous_normal, measured.similarity));
          previous_normal = measured.similarity;
        }
      } else {
        previous_normal = 1;
      }
      for (const auto& event : found) {
        const auto match = std::find_if(pending.begin(), pending.end(), [&](const Expected& e) {
          return e.kind == event.kind && e.raised == event.raised;
        });
        if (match == pending.end()) {
          ++false_alarms;
          ADD_FAILURE() << "false alarm at keyframe " << index << ": " << Describe({event});
          continue;
        }
        const int delay = index - match->planted_at + 1;
        delays[fmt::format("{}{}", event.raised ? "+" : "-", ToString(event.kind))].push_back(
            delay);
        pending.erase(match);
      }
      // Anything not found within the confirmation time plus one keyframe is missed.
      for (auto it = pending.begin(); it != pending.end();) {
        if (index - it->planted_at + 1 > TamperOptions{}.confirm_frames + 1) {
          ++missed;
          ADD_FAILURE() << "missed " << (it->raised ? "+" : "-") << ToString(it->kind)
                        << " planted at keyframe " << it->planted_at;
          it = pending.erase(it);
        } else {
          ++it;
        }
      }
    }
  };

  run(10);  // learn the home view
  std::uniform_int_distribution<int> gap(6, 14);
  std::uniform_int_distribution<int> coin(0, 99);
  while (planted < kPlanted) {
    std::string other;
    do {
      other = views[static_cast<std::size_t>(coin(plan)) % views.size()];
    } while (other == view);
    if (covered) {
      // Uncover; a third of the time the camera was turned while covered.
      covered = false;
      pending.push_back({TamperKind::kCovered, false, index});
      if (coin(plan) < 33) {
        view = other;
        pending.push_back({TamperKind::kViewMoved, true, index});
      }
    } else if (coin(plan) < 50) {
      view = other;
      pending.push_back({TamperKind::kViewMoved, true, index});
    } else {
      covered = true;
      pending.push_back({TamperKind::kCovered, true, index});
    }
    ++planted;
    run(gap(plan));
  }
  run(10);

  std::string summary;
  for (const auto& [kind, list] : delays) {
    const double mean =
        std::accumulate(list.begin(), list.end(), 0.0) / static_cast<double>(list.size());
    summary += fmt::format("{} x{} delay {}..{} keyframes (mean {:.2f}); ", kind, list.size(),
                           *std::min_element(list.begin(), list.end()),
                           *std::max_element(list.begin(), list.end()), mean);
  }
  fmt::print("{} planted events over {} keyframes: {} missed, {} false alarms; {}\n", planted,
             index, missed, false_alarms, summary);
  fmt::print(
      "similarity with the normal view: normal pictures >= {:.2f} (the higher of two in a "
      "row), moved pictures <= {:.2f} (threshold {:.2f})\n",
      lowest_normal, highest_moved, TamperOptions{}.moved_below);
  EXPECT_EQ(missed, 0);
  EXPECT_EQ(false_alarms, 0);
  EXPECT_TRUE(pending.empty());
}

}  // namespace
}  // namespace camguard::tamper
