// SPDX-License-Identifier: Apache-2.0
// H.264 (ISO/IEC 14496-10) parameter sets: the sequence parameter set's size and profile, the
// RFC 6381 codec string browsers need, and the avcC record (ISO/IEC 14496-15 §5.3.3) for MP4.
// Pure and total: any bytes give a value or an error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace camguard::media {

enum class Codec { kH264, kH265 };

struct VideoTrackInfo {
  Codec codec = Codec::kH264;
  std::uint16_t width = 0, height = 0;
  std::string codec_string;                               // "avc1.640028"
  std::vector<std::uint8_t> decoder_config;               // avcC record body
  std::vector<std::vector<std::uint8_t>> parameter_sets;  // SPS, PPS without start codes
  std::optional<double> frame_rate;
};

// Removes emulation-prevention bytes (00 00 03 → 00 00).
std::vector<std::uint8_t> Unescape(std::span<const std::uint8_t> nal);

base::Result<VideoTrackInfo> DescribeH264(std::span<const std::uint8_t> sps,
                                          std::span<const std::uint8_t> pps);
// H.265 streams are recognised but not packaged yet.
base::Result<VideoTrackInfo> DescribeH265(std::span<const std::uint8_t> vps,
                                          std::span<const std::uint8_t> sps,
                                          std::span<const std::uint8_t> pps);

// Splits an Annex-B byte stream at start codes (tests and tools).
std::vector<std::span<const std::uint8_t>> SplitAnnexB(std::span<const std::uint8_t> stream);

}  // namespace camguard::media
