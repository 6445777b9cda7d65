// SPDX-License-Identifier: Apache-2.0
// H.264 Annex-B elementary streams: NAL unit splitting, access-unit grouping and the few SPS
// fields a streaming server needs (profile-level-id, picture size, frame rate). Pure and total:
// any bytes give NAL units, access units or an error, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"

namespace camguard::camsim {

using ByteSpan = std::span<const std::uint8_t>;

// NAL unit types of ITU-T H.264 Table 7-1 that the simulator looks at.
enum class NalType : std::uint8_t {
  kSlice = 1,
  kIdrSlice = 5,
  kSei = 6,
  kSps = 7,
  kPps = 8,
  kAccessUnitDelimiter = 9,
};

inline std::uint8_t NalTypeOf(ByteSpan nal) { return nal.empty() ? 0 : nal[0] & 0x1F; }

// Splits an Annex-B byte stream (H.264 Annex B.1) into NAL units without their start codes.
// Bytes before the first start code are skipped; trailing zero bytes of a NAL unit
// (trailing_zero_8bits) are dropped; empty NAL units are skipped.
class AnnexBReader {
 public:
  explicit AnnexBReader(ByteSpan data);
  // The next NAL unit (a view into the input), or nullopt at the end of the data.
  std::optional<ByteSpan> Next();

 private:
  ByteSpan data_;
  std::size_t pos_ = 0;  // first byte after the current start code, or data_.size()
};

struct AccessUnit {
  std::vector<ByteSpan> nals;  // in stream order, views into the input
  bool keyframe = false;       // holds an IDR slice
};

// Groups NAL units into access units (H.264 7.4.1.2.3): a new access unit begins at an access
// unit delimiter, SPS, PPS or SEI that follows a slice, and at a slice whose first_mb_in_slice is
// 0 when the current access unit already holds a slice.
std::vector<AccessUnit> SplitAccessUnits(ByteSpan data);

struct SpsInfo {
  std::uint8_t profile_idc = 0;
  std::uint8_t constraint_flags = 0;
  std::uint8_t level_idc = 0;
  int width = 0;   // after cropping
  int height = 0;  // after cropping
  // Frame rate from the VUI timing info, time_scale / (2 * num_units_in_tick) reduced; 0/0 when
  // absent or outside 1..240 fps.
  std::uint32_t fps_num = 0;
  std::uint32_t fps_den = 0;
};

// Parses a sequence parameter set NAL unit (with its one-byte header, emulation prevention
// bytes still in place; H.264 7.3.2.1.1 and Annex E.1.1).
base::Result<SpsInfo> ParseSps(ByteSpan nal);

// The RBSP of a NAL unit: the bytes after its `header_bytes`-byte header with the emulation
// prevention byte of every 00 00 03 removed (H.264 7.4.1, H.265 7.4.2). H.265 uses the same
// escaping and the same exp-Golomb codes, so its parser shares these two helpers.
std::vector<std::uint8_t> NalPayloadRbsp(ByteSpan nal, std::size_t header_bytes);

// Reads bits MSB first from an RBSP. Reading past the end yields zeros and clears ok(), so a
// parser can read a whole structure and check once.
class BitReader {
 public:
  explicit BitReader(const std::vector<std::uint8_t>& bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }

  std::uint32_t Bits(int count);  // count <= 32
  std::uint32_t Bit();
  // ue(v), H.264 9.1. Values above 2^31 are refused (no valid parameter set field comes close).
  std::uint32_t Ue();
  std::int32_t Se();
  void Skip(std::size_t count);

 private:
  const std::vector<std::uint8_t>& bytes_;
  std::size_t bit_ = 0;
  bool ok_ = true;
};

}  // namespace camguard::camsim
