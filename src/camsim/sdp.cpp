// SPDX-License-Identifier: Apache-2.0
#include "camsim/sdp.h"

#include <fmt/format.h>

#include "base/encoding.h"

namespace camguard::camsim {

std::string ProfileLevelId(const SpsInfo& sps) {
  return fmt::format("{:02x}{:02x}{:02x}", sps.profile_idc, sps.constraint_flags, sps.level_idc);
}

std::string BuildSdp(const PacketizedClip& clip, const std::string& address,
                     const std::string& session_id, const std::string& title) {
  const SpsInfo& sps = clip.sps_info();
  // Average bitrate over the clip for the b=AS line (kbit/s, RFC 4566 §5.8).
  const std::int64_t duration_ns = clip.FrameTimeNanos(clip.frame_count());
  const std::uint64_t kbps = duration_ns > 0 ? clip.bytes().size() * 8ULL * 1'000'000ULL /
                                                   static_cast<std::uint64_t>(duration_ns)
                                             : 0;
  std::string fps = sps.fps_den == 1 ? fmt::format("{}", sps.fps_num)
                                     : fmt::format("{:.3f}", 1.0 * sps.fps_num / sps.fps_den);
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
      "a=rtpmap:{3} H264/{5}\r\n"
      "a=fmtp:{3} packetization-mode=1;profile-level-id={6};sprop-parameter-sets={7},{8}\r\n"
      "a=framerate:{9}\r\n"
      "a=x-dimensions:{10},{11}\r\n"
      "a=control:trackID=0\r\n",
      session_id, address, title, kH264PayloadType, kbps, kRtpClockRate, ProfileLevelId(sps),
      base::Base64Encode(clip.sps()), base::Base64Encode(clip.pps()), fps, sps.width, sps.height);
}

}  // namespace camguard::camsim
