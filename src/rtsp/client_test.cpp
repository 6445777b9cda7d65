// SPDX-License-Identifier: Apache-2.0
// The RTSP client against a scripted camera: the handshake with Digest, refusals, redirects,
// timeouts, garbage, and RTP depacketizing (single NAL, STAP-A, FU-A, loss, timestamp wrap).
#include "rtsp/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/encoding.h"

namespace camguard::rtsp {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kSdp =
    "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\na=control:*\r\n"
    "m=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n"
    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 "
    "packetization-mode=1;profile-level-id=640028;sprop-parameter-sets=Z2QAKKw=,aO48gA==\r\n"
    "a=control:trackID=1\r\n";

std::string Answer(int cseq, std::string_view status, std::string_view headers = "",
                   std::string_view body = "") {
  std::string out = "RTSP/1.0 " + std::string(status) + "\r\nCSeq: " + std::to_string(cseq) +
                    "\r\n" + std::string(headers);
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + std::string(body);
}

std::span<const std::uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string Interleaved(std::uint8_t channel, const std::vector<std::uint8_t>& packet) {
  std::string out = {'$', static_cast<char>(channel), static_cast<char>(packet.size() >> 8),
                     static_cast<char>(packet.size() & 0xff)};
  out.append(packet.begin(), packet.end());
  return out;
}

std::vector<std::uint8_t> Rtp(std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                              std::vector<std::uint8_t> payload) {
  std::vector<std::uint8_t> p = {0x80,
                                 static_cast<std::uint8_t>((marker ? 0x80 : 0) | 96),
                                 static_cast<std::uint8_t>(sequence >> 8),
                                 static_cast<std::uint8_t>(sequence),
                                 static_cast<std::uint8_t>(timestamp >> 24),
                                 static_cast<std::uint8_t>(timestamp >> 16),
                                 static_cast<std::uint8_t>(timestamp >> 8),
                                 static_cast<std::uint8_t>(timestamp),
                                 1,
                                 2,
                                 3,
                                 4};
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() : client_(Config()) {}
  static ClientConfig Config() {
    ClientConfig config;
    config.url = "rtsp://127.0.0.1:8554/main";
    config.username = "admin";
    config.password = base::Redacted<std::string>("s3cret-pass");
    return config;
  }
  void Feed(const std::string& bytes) { client_.OnBytes(Bytes(bytes), now_); }
  // Drives the client to PLAYING; returns everything it sent.
  std::string Play() {
    client_.Start(now_);
    std::string sent = client_.TakeOutgoing();
    Feed(
        Answer(1, "200 OK", "Public: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN\r\n"));
    sent += client_.TakeOutgoing();
    Feed(Answer(2, "200 OK", "Content-Base: rtsp://127.0.0.1:8554/main/\r\n", kSdp));
    sent += client_.TakeOutgoing();
    Feed(Answer(3, "200 OK",
                "Session: abc123;timeout=60\r\nTransport: RTP/AVP/TCP;interleaved=0-1\r\n"));
    sent += client_.TakeOutgoing();
    Feed(Answer(4, "200 OK", "Session: abc123\r\n"));
    return sent;
  }
  TimePoint now_{};
  Client client_;
};

TEST_F(ClientTest, HandshakeReachesPlayingWithTheSdpsStream) {
  const std::string sent = Play();
  EXPECT_THAT(sent, HasSubstr("OPTIONS rtsp://127.0.0.1:8554/main RTSP/1.0\r\nCSeq: 1\r\n"));
  EXPECT_THAT(sent, HasSubstr("DESCRIBE rtsp://127.0.0.1:8554/main RTSP/1.0\r\nCSeq: 2\r\n"));
  EXPECT_THAT(sent, HasSubstr("SETUP rtsp://127.0.0.1:8554/main/trackID=1 RTSP/1.0"));
  EXPECT_THAT(sent, HasSubstr("Transport: RTP/AVP/TCP;unicast;interleaved=0-1"));
  EXPECT_THAT(sent, HasSubstr("PLAY rtsp://127.0.0.1:8554/main RTSP/1.0\r\nCSeq: 4"));
  EXPECT_THAT(sent, HasSubstr("Session: abc123\r\n"));
  const auto events = client_.TakeEvents();
  ASSERT_EQ(events.size(), 1u);
  const auto& playing = std::get<Playing>(events[0]);
  EXPECT_EQ(playing.stream.codec, VideoCodec::kH264);
  EXPECT_EQ(playing.stream.payload_type, 96);
  ASSERT_EQ(playing.stream.parameter_sets.size(), 2u);
  EXPECT_EQ(playing.stream.parameter_sets[0][0], 0x67);
  EXPECT_EQ(playing.session_timeout, std::chrono::seconds(60));
  // Keepalive at half the session timeout, with GET_PARAMETER since the camera offers it.
  client_.OnTick(now_ + std::chrono::seconds(31));
  EXPECT_THAT(client_.TakeOutgoing(), HasSubstr("GET_PARAMETER rtsp://127.0.0.1:8554/main"));
}

TEST_F(ClientTest, DigestChallengeIsAnsweredOnceAndASecondRefusalIsAnAuthFailure) {
  client_.Start(now_);
  (void)client_.TakeOutgoing();
  Feed(Answer(1, "401 Unauthorized",
              "WWW-Authenticate: Digest realm=\"camsim\", nonce=\"n0nce\", qop=\"auth\"\r\n"));
  const std::string retry = client_.TakeOutgoing();
  EXPECT_THAT(retry, HasSubstr("CSeq: 2"));
  EXPECT_THAT(
      retry,
      HasSubstr("Authorization: Digest username=\"admin\", realm=\"camsim\", nonce=\"n0nce\", "
                "uri=\"rtsp://127.0.0.1:8554/main\", qop=auth, nc=00000001"));
  EXPECT_EQ(retry.find("s3cret-pass"), std::string::npos);
  Feed(Answer(2, "401 Unauthorized",
              "WWW-Authenticate: Digest realm=\"camsim\", nonce=\"n0nce\"\r\n"));
  const auto events = client_.TakeEvents();
  ASSERT_EQ(events.size(), 1u);
  const auto& failed = std::get<Failed>(events[0]);
  EXPECT_TRUE(failed.auth_failed);
  EXPECT_EQ(failed.error.message.find("s3cret"), std::string::npos);
}

TEST_F(ClientTest, BasicIsUsedWhenThatIsAllTheCameraOffers) {
  client_.Start(now_);
  (void)client_.TakeOutgoing();
  Feed(Answer(1, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"x\"\r\n"));
  EXPECT_THAT(client_.TakeOutgoing(),
              HasSubstr("Authorization: Basic " + base::Base64Encode("admin:s3cret-pass")));
}

TEST_F(ClientTest, RedirectsGarbageErrorsAndSilenceEndTheSession) {
  {
    Client client(Config());
    client.Start(now_);
    client.OnBytes(Bytes(Answer(1, "302 Found", "Location: rtsp://127.0.0.1:8555/other\r\n")),
                   now_);
    const auto events = client.TakeEvents();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<Redirected>(events[0]).location, "rtsp://127.0.0.1:8555/other");
  }
  {
    Client client(Config());
    client.Start(now_);
    client.OnBytes(Bytes(std::string("HTTP/1.1 200 OK\r\n\r\n")), now_);
    ASSERT_EQ(client.TakeEvents().size(), 1u);
  }
  {
    Client client(Config());
    client.Start(now_);
    client.OnBytes(Bytes(Answer(1, "404 Not Found")), now_);
    const auto events = client.TakeEvents();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_THAT(std::get<Failed>(events[0]).error.message, HasSubstr("404"));
  }
  {
    Client client(Config());
    client.Start(now_);
    client.OnTick(now_ + std::chrono::seconds(11));
    ASSERT_EQ(client.TakeEvents().size(), 1u);
  }
}

TEST_F(ClientTest, DepacketizesSingleStapAndFuAIntoAccessUnits) {
  Play();
  (void)client_.TakeEvents();
  std::string stream;
  // Access unit 1 at ts 1000: SPS+PPS in a STAP-A, then an IDR split over three FU-A packets.
  stream += Interleaved(0, Rtp(10, 1000, false, {24, 0, 2, 0x67, 0x64, 0, 2, 0x68, 0xce}));
  stream += Interleaved(0, Rtp(11, 1000, false, {0x7c, 0x85, 1, 2}));
  stream += Interleaved(0, Rtp(12, 1000, false, {0x7c, 0x05, 3, 4}));
  stream += Interleaved(0, Rtp(13, 1000, true, {0x7c, 0x45, 5}));
  // Access unit 2 at ts 4600: one P slice as a single NAL unit.
  stream += Interleaved(0, Rtp(14, 4600, true, {0x41, 9, 9}));
  // Fed a byte at a time: framing must not depend on read boundaries.
  for (char c : stream) client_.OnBytes(Bytes(std::string(1, c)), now_);
  const auto events = client_.TakeEvents();
  ASSERT_EQ(events.size(), 2u);
  const auto& first = std::get<AccessUnit>(events[0]);
  EXPECT_TRUE(first.keyframe);
  EXPECT_EQ(first.timestamp, 1000);
  ASSERT_EQ(first.nal_units.size(), 3u);
  EXPECT_EQ(first.nal_units[2], (std::vector<std::uint8_t>{0x65, 1, 2, 3, 4, 5}));
  const auto& second = std::get<AccessUnit>(events[1]);
  EXPECT_FALSE(second.keyframe);
  EXPECT_EQ(second.timestamp, 4600);
  EXPECT_EQ(client_.stats().lost_packets, 0u);
}

TEST_F(ClientTest, LossDropsTheBrokenNalAndFlagsTheNextUnitAndTimestampsUnwrap) {
  Play();
  (void)client_.TakeEvents();
  std::string stream;
  stream += Interleaved(0, Rtp(100, 0xfffff000u, false, {0x7c, 0x85, 1}));
  // sequence 101 lost: the FU-A cannot be completed
  stream += Interleaved(0, Rtp(102, 0xfffff000u, true, {0x7c, 0x45, 3}));
  stream += Interleaved(0, Rtp(103, 0x00000a00u, true, {0x65, 7}));  // wrapped past 2^32
  Feed(stream);
  const auto events = client_.TakeEvents();
  ASSERT_EQ(events.size(), 1u);
  const auto& unit = std::get<AccessUnit>(events[0]);
  EXPECT_EQ(unit.timestamp, (std::int64_t{1} << 32) + 0xa00);
  EXPECT_EQ(client_.stats().lost_packets, 1u);
}

TEST_F(ClientTest, UdpPacketsArePutBackInOrderWithoutCountingLoss) {
  Play();
  (void)client_.TakeEvents();
  const TimePoint now = now_ + std::chrono::seconds(100);
  // An FU-A picture in three packets and the next picture, delivered 102, 100, 103, 101.
  const auto p100 = Rtp(100, 9000, false, {0x7c, 0x85, 1});
  const auto p101 = Rtp(101, 9000, false, {0x7c, 0x05, 2});
  const auto p102 = Rtp(102, 9000, true, {0x7c, 0x45, 3});
  const auto p103 = Rtp(103, 12600, true, {0x41, 7});
  client_.OnUdpPacket(0, p100, now);
  client_.OnUdpPacket(0, p102, now);
  client_.OnUdpPacket(0, p103, now);
  client_.OnUdpPacket(0, p101, now);
  client_.OnTick(now + std::chrono::milliseconds(1));
  const auto events = client_.TakeEvents();
  ASSERT_EQ(events.size(), 2u);  // both pictures, whole and in order
  const auto& unit = std::get<AccessUnit>(events[0]);
  EXPECT_FALSE(unit.after_loss);
  EXPECT_TRUE(unit.keyframe);
  ASSERT_EQ(unit.nal_units.size(), 1u);
  EXPECT_EQ(unit.nal_units[0], (std::vector<std::uint8_t>{0x65, 1, 2, 3}));
  EXPECT_FALSE(std::get<AccessUnit>(events[1]).after_loss);
  EXPECT_EQ(client_.stats().lost_packets, 0u);
}

TEST_F(ClientTest, AMissingUdpPacketIsLostAfterTheReorderDelay) {
  Play();
  (void)client_.TakeEvents();
  const TimePoint now = now_ + std::chrono::seconds(100);
  client_.OnUdpPacket(0, Rtp(200, 9000, true, {0x65, 1}), now);
  client_.OnUdpPacket(0, Rtp(202, 12600, true, {0x41, 3}), now);  // 201 never comes
  client_.OnUdpPacket(0, Rtp(203, 16200, true, {0x41, 4}), now);
  EXPECT_EQ(client_.stats().lost_packets, 0u);  // still waiting for 201
  client_.OnTick(now + std::chrono::milliseconds(60));
  EXPECT_EQ(client_.stats().lost_packets, 1u);
  // 201 arriving now is late: dropped, nothing counted twice.
  client_.OnUdpPacket(0, Rtp(201, 10800, true, {0x41, 2}), now + std::chrono::milliseconds(70));
  EXPECT_EQ(client_.stats().lost_packets, 1u);
}

TEST(Sdp, PicksTheFirstSupportedVideoAndResolvesControls) {
  auto stream = ParseSdp(kSdp, "rtsp://cam/stream");
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->control_url, "rtsp://cam/stream/trackID=1");
  EXPECT_FALSE(ParseSdp("v=0\r\nm=video 0 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\n", "rtsp://x/"));
  auto absolute =
      ParseSdp("m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:rtsp://other/track\r\n",
               "rtsp://x/");
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute->control_url, "rtsp://other/track");
}

}  // namespace
}  // namespace camguard::rtsp
