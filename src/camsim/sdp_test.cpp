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

TEST(BuildSdp, AnnouncesH265WithVpsSpsAndPpsFromTheClip) {
  const std::string sc("\0\0\0\1", 4);
  const std::string vps = *base::HexDecode("40010c01ffff016000000300900000030000030078ba0240");
  const std::string sps = *base::HexDecode(
      "420101016000000300900000030000030078a003c08010e596ea4932bc05a02000000300200000030321");
  const std::string pps = *base::HexDecode("4401c172b46240");
  std::string idr(100, '\x11');
  idr[0] = '\x28';  // IDR_N_LP
  idr[1] = '\x01';
  idr[2] = '\xaf';
  const std::string stream = sc + vps + sc + sps + sc + pps + sc + idr;
  auto clip = PacketizedClip::FromAnnexB(
      ByteSpan(reinterpret_cast<const std::uint8_t*>(stream.data()), stream.size()),
      VideoCodec::kH265);
  ASSERT_TRUE(clip.has_value()) << clip.error().message;
  const std::string sdp = BuildSdp(*clip, "127.77.0.1", "7", "camsim main");
  EXPECT_NE(sdp.find("m=video 0 RTP/AVP 96\r\n"), std::string::npos);
  EXPECT_NE(sdp.find("a=rtpmap:96 H265/90000\r\n"), std::string::npos);
  EXPECT_NE(sdp.find("a=fmtp:96 profile-space=0;tier-flag=0;profile-id=1;level-id=120;"
                     "interop-constraints=900000000000;sprop-vps=" +
                     base::Base64Encode(vps) + ";sprop-sps=" + base::Base64Encode(sps) +
                     ";sprop-pps=" + base::Base64Encode(pps) + "\r\n"),
            std::string::npos)
      << sdp;
  EXPECT_NE(sdp.find("a=framerate:25\r\n"), std::string::npos);
  EXPECT_NE(sdp.find("a=x-dimensions:1920,1080\r\n"), std::string::npos);
  EXPECT_EQ(sdp.find("H264"), std::string::npos);
}

}  // namespace
}  // namespace camguard::camsim
