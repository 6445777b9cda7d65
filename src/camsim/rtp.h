// SPDX-License-Identifier: Apache-2.0
// RTP for H.264 (RFC 3550, RFC 6184): payloads for single NAL unit packets and FU-A fragments,
// the fixed RTP header, and a clip packetized once into memory so that serving a frame is a copy
// of ready payloads plus a 12-byte header per packet.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "camsim/h264.h"

namespace camguard::camsim {

// Largest RTP payload we produce: a 1500-byte Ethernet MTU minus IPv4, UDP and RTP headers,
// with room to spare for tunnels.
inline constexpr std::size_t kMaxRtpPayload = 1400;
inline constexpr std::uint32_t kRtpClockRate = 90000;  // RFC 6184 §8.2.1
inline constexpr std::uint8_t kH264PayloadType = 96;   // dynamic, announced in the SDP

// RTP payloads for one NAL unit (RFC 6184 §5.6 single NAL unit packet when it fits in
// max_payload, else §5.8 FU-A fragments). max_payload must be at least 3.
std::vector<std::string> PacketizeNal(ByteSpan nal, std::size_t max_payload = kMaxRtpPayload);

// Writes the 12-byte RTP fixed header (RFC 3550 §5.1: V=2, no padding, extension or CSRC).
void WriteRtpHeader(std::uint8_t* out, bool marker, std::uint8_t payload_type, std::uint16_t seq,
                    std::uint32_t timestamp, std::uint32_t ssrc);

// A clip read from an Annex-B file and packetized once. Frames play at the SPS frame rate; the
// clip loops, frame k of the endless stream is clip frame k % frame_count() with RTP timestamp
// k * 90000 / fps (plus a per-session random offset), so timestamps stay continuous across loops.
class PacketizedClip {
 public:
  struct Payload {
    std::uint32_t offset = 0;  // into bytes()
    std::uint32_t size = 0;
    bool marker = false;  // last packet of the access unit (RFC 6184 §5.1)
  };
  struct Frame {
    std::uint32_t first_payload = 0;
    std::uint32_t payload_count = 0;
    std::uint32_t byte_count = 0;
    bool keyframe = false;
  };

  // Fails unless the stream has an SPS with frame rate timing, a PPS, and starts with an IDR
  // access unit (so it can loop).
  static base::Result<PacketizedClip> FromAnnexB(ByteSpan data);
  static base::Result<PacketizedClip> Load(const std::string& path);

  const SpsInfo& sps_info() const { return sps_info_; }
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
  SpsInfo sps_info_;
  std::string sps_;
  std::string pps_;
  std::string bytes_;
  std::vector<Payload> payloads_;
  std::vector<Frame> frames_;
};

}  // namespace camguard::camsim
