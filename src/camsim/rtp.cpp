// SPDX-License-Identifier: Apache-2.0
#include "camsim/rtp.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include "base/files.h"
#include "base/strings.h"

namespace camguard::camsim {
namespace {

using base::ErrorCode;
using base::Fail;

constexpr std::uint8_t kFuA = 28;         // RFC 6184 Table 1
constexpr std::uint8_t kH265Fu = 49;      // RFC 7798 §4.4.3
constexpr std::uint8_t kH264Aud = 9;      // access unit delimiter, H.264 Table 7-1
constexpr std::uint8_t kH265Aud = 35;     // access unit delimiter, H.265 Table 7-1
constexpr std::size_t kMaxChannel = 254;  // channel + 1 carries RTCP

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

std::vector<std::string> PacketizeH265Nal(ByteSpan nal, std::size_t max_payload) {
  std::vector<std::string> out;
  if (nal.size() < 2) return out;
  if (max_payload < 4) max_payload = 4;
  if (nal.size() <= max_payload) {
    out.emplace_back(reinterpret_cast<const char*>(nal.data()), nal.size());
    return out;
  }
  // RFC 7798 §4.4.3: the payload header is the NAL header with type 49 (F, LayerId and TID
  // kept); the FU header carries S/E and the original type; the two original header bytes are
  // not sent.
  const auto header0 = static_cast<char>((nal[0] & 0x81) | (kH265Fu << 1));
  const auto header1 = static_cast<char>(nal[1]);
  const std::uint8_t type = HevcNalTypeOf(nal);
  const std::size_t chunk = max_payload - 3;
  for (std::size_t pos = 2; pos < nal.size(); pos += chunk) {
    const std::size_t n = std::min(chunk, nal.size() - pos);
    std::uint8_t fu_header = type;
    if (pos == 2) fu_header |= 0x80;               // S
    if (pos + n == nal.size()) fu_header |= 0x40;  // E
    std::string payload;
    payload.reserve(n + 3);
    payload.push_back(header0);
    payload.push_back(header1);
    payload.push_back(static_cast<char>(fu_header));
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

void WriteSenderReport(std::uint8_t* out, const SenderReport& report) {
  auto put32 = [](std::uint8_t* at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  };
  out[0] = 0x80;  // V=2, no padding, no reception report blocks
  out[1] = 200;   // SR
  out[2] = 0;
  out[3] = kSenderReportSize / 4 - 1;  // length in 32-bit words minus one
  put32(out + 4, report.ssrc);
  put32(out + 8, static_cast<std::uint32_t>(report.ntp_seconds));  // wraps in 2036, as NTP does
  put32(out + 12, report.ntp_fraction);
  put32(out + 16, report.rtp_timestamp);
  put32(out + 20, report.packets);
  put32(out + 24, report.octets);
}

std::string_view ToString(VideoCodec codec) { return codec == VideoCodec::kH265 ? "h265" : "h264"; }

namespace {

// A decimal number of at most `max_digits` digits, or -1.
long Decimal(std::string_view text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return -1;
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return -1;
  return value;
}

// "a" or "a-b" with decimal numbers; b is -1 when absent, and both are -1 when malformed.
std::pair<long, long> Range(std::string_view text, std::size_t max_digits) {
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return {Decimal(text, max_digits), -1};
  const long first = Decimal(text.substr(0, dash), max_digits);
  const long second = Decimal(text.substr(dash + 1), max_digits);
  if (first < 0 || second < 0) return {-1, -1};
  return {first, second};
}

// One transport-spec of RFC 2326 §12.39, or nullopt when the simulator cannot serve it.
std::optional<RtpTransport> ParseTransportSpec(std::string_view spec,
                                               std::string_view peer_address) {
  const std::vector<std::string_view> parts = base::Split(base::Trim(spec), ';');
  if (parts.empty()) return std::nullopt;
  // transport/profile/lower-transport: the tokens are case-insensitive (RFC 2326 §15).
  const std::string protocol = base::ToLower(base::Trim(parts[0]));
  RtpTransport transport;
  if (protocol == "rtp/avp/tcp") {
    transport.kind = RtpTransport::Kind::kInterleaved;
  } else if (protocol == "rtp/avp" || protocol == "rtp/avp/udp") {
    transport.kind = RtpTransport::Kind::kUdp;
  } else {
    return std::nullopt;
  }
  bool has_client_port = false;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string_view param = base::Trim(parts[i]);
    const std::size_t eq = param.find('=');
    const std::string name = base::ToLower(param.substr(0, eq));
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : base::Trim(param.substr(eq + 1));
    if (name == "multicast") return std::nullopt;
    if (name == "destination") {
      // Without a value the destination is the client itself.
      if (eq != std::string_view::npos && value != peer_address) return std::nullopt;
    } else if (name == "mode") {
      std::string mode = base::ToLower(value);
      if (mode.size() >= 2 && mode.front() == '"' && mode.back() == '"') {
        mode = mode.substr(1, mode.size() - 2);
      }
      if (mode != "play") return std::nullopt;
    } else if (name == "interleaved" && transport.kind == RtpTransport::Kind::kInterleaved) {
      const auto [first, second] = Range(value, 3);
      if (first < 0 || first > static_cast<long>(kMaxChannel)) return std::nullopt;
      if (second >= 0 && second != first + 1) return std::nullopt;
      transport.channel = static_cast<std::uint8_t>(first);
    } else if (name == "client_port" && transport.kind == RtpTransport::Kind::kUdp) {
      auto [rtp, rtcp] = Range(value, 5);
      if (rtcp < 0 && rtp >= 0) rtcp = rtp + 1;  // RTCP on the next port (RFC 3550 §11)
      if (rtp < 1 || rtp > 65535 || rtcp < 1 || rtcp > 65535 || rtp == rtcp) return std::nullopt;
      transport.client_rtp_port = static_cast<std::uint16_t>(rtp);
      transport.client_rtcp_port = static_cast<std::uint16_t>(rtcp);
      has_client_port = true;
    }
    // unicast, ttl, layers, ssrc, source, append and unknown parameters change nothing here.
  }
  if (transport.kind == RtpTransport::Kind::kUdp && !has_client_port) return std::nullopt;
  return transport;
}

}  // namespace

base::Result<RtpTransport> ChooseTransport(std::string_view header, std::string_view peer_address) {
  for (std::string_view spec : base::Split(header, ',')) {
    if (auto transport = ParseTransportSpec(spec, peer_address)) return *transport;
  }
  return Fail(ErrorCode::kInvalidArgument, "no supported transport");
}

base::Status PacketizedClip::ReadParameterSets(const std::vector<AccessUnit>& units) {
  const bool hevc = codec_ == VideoCodec::kH265;
  for (const AccessUnit& unit : units) {
    for (ByteSpan nal : unit.nals) {
      const auto copy = [&](std::string& into) {
        into.assign(reinterpret_cast<const char*>(nal.data()), nal.size());
      };
      if (hevc) {
        const std::uint8_t type = HevcNalTypeOf(nal);
        if (type == static_cast<std::uint8_t>(HevcNalType::kVps) && vps_.empty()) {
          copy(vps_);
        } else if (type == static_cast<std::uint8_t>(HevcNalType::kSps) && sps_.empty()) {
          CAMGUARD_TRY(hevc_info_, ParseHevcSps(nal));
          copy(sps_);
        } else if (type == static_cast<std::uint8_t>(HevcNalType::kPps) && pps_.empty()) {
          copy(pps_);
        }
      } else {
        const std::uint8_t type = NalTypeOf(nal);
        if (type == static_cast<std::uint8_t>(NalType::kSps) && sps_.empty()) {
          CAMGUARD_TRY(sps_info_, ParseSps(nal));
          copy(sps_);
        } else if (type == static_cast<std::uint8_t>(NalType::kPps) && pps_.empty()) {
          copy(pps_);
        }
      }
    }
  }
  if (sps_.empty() || pps_.empty() || (hevc && vps_.empty())) {
    return Fail(ErrorCode::kInvalidArgument,
                hevc ? "clip has no VPS, SPS or PPS" : "clip has no SPS or no PPS");
  }
  width_ = hevc ? hevc_info_.width : sps_info_.width;
  height_ = hevc ? hevc_info_.height : sps_info_.height;
  fps_num_ = hevc ? hevc_info_.fps_num : sps_info_.fps_num;
  fps_den_ = hevc ? hevc_info_.fps_den : sps_info_.fps_den;
  if (fps_num_ == 0) {
    return Fail(ErrorCode::kInvalidArgument, "clip SPS has no frame rate (VUI timing info)");
  }
  return base::Ok();
}

base::Result<PacketizedClip> PacketizedClip::FromAnnexB(ByteSpan data, VideoCodec codec) {
  PacketizedClip clip;
  clip.codec_ = codec;
  const bool hevc = codec == VideoCodec::kH265;
  const std::vector<AccessUnit> units = hevc ? SplitHevcAccessUnits(data) : SplitAccessUnits(data);
  CAMGUARD_TRY_STATUS(clip.ReadParameterSets(units));
  if (units.empty() || !units.front().keyframe) {
    return Fail(ErrorCode::kInvalidArgument, hevc ? "clip does not start with an IRAP access unit"
                                                  : "clip does not start with an IDR access unit");
  }
  for (const AccessUnit& unit : units) {
    Frame frame;
    frame.first_payload = static_cast<std::uint32_t>(clip.payloads_.size());
    frame.keyframe = unit.keyframe;
    for (ByteSpan nal : unit.nals) {
      // Access unit delimiters are not sent (both payload formats allow them, cameras rarely
      // send them).
      if (hevc ? HevcNalTypeOf(nal) == kH265Aud : NalTypeOf(nal) == kH264Aud) continue;
      for (std::string& payload : hevc ? PacketizeH265Nal(nal) : PacketizeNal(nal)) {
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

base::Result<PacketizedClip> PacketizedClip::Load(const std::string& path, VideoCodec codec) {
  // 256 MiB: minutes of 1080p, far above any fixture, small enough to refuse a wrong file.
  auto data = base::ReadFile(path, 256U << 20);
  if (!data) return base::Wrap(data.error(), "clip " + path);
  auto clip = FromAnnexB(
      ByteSpan(reinterpret_cast<const std::uint8_t*>(data->data()), data->size()), codec);
  if (!clip) return base::Wrap(clip.error(), "clip " + path);
  return clip;
}

std::uint32_t PacketizedClip::RtpTicks(std::uint64_t k) const {
  // Modulo 2^32: RTP timestamps wrap (RFC 3550 §5.1).
  return static_cast<std::uint32_t>(MulDiv(k, std::uint64_t{kRtpClockRate} * fps_den_, fps_num_));
}

std::int64_t PacketizedClip::FrameTimeNanos(std::uint64_t k) const {
  return static_cast<std::int64_t>(MulDiv(k, std::uint64_t{1'000'000'000} * fps_den_, fps_num_));
}

}  // namespace camguard::camsim
