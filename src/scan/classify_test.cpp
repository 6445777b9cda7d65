// SPDX-License-Identifier: Apache-2.0
// Answer classification and the authorization headers the credential checks send.
#include "scan/classify.h"

#include <gtest/gtest.h>

#include "scan/http_auth.h"

namespace camguard::scan {
namespace {

Response Make(int status, std::string body = {},
              std::vector<std::pair<std::string, std::string>> headers = {}) {
  Response r;
  r.protocol = "HTTP/1.1";
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string Fault(std::string_view subcode, std::string_view reason) {
  return std::string(
             "<?xml version=\"1.0\"?><env:Envelope "
             "xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body><env:Fault>"
             "<env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>") +
         std::string(subcode) +
         "</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">" +
         std::string(reason) + "</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>";
}

TEST(ClassifyTest, PicturesByTypeOrMagic) {
  EXPECT_TRUE(IsPicture(Make(200, "\xff\xd8\xff\xe0", {{"content-type", "image/jpeg"}})));
  EXPECT_TRUE(IsPicture(Make(200, "\xff\xd8\xff\xe0")));
  EXPECT_TRUE(IsPicture(Make(200, "\xff\xd8\xff", {{"content-type", "application/octet-stream"}})));
  EXPECT_FALSE(IsPicture(Make(200, "<html>", {{"content-type", "text/html"}})));
  EXPECT_FALSE(IsPicture(Make(200, "\xff\xd8\xff", {{"content-type", "text/html"}})));
  EXPECT_FALSE(IsPicture(Make(401, "\xff\xd8\xff", {{"content-type", "image/jpeg"}})));
  EXPECT_FALSE(IsPicture(Make(200, "", {{"content-type", "image/jpeg"}})));
}

TEST(ClassifyTest, Cve20177921AnswersCarryData) {
  EXPECT_TRUE(IsCve20177921Answer(
      Make(200, "<UserList version=\"1.0\"><User><userName>admin</userName></User></UserList>")));
  EXPECT_TRUE(IsCve20177921Answer(
      Make(200, "<DeviceInfo><firmwareVersion>V5.4.0</firmwareVersion></DeviceInfo>")));
  EXPECT_FALSE(IsCve20177921Answer(Make(401, "<userName>admin</userName>")));
  EXPECT_FALSE(IsCve20177921Answer(Make(200, "<!doctype html><p>userName: </p>")));
}

TEST(ClassifyTest, LoginAnswers) {
  EXPECT_EQ(ClassifyLogin(Make(200)), LoginAnswer::kAccepted);
  EXPECT_EQ(ClassifyLogin(Make(401)), LoginAnswer::kRejected);
  EXPECT_EQ(ClassifyLogin(Make(429)), LoginAnswer::kLockedOut);
  EXPECT_EQ(ClassifyLogin(Make(403)), LoginAnswer::kLockedOut);
  EXPECT_EQ(ClassifyLogin(Make(401, "User locked for 30 minutes")), LoginAnswer::kLockedOut);
  EXPECT_EQ(ClassifyLogin(Make(400)), LoginAnswer::kOther);
}

TEST(ClassifyTest, OnvifAnswers) {
  EXPECT_EQ(ClassifyOnvif(Make(200, "<tds:GetUsersResponse><tds:User/></tds:GetUsersResponse>"),
                          "GetUsersResponse"),
            OnvifAnswer::kAllowed);
  EXPECT_EQ(ClassifyOnvif(Make(200, "<GetUsersResponse/>"), "GetUsersResponse"),
            OnvifAnswer::kAllowed);
  EXPECT_EQ(ClassifyOnvif(Make(200, "<tds:GetUsersResponseX/>"), "GetUsersResponse"),
            OnvifAnswer::kOther);
  EXPECT_EQ(ClassifyOnvif(Make(400, Fault("ter:NotAuthorized", "Sender not authorized")),
                          "GetUsersResponse"),
            OnvifAnswer::kRefused);
  EXPECT_EQ(ClassifyOnvif(Make(401), "GetUsersResponse"), OnvifAnswer::kRefused);
  EXPECT_EQ(ClassifyOnvif(Make(429, Fault("ter:NotAuthorized", "locked out")), "GetUsersResponse"),
            OnvifAnswer::kLockedOut);
  EXPECT_EQ(ClassifyOnvif(Make(500, Fault("ter:ActionNotSupported", "no")), "GetUsersResponse"),
            OnvifAnswer::kUnsupported);
  EXPECT_EQ(ClassifyOnvif(Make(404, "not found"), "GetUsersResponse"), OnvifAnswer::kUnsupported);
}

TEST(ClassifyTest, HttpsRedirects) {
  EXPECT_TRUE(RedirectsToHttps(Make(301, "", {{"location", "HTTPS://cam/"}})));
  EXPECT_FALSE(RedirectsToHttps(Make(302, "", {{"location", "/login"}})));
  EXPECT_FALSE(RedirectsToHttps(Make(200, "", {{"location", "https://cam/"}})));
}

TEST(HttpAuthTest, BasicIsBase64OfUserColonPassword) {
  EXPECT_EQ(BasicAuthorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(HttpAuthTest, DigestMatchesRfc2617Example) {
  Challenge c;
  c.scheme = "digest";
  c.params = {{"realm", "testrealm@host.com"},
              {"qop", "auth,auth-int"},
              {"nonce", "dcd98b7102dd2f0e8b11d0f600bfb0c093"},
              {"opaque", "5ccc069c403ebaf9f0171e9517f40e41"}};
  const auto header =
      DigestAuthorization(c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b", 1);
  ASSERT_TRUE(header);
  EXPECT_NE(header->find("response=\"6629fae49393a05397450978507c4ef1\""), std::string::npos)
      << *header;
  EXPECT_NE(header->find("qop=auth, nc=00000001, cnonce=\"0a4f113b\""), std::string::npos);
  EXPECT_NE(header->find("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), std::string::npos);
}

TEST(HttpAuthTest, DigestMatchesRfc7616Examples) {
  Challenge c;
  c.scheme = "digest";
  c.params = {{"realm", "http-auth@example.org"},
              {"qop", "auth, auth-int"},
              {"algorithm", "SHA-256"},
              {"nonce", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"},
              {"opaque", "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"}};
  const std::string cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  auto sha = DigestAuthorization(c, "Mufasa", "Circle of Life", "GET", "/dir/index.html", cnonce);
  ASSERT_TRUE(sha);
  EXPECT_NE(
      sha->find("response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""),
      std::string::npos)
      << *sha;
  c.params["algorithm"] = "MD5";
  auto md5 = DigestAuthorization(c, "Mufasa", "Circle of Life", "GET", "/dir/index.html", cnonce);
  ASSERT_TRUE(md5);
  EXPECT_NE(md5->find("response=\"8ca523f5e9506fed4657c9700eebdbec\""), std::string::npos) << *md5;
}

TEST(HttpAuthTest, DigestRefusesWhatItCannotAnswerSafely) {
  Challenge c;
  c.scheme = "digest";
  c.params = {{"realm", "r"}, {"nonce", "n"}, {"algorithm", "SHA-512-256"}};
  EXPECT_FALSE(DigestAuthorization(c, "u", "p", "GET", "/", "c"));
  c.params = {{"realm", "r"}, {"nonce", "n"}, {"qop", "auth-int"}};
  EXPECT_FALSE(DigestAuthorization(c, "u", "p", "GET", "/", "c"));
  c.params = {{"realm", "r\r\nX-Injected: 1"}, {"nonce", "n"}};
  EXPECT_FALSE(DigestAuthorization(c, "u", "p", "GET", "/", "c"));
  c.params = {{"realm", "r"}};
  EXPECT_FALSE(DigestAuthorization(c, "u", "p", "GET", "/", "c"));
  // Without qop: RFC 2069 form.
  c.params = {{"realm", "r"}, {"nonce", "n"}};
  auto legacy = DigestAuthorization(c, "u", "p", "DESCRIBE", "rtsp://h/main", "c");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->find("qop="), std::string::npos);
  const std::string ha1 = Md5Hex("u:r:p");
  const std::string ha2 = Md5Hex("DESCRIBE:rtsp://h/main");
  EXPECT_NE(legacy->find(Md5Hex(ha1 + ":n:" + ha2)), std::string::npos);
}

}  // namespace
}  // namespace camguard::scan
