// SPDX-License-Identifier: Apache-2.0
// Image tamper detection: is the camera still looking at what it normally looks at? Fed one
// thumbnail per keyframe, the detector learns the normal view and reports three kinds of
// tampering:
//
//   covered     the picture is dark and flat, or uniform (a hand, tape, a cap, paint, a cut feed);
//   view moved  the picture no longer matches the normal view (camera turned, pushed, remounted);
//   defocused   the picture still matches the normal view but lost its fine detail (focus ring
//               turned, lens smeared or sprayed).
//
// Pictures are compared block by block (a grid over the thumbnail). A textured block matches
// when its pattern correlates with the reference (normalized cross-correlation of lightly
// smoothed pixels) at a similar contrast; a flat block matches when it stays flat at the
// brightness the overall lighting change predicts. Lighting changes (gain and offset) therefore
// do not matter, and a person or a car changes only the blocks it covers. Blocks count by how
// reliably they matched recent normal pictures, so parts of the scene that change by themselves
// (screens, trees, doorways) weigh less. The references are the long-term baseline (a running
// average of normal pictures) and the last few normal pictures, so a scene that alternates
// between a few states (lights blinking, a door open or shut) is normal in each of them. Blocks
// that stay unchanged whenever the view moves carry text the camera draws on the picture (its
// clock, its name); once a few moves showed that, they hardly count.
//
// "View moved" is a low share of matching blocks. "Defocused" is a drop of sharpness (the
// Laplacian's energy net of pixel noise, per unit of contrast) on the blocks that still match,
// relative to the baseline: lighting and sensor noise cancel out, blur does not.
//
// Hysteresis: a condition becomes an event after `confirm_frames` consecutive pictures show it,
// and covered/defocused end after `clear_frames` consecutive normal pictures. After a confirmed
// move the detector learns the new view as soon as it is stable (`learn_frames` matching
// pictures), so one move is one event; a second move before then is part of the first.
// Pure: no clock, no threads, no I/O; time comes with each picture.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "tamper/thumbnail.h"

namespace camguard::tamper {

enum class TamperKind { kViewMoved, kCovered, kDefocused };
std::string_view ToString(TamperKind kind);  // "view_moved", "covered", "defocused"

struct TamperEvent {
  TamperKind kind = TamperKind::kViewMoved;
  // True when the condition starts. Covered and defocused also report their end (false); a move
  // has no end: the new view becomes the normal one.
  bool raised = true;
  base::WallTime at;     // the picture that confirmed the change
  base::WallTime since;  // the first picture that showed it
  int pictures = 0;      // pictures from `since` to `at`, both included (the detection delay)
  double score = 0;      // how clear-cut, 0..1 (1 - similarity, flatness, 1 - sharpness ratio)
  // The measurement the decision rests on, for the normal view and for this picture:
  // view moved: similarity with the normal view (1 = same view), typical of normal pictures / now;
  // covered: mean brightness (0..255) of the normal view / now;
  // defocused: sharpness (detail energy per unit of variance) of the normal view / now.
  double before = 0, after = 0;
  Thumbnail baseline;  // evidence: the normal view (empty if none was seen yet)
  Thumbnail picture;   // evidence: the picture that confirmed the change
};

struct TamperOptions {
  int confirm_frames = 2;       // consecutive pictures that make an event
  int clear_frames = 2;         // consecutive normal pictures that end covered/defocused
  int learn_frames = 3;         // consecutive matching pictures that make a (new) baseline
  double baseline_rate = 0.05;  // share of a normal picture blended into the baseline
  int recent_pictures = 5;      // recent normal pictures kept as references besides the baseline

  int grid_columns = 8, grid_rows = 5;  // comparison blocks (10x9 pixels on 80x45)
  double flat_block_stddev = 2.0;       // a block flatter than this (levels) has no pattern
  double block_match = 0.6;             // correlation above which a textured block matches ...
  double block_contrast_change = 2.5;   // ... if its relative contrast changed less than this
  double flat_block_level_change = 12;  // a flat block matches if its brightness stays this close
  // Blocks count by how reliably they matched recent normal pictures (running average with this
  // rate, never below the floor).
  double reliability_rate = 0.2;
  double min_reliability = 0.25;
  double moved_below = 0.45;     // share of matching blocks under which the view moved
  double same_view_above = 0.5;  // share of matching blocks for "still the same view" (learning)

  double covered_max_brightness = 40;  // dark ...
  double covered_max_contrast = 8;     // ... and flat (standard deviation of the picture)
  double uniform_max_contrast = 3;     // or uniform at any brightness

  double defocus_below = 0.4;            // sharpness ratio to recent normal pictures: defocused
  double focused_above = 0.6;            // ratio that ends it
  double sharp_block_match = 0.8;        // focus is measured on blocks correlating this well, ...
  double sharp_block_reliability = 0.5;  // ... as reliably as this, ...
  double sharp_block_stddev = 6.0;       // ... with this much contrast ...
  double sharp_block_detail = 2.0;       // ... and detail energy this many times the noise's
  int min_sharp_blocks = 6;              // fewer such blocks: focus is not judged
};

// What the detector measured on the last picture (for logs, metrics and tests).
struct TamperMeasurement {
  double brightness = 0;       // mean luma, 0..255
  double contrast = 0;         // standard deviation of luma
  double noise = 0;            // estimated standard deviation of pixel noise
  bool covered = false;        // the picture alone looks covered
  bool compared = false;       // a baseline existed and the picture was compared with it
  double similarity = 1;       // share of blocks (weighted by reliability) that still match
  double sharpness_ratio = 1;  // median sharpness relative to the baseline (1 = as sharp)
  int sharp_blocks = 0;        // blocks the sharpness ratio was measured on
};

class TamperDetector {
 public:
  explicit TamperDetector(TamperOptions options = {});

  // Feeds the next keyframe's thumbnail (pictures of one camera, in time order, all the same
  // size; a size change starts learning again, a malformed thumbnail is ignored). Returns the
  // events it confirms or ends.
  std::vector<TamperEvent> Feed(const Thumbnail& picture, base::WallTime at);

  // Forgets the normal view and learns the next stable one, without an event: for moves the
  // hub made itself (PTZ commands, presets) and any other expected change of view. An ongoing
  // cover is kept.
  void Relearn();

  bool learning() const { return !baseline_.has_value(); }
  bool covered() const { return covered_.active; }
  bool defocused() const { return defocus_.active; }
  const TamperMeasurement& last_measurement() const { return measurement_; }
  // The learned normal view, rounded to a thumbnail (empty while learning).
  Thumbnail baseline_picture() const;

 private:
  struct Analysis {
    int width = 0, height = 0;
    std::vector<float> smooth;           // 3x3 box-filtered luma
    std::vector<float> block_stddev;     // of the luma, per block
    std::vector<float> block_detail;     // Laplacian energy net of noise, per block
    std::vector<float> block_sharpness;  // detail per unit of signal variance; -1 if flat
    double brightness = 0, contrast = 0;
    double noise = 0;  // estimated standard deviation of pixel noise
  };
  // A normal picture kept as a reference.
  struct Reference {
    std::vector<float> smooth;
    std::vector<float> block_stddev, block_detail, block_sharpness;
    // Blocks that clearly showed what the baseline shows (not something passing by): only these
    // are references for focus.
    std::vector<bool> focus_reference;
  };
  struct Baseline {
    int width = 0, height = 0;
    std::vector<float> luma;       // running average of normal pictures
    std::vector<float> smooth;     // its 3x3 box filter
    std::deque<Reference> recent;  // the last few normal pictures
    // How often each block matched normal pictures lately: a block where the scene itself keeps
    // changing (a screen, a tree, a doorway people walk through) counts less.
    std::vector<float> block_reliability;
    double typical_similarity = 1;
    double brightness = 0;
  };
  struct Match {
    double similarity = 0;
    std::vector<bool> matched;       // per block
    std::vector<float> correlation;  // per block
  };
  struct Comparison {
    Match match;           // with the best-matching reference
    Match baseline_match;  // with the long-term baseline
    double sharpness_ratio = 1;
    double sharpness_before = 0, sharpness_after = 0;
    int sharp_blocks = 0;
  };
  // A condition with hysteresis.
  struct Condition {
    bool active = false;
    int run = 0;           // consecutive pictures towards the next transition
    base::WallTime since;  // the first of them
    int pictures = 0;      // how many pictures the last transition took
  };

  Analysis Analyze(const Thumbnail& picture) const;
  Match MatchBlocks(const std::vector<float>& reference, const std::vector<float>& reliability,
                    const Analysis& picture) const;
  Comparison Compare(const Baseline& reference, const Analysis& picture) const;
  Baseline NewBaseline(const Thumbnail& picture, const Analysis& analysis) const;
  // Blends a normal picture into `baseline` at `rate` (see the comments inside).
  void Blend(Baseline& baseline, const Thumbnail& picture, const Analysis& analysis,
             const Comparison& comparison, float rate) const;
  void Learn(const Thumbnail& picture, const Analysis& analysis);
  void StartLearning();
  // Steps `condition` with this picture's verdict; true when it changes state (then
  // `condition.since` and `condition.pictures` describe the change).
  bool Step(Condition& condition, bool abnormal, base::WallTime at) const;
  TamperEvent MakeEvent(TamperKind kind, bool raised, const Condition& condition, base::WallTime at,
                        const Thumbnail& picture) const;

  TamperOptions options_;
  std::optional<Baseline> baseline_;
  std::optional<Baseline> candidate_;  // while learning: the view seen lately ...
  int candidate_pictures_ = 0;         // ... in this many consecutive matching pictures
  Condition covered_, moved_, defocus_;
  // Blocks where the camera draws text on the picture: unchanged by most moves seen so far.
  bool Overlay(std::size_t block) const;
  int moves_seen_ = 0;
  std::vector<int> unchanged_by_moves_;  // per block
  std::optional<Thumbnail> last_normal_;
  double last_normal_brightness_ = 0;
  TamperMeasurement measurement_;
};

}  // namespace camguard::tamper
