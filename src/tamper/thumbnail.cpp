// SPDX-License-Identifier: Apache-2.0
#include "tamper/thumbnail.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace camguard::tamper {

namespace {

// The source interval [begin, end) that thumbnail cell `index` of `cells` covers. Intervals
// partition the source when it is larger than the thumbnail; a smaller source repeats pixels.
struct Span {
  int begin, end;
};
Span CellSpan(int index, int cells, int source) {
  const auto scaled = [&](int i) {
    return static_cast<int>(static_cast<std::int64_t>(i) * source / cells);
  };
  const int begin = std::min(scaled(index), source - 1);
  return {begin, std::max(begin + 1, scaled(index + 1))};
}

}  // namespace

base::Result<Thumbnail> MakeThumbnail(const LumaPlane& plane, int width, int height) {
  constexpr int kMaxSide = 1 << 15;
  if (width <= 0 || height <= 0 || width > 4096 || height > 4096) {
    return base::Fail(base::ErrorCode::kInvalidArgument,
                      fmt::format("bad thumbnail size {}x{}", width, height));
  }
  if (plane.width <= 0 || plane.height <= 0 || plane.width > kMaxSide || plane.height > kMaxSide ||
      plane.stride < plane.width) {
    return base::Fail(
        base::ErrorCode::kInvalidArgument,
        fmt::format("bad luma plane {}x{} stride {}", plane.width, plane.height, plane.stride));
  }
  const std::size_t needed =
      static_cast<std::size_t>(plane.height - 1) * static_cast<std::size_t>(plane.stride) +
      static_cast<std::size_t>(plane.width);
  if (plane.samples.size() < needed) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "luma plane shorter than its size");
  }

  Thumbnail thumbnail;
  thumbnail.width = width;
  thumbnail.height = height;
  thumbnail.source_width = plane.width;
  thumbnail.source_height = plane.height;
  thumbnail.luma.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));

  std::vector<Span> columns(static_cast<std::size_t>(width));
  for (int x = 0; x < width; ++x) {
    columns[static_cast<std::size_t>(x)] = CellSpan(x, width, plane.width);
  }
  // Row by row, so the source is read in memory order: each thumbnail row accumulates the sums
  // of its source rows, cell by cell.
  std::vector<std::uint64_t> sums(static_cast<std::size_t>(width));
  for (int y = 0; y < height; ++y) {
    const Span rows = CellSpan(y, height, plane.height);
    std::fill(sums.begin(), sums.end(), 0);
    for (int sy = rows.begin; sy < rows.end; ++sy) {
      const std::uint8_t* row = plane.samples.data() + static_cast<std::size_t>(sy) *
                                                           static_cast<std::size_t>(plane.stride);
      for (int x = 0; x < width; ++x) {
        const Span cols = columns[static_cast<std::size_t>(x)];
        std::uint32_t sum = 0;
        for (int sx = cols.begin; sx < cols.end; ++sx) sum += row[sx];
        sums[static_cast<std::size_t>(x)] += sum;
      }
    }
    for (int x = 0; x < width; ++x) {
      const Span cols = columns[static_cast<std::size_t>(x)];
      const auto count =
          static_cast<double>(rows.end - rows.begin) * static_cast<double>(cols.end - cols.begin);
      double mean = static_cast<double>(sums[static_cast<std::size_t>(x)]) / count;
      if (plane.limited_range) mean = (mean - 16.0) * 255.0 / 219.0;
      thumbnail.luma[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                     static_cast<std::size_t>(x)] =
          static_cast<std::uint8_t>(std::clamp(std::lround(mean), 0L, 255L));
    }
  }
  return thumbnail;
}

}  // namespace camguard::tamper
