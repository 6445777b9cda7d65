// SPDX-License-Identifier: Apache-2.0
// A small grayscale picture of what a camera sees: the luma plane of a decoded keyframe,
// area-averaged down to a few thousand pixels. Small enough to compare every keyframe of every
// camera cheaply and to keep as evidence; large enough to tell views apart and to measure focus.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"

namespace camguard::tamper {

inline constexpr int kDefaultThumbnailWidth = 80;
inline constexpr int kDefaultThumbnailHeight = 45;

struct Thumbnail {
  int width = 0, height = 0;
  std::vector<std::uint8_t> luma;  // row-major, width * height, full range (0 black, 255 white)
  int source_width = 0, source_height = 0;  // the decoded picture's size

  std::uint8_t at(int x, int y) const {
    return luma[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                static_cast<std::size_t>(x)];
  }
};

// Describes one 8-bit luma plane in memory.
struct LumaPlane {
  std::span<const std::uint8_t> samples;  // at least (height - 1) * stride + width bytes
  int width = 0, height = 0;
  int stride = 0;  // bytes from one row to the next (>= width)
  // Video ("limited", "MPEG") range puts black at 16 and white at 235; thumbnails are always full
  // range so that brightness thresholds mean the same on every camera.
  bool limited_range = true;
};

// Area-averages `plane` to `width` x `height`: every thumbnail pixel is the mean of the source
// pixels it covers (at least one). Fails on an inconsistent plane description.
base::Result<Thumbnail> MakeThumbnail(const LumaPlane& plane, int width, int height);

}  // namespace camguard::tamper
