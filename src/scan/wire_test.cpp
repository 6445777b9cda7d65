// SPDX-License-Identifier: Apache-2.0
#include "scan/wire.h"

#include <gtest/gtest.h>

namespace camguard::scan {
namespace {

TEST(ParseResponseTest, HttpWithContentLengthAndWhatFollows) {
  const std::string bytes =
      "HTTP/1.1 401 Unauthorized\r\nServer: camsim\r\nWWW-Authenticate: Digest realm=\"r\", "
      "nonce=\"n\"\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 4\r\n\r\nnopeHTTP/1.1";
  const ParseOutcome out = ParseResponse(bytes, false);
  ASSERT_EQ(out.state, ParseState::kComplete) << out.error;
  EXPECT_EQ(out.response.protocol, "HTTP/1.1");
  EXPECT_EQ(out.response.status, 401);
  EXPECT_EQ(out.response.reason, "Unauthorized");
  EXPECT_EQ(out.response.Header("server"), "camsim");
  EXPECT_EQ(out.response.Headers("www-authenticate").size(), 2u);
  EXPECT_EQ(out.response.body, "nope");
  EXPECT_EQ(out.consumed, bytes.size() - 8);
}

TEST(ParseResponseTest, IncompleteUntilTheWholeBodyArrived) {
  const std::string bytes = "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 10\r\n\r\nv=0\r\n";
  EXPECT_EQ(ParseResponse(bytes, false).state, ParseState::kIncomplete);
  EXPECT_EQ(ParseResponse(bytes, true).state, ParseState::kError);
  EXPECT_EQ(ParseResponse("HTTP/1.1 200 OK\r\nConte", false).state, ParseState::kIncomplete);
  EXPECT_EQ(ParseResponse("HTT", false).state, ParseState::kIncomplete);
}

TEST(ParseResponseTest, RtspWithoutLengthHasNoBody) {
  const ParseOutcome out = ParseResponse("RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\r\n", false);
  ASSERT_EQ(out.state, ParseState::kComplete);
  EXPECT_TRUE(out.response.IsRtsp());
  EXPECT_TRUE(out.response.body.empty());
}

TEST(ParseResponseTest, ChunkedBodiesAreDecoded) {
  const std::string bytes =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\n"
      "Trailer: 1\r\n\r\n";
  const ParseOutcome out = ParseResponse(bytes, false);
  ASSERT_EQ(out.state, ParseState::kComplete) << out.error;
  EXPECT_EQ(out.response.body, "Wikipedia");
  EXPECT_EQ(out.consumed, bytes.size());
  EXPECT_EQ(ParseResponse(bytes.substr(0, bytes.size() - 2), false).state, ParseState::kIncomplete);
  EXPECT_EQ(
      ParseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false).state,
      ParseState::kError);
}

TEST(ParseResponseTest, HttpWithoutLengthRunsToTheClose) {
  const std::string bytes = "HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff";
  EXPECT_EQ(ParseResponse(bytes, false).state, ParseState::kIncomplete);
  const ParseOutcome out = ParseResponse(bytes, true);
  ASSERT_EQ(out.state, ParseState::kComplete);
  EXPECT_EQ(out.response.body, "\xff\xd8\xff");
  // HEAD answers and 204/304 have no body whatever they announce.
  EXPECT_EQ(ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", false, true).state,
            ParseState::kComplete);
  EXPECT_EQ(ParseResponse("HTTP/1.1 204 No Content\r\n\r\n", false).state, ParseState::kComplete);
}

TEST(ParseResponseTest, RefusesWhatIsNotAResponseAtOnce) {
  for (const char* bad :
       {"SSH-2.0-x\r\n", "\x15\x03\x01\x00\x02\x02\x28", "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/3.0 200 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n"}) {
    EXPECT_EQ(ParseResponse(bad, false).state, ParseState::kError) << bad;
  }
  EXPECT_EQ(ParseResponse(std::string(kMaxHeaderBytes + 10, 'H'), false).state, ParseState::kError);
}

TEST(ParseResponseTest, FoldedHeaderLinesJoinThePreviousValue) {
  const ParseOutcome out =
      ParseResponse("HTTP/1.1 200 OK\r\nX-A: one\r\n  two\r\nContent-Length: 0\r\n\r\n", false);
  ASSERT_EQ(out.state, ParseState::kComplete);
  EXPECT_EQ(out.response.Header("x-a"), "one two");
}

TEST(ChallengeTest, SeveralChallengesInOneValue) {
  const auto challenges = ParseChallenges(
      "Digest realm=\"cam, era\", nonce=\"a\\\"b\", qop=\"auth,auth-int\", algorithm=MD5, "
      "Basic realm=\"x\"");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "digest");
  EXPECT_EQ(challenges[0].params.at("realm"), "cam, era");
  EXPECT_EQ(challenges[0].params.at("nonce"), "a\"b");
  EXPECT_EQ(challenges[0].params.at("qop"), "auth,auth-int");
  EXPECT_EQ(challenges[0].params.at("algorithm"), "MD5");
  EXPECT_EQ(challenges[1].scheme, "basic");
  EXPECT_EQ(challenges[1].params.at("realm"), "x");
}

TEST(ChallengeTest, Token68AndOddSpacing) {
  const auto challenges = ParseChallenges("Negotiate abc123==, BASIC  realm = \"r\"");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "negotiate");
  EXPECT_TRUE(challenges[0].params.empty());
  EXPECT_EQ(challenges[1].scheme, "basic");
  EXPECT_EQ(challenges[1].params.at("realm"), "r");
  EXPECT_TRUE(ParseChallenges("").empty());
  EXPECT_TRUE(ParseChallenges("\"").empty());
}

TEST(TelnetTest, NegotiationIsStrippedAndAnswered) {
  const std::string bytes =
      "\xff\xfb\x01\xff\xfb\x03\xff\xfd\x18\xff\xfa\x18\x01\xff\xf0\xff\xff"
      "login: ";
  const TelnetInput input = ProcessTelnet(bytes);
  EXPECT_TRUE(input.negotiated);
  EXPECT_EQ(input.text,
            "\xff"
            "login: ");
  // DO ECHO, DO SUPPRESS-GO-AHEAD, WONT TERMINAL-TYPE.
  EXPECT_EQ(input.replies, "\xff\xfd\x01\xff\xfd\x03\xff\xfc\x18");
}

TEST(TelnetTest, ClassifiesTheDialogue) {
  EXPECT_EQ(ClassifyTelnet("BusyBox v1.19\r\ncamera login: "), TelnetState::kLoginPrompt);
  EXPECT_EQ(ClassifyTelnet("Username:"), TelnetState::kLoginPrompt);
  EXPECT_EQ(ClassifyTelnet("root\r\nPassword: "), TelnetState::kPasswordPrompt);
  EXPECT_EQ(ClassifyTelnet("\r\nLogin incorrect\r\ncamera login: "), TelnetState::kRejected);
  EXPECT_EQ(ClassifyTelnet("\r\n\r\nBusyBox built-in shell (ash)\r\n# "), TelnetState::kShell);
  EXPECT_EQ(ClassifyTelnet("~ $ "), TelnetState::kShell);
  EXPECT_EQ(ClassifyTelnet("Welcome"), TelnetState::kNothing);
  EXPECT_EQ(ClassifyTelnet(""), TelnetState::kNothing);
}

TEST(GreetingTest, TellsServicesThatSpeakFirstApart) {
  EXPECT_EQ(ClassifyGreeting(""), GreetingKind::kNone);
  EXPECT_EQ(ClassifyGreeting("\xff\xfd\x18"), GreetingKind::kTelnet);
  EXPECT_EQ(ClassifyGreeting("\r\nlogin: "), GreetingKind::kTelnet);
  EXPECT_EQ(ClassifyGreeting("SSH-2.0-dropbear\r\n"), GreetingKind::kSsh);
  EXPECT_EQ(ClassifyGreeting("220 ProFTPD ready\r\n"), GreetingKind::kFtp);
  EXPECT_EQ(ClassifyGreeting("hello"), GreetingKind::kOther);
  EXPECT_TRUE(LooksLikeTls("\x15\x03\x01\x00\x02"));
  EXPECT_TRUE(LooksLikeTls("\x16\x03\x03"));
  EXPECT_FALSE(LooksLikeTls("HTTP/1.1"));
}

TEST(BannerTest, FindsVersions) {
  EXPECT_EQ(VersionInBanner("Boa/0.94.14rc21"), "0.94.14rc21");
  EXPECT_EQ(VersionInBanner("SSH-2.0-dropbear_2019.78"), "2019.78");
  EXPECT_EQ(VersionInBanner("Hikvision-Webs"), std::nullopt);
  EXPECT_EQ(VersionInBanner("camsim"), std::nullopt);
  EXPECT_EQ(VersionInBanner("lighttpd/1.4.35"), "1.4.35");
  EXPECT_EQ(VersionInBanner("BusyBox v1.19.4 built-in shell"), "1.19.4");
  EXPECT_EQ(VersionInBanner("App-webs/"), std::nullopt);
  EXPECT_EQ(VersionInBanner("Server 2"), std::nullopt);
}

TEST(PrintableTest, EscapesAndBounds) {
  EXPECT_EQ(Printable("a\x01"
                      "b\r\nc"),
            "a\\x01b c");
  EXPECT_EQ(Printable(std::string(300, 'x'), 10), std::string(10, 'x') + "…");
}

TEST(SdpTest, SummarizesTheVideo) {
  const SdpSummary plain = SummarizeSdp(
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
      "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n");
  EXPECT_TRUE(plain.has_video);
  EXPECT_EQ(plain.codec, "H264");
  EXPECT_EQ(plain.transport, "RTP/AVP");
  EXPECT_FALSE(plain.encrypted);
  const SdpSummary secure = SummarizeSdp("m=video 0 RTP/SAVP 97\na=rtpmap:97 H265/90000\n");
  EXPECT_TRUE(secure.encrypted);
  EXPECT_EQ(secure.codec, "H265");
  EXPECT_FALSE(SummarizeSdp("m=audio 0 RTP/AVP 0\r\n").has_video);
}

}  // namespace
}  // namespace camguard::scan
