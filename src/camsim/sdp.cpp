// SPDX-License-Identifier: Apache-2.0
#include "camsim/sdp.h"

#include <fmt/format.h>

#include "base/encoding.h"

namespace camguard::camsim {

std::string ProfileLevelId(const SpsInfo& sps) {
  return fmt::format("{:02x}{:02x}{:02x}", sps.profile_idc, sps.constraint_flags, sps.level_idc);
}

std::string H265FormatParameters(const PacketizedClip& clip) {
  const HevcSpsInfo& sps = clip.hevc_sps_info();
  // interop-constraints: the 48 constraint bits as 12 hex digits (RFC 7798 §7.1).
  return fmt::format(
      "profile-space={};tier-flag={};profile-id={};level-id={};interop-constraints={:012X};"
      "sprop-vps={};sprop-sps={};sprop-pps={}",
      sps.profile_space, sps.tier_flag, sps.profile_idc, sps.level_idc,
      sps.constraint_indicator_flags, base::Base64Encode(clip.vps()),
      base::Base64Encode(clip.sps()), base::Base64Encode(clip.pps()));
}

std::string BuildSdp(const PacketizedClip& clip, const std::string& address,
                     const std::string& session_id, const std::string& title) {
  // Average bitrate over the clip for the b=AS line (kbit/s, RFC 4566 §5.8).
  const std::int64_t duration_ns = clip.FrameTimeNanos(clip.frame_count());
  const std::uint64_t kbps = duration_ns > 0 ? clip.bytes().size() * 8ULL * 1'000'000ULL /
                                                   static_cast<std::uint64_t>(duration_ns)
                                             : 0;
  std::string fps = clip.fps_den() == 1
                        ? fmt::format("{}", clip.fps_num())
                        : fmt::format("{:.3f}", 1.0 * clip.fps_num() / clip.fps_den());
  std::string encoding;
  std::string parameters;
  if (clip.codec() == VideoCodec::kH265) {
    encoding = "H265";
    parameters = H265FormatParameters(clip);
  } else {
    encoding = "H264";
    parameters = fmt::format("packetization-mode=1;profile-level-id={};sprop-parameter-sets={},{}",
                             ProfileLevelId(clip.sps_info()), base::Base64Encode(clip.sps()),
                             base::Base64Encode(clip.pps()));
  }
  // SDP lines end in CRLF (RFC 4566 §5).
  return fmt::format(
      "v=0\r\n"
      "o=- {0} 1 IN IP4 {1}\r\n"
      "s={2}\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "t=0 0\r\n"
      "a=control:*\r\n"
      "a=range:npt=0-\r\n"
      "m=video 0 RTP/AVP {3}\r\n"
      "b=AS:{4}\r\n"
      "a=rtpmap:{3} {5}/{6}\r\n"
      "a=fmtp:{3} {7}\r\n"
      "a=framerate:{8}\r\n"
      "a=x-dimensions:{9},{10}\r\n"
      "a=control:trackID=0\r\n",
      session_id, address, title, kVideoPayloadType, kbps, encoding, kRtpClockRate, parameters, fps,
      clip.width(), clip.height());
}

}  // namespace camguard::camsim
