// SPDX-License-Identifier: Apache-2.0
#include "camsim/onvif_service.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "base/encoding.h"
#include "base/strings.h"
#include "crypto/crypto.h"

namespace camguard::camsim {
namespace {

constexpr std::string_view kEnvelopeOpen =
    R"(<?xml version="1.0" encoding="UTF-8"?>)"
    R"(<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope")"
    R"( xmlns:tds="http://www.onvif.org/ver10/device/wsdl")"
    R"( xmlns:trt="http://www.onvif.org/ver10/media/wsdl")"
    R"( xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl")"
    R"( xmlns:tt="http://www.onvif.org/ver10/schema")"
    R"( xmlns:ter="http://www.onvif.org/ver10/error"><env:Body>)";
constexpr std::string_view kEnvelopeClose = "</env:Body></env:Envelope>";
constexpr std::string_view kSoapType = "application/soap+xml; charset=utf-8";
constexpr std::string_view kPanTiltPositionSpace =
    "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";
constexpr std::string_view kZoomPositionSpace =
    "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace";
constexpr std::string_view kPasswordDigestType =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#"
    "PasswordDigest";
// The Hikvision CVE-2017-7921 probe: a fixed "auth" parameter (base64 of "admin:11").
constexpr std::string_view kCve20177921Auth = "auth=YWRtaW46MTEK";

std::string_view LocalName(const char* name) {
  const std::string_view full(name);
  const std::size_t colon = full.find(':');
  return colon == std::string_view::npos ? full : full.substr(colon + 1);
}

pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child.name()) == local) return child;
  }
  return {};
}

std::vector<pugi::xml_node> Children(pugi::xml_node node, std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child.name()) == local) {
      out.push_back(child);
    }
  }
  return out;
}

std::string Text(pugi::xml_node node) { return std::string(base::Trim(node.child_value())); }

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::optional<double> ParseNumber(const char* text) {
  const std::string_view s = base::Trim(text);
  if (s.empty() || s.size() > 32) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Reads x (and y) of a PanTilt/Zoom vector element; absent element → `fallback`.
bool ReadVector(pugi::xml_node parent, PtzPosition& out, const PtzPosition& fallback,
                bool& pan_tilt_given, bool& zoom_given) {
  out = fallback;
  pan_tilt_given = zoom_given = false;
  if (pugi::xml_node pt = Child(parent, "PanTilt")) {
    auto x = ParseNumber(pt.attribute("x").value());
    auto y = ParseNumber(pt.attribute("y").value());
    if (!x || !y) return false;
    out.pan = *x;
    out.tilt = *y;
    pan_tilt_given = true;
  }
  if (pugi::xml_node zoom = Child(parent, "Zoom")) {
    auto x = ParseNumber(zoom.attribute("x").value());
    if (!x) return false;
    out.zoom = *x;
    zoom_given = true;
  }
  return true;
}

std::string Soap(std::string_view body) {
  std::string out(kEnvelopeOpen);
  out += body;
  out += kEnvelopeClose;
  return out;
}

HttpReply SoapReply(std::string_view body) { return {200, std::string(kSoapType), {}, Soap(body)}; }

// SOAP 1.2 fault (ONVIF Core §5.11.2). Sender faults answer 400, Receiver faults 500.
HttpReply Fault(bool sender, std::string_view subcode, std::string_view reason, int status = 0) {
  const std::string body = fmt::format(
      "<env:Fault><env:Code><env:Value>env:{}</env:Value><env:Subcode><env:Value>{}</env:Value>"
      "</env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">{}</env:Text></env:Reason>"
      "</env:Fault>",
      sender ? "Sender" : "Receiver", subcode, Escape(reason));
  return {status != 0 ? status : (sender ? 400 : 500), std::string(kSoapType), {}, Soap(body)};
}

HttpReply NotAuthorized() { return Fault(true, "ter:NotAuthorized", "Sender not authorized"); }

HttpReply InvalidArg(std::string_view subcode, std::string_view reason) {
  return Fault(true, "ter:InvalidArgVal", reason.empty() ? subcode : reason);
}

std::string FormatUtc(base::WallTime t) {
  const std::string rfc = base::FormatRfc3339(t);  // 2026-11-23T21:29:47.123Z
  return rfc.substr(0, 19) + "Z";
}

struct CivilTime {
  int year, month, day, hour, minute, second;
};

CivilTime ToCivil(base::WallTime t) {
  const std::string rfc = base::FormatRfc3339(t);
  auto num = [&](std::size_t pos, std::size_t len) { return std::stoi(rfc.substr(pos, len)); };
  return {num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)};
}

std::string Num(double v) { return fmt::format("{:.6g}", v); }

}  // namespace

std::optional<std::chrono::milliseconds> ParseXsDuration(std::string_view text) {
  text = base::Trim(text);
  if (text.size() < 3 || text.size() > 32 || text[0] != 'P') return std::nullopt;
  double total = 0;
  bool in_time = false;
  bool any = false;
  std::size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (i == start || i == text.size()) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, value);
    if (ec != std::errc() || end != text.data() + i) return std::nullopt;
    const char unit = text[i++];
    if (!in_time && unit == 'D') {
      total += value * 86400;
    } else if (in_time && unit == 'H') {
      total += value * 3600;
    } else if (in_time && unit == 'M') {
      total += value * 60;
    } else if (in_time && unit == 'S') {
      total += value;
    } else {
      return std::nullopt;
    }
    any = true;
  }
  if (!any || total > 86400) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(total * 1000)));
}

std::optional<AccessClass> AccessClassOf(std::string_view op) {
  static const std::map<std::string_view, AccessClass> kClasses = {
      {"GetSystemDateAndTime", AccessClass::kPreAuth},
      {"GetCapabilities", AccessClass::kPreAuth},
      {"GetServices", AccessClass::kPreAuth},
      {"GetHostname", AccessClass::kPreAuth},
      {"GetDeviceInformation", AccessClass::kReadSystem},
      {"GetNetworkInterfaces", AccessClass::kReadSystem},
      {"GetDNS", AccessClass::kReadSystem},
      {"GetNTP", AccessClass::kReadSystem},
      {"GetUsers", AccessClass::kReadSystemSecret},
      {"SetDNS", AccessClass::kWriteSystem},
      {"SetNTP", AccessClass::kWriteSystem},
      {"CreateUsers", AccessClass::kUnrecoverable},
      {"DeleteUsers", AccessClass::kUnrecoverable},
      {"SetUser", AccessClass::kUnrecoverable},
      {"SystemReboot", AccessClass::kUnrecoverable},
      {"GetProfiles", AccessClass::kReadMedia},
      {"GetStreamUri", AccessClass::kReadMedia},
      {"GetSnapshotUri", AccessClass::kReadMedia},
      {"GetStatus", AccessClass::kReadMedia},
      {"GetPresets", AccessClass::kReadMedia},
      {"GetNodes", AccessClass::kReadMedia},
      {"ContinuousMove", AccessClass::kActuate},
      {"RelativeMove", AccessClass::kActuate},
      {"AbsoluteMove", AccessClass::kActuate},
      {"Stop", AccessClass::kActuate},
      {"GotoPreset", AccessClass::kActuate},
      {"SetPreset", AccessClass::kActuate},
      {"RemovePreset", AccessClass::kActuate},
  };
  auto it = kClasses.find(op);
  if (it == kClasses.end()) return std::nullopt;
  return it->second;
}

bool LevelAllows(std::optional<UserLevel> level, AccessClass access) {
  if (access == AccessClass::kPreAuth) return true;
  if (!level) return false;  // anonymous
  switch (*level) {
    case UserLevel::kAdministrator: return true;
    case UserLevel::kOperator:
      return access == AccessClass::kReadSystem || access == AccessClass::kReadMedia ||
             access == AccessClass::kActuate;
    case UserLevel::kUser:
      return access == AccessClass::kReadSystem || access == AccessClass::kReadMedia;
  }
  return false;
}

OnvifService::OnvifService(CameraState& camera, const RtspAuthenticator& http_auth,
                           const base::Clock& clock, const Snapshots& snapshots)
    : camera_(camera), http_auth_(http_auth), clock_(clock), snapshots_(snapshots) {}

HttpReply OnvifService::Challenge(bool stale) const {
  HttpReply reply = NotAuthorized();
  reply.status = 401;
  for (const std::string& challenge : http_auth_.Challenges(stale)) {
    reply.headers.push_back("WWW-Authenticate: " + challenge);
  }
  return reply;
}

bool OnvifService::LockedOut(std::string_view peer, PtzTime now) {
  if (camera_.weaknesses.no_lockout) return false;
  auto it = locked_until_.find(std::string(peer));
  if (it == locked_until_.end()) return false;
  if (now < it->second) return true;
  locked_until_.erase(it);
  return false;
}

void OnvifService::NoteFailure(std::string_view peer, PtzTime now) {
  if (camera_.weaknesses.no_lockout) return;
  if (failures_.size() > 1024) failures_.clear();  // bounded memory under a flood of sources
  auto& times = failures_[std::string(peer)];
  times.push_back(now);
  while (!times.empty() && now - times.front() > kLockoutWindow) times.pop_front();
  if (static_cast<int>(times.size()) >= kLockoutFailures) {
    locked_until_[std::string(peer)] = now + kLockoutDuration;
    times.clear();
  }
}

bool OnvifService::NonceSeen(const std::string& nonce) {
  if (nonces_.count(nonce) != 0) return true;
  nonces_.insert(nonce);
  nonce_order_.push_back(nonce);
  if (nonce_order_.size() > kMaxRememberedNonces) {
    nonces_.erase(nonce_order_.front());
    nonce_order_.pop_front();
  }
  return false;
}

HttpReply OnvifService::Handle(const RtspRequest& request, std::string_view peer, PtzTime now) {
  if (request.method == "POST") return HandleSoap(request, peer, now);
  if (request.method == "GET" || request.method == "HEAD") {
    HttpReply reply = HandleGet(request, peer, now);
    if (request.method == "HEAD") reply.body.clear();
    return reply;
  }
  return {405, "text/plain", {"Allow: GET, HEAD, POST"}, "method not allowed\n"};
}

HttpReply OnvifService::HandleGet(const RtspRequest& request, std::string_view peer, PtzTime now) {
  const std::string& target = request.uri;
  const std::string path = target.substr(0, target.find('?'));
  if (camera_.weaknesses.cve_2017_7921 && target.find(kCve20177921Auth) != std::string::npos &&
      (path == "/Security/users" || path == "/system/deviceInfo" || path == "/System/deviceInfo")) {
    // What a vulnerable Hikvision firmware answers to the magic parameter: data without login.
    std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    if (path == "/Security/users") {
      body += "<UserList version=\"1.0\">";
      for (const CameraAccount& account : camera_.accounts) {
        body += fmt::format("<User><userName>{}</userName><priority>high</priority></User>",
                            Escape(account.name));
      }
      body += "</UserList>\n";
    } else {
      body += fmt::format(
          "<DeviceInfo version=\"1.0\"><deviceName>{}</deviceName><model>{}</model>"
          "<serialNumber>{}</serialNumber><firmwareVersion>{}</firmwareVersion></DeviceInfo>\n",
          Escape(camera_.hostname), Escape(camera_.model), Escape(camera_.serial),
          Escape(camera_.firmware));
    }
    return {200, "application/xml", {}, body};
  }
  const bool snapshot = path == "/snapshot.jpg";
  const bool admin = path == "/" || path == "/index.html";
  if (!snapshot && !admin) return {404, "text/plain", {}, "not found\n"};

  if (!(snapshot && camera_.weaknesses.open_rtsp)) {
    if (LockedOut(peer, now)) return {429, "text/plain", {"Retry-After: 60"}, "locked out\n"};
    const AuthOutcome outcome =
        http_auth_.Check(request.method, target, request.Header("Authorization"));
    if (outcome != AuthOutcome::kGranted) {
      if (outcome == AuthOutcome::kDenied) NoteFailure(peer, now);
      HttpReply reply{401, "text/plain", {}, "authentication required\n"};
      for (const std::string& challenge :
           http_auth_.Challenges(outcome == AuthOutcome::kStaleNonce)) {
        reply.headers.push_back("WWW-Authenticate: " + challenge);
      }
      return reply;
    }
  }
  if (admin) {
    return {200,
            "text/html; charset=utf-8",
            {},
            fmt::format("<!doctype html><title>{} admin</title><h1>{}</h1><p>Firmware {}</p>\n",
                        Escape(camera_.model), Escape(camera_.hostname), Escape(camera_.firmware))};
  }
  auto it = snapshots_.find(camera_.View(now));
  if (it == snapshots_.end()) return {503, "text/plain", {}, "no picture\n"};
  return {200, "image/jpeg", {"Cache-Control: no-store"}, it->second};
}

HttpReply OnvifService::HandleSoap(const RtspRequest& request, std::string_view peer, PtzTime now) {
  const std::string path = request.uri.substr(0, request.uri.find('?'));
  if (path.rfind("/onvif/", 0) != 0) return {404, "text/plain", {}, "not found\n"};
  if (request.body.empty()) {
    // HTTP clients probing for the Digest challenge before sending the body (curl does).
    const AuthOutcome outcome =
        http_auth_.Check("POST", request.uri, request.Header("Authorization"));
    if (outcome != AuthOutcome::kGranted) return Challenge(outcome == AuthOutcome::kStaleNonce);
    return Fault(true, "ter:WellFormed", "empty request");
  }
  if (request.body.find("<!DOCTYPE") != std::string::npos ||
      request.body.find("<!ENTITY") != std::string::npos) {
    // SOAP 1.2 §5: a document type declaration is not allowed.
    return Fault(true, "ter:WellFormed", "DTD not allowed");
  }
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(request.body.data(), request.body.size(),
                                                        pugi::parse_default & ~pugi::parse_pi);
  if (!parsed) return Fault(true, "ter:WellFormed", "malformed XML");
  const pugi::xml_node envelope = doc.document_element();
  if (LocalName(envelope.name()) != "Envelope") return Fault(true, "ter:WellFormed", "no Envelope");
  const pugi::xml_node body = Child(envelope, "Body");
  pugi::xml_node operation;
  for (pugi::xml_node child = body.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) {
      operation = child;
      break;
    }
  }
  if (!operation) return Fault(true, "ter:WellFormed", "empty Body");
  const std::string op(LocalName(operation.name()));
  const std::optional<AccessClass> access = AccessClassOf(op);
  if (!access) return Fault(false, "ter:ActionNotSupported", "Optional Action Not Implemented");

  // Who is calling: a UsernameToken, HTTP authentication, or nobody.
  std::optional<UserLevel> level;
  bool presented = false;
  const pugi::xml_node username_token =
      Child(Child(Child(envelope, "Header"), "Security"), "UsernameToken");
  if (const pugi::xml_node& token = username_token) {
    presented = true;
    if (LockedOut(peer, now)) return Fault(true, "ter:NotAuthorized", "locked out", 429);
    const std::string username = Text(Child(token, "Username"));
    const pugi::xml_node password = Child(token, "Password");
    const std::string nonce_b64 = Text(Child(token, "Nonce"));
    const std::string created = Text(Child(token, "Created"));
    const auto created_at = base::ParseRfc3339(created);
    const auto nonce = base::Base64Decode(nonce_b64);
    const CameraAccount* account = camera_.FindAccount(username);
    bool ok = account != nullptr && password &&
              std::string_view(password.attribute("Type").value()) == kPasswordDigestType &&
              created_at && nonce && !nonce->empty() && nonce->size() <= 64;
    if (ok) {
      const auto skew = clock_.Now() - *created_at;
      ok = skew <= kMaxClockSkew && skew >= -kMaxClockSkew;
    }
    if (ok) {
      const std::string expected =
          base::Base64Encode(crypto::Sha1(*nonce + created + account->password));
      ok = crypto::ConstantTimeEqual(expected, Text(password));
    }
    // A nonce is spent only by a valid token, so a forger cannot burn a legitimate one.
    if (ok && NonceSeen(*nonce)) ok = false;
    if (!ok) {
      NoteFailure(peer, now);
      return NotAuthorized();
    }
    level = account->level;
  } else if (const auto authorization = request.Header("Authorization")) {
    presented = true;
    if (LockedOut(peer, now)) return Fault(true, "ter:NotAuthorized", "locked out", 429);
    std::string username;
    const AuthOutcome outcome = http_auth_.Check("POST", request.uri, authorization, &username);
    if (outcome != AuthOutcome::kGranted) {
      if (outcome == AuthOutcome::kDenied) NoteFailure(peer, now);
      return Challenge(outcome == AuthOutcome::kStaleNonce);
    }
    if (const CameraAccount* account = camera_.FindAccount(username)) level = account->level;
  }
  const bool leaked = camera_.weaknesses.info_leak && op == "GetDeviceInformation";
  if (!camera_.weaknesses.onvif_noauth && !leaked && !LevelAllows(level, *access)) {
    return presented ? NotAuthorized() : Challenge(false);
  }

  const std::string base_url = fmt::format("http://{}:{}", camera_.address, camera_.http_port);
  const std::string rtsp_url = fmt::format("rtsp://{}:{}", camera_.address, camera_.rtsp_port);
  auto profile_ok = [&](pugi::xml_node node) {
    const std::string profile = Text(Child(node, "ProfileToken"));
    return profile == "main" || profile == "sub";
  };

  if (op == "GetSystemDateAndTime") {
    const CivilTime t = ToCivil(clock_.Now());
    return SoapReply(fmt::format(
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
        "<tt:DateTimeType>{}</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
        "<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>{}"
        "</tt:Hour><tt:Minute>{}</tt:Minute><tt:Second>{}</tt:Second></tt:Time><tt:Date>"
        "<tt:Year>{}</tt:Year><tt:Month>{}</tt:Month><tt:Day>{}</tt:Day></tt:Date>"
        "</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>",
        camera_.ntp_servers.empty() ? "Manual" : "NTP", t.hour, t.minute, t.second, t.year, t.month,
        t.day));
  }
  if (op == "GetServices") {
    std::string services;
    for (const auto& [ns, name] :
         {std::pair{"http://www.onvif.org/ver10/device/wsdl", "device_service"},
          std::pair{"http://www.onvif.org/ver10/media/wsdl", "media_service"},
          std::pair{"http://www.onvif.org/ver20/ptz/wsdl", "ptz_service"}}) {
      services += fmt::format(
          "<tds:Service><tds:Namespace>{}</tds:Namespace><tds:XAddr>{}/onvif/{}</tds:XAddr>"
          "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version>"
          "</tds:Service>",
          ns, base_url, name);
    }
    return SoapReply("<tds:GetServicesResponse>" + services + "</tds:GetServicesResponse>");
  }
  if (op == "GetCapabilities") {
    return SoapReply(fmt::format(
        "<tds:GetCapabilitiesResponse><tds:Capabilities>"
        "<tt:Device><tt:XAddr>{0}/onvif/device_service</tt:XAddr></tt:Device>"
        "<tt:Media><tt:XAddr>{0}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities>"
        "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
        "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
        "<tt:PTZ><tt:XAddr>{0}/onvif/ptz_service</tt:XAddr></tt:PTZ>"
        "</tds:Capabilities></tds:GetCapabilitiesResponse>",
        base_url));
  }
  if (op == "GetHostname") {
    return SoapReply(fmt::format(
        "<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>"
        "<tt:Name>{}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>",
        Escape(camera_.hostname)));
  }
  if (op == "GetDeviceInformation") {
    return SoapReply(
        fmt::format("<tds:GetDeviceInformationResponse><tds:Manufacturer>{}</tds:Manufacturer>"
                    "<tds:Model>{}</tds:Model><tds:FirmwareVersion>{}</tds:FirmwareVersion>"
                    "<tds:SerialNumber>{}</tds:SerialNumber><tds:HardwareId>{}</tds:HardwareId>"
                    "</tds:GetDeviceInformationResponse>",
                    Escape(camera_.manufacturer), Escape(camera_.model), Escape(camera_.firmware),
                    Escape(camera_.serial), "camsim-1"));
  }
  if (op == "GetUsers") {
    std::string users;
    for (const CameraAccount& account : camera_.accounts) {
      users += fmt::format(
          "<tds:User><tt:Username>{}</tt:Username><tt:UserLevel>{}</tt:UserLevel>"
          "</tds:User>",
          Escape(account.name), ToString(account.level));
    }
    return SoapReply("<tds:GetUsersResponse>" + users + "</tds:GetUsersResponse>");
  }
  if (op == "CreateUsers" || op == "SetUser") {
    std::vector<CameraAccount> changes;
    for (pugi::xml_node user : Children(operation, "User")) {
      CameraAccount account;
      account.name = Text(Child(user, "Username"));
      account.password = Text(Child(user, "Password"));
      const auto parsed_level = ParseUserLevel(Text(Child(user, "UserLevel")));
      if (account.name.empty() || account.name.size() > 32 || !parsed_level ||
          account.password.size() > 64 || !base::IsValidUtf8(account.name)) {
        return InvalidArg("ter:InvalidArgVal", "bad user");
      }
      account.level = *parsed_level;
      changes.push_back(std::move(account));
    }
    if (changes.empty()) return InvalidArg("ter:InvalidArgVal", "no user");
    for (const CameraAccount& change : changes) {
      const bool exists = camera_.FindAccount(change.name) != nullptr;
      if (op == "CreateUsers" && exists) {
        return Fault(true, "ter:OperationProhibited", "Username already exists");
      }
      if (op == "SetUser" && !exists) return InvalidArg("ter:UsernameMissing", "no such user");
      if (op == "CreateUsers" && change.password.empty()) {
        return InvalidArg("ter:PasswordTooWeak", "password required");
      }
    }
    if (op == "CreateUsers" && camera_.accounts.size() + changes.size() > kMaxAccounts) {
      return Fault(false, "ter:TooManyUsers", "Maximum number of supported users exceeded");
    }
    for (CameraAccount& change : changes) {
      if (op == "CreateUsers") {
        camera_.accounts.push_back(std::move(change));
        continue;
      }
      for (CameraAccount& account : camera_.accounts) {
        if (account.name != change.name) continue;
        if (!change.password.empty()) account.password = change.password;
        account.level = change.level;
      }
    }
    return SoapReply(op == "CreateUsers" ? "<tds:CreateUsersResponse/>" : "<tds:SetUserResponse/>");
  }
  if (op == "DeleteUsers") {
    std::vector<std::string> names;
    for (pugi::xml_node name : Children(operation, "Username")) names.push_back(Text(name));
    if (names.empty()) return InvalidArg("ter:InvalidArgVal", "no user");
    for (const std::string& name : names) {
      if (camera_.FindAccount(name) == nullptr)
        return InvalidArg("ter:UsernameMissing", "no such user");
    }
    std::vector<CameraAccount> remaining;
    for (const CameraAccount& account : camera_.accounts) {
      if (std::find(names.begin(), names.end(), account.name) == names.end())
        remaining.push_back(account);
    }
    const bool admin_left =
        std::any_of(remaining.begin(), remaining.end(),
                    [](const CameraAccount& a) { return a.level == UserLevel::kAdministrator; });
    if (!admin_left)
      return Fault(true, "ter:FixedUser", "the last administrator cannot be deleted");
    camera_.accounts = std::move(remaining);
    return SoapReply("<tds:DeleteUsersResponse/>");
  }
  if (op == "GetNetworkInterfaces") {
    return SoapReply(fmt::format(
        "<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token=\"eth0\">"
        "<tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>{}"
        "</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info><tt:IPv4><tt:Enabled>true</tt:Enabled>"
        "<tt:Config><tt:Manual><tt:Address>{}</tt:Address><tt:PrefixLength>8</tt:PrefixLength>"
        "</tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4></tds:NetworkInterfaces>"
        "</tds:GetNetworkInterfacesResponse>",
        camera_.mac, camera_.address));
  }
  if (op == "GetDNS") {
    std::string inner = fmt::format("<tt:FromDHCP>{}</tt:FromDHCP>", camera_.dns_from_dhcp);
    for (const std::string& domain : camera_.search_domains) {
      inner += "<tt:SearchDomain>" + Escape(domain) + "</tt:SearchDomain>";
    }
    for (const std::string& server : camera_.dns_servers) {
      inner += "<tt:DNSManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>" + Escape(server) +
               "</tt:IPv4Address></tt:DNSManual>";
    }
    return SoapReply("<tds:GetDNSResponse><tds:DNSInformation>" + inner +
                     "</tds:DNSInformation></tds:GetDNSResponse>");
  }
  if (op == "SetDNS") {
    std::vector<std::string> servers;
    std::vector<std::string> domains;
    for (pugi::xml_node manual : Children(operation, "DNSManual")) {
      const std::string address = Text(Child(manual, "IPv4Address"));
      if (address.empty() || address.size() > 64) return InvalidArg("ter:InvalidIPv4Address", "");
      servers.push_back(address);
    }
    for (pugi::xml_node domain : Children(operation, "SearchDomain"))
      domains.push_back(Text(domain));
    if (servers.size() > 4 || domains.size() > 4)
      return InvalidArg("ter:InvalidArgVal", "too many");
    camera_.dns_from_dhcp = Text(Child(operation, "FromDHCP")) == "true";
    camera_.dns_servers = std::move(servers);
    camera_.search_domains = std::move(domains);
    return SoapReply("<tds:SetDNSResponse/>");
  }
  if (op == "GetNTP") {
    std::string inner = fmt::format("<tt:FromDHCP>{}</tt:FromDHCP>", camera_.ntp_from_dhcp);
    for (const std::string& server : camera_.ntp_servers) {
      inner += "<tt:NTPManual><tt:Type>DNS</tt:Type><tt:DNSname>" + Escape(server) +
               "</tt:DNSname></tt:NTPManual>";
    }
    return SoapReply("<tds:GetNTPResponse><tds:NTPInformation>" + inner +
                     "</tds:NTPInformation></tds:GetNTPResponse>");
  }
  if (op == "SetNTP") {
    std::vector<std::string> servers;
    for (pugi::xml_node manual : Children(operation, "NTPManual")) {
      std::string server = Text(Child(manual, "DNSname"));
      if (server.empty()) server = Text(Child(manual, "IPv4Address"));
      if (server.empty() || server.size() > 253)
        return InvalidArg("ter:InvalidArgVal", "bad server");
      servers.push_back(std::move(server));
    }
    if (servers.size() > 4) return InvalidArg("ter:InvalidArgVal", "too many");
    camera_.ntp_from_dhcp = Text(Child(operation, "FromDHCP")) == "true";
    camera_.ntp_servers = std::move(servers);
    return SoapReply("<tds:SetNTPResponse/>");
  }
  if (op == "SystemReboot") {
    return SoapReply(
        "<tds:SystemRebootResponse><tds:Message>Rebooting</tds:Message>"
        "</tds:SystemRebootResponse>");
  }
  if (op == "GetProfiles") {
    std::string profiles;
    for (const auto& [name, width, height, fps, kbps] :
         {std::tuple{"main", 1920, 1080, 25, 3000}, std::tuple{"sub", 640, 360, 15, 500}}) {
      profiles += fmt::format(
          "<trt:Profiles token=\"{0}\" fixed=\"true\"><tt:Name>{0}</tt:Name>"
          "<tt:VideoEncoderConfiguration token=\"enc_{0}\"><tt:Name>enc_{0}</tt:Name>"
          "<tt:UseCount>1</tt:UseCount><tt:Encoding>{5}</tt:Encoding><tt:Resolution><tt:Width>{1}"
          "</tt:Width><tt:Height>{2}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>"
          "<tt:RateControl><tt:FrameRateLimit>{3}</tt:FrameRateLimit><tt:EncodingInterval>1"
          "</tt:EncodingInterval><tt:BitrateLimit>{4}</tt:BitrateLimit></tt:RateControl>"
          "</tt:VideoEncoderConfiguration><tt:PTZConfiguration token=\"ptz0\"><tt:Name>ptz0"
          "</tt:Name><tt:UseCount>2</tt:UseCount><tt:NodeToken>node0</tt:NodeToken>"
          "</tt:PTZConfiguration></trt:Profiles>",
          name, width, height, fps, kbps,
          std::string_view(name) == "main" ? camera_.main_encoding : std::string("H264"));
    }
    return SoapReply("<trt:GetProfilesResponse>" + profiles + "</trt:GetProfilesResponse>");
  }
  if (op == "GetStreamUri" || op == "GetSnapshotUri") {
    const std::string profile = Text(Child(operation, "ProfileToken"));
    if (!profile_ok(operation)) return InvalidArg("ter:NoProfile", "no such profile");
    const std::string uri =
        op == "GetStreamUri" ? rtsp_url + "/" + profile : base_url + "/snapshot.jpg";
    return SoapReply(fmt::format(
        "<trt:{0}Response><trt:MediaUri><tt:Uri>{1}</tt:Uri><tt:InvalidAfterConnect>false"
        "</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>"
        "<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:{0}Response>",
        op, Escape(uri)));
  }

  // PTZ service: every operation names a profile.
  if (!profile_ok(operation)) return InvalidArg("ter:NoProfile", "no such profile");
  if (op == "GetStatus") {
    const PtzStatus status = camera_.ptz.Status(now);
    return SoapReply(fmt::format(
        "<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position><tt:PanTilt x=\"{}\" y=\"{}\" "
        "space=\"{}\"/><tt:Zoom x=\"{}\" space=\"{}\"/></tt:Position><tt:MoveStatus>"
        "<tt:PanTilt>{}</tt:PanTilt><tt:Zoom>{}</tt:Zoom></tt:MoveStatus><tt:UtcTime>{}"
        "</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>",
        Num(status.position.pan), Num(status.position.tilt), kPanTiltPositionSpace,
        Num(status.position.zoom), kZoomPositionSpace, status.pan_tilt_moving ? "MOVING" : "IDLE",
        status.zoom_moving ? "MOVING" : "IDLE", FormatUtc(clock_.Now())));
  }
  if (op == "GetPresets") {
    std::string presets;
    for (const auto& [key, preset] : camera_.ptz.presets()) {
      presets += fmt::format(
          "<tptz:Preset token=\"{}\"><tt:Name>{}</tt:Name><tt:PTZPosition><tt:PanTilt x=\"{}\" "
          "y=\"{}\"/><tt:Zoom x=\"{}\"/></tt:PTZPosition></tptz:Preset>",
          Escape(key), Escape(preset.name), Num(preset.position.pan), Num(preset.position.tilt),
          Num(preset.position.zoom));
    }
    return SoapReply("<tptz:GetPresetsResponse>" + presets + "</tptz:GetPresetsResponse>");
  }
  if (op == "ContinuousMove" || op == "AbsoluteMove" || op == "RelativeMove") {
    const char* element = op == "ContinuousMove" ? "Velocity"
                          : op == "AbsoluteMove" ? "Position"
                                                 : "Translation";
    const pugi::xml_node vector = Child(operation, element);
    if (!vector) return InvalidArg("ter:InvalidArgVal", std::string("missing ") + element);
    const PtzStatus current = camera_.ptz.Status(now);
    PtzPosition value;
    bool pan_tilt = false;
    bool zoom = false;
    const PtzPosition fallback = op == "AbsoluteMove" ? current.position : PtzPosition{};
    if (!ReadVector(vector, value, fallback, pan_tilt, zoom)) {
      return InvalidArg("ter:InvalidArgVal", "bad vector");
    }
    if (op == "ContinuousMove") {
      std::optional<std::chrono::milliseconds> timeout;
      if (pugi::xml_node t = Child(operation, "Timeout")) {
        timeout = ParseXsDuration(Text(t));
        if (!timeout) return InvalidArg("ter:InvalidArgVal", "bad Timeout");
      }
      camera_.ptz.ContinuousMove(now, value, timeout);
    } else if (op == "AbsoluteMove") {
      if (std::abs(value.pan) > 1 || std::abs(value.tilt) > 1 || value.zoom < 0 || value.zoom > 1) {
        return InvalidArg("ter:InvalidPosition", "position out of range");
      }
      camera_.ptz.AbsoluteMove(now, value);
    } else {
      camera_.ptz.RelativeMove(now, value);
    }
    return SoapReply(fmt::format("<tptz:{0}Response/>", op));
  }
  if (op == "Stop") {
    const std::string pt = Text(Child(operation, "PanTilt"));
    const std::string z = Text(Child(operation, "Zoom"));
    camera_.ptz.Stop(now, pt != "false", z != "false");
    return SoapReply("<tptz:StopResponse/>");
  }
  if (op == "GotoPreset") {
    if (!camera_.ptz.GotoPreset(now, Text(Child(operation, "PresetToken")))) {
      return InvalidArg("ter:NoToken", "no such preset");
    }
    return SoapReply("<tptz:GotoPresetResponse/>");
  }
  if (op == "SetPreset") {
    const std::string preset = Text(Child(operation, "PresetToken"));
    auto key = camera_.ptz.SetPreset(
        now, Text(Child(operation, "PresetName")),
        preset.empty() ? std::nullopt : std::optional<std::string_view>(preset));
    if (!key) {
      return key.error().code == base::ErrorCode::kResourceExhausted
                 ? Fault(false, "ter:TooManyPresets", key.error().message)
                 : InvalidArg("ter:NoToken", key.error().message);
    }
    return SoapReply(
        fmt::format("<tptz:SetPresetResponse><tptz:PresetToken>{}</tptz:PresetToken>"
                    "</tptz:SetPresetResponse>",
                    Escape(*key)));
  }
  if (op == "RemovePreset") {
    if (!camera_.ptz.RemovePreset(Text(Child(operation, "PresetToken")))) {
      return InvalidArg("ter:NoToken", "no such preset");
    }
    return SoapReply("<tptz:RemovePresetResponse/>");
  }
  if (op == "GetNodes") {
    return SoapReply(
        "<tptz:GetNodesResponse><tptz:PTZNode token=\"node0\" FixedHomePosition=\"false\">"
        "<tt:Name>node0</tt:Name><tt:MaximumNumberOfPresets>32</tt:MaximumNumberOfPresets>"
        "<tt:HomeSupported>false</tt:HomeSupported></tptz:PTZNode></tptz:GetNodesResponse>");
  }
  return Fault(false, "ter:ActionNotSupported", "Optional Action Not Implemented");
}

}  // namespace camguard::camsim
