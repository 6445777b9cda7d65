// SPDX-License-Identifier: Apache-2.0
// H.265/HEVC Annex-B elementary streams (ITU-T H.265): NAL unit types, access-unit grouping and
// the SPS fields a streaming server announces (profile, tier, level, picture size, frame rate).
// Pure and total like h264.h, whose Annex-B reader, RBSP conversion and bit reader it shares.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "camsim/h264.h"

namespace camguard::camsim {

// NAL unit types of ITU-T H.265 Table 7-1 that the simulator looks at. Types 0..31 are slice
// segments (VCL); 16..23 are IRAP pictures (IDR, CRA, BLA), where a decoder can start.
enum class HevcNalType : std::uint8_t {
  kIrapFirst = 16,
  kIrapLast = 23,
  kVps = 32,
  kSps = 33,
  kPps = 34,
  kAccessUnitDelimiter = 35,
  kPrefixSei = 39,
};

// The type of a NAL unit from its two-byte header (forbidden bit, 6-bit type, layer id,
// temporal id); 63 (unspecified) for an empty unit.
inline std::uint8_t HevcNalTypeOf(ByteSpan nal) {
  return nal.empty() ? 63 : static_cast<std::uint8_t>((nal[0] >> 1) & 0x3F);
}

// Groups NAL units into access units (H.265 7.4.2.4.4): a new access unit begins at an access
// unit delimiter, VPS, SPS, PPS, prefix SEI or reserved types 41..44 and 48..55 that follow a
// slice segment, and at a slice segment with first_slice_segment_in_pic_flag set when the current
// access unit already holds one. `keyframe` marks access units with an IRAP picture.
std::vector<AccessUnit> SplitHevcAccessUnits(ByteSpan data);

struct HevcSpsInfo {
  // general_profile_tier_level (H.265 7.3.3), as RFC 7798 §7.1 announces them.
  std::uint8_t profile_space = 0;
  std::uint8_t tier_flag = 0;
  std::uint8_t profile_idc = 0;
  std::uint32_t profile_compatibility_flags = 0;
  std::uint64_t constraint_indicator_flags = 0;  // the 48 bits from progressive_source_flag on
  std::uint8_t level_idc = 0;
  int width = 0;   // after the conformance window
  int height = 0;  // after the conformance window
  // Frame rate from the VUI timing info, vui_time_scale / vui_num_units_in_tick reduced; 0/0 when
  // absent or outside 1..240 fps.
  std::uint32_t fps_num = 0;
  std::uint32_t fps_den = 0;
};

// Parses a sequence parameter set NAL unit (with its two-byte header, emulation prevention bytes
// still in place; H.265 7.3.2.2.1, 7.3.3, 7.3.7 and Annex E.2.1).
base::Result<HevcSpsInfo> ParseHevcSps(ByteSpan nal);

}  // namespace camguard::camsim
