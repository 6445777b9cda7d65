// SPDX-License-Identifier: Apache-2.0
#include "tamper/detector.h"

#include <algorithm>
#include <cmath>

namespace camguard::tamper {

namespace {

// The 4-neighbour Laplacian of independent pixel noise has 20 times the noise's variance.
constexpr double kLaplacianNoiseGain = 20;
// Below this noise variance (levels squared) pictures are taken as clean; keeps "detail well
// above the noise" meaningful on synthetic or heavily denoised pictures.
constexpr double kMinNoiseVariance = 0.25;
// Weight of a block that carries an overlay (see Feed) in the share of matching blocks.
constexpr double kOverlayWeight = 0.1;

std::size_t Index(int x, int y, int width) {
  return static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
         static_cast<std::size_t>(x);
}

// [begin, end) of cell `index` when `length` pixels are split into `cells`.
struct Range {
  int begin, end;
};
Range CellRange(int index, int cells, int length) {
  return {index * length / cells, (index + 1) * length / cells};
}

// 3x3 box filter with the border pixels repeated: takes the edge off pixel noise and makes the
// block correlation tolerant of slight blur and sub-block jitter.
std::vector<float> BoxFilter(const std::vector<float>& image, int width, int height) {
  std::vector<float> out(image.size());
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      float sum = 0;
      for (int dy = -1; dy <= 1; ++dy) {
        const int sy = std::clamp(y + dy, 0, height - 1);
        for (int dx = -1; dx <= 1; ++dx) {
          sum += image[Index(std::clamp(x + dx, 0, width - 1), sy, width)];
        }
      }
      out[Index(x, y, width)] = sum / 9.0f;
    }
  }
  return out;
}

// Standard deviation of pixel noise, from the picture itself: the response to a mask that
// cancels flat areas, ramps and horizontal or vertical edges (after Immerkaer, "Fast noise
// variance estimation", 1996), with the median instead of the mean so that corners and
// diagonal edges do not count as noise. Independent noise of deviation s gives responses of
// deviation 6 s, whose median absolute value is 0.6745 times that.
double NoiseStddev(const std::vector<float>& image, int width, int height) {
  if (width < 3 || height < 3) return 0;
  std::vector<double> responses;
  responses.reserve(static_cast<std::size_t>((width - 2) * (height - 2)));
  for (int y = 1; y < height - 1; ++y) {
    for (int x = 1; x < width - 1; ++x) {
      const auto at = [&](int dx, int dy) {
        return static_cast<double>(image[Index(x + dx, y + dy, width)]);
      };
      responses.push_back(std::abs(at(-1, -1) - 2 * at(0, -1) + at(1, -1) - 2 * at(-1, 0) +
                                   4 * at(0, 0) - 2 * at(1, 0) + at(-1, 1) - 2 * at(0, 1) +
                                   at(1, 1)));
    }
  }
  const auto middle = responses.begin() + static_cast<std::ptrdiff_t>(responses.size() / 2);
  std::nth_element(responses.begin(), middle, responses.end());
  return *middle / (0.6745 * 6.0);
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  const double upper = *middle;
  const double lower = *std::max_element(values.begin(), middle);
  return (lower + upper) / 2;
}

Thumbnail Round(const std::vector<float>& luma, int width, int height) {
  Thumbnail thumbnail;
  thumbnail.width = width;
  thumbnail.height = height;
  thumbnail.source_width = width;
  thumbnail.source_height = height;
  thumbnail.luma.reserve(luma.size());
  for (const float value : luma) {
    thumbnail.luma.push_back(static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L)));
  }
  return thumbnail;
}

}  // namespace

std::string_view ToString(TamperKind kind) {
  switch (kind) {
    case TamperKind::kViewMoved: return "view_moved";
    case TamperKind::kCovered: return "covered";
    case TamperKind::kDefocused: return "defocused";
  }
  return "unknown";
}

TamperDetector::TamperDetector(TamperOptions options) : options_(options) {
  options_.confirm_frames = std::max(1, options_.confirm_frames);
  options_.clear_frames = std::max(1, options_.clear_frames);
  options_.learn_frames = std::max(1, options_.learn_frames);
  options_.grid_columns = std::max(1, options_.grid_columns);
  options_.grid_rows = std::max(1, options_.grid_rows);
  options_.baseline_rate = std::clamp(options_.baseline_rate, 0.0, 1.0);
}

Thumbnail TamperDetector::baseline_picture() const {
  if (!baseline_) return {};
  return Round(baseline_->luma, baseline_->width, baseline_->height);
}

void TamperDetector::Relearn() { StartLearning(); }

void TamperDetector::StartLearning() {
  baseline_.reset();
  candidate_.reset();
  candidate_pictures_ = 0;
  moved_ = {};
  defocus_ = {};
}

TamperDetector::Analysis TamperDetector::Analyze(const Thumbnail& picture) const {
  Analysis analysis;
  const int width = picture.width, height = picture.height;
  analysis.width = width;
  analysis.height = height;
  const std::vector<float> luma(picture.luma.begin(), picture.luma.end());

  double sum = 0, squares = 0;
  for (const float value : luma) {
    sum += value;
    squares += static_cast<double>(value) * value;
  }
  const double count = static_cast<double>(luma.size());
  analysis.brightness = sum / count;
  analysis.contrast =
      std::sqrt(std::max(0.0, squares / count - analysis.brightness * analysis.brightness));
  analysis.smooth = BoxFilter(luma, width, height);
  analysis.noise = NoiseStddev(luma, width, height);
  const double noise_variance = analysis.noise * analysis.noise;
  const double noise_energy = kLaplacianNoiseGain * noise_variance;

  const auto blocks = static_cast<std::size_t>(options_.grid_columns * options_.grid_rows);
  analysis.block_stddev.assign(blocks, 0.0f);
  analysis.block_detail.assign(blocks, 0.0f);
  analysis.block_sharpness.assign(blocks, -1.0f);
  for (int by = 0; by < options_.grid_rows; ++by) {
    const Range rows = CellRange(by, options_.grid_rows, height);
    for (int bx = 0; bx < options_.grid_columns; ++bx) {
      const Range columns = CellRange(bx, options_.grid_columns, width);
      double block_sum = 0, block_squares = 0, laplacian_energy = 0;
      int pixels = 0, interior = 0;
      for (int y = rows.begin; y < rows.end; ++y) {
        for (int x = columns.begin; x < columns.end; ++x) {
          const double value = luma[Index(x, y, width)];
          block_sum += value;
          block_squares += value * value;
          ++pixels;
          if (x == 0 || y == 0 || x == width - 1 || y == height - 1) continue;
          const double laplacian = 4 * value - luma[Index(x - 1, y, width)] -
                                   luma[Index(x + 1, y, width)] - luma[Index(x, y - 1, width)] -
                                   luma[Index(x, y + 1, width)];
          laplacian_energy += laplacian * laplacian;
          ++interior;
        }
      }
      if (pixels == 0) continue;
      const auto block = static_cast<std::size_t>(by * options_.grid_columns + bx);
      const double mean = block_sum / pixels;
      const double variance = std::max(0.0, block_squares / pixels - mean * mean);
      analysis.block_stddev[block] = static_cast<float>(std::sqrt(variance));
      if (interior == 0) continue;
      // Fine detail, net of what pixel noise contributes, per unit of contrast: lighting
      // changes cancel out and a noisier sensor at night does not look sharper.
      const double detail = std::max(0.0, laplacian_energy / interior - noise_energy);
      analysis.block_detail[block] = static_cast<float>(detail);
      const double signal_variance = variance - noise_variance;
      if (signal_variance >= 1.0) {
        analysis.block_sharpness[block] = static_cast<float>(detail / signal_variance);
      }
    }
  }
  return analysis;
}

TamperDetector::Match TamperDetector::MatchBlocks(const std::vector<float>& reference,
                                                  const std::vector<float>& reliability,
                                                  const Analysis& picture) const {
  const int width = picture.width, height = picture.height;
  const auto blocks = static_cast<std::size_t>(options_.grid_columns * options_.grid_rows);

  // Block statistics of the smoothed pictures.
  struct BlockPair {
    double mean_reference = 0, mean_picture = 0;
    double stddev_reference = 0, stddev_picture = 0;
    double correlation = 0;
    bool valid = false;
  };
  std::vector<BlockPair> pairs(blocks);
  for (int by = 0; by < options_.grid_rows; ++by) {
    const Range rows = CellRange(by, options_.grid_rows, height);
    for (int bx = 0; bx < options_.grid_columns; ++bx) {
      const Range columns = CellRange(bx, options_.grid_columns, width);
      BlockPair& pair = pairs[static_cast<std::size_t>(by * options_.grid_columns + bx)];
      double sum_reference = 0, sum_picture = 0;
      int pixels = 0;
      for (int y = rows.begin; y < rows.end; ++y) {
        for (int x = columns.begin; x < columns.end; ++x) {
          sum_reference += reference[Index(x, y, width)];
          sum_picture += picture.smooth[Index(x, y, width)];
          ++pixels;
        }
      }
      if (pixels == 0) continue;
      pair.valid = true;
      pair.mean_reference = sum_reference / pixels;
      pair.mean_picture = sum_picture / pixels;
      double covariance = 0, variance_reference = 0, variance_picture = 0;
      for (int y = rows.begin; y < rows.end; ++y) {
        for (int x = columns.begin; x < columns.end; ++x) {
          const double r = reference[Index(x, y, width)] - pair.mean_reference;
          const double p = picture.smooth[Index(x, y, width)] - pair.mean_picture;
          covariance += r * p;
          variance_reference += r * r;
          variance_picture += p * p;
        }
      }
      pair.stddev_reference = std::sqrt(variance_reference / pixels);
      pair.stddev_picture = std::sqrt(variance_picture / pixels);
      const double denominator = std::sqrt(variance_reference * variance_picture);
      pair.correlation = denominator > 1e-9 ? covariance / denominator : 0.0;
    }
  }

  // The lighting change as gain and offset: medians over the blocks, which an object in part of
  // the picture does not move much.
  std::vector<double> gains, offsets;
  for (const BlockPair& pair : pairs) {
    if (pair.valid && pair.stddev_reference >= options_.flat_block_stddev &&
        pair.stddev_picture >= options_.flat_block_stddev) {
      gains.push_back(pair.stddev_picture / pair.stddev_reference);
    }
  }
  const double gain = gains.empty() ? 1.0 : Median(std::move(gains));
  for (const BlockPair& pair : pairs) {
    if (pair.valid) offsets.push_back(pair.mean_picture - gain * pair.mean_reference);
  }
  const double offset = Median(std::move(offsets));

  Match match;
  match.matched.assign(blocks, false);
  match.correlation.assign(blocks, 0.0f);
  double matched_weight = 0, total_weight = 0;
  for (std::size_t block = 0; block < blocks; ++block) {
    const BlockPair& pair = pairs[block];
    if (!pair.valid) continue;
    bool same = false;
    if (pair.stddev_reference >= options_.flat_block_stddev) {
      // Textured: the same pattern at the same strength relative to the rest of the picture
      // (correlation alone takes a faint ramp for a strong edge along it).
      const double relative = pair.stddev_picture / pair.stddev_reference / gain;
      same = pair.correlation >= options_.block_match &&
             relative <= options_.block_contrast_change &&
             relative >= 1 / options_.block_contrast_change;
    } else {
      // Flat (a wall, the sky): still flat, at the brightness the lighting change predicts.
      same = pair.stddev_picture < 2 * options_.flat_block_stddev &&
             std::abs(pair.mean_picture - (gain * pair.mean_reference + offset)) <=
                 options_.flat_block_level_change;
    }
    match.matched[block] = same;
    match.correlation[block] = pair.correlation;
    const double weight = reliability[block] * (Overlay(block) ? kOverlayWeight : 1.0);
    total_weight += weight;
    if (same) matched_weight += weight;
  }
  match.similarity = total_weight > 0 ? matched_weight / total_weight : 1.0;
  return match;
}

TamperDetector::Comparison TamperDetector::Compare(const Baseline& reference,
                                                   const Analysis& picture) const {
  Comparison comparison;
  comparison.baseline_match = MatchBlocks(reference.smooth, reference.block_reliability, picture);
  comparison.match = comparison.baseline_match;
  const std::size_t blocks = comparison.match.matched.size();
  for (const Reference& recent : reference.recent) {
    Match match = MatchBlocks(recent.smooth, reference.block_reliability, picture);
    if (match.similarity > comparison.match.similarity) comparison.match = std::move(match);
  }

  // Focus: sharpness compared block by block with the median of the recent normal pictures
  // (same sensor, same noise; something passing through one of them does not count), on blocks
  // that clearly and usually show what the baseline shows (an object moving through a block can
  // still correlate a little with it, and changes its detail) and have detail well above the
  // noise.
  const double noise_energy =
      kLaplacianNoiseGain * std::max(picture.noise * picture.noise, kMinNoiseVariance);
  std::vector<double> ratios, before, after;
  std::vector<double> sharpness, detail, stddev;
  for (std::size_t block = 0; block < blocks; ++block) {
    if (!comparison.baseline_match.matched[block]) continue;
    if (comparison.baseline_match.correlation[block] < options_.sharp_block_match) continue;
    if (reference.block_reliability[block] < options_.sharp_block_reliability) continue;
    const double picture_sharpness = picture.block_sharpness[block];
    if (picture_sharpness < 0) continue;
    sharpness.clear();
    detail.clear();
    stddev.clear();
    for (const Reference& recent : reference.recent) {
      if (!recent.focus_reference[block] || recent.block_sharpness[block] < 0) continue;
      sharpness.push_back(recent.block_sharpness[block]);
      detail.push_back(recent.block_detail[block]);
      stddev.push_back(recent.block_stddev[block]);
    }
    if (sharpness.empty()) continue;
    const double reference_sharpness = Median(sharpness);
    if (reference_sharpness <= 0) continue;
    if (Median(stddev) < options_.sharp_block_stddev) continue;
    if (Median(detail) < options_.sharp_block_detail * noise_energy) continue;
    ratios.push_back(picture_sharpness / reference_sharpness);
    before.push_back(reference_sharpness);
    after.push_back(picture_sharpness);
  }
  comparison.sharp_blocks = static_cast<int>(ratios.size());
  if (comparison.sharp_blocks >= options_.min_sharp_blocks) {
    comparison.sharpness_ratio = Median(std::move(ratios));
    comparison.sharpness_before = Median(std::move(before));
    comparison.sharpness_after = Median(std::move(after));
  }
  return comparison;
}

TamperDetector::Baseline TamperDetector::NewBaseline(const Thumbnail& picture,
                                                     const Analysis& analysis) const {
  Baseline baseline;
  baseline.width = analysis.width;
  baseline.height = analysis.height;
  baseline.luma.assign(picture.luma.begin(), picture.luma.end());
  baseline.smooth = analysis.smooth;
  baseline.recent.push_back({analysis.smooth, analysis.block_stddev, analysis.block_detail,
                             analysis.block_sharpness,
                             std::vector<bool>(analysis.block_stddev.size(), true)});
  baseline.block_reliability.assign(analysis.block_stddev.size(), 1.0f);
  baseline.brightness = analysis.brightness;
  return baseline;
}

void TamperDetector::Blend(Baseline& baseline, const Thumbnail& picture, const Analysis& analysis,
                           const Comparison& comparison, float rate) const {
  const Match& baseline_match = comparison.baseline_match;
  const Match& match = comparison.match;
  // Blocks that do not match the baseline (someone walking by, a parked car) blend in four times
  // slower, so passing objects leave little trace while lasting changes are absorbed in minutes.
  for (int by = 0; by < options_.grid_rows; ++by) {
    const Range rows = CellRange(by, options_.grid_rows, baseline.height);
    for (int bx = 0; bx < options_.grid_columns; ++bx) {
      const Range columns = CellRange(bx, options_.grid_columns, baseline.width);
      const auto block = static_cast<std::size_t>(by * options_.grid_columns + bx);
      const float block_rate = baseline_match.matched[block] ? rate : rate / 4;
      for (int y = rows.begin; y < rows.end; ++y) {
        for (int x = columns.begin; x < columns.end; ++x) {
          float& value = baseline.luma[Index(x, y, baseline.width)];
          value +=
              (static_cast<float>(picture.luma[Index(x, y, baseline.width)]) - value) * block_rate;
        }
      }
      float& reliability = baseline.block_reliability[block];
      reliability += ((match.matched[block] ? 1.0f : 0.0f) - reliability) *
                     static_cast<float>(options_.reliability_rate);
      reliability = std::max(reliability, static_cast<float>(options_.min_reliability));
    }
  }
  baseline.smooth = BoxFilter(baseline.luma, baseline.width, baseline.height);
  std::vector<bool> focus_reference(baseline_match.matched.size());
  for (std::size_t block = 0; block < focus_reference.size(); ++block) {
    focus_reference[block] = baseline_match.matched[block] &&
                             baseline_match.correlation[block] >= options_.sharp_block_match;
  }
  baseline.recent.push_back({analysis.smooth, analysis.block_stddev, analysis.block_detail,
                             analysis.block_sharpness, std::move(focus_reference)});
  while (baseline.recent.size() > static_cast<std::size_t>(std::max(0, options_.recent_pictures))) {
    baseline.recent.pop_front();
  }
  baseline.brightness += (analysis.brightness - baseline.brightness) * rate;
}

void TamperDetector::Learn(const Thumbnail& picture, const Analysis& analysis) {
  std::optional<Comparison> comparison;
  if (candidate_) comparison = Compare(*candidate_, analysis);
  if (!comparison || comparison->match.similarity < options_.same_view_above) {
    // The first picture, or the view is still changing (a PTZ move under way): start over.
    candidate_ = NewBaseline(picture, analysis);
    candidate_pictures_ = 1;
  } else {
    // Equal weights for the pictures seen so far.
    ++candidate_pictures_;
    Blend(*candidate_, picture, analysis, *comparison,
          1.0f / static_cast<float>(candidate_pictures_));
    candidate_->typical_similarity =
        std::min(candidate_->typical_similarity, comparison->match.similarity);
  }
  if (candidate_pictures_ >= options_.learn_frames) {
    baseline_ = std::move(candidate_);
    candidate_.reset();
    candidate_pictures_ = 0;
  }
}

bool TamperDetector::Overlay(std::size_t block) const {
  constexpr int kMinMoves = 2;
  return moves_seen_ >= kMinMoves && block < unchanged_by_moves_.size() &&
         unchanged_by_moves_[block] * 4 >= moves_seen_ * 3;
}

bool TamperDetector::Step(Condition& condition, bool abnormal, base::WallTime at) const {
  // While inactive, count abnormal pictures; while active, count normal ones.
  const bool towards_change = condition.active ? !abnormal : abnormal;
  if (!towards_change) {
    condition.run = 0;
    return false;
  }
  if (condition.run == 0) condition.since = at;
  ++condition.run;
  const int needed = condition.active ? options_.clear_frames : options_.confirm_frames;
  if (condition.run < needed) return false;
  condition.active = !condition.active;
  condition.pictures = condition.run;
  condition.run = 0;
  return true;
}

TamperEvent TamperDetector::MakeEvent(TamperKind kind, bool raised, const Condition& condition,
                                      base::WallTime at, const Thumbnail& picture) const {
  TamperEvent event;
  event.kind = kind;
  event.raised = raised;
  event.at = at;
  event.since = condition.since;
  event.pictures = condition.pictures;
  if (baseline_) {
    event.baseline = baseline_picture();
  } else if (last_normal_) {
    event.baseline = *last_normal_;
  }
  event.picture = picture;
  return event;
}

std::vector<TamperEvent> TamperDetector::Feed(const Thumbnail& picture, base::WallTime at) {
  std::vector<TamperEvent> events;
  if (picture.width <= 0 || picture.height <= 0 ||
      picture.luma.size() !=
          static_cast<std::size_t>(picture.width) * static_cast<std::size_t>(picture.height)) {
    return events;  // not a picture
  }
  const auto same_size = [&](const std::optional<Baseline>& reference) {
    return !reference || (reference->width == picture.width && reference->height == picture.height);
  };
  if (!same_size(baseline_) || !same_size(candidate_)) StartLearning();

  const Analysis analysis = Analyze(picture);
  measurement_ = {};
  measurement_.brightness = analysis.brightness;
  measurement_.contrast = analysis.contrast;
  measurement_.noise = analysis.noise;
  measurement_.covered = (analysis.brightness <= options_.covered_max_brightness &&
                          analysis.contrast <= options_.covered_max_contrast) ||
                         analysis.contrast <= options_.uniform_max_contrast;

  if (Step(covered_, measurement_.covered, at)) {
    TamperEvent event = MakeEvent(TamperKind::kCovered, covered_.active, covered_, at, picture);
    event.before = baseline_ ? baseline_->brightness : last_normal_brightness_;
    event.after = analysis.brightness;
    event.score = std::clamp(1.0 - analysis.contrast / options_.covered_max_contrast, 0.0, 1.0);
    events.push_back(std::move(event));
  }
  if (measurement_.covered) {
    // Nothing to compare: a covered picture neither confirms nor refutes a move or blur.
    moved_.run = 0;
    defocus_.run = 0;
    return events;
  }

  if (!baseline_) {
    Learn(picture, analysis);
    last_normal_ = picture;
    last_normal_brightness_ = analysis.brightness;
    return events;
  }

  const Comparison comparison = Compare(*baseline_, analysis);
  measurement_.compared = true;
  measurement_.similarity = comparison.match.similarity;
  measurement_.sharpness_ratio = comparison.sharpness_ratio;
  measurement_.sharp_blocks = comparison.sharp_blocks;

  const bool moved = comparison.match.similarity < options_.moved_below;
  if (Step(moved_, moved, at)) {
    TamperEvent event = MakeEvent(TamperKind::kViewMoved, true, moved_, at, picture);
    event.before = baseline_->typical_similarity;
    event.after = comparison.match.similarity;
    event.score = 1.0 - comparison.match.similarity;
    events.push_back(std::move(event));
    if (defocus_.active) {
      // The blur was judged against the old view; the new one is learned as it is.
      defocus_.pictures = 0;
      defocus_.since = at;
      TamperEvent ended = MakeEvent(TamperKind::kDefocused, false, defocus_, at, picture);
      ended.before = comparison.sharpness_before;
      ended.after = comparison.sharpness_after;
      events.push_back(std::move(ended));
    }
    // Patterns that stay put whenever the view moves are drawn on the picture (the camera's
    // clock and name): they say nothing about where the camera looks.
    ++moves_seen_;
    unchanged_by_moves_.resize(comparison.baseline_match.matched.size());
    for (std::size_t block = 0; block < unchanged_by_moves_.size(); ++block) {
      if (comparison.baseline_match.matched[block] &&
          comparison.baseline_match.correlation[block] >= options_.sharp_block_match) {
        ++unchanged_by_moves_[block];
      }
    }
    StartLearning();
    Learn(picture, analysis);
    return events;
  }

  // Focus is judged only while the view is not in doubt.
  const bool blurred = moved_.run == 0 && comparison.sharpness_ratio < options_.defocus_below;
  const bool sharp_again = comparison.sharpness_ratio >= options_.focused_above;
  if (Step(defocus_, defocus_.active ? !sharp_again : blurred, at)) {
    TamperEvent event = MakeEvent(TamperKind::kDefocused, defocus_.active, defocus_, at, picture);
    event.before = comparison.sharpness_before;
    event.after = comparison.sharpness_after;
    event.score = std::clamp(1.0 - comparison.sharpness_ratio, 0.0, 1.0);
    events.push_back(std::move(event));
  }

  const bool normal =
      !covered_.active && !defocus_.active && moved_.run == 0 && defocus_.run == 0 && sharp_again;
  if (normal) {
    Blend(*baseline_, picture, analysis, comparison, static_cast<float>(options_.baseline_rate));
    baseline_->typical_similarity +=
        (comparison.match.similarity - baseline_->typical_similarity) * options_.baseline_rate;
    last_normal_ = picture;
    last_normal_brightness_ = analysis.brightness;
  }
  return events;
}

}  // namespace camguard::tamper
