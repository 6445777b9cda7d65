// SPDX-License-Identifier: Apache-2.0
#include "camsim/h264.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace camguard::camsim {
namespace {

using base::ErrorCode;
using base::Fail;

// Position of the next 00 00 01 at or after `from`, or data.size().
std::size_t FindStartCode(ByteSpan data, std::size_t from) {
  for (std::size_t i = from; i + 2 < data.size(); ++i) {
    if (data[i + 2] > 1) {
      i += 2;  // neither of the next two positions can start 00 00 01
      continue;
    }
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) return i;
  }
  return data.size();
}

bool IsSlice(std::uint8_t type) { return type == 1 || type == 5; }

void SkipScalingList(BitReader& r, int size) {
  // H.264 7.3.2.1.1.1: delta-coded list; parsing stops once next_scale becomes 0.
  std::int32_t last = 8;
  std::int32_t next = 8;
  for (int j = 0; j < size && r.ok(); ++j) {
    if (next != 0) {
      const std::int32_t delta = r.Se();
      next = (last + delta + 256) % 256;
    }
    last = (next == 0) ? last : next;
  }
}

}  // namespace

std::uint32_t BitReader::Bits(int count) {
  std::uint32_t value = 0;
  for (int i = 0; i < count; ++i) value = (value << 1) | Bit();
  return value;
}

std::uint32_t BitReader::Bit() {
  if (bit_ >= bytes_.size() * 8) {
    ok_ = false;
    return 0;
  }
  const std::uint32_t b = (bytes_[bit_ / 8] >> (7 - bit_ % 8)) & 1U;
  ++bit_;
  return b;
}

std::uint32_t BitReader::Ue() {
  int zeros = 0;
  while (Bit() == 0) {
    if (!ok_ || ++zeros > 31) {
      ok_ = false;
      return 0;
    }
  }
  return ((1U << zeros) - 1U) + Bits(zeros);
}

std::int32_t BitReader::Se() {
  const std::uint32_t k = Ue();
  const auto magnitude = static_cast<std::int32_t>((k + 1) / 2);
  return (k % 2 == 1) ? magnitude : -magnitude;
}

void BitReader::Skip(std::size_t count) {
  if (count > bytes_.size() * 8 - std::min(bit_, bytes_.size() * 8)) {
    bit_ = bytes_.size() * 8;
    ok_ = false;
    return;
  }
  bit_ += count;
}

std::vector<std::uint8_t> NalPayloadRbsp(ByteSpan nal, std::size_t header_bytes) {
  std::vector<std::uint8_t> rbsp;
  rbsp.reserve(nal.size());
  int zeros = 0;
  for (std::size_t i = header_bytes; i < nal.size(); ++i) {
    if (zeros >= 2 && nal[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] == 0 ? zeros + 1 : 0;
    rbsp.push_back(nal[i]);
  }
  return rbsp;
}

AnnexBReader::AnnexBReader(ByteSpan data) : data_(data) {
  const std::size_t start = FindStartCode(data_, 0);
  pos_ = start == data_.size() ? data_.size() : start + 3;
}

std::optional<ByteSpan> AnnexBReader::Next() {
  while (pos_ < data_.size()) {
    const std::size_t begin = pos_;
    const std::size_t next = FindStartCode(data_, begin);
    std::size_t end = next;
    // Zero bytes before a start code belong to it (zero_byte / trailing_zero_8bits).
    while (end > begin && data_[end - 1] == 0) --end;
    pos_ = next == data_.size() ? data_.size() : next + 3;
    if (end > begin) return data_.subspan(begin, end - begin);
  }
  return std::nullopt;
}

std::vector<AccessUnit> SplitAccessUnits(ByteSpan data) {
  std::vector<AccessUnit> units;
  AccessUnit current;
  bool has_slice = false;
  auto flush = [&] {
    if (!current.nals.empty()) units.push_back(std::move(current));
    current = AccessUnit{};
    has_slice = false;
  };
  AnnexBReader reader(data);
  while (auto nal = reader.Next()) {
    const std::uint8_t type = NalTypeOf(*nal);
    if (IsSlice(type)) {
      // first_mb_in_slice is the first ue(v) after the header; the value 0 is the single bit 1.
      const bool first_slice = nal->size() > 1 && ((*nal)[1] & 0x80) != 0;
      if (has_slice && first_slice) flush();
      has_slice = true;
      if (type == 5) current.keyframe = true;
    } else if (has_slice &&
               (type == 6 || type == 7 || type == 8 || type == 9 || (type >= 14 && type <= 18))) {
      flush();
    }
    current.nals.push_back(*nal);
  }
  flush();
  return units;
}

base::Result<SpsInfo> ParseSps(ByteSpan nal) {
  if (nal.size() < 4 || NalTypeOf(nal) != 7) {
    return Fail(ErrorCode::kInvalidArgument, "not a sequence parameter set");
  }
  const std::vector<std::uint8_t> rbsp = NalPayloadRbsp(nal, 1);
  BitReader r(rbsp);
  SpsInfo info;
  info.profile_idc = static_cast<std::uint8_t>(r.Bits(8));
  info.constraint_flags = static_cast<std::uint8_t>(r.Bits(8));
  info.level_idc = static_cast<std::uint8_t>(r.Bits(8));
  if (r.Ue() > 31) return Fail(ErrorCode::kInvalidArgument, "SPS id out of range");
  std::uint32_t chroma_format_idc = 1;
  bool separate_colour_plane = false;
  switch (info.profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135: {
      chroma_format_idc = r.Ue();
      if (chroma_format_idc > 3) return Fail(ErrorCode::kInvalidArgument, "bad chroma format");
      if (chroma_format_idc == 3) separate_colour_plane = r.Bit() != 0;
      r.Ue();              // bit_depth_luma_minus8
      r.Ue();              // bit_depth_chroma_minus8
      r.Bit();             // qpprime_y_zero_transform_bypass_flag
      if (r.Bit() != 0) {  // seq_scaling_matrix_present_flag
        const int lists = chroma_format_idc != 3 ? 8 : 12;
        for (int i = 0; i < lists && r.ok(); ++i) {
          if (r.Bit() != 0) SkipScalingList(r, i < 6 ? 16 : 64);
        }
      }
      break;
    }
    default: break;
  }
  if (r.Ue() > 12) return Fail(ErrorCode::kInvalidArgument, "bad log2_max_frame_num");
  const std::uint32_t poc_type = r.Ue();
  if (poc_type == 0) {
    r.Ue();  // log2_max_pic_order_cnt_lsb_minus4
  } else if (poc_type == 1) {
    r.Bit();
    r.Se();
    r.Se();
    const std::uint32_t cycle = r.Ue();
    if (cycle > 255) return Fail(ErrorCode::kInvalidArgument, "bad POC cycle");
    for (std::uint32_t i = 0; i < cycle && r.ok(); ++i) r.Se();
  } else if (poc_type != 2) {
    return Fail(ErrorCode::kInvalidArgument, "bad pic_order_cnt_type");
  }
  r.Ue();   // max_num_ref_frames
  r.Bit();  // gaps_in_frame_num_value_allowed_flag
  const std::uint32_t width_mbs = r.Ue() + 1;
  const std::uint32_t height_units = r.Ue() + 1;
  const bool frame_mbs_only = r.Bit() != 0;
  if (!frame_mbs_only) r.Bit();  // mb_adaptive_frame_field_flag
  r.Bit();                       // direct_8x8_inference_flag
  std::uint32_t crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  if (r.Bit() != 0) {
    crop_left = r.Ue();
    crop_right = r.Ue();
    crop_top = r.Ue();
    crop_bottom = r.Ue();
  }
  if (!r.ok() || width_mbs > 1024 || height_units > 1024) {
    return Fail(ErrorCode::kInvalidArgument, "truncated or oversized SPS");
  }
  // Crop units, H.264 equations 7-19 to 7-22.
  const std::uint32_t frame_factor = frame_mbs_only ? 1 : 2;
  std::uint32_t crop_x = 1, crop_y = frame_factor;
  if (chroma_format_idc != 0 && !separate_colour_plane) {
    crop_x = chroma_format_idc == 3 ? 1 : 2;
    crop_y = (chroma_format_idc == 1 ? 2 : 1) * frame_factor;
  }
  const std::uint64_t width = std::uint64_t{width_mbs} * 16;
  const std::uint64_t height = std::uint64_t{height_units} * 16 * frame_factor;
  const std::uint64_t crop_w = std::uint64_t{crop_x} * (std::uint64_t{crop_left} + crop_right);
  const std::uint64_t crop_h = std::uint64_t{crop_y} * (std::uint64_t{crop_top} + crop_bottom);
  if (crop_w >= width || crop_h >= height) {
    return Fail(ErrorCode::kInvalidArgument, "SPS cropping larger than the picture");
  }
  info.width = static_cast<int>(width - crop_w);
  info.height = static_cast<int>(height - crop_h);

  if (r.Bit() != 0) {                    // vui_parameters_present_flag, Annex E.1.1
    if (r.Bit() != 0) {                  // aspect_ratio_info_present_flag
      if (r.Bits(8) == 255) r.Bits(32);  // Extended_SAR: sar_width, sar_height
    }
    if (r.Bit() != 0) r.Bit();  // overscan_info_present_flag → overscan_appropriate_flag
    if (r.Bit() != 0) {         // video_signal_type_present_flag
      r.Bits(4);
      if (r.Bit() != 0) r.Bits(24);  // colour_description_present_flag
    }
    if (r.Bit() != 0) {  // chroma_loc_info_present_flag
      r.Ue();
      r.Ue();
    }
    if (r.Bit() != 0) {  // timing_info_present_flag
      const std::uint32_t units = r.Bits(32);
      const std::uint32_t scale = r.Bits(32);
      // Reduced, and kept to rates a camera can have (1 to 240 fps, small denominators) so
      // that timestamp arithmetic cannot overflow.
      const std::uint64_t num = scale;
      const std::uint64_t den = 2 * std::uint64_t{units};
      const std::uint64_t g = (num != 0 && den != 0) ? std::gcd(num, den) : 1;
      if (r.ok() && num != 0 && den != 0 && num / g <= 1'000'000 && den / g <= 10'000 &&
          num >= den && num <= 240 * den) {
        info.fps_num = static_cast<std::uint32_t>(num / g);
        info.fps_den = static_cast<std::uint32_t>(den / g);
      }
    }
  }
  if (!r.ok()) return Fail(ErrorCode::kInvalidArgument, "truncated SPS");
  return info;
}

}  // namespace camguard::camsim
