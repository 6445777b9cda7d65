// SPDX-License-Identifier: Apache-2.0
#include "camsim/auth.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/crypto.h"

namespace camguard::camsim {
namespace {

TEST(Md5Hex, MatchesRfc1321TestSuite) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(DigestResponse, MatchesTheRfc2617Section3_5Example) {
  DigestInput in;
  in.username = "Mufasa";
  in.realm = "testrealm@host.com";
  in.password = "Circle Of Life";
  in.method = "GET";
  in.uri = "/dir/index.html";
  in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  in.qop = "auth";
  in.nc = "00000001";
  in.cnonce = "0a4f113b";
  EXPECT_EQ(DigestResponse(in), "6629fae49393a05397450978507c4ef1");
}

TEST(ParseAuthParams, ReadsTokensAndQuotedStrings) {
  auto params = ParseAuthParams(
      R"(username="Mufasa", realm="a\"b", nc=00000001 ,QOP=auth, uri="rtsp://h/main")");
  ASSERT_TRUE(params.has_value()) << params.error().message;
  EXPECT_EQ(params->at("username"), "Mufasa");
  EXPECT_EQ(params->at("realm"), "a\"b");
  EXPECT_EQ(params->at("nc"), "00000001");
  EXPECT_EQ(params->at("qop"), "auth");
  EXPECT_EQ(params->at("uri"), "rtsp://h/main");
}

TEST(ParseAuthParams, RefusesMalformedLists) {
  for (std::string_view bad :
       {R"(username="unterminated)", "a=1,,b=2", "a=1 b=2", "=x", "a=", "a=1, a=2", "a=\"x\\"}) {
    EXPECT_FALSE(ParseAuthParams(bad).has_value()) << bad;
  }
  std::string many;
  for (int i = 0; i < 17; ++i) many += "p" + std::to_string(i) + "=1,";
  many.pop_back();
  EXPECT_FALSE(ParseAuthParams(many).has_value());
}

class RtspAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Initialize()); }

  RtspAuthenticator Make(AuthSchemes schemes) {
    return RtspAuthenticator("camsim", "admin", base::Redacted<std::string>("s3cret pw"), schemes,
                             clock_, "0123456789abcdef0123456789abcdef");
  }

  static std::string DigestHeader(const std::string& nonce, const std::string& password,
                                  const std::string& uri = "rtsp://127.77.0.1:8554/main",
                                  const std::string& user = "admin") {
    DigestInput in{user, "camsim", password, "DESCRIBE", uri, nonce, "", "", ""};
    return "Digest username=\"" + user + "\", realm=\"camsim\", nonce=\"" + nonce + "\", uri=\"" +
           uri + "\", response=\"" + DigestResponse(in) + "\"";
  }

  base::FakeClock clock_;
  const std::string url_ = "rtsp://127.77.0.1:8554/main";
};

TEST_F(RtspAuthenticatorTest, GrantsACorrectDigestWithAFreshNonce) {
  auto auth = Make(AuthSchemes::kDigest);
  const std::string nonce = auth.NewNonce();
  EXPECT_EQ(auth.Check("DESCRIBE", url_, DigestHeader(nonce, "s3cret pw")), AuthOutcome::kGranted);
}

TEST_F(RtspAuthenticatorTest, GrantsADigestWithQopAuth) {
  auto auth = Make(AuthSchemes::kDigest);
  const std::string nonce = auth.NewNonce();
  DigestInput in{"admin", "camsim", "s3cret pw", "PLAY", url_, nonce, "auth", "00000001", "abcd"};
  const std::string header = "Digest username=\"admin\", realm=\"camsim\", nonce=\"" + nonce +
                             "\", uri=\"" + url_ +
                             "\", qop=auth, nc=00000001, cnonce=\"abcd\", "
                             "response=\"" +
                             DigestResponse(in) + "\", algorithm=MD5";
  EXPECT_EQ(auth.Check("PLAY", url_, header), AuthOutcome::kGranted);
  EXPECT_EQ(auth.Check("TEARDOWN", url_, header), AuthOutcome::kDenied) << "method is digested";
}

TEST_F(RtspAuthenticatorTest, DeniesWrongPasswordUserUriOrForgedNonce) {
  auto auth = Make(AuthSchemes::kDigest);
  const std::string nonce = auth.NewNonce();
  EXPECT_EQ(auth.Check("DESCRIBE", url_, DigestHeader(nonce, "wrong")), AuthOutcome::kDenied);
  EXPECT_EQ(auth.Check("DESCRIBE", url_, DigestHeader(nonce, "s3cret pw", url_, "root")),
            AuthOutcome::kDenied);
  EXPECT_EQ(
      auth.Check("DESCRIBE", url_, DigestHeader(nonce, "s3cret pw", "rtsp://127.77.0.1:8554/sub")),
      AuthOutcome::kDenied)
      << "a digest for /sub does not open /main";
  std::string forged = nonce;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(auth.Check("DESCRIBE", url_, DigestHeader(forged, "s3cret pw")), AuthOutcome::kDenied);
  EXPECT_EQ(auth.Check("DESCRIBE", url_, DigestHeader("abc", "s3cret pw")), AuthOutcome::kDenied);
  EXPECT_EQ(auth.Check("DESCRIBE", url_, std::string("Digest garbage")), AuthOutcome::kDenied);
}

TEST_F(RtspAuthenticatorTest, ReportsAnExpiredNonceAsStale) {
  auto auth = Make(AuthSchemes::kDigest);
  const std::string nonce = auth.NewNonce();
  clock_.Advance(RtspAuthenticator::kNonceLifetime);
  EXPECT_EQ(auth.Check("DESCRIBE", url_, DigestHeader(nonce, "s3cret pw")), AuthOutcome::kGranted);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(auth.Check("DESCRIBE", url_, DigestHeader(nonce, "s3cret pw")),
            AuthOutcome::kStaleNonce);
  EXPECT_EQ(auth.Check("DESCRIBE", url_, DigestHeader(nonce, "wrong")), AuthOutcome::kDenied)
      << "stale only for a correct password";
  const auto challenges = auth.Challenges(true);
  ASSERT_EQ(challenges.size(), 1U);
  EXPECT_NE(challenges[0].find("stale=TRUE"), std::string::npos);
}

TEST_F(RtspAuthenticatorTest, AcceptsBasicOnlyWhenEnabled) {
  const std::string good = "Basic " + base::Base64Encode("admin:s3cret pw");
  const std::string bad = "Basic " + base::Base64Encode("admin:nope");
  auto digest_only = Make(AuthSchemes::kDigest);
  EXPECT_EQ(digest_only.Check("DESCRIBE", url_, good), AuthOutcome::kMissing);
  auto both = Make(AuthSchemes::kDigestAndBasic);
  EXPECT_EQ(both.Check("DESCRIBE", url_, good), AuthOutcome::kGranted);
  EXPECT_EQ(both.Check("DESCRIBE", url_, bad), AuthOutcome::kDenied);
  EXPECT_EQ(both.Check("DESCRIBE", url_, std::string("Basic !!!")), AuthOutcome::kDenied);
  EXPECT_EQ(both.Challenges(false).size(), 2U);
  auto basic = Make(AuthSchemes::kBasic);
  EXPECT_EQ(basic.Check("DESCRIBE", url_, DigestHeader(basic.NewNonce(), "s3cret pw")),
            AuthOutcome::kMissing);
  EXPECT_EQ(basic.Challenges(false), std::vector<std::string>{"Basic realm=\"camsim\""});
}

TEST_F(RtspAuthenticatorTest, MissingHeaderIsMissing) {
  auto auth = Make(AuthSchemes::kDigest);
  EXPECT_EQ(auth.Check("DESCRIBE", url_, std::nullopt), AuthOutcome::kMissing);
  EXPECT_EQ(auth.Check("DESCRIBE", url_, std::string("Bearer x")), AuthOutcome::kMissing);
}

}  // namespace
}  // namespace camguard::camsim
