// SPDX-License-Identifier: Apache-2.0
#include "camsim/rtsp_message.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace camguard::camsim {
namespace {

RtspRequest ExpectRequest(RtspParser& parser) {
  auto message = parser.Next();
  EXPECT_TRUE(message.has_value());
  if (!message || !*message || !std::holds_alternative<RtspRequest>(**message)) {
    ADD_FAILURE() << "no request";
    return {};
  }
  return std::get<RtspRequest>(**message);
}

RtspParseError ExpectError(std::string_view bytes) {
  RtspParser parser;
  parser.Feed(bytes);
  auto message = parser.Next();
  EXPECT_FALSE(message.has_value()) << bytes;
  return message ? RtspParseError::kBadRequest : message.error();
}

TEST(HttpDialect, ParsesPostWithBodyAndRefusesRtspAndChunked) {
  RtspParser parser(MessageDialect::kHttp);
  parser.Feed("POST /onvif/device_service HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  const RtspRequest request = ExpectRequest(parser);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.version, "HTTP/1.1");
  EXPECT_EQ(request.body, "hello");

  RtspParser rtsp(MessageDialect::kHttp);
  rtsp.Feed("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  EXPECT_FALSE(rtsp.Next().has_value());

  RtspParser chunked(MessageDialect::kHttp);
  chunked.Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_FALSE(chunked.Next().has_value());

  RtspParser dollar(MessageDialect::kHttp);     // no interleaved frames over HTTP
  dollar.Feed("$\x01\x02 / HTTP/1.1\r\n\r\n");  // "$" is no method token
  EXPECT_FALSE(dollar.Next().has_value());
}

TEST(RtspParser, ParsesRequestLineCseqAndHeaders) {
  RtspParser parser;
  parser.Feed(
      "DESCRIBE rtsp://127.77.0.1:8554/main RTSP/1.0\r\nCSeq: 2\r\n"
      "Accept: application/sdp\r\nUser-Agent:  Lavf59.27.100 \r\n\r\n");
  const RtspRequest req = ExpectRequest(parser);
  EXPECT_EQ(req.method, "DESCRIBE");
  EXPECT_EQ(req.uri, "rtsp://127.77.0.1:8554/main");
  EXPECT_EQ(req.cseq, 2);
  EXPECT_EQ(req.Header("user-agent").value_or(""), "Lavf59.27.100");
  EXPECT_FALSE(req.Header("Session").has_value());
  EXPECT_FALSE(parser.Next()->has_value());
}

TEST(RtspParser, WaitsForTheWholeMessageFedOneByteAtATime) {
  const std::string text =
      "SET_PARAMETER rtsp://h/main RTSP/1.0\r\nCSeq: 9\r\nContent-Length: 5\r\n\r\nhello";
  RtspParser parser;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    parser.Feed(text.substr(i, 1));
    auto message = parser.Next();
    ASSERT_TRUE(message.has_value());
    EXPECT_FALSE(message->has_value()) << "complete after " << i + 1 << " bytes";
  }
  parser.Feed(text.substr(text.size() - 1));
  const RtspRequest req = ExpectRequest(parser);
  EXPECT_EQ(req.body, "hello");
  EXPECT_EQ(parser.buffered(), 0U);
}

TEST(RtspParser, SeparatesPipelinedRequestsAndInterleavedFrames) {
  RtspParser parser;
  parser.Feed(std::string("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n") +
              std::string("$\x01\x00\x03"
                          "abc",
                          7) +
              "GET_PARAMETER rtsp://h/main RTSP/1.0\r\nCSeq: 2\r\nSession: 12ab\r\n\r\n");
  EXPECT_EQ(ExpectRequest(parser).method, "OPTIONS");
  auto frame = parser.Next();
  ASSERT_TRUE(frame.has_value() && frame->has_value());
  const auto& f = std::get<InterleavedFrame>(**frame);
  EXPECT_EQ(f.channel, 1);
  EXPECT_EQ(f.payload, "abc");
  EXPECT_EQ(ExpectRequest(parser).Header("session").value_or(""), "12ab");
}

TEST(RtspParser, AnswersOtherVersionsWithVersionNotSupported) {
  EXPECT_EQ(ExpectError("OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n"),
            RtspParseError::kVersionNotSupported);
  EXPECT_EQ(ExpectError("OPTIONS * HTTP/1.1\r\nCSeq: 1\r\n\r\n"), RtspParseError::kBadRequest);
}

TEST(RtspParser, RefusesMalformedRequests) {
  for (std::string_view bad : {
           "OPTIONS\r\nCSeq: 1\r\n\r\n",                        // no URI, no version
           "OPTIONS  * RTSP/1.0\r\nCSeq: 1\r\n\r\n",            // empty URI
           "OPTIONS * RTSP/1.0 x\r\nCSeq: 1\r\n\r\n",           // extra field
           "OPT(ONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n",             // not a token
           "OPTIONS * RTSP/1.0\r\nCSeq 1\r\n\r\n",              // header without colon
           "OPTIONS * RTSP/1.0\r\n folded: x\r\n\r\n",          // continuation line
           "OPTIONS * RTSP/1.0\r\nCSeq: one\r\n\r\n",           // non-numeric CSeq
           "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nCSeq: 2\r\n\r\n",  // duplicate CSeq
           "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: -1\r\n\r\n",
           "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 4097\r\n\r\n",
           "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX: a\x01z\r\n\r\n",  // control character
       }) {
    EXPECT_EQ(ExpectError(bad), RtspParseError::kBadRequest) << bad;
  }
}

TEST(RtspParser, BoundsHeaderSizeAndCount) {
  RtspParser endless;
  endless.Feed("OPTIONS * RTSP/1.0\r\nX: " + std::string(kMaxHeaderBytes, 'a'));
  EXPECT_FALSE(endless.Next().has_value()) << "no end of header within the limit";

  std::string many = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n";
  for (std::size_t i = 0; i < kMaxHeaders; ++i) many += "X: y\r\n";
  EXPECT_EQ(ExpectError(many + "\r\n"), RtspParseError::kBadRequest);
}

TEST(RtspParser, ErrorIsStickyAndDropsBufferedBytes) {
  RtspParser parser;
  parser.Feed("BAD\r\n\r\nOPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  EXPECT_FALSE(parser.Next().has_value());
  parser.Feed("OPTIONS * RTSP/1.0\r\nCSeq: 2\r\n\r\n");
  EXPECT_FALSE(parser.Next().has_value());
  EXPECT_EQ(parser.buffered(), 0U);
}

TEST(RtspParser, IsTotalOnRandomBytes) {
  std::mt19937 rng(11);
  const std::string alphabet = "$\r\n :ACDEINOPRSTUV/01.*-";
  for (int i = 0; i < 3000; ++i) {
    RtspParser parser;
    std::string bytes(rng() % 200, '\0');
    for (char& c : bytes)
      c = (rng() % 4 == 0) ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    parser.Feed(bytes);
    for (int j = 0; j < 50; ++j) {
      auto message = parser.Next();
      if (!message || !*message) break;
    }
  }
}

TEST(UriPath, ExtractsThePathOfRtspUrlsAndAbsolutePaths) {
  EXPECT_EQ(UriPath("rtsp://127.77.0.1:8554/main").value_or("?"), "/main");
  EXPECT_EQ(UriPath("RTSP://h/main/trackID=0?x=1").value_or("?"), "/main/trackID=0");
  EXPECT_EQ(UriPath("rtsp://h:1").value_or("?"), "/");
  EXPECT_EQ(UriPath("/sub").value_or("?"), "/sub");
  EXPECT_FALSE(UriPath("*").has_value());
  EXPECT_FALSE(UriPath("http://h/main").has_value());
}

}  // namespace
}  // namespace camguard::camsim
