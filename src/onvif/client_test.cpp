// SPDX-License-Identifier: Apache-2.0
// The ONVIF client against a scripted camera (a fake transport): the clock offset in every
// token, the single retry after NotAuthorized, HTTP status mapping, service discovery with its
// fallback, argument checks, and passwords kept out of every error.
#include "onvif/client.h"

#include <cmath>
#include <deque>
#include <memory>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "base/encoding.h"
#include "crypto/crypto.h"

namespace camguard::onvif {
namespace {

using base::ErrorCode;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr std::string_view kDeviceUrl = "http://192.0.2.10/onvif/device_service";
constexpr std::string_view kPassword = "s3cret-Pa55word";

std::string Answer(std::string_view body) {
  return fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      R"(<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" )"
      R"(xmlns:tds="http://www.onvif.org/ver10/device/wsdl" )"
      R"(xmlns:trt="http://www.onvif.org/ver10/media/wsdl" )"
      R"(xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" )"
      R"(xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error">)"
      R"(<SOAP-ENV:Body>{}</SOAP-ENV:Body></SOAP-ENV:Envelope>)",
      body);
}

std::string Fault(std::string_view code, std::string_view subcode, std::string_view reason) {
  return Answer(fmt::format(
      "<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>{}</SOAP-ENV:Value><SOAP-ENV:Subcode>"
      "<SOAP-ENV:Value>{}</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code><SOAP-ENV:Reason>"
      "<SOAP-ENV:Text xml:lang=\"en\">{}</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault>",
      code, subcode, reason));
}

std::string NotAuthorized() {
  return Fault("SOAP-ENV:Sender", "ter:NotAuthorized", "Sender not Authorized");
}

// The camera's UTC clock as GetSystemDateAndTime reports it.
std::string CameraTime(int year, int month, int day, int hour, int minute, int second) {
  return Answer(fmt::format(
      "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual"
      "</tt:DateTimeType><tt:UTCDateTime><tt:Time><tt:Hour>{}</tt:Hour><tt:Minute>{}</tt:Minute>"
      "<tt:Second>{}</tt:Second></tt:Time><tt:Date><tt:Year>{}</tt:Year><tt:Month>{}</tt:Month>"
      "<tt:Day>{}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime>"
      "</tds:GetSystemDateAndTimeResponse>",
      hour, minute, second, year, month, day));
}

std::string DeviceInformation() {
  return Answer(
      "<tds:GetDeviceInformationResponse><tds:Manufacturer>ACME</tds:Manufacturer>"
      "<tds:Model>C1</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion>"
      "<tds:SerialNumber>42</tds:SerialNumber><tds:HardwareId>h</tds:HardwareId>"
      "</tds:GetDeviceInformationResponse>");
}

struct Sent {
  std::string url;
  std::string action;
  std::string body;
};

// What a request's UsernameToken says, read back from the envelope.
struct SentToken {
  std::string username, digest, nonce, created;
};

std::optional<SentToken> TokenIn(const std::string& envelope) {
  pugi::xml_document doc;
  if (!doc.load_string(envelope.c_str())) return std::nullopt;
  const pugi::xml_node token =
      doc.select_node("/s:Envelope/s:Header/wsse:Security/wsse:UsernameToken").node();
  if (!token) return std::nullopt;
  return SentToken{token.child_value("wsse:Username"), token.child_value("wsse:Password"),
                   token.child_value("wsse:Nonce"), token.child_value("wsu:Created")};
}

std::string ExpectedDigest(const SentToken& token, std::string_view password) {
  const Result<std::string> nonce = base::Base64Decode(token.nonce);
  EXPECT_TRUE(nonce);
  return base::Base64Encode(
      crypto::Sha1(nonce.value_or("") + token.created + std::string(password)));
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() : client_(MakeClient()) { EXPECT_TRUE(crypto::Initialize()); }

  Client MakeClient() {
    return Client(
        std::string(kDeviceUrl), "admin", base::Redacted<std::string>(std::string(kPassword)),
        [this](const std::string& url, std::string_view action,
               const std::string& body) -> Result<HttpExchange> {
          sent_.push_back(Sent{url, std::string(action), body});
          if (replies_.empty()) {
            return base::Fail(ErrorCode::kUnavailable, "no scripted reply");
          }
          Result<HttpExchange> reply = std::move(replies_.front());
          replies_.pop_front();
          return reply;
        },
        clock_);
  }

  void Reply(int status, std::string body) {
    replies_.push_back(HttpExchange{status, std::move(body)});
  }
  void ReplyError(ErrorCode code, std::string message) {
    replies_.push_back(base::Fail(code, std::move(message)));
  }

  base::FakeClock clock_{WallTime(std::chrono::seconds(1'700'000'000))};
  std::deque<Result<HttpExchange>> replies_;
  std::vector<Sent> sent_;
  Client client_;
};

TEST_F(ClientTest, SyncClockIsUnauthenticatedAndItsOffsetGoesIntoEveryCreated) {
  Reply(200, CameraTime(2010, 9, 16, 7, 50, 45));  // the camera lives in 2010
  ASSERT_TRUE(client_.SyncClock());
  EXPECT_EQ(client_.clock_offset(),
            std::chrono::seconds(1284623445) - std::chrono::seconds(1'700'000'000));
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].url, kDeviceUrl);
  EXPECT_EQ(sent_[0].action, "http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime");
  EXPECT_FALSE(TokenIn(sent_[0].body));
  EXPECT_THAT(sent_[0].body, Not(HasSubstr("Security")));

  clock_.Advance(10s);
  Reply(200, DeviceInformation());
  const Result<onvif::DeviceInformation> info = client_.GetDeviceInformation();
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->model, "C1");
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].action, "http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation");
  const std::optional<SentToken> token = TokenIn(sent_[1].body);
  ASSERT_TRUE(token) << sent_[1].body;
  EXPECT_EQ(token->username, "admin");
  EXPECT_EQ(token->created, "2010-09-16T07:50:55Z");
  EXPECT_EQ(token->digest, ExpectedDigest(*token, kPassword));
  EXPECT_EQ(base::Base64Decode(token->nonce).value_or("").size(), 16u);
  EXPECT_THAT(sent_[1].body, Not(HasSubstr(kPassword)));
}

TEST_F(ClientTest, EachTokenHasAFreshNonce) {
  Reply(200, DeviceInformation());
  Reply(200, DeviceInformation());
  ASSERT_TRUE(client_.GetDeviceInformation());
  ASSERT_TRUE(client_.GetDeviceInformation());
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_NE(TokenIn(sent_[0].body)->nonce, TokenIn(sent_[1].body)->nonce);
  EXPECT_EQ(TokenIn(sent_[0].body)->created, "2023-11-14T22:13:20Z");  // no offset yet
}

TEST_F(ClientTest, NotAuthorizedIsRetriedOnceAfterResyncingTheClock) {
  Reply(400, NotAuthorized());
  Reply(200, CameraTime(2024, 1, 2, 3, 4, 5));
  Reply(200, DeviceInformation());
  const Result<onvif::DeviceInformation> info = client_.GetDeviceInformation();
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_THAT(sent_[1].action, HasSubstr("GetSystemDateAndTime"));
  EXPECT_EQ(TokenIn(sent_[0].body)->created, "2023-11-14T22:13:20Z");
  const std::optional<SentToken> retried = TokenIn(sent_[2].body);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->created, "2024-01-02T03:04:05Z");
  EXPECT_EQ(retried->digest, ExpectedDigest(*retried, kPassword));
}

TEST_F(ClientTest, NotAuthorizedTwiceIsPermissionDeniedWithoutASecondRetry) {
  Reply(400, NotAuthorized());
  Reply(200, CameraTime(2024, 1, 2, 3, 4, 5));
  Reply(400, NotAuthorized());
  Reply(200, DeviceInformation());  // must stay unused
  const Result<onvif::DeviceInformation> info = client_.GetDeviceInformation();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(info.error().message, "ONVIF fault ter:NotAuthorized: Sender not Authorized");
  EXPECT_EQ(sent_.size(), 3u);
}

TEST_F(ClientTest, NotAuthorizedWhenTheClockCannotBeReadKeepsTheFault) {
  Reply(400, NotAuthorized());
  Reply(503, "");
  const Status stop = client_.Stop("Profile_1");
  ASSERT_FALSE(stop);
  EXPECT_EQ(stop.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(sent_.size(), 2u);
}

TEST_F(ClientTest, HttpStatusesMapToErrors) {
  Reply(401, "");
  Result<std::vector<Profile>> profiles = client_.GetProfiles();
  ASSERT_FALSE(profiles);
  EXPECT_EQ(profiles.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(profiles.error().message, "camera refused the credentials");
  EXPECT_EQ(sent_.size(), 1u);  // HTTP authentication is the transport's: no clock retry

  Reply(500, Fault("SOAP-ENV:Receiver", "ter:ActionNotSupported", "Not implemented"));
  profiles = client_.GetProfiles();
  ASSERT_FALSE(profiles);
  EXPECT_EQ(profiles.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(profiles.error().message, "ONVIF fault ter:ActionNotSupported: Not implemented");

  Reply(400, Fault("SOAP-ENV:Sender", "ter:InvalidArgVal", "bad token"));
  profiles = client_.GetProfiles();
  ASSERT_FALSE(profiles);
  EXPECT_EQ(profiles.error().code, ErrorCode::kInvalidArgument);

  Reply(503, "<html>busy</html>");
  profiles = client_.GetProfiles();
  ASSERT_FALSE(profiles);
  EXPECT_EQ(profiles.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(profiles.error().message, HasSubstr("HTTP 503"));

  Reply(400, "");
  profiles = client_.GetProfiles();
  ASSERT_FALSE(profiles);
  EXPECT_EQ(profiles.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(profiles.error().message, HasSubstr("HTTP 400"));

  Reply(200, Fault("SOAP-ENV:Receiver", "ter:Busy", "try later"));  // a fault with 200
  profiles = client_.GetProfiles();
  ASSERT_FALSE(profiles);
  EXPECT_EQ(profiles.error().code, ErrorCode::kUnavailable);

  ReplyError(ErrorCode::kDeadlineExceeded, "timed out after 5 s");
  profiles = client_.GetProfiles();
  ASSERT_FALSE(profiles);
  EXPECT_EQ(profiles.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_THAT(profiles.error().message, HasSubstr("GetProfiles"));
}

TEST_F(ClientTest, PasswordsNeverAppearInErrors) {
  // A transport error message that quotes the password.
  ReplyError(ErrorCode::kUnavailable, fmt::format("curl: login admin:{} failed", kPassword));
  Result<onvif::DeviceInformation> info = client_.GetDeviceInformation();
  ASSERT_FALSE(info);
  EXPECT_THAT(info.error().message, Not(HasSubstr(kPassword)));
  EXPECT_THAT(info.error().message, HasSubstr("***"));

  // A camera that echoes the password in its fault.
  Reply(400, Fault("SOAP-ENV:Sender", "ter:InvalidArgVal",
                   fmt::format("password {} is not accepted", kPassword)));
  info = client_.GetDeviceInformation();
  ASSERT_FALSE(info);
  EXPECT_THAT(info.error().message, Not(HasSubstr(kPassword)));

  // A new user's password echoed where the reason is cut: not even its first half may remain.
  const std::string new_password = "Brand-New-Passw0rd-That-Is-Long";
  Reply(400, Fault("SOAP-ENV:Sender", "ter:InvalidArgVal",
                   std::string(280, '.') + " " + new_password + " is too weak"));
  const Status created =
      client_.CreateUser("bob", base::Redacted<std::string>(new_password), UserLevel::kOperator);
  ASSERT_FALSE(created);
  EXPECT_THAT(created.error().message, Not(HasSubstr(new_password.substr(0, 8))));
  // ...though it was sent, as ONVIF requires.
  EXPECT_THAT(sent_.back().body, HasSubstr("<tt:Password>" + new_password + "</tt:Password>"));

  Reply(400, Fault("SOAP-ENV:Sender", "ter:InvalidArgVal", "p&amp;ss&lt; rejected"));
  const Status set =
      client_.SetUserPassword("bob", base::Redacted<std::string>("p&ss<"), UserLevel::kUser);
  ASSERT_FALSE(set);
  EXPECT_THAT(set.error().message, Not(HasSubstr("p&ss<")));

  EXPECT_EQ(fmt::format("{}", base::Redacted<std::string>(std::string(kPassword))), "***");
}

TEST_F(ClientTest, ConnectUsesGetServicesAndDefaultsMissingAddresses) {
  Reply(200, CameraTime(2023, 11, 14, 22, 13, 25));
  Reply(200, Answer("<tds:GetServicesResponse><tds:Service><tds:Namespace>"
                    "http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>"
                    "http://192.0.2.10:8080/onvif/media</tds:XAddr></tds:Service>"
                    "</tds:GetServicesResponse>"));
  ASSERT_TRUE(client_.Connect());
  EXPECT_EQ(client_.clock_offset(), 5s);
  EXPECT_EQ(client_.services().media, "http://192.0.2.10:8080/onvif/media");
  EXPECT_EQ(client_.services().ptz, kDeviceUrl);
  EXPECT_EQ(client_.services().device, kDeviceUrl);
  EXPECT_EQ(client_.services().events, "");
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].action, "http://www.onvif.org/ver10/device/wsdl/GetServices");
  EXPECT_EQ(TokenIn(sent_[1].body)->created, "2023-11-14T22:13:25Z");

  Reply(200, Answer("<trt:GetProfilesResponse><trt:Profiles token=\"main\"><tt:Name>Main</tt:Name>"
                    "</trt:Profiles></trt:GetProfilesResponse>"));
  const Result<std::vector<Profile>> profiles = client_.GetProfiles();
  ASSERT_TRUE(profiles);
  ASSERT_EQ(profiles->size(), 1u);
  EXPECT_EQ(sent_.back().url, "http://192.0.2.10:8080/onvif/media");
  EXPECT_EQ(sent_.back().action, "http://www.onvif.org/ver10/media/wsdl/GetProfiles");

  Reply(200, Answer("<tptz:StopResponse/>"));
  ASSERT_TRUE(client_.Stop("main"));
  EXPECT_EQ(sent_.back().url, kDeviceUrl);  // no PTZ address given: the device URL
  EXPECT_EQ(sent_.back().action, "http://www.onvif.org/ver20/ptz/wsdl/Stop");
}

TEST_F(ClientTest, ConnectFallsBackToGetCapabilities) {
  Reply(401, "");  // a camera that wants credentials even for its clock
  Reply(400, Fault("SOAP-ENV:Sender", "ter:ActionNotSupported", "GetServices"));
  Reply(200, Answer("<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>"
                    "http://192.0.2.10/media</tt:XAddr></tt:Media><tt:PTZ><tt:XAddr>"
                    "http://192.0.2.10/ptz</tt:XAddr></tt:PTZ></tds:Capabilities>"
                    "</tds:GetCapabilitiesResponse>"));
  const Status connected = client_.Connect();
  ASSERT_TRUE(connected) << connected.error().message;
  EXPECT_EQ(client_.clock_offset(), 0s);
  EXPECT_EQ(client_.services().media, "http://192.0.2.10/media");
  EXPECT_EQ(client_.services().ptz, "http://192.0.2.10/ptz");
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(sent_[2].action, "http://www.onvif.org/ver10/device/wsdl/GetCapabilities");

  Reply(200, Answer("<tptz:GetStatusResponse><tptz:PTZStatus><tt:MoveStatus><tt:PanTilt>IDLE"
                    "</tt:PanTilt></tt:MoveStatus></tptz:PTZStatus></tptz:GetStatusResponse>"));
  const Result<PtzStatus> status = client_.GetPtzStatus("main");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->pan_tilt_state, PtzStatus::MoveState::kIdle);
  EXPECT_EQ(sent_.back().url, "http://192.0.2.10/ptz");
  EXPECT_EQ(sent_.back().action, "http://www.onvif.org/ver20/ptz/wsdl/GetStatus");
}

TEST_F(ClientTest, ConnectStopsOnWrongCredentialsAndUnreachableCameras) {
  Reply(200, CameraTime(2023, 11, 14, 22, 13, 20));
  Reply(400, NotAuthorized());                       // GetServices
  Reply(200, CameraTime(2023, 11, 14, 22, 13, 20));  // the clock retry
  Reply(400, NotAuthorized());
  const Status denied = client_.Connect();
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(sent_.size(), 4u);  // no GetCapabilities: the credentials are what is wrong

  ReplyError(ErrorCode::kUnavailable, "connection refused");
  const Status unreachable = client_.Connect();
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(unreachable.error().message, HasSubstr("connection refused"));
}

TEST_F(ClientTest, MediaAndPtzOperationsSendTheirArguments) {
  Reply(200, Answer("<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://192.0.2.10/main"
                    "</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>"));
  const Result<std::string> uri = client_.GetStreamUri("main");
  ASSERT_TRUE(uri);
  EXPECT_EQ(*uri, "rtsp://192.0.2.10/main");
  EXPECT_THAT(sent_.back().body, HasSubstr("<trt:ProfileToken>main</trt:ProfileToken>"));

  Reply(200, Answer("<tptz:ContinuousMoveResponse/>"));
  ASSERT_TRUE(client_.ContinuousMove("main", 0.5, 0, 0, 1500ms));
  EXPECT_EQ(sent_.back().action, "http://www.onvif.org/ver20/ptz/wsdl/ContinuousMove");
  EXPECT_THAT(sent_.back().body, HasSubstr("<tptz:Timeout>PT1.5S</tptz:Timeout>"));

  Reply(200, Answer("<tptz:SetPresetResponse><tptz:PresetToken>9</tptz:PresetToken>"
                    "</tptz:SetPresetResponse>"));
  const Result<std::string> preset = client_.SetPreset("main", "Gate");
  ASSERT_TRUE(preset);
  EXPECT_EQ(*preset, "9");

  Reply(200, Answer("<tptz:GotoPresetResponse/>"));
  EXPECT_TRUE(client_.GotoPreset("main", "9"));
  Reply(200, Answer("<tptz:GotoPresetResponse/>"));  // the wrong answer for RemovePreset
  const Status removed = client_.RemovePreset("main", "9");
  ASSERT_FALSE(removed);
  EXPECT_THAT(removed.error().message, HasSubstr("RemovePresetResponse"));
}

TEST_F(ClientTest, RefusesBadArgumentsWithoutSendingAnything) {
  EXPECT_EQ(client_.ContinuousMove("main", std::nan(""), 0, 0).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(client_.AbsoluteMove("main", 0, HUGE_VAL, 0));
  EXPECT_FALSE(client_.RelativeMove("main", 0, 0, -HUGE_VAL));
  EXPECT_FALSE(client_.ContinuousMove("main", 0.1, 0, 0, 0ms));
  EXPECT_FALSE(client_.GetStreamUri(""));
  EXPECT_FALSE(client_.GotoPreset("main", std::string("a\0b", 3)));
  const Status bad_password = client_.CreateUser(
      "bob", base::Redacted<std::string>(std::string("pw\x01secret")), UserLevel::kUser);
  ASSERT_FALSE(bad_password);
  EXPECT_THAT(bad_password.error().message, Not(HasSubstr("secret")));
  EXPECT_TRUE(sent_.empty());
}

TEST_F(ClientTest, ChangingOurOwnPasswordSwitchesTheSession) {
  Reply(200, Answer("<tds:SetUserResponse/>"));
  ASSERT_TRUE(client_.SetUserPassword("admin", base::Redacted<std::string>("n3w-pass"),
                                      UserLevel::kAdministrator));
  Reply(200,
        Answer("<tds:GetUsersResponse><tds:User><tt:Username>admin</tt:Username>"
               "<tt:UserLevel>Administrator</tt:UserLevel></tds:User></tds:GetUsersResponse>"));
  const Result<std::vector<User>> users = client_.GetUsers();
  ASSERT_TRUE(users);
  EXPECT_EQ(users->size(), 1u);
  const std::optional<SentToken> token = TokenIn(sent_.back().body);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->digest, ExpectedDigest(*token, "n3w-pass"));

  Reply(200, Answer("<tds:SetUserResponse/>"));
  ASSERT_TRUE(
      client_.SetUserPassword("bob", base::Redacted<std::string>("other"), UserLevel::kUser));
  Reply(200, Answer("<tds:DeleteUsersResponse/>"));
  ASSERT_TRUE(client_.DeleteUser("bob"));
  const std::optional<SentToken> after = TokenIn(sent_.back().body);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->digest, ExpectedDigest(*after, "n3w-pass"));
}

TEST_F(ClientTest, NetworkSettings) {
  Reply(200, Answer("<tds:GetNTPResponse><tds:NTPInformation><tt:FromDHCP>false</tt:FromDHCP>"
                    "<tt:NTPManual><tt:Type>DNS</tt:Type><tt:DNSname>pool.ntp.org</tt:DNSname>"
                    "</tt:NTPManual></tds:NTPInformation></tds:GetNTPResponse>"));
  const Result<Ntp> ntp = client_.GetNtp();
  ASSERT_TRUE(ntp);
  EXPECT_EQ(ntp->servers, std::vector<std::string>{"pool.ntp.org"});
  EXPECT_EQ(sent_.back().action, "http://www.onvif.org/ver10/device/wsdl/GetNTP");

  Reply(200, Answer("<tds:GetDNSResponse><tds:DNSInformation><tt:FromDHCP>true</tt:FromDHCP>"
                    "</tds:DNSInformation></tds:GetDNSResponse>"));
  const Result<Dns> dns = client_.GetDns();
  ASSERT_TRUE(dns);
  EXPECT_TRUE(dns->from_dhcp);

  Reply(200, Answer("<tds:GetNetworkInterfacesResponse/>"));
  const Result<std::vector<NetworkInterface>> interfaces = client_.GetNetworkInterfaces();
  ASSERT_TRUE(interfaces);
  EXPECT_TRUE(interfaces->empty());
}

}  // namespace
}  // namespace camguard::onvif
