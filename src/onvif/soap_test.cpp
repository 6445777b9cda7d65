// SPDX-License-Identifier: Apache-2.0
// SOAP envelopes, the UsernameToken digest, request bodies, and every response parser against
// answers shaped like real cameras' (varied namespace prefixes), faults, missing elements and
// hostile XML.
#include "onvif/soap.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "base/encoding.h"

namespace camguard::onvif {
namespace {

using base::ErrorCode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

// Wraps a body in an envelope the way cameras do: `env` is the SOAP prefix ("" for none).
std::string Answer(std::string_view body, std::string_view env = "env") {
  const std::string p = env.empty() ? "" : std::string(env) + ":";
  const std::string decl = env.empty() ? "xmlns" : "xmlns:" + std::string(env);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + p + "Envelope " + decl +
         "=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:tt=\"http://www.onvif.org/ver10/schema\" "
         "xmlns:ns2=\"http://www.onvif.org/ver10/schema\" "
         "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" "
         "xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" "
         "xmlns:tptz=\"http://www.onvif.org/ver20/ptz/wsdl\" "
         "xmlns:ter=\"http://www.onvif.org/ver10/error\">\n  <" +
         p + "Header/>\n  <" + p + "Body>\n" + std::string(body) + "\n  </" + p + "Body>\n</" + p +
         "Envelope>\n";
}

std::string Fault12(std::string_view code, std::string_view subcode, std::string_view reason,
                    std::string_view env = "env") {
  const std::string p = env.empty() ? "" : std::string(env) + ":";
  std::string sub;
  if (!subcode.empty()) {
    sub = "<" + p + "Subcode><" + p + "Value>" + std::string(subcode) + "</" + p + "Value></" + p +
          "Subcode>";
  }
  return Answer("<" + p + "Fault><" + p + "Code><" + p + "Value>" + std::string(code) + "</" + p +
                    "Value>" + sub + "</" + p + "Code><" + p + "Reason><" + p +
                    "Text xml:lang=\"en\">" + std::string(reason) + "</" + p + "Text></" + p +
                    "Reason></" + p + "Fault>",
                env);
}

// Parses a generated document with pugixml and returns the text at a '/'-separated path of
// full element names (the builders' output must be well-formed and namespaced as intended).
std::string TextAt(const std::string& xml, const char* xpath) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
  return doc.select_node(xpath).node().child_value();
}

// --- Envelope and UsernameToken ----------------------------------------------------------

TEST(UsernameTokenTest, MatchesThePublishedOnvifExample) {
  const Result<std::string> nonce = base::Base64Decode("LKqI6G/AikKCQrN0zqZFlg==");
  ASSERT_TRUE(nonce);
  // 2010-09-16T07:50:45Z
  const WallTime created{std::chrono::seconds(1284623445)};
  const UsernameToken token = MakeUsernameToken("user", "userpassword", *nonce, created);
  EXPECT_EQ(token.password_digest, "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
  EXPECT_EQ(token.nonce_base64, "LKqI6G/AikKCQrN0zqZFlg==");
  EXPECT_EQ(token.created, "2010-09-16T07:50:45Z");
  EXPECT_EQ(token.username, "user");
}

TEST(UsernameTokenTest, CreatedDropsSubSecondsAndDigestDependsOnEveryInput) {
  const WallTime created = WallTime(std::chrono::seconds(1284623445)) + 999ms;
  const UsernameToken token =
      MakeUsernameToken("user", "userpassword", "0123456789abcdef", created);
  EXPECT_EQ(token.created, "2010-09-16T07:50:45Z");
  EXPECT_NE(MakeUsernameToken("user", "other", "0123456789abcdef", created).password_digest,
            token.password_digest);
  EXPECT_NE(MakeUsernameToken("user", "userpassword", "0123456789abcdeX", created).password_digest,
            token.password_digest);
  EXPECT_NE(
      MakeUsernameToken("user", "userpassword", "0123456789abcdef", created + 1s).password_digest,
      token.password_digest);
}

TEST(EnvelopeTest, CarriesTheTokenInAMustUnderstandSecurityHeader) {
  const UsernameToken token{"ad<min>&\"", "ZGlnZXN0", "bm9uY2U=", "2024-01-02T03:04:05Z"};
  const std::string xml = Envelope(request::GetUsers(), token);
  EXPECT_THAT(xml, HasSubstr("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""));
  EXPECT_THAT(xml, HasSubstr("s:mustUnderstand=\"1\""));
  EXPECT_THAT(xml, HasSubstr("#PasswordDigest\">ZGlnZXN0</wsse:Password>"));
  EXPECT_THAT(xml, HasSubstr("#Base64Binary\">bm9uY2U=</wsse:Nonce>"));
  EXPECT_EQ(TextAt(xml, "/s:Envelope/s:Header/wsse:Security/wsse:UsernameToken/wsse:Username"),
            "ad<min>&\"");
  EXPECT_EQ(TextAt(xml, "/s:Envelope/s:Header/wsse:Security/wsse:UsernameToken/wsu:Created"),
            "2024-01-02T03:04:05Z");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const pugi::xml_node users = doc.select_node("/s:Envelope/s:Body/tds:GetUsers").node();
  ASSERT_TRUE(users);
  EXPECT_STREQ(users.attribute("xmlns:tds").value(), "http://www.onvif.org/ver10/device/wsdl");
  EXPECT_STREQ(doc.select_node("//wsse:Security").node().attribute("xmlns:wsse").value(),
               "http://docs.oasis-open.org/wss/2004/01/"
               "oasis-200401-wss-wssecurity-secext-1.0.xsd");
}

TEST(EnvelopeTest, WithoutTokenHasNoHeader) {
  const std::string xml = Envelope(request::GetSystemDateAndTime(), std::nullopt);
  EXPECT_THAT(xml, Not(HasSubstr("Header")));
  EXPECT_THAT(xml, HasSubstr("<s:Body><tds:GetSystemDateAndTime xmlns:tds="));
}

// --- Requests ----------------------------------------------------------------------------

TEST(XmlEscapeTest, EscapesMarkupAndReplacesWhatXmlCannotCarry) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(XmlEscape("x\r\n\ty"), "x&#13;&#10;&#9;y");
  EXPECT_EQ(XmlEscape(std::string("a\0b\x1f", 4)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBF"), "\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_TRUE(HasXmlForbiddenCharacters(std::string("a\0", 2)));
  EXPECT_TRUE(HasXmlForbiddenCharacters("\x07"));
  EXPECT_FALSE(HasXmlForbiddenCharacters("tab\tnewline\n<&>"));
}

TEST(RequestTest, StringArgumentsAreEscapedAndRoundTrip) {
  const std::string hostile = "</tds:Username><tds:Username>admin&amp;\r";
  const std::string xml =
      Envelope(request::CreateUsers(hostile, "p<w>&'\"", UserLevel::kOperator), std::nullopt);
  EXPECT_EQ(TextAt(xml, "//tds:CreateUsers/tds:User/tt:Username"), hostile);
  EXPECT_EQ(TextAt(xml, "//tds:CreateUsers/tds:User/tt:Password"), "p<w>&'\"");
  EXPECT_EQ(TextAt(xml, "//tds:CreateUsers/tds:User/tt:UserLevel"), "Operator");
  EXPECT_EQ(
      TextAt(Envelope(request::DeleteUsers("a&b"), std::nullopt), "//tds:DeleteUsers/tds:Username"),
      "a&b");
  const std::string set = Envelope(request::SetUser("bob", "n3w", UserLevel::kUser), std::nullopt);
  EXPECT_EQ(TextAt(set, "//tds:SetUser/tds:User/tt:Password"), "n3w");
  EXPECT_EQ(TextAt(set, "//tds:SetUser/tds:User/tt:UserLevel"), "User");
}

TEST(RequestTest, MediaRequestsNameTheProfileAndTheTransport) {
  const std::string xml = Envelope(request::GetStreamUri("prof<1>"), std::nullopt);
  EXPECT_EQ(TextAt(xml, "//trt:GetStreamUri/trt:ProfileToken"), "prof<1>");
  EXPECT_EQ(TextAt(xml, "//trt:GetStreamUri/trt:StreamSetup/tt:Stream"), "RTP-Unicast");
  EXPECT_EQ(TextAt(xml, "//trt:GetStreamUri/trt:StreamSetup/tt:Transport/tt:Protocol"), "RTSP");
  EXPECT_EQ(TextAt(Envelope(request::GetSnapshotUri("p"), std::nullopt),
                   "//trt:GetSnapshotUri/trt:ProfileToken"),
            "p");
  EXPECT_THAT(request::GetProfiles(),
              HasSubstr("xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\""));
  EXPECT_THAT(request::GetCapabilities(), HasSubstr("<tds:Category>All</tds:Category>"));
  EXPECT_THAT(request::GetServices(),
              HasSubstr("<tds:IncludeCapability>false</tds:IncludeCapability>"));
}

TEST(RequestTest, PtzNumbersArePreciseAndLocaleIndependent) {
  const std::string xml =
      request::ContinuousMove("p", 0.5, -0.123456789, 1e-7, std::chrono::milliseconds(1500));
  EXPECT_THAT(xml, HasSubstr("xmlns:tptz=\"http://www.onvif.org/ver20/ptz/wsdl\""));
  EXPECT_THAT(xml, HasSubstr("xmlns:tt=\"http://www.onvif.org/ver10/schema\""));
  EXPECT_THAT(
      xml, HasSubstr("<tptz:Velocity><tt:PanTilt x=\"0.5\" y=\"-0.123457\"/><tt:Zoom x=\"1e-07\"/>"
                     "</tptz:Velocity><tptz:Timeout>PT1.5S</tptz:Timeout>"));
  EXPECT_THAT(request::ContinuousMove("p", 0, 0, 0, std::nullopt), Not(HasSubstr("Timeout")));
  EXPECT_THAT(request::ContinuousMove("p", std::nan(""), 0, 0, std::nullopt),
              HasSubstr("<tt:PanTilt x=\"0\""));
  EXPECT_THAT(
      request::RelativeMove("p", 0.1, 0.2, -0.3),
      HasSubstr("<tptz:Translation><tt:PanTilt x=\"0.1\" y=\"0.2\"/><tt:Zoom x=\"-0.3\"/>"));
  EXPECT_THAT(request::AbsoluteMove("p", 1, -1, 0.25),
              HasSubstr("<tptz:Position><tt:PanTilt x=\"1\" y=\"-1\"/><tt:Zoom x=\"0.25\"/>"));
  EXPECT_THAT(request::Stop("p", true, false),
              HasSubstr("<tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>false</tptz:Zoom>"));
}

TEST(RequestTest, PresetRequests) {
  const std::string goto_xml = Envelope(request::GotoPreset("prof", "pre&1"), std::nullopt);
  EXPECT_EQ(TextAt(goto_xml, "//tptz:GotoPreset/tptz:ProfileToken"), "prof");
  EXPECT_EQ(TextAt(goto_xml, "//tptz:GotoPreset/tptz:PresetToken"), "pre&1");
  EXPECT_EQ(TextAt(Envelope(request::SetPreset("prof", "Door <north>"), std::nullopt),
                   "//tptz:SetPreset/tptz:PresetName"),
            "Door <north>");
  EXPECT_EQ(TextAt(Envelope(request::RemovePreset("prof", "7"), std::nullopt),
                   "//tptz:RemovePreset/tptz:PresetToken"),
            "7");
  EXPECT_EQ(TextAt(Envelope(request::GetPresets("prof"), std::nullopt),
                   "//tptz:GetPresets/tptz:ProfileToken"),
            "prof");
  EXPECT_EQ(TextAt(Envelope(request::GetStatus("prof"), std::nullopt),
                   "//tptz:GetStatus/tptz:ProfileToken"),
            "prof");
}

TEST(RequestTest, EveryBodyIsWellFormed) {
  for (const std::string& body :
       {request::GetSystemDateAndTime(), request::GetCapabilities(), request::GetServices(),
        request::GetDeviceInformation(), request::GetUsers(), request::GetNetworkInterfaces(),
        request::GetDNS(), request::GetNTP(), request::GetProfiles(),
        request::SetUser("u", "p", UserLevel::kAdministrator),
        request::ContinuousMove("p", 1, 1, 1, 250ms)}) {
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(Envelope(body, std::nullopt).c_str())) << body;
  }
}

TEST(RequestTest, DurationsAreXsDurations) {
  EXPECT_EQ(FormatXsDuration(1500ms), "PT1.5S");
  EXPECT_EQ(FormatXsDuration(2000ms), "PT2S");
  EXPECT_EQ(FormatXsDuration(20ms), "PT0.02S");
  EXPECT_EQ(FormatXsDuration(3'600'001ms), "PT3600.001S");
  EXPECT_EQ(FormatXsDuration(-5ms), "PT0S");
  EXPECT_EQ(Action(kPtzWsdl, "GetStatus"), "http://www.onvif.org/ver20/ptz/wsdl/GetStatus");
}

// --- Faults ------------------------------------------------------------------------------

TEST(ParseFaultTest, SenderNotAuthorizedIsPermissionDenied) {
  const std::optional<Error> fault =
      ParseFault(Fault12("env:Sender", "ter:NotAuthorized", "Sender not Authorized"));
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(fault->message, "ONVIF fault ter:NotAuthorized: Sender not Authorized");
}

TEST(ParseFaultTest, OtherSenderFaultsAreInvalidArgumentAndReceiverFaultsUnavailable) {
  const std::optional<Error> sender =
      ParseFault(Fault12("SOAP-ENV:Sender", "ter:InvalidArgVal", "No such profile", "SOAP-ENV"));
  ASSERT_TRUE(sender);
  EXPECT_EQ(sender->code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sender->message, "ONVIF fault ter:InvalidArgVal: No such profile");

  const std::optional<Error> receiver = ParseFault(
      Fault12("Receiver", "ter:ActionNotSupported", "Optional Action Not Implemented", ""));
  ASSERT_TRUE(receiver);
  EXPECT_EQ(receiver->code, ErrorCode::kUnavailable);
  EXPECT_EQ(receiver->message,
            "ONVIF fault ter:ActionNotSupported: Optional Action Not Implemented");

  // A receiver-side NotAuthorized is not about our credentials.
  const std::optional<Error> odd = ParseFault(Fault12("env:Receiver", "ter:NotAuthorized", "x"));
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->code, ErrorCode::kUnavailable);
}

TEST(ParseFaultTest, NestedSubcodesMissingPartsAndSoap11) {
  const std::optional<Error> nested = ParseFault(Answer(
      "<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode>"
      "<env:Value>ter:InvalidArgVal</env:Value><env:Subcode><env:Value>ter:NoProfile</env:Value>"
      "</env:Subcode></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">\n  The "
      "requested\n\tprofile does not exist  </env:Text></env:Reason></env:Fault>"));
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->message,
            "ONVIF fault ter:InvalidArgVal/ter:NoProfile: The requested profile does not exist");

  const std::optional<Error> bare = ParseFault(
      Answer("<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code></env:Fault>"));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bare->message, "ONVIF fault env:Sender: (no reason given)");

  const std::optional<Error> soap11 = ParseFault(Answer(
      "<SOAP-ENV:Fault xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><faultcode>"
      "SOAP-ENV:Server</faultcode><faultstring>Internal error</faultstring></SOAP-ENV:Fault>",
      "SOAP-ENV"));
  ASSERT_TRUE(soap11);
  EXPECT_EQ(soap11->code, ErrorCode::kUnavailable);
  EXPECT_EQ(soap11->message, "ONVIF fault SOAP-ENV:Server: Internal error");
}

TEST(ParseFaultTest, MessagesStayOneBoundedLineWhateverTheCameraSays) {
  const std::optional<Error> fault = ParseFault(
      Fault12("env:Sender", "ter:Bad:\n Value: injected", std::string(5000, 'x') + "\nsecond"));
  ASSERT_TRUE(fault);
  EXPECT_THAT(fault->message, Not(HasSubstr("\n")));
  EXPECT_THAT(fault->message, HasSubstr("ONVIF fault ter:Bad:Value:injected: xxx"));
  EXPECT_LT(fault->message.size(), 450u);
}

TEST(ParseFaultTest, NoFaultIsNullopt) {
  EXPECT_FALSE(ParseFault(Answer("<tds:GetUsersResponse/>")));
  EXPECT_FALSE(ParseFault("not xml at all"));
  EXPECT_FALSE(ParseFault(""));
  EXPECT_FALSE(ParseFault("<Fault/>"));  // not inside an envelope's Body
}

TEST(ParseFaultTest, EveryParserReportsTheFaultFirst) {
  const std::string fault = Fault12("env:Sender", "ter:NotAuthorized", "Sender not Authorized");
  const auto expect_denied = [](const auto& result) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied);
    EXPECT_THAT(result.error().message, HasSubstr("NotAuthorized"));
  };
  expect_denied(ParseSystemDateAndTime(fault));
  expect_denied(ParseServices(fault));
  expect_denied(ParseCapabilities(fault));
  expect_denied(ParseDeviceInformation(fault));
  expect_denied(ParseProfiles(fault));
  expect_denied(ParseMediaUri(fault));
  expect_denied(ParsePtzStatus(fault));
  expect_denied(ParsePresets(fault));
  expect_denied(ParseSetPreset(fault));
  expect_denied(ParseUsers(fault));
  expect_denied(ParseNetworkInterfaces(fault));
  expect_denied(ParseDns(fault));
  expect_denied(ParseNtp(fault));
  expect_denied(ParseEmptyResponse(fault, "StopResponse"));
}

// --- Responses ---------------------------------------------------------------------------

constexpr std::string_view kDateAndTime = R"(
<tds:GetSystemDateAndTimeResponse>
  <tds:SystemDateAndTime>
    <tt:DateTimeType>NTP</tt:DateTimeType>
    <tt:DaylightSavings>false</tt:DaylightSavings>
    <tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone>
    <tt:UTCDateTime>
      <tt:Time><tt:Hour>7</tt:Hour><tt:Minute>50</tt:Minute><tt:Second>45</tt:Second></tt:Time>
      <tt:Date><tt:Year>2010</tt:Year><tt:Month>9</tt:Month><tt:Day>16</tt:Day></tt:Date>
    </tt:UTCDateTime>
    <tt:LocalDateTime>
      <tt:Time><tt:Hour>15</tt:Hour><tt:Minute>50</tt:Minute><tt:Second>45</tt:Second></tt:Time>
      <tt:Date><tt:Year>2010</tt:Year><tt:Month>9</tt:Month><tt:Day>16</tt:Day></tt:Date>
    </tt:LocalDateTime>
  </tds:SystemDateAndTime>
</tds:GetSystemDateAndTimeResponse>)";

std::string DateAndTime(int year, int month, int day, int hour, int minute, int second) {
  return Answer(
      "<GetSystemDateAndTimeResponse xmlns=\"http://www.onvif.org/ver10/device/wsdl\">"
      "<SystemDateAndTime><UTCDateTime><Date><Year>" +
          std::to_string(year) + "</Year><Month>" + std::to_string(month) + "</Month><Day>" +
          std::to_string(day) + "</Day></Date><Time><Hour>" + std::to_string(hour) +
          "</Hour><Minute>" + std::to_string(minute) + "</Minute><Second>" +
          std::to_string(second) +
          "</Second></Time></UTCDateTime></SystemDateAndTime>"
          "</GetSystemDateAndTimeResponse>",
      "");
}

TEST(ParseSystemDateAndTimeTest, ReadsUtcNotLocalTime) {
  const Result<WallTime> time = ParseSystemDateAndTime(Answer(kDateAndTime));
  ASSERT_TRUE(time) << time.error().message;
  EXPECT_EQ(*time, WallTime(std::chrono::seconds(1284623445)));
  const Result<WallTime> unprefixed = ParseSystemDateAndTime(DateAndTime(2024, 2, 29, 23, 59, 60));
  ASSERT_TRUE(unprefixed) << unprefixed.error().message;
  EXPECT_EQ(*unprefixed, WallTime(std::chrono::seconds(1709251199)));  // leap second → :59
}

TEST(ParseSystemDateAndTimeTest, RefusesImpossibleDatesAndMissingParts) {
  EXPECT_FALSE(ParseSystemDateAndTime(DateAndTime(2023, 2, 29, 0, 0, 0)));
  EXPECT_FALSE(ParseSystemDateAndTime(DateAndTime(2024, 13, 1, 0, 0, 0)));
  EXPECT_FALSE(ParseSystemDateAndTime(DateAndTime(2024, 1, 1, 24, 0, 0)));
  EXPECT_FALSE(ParseSystemDateAndTime(DateAndTime(2024, 1, 1, 0, 60, 0)));
  EXPECT_FALSE(ParseSystemDateAndTime(DateAndTime(1969, 12, 31, 0, 0, 0)));
  EXPECT_FALSE(ParseSystemDateAndTime(DateAndTime(99999, 1, 1, 0, 0, 0)));
  EXPECT_FALSE(ParseSystemDateAndTime(DateAndTime(2024, -1, 1, 0, 0, 0)));
  const Result<WallTime> local_only = ParseSystemDateAndTime(
      Answer("<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:LocalDateTime/>"
             "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"));
  ASSERT_FALSE(local_only);
  EXPECT_THAT(local_only.error().message, HasSubstr("no UTC"));
  const Result<WallTime> wrong = ParseSystemDateAndTime(Answer("<tds:GetUsersResponse/>"));
  ASSERT_FALSE(wrong);
  EXPECT_THAT(wrong.error().message, HasSubstr("GetSystemDateAndTimeResponse"));
}

TEST(ParseServicesTest, MapsNamespacesToAddresses) {
  const Result<ServiceAddresses> services = ParseServices(Answer(R"(
<tds:GetServicesResponse>
  <tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace>
    <tds:XAddr>http://192.0.2.10/onvif/device_service</tds:XAddr>
    <tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>
  <tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace>
    <tds:XAddr>http://192.0.2.10/onvif/Media</tds:XAddr></tds:Service>
  <tds:Service><tds:Namespace>http://www.onvif.org/ver20/media/wsdl</tds:Namespace>
    <tds:XAddr>http://192.0.2.10/onvif/Media2</tds:XAddr></tds:Service>
  <tds:Service><tds:Namespace>http://www.onvif.org/ver10/events/wsdl</tds:Namespace>
    <tds:XAddr>http://192.0.2.10/onvif/Events</tds:XAddr></tds:Service>
  <tds:Service><tds:Namespace>http://www.onvif.org/ver20/ptz/wsdl</tds:Namespace>
    <tds:XAddr> https://192.0.2.10/onvif/PTZ </tds:XAddr></tds:Service>
  <tds:Service><tds:Namespace>http://www.onvif.org/ver20/imaging/wsdl</tds:Namespace>
    <tds:XAddr>file:///etc/passwd</tds:XAddr></tds:Service>
</tds:GetServicesResponse>)"));
  ASSERT_TRUE(services) << services.error().message;
  EXPECT_EQ(services->device, "http://192.0.2.10/onvif/device_service");
  EXPECT_EQ(services->media, "http://192.0.2.10/onvif/Media");
  EXPECT_EQ(services->events, "http://192.0.2.10/onvif/Events");
  EXPECT_EQ(services->ptz, "https://192.0.2.10/onvif/PTZ");
  EXPECT_EQ(services->imaging, "");  // not an http(s) URL: ignored
}

TEST(ParseCapabilitiesTest, ReadsEachCategorysAddress) {
  const Result<ServiceAddresses> services = ParseCapabilities(Answer(R"(
<tds:GetCapabilitiesResponse><tds:Capabilities>
  <ns2:Analytics><ns2:XAddr>http://192.0.2.7/onvif/analytics</ns2:XAddr></ns2:Analytics>
  <ns2:Device><ns2:XAddr>http://192.0.2.7/onvif/device_service</ns2:XAddr>
    <ns2:Network><ns2:IPFilter>false</ns2:IPFilter></ns2:Network></ns2:Device>
  <ns2:Events><ns2:XAddr>http://192.0.2.7/onvif/events</ns2:XAddr></ns2:Events>
  <ns2:Media><ns2:XAddr>http://192.0.2.7/onvif/media</ns2:XAddr>
    <ns2:StreamingCapabilities><ns2:RTP_RTSP_TCP>true</ns2:RTP_RTSP_TCP></ns2:StreamingCapabilities>
  </ns2:Media>
</tds:Capabilities></tds:GetCapabilitiesResponse>)",
                                                                     "SOAP-ENV"));
  ASSERT_TRUE(services) << services.error().message;
  EXPECT_EQ(*services, (ServiceAddresses{"http://192.0.2.7/onvif/device_service",
                                         "http://192.0.2.7/onvif/media", "",
                                         "http://192.0.2.7/onvif/events", ""}));
  EXPECT_FALSE(ParseCapabilities(Answer("<tds:GetCapabilitiesResponse/>")));
}

TEST(ParseDeviceInformationTest, ReadsAllFieldsAndToleratesMissingOnes) {
  const Result<DeviceInformation> info = ParseDeviceInformation(Answer(R"(
<tds:GetDeviceInformationResponse>
  <tds:Manufacturer>ACME &amp; Sons</tds:Manufacturer>
  <tds:Model>IPC-2000</tds:Model>
  <tds:FirmwareVersion>V5.5.3 build 200714</tds:FirmwareVersion>
  <tds:SerialNumber><![CDATA[DS-2CD2042WD-I20150312]]></tds:SerialNumber>
  <tds:HardwareId>88</tds:HardwareId>
</tds:GetDeviceInformationResponse>)"));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(*info, (DeviceInformation{"ACME & Sons", "IPC-2000", "V5.5.3 build 200714",
                                      "DS-2CD2042WD-I20150312", "88"}));
  const Result<DeviceInformation> sparse = ParseDeviceInformation(
      Answer("<GetDeviceInformationResponse><Model>X</Model></GetDeviceInformationResponse>", ""));
  ASSERT_TRUE(sparse);
  EXPECT_EQ(sparse->model, "X");
  EXPECT_EQ(sparse->manufacturer, "");
}

constexpr std::string_view kProfiles = R"(
<trt:GetProfilesResponse>
  <trt:Profiles fixed="true" token="Profile_1">
    <tt:Name>mainStream</tt:Name>
    <tt:VideoSourceConfiguration token="VideoSourceToken"><tt:Name>VideoSourceConfig</tt:Name>
      <tt:Bounds height="1080" width="1920" y="0" x="0"/></tt:VideoSourceConfiguration>
    <tt:VideoEncoderConfiguration token="VideoEncoderToken_1">
      <tt:Name>VideoEncoder_1</tt:Name>
      <tt:Encoding>H264</tt:Encoding>
      <tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>
      <tt:Quality>3.000000</tt:Quality>
      <tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit>
        <tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit>
      </tt:RateControl>
    </tt:VideoEncoderConfiguration>
    <tt:PTZConfiguration token="PTZToken"><tt:Name>PTZ</tt:Name>
      <tt:NodeToken>PTZNODETOKEN</tt:NodeToken></tt:PTZConfiguration>
  </trt:Profiles>
  <trt:Profiles fixed="true" token="Profile_2">
    <tt:Name>subStream</tt:Name>
    <tt:VideoEncoderConfiguration token="VideoEncoderToken_2">
      <tt:Encoding>H265</tt:Encoding>
      <tt:Resolution><tt:Width>640</tt:Width><tt:Height>abc</tt:Height></tt:Resolution>
    </tt:VideoEncoderConfiguration>
  </trt:Profiles>
  <trt:Profiles><tt:Name>no token: unusable</tt:Name></trt:Profiles>
</trt:GetProfilesResponse>)";

TEST(ParseProfilesTest, ReadsEncoderAndPtzConfiguration) {
  const Result<std::vector<Profile>> profiles = ParseProfiles(Answer(kProfiles, "s"));
  ASSERT_TRUE(profiles) << profiles.error().message;
  ASSERT_EQ(profiles->size(), 2u);
  EXPECT_EQ((*profiles)[0], (Profile{"Profile_1", "mainStream", "H264", 1920, 1080, 25, 4096, true,
                                     "PTZNODETOKEN"}));
  EXPECT_EQ((*profiles)[1], (Profile{"Profile_2", "subStream", "H265", 640, 0, 0, 0, false, ""}));
}

TEST(ParseProfilesTest, RefusesMoreThanTheLimit) {
  std::string many = "<trt:GetProfilesResponse>";
  for (std::size_t i = 0; i <= kMaxListItems; ++i) {
    many += "<trt:Profiles token=\"p" + std::to_string(i) + "\"/>";
  }
  many += "</trt:GetProfilesResponse>";
  const Result<std::vector<Profile>> profiles = ParseProfiles(Answer(many));
  ASSERT_FALSE(profiles);
  EXPECT_THAT(profiles.error().message, HasSubstr("more than 256 profiles"));
  const Result<std::vector<Profile>> none = ParseProfiles(Answer("<trt:GetProfilesResponse/>"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(ParseMediaUriTest, ReadsStreamAndSnapshotUris) {
  const Result<std::string> stream = ParseMediaUri(Answer(R"(
<trt:GetStreamUriResponse><trt:MediaUri>
  <tt:Uri>rtsp://192.0.2.10:554/Streaming/Channels/101?transportmode=unicast&amp;profile=Profile_1</tt:Uri>
  <tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:Timeout>PT60S</tt:Timeout>
</trt:MediaUri></trt:GetStreamUriResponse>)"));
  ASSERT_TRUE(stream) << stream.error().message;
  EXPECT_EQ(*stream,
            "rtsp://192.0.2.10:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1");
  const Result<std::string> snapshot = ParseMediaUri(
      Answer("<ns1:GetSnapshotUriResponse xmlns:ns1=\"http://www.onvif.org/ver10/media/wsdl\">"
             "<ns1:MediaUri><ns2:Uri>http://192.0.2.10/onvif/snapshot.jpg</ns2:Uri></ns1:MediaUri>"
             "</ns1:GetSnapshotUriResponse>"));
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(*snapshot, "http://192.0.2.10/onvif/snapshot.jpg");
  EXPECT_FALSE(
      ParseMediaUri(Answer("<trt:GetStreamUriResponse><trt:MediaUri/>"
                           "</trt:GetStreamUriResponse>")));
  EXPECT_FALSE(
      ParseMediaUri(Answer("<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://a b"
                           "</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>")));
}

TEST(ParsePtzStatusTest, ReadsPositionMoveStatusTimeAndError) {
  const Result<PtzStatus> status = ParsePtzStatus(Answer(R"(
<tptz:GetStatusResponse><tptz:PTZStatus>
  <tt:Position>
    <tt:PanTilt space="http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace" x="0.25" y="-0.5"/>
    <tt:Zoom space="http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace" x="1"/>
  </tt:Position>
  <tt:MoveStatus><tt:PanTilt>MOVING</tt:PanTilt><tt:Zoom>IDLE</tt:Zoom></tt:MoveStatus>
  <tt:Error>Motor
    stalled</tt:Error>
  <tt:UtcTime>2024-05-01T10:20:30Z</tt:UtcTime>
</tptz:PTZStatus></tptz:GetStatusResponse>)"));
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_DOUBLE_EQ(status->pan, 0.25);
  EXPECT_DOUBLE_EQ(status->tilt, -0.5);
  EXPECT_DOUBLE_EQ(status->zoom, 1);
  EXPECT_EQ(status->pan_tilt_state, PtzStatus::MoveState::kMoving);
  EXPECT_EQ(status->zoom_state, PtzStatus::MoveState::kIdle);
  EXPECT_EQ(status->error, "Motor stalled");
  ASSERT_TRUE(status->utc_time);
  EXPECT_EQ(*status->utc_time, WallTime(std::chrono::seconds(1714558830)));
}

TEST(ParsePtzStatusTest, ToleratesAbsentAndGarbledFields) {
  const Result<PtzStatus> status = ParsePtzStatus(
      Answer("<GetStatusResponse><PTZStatus><Position><PanTilt x=\"nan\" y=\"1e999\"/></Position>"
             "<MoveStatus><PanTilt>SPINNING</PanTilt></MoveStatus><Error></Error>"
             "<UtcTime>2024-05-01T10:20:30.5</UtcTime></PTZStatus></GetStatusResponse>",
             ""));
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->pan, 0);
  EXPECT_EQ(status->tilt, 0);
  EXPECT_EQ(status->pan_tilt_state, PtzStatus::MoveState::kUnknown);
  EXPECT_EQ(status->zoom_state, PtzStatus::MoveState::kUnknown);
  EXPECT_FALSE(status->error);
  ASSERT_TRUE(status->utc_time);  // no zone: read as UTC
  EXPECT_EQ(*status->utc_time, WallTime(std::chrono::milliseconds(1714558830500)));
  EXPECT_FALSE(ParsePtzStatus(Answer("<tptz:GetStatusResponse/>")));
  EXPECT_EQ(ToString(PtzStatus::MoveState::kMoving), "MOVING");
}

TEST(ParsePresetsTest, ReadsTokensNamesAndOptionalPositions) {
  const Result<std::vector<Preset>> presets = ParsePresets(Answer(R"(
<tptz:GetPresetsResponse>
  <tptz:Preset token="1"><tt:Name>Gate</tt:Name>
    <tt:PTZPosition><tt:PanTilt x="0.1" y="+0.2"/><tt:Zoom x="0"/></tt:PTZPosition></tptz:Preset>
  <tptz:Preset token="2"><tt:Name>Drive</tt:Name></tptz:Preset>
  <tptz:Preset><tt:Name>tokenless</tt:Name></tptz:Preset>
</tptz:GetPresetsResponse>)"));
  ASSERT_TRUE(presets) << presets.error().message;
  ASSERT_EQ(presets->size(), 2u);
  EXPECT_EQ((*presets)[0], (Preset{"1", "Gate", 0.1, 0.2, 0.0}));
  EXPECT_EQ((*presets)[1], (Preset{"2", "Drive", std::nullopt, std::nullopt, std::nullopt}));
}

TEST(ParseSetPresetTest, ReturnsTheToken) {
  const Result<std::string> token =
      ParseSetPreset(Answer("<tptz:SetPresetResponse><tptz:PresetToken> 12 </tptz:PresetToken>"
                            "</tptz:SetPresetResponse>"));
  ASSERT_TRUE(token);
  EXPECT_EQ(*token, "12");
  EXPECT_FALSE(ParseSetPreset(Answer("<tptz:SetPresetResponse/>")));
}

TEST(ParseUsersTest, ReadsNamesAndLevels) {
  const Result<std::vector<User>> users = ParseUsers(Answer(R"(
<tds:GetUsersResponse>
  <tds:User><tt:Username>admin</tt:Username><tt:UserLevel>Administrator</tt:UserLevel></tds:User>
  <tds:User><tt:Username>op</tt:Username><tt:UserLevel>Operator</tt:UserLevel></tds:User>
  <tds:User><tt:Username>viewer</tt:Username><tt:UserLevel>User</tt:UserLevel></tds:User>
  <tds:User><tt:Username>guest</tt:Username><tt:UserLevel>Anonymous</tt:UserLevel></tds:User>
  <tds:User><tt:Username>odd</tt:Username><tt:UserLevel>SuperUser</tt:UserLevel></tds:User>
  <tds:User><tt:UserLevel>User</tt:UserLevel></tds:User>
</tds:GetUsersResponse>)"));
  ASSERT_TRUE(users) << users.error().message;
  EXPECT_THAT(*users,
              ElementsAre(User{"admin", UserLevel::kAdministrator},
                          User{"op", UserLevel::kOperator}, User{"viewer", UserLevel::kUser},
                          User{"guest", UserLevel::kAnonymous}, User{"odd", UserLevel::kExtended}));
  EXPECT_EQ(ToString(UserLevel::kAdministrator), "Administrator");
}

TEST(ParseNetworkInterfacesTest, ReadsManualAndDhcpAddresses) {
  const Result<std::vector<NetworkInterface>> interfaces = ParseNetworkInterfaces(Answer(R"(
<tds:GetNetworkInterfacesResponse>
  <tds:NetworkInterfaces token="eth0">
    <tt:Enabled>true</tt:Enabled>
    <tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>44:19:b6:00:11:22</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>
    <tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config>
      <tt:Manual><tt:Address>192.0.2.10</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual>
      <tt:Manual><tt:Address>198.51.100.10</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual>
      <tt:LinkLocal><tt:Address>169.254.1.1</tt:Address><tt:PrefixLength>16</tt:PrefixLength></tt:LinkLocal>
      <tt:FromDHCP><tt:Address>192.0.2.99</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:FromDHCP>
      <tt:DHCP>true</tt:DHCP>
    </tt:Config></tt:IPv4>
  </tds:NetworkInterfaces>
  <tds:NetworkInterfaces token="wlan0"><tt:Enabled>0</tt:Enabled></tds:NetworkInterfaces>
</tds:GetNetworkInterfacesResponse>)"));
  ASSERT_TRUE(interfaces) << interfaces.error().message;
  ASSERT_EQ(interfaces->size(), 2u);
  EXPECT_EQ(
      (*interfaces)[0],
      (NetworkInterface{
          "eth0", true, "44:19:b6:00:11:22", {"192.0.2.10", "198.51.100.10", "192.0.2.99"}, true}));
  EXPECT_EQ((*interfaces)[1], (NetworkInterface{"wlan0", false, "", {}, false}));
}

TEST(ParseNetworkInterfacesTest, BoundsManualAddresses) {
  std::string manual;
  for (std::size_t i = 0; i <= kMaxListItems; ++i) {
    manual += "<tt:Manual><tt:Address>10.0.0.1</tt:Address></tt:Manual>";
  }
  EXPECT_FALSE(ParseNetworkInterfaces(
      Answer("<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token=\"e\"><tt:IPv4>"
             "<tt:Config>" +
             manual +
             "</tt:Config></tt:IPv4></tds:NetworkInterfaces>"
             "</tds:GetNetworkInterfacesResponse>")));
}

TEST(ParseDnsTest, ReportsTheServersInEffect) {
  const Result<Dns> manual = ParseDns(Answer(R"(
<tds:GetDNSResponse><tds:DNSInformation>
  <tt:FromDHCP>false</tt:FromDHCP>
  <tt:SearchDomain>example.net</tt:SearchDomain><tt:SearchDomain>lan</tt:SearchDomain>
  <tt:DNSFromDHCP><tt:Type>IPv4</tt:Type><tt:IPv4Address>192.0.2.1</tt:IPv4Address></tt:DNSFromDHCP>
  <tt:DNSManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>198.51.100.53</tt:IPv4Address></tt:DNSManual>
  <tt:DNSManual><tt:Type>IPv6</tt:Type><tt:IPv6Address>2001:db8::53</tt:IPv6Address></tt:DNSManual>
</tds:DNSInformation></tds:GetDNSResponse>)"));
  ASSERT_TRUE(manual) << manual.error().message;
  EXPECT_EQ(*manual, (Dns{false, {"198.51.100.53", "2001:db8::53"}, {"example.net", "lan"}}));

  const Result<Dns> dhcp = ParseDns(Answer(R"(
<GetDNSResponse><DNSInformation><FromDHCP>true</FromDHCP>
  <DNSFromDHCP><Type>IPv4</Type><IPv4Address>192.0.2.1</IPv4Address></DNSFromDHCP>
  <DNSManual><Type>IPv4</Type><IPv4Address>198.51.100.53</IPv4Address></DNSManual>
</DNSInformation></GetDNSResponse>)",
                                           ""));
  ASSERT_TRUE(dhcp) << dhcp.error().message;
  EXPECT_EQ(*dhcp, (Dns{true, {"192.0.2.1"}, {}}));
  EXPECT_FALSE(ParseDns(Answer("<tds:GetDNSResponse/>")));
}

TEST(ParseNtpTest, ReadsNamesAndAddresses) {
  const Result<Ntp> ntp = ParseNtp(Answer(R"(
<tds:GetNTPResponse><tds:NTPInformation>
  <tt:FromDHCP>false</tt:FromDHCP>
  <tt:NTPManual><tt:Type>DNS</tt:Type><tt:DNSname>pool.ntp.org</tt:DNSname></tt:NTPManual>
  <tt:NTPManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>192.0.2.123</tt:IPv4Address></tt:NTPManual>
  <tt:NTPManual><tt:Type>IPv6</tt:Type><tt:IPv6Address>2001:db8::123</tt:IPv6Address></tt:NTPManual>
  <tt:NTPManual><tt:Type>IPv4</tt:Type></tt:NTPManual>
</tds:NTPInformation></tds:GetNTPResponse>)"));
  ASSERT_TRUE(ntp) << ntp.error().message;
  EXPECT_EQ(*ntp, (Ntp{false, {"pool.ntp.org", "192.0.2.123", "2001:db8::123"}}));
  const Result<Ntp> dhcp = ParseNtp(
      Answer("<tds:GetNTPResponse><tds:NTPInformation><tt:FromDHCP>true</tt:FromDHCP>"
             "<tt:NTPFromDHCP><tt:Type>IPv4</tt:Type><tt:IPv4Address>192.0.2.1</tt:IPv4Address>"
             "</tt:NTPFromDHCP></tds:NTPInformation></tds:GetNTPResponse>"));
  ASSERT_TRUE(dhcp);
  EXPECT_EQ(*dhcp, (Ntp{true, {"192.0.2.1"}}));
}

TEST(ParseEmptyResponseTest, NeedsTheNamedElement) {
  EXPECT_TRUE(ParseEmptyResponse(Answer("<tptz:StopResponse/>"), "StopResponse"));
  EXPECT_TRUE(ParseEmptyResponse(
      Answer("<StopResponse xmlns=\"http://www.onvif.org/ver20/ptz/wsdl\"/>", "SOAP-ENV"),
      "StopResponse"));
  const Status other = ParseEmptyResponse(Answer("<tptz:GotoPresetResponse/>"), "StopResponse");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(other.error().message, HasSubstr("StopResponse"));
}

// --- Hostile and malformed input ---------------------------------------------------------

TEST(HostileInputTest, RefusesDoctypesAndEntities) {
  const std::string billion_laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>" +
      Answer(
          "<tds:GetDeviceInformationResponse><tds:Model>&lol2;</tds:Model>"
          "</tds:GetDeviceInformationResponse>")
          .substr(39);
  const Result<DeviceInformation> laughs = ParseDeviceInformation(billion_laughs);
  ASSERT_FALSE(laughs);
  EXPECT_THAT(laughs.error().message, HasSubstr("DOCTYPE"));

  const std::string external =
      "<!doctype foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" +
      Answer(
          "<tds:GetUsersResponse><tds:User><tt:Username>&xxe;</tt:Username></tds:User>"
          "</tds:GetUsersResponse>")
          .substr(39);
  EXPECT_FALSE(ParseUsers(external));
  EXPECT_FALSE(ParseFault("<!DOCTYPE x>" + Fault12("env:Sender", "", "x")));
}

TEST(HostileInputTest, UndeclaredEntitiesAreNotExpanded) {
  const Result<DeviceInformation> info =
      ParseDeviceInformation(Answer("<tds:GetDeviceInformationResponse><tds:Model>&xxe;</tds:Model>"
                                    "</tds:GetDeviceInformationResponse>"));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->model, "&xxe;");
}

TEST(HostileInputTest, RefusesOversizedInput) {
  std::string huge = "<tds:GetUsersResponse>";
  while (huge.size() < 2 * kMaxResponseBytes) {
    huge += "<tds:User><tt:Username>u</tt:Username></tds:User>";
  }
  huge += "</tds:GetUsersResponse>";
  const Result<std::vector<User>> users = ParseUsers(Answer(huge));
  ASSERT_FALSE(users);
  EXPECT_THAT(users.error().message, HasSubstr("larger than 1 MiB"));
}

TEST(HostileInputTest, RefusesDeepNesting) {
  // Well-formed and 100 000 levels deep: nothing may recurse that far.
  std::string deep;
  for (int i = 0; i < 100'000; ++i) deep += "<a>";
  for (int i = 0; i < 100'000; ++i) deep += "</a>";
  const Result<std::vector<Profile>> profiles =
      ParseProfiles(Answer("<trt:GetProfilesResponse>" + deep + "</trt:GetProfilesResponse>"));
  ASSERT_FALSE(profiles);
  EXPECT_THAT(profiles.error().message, HasSubstr("nested too deeply"));
  EXPECT_FALSE(ParseFault(Answer(deep)));

  std::string nested = "<trt:GetProfilesResponse>";
  for (std::size_t i = 0; i < kMaxElementDepth; ++i) nested += "<x>";
  for (std::size_t i = 0; i < kMaxElementDepth; ++i) nested += "</x>";
  nested += "</trt:GetProfilesResponse>";
  const Result<std::vector<Profile>> too_deep = ParseProfiles(Answer(nested));
  ASSERT_FALSE(too_deep);
  EXPECT_THAT(too_deep.error().message, HasSubstr("nested too deeply"));
}

TEST(HostileInputTest, MalformedXmlAndNonEnvelopesAreErrors) {
  for (const std::string& bad :
       {std::string(), std::string("garbage"), std::string("<env:Envelope><env:Body>"),
        std::string("<Envelope><Body><GetUsersResponse></Body></Envelope>"),
        std::string("<html><body>401 Unauthorized</body></html>"), std::string("<Envelope/>"),
        std::string("\xff\xfe<\0E\0", 6)}) {
    const Result<std::vector<User>> users = ParseUsers(bad);
    ASSERT_FALSE(users) << bad;
    EXPECT_EQ(users.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace camguard::onvif
