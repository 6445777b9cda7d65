// SPDX-License-Identifier: Apache-2.0
// Fragmented MP4 (ISO/IEC 14496-12) for one H.264 video track: the init segment (ftyp + moov
// with mvex) and fragments (moof + mdat) built from access units, plus a reader of top-level
// boxes that finds how much of a file a crash left playable. Pure: bytes in, bytes out.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "media/h264.h"

namespace camguard::media {

inline constexpr std::uint32_t kTimescale = 90000;  // the RTP clock of video

// One picture as the RTP depacketizer delivers it.
struct AccessUnit {
  std::vector<std::vector<std::uint8_t>> nal_units;  // no start codes
  std::int64_t timestamp = 0;                        // 90 kHz, monotonic
  bool keyframe = false;
};

std::vector<std::uint8_t> BuildInitSegment(const VideoTrackInfo& track);

// Groups access units into fragments. A fragment ends when the next access unit is a keyframe
// (so every keyframe starts a fragment and segments can be cut there) or when it reaches the
// target length. A fragment is complete only when the following access unit arrives (its last
// sample's duration is then known).
class Fragmenter {
 public:
  explicit Fragmenter(std::chrono::milliseconds target = std::chrono::seconds(1));

  struct Fragment {
    std::vector<std::uint8_t> bytes;  // moof + mdat
    std::uint32_t sequence_number = 0;
    std::int64_t start_time = 0;  // 90 kHz since the first access unit of this fragmenter
    std::int64_t duration = 0;    // 90 kHz
    std::uint32_t sample_count = 0;
    bool starts_with_keyframe = false;
  };

  // Returns the fragment this access unit completed, if any.
  base::Result<std::optional<Fragment>> Push(AccessUnit unit);
  std::optional<Fragment> Flush();  // the last sample gets the previous sample's duration
  // True after an access unit carried an SPS or PPS different from the ones given to Reset.
  bool parameters_changed() const { return parameters_changed_; }
  void SetParameterSets(std::vector<std::vector<std::uint8_t>> sets) {
    parameter_sets_ = std::move(sets);
  }

 private:
  Fragment Build(std::int64_t end_time);

  std::int64_t target_;
  std::vector<AccessUnit> pending_;
  std::optional<std::int64_t> first_timestamp_;
  std::int64_t last_timestamp_ = 0;
  std::int64_t last_duration_ = kTimescale / 25;
  std::uint32_t next_sequence_ = 1;
  std::vector<std::vector<std::uint8_t>> parameter_sets_;
  bool parameters_changed_ = false;
};

struct BoxHeader {
  std::array<char, 4> type{};
  std::uint64_t offset = 0, size = 0;
  std::uint32_t header_size = 0;
};
// Top-level boxes; an error names the first box that is malformed or cut short.
base::Result<std::vector<BoxHeader>> ReadTopLevelBoxes(std::span<const std::uint8_t> file);
// Length of the longest prefix that is an init segment followed by complete moof+mdat pairs.
std::uint64_t PlayablePrefixLength(std::span<const std::uint8_t> file);

}  // namespace camguard::media
