// SPDX-License-Identifier: Apache-2.0
#include "camsim/onvif_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/crypto.h"

namespace camguard::camsim {
namespace {

using std::chrono::milliseconds;

const PtzTime kStart{std::chrono::seconds(5000)};

std::string Envelope(std::string_view body, std::string_view header = {}) {
  return fmt::format(
      R"(<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope")"
      R"( xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl")"
      R"( xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">)"
      R"(<s:Header>{}</s:Header><s:Body>{}</s:Body></s:Envelope>)",
      header, body);
}

std::string Token(std::string_view user, std::string_view password, std::string_view nonce,
                  std::string_view created) {
  const std::string digest = base::Base64Encode(
      crypto::Sha1(std::string(nonce) + std::string(created) + std::string(password)));
  return fmt::format(
      R"(<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd")"
      R"( xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">)"
      R"(<wsse:UsernameToken><wsse:Username>{}</wsse:Username>)"
      R"(<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{}</wsse:Password>)"
      R"(<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">{}</wsse:Nonce>)"
      R"(<wsu:Created>{}</wsu:Created></wsse:UsernameToken></wsse:Security>)",
      user, digest, base::Base64Encode(nonce), created);
}

class OnvifServiceTest : public ::testing::Test {
 protected:
  OnvifServiceTest()
      : auth_(
            "camsim", [this](std::string_view u) { return camera_.PasswordOf(u); },
            AuthSchemes::kDigest, clock_, "0123456789abcdef0123456789abcdef"),
        service_(camera_, auth_, clock_, snapshots_) {
    camera_.address = "127.77.0.1";
    camera_.rtsp_port = 8554;
    camera_.http_port = 8080;
    camera_.accounts.push_back({"admin", "s3cret-pass", UserLevel::kAdministrator});
    camera_.accounts.push_back({"viewer", "viewer-pass", UserLevel::kUser});
    snapshots_["home"] = "JPEG-home";
    snapshots_["right"] = "JPEG-right";
  }

  std::string Created(std::chrono::seconds offset = std::chrono::seconds(0)) const {
    return base::FormatRfc3339(clock_.Now() + offset).substr(0, 19) + "Z";
  }

  HttpReply Post(std::string_view body, std::string_view header = {}, PtzTime now = kStart,
                 std::string path = "/onvif/device_service") {
    RtspRequest request;
    request.method = "POST";
    request.version = "HTTP/1.1";
    request.uri = std::move(path);
    request.body = Envelope(body, header);
    return service_.Handle(request, "127.0.0.1", now);
  }

  HttpReply AsAdmin(std::string_view body, PtzTime now = kStart) {
    const std::string nonce = crypto::RandomBytes(16);
    return Post(body, Token("admin", "s3cret-pass", nonce, Created()), now);
  }

  base::FakeClock clock_;
  CameraState camera_;
  Snapshots snapshots_;
  RtspAuthenticator auth_;
  OnvifService service_;
};

TEST_F(OnvifServiceTest, PreAuthOperationsAnswerAnonymously) {
  const HttpReply reply = Post("<tds:GetSystemDateAndTime/>");
  EXPECT_EQ(reply.status, 200);
  EXPECT_NE(reply.body.find("<tt:Year>2023</tt:Year>"), std::string::npos) << reply.body;
  EXPECT_NE(
      Post(
          "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>")
          .body.find("http://127.77.0.1:8080/onvif/ptz_service"),
      std::string::npos);
}

TEST_F(OnvifServiceTest, ReadMediaNeedsLoginAndGetsAChallenge) {
  const HttpReply anonymous =
      Post("<trt:GetStreamUri><trt:ProfileToken>main</trt:ProfileToken></trt:GetStreamUri>");
  EXPECT_EQ(anonymous.status, 401);
  ASSERT_FALSE(anonymous.headers.empty());
  EXPECT_NE(anonymous.headers[0].find("Digest realm=\"camsim\""), std::string::npos);
  EXPECT_NE(anonymous.body.find("ter:NotAuthorized"), std::string::npos);

  const HttpReply granted =
      AsAdmin("<trt:GetStreamUri><trt:ProfileToken>main</trt:ProfileToken></trt:GetStreamUri>");
  EXPECT_EQ(granted.status, 200);
  EXPECT_NE(granted.body.find("rtsp://127.77.0.1:8554/main"), std::string::npos) << granted.body;
}

TEST_F(OnvifServiceTest, UsernameTokenFailures) {
  const std::string body = "<trt:GetProfiles/>";
  // Wrong password.
  EXPECT_EQ(Post(body, Token("admin", "wrong", "nonce-1", Created())).status, 400);
  // Created too far from the camera's clock.
  EXPECT_EQ(
      Post(body, Token("admin", "s3cret-pass", "nonce-2", Created(std::chrono::seconds(-900))))
          .status,
      400);
  // Within the tolerated skew.
  EXPECT_EQ(
      Post(body, Token("admin", "s3cret-pass", "nonce-3", Created(std::chrono::seconds(-120))))
          .status,
      200);
  // The same token again: a replay.
  const std::string token = Token("admin", "s3cret-pass", "nonce-4", Created());
  EXPECT_EQ(Post(body, token).status, 200);
  const HttpReply replay = Post(body, token);
  EXPECT_EQ(replay.status, 400);
  EXPECT_NE(replay.body.find("ter:NotAuthorized"), std::string::npos);
}

TEST_F(OnvifServiceTest, UserLevelCannotActuateOrManageUsers) {
  const std::string move =
      R"(<tptz:AbsoluteMove><tptz:ProfileToken>main</tptz:ProfileToken><tptz:Position><tt:PanTilt x="0.5" y="0"/></tptz:Position></tptz:AbsoluteMove>)";
  EXPECT_EQ(Post(move, Token("viewer", "viewer-pass", "n-1", Created())).status, 400);
  EXPECT_EQ(Post("<tds:GetUsers/>", Token("viewer", "viewer-pass", "n-2", Created())).status, 400);
  EXPECT_EQ(Post("<trt:GetProfiles/>", Token("viewer", "viewer-pass", "n-3", Created())).status,
            200);
}

TEST_F(OnvifServiceTest, PtzMovesAtFiniteSpeedAndReportsStatus) {
  const std::string move =
      R"(<tptz:AbsoluteMove><tptz:ProfileToken>main</tptz:ProfileToken><tptz:Position><tt:PanTilt x="1" y="0"/></tptz:Position></tptz:AbsoluteMove>)";
  ASSERT_EQ(AsAdmin("<tptz:GetStatus><tptz:ProfileToken>main</tptz:ProfileToken></tptz:GetStatus>")
                .status,
            200);
  ASSERT_EQ(AsAdmin(move).status, 200);
  const std::string status =
      "<tptz:GetStatus><tptz:ProfileToken>main</tptz:ProfileToken></tptz:GetStatus>";
  const HttpReply moving = AsAdmin(status, kStart + milliseconds(1000));
  EXPECT_NE(moving.body.find("x=\"0.5\""), std::string::npos) << moving.body;
  EXPECT_NE(moving.body.find("<tt:PanTilt>MOVING</tt:PanTilt>"), std::string::npos);
  const HttpReply idle = AsAdmin(status, kStart + milliseconds(3000));
  EXPECT_NE(idle.body.find("x=\"1\""), std::string::npos) << idle.body;
  EXPECT_NE(idle.body.find("<tt:PanTilt>IDLE</tt:PanTilt>"), std::string::npos);
  EXPECT_EQ(camera_.View(kStart + milliseconds(3000)), "right");
}

TEST_F(OnvifServiceTest, UserManagementChangesTheAccountsEveryInterfaceUses) {
  ASSERT_EQ(
      AsAdmin(
          R"(<tds:CreateUsers><tds:User><tt:Username>intruder</tt:Username><tt:Password>x1</tt:Password><tt:UserLevel>Administrator</tt:UserLevel></tds:User></tds:CreateUsers>)")
          .status,
      200);
  EXPECT_EQ(camera_.PasswordOf("intruder"), "x1");
  EXPECT_EQ(
      AsAdmin(
          R"(<tds:CreateUsers><tds:User><tt:Username>intruder</tt:Username><tt:Password>x</tt:Password><tt:UserLevel>User</tt:UserLevel></tds:User></tds:CreateUsers>)")
          .status,
      400);
  const HttpReply users = AsAdmin("<tds:GetUsers/>");
  EXPECT_NE(users.body.find("<tt:Username>intruder</tt:Username>"), std::string::npos);
  EXPECT_NE(users.body.find("<tt:UserLevel>Administrator</tt:UserLevel>"), std::string::npos);
  ASSERT_EQ(
      AsAdmin("<tds:DeleteUsers><tds:Username>intruder</tds:Username></tds:DeleteUsers>").status,
      200);
  EXPECT_FALSE(camera_.PasswordOf("intruder"));
  // The last administrator stays.
  EXPECT_EQ(AsAdmin("<tds:DeleteUsers><tds:Username>admin</tds:Username></tds:DeleteUsers>").status,
            400);
}

TEST_F(OnvifServiceTest, DnsAndNtpRoundTrip) {
  ASSERT_EQ(
      AsAdmin(
          R"(<tds:SetDNS><tds:FromDHCP>false</tds:FromDHCP><tds:DNSManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>127.0.0.99</tt:IPv4Address></tds:DNSManual></tds:SetDNS>)")
          .status,
      200);
  EXPECT_NE(AsAdmin("<tds:GetDNS/>").body.find("<tt:IPv4Address>127.0.0.99</tt:IPv4Address>"),
            std::string::npos);
  ASSERT_EQ(
      AsAdmin(
          R"(<tds:SetNTP><tds:FromDHCP>false</tds:FromDHCP><tds:NTPManual><tt:Type>DNS</tt:Type><tt:DNSname>time.example</tt:DNSname></tds:NTPManual></tds:SetNTP>)")
          .status,
      200);
  EXPECT_NE(AsAdmin("<tds:GetNTP/>").body.find("time.example"), std::string::npos);
}

TEST_F(OnvifServiceTest, HostileAndUnknownInput) {
  RtspRequest request;
  request.method = "POST";
  request.uri = "/onvif/device_service";
  request.body =
      R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><s:Envelope xmlns:s="x"><s:Body>&a;</s:Body></s:Envelope>)";
  EXPECT_EQ(service_.Handle(request, "127.0.0.1", kStart).status, 400);
  request.body = "<s:Envelope><s:Body><unclosed>";
  EXPECT_EQ(service_.Handle(request, "127.0.0.1", kStart).status, 400);
  EXPECT_EQ(Post("<tds:NoSuchOperation/>").status, 500);
  EXPECT_EQ(
      AsAdmin(
          R"(<tptz:AbsoluteMove><tptz:ProfileToken>main</tptz:ProfileToken><tptz:Position><tt:PanTilt x="nan" y="0"/></tptz:Position></tptz:AbsoluteMove>)")
          .status,
      400);
  EXPECT_EQ(
      AsAdmin(R"(<tptz:GetStatus><tptz:ProfileToken>other</tptz:ProfileToken></tptz:GetStatus>)")
          .status,
      400);
}

TEST_F(OnvifServiceTest, LockoutAfterRepeatedFailuresUnlessNoLockout) {
  for (int i = 0; i < kLockoutFailures; ++i) {
    Post("<trt:GetProfiles/>", Token("admin", "wrong", fmt::format("n{}", i), Created()));
  }
  // Even the right password is refused while locked out.
  EXPECT_EQ(AsAdmin("<trt:GetProfiles/>").status, 429);
  EXPECT_EQ(
      AsAdmin("<trt:GetProfiles/>", kStart + kLockoutDuration + std::chrono::seconds(1)).status,
      200);

  camera_.weaknesses.no_lockout = true;
  for (int i = 0; i < 3 * kLockoutFailures; ++i) {
    Post("<trt:GetProfiles/>", Token("admin", "wrong", fmt::format("m{}", i), Created()));
  }
  EXPECT_EQ(AsAdmin("<trt:GetProfiles/>").status, 200);
}

TEST_F(OnvifServiceTest, WeaknessProfilesOpenExactlyTheirDoor) {
  EXPECT_EQ(Post("<tds:GetDeviceInformation/>").status, 401);
  camera_.weaknesses.info_leak = true;
  EXPECT_EQ(Post("<tds:GetDeviceInformation/>").status, 200);
  EXPECT_EQ(Post("<tds:GetUsers/>").status, 401);
  camera_.weaknesses.onvif_noauth = true;
  EXPECT_EQ(Post("<tds:GetUsers/>").status, 200);

  RtspRequest probe;
  probe.method = "GET";
  probe.uri = "/Security/users?auth=YWRtaW46MTEK";
  EXPECT_NE(service_.Handle(probe, "127.0.0.1", kStart).status, 200);
  camera_.weaknesses.cve_2017_7921 = true;
  const HttpReply leak = service_.Handle(probe, "127.0.0.1", kStart);
  EXPECT_EQ(leak.status, 200);
  EXPECT_NE(leak.body.find("<userName>admin</userName>"), std::string::npos);
}

TEST_F(OnvifServiceTest, SnapshotNeedsLoginUnlessOpen) {
  RtspRequest get;
  get.method = "GET";
  get.uri = "/snapshot.jpg";
  EXPECT_EQ(service_.Handle(get, "127.0.0.1", kStart).status, 401);
  camera_.weaknesses.open_rtsp = true;
  const HttpReply open = service_.Handle(get, "127.0.0.1", kStart);
  EXPECT_EQ(open.status, 200);
  EXPECT_EQ(open.body, "JPEG-home");
}

TEST(XsDuration, ParsesOnvifTimeouts) {
  EXPECT_EQ(ParseXsDuration("PT1S"), milliseconds(1000));
  EXPECT_EQ(ParseXsDuration("PT0.5S"), milliseconds(500));
  EXPECT_EQ(ParseXsDuration("PT1M30S"), milliseconds(90000));
  EXPECT_EQ(ParseXsDuration("P1DT0S"), milliseconds(86400000));
  EXPECT_FALSE(ParseXsDuration("PT"));
  EXPECT_FALSE(ParseXsDuration("1S"));
  EXPECT_FALSE(ParseXsDuration("PT1H1S2"));
  EXPECT_FALSE(ParseXsDuration("P2D"));  // longer than a day
}

TEST(AccessPolicy, DefaultClassesPerLevel) {
  EXPECT_TRUE(LevelAllows(std::nullopt, AccessClass::kPreAuth));
  EXPECT_FALSE(LevelAllows(std::nullopt, AccessClass::kReadMedia));
  EXPECT_TRUE(LevelAllows(UserLevel::kUser, AccessClass::kReadMedia));
  EXPECT_FALSE(LevelAllows(UserLevel::kUser, AccessClass::kActuate));
  EXPECT_TRUE(LevelAllows(UserLevel::kOperator, AccessClass::kActuate));
  EXPECT_FALSE(LevelAllows(UserLevel::kOperator, AccessClass::kUnrecoverable));
  EXPECT_TRUE(LevelAllows(UserLevel::kAdministrator, AccessClass::kUnrecoverable));
  EXPECT_EQ(AccessClassOf("ContinuousMove"), AccessClass::kActuate);
  EXPECT_FALSE(AccessClassOf("Bogus"));
}

}  // namespace
}  // namespace camguard::camsim
