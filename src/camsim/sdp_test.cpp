// SPDX-License-Identifier: Apache-2.0
#include "camsim/sdp.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace camguard::camsim {
namespace {

TEST(BuildSdp, AnnouncesH264WithParameterSetsFromTheClip) {
  const std::string sc("\0\0\0\1", 4);
  const std::string sps = *base::HexDecode("67640016acb405017fcb8088000003000800000300f078b175");
  const std::string pps("\x68\xce\x3c\x80", 4);
  std::string idr(100, '\x11');
  idr[0] = '\x65';
  idr[1] = '\x88';
  const std::string stream = sc + sps + sc + pps + sc + idr;
  auto clip = PacketizedClip::FromAnnexB(
      ByteSpan(reinterpret_cast<const std::uint8_t*>(stream.data()), stream.size()));
  ASSERT_TRUE(clip.has_value()) << clip.error().message;
  const std::string sdp = BuildSdp(*clip, "127.77.0.3", "42", "camsim sub");
  EXPECT_EQ(sdp.rfind("v=0\r\n", 0), 0U);
  EXPECT_NE(sdp.find("o=- 42 1 IN IP4 127.77.0.3\r\n"), std::string::npos);
  EXPECT_NE(sdp.find("m=video 0 RTP/AVP 96\r\n"), std::string::npos);
  EXPECT_NE(sdp.find("a=rtpmap:96 H264/90000\r\n"), std::string::npos);
  EXPECT_NE(sdp.find("packetization-mode=1;profile-level-id=640016;sprop-parameter-sets=" +
                     base::Base64Encode(sps) + "," + base::Base64Encode(pps) + "\r\n"),
            std::string::npos);
  EXPECT_NE(sdp.find("a=framerate:15\r\n"), std::string::npos);
  EXPECT_NE(sdp.find("a=control:trackID=0\r\n"), std::string::npos);
}

}  // namespace
}  // namespace camguard::camsim
