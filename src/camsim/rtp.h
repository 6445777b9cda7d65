// SPDX-License-Identifier: Apache-2.0
// RTP for H.264 (RFC 6184) and H.265 (RFC 7798) over RFC 3550: payloads for single NAL unit
// packets and fragmentation units, the fixed RTP header, RTCP sender reports, the transports a
// SETUP may ask for (RFC 2326 §12.39), and a clip packetized once into memory so that serving a
// frame is a copy of ready payloads plus a 12-byte header per packet.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "camsim/h264.h"
#include "camsim/h265.h"

namespace camguard::camsim {

// Largest RTP payload we produce: a 1500-byte Ethernet MTU minus IPv4, UDP and RTP headers,
// with room to spare for tunnels.
inline constexpr std::size_t kMaxRtpPayload = 1400;
inline constexpr std::uint32_t kRtpClockRate = 90000;  // RFC 6184 §8.2.1, RFC 7798 §7.1
inline constexpr std::uint8_t kVideoPayloadType = 96;  // dynamic, announced in the SDP
inline constexpr std::size_t kRtpHeaderSize = 12;
inline constexpr std::size_t kSenderReportSize = 28;  // RTCP SR without report blocks

enum class VideoCodec { kH264, kH265 };
std::string_view ToString(VideoCodec codec);  // "h264", "h265"

// RTP payloads for one H.264 NAL unit (RFC 6184 §5.6 single NAL unit packet when it fits in
// max_payload, else §5.8 FU-A fragments). max_payload must be at least 3.
std::vector<std::string> PacketizeNal(ByteSpan nal, std::size_t max_payload = kMaxRtpPayload);

// RTP payloads for one H.265 NAL unit (RFC 7798 §4.4.1 single NAL unit packet when it fits in
// max_payload, else §4.4.3 fragmentation units). max_payload must be at least 4.
std::vector<std::string> PacketizeH265Nal(ByteSpan nal, std::size_t max_payload = kMaxRtpPayload);

// Writes the 12-byte RTP fixed header (RFC 3550 §5.1: V=2, no padding, extension or CSRC).
void WriteRtpHeader(std::uint8_t* out, bool marker, std::uint8_t payload_type, std::uint16_t seq,
                    std::uint32_t timestamp, std::uint32_t ssrc);

struct SenderReport {
  std::uint32_t ssrc = 0;
  std::uint64_t ntp_seconds = 0;    // since 1900-01-01
  std::uint32_t ntp_fraction = 0;   // 1/2^32 s
  std::uint32_t rtp_timestamp = 0;  // the same instant on the RTP clock
  std::uint32_t packets = 0;
  std::uint32_t octets = 0;  // payload octets
};
// Writes an RTCP sender report without reception report blocks (RFC 3550 §6.4.1),
// kSenderReportSize bytes.
void WriteSenderReport(std::uint8_t* out, const SenderReport& report);

// The transport a SETUP settles on, reduced to what the simulator serves.
struct RtpTransport {
  enum class Kind {
    kInterleaved,  // RTP/AVP/TCP: RTP and RTCP framed on the RTSP connection (RFC 2326 §10.12)
    kUdp,          // RTP/AVP[/UDP];unicast: datagrams to the client's own address
  };
  Kind kind = Kind::kInterleaved;
  std::uint8_t channel = 0;           // interleaved: RTP channel; RTCP on channel + 1
  std::uint16_t client_rtp_port = 0;  // UDP
  std::uint16_t client_rtcp_port = 0;
};

// Chooses the first alternative of a Transport header (comma separated, in the client's order of
// preference) that the simulator serves: interleaved TCP, or unicast UDP with a valid
// client_port. An alternative is skipped when it asks for multicast, a mode other than PLAY, an
// unknown profile, a malformed channel or port, or a destination other than `peer_address` (the
// RTSP connection's own peer): the camera never sends to a third address, so it cannot be used
// to flood one. Fails (answered with 461 Unsupported Transport) when no alternative is left.
base::Result<RtpTransport> ChooseTransport(std::string_view header, std::string_view peer_address);

// A clip read from an Annex-B file and packetized once. Frames play at the SPS frame rate; the
// clip loops, frame k of the endless stream is clip frame k % frame_count() with RTP timestamp
// k * 90000 / fps (plus a per-session random offset), so timestamps stay continuous across loops.
class PacketizedClip {
 public:
  struct Payload {
    std::uint32_t offset = 0;  // into bytes()
    std::uint32_t size = 0;
    bool marker = false;  // last packet of the access unit (RFC 6184 §5.1, RFC 7798 §4.1)
  };
  struct Frame {
    std::uint32_t first_payload = 0;
    std::uint32_t payload_count = 0;
    std::uint32_t byte_count = 0;
    bool keyframe = false;
  };

  // Fails unless the stream has its parameter sets (H.264: SPS with frame rate timing and PPS;
  // H.265: VPS, SPS with frame rate timing and PPS) and starts with a keyframe (IDR; H.265: an
  // IRAP picture), so it can loop.
  static base::Result<PacketizedClip> FromAnnexB(ByteSpan data,
                                                 VideoCodec codec = VideoCodec::kH264);
  static base::Result<PacketizedClip> Load(const std::string& path,
                                           VideoCodec codec = VideoCodec::kH264);

  VideoCodec codec() const { return codec_; }
  int width() const { return width_; }
  int height() const { return height_; }
  std::uint32_t fps_num() const { return fps_num_; }
  std::uint32_t fps_den() const { return fps_den_; }
  const SpsInfo& sps_info() const { return sps_info_; }            // H.264 clips
  const HevcSpsInfo& hevc_sps_info() const { return hevc_info_; }  // H.265 clips
  const std::string& vps() const { return vps_; }  // H.265 only; NAL unit without start code
  const std::string& sps() const { return sps_; }  // NAL unit without start code
  const std::string& pps() const { return pps_; }
  std::size_t frame_count() const { return frames_.size(); }
  const Frame& frame(std::size_t index) const { return frames_[index]; }
  const Payload& payload(std::size_t index) const { return payloads_[index]; }
  const std::string& bytes() const { return bytes_; }
  std::size_t payload_count() const { return payloads_.size(); }

  // RTP timestamp offset and presentation time of frame k of the endless stream.
  std::uint32_t RtpTicks(std::uint64_t k) const;
  std::int64_t FrameTimeNanos(std::uint64_t k) const;

 private:
  base::Status ReadParameterSets(const std::vector<AccessUnit>& units);

  VideoCodec codec_ = VideoCodec::kH264;
  int width_ = 0;
  int height_ = 0;
  std::uint32_t fps_num_ = 0;
  std::uint32_t fps_den_ = 0;
  SpsInfo sps_info_;
  HevcSpsInfo hevc_info_;
  std::string vps_;
  std::string sps_;
  std::string pps_;
  std::string bytes_;
  std::vector<Payload> payloads_;
  std::vector<Frame> frames_;
};

}  // namespace camguard::camsim
