// SPDX-License-Identifier: Apache-2.0
#include "camsim/rtp.h"

#include <string>

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace camguard::camsim {
namespace {

ByteSpan AsBytes(const std::string& s) {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// RFC 6184 §5.8 receiver side, written independently of the packetizer: rebuilds NAL units from
// single-NAL and FU-A payloads; fails on a fragment out of order.
std::vector<std::string> Depacketize(const std::vector<std::string>& payloads) {
  std::vector<std::string> nals;
  std::string partial;
  bool in_fu = false;
  for (const std::string& p : payloads) {
    const auto type = static_cast<std::uint8_t>(p[0]) & 0x1F;
    if (type != 28) {
      EXPECT_FALSE(in_fu);
      nals.push_back(p);
      continue;
    }
    const auto fu_header = static_cast<std::uint8_t>(p[1]);
    const bool start = (fu_header & 0x80) != 0;
    const bool end = (fu_header & 0x40) != 0;
    EXPECT_EQ(start, !in_fu);
    if (start) {
      partial.assign(
          1, static_cast<char>((static_cast<std::uint8_t>(p[0]) & 0xE0) | (fu_header & 0x1F)));
      in_fu = true;
    }
    partial += p.substr(2);
    if (end) {
      nals.push_back(partial);
      in_fu = false;
    }
  }
  EXPECT_FALSE(in_fu);
  return nals;
}

std::string Nal(std::uint8_t header, std::size_t size) {
  std::string nal(size, '\0');
  nal[0] = static_cast<char>(header);
  for (std::size_t i = 1; i < size; ++i) nal[i] = static_cast<char>(i * 7 + 3);
  return nal;
}

TEST(PacketizeNal, SendsANalThatFitsAsOneSingleNalUnitPacket) {
  const std::string nal = Nal(0x67, kMaxRtpPayload);
  const auto payloads = PacketizeNal(AsBytes(nal));
  ASSERT_EQ(payloads.size(), 1U);
  EXPECT_EQ(payloads[0], nal);
}

TEST(PacketizeNal, FragmentsALargeNalIntoFuAWithStartAndEndBits) {
  const std::string nal = Nal(0x65, 5000);  // NRI 3, IDR
  const auto payloads = PacketizeNal(AsBytes(nal), 1400);
  ASSERT_EQ(payloads.size(), 4U);  // 4999 bytes after the header, 1398 per fragment
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_LE(payloads[i].size(), 1400U);
    EXPECT_EQ(static_cast<std::uint8_t>(payloads[i][0]), 0x60 | 28) << "FU indicator keeps NRI";
    const auto fu = static_cast<std::uint8_t>(payloads[i][1]);
    EXPECT_EQ(fu & 0x1F, 5);
    EXPECT_EQ((fu & 0x80) != 0, i == 0);
    EXPECT_EQ((fu & 0x40) != 0, i + 1 == payloads.size());
  }
  const auto rebuilt = Depacketize(payloads);
  ASSERT_EQ(rebuilt.size(), 1U);
  EXPECT_EQ(rebuilt[0], nal);
}

TEST(PacketizeNal, ReassemblesEverySizeAroundTheFragmentBoundary) {
  for (std::size_t size : {2U, 99U, 100U, 101U, 197U, 198U, 199U, 200U, 1000U}) {
    const std::string nal = Nal(0x41, size);
    const auto payloads = PacketizeNal(AsBytes(nal), 100);
    for (const auto& p : payloads) EXPECT_LE(p.size(), 100U);
    const auto rebuilt = Depacketize(payloads);
    ASSERT_EQ(rebuilt.size(), 1U) << size;
    EXPECT_EQ(rebuilt[0], nal) << size;
  }
}

TEST(WriteRtpHeader, WritesVersionMarkerSequenceTimestampAndSsrcBigEndian) {
  std::uint8_t h[12] = {};
  WriteRtpHeader(h, true, 96, 0xBEEF, 0x01020304, 0xA0B0C0D0);
  EXPECT_EQ(base::HexEncode(std::string(reinterpret_cast<char*>(h), 12)),
            "80e0beef01020304a0b0c0d0");
  WriteRtpHeader(h, false, 96, 1, 2, 3);
  EXPECT_EQ(h[1], 96);
}

// Annex-B: [SPS PPS IDR(big)] [P] [P], with SPS of a 640x360 15 fps stream.
std::string TinyStream() {
  const std::string sps = *base::HexDecode("67640016acb405017fcb8088000003000800000300f078b175");
  const std::string sc("\0\0\0\1", 4);
  std::string idr = Nal(0x65, 3000);
  idr[1] = static_cast<char>(0x88);  // first_mb_in_slice = 0
  std::string p1 = Nal(0x41, 500);
  p1[1] = static_cast<char>(0x9a);
  std::string p2 = Nal(0x41, 20);
  p2[1] = static_cast<char>(0x9a);
  return sc + "\x09\x10" + sc + sps + sc + "\x68\xce\x3c\x80" + sc + idr + sc + p1 + sc + p2;
}

TEST(PacketizedClip, MarksTheLastPacketOfEachFrameAndDropsDelimiters) {
  const std::string stream = TinyStream();
  auto clip = PacketizedClip::FromAnnexB(AsBytes(stream));
  ASSERT_TRUE(clip.has_value()) << clip.error().message;
  ASSERT_EQ(clip->frame_count(), 3U);
  EXPECT_TRUE(clip->frame(0).keyframe);
  EXPECT_FALSE(clip->frame(1).keyframe);
  // Frame 0: SPS, PPS, IDR in 3 FU-A fragments; no AUD.
  EXPECT_EQ(clip->frame(0).payload_count, 5U);
  for (std::size_t f = 0; f < clip->frame_count(); ++f) {
    const auto& frame = clip->frame(f);
    for (std::uint32_t i = 0; i < frame.payload_count; ++i) {
      EXPECT_EQ(clip->payload(frame.first_payload + i).marker, i + 1 == frame.payload_count);
    }
  }
  EXPECT_EQ(clip->sps_info().width, 640);
  EXPECT_EQ(clip->pps(), std::string("\x68\xce\x3c\x80"));
}

TEST(PacketizedClip, TimestampsAdvanceEvenlyAcrossLoopsOfTheClip) {
  auto clip = PacketizedClip::FromAnnexB(AsBytes(TinyStream()));
  ASSERT_TRUE(clip.has_value());
  // 15 fps: 6000 ticks of 90 kHz per frame, frame k of the endless stream, whatever the loop.
  for (std::uint64_t k : {0ULL, 1ULL, 2ULL, 3ULL, 4ULL, 1000ULL}) {
    EXPECT_EQ(clip->RtpTicks(k), static_cast<std::uint32_t>(k * 6000));
  }
  EXPECT_EQ(clip->RtpTicks(4) - clip->RtpTicks(2), 12000U) << "no jump at the loop point (3)";
  EXPECT_EQ(clip->FrameTimeNanos(15), 1'000'000'000);
  // Wraps modulo 2^32 as RTP timestamps do.
  const std::uint64_t k = (1ULL << 32) / 6000 + 1;
  EXPECT_EQ(clip->RtpTicks(k), static_cast<std::uint32_t>(k * 6000));
}

TEST(PacketizedClip, RefusesStreamsWithoutParameterSetsOrStartingMidGop) {
  const std::string sc("\0\0\0\1", 4);
  std::string p = Nal(0x41, 30);
  p[1] = static_cast<char>(0x9a);
  EXPECT_FALSE(PacketizedClip::FromAnnexB(AsBytes(sc + p)).has_value());
  const std::string stream = TinyStream();
  // Drop the leading delimiter, SPS, PPS and IDR: starts with a P frame.
  const std::size_t p_start = stream.find(sc + "\x41");
  EXPECT_FALSE(PacketizedClip::FromAnnexB(AsBytes(stream.substr(p_start))).has_value());
  EXPECT_FALSE(PacketizedClip::FromAnnexB(ByteSpan{}).has_value());
}

}  // namespace
}  // namespace camguard::camsim
