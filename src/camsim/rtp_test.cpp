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

// RFC 7798 §4.4 receiver side, written independently of the packetizer: rebuilds NAL units from
// single NAL unit packets and fragmentation units; fails on a fragment out of order.
std::vector<std::string> DepacketizeH265(const std::vector<std::string>& payloads) {
  std::vector<std::string> nals;
  std::string partial;
  bool in_fu = false;
  for (const std::string& p : payloads) {
    const int type = (static_cast<std::uint8_t>(p[0]) >> 1) & 0x3F;
    if (type != 49) {
      EXPECT_FALSE(in_fu);
      nals.push_back(p);
      continue;
    }
    const auto fu_header = static_cast<std::uint8_t>(p[2]);
    const bool start = (fu_header & 0x80) != 0;
    const bool end = (fu_header & 0x40) != 0;
    EXPECT_EQ(start, !in_fu);
    if (start) {
      // The NAL header: F and LayerId high bit from the payload header, type from the FU header.
      partial.assign(1, static_cast<char>((static_cast<std::uint8_t>(p[0]) & 0x81) |
                                          ((fu_header & 0x3F) << 1)));
      partial += p[1];
      in_fu = true;
    }
    partial += p.substr(3);
    if (end) {
      nals.push_back(partial);
      in_fu = false;
    }
  }
  EXPECT_FALSE(in_fu);
  return nals;
}

std::string HevcNal(std::uint8_t type, std::size_t size) {
  std::string nal(size, '\0');
  nal[0] = static_cast<char>(type << 1);
  nal[1] = 1;  // layer 0, TemporalId 0 (+1)
  for (std::size_t i = 2; i < size; ++i) nal[i] = static_cast<char>(i * 5 + 1);
  return nal;
}

TEST(PacketizeH265Nal, SendsANalThatFitsAsOneSingleNalUnitPacket) {
  const std::string nal = HevcNal(1, kMaxRtpPayload);
  const auto payloads = PacketizeH265Nal(AsBytes(nal));
  ASSERT_EQ(payloads.size(), 1U);
  EXPECT_EQ(payloads[0], nal);
}

TEST(PacketizeH265Nal, FragmentsALargeNalIntoFusWithStartAndEndBits) {
  const std::string nal = HevcNal(19, 5000);  // IDR_W_RADL
  const auto payloads = PacketizeH265Nal(AsBytes(nal), 1400);
  ASSERT_EQ(payloads.size(), 4U);  // 4998 bytes after the header, 1397 per fragment
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_LE(payloads[i].size(), 1400U);
    EXPECT_EQ(static_cast<std::uint8_t>(payloads[i][0]), 49 << 1) << "payload header type 49";
    EXPECT_EQ(payloads[i][1], 1) << "TemporalId kept";
    const auto fu = static_cast<std::uint8_t>(payloads[i][2]);
    EXPECT_EQ(fu & 0x3F, 19);
    EXPECT_EQ((fu & 0x80) != 0, i == 0);
    EXPECT_EQ((fu & 0x40) != 0, i + 1 == payloads.size());
  }
  const auto rebuilt = DepacketizeH265(payloads);
  ASSERT_EQ(rebuilt.size(), 1U);
  EXPECT_EQ(rebuilt[0], nal);
}

TEST(PacketizeH265Nal, ReassemblesEverySizeAroundTheFragmentBoundary) {
  for (std::size_t size : {2U, 99U, 100U, 101U, 196U, 197U, 198U, 199U, 1000U}) {
    const std::string nal = HevcNal(1, size);
    const auto payloads = PacketizeH265Nal(AsBytes(nal), 100);
    for (const auto& p : payloads) EXPECT_LE(p.size(), 100U);
    const auto rebuilt = DepacketizeH265(payloads);
    ASSERT_EQ(rebuilt.size(), 1U) << size;
    EXPECT_EQ(rebuilt[0], nal) << size;
  }
}

// Annex-B H.265: AUD VPS SPS PPS IDR(big) | AUD TRAIL | AUD TRAIL, SPS of the 1080p25 fixture.
std::string TinyHevcStream() {
  const std::string sc("\0\0\0\1", 4);
  const std::string vps = *base::HexDecode("40010c01ffff016000000300900000030000030078ba0240");
  const std::string sps = *base::HexDecode(
      "420101016000000300900000030000030078a003c08010e596ea4932bc05a02000000300200000030321");
  const std::string pps = *base::HexDecode("4401c172b46240");
  const std::string aud("\x46\x01\x50", 3);
  std::string idr = HevcNal(20, 4000);
  idr[2] = static_cast<char>(0xAF);  // first_slice_segment_in_pic_flag
  std::string p1 = HevcNal(1, 700);
  p1[2] = static_cast<char>(0xD0);
  std::string p2 = HevcNal(1, 30);
  p2[2] = static_cast<char>(0xD0);
  return sc + aud + sc + vps + sc + sps + sc + pps + sc + idr + sc + aud + sc + p1 + sc + aud + sc +
         p2;
}

TEST(PacketizedClip, PacketizesH265WithItsParameterSetsSizeAndRate) {
  const std::string stream = TinyHevcStream();
  auto clip = PacketizedClip::FromAnnexB(AsBytes(stream), VideoCodec::kH265);
  ASSERT_TRUE(clip.has_value()) << clip.error().message;
  EXPECT_EQ(clip->codec(), VideoCodec::kH265);
  ASSERT_EQ(clip->frame_count(), 3U);
  EXPECT_TRUE(clip->frame(0).keyframe);
  EXPECT_FALSE(clip->frame(1).keyframe);
  // Frame 0: VPS, SPS, PPS, IDR in 3 fragments; no AUD.
  EXPECT_EQ(clip->frame(0).payload_count, 6U);
  EXPECT_EQ(clip->frame(1).payload_count, 1U);
  for (std::size_t f = 0; f < clip->frame_count(); ++f) {
    const auto& frame = clip->frame(f);
    for (std::uint32_t i = 0; i < frame.payload_count; ++i) {
      const auto& payload = clip->payload(frame.first_payload + i);
      EXPECT_EQ(payload.marker, i + 1 == frame.payload_count);
      EXPECT_NE((static_cast<std::uint8_t>(clip->bytes()[payload.offset]) >> 1) & 0x3F, 35)
          << "no access unit delimiter is sent";
    }
  }
  EXPECT_EQ(clip->width(), 1920);
  EXPECT_EQ(clip->height(), 1080);
  EXPECT_EQ(clip->RtpTicks(1), 3600U);  // 25 fps
  EXPECT_EQ(clip->hevc_sps_info().level_idc, 120);
  EXPECT_EQ(clip->pps(), *base::HexDecode("4401c172b46240"));
  EXPECT_EQ(static_cast<std::uint8_t>(clip->vps()[0]), 0x40);
}

TEST(PacketizedClip, RefusesH265WithoutAVpsOrStartingWithoutAnIrapPicture) {
  const std::string stream = TinyHevcStream();
  const std::string sc("\0\0\0\1", 4);
  std::string no_vps = stream;
  const std::size_t vps_at = no_vps.find(sc + "\x40\x01");
  no_vps.erase(vps_at, no_vps.find(sc, vps_at + 4) - vps_at);
  EXPECT_FALSE(PacketizedClip::FromAnnexB(AsBytes(no_vps), VideoCodec::kH265).has_value());
  const std::size_t trail_at = stream.find(sc + "\x46\x01\x50" + sc + "\x02");
  EXPECT_FALSE(
      PacketizedClip::FromAnnexB(AsBytes(stream.substr(trail_at)), VideoCodec::kH265).has_value());
  // An H.265 stream read as H.264 has no SPS of that codec.
  EXPECT_FALSE(PacketizedClip::FromAnnexB(AsBytes(stream), VideoCodec::kH264).has_value());
}

TEST(WriteSenderReport, WritesAnRtcpSenderReportWithoutReportBlocks) {
  std::uint8_t packet[kSenderReportSize] = {};
  SenderReport report;
  report.ssrc = 0xA0B0C0D0;
  report.ntp_seconds = 0x1'E1E2E3E4ULL;  // only the low 32 bits go on the wire
  report.ntp_fraction = 0x80000000;
  report.rtp_timestamp = 0x01020304;
  report.packets = 7;
  report.octets = 0x10000;
  WriteSenderReport(packet, report);
  EXPECT_EQ(base::HexEncode(std::string(reinterpret_cast<char*>(packet), sizeof packet)),
            "80c80006a0b0c0d0e1e2e3e4800000000102030400000007"
            "00010000");
}

constexpr std::string_view kPeer = "127.0.0.1";

TEST(ChooseTransport, AcceptsInterleavedTcpWithItsChannels) {
  auto t = ChooseTransport("RTP/AVP/TCP;unicast;interleaved=4-5", kPeer);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->kind, RtpTransport::Kind::kInterleaved);
  EXPECT_EQ(t->channel, 4);
  t = ChooseTransport("RTP/AVP/TCP;unicast", kPeer);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->channel, 0);
}

TEST(ChooseTransport, AcceptsUnicastUdpWithTheClientPorts) {
  for (std::string_view header :
       {"RTP/AVP;unicast;client_port=5000-5001", "RTP/AVP/UDP;unicast;client_port=5000-5001",
        "rtp/avp/udp;client_port=5000", "RTP/AVP;unicast;client_port=5000-5001;mode=\"PLAY\"",
        "RTP/AVP;unicast;destination=127.0.0.1;client_port=5000-5001",
        "RTP/AVP;unicast;destination;client_port=5000-5001"}) {
    const auto t = ChooseTransport(header, kPeer);
    ASSERT_TRUE(t.has_value()) << header;
    EXPECT_EQ(t->kind, RtpTransport::Kind::kUdp) << header;
    EXPECT_EQ(t->client_rtp_port, 5000) << header;
    EXPECT_EQ(t->client_rtcp_port, 5001) << header;
  }
}

TEST(ChooseTransport, TakesTheFirstAlternativeItCanServe) {
  auto t = ChooseTransport(
      "RTP/AVP;multicast;port=5000-5001, RTP/AVP;unicast;client_port=6000-6001, "
      "RTP/AVP/TCP;interleaved=0-1",
      kPeer);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->kind, RtpTransport::Kind::kUdp);
  EXPECT_EQ(t->client_rtp_port, 6000);
  t = ChooseTransport("RTP/AVP/TCP;interleaved=0-1,RTP/AVP;unicast;client_port=6000-6001", kPeer);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->kind, RtpTransport::Kind::kInterleaved);
}

TEST(ChooseTransport, RefusesWhatItCannotServe) {
  for (std::string_view header : {
           "",
           "RTP/AVP;multicast;client_port=5000-5001",
           "RTP/AVP;unicast",                                              // no client_port
           "RTP/AVP;unicast;client_port=",                                 //
           "RTP/AVP;unicast;client_port=0-1",                              // port 0
           "RTP/AVP;unicast;client_port=65535",                            // no room for RTCP
           "RTP/AVP;unicast;client_port=5000-70000",                       //
           "RTP/AVP;unicast;client_port=5000-5000",                        //
           "RTP/AVP;unicast;client_port=-5000",                            //
           "RTP/AVP;unicast;client_port=5000x",                            //
           "RTP/AVP;unicast;client_port=123456-123457",                    //
           "RTP/AVP;unicast;client_port=5000-5001;mode=RECORD",            // this camera only plays
           "RTP/AVP;unicast;destination=127.0.0.2;client_port=5000-5001",  // a third address
           "RTP/AVP;unicast;destination=192.0.2.7;client_port=5000-5001",
           "RTP/AVP/TCP;interleaved=255",   // RTCP would need channel 256
           "RTP/AVP/TCP;interleaved=x-y",   //
           "RTP/AVP/TCP;interleaved=0-5",   // RTCP must be the next channel
           "RTP/AVP/TCP;interleaved=0001",  // more than 3 digits
           "RTP/SAVP;unicast;client_port=5000-5001",
           "RAW/RAW/UDP;unicast;client_port=5000-5001",
           " , ,",
       }) {
    EXPECT_FALSE(ChooseTransport(header, kPeer).has_value()) << header;
  }
}

}  // namespace
}  // namespace camguard::camsim
