// SPDX-License-Identifier: Apache-2.0
#include "camsim/h265.h"

#include <algorithm>
#include <numeric>

namespace camguard::camsim {
namespace {

using base::ErrorCode;
using base::Fail;

constexpr std::uint8_t kMaxSubLayersMinus1 = 6;
constexpr std::uint32_t kMaxShortTermRefPicSets = 64;
constexpr std::uint32_t kMaxLongTermRefPicsSps = 32;
constexpr std::uint32_t kMaxPicsPerRefPicSet = 16;
constexpr std::uint32_t kMaxDeltaPoc = 1U << 15;  // delta_poc_s0/s1_minus1 and abs_delta_rps range
constexpr std::uint32_t kMaxPictureSide = 16384;

bool IsVcl(std::uint8_t type) { return type < 32; }

bool StartsAccessUnit(std::uint8_t type) {
  return type == static_cast<std::uint8_t>(HevcNalType::kAccessUnitDelimiter) ||
         type == static_cast<std::uint8_t>(HevcNalType::kVps) ||
         type == static_cast<std::uint8_t>(HevcNalType::kSps) ||
         type == static_cast<std::uint8_t>(HevcNalType::kPps) ||
         type == static_cast<std::uint8_t>(HevcNalType::kPrefixSei) || (type >= 41 && type <= 44) ||
         (type >= 48 && type <= 55);
}

// profile_tier_level(1, max_sub_layers_minus1), H.265 7.3.3.
void ReadProfileTierLevel(BitReader& r, std::uint32_t max_sub_layers_minus1, HevcSpsInfo& info) {
  info.profile_space = static_cast<std::uint8_t>(r.Bits(2));
  info.tier_flag = static_cast<std::uint8_t>(r.Bit());
  info.profile_idc = static_cast<std::uint8_t>(r.Bits(5));
  info.profile_compatibility_flags = r.Bits(32);
  info.constraint_indicator_flags = (std::uint64_t{r.Bits(16)} << 32) | r.Bits(32);
  info.level_idc = static_cast<std::uint8_t>(r.Bits(8));
  std::vector<bool> profile_present(max_sub_layers_minus1);
  std::vector<bool> level_present(max_sub_layers_minus1);
  for (std::uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    profile_present[i] = r.Bit() != 0;
    level_present[i] = r.Bit() != 0;
  }
  if (max_sub_layers_minus1 > 0) r.Skip(2 * (8 - max_sub_layers_minus1));  // reserved_zero_2bits
  for (std::uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    if (profile_present[i]) r.Skip(88);  // sub_layer profile space .. constraint flags
    if (level_present[i]) r.Skip(8);     // sub_layer_level_idc
  }
}

// scaling_list_data(), H.265 7.3.4.
void SkipScalingListData(BitReader& r) {
  for (int size_id = 0; size_id < 4 && r.ok(); ++size_id) {
    for (int matrix_id = 0; matrix_id < 6 && r.ok(); matrix_id += size_id == 3 ? 3 : 1) {
      if (r.Bit() == 0) {  // scaling_list_pred_mode_flag
        r.Ue();            // scaling_list_pred_matrix_id_delta
        continue;
      }
      const int coefficients = std::min(64, 1 << (4 + (size_id << 1)));
      if (size_id > 1) r.Se();  // scaling_list_dc_coef_minus8
      for (int i = 0; i < coefficients && r.ok(); ++i) r.Se();
    }
  }
}

// One short-term reference picture set as the SPS defines it: the POC deltas of the pictures
// before (negative) and after (positive) the current one. Later sets may be predicted from the
// previous one, so the deltas (not only their count) are needed to parse on.
struct RefPicSet {
  std::vector<std::int32_t> negative;  // DeltaPocS0, closest first
  std::vector<std::int32_t> positive;  // DeltaPocS1, closest first
};

// st_ref_pic_set(index) inside an SPS, H.265 7.3.7 with the derivation of 7.4.8 (7-61, 7-62).
base::Result<RefPicSet> ReadRefPicSet(BitReader& r, std::uint32_t index,
                                      const std::vector<RefPicSet>& previous) {
  RefPicSet set;
  const bool predicted = index != 0 && r.Bit() != 0;
  if (predicted) {
    // In an SPS, delta_idx_minus1 is absent: the reference is the previous set.
    const RefPicSet& ref = previous[index - 1];
    const bool negative_sign = r.Bit() != 0;
    const std::uint32_t abs_delta = r.Ue() + 1;
    if (abs_delta > kMaxDeltaPoc) return Fail(ErrorCode::kInvalidArgument, "bad abs_delta_rps");
    const std::int32_t delta_rps = negative_sign ? -static_cast<std::int32_t>(abs_delta)
                                                 : static_cast<std::int32_t>(abs_delta);
    const std::size_t ref_count = ref.negative.size() + ref.positive.size();
    std::vector<bool> use_delta(ref_count + 1);
    for (std::size_t j = 0; j <= ref_count; ++j) {
      const bool used_by_current = r.Bit() != 0;
      use_delta[j] = used_by_current || r.Bit() != 0;  // use_delta_flag is inferred 1 when used
    }
    const std::size_t ref_negatives = ref.negative.size();
    for (std::size_t j = ref.positive.size(); j-- > 0;) {
      const std::int32_t poc = ref.positive[j] + delta_rps;
      if (poc < 0 && use_delta[ref_negatives + j]) set.negative.push_back(poc);
    }
    if (delta_rps < 0 && use_delta[ref_count]) set.negative.push_back(delta_rps);
    for (std::size_t j = 0; j < ref_negatives; ++j) {
      const std::int32_t poc = ref.negative[j] + delta_rps;
      if (poc < 0 && use_delta[j]) set.negative.push_back(poc);
    }
    for (std::size_t j = ref_negatives; j-- > 0;) {
      const std::int32_t poc = ref.negative[j] + delta_rps;
      if (poc > 0 && use_delta[j]) set.positive.push_back(poc);
    }
    if (delta_rps > 0 && use_delta[ref_count]) set.positive.push_back(delta_rps);
    for (std::size_t j = 0; j < ref.positive.size(); ++j) {
      const std::int32_t poc = ref.positive[j] + delta_rps;
      if (poc > 0 && use_delta[ref_negatives + j]) set.positive.push_back(poc);
    }
  } else {
    const std::uint32_t negatives = r.Ue();
    const std::uint32_t positives = r.Ue();
    if (negatives > kMaxPicsPerRefPicSet || positives > kMaxPicsPerRefPicSet) {
      return Fail(ErrorCode::kInvalidArgument, "too many pictures in a reference picture set");
    }
    std::int32_t poc = 0;
    for (std::uint32_t i = 0; i < negatives && r.ok(); ++i) {
      const std::uint32_t delta = r.Ue() + 1;
      if (delta > kMaxDeltaPoc) return Fail(ErrorCode::kInvalidArgument, "bad delta_poc_s0");
      poc -= static_cast<std::int32_t>(delta);
      set.negative.push_back(poc);
      r.Bit();  // used_by_curr_pic_s0_flag
    }
    poc = 0;
    for (std::uint32_t i = 0; i < positives && r.ok(); ++i) {
      const std::uint32_t delta = r.Ue() + 1;
      if (delta > kMaxDeltaPoc) return Fail(ErrorCode::kInvalidArgument, "bad delta_poc_s1");
      poc += static_cast<std::int32_t>(delta);
      set.positive.push_back(poc);
      r.Bit();  // used_by_curr_pic_s1_flag
    }
  }
  if (set.negative.size() + set.positive.size() > 2 * kMaxPicsPerRefPicSet) {
    return Fail(ErrorCode::kInvalidArgument, "too many pictures in a reference picture set");
  }
  return set;
}

// vui_parameters() up to the timing info, H.265 E.2.1.
void ReadVuiTiming(BitReader& r, HevcSpsInfo& info) {
  if (r.Bit() != 0) {                  // aspect_ratio_info_present_flag
    if (r.Bits(8) == 255) r.Skip(32);  // EXTENDED_SAR: sar_width, sar_height
  }
  if (r.Bit() != 0) r.Bit();       // overscan_info_present_flag → overscan_appropriate_flag
  if (r.Bit() != 0) {              // video_signal_type_present_flag
    r.Skip(4);                     // video_format, video_full_range_flag
    if (r.Bit() != 0) r.Skip(24);  // colour_description_present_flag
  }
  if (r.Bit() != 0) {  // chroma_loc_info_present_flag
    r.Ue();
    r.Ue();
  }
  r.Skip(3);           // neutral_chroma_indication, field_seq, frame_field_info_present
  if (r.Bit() != 0) {  // default_display_window_flag
    for (int i = 0; i < 4; ++i) r.Ue();
  }
  if (r.Bit() == 0) return;  // vui_timing_info_present_flag
  const std::uint32_t units = r.Bits(32);
  const std::uint32_t scale = r.Bits(32);
  // Reduced, and kept to rates a camera can have (1 to 240 fps, small denominators) so that
  // timestamp arithmetic cannot overflow.
  const std::uint64_t num = scale;
  const std::uint64_t den = units;
  const std::uint64_t g = (num != 0 && den != 0) ? std::gcd(num, den) : 1;
  if (r.ok() && num != 0 && den != 0 && num / g <= 1'000'000 && den / g <= 10'000 && num >= den &&
      num <= 240 * den) {
    info.fps_num = static_cast<std::uint32_t>(num / g);
    info.fps_den = static_cast<std::uint32_t>(den / g);
  }
}

}  // namespace

std::vector<AccessUnit> SplitHevcAccessUnits(ByteSpan data) {
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
    const std::uint8_t type = HevcNalTypeOf(*nal);
    if (IsVcl(type)) {
      // first_slice_segment_in_pic_flag is the first bit after the two-byte header.
      const bool first_slice = nal->size() > 2 && ((*nal)[2] & 0x80) != 0;
      if (has_slice && first_slice) flush();
      has_slice = true;
      if (type >= static_cast<std::uint8_t>(HevcNalType::kIrapFirst) &&
          type <= static_cast<std::uint8_t>(HevcNalType::kIrapLast)) {
        current.keyframe = true;
      }
    } else if (has_slice && StartsAccessUnit(type)) {
      flush();
    }
    current.nals.push_back(*nal);
  }
  flush();
  return units;
}

base::Result<HevcSpsInfo> ParseHevcSps(ByteSpan nal) {
  if (nal.size() < 4 || HevcNalTypeOf(nal) != static_cast<std::uint8_t>(HevcNalType::kSps)) {
    return Fail(ErrorCode::kInvalidArgument, "not an H.265 sequence parameter set");
  }
  const std::vector<std::uint8_t> rbsp = NalPayloadRbsp(nal, 2);
  BitReader r(rbsp);
  HevcSpsInfo info;
  r.Skip(4);  // sps_video_parameter_set_id
  const std::uint32_t max_sub_layers_minus1 = r.Bits(3);
  if (max_sub_layers_minus1 > kMaxSubLayersMinus1) {
    return Fail(ErrorCode::kInvalidArgument, "bad sps_max_sub_layers_minus1");
  }
  r.Bit();  // sps_temporal_id_nesting_flag
  ReadProfileTierLevel(r, max_sub_layers_minus1, info);
  if (r.Ue() > 15) return Fail(ErrorCode::kInvalidArgument, "SPS id out of range");
  const std::uint32_t chroma_format_idc = r.Ue();
  if (chroma_format_idc > 3) return Fail(ErrorCode::kInvalidArgument, "bad chroma format");
  bool separate_colour_plane = false;
  if (chroma_format_idc == 3) separate_colour_plane = r.Bit() != 0;
  const std::uint32_t width = r.Ue();
  const std::uint32_t height = r.Ue();
  std::uint32_t crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  if (r.Bit() != 0) {  // conformance_window_flag
    crop_left = r.Ue();
    crop_right = r.Ue();
    crop_top = r.Ue();
    crop_bottom = r.Ue();
  }
  if (!r.ok() || width == 0 || height == 0 || width > kMaxPictureSide || height > kMaxPictureSide) {
    return Fail(ErrorCode::kInvalidArgument, "truncated or oversized SPS");
  }
  // Conformance window offsets are in chroma units (H.265 Table 6-1, equation 7-3 and after).
  std::uint64_t sub_width = 1, sub_height = 1;
  if (!separate_colour_plane && (chroma_format_idc == 1 || chroma_format_idc == 2)) {
    sub_width = 2;
    sub_height = chroma_format_idc == 1 ? 2 : 1;
  }
  const std::uint64_t crop_w = sub_width * (std::uint64_t{crop_left} + crop_right);
  const std::uint64_t crop_h = sub_height * (std::uint64_t{crop_top} + crop_bottom);
  if (crop_w >= width || crop_h >= height) {
    return Fail(ErrorCode::kInvalidArgument, "SPS conformance window larger than the picture");
  }
  info.width = static_cast<int>(width - crop_w);
  info.height = static_cast<int>(height - crop_h);

  r.Ue();  // bit_depth_luma_minus8
  r.Ue();  // bit_depth_chroma_minus8
  const std::uint32_t log2_max_poc_lsb = r.Ue() + 4;
  if (log2_max_poc_lsb > 16) return Fail(ErrorCode::kInvalidArgument, "bad POC lsb length");
  const bool ordering_for_each_layer = r.Bit() != 0;
  for (std::uint32_t i = ordering_for_each_layer ? 0 : max_sub_layers_minus1;
       i <= max_sub_layers_minus1; ++i) {
    r.Ue();  // sps_max_dec_pic_buffering_minus1
    r.Ue();  // sps_max_num_reorder_pics
    r.Ue();  // sps_max_latency_increase_plus1
  }
  for (int i = 0; i < 6; ++i) r.Ue();  // coding and transform block sizes, hierarchy depths
  if (r.Bit() != 0 && r.Bit() != 0) {  // scaling_list_enabled, sps_scaling_list_data_present
    SkipScalingListData(r);
  }
  r.Skip(2);           // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.Bit() != 0) {  // pcm_enabled_flag
    r.Skip(8);         // pcm sample bit depths
    r.Ue();
    r.Ue();
    r.Bit();  // pcm_loop_filter_disabled_flag
  }
  const std::uint32_t set_count = r.Ue();
  if (set_count > kMaxShortTermRefPicSets) {
    return Fail(ErrorCode::kInvalidArgument, "too many short-term reference picture sets");
  }
  std::vector<RefPicSet> sets;
  for (std::uint32_t i = 0; i < set_count && r.ok(); ++i) {
    CAMGUARD_TRY(RefPicSet set, ReadRefPicSet(r, i, sets));
    sets.push_back(std::move(set));
  }
  if (r.Bit() != 0) {  // long_term_ref_pics_present_flag
    const std::uint32_t long_term = r.Ue();
    if (long_term > kMaxLongTermRefPicsSps) {
      return Fail(ErrorCode::kInvalidArgument, "too many long-term reference pictures");
    }
    for (std::uint32_t i = 0; i < long_term && r.ok(); ++i) r.Skip(log2_max_poc_lsb + 1);
  }
  r.Skip(2);  // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  if (r.Bit() != 0) ReadVuiTiming(r, info);
  if (!r.ok()) return Fail(ErrorCode::kInvalidArgument, "truncated SPS");
  return info;
}

}  // namespace camguard::camsim
