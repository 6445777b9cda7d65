// SPDX-License-Identifier: Apache-2.0
#include "media/h264.h"

#include <fmt/format.h>

namespace camguard::media {

namespace {

// Exp-Golomb bit reader (H.264 §9.1) that never reads past the end: it latches an error.
class BitReader {
 public:
  explicit BitReader(std::span<const std::uint8_t> data) : data_(data) {}
  std::uint32_t Bits(int n) {
    std::uint32_t value = 0;
    for (int i = 0; i < n; ++i) value = (value << 1) | Bit();
    return value;
  }
  std::uint32_t Bit() {
    if (position_ >= data_.size() * 8) {
      failed_ = true;
      return 0;
    }
    const std::uint32_t bit = (data_[position_ / 8] >> (7 - position_ % 8)) & 1;
    ++position_;
    return bit;
  }
  std::uint32_t Ue() {
    int zeros = 0;
    while (Bit() == 0) {
      if (failed_ || ++zeros > 31) {
        failed_ = true;
        return 0;
      }
    }
    if (zeros == 0) return 0;
    return ((1u << zeros) - 1) + Bits(zeros);
  }
  std::int32_t Se() {
    const std::uint32_t k = Ue();
    return (k & 1) ? static_cast<std::int32_t>((k + 1) / 2) : -static_cast<std::int32_t>(k / 2);
  }
  bool failed() const { return failed_; }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t position_ = 0;
  bool failed_ = false;
};

void SkipScalingList(BitReader& bits, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size && !bits.failed(); ++j) {
    if (next != 0) next = (last + bits.Se() + 256) % 256;
    last = next == 0 ? last : next;
  }
}

bool HighProfile(std::uint32_t profile) {
  switch (profile) {
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
    case 135: return true;
    default: return false;
  }
}
}  // namespace

std::vector<std::uint8_t> Unescape(std::span<const std::uint8_t> nal) {
  std::vector<std::uint8_t> out;
  out.reserve(nal.size());
  int zeros = 0;
  for (std::uint8_t byte : nal) {
    if (zeros >= 2 && byte == 3) {
      zeros = 0;
      continue;
    }
    zeros = byte == 0 ? zeros + 1 : 0;
    out.push_back(byte);
  }
  return out;
}

base::Result<VideoTrackInfo> DescribeH264(std::span<const std::uint8_t> sps,
                                          std::span<const std::uint8_t> pps) {
  if (sps.size() < 4 || (sps[0] & 0x1f) != 7) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "not an H.264 sequence parameter set");
  }
  if (pps.empty() || (pps[0] & 0x1f) != 8 || pps.size() > 0xffff || sps.size() > 0xffff) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "not an H.264 picture parameter set");
  }
  const std::vector<std::uint8_t> rbsp = Unescape(sps.subspan(1));
  BitReader bits(rbsp);
  const std::uint32_t profile = bits.Bits(8);
  const std::uint32_t constraints = bits.Bits(8);
  const std::uint32_t level = bits.Bits(8);
  bits.Ue();  // seq_parameter_set_id
  std::uint32_t chroma_format = 1;
  bool separate_colour_plane = false;
  if (HighProfile(profile)) {
    chroma_format = bits.Ue();
    if (chroma_format > 3)
      return base::Fail(base::ErrorCode::kInvalidArgument, "bad chroma format");
    if (chroma_format == 3) separate_colour_plane = bits.Bit() != 0;
    bits.Ue();         // bit_depth_luma_minus8
    bits.Ue();         // bit_depth_chroma_minus8
    bits.Bit();        // qpprime_y_zero_transform_bypass_flag
    if (bits.Bit()) {  // seq_scaling_matrix_present_flag
      const int lists = chroma_format == 3 ? 12 : 8;
      for (int i = 0; i < lists && !bits.failed(); ++i) {
        if (bits.Bit()) SkipScalingList(bits, i < 6 ? 16 : 64);
      }
    }
  }
  bits.Ue();  // log2_max_frame_num_minus4
  const std::uint32_t poc_type = bits.Ue();
  if (poc_type == 0) {
    bits.Ue();
  } else if (poc_type == 1) {
    bits.Bit();
    bits.Se();
    bits.Se();
    const std::uint32_t cycle = bits.Ue();
    if (cycle > 255) return base::Fail(base::ErrorCode::kInvalidArgument, "bad POC cycle");
    for (std::uint32_t i = 0; i < cycle && !bits.failed(); ++i) bits.Se();
  }
  bits.Ue();   // max_num_ref_frames
  bits.Bit();  // gaps_in_frame_num_value_allowed_flag
  const std::uint32_t width_mbs = bits.Ue() + 1;
  const std::uint32_t height_units = bits.Ue() + 1;
  const std::uint32_t frame_mbs_only = bits.Bit();
  if (!frame_mbs_only) bits.Bit();  // mb_adaptive_frame_field_flag
  bits.Bit();                       // direct_8x8_inference_flag
  std::uint32_t crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  if (bits.Bit()) {
    crop_left = bits.Ue();
    crop_right = bits.Ue();
    crop_top = bits.Ue();
    crop_bottom = bits.Ue();
  }
  // Everything up to the cropping must be there; a VUI cut short only loses the frame rate.
  if (bits.failed()) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "truncated sequence parameter set");
  }
  std::optional<double> frame_rate;
  if (bits.Bit()) {    // vui_parameters_present_flag: only the timing is of interest
    if (bits.Bit()) {  // aspect_ratio_info_present_flag
      if (bits.Bits(8) == 255) bits.Bits(32);
    }
    if (bits.Bit()) bits.Bit();  // overscan
    if (bits.Bit()) {            // video_signal_type_present_flag
      bits.Bits(4);
      if (bits.Bit()) bits.Bits(24);
    }
    if (bits.Bit()) {  // chroma_loc_info_present_flag
      bits.Ue();
      bits.Ue();
    }
    if (bits.Bit()) {  // timing_info_present_flag
      const std::uint32_t units = bits.Bits(32);
      const std::uint32_t scale = bits.Bits(32);
      if (!bits.failed() && units > 0 && scale > 0)
        frame_rate = static_cast<double>(scale) / (2.0 * units);
    }
  }
  if (width_mbs > 1024 || height_units > 1024) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "picture size out of range");
  }
  const std::uint32_t chroma = separate_colour_plane ? 0 : chroma_format;
  const std::uint32_t crop_x = (chroma == 1 || chroma == 2) ? 2 : 1;
  const std::uint32_t crop_y = (chroma == 1 ? 2 : 1) * (2 - frame_mbs_only);
  const std::int64_t width =
      std::int64_t{width_mbs} * 16 - std::int64_t{crop_x} * (crop_left + crop_right);
  const std::int64_t height = std::int64_t{height_units} * 16 * (2 - frame_mbs_only) -
                              std::int64_t{crop_y} * (crop_top + crop_bottom);
  if (width <= 0 || height <= 0 || width > 0xffff || height > 0xffff) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "cropping leaves no picture");
  }
  VideoTrackInfo info;
  info.codec = Codec::kH264;
  info.width = static_cast<std::uint16_t>(width);
  info.height = static_cast<std::uint16_t>(height);
  info.frame_rate = frame_rate;
  info.codec_string = fmt::format("avc1.{:02x}{:02x}{:02x}", profile, constraints, level);
  info.parameter_sets = {std::vector<std::uint8_t>(sps.begin(), sps.end()),
                         std::vector<std::uint8_t>(pps.begin(), pps.end())};
  // avcC (ISO/IEC 14496-15 §5.3.3.1): 4-byte NAL lengths, one SPS and one PPS.
  auto& c = info.decoder_config;
  c = {1,
       static_cast<std::uint8_t>(profile),
       static_cast<std::uint8_t>(constraints),
       static_cast<std::uint8_t>(level),
       0xff,
       0xe1,
       static_cast<std::uint8_t>(sps.size() >> 8),
       static_cast<std::uint8_t>(sps.size())};
  c.insert(c.end(), sps.begin(), sps.end());
  c.push_back(1);
  c.push_back(static_cast<std::uint8_t>(pps.size() >> 8));
  c.push_back(static_cast<std::uint8_t>(pps.size()));
  c.insert(c.end(), pps.begin(), pps.end());
  return info;
}

base::Result<VideoTrackInfo> DescribeH265(std::span<const std::uint8_t>,
                                          std::span<const std::uint8_t>,
                                          std::span<const std::uint8_t>) {
  return base::Fail(base::ErrorCode::kFailedPrecondition,
                    "H.265 streams are not recorded yet; give the camera an H.264 stream");
}

std::vector<std::span<const std::uint8_t>> SplitAnnexB(std::span<const std::uint8_t> stream) {
  std::vector<std::span<const std::uint8_t>> units;
  std::size_t i = 0, start = std::string::npos;
  while (i + 2 < stream.size()) {
    if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1) {
      if (start != std::string::npos) {
        std::size_t end = i;
        while (end > start && stream[end - 1] == 0) --end;  // trailing zero of a 4-byte code
        units.push_back(stream.subspan(start, end - start));
      }
      i += 3;
      start = i;
    } else {
      ++i;
    }
  }
  if (start != std::string::npos && start < stream.size()) units.push_back(stream.subspan(start));
  return units;
}

}  // namespace camguard::media
