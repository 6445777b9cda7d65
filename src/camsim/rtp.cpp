// SPDX-License-Identifier: Apache-2.0
#include "camsim/rtp.h"

#include <limits>

#include "base/files.h"

namespace camguard::camsim {
namespace {

using base::ErrorCode;
using base::Fail;

constexpr std::uint8_t kFuA = 28;  // RFC 6184 Table 1

// k * mul / div without overflowing for any k a process can reach (mul < 2^63 / div).
std::uint64_t MulDiv(std::uint64_t k, std::uint64_t mul, std::uint64_t div) {
  return (k / div) * mul + (k % div) * mul / div;
}

}  // namespace

std::vector<std::string> PacketizeNal(ByteSpan nal, std::size_t max_payload) {
  std::vector<std::string> out;
  if (nal.empty()) return out;
  if (max_payload < 3) max_payload = 3;
  if (nal.size() <= max_payload) {
    out.emplace_back(reinterpret_cast<const char*>(nal.data()), nal.size());
    return out;
  }
  // RFC 6184 §5.8: the FU indicator keeps F and NRI of the NAL header with type 28; the FU header
  // carries S/E and the original type; the original header byte itself is not sent.
  const auto indicator = static_cast<char>((nal[0] & 0xE0) | kFuA);
  const std::uint8_t type = nal[0] & 0x1F;
  const std::size_t chunk = max_payload - 2;
  for (std::size_t pos = 1; pos < nal.size(); pos += chunk) {
    const std::size_t n = std::min(chunk, nal.size() - pos);
    std::uint8_t header = type;
    if (pos == 1) header |= 0x80;               // S
    if (pos + n == nal.size()) header |= 0x40;  // E
    std::string payload;
    payload.reserve(n + 2);
    payload.push_back(indicator);
    payload.push_back(static_cast<char>(header));
    payload.append(reinterpret_cast<const char*>(nal.data() + pos), n);
    out.push_back(std::move(payload));
  }
  return out;
}

void WriteRtpHeader(std::uint8_t* out, bool marker, std::uint8_t payload_type, std::uint16_t seq,
                    std::uint32_t timestamp, std::uint32_t ssrc) {
  out[0] = 0x80;  // V=2
  out[1] = static_cast<std::uint8_t>((marker ? 0x80 : 0) | (payload_type & 0x7F));
  out[2] = static_cast<std::uint8_t>(seq >> 8);
  out[3] = static_cast<std::uint8_t>(seq);
  for (int i = 0; i < 4; ++i) {
    out[4 + i] = static_cast<std::uint8_t>(timestamp >> (24 - 8 * i));
    out[8 + i] = static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
  }
}

base::Result<PacketizedClip> PacketizedClip::FromAnnexB(ByteSpan data) {
  PacketizedClip clip;
  std::vector<AccessUnit> units = SplitAccessUnits(data);
  for (const AccessUnit& unit : units) {
    for (ByteSpan nal : unit.nals) {
      const std::uint8_t type = NalTypeOf(nal);
      if (type == 7 && clip.sps_.empty()) {
        CAMGUARD_TRY(clip.sps_info_, ParseSps(nal));
        clip.sps_.assign(reinterpret_cast<const char*>(nal.data()), nal.size());
      } else if (type == 8 && clip.pps_.empty()) {
        clip.pps_.assign(reinterpret_cast<const char*>(nal.data()), nal.size());
      }
    }
  }
  if (clip.sps_.empty() || clip.pps_.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "clip has no SPS or no PPS");
  }
  if (clip.sps_info_.fps_num == 0) {
    return Fail(ErrorCode::kInvalidArgument, "clip SPS has no frame rate (VUI timing info)");
  }
  if (units.empty() || !units.front().keyframe) {
    return Fail(ErrorCode::kInvalidArgument, "clip does not start with an IDR access unit");
  }
  for (const AccessUnit& unit : units) {
    Frame frame;
    frame.first_payload = static_cast<std::uint32_t>(clip.payloads_.size());
    frame.keyframe = unit.keyframe;
    for (ByteSpan nal : unit.nals) {
      // Access unit delimiters are not sent (RFC 6184 allows them, cameras rarely do).
      if (NalTypeOf(nal) == 9) continue;
      for (std::string& payload : PacketizeNal(nal)) {
        if (clip.bytes_.size() + payload.size() > std::numeric_limits<std::uint32_t>::max()) {
          return Fail(ErrorCode::kResourceExhausted, "clip too large");
        }
        clip.payloads_.push_back(Payload{static_cast<std::uint32_t>(clip.bytes_.size()),
                                         static_cast<std::uint32_t>(payload.size()), false});
        clip.bytes_ += payload;
        frame.byte_count += static_cast<std::uint32_t>(payload.size());
      }
    }
    frame.payload_count = static_cast<std::uint32_t>(clip.payloads_.size()) - frame.first_payload;
    if (frame.payload_count == 0) continue;  // an access unit of delimiters only
    clip.payloads_.back().marker = true;
    clip.frames_.push_back(frame);
  }
  return clip;
}

base::Result<PacketizedClip> PacketizedClip::Load(const std::string& path) {
  // 256 MiB: minutes of 1080p, far above any fixture, small enough to refuse a wrong file.
  auto data = base::ReadFile(path, 256U << 20);
  if (!data) return base::Wrap(data.error(), "clip " + path);
  auto clip =
      FromAnnexB(ByteSpan(reinterpret_cast<const std::uint8_t*>(data->data()), data->size()));
  if (!clip) return base::Wrap(clip.error(), "clip " + path);
  return clip;
}

std::uint32_t PacketizedClip::RtpTicks(std::uint64_t k) const {
  // Modulo 2^32: RTP timestamps wrap (RFC 3550 §5.1).
  return static_cast<std::uint32_t>(
      MulDiv(k, std::uint64_t{kRtpClockRate} * sps_info_.fps_den, sps_info_.fps_num));
}

std::int64_t PacketizedClip::FrameTimeNanos(std::uint64_t k) const {
  return static_cast<std::int64_t>(
      MulDiv(k, std::uint64_t{1'000'000'000} * sps_info_.fps_den, sps_info_.fps_num));
}

}  // namespace camguard::camsim
