// SPDX-License-Identifier: Apache-2.0
#include "onvif/soap.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <system_error>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "base/clock.h"
#include "base/encoding.h"
#include "crypto/crypto.h"

namespace camguard::onvif {

namespace {

using base::ErrorCode;
using base::Fail;

constexpr std::string_view kWsseNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
constexpr std::string_view kWsuNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
constexpr std::string_view kPasswordDigestType =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
constexpr std::string_view kBase64BinaryType =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary";

// A 1 MiB answer holds at most ~350k elements; real ONVIF answers have a few hundred.
constexpr std::size_t kMaxNodes = 100'000;
constexpr std::size_t kMaxFaultReasonBytes = 300;
constexpr std::size_t kMaxQNameBytes = 100;
constexpr std::size_t kMaxSubcodes = 8;
constexpr std::size_t kMaxUriBytes = 4096;
// DOCTYPEs are refused before parsing, and processing instructions carry nothing we read.
constexpr unsigned kParseOptions = pugi::parse_default & ~pugi::parse_doctype & ~pugi::parse_pi;

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

bool IsXmlForbiddenControl(unsigned char c) {
  return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

// U+FFFE and U+FFFF are not XML characters either.
bool IsNonCharacterAt(std::string_view text, std::size_t i) {
  return i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xEF &&
         static_cast<unsigned char>(text[i + 1]) == 0xBF &&
         (static_cast<unsigned char>(text[i + 2]) == 0xBE ||
          static_cast<unsigned char>(text[i + 2]) == 0xBF);
}

std::string Number(double value) {
  if (!std::isfinite(value)) return "0";
  return fmt::format("{:.6g}", value);
}

std::string_view Bool(bool value) { return value ? "true" : "false"; }

std::string Element(std::string_view qname, std::string_view text) {
  return fmt::format("<{0}>{1}</{0}>", qname, XmlEscape(text));
}

std::string FormatCreated(WallTime created) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(created);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss time(seconds - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char a = text[i] >= 'a' && text[i] <= 'z' ? static_cast<char>(text[i] - 32) : text[i];
    if (a != prefix[i]) return false;
  }
  return true;
}

// Refused outright rather than trusted to the parser: entity declarations are the door to
// billion-laughs and external-entity attacks, and no ONVIF answer needs one.
bool ContainsDoctypeOrEntity(std::string_view xml) {
  for (std::size_t at = xml.find("<!"); at != std::string_view::npos; at = xml.find("<!", at + 2)) {
    const std::string_view rest = xml.substr(at + 2);
    if (StartsWithIgnoringCase(rest, "DOCTYPE") || StartsWithIgnoringCase(rest, "ENTITY")) {
      return true;
    }
  }
  return false;
}

// Walks the tree without recursion (the tree may be as deep as the input is long).
bool WithinLimits(const pugi::xml_document& doc) {
  std::size_t depth = 1;
  std::size_t nodes = 0;
  pugi::xml_node node = doc.first_child();
  while (node) {
    if (++nodes > kMaxNodes || depth > kMaxElementDepth) return false;
    if (pugi::xml_node child = node.first_child()) {
      node = child;
      ++depth;
      continue;
    }
    while (node != doc && !node.next_sibling()) {
      node = node.parent();
      --depth;
    }
    if (node == doc) break;
    node = node.next_sibling();
  }
  return true;
}

std::string_view LocalName(std::string_view qname) {
  const std::size_t colon = qname.rfind(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

bool Named(pugi::xml_node node, std::string_view local_name) {
  return node.type() == pugi::node_element && LocalName(node.name()) == local_name;
}

// The first child element with this local name; a null node (safe to query) if none.
pugi::xml_node Child(pugi::xml_node parent, std::string_view local_name) {
  for (pugi::xml_node child : parent.children()) {
    if (Named(child, local_name)) return child;
  }
  return {};
}

std::string Text(pugi::xml_node node) { return std::string(Trim(node.child_value())); }

std::string ChildText(pugi::xml_node parent, std::string_view local_name) {
  return Text(Child(parent, local_name));
}

std::string Attribute(pugi::xml_node node, std::string_view local_name) {
  for (pugi::xml_attribute attribute : node.attributes()) {
    if (LocalName(attribute.name()) == local_name) return std::string(Trim(attribute.value()));
  }
  return {};
}

std::optional<double> ParseDouble(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int> ParseInt(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

int NonNegativeInt(std::string_view text) { return std::max(0, ParseInt(text).value_or(0)); }

// xs:boolean; anything else reads as false.
bool ParseBool(std::string_view text) {
  text = Trim(text);
  return text == "true" || text == "1";
}

// xs:dateTime; a time without a zone is taken as UTC (cameras that omit it mean UTC).
std::optional<WallTime> ParseDateTime(std::string_view text) {
  text = Trim(text);
  if (auto parsed = base::ParseRfc3339(text)) return parsed;
  return base::ParseRfc3339(std::string(text) + "Z");
}

// Keeps what a QName may hold, so a camera cannot smuggle separators or newlines into the
// "ONVIF fault <subcode>: <reason>" message.
std::string CleanQName(std::string_view text) {
  std::string out;
  for (const char c : Trim(text)) {
    if (out.size() >= kMaxQNameBytes) break;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
        c == '_' || c == '-' || c == '.') {
      out += c;
    }
  }
  return out;
}

// One line, bounded, cut at a UTF-8 character boundary.
std::string CleanReason(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == ' ' || c == 0x7f) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
    if (out.size() >= kMaxFaultReasonBytes) break;
  }
  if (out.size() >= kMaxFaultReasonBytes) {
    std::size_t cut = kMaxFaultReasonBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

Error FaultError(pugi::xml_node fault) {
  std::string code;
  std::vector<std::string> subcodes;
  std::string reason;
  if (pugi::xml_node code_node = Child(fault, "Code")) {  // SOAP 1.2
    code = CleanQName(ChildText(code_node, "Value"));
    pugi::xml_node level = code_node;
    while (subcodes.size() < kMaxSubcodes) {
      level = Child(level, "Subcode");
      if (!level) break;
      if (std::string value = CleanQName(ChildText(level, "Value")); !value.empty()) {
        subcodes.push_back(std::move(value));
      }
    }
    reason = Text(Child(Child(fault, "Reason"), "Text"));
  } else {  // SOAP 1.1, which some older firmware still answers with
    code = CleanQName(ChildText(fault, "faultcode"));
    reason = ChildText(fault, "faultstring");
  }

  const std::string_view code_name = LocalName(code);
  const bool sender = code_name == "Sender" || code_name == "Client" ||
                      code_name.starts_with("Client.") || code_name == "NotAuthorized";
  const bool receiver =
      code_name == "Receiver" || code_name == "Server" || code_name.starts_with("Server.");
  const bool not_authorized =
      code_name == "NotAuthorized" ||
      std::any_of(subcodes.begin(), subcodes.end(),
                  [](const std::string& value) { return LocalName(value) == "NotAuthorized"; });

  ErrorCode error_code = ErrorCode::kInvalidArgument;  // also VersionMismatch, MustUnderstand
  if (sender && not_authorized) {
    error_code = ErrorCode::kPermissionDenied;
  } else if (receiver) {
    error_code = ErrorCode::kUnavailable;
  }

  std::string what;
  for (const std::string& subcode : subcodes) what += (what.empty() ? "" : "/") + subcode;
  if (what.empty()) what = code.empty() ? "(no code)" : code;
  std::string text = CleanReason(reason);
  if (text.empty()) text = "(no reason given)";
  return Error{error_code, fmt::format("ONVIF fault {}: {}", what, text)};
}

// Parses `xml` into `doc` and returns the SOAP Body.
Result<pugi::xml_node> LoadBody(std::string_view xml, pugi::xml_document& doc) {
  if (xml.empty()) return Fail(ErrorCode::kInvalidArgument, "the camera's answer is empty");
  if (xml.size() > kMaxResponseBytes) {
    return Fail(ErrorCode::kInvalidArgument, "the camera's answer is larger than 1 MiB");
  }
  if (ContainsDoctypeOrEntity(xml)) {
    return Fail(ErrorCode::kInvalidArgument, "the camera's answer carries a DOCTYPE (refused)");
  }
  const pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), kParseOptions, pugi::encoding_utf8);
  if (!parsed) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("the camera's answer is not well-formed XML ({} at byte {})",
                            parsed.description(), parsed.offset));
  }
  if (!WithinLimits(doc)) {
    return Fail(ErrorCode::kInvalidArgument,
                "the camera's answer is nested too deeply or has too many elements");
  }
  const pugi::xml_node envelope = doc.document_element();
  if (!Named(envelope, "Envelope")) {
    return Fail(ErrorCode::kInvalidArgument, "the camera's answer is not a SOAP envelope");
  }
  const pugi::xml_node body = Child(envelope, "Body");
  if (!body) return Fail(ErrorCode::kInvalidArgument, "the camera's SOAP envelope has no Body");
  return body;
}

// The Body's child named one of `names`, or the fault's error, or an error naming names[0].
Result<pugi::xml_node> LoadResponse(std::string_view xml, pugi::xml_document& doc,
                                    std::initializer_list<std::string_view> names) {
  CAMGUARD_TRY(const pugi::xml_node body, LoadBody(xml, doc));
  if (const pugi::xml_node fault = Child(body, "Fault")) return tl::unexpected(FaultError(fault));
  for (const std::string_view name : names) {
    if (const pugi::xml_node response = Child(body, name)) return response;
  }
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("the camera's answer has no {}", *names.begin()));
}

// Calls `handle` for each child element named `local_name`, refusing more than kMaxListItems.
template <typename Handle>
Status ForEachChild(pugi::xml_node parent, std::string_view local_name, std::string_view what,
                    Handle&& handle) {
  std::size_t count = 0;
  for (pugi::xml_node child : parent.children()) {
    if (!Named(child, local_name)) continue;
    if (++count > kMaxListItems) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("the camera lists more than {} {}", kMaxListItems, what));
    }
    handle(child);
  }
  return base::Ok();
}

// Service addresses are where we will post credentials: only plain http(s) URLs count.
bool PlausibleHttpUrl(std::string_view url) {
  if (url.size() > kMaxUriBytes) return false;
  if (!StartsWithIgnoringCase(url, "HTTP://") && !StartsWithIgnoringCase(url, "HTTPS://")) {
    return false;
  }
  return std::none_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) == 0x7f;
  });
}

void SetIfPlausible(std::string& slot, const std::string& xaddr) {
  if (slot.empty() && PlausibleHttpUrl(xaddr)) slot = xaddr;
}

// tt:IPAddress or tt:NetworkHost: the field its Type names, else the first one present.
std::string HostOf(pugi::xml_node host) {
  const std::string type = ChildText(host, "Type");
  const std::string ipv4 = ChildText(host, "IPv4Address");
  const std::string ipv6 = ChildText(host, "IPv6Address");
  const std::string dns = ChildText(host, "DNSname");
  if (type == "IPv4" && !ipv4.empty()) return ipv4;
  if (type == "IPv6" && !ipv6.empty()) return ipv6;
  if (type == "DNS" && !dns.empty()) return dns;
  for (const std::string* candidate : {&dns, &ipv4, &ipv6}) {
    if (!candidate->empty()) return *candidate;
  }
  return {};
}

Result<std::vector<std::string>> Hosts(pugi::xml_node parent, std::string_view local_name) {
  std::vector<std::string> hosts;
  CAMGUARD_TRY_STATUS(ForEachChild(parent, local_name, "servers", [&](pugi::xml_node host) {
    if (std::string name = HostOf(host); !name.empty()) hosts.push_back(std::move(name));
  }));
  return hosts;
}

PtzStatus::MoveState ParseMoveState(std::string_view text) {
  text = Trim(text);
  if (text == "IDLE") return PtzStatus::MoveState::kIdle;
  if (text == "MOVING") return PtzStatus::MoveState::kMoving;
  return PtzStatus::MoveState::kUnknown;
}

UserLevel ParseUserLevel(std::string_view text) {
  for (const UserLevel level :
       {UserLevel::kAdministrator, UserLevel::kOperator, UserLevel::kUser, UserLevel::kAnonymous}) {
    if (Trim(text) == ToString(level)) return level;
  }
  return UserLevel::kExtended;
}

}  // namespace

std::string Action(std::string_view wsdl, std::string_view operation) {
  return fmt::format("{}/{}", wsdl, operation);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // As references, so that no parser normalizes them away (CR) or into spaces (attributes).
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (IsXmlForbiddenControl(static_cast<unsigned char>(c))) {
          out += kReplacementCharacter;
        } else if (IsNonCharacterAt(text, i)) {
          out += kReplacementCharacter;
          i += 2;
        } else {
          out += c;
        }
    }
  }
  return out;
}

bool HasXmlForbiddenCharacters(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (IsXmlForbiddenControl(static_cast<unsigned char>(text[i])) || IsNonCharacterAt(text, i)) {
      return true;
    }
  }
  return false;
}

UsernameToken MakeUsernameToken(std::string_view username, std::string_view password,
                                std::string_view nonce_raw, WallTime created) {
  UsernameToken token;
  token.username = std::string(username);
  token.created = FormatCreated(created);
  std::string digest_input;
  digest_input.reserve(nonce_raw.size() + token.created.size() + password.size());
  digest_input.append(nonce_raw).append(token.created).append(password);
  token.password_digest = base::Base64Encode(crypto::Sha1(digest_input));
  token.nonce_base64 = base::Base64Encode(nonce_raw);
  return token;
}

std::string Envelope(std::string_view body_xml, const std::optional<UsernameToken>& token) {
  std::string out = fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{}">)", kSoapEnvelopeNs);
  if (token) {
    out += fmt::format(
        R"(<s:Header><wsse:Security xmlns:wsse="{}" xmlns:wsu="{}" s:mustUnderstand="1">)"
        "<wsse:UsernameToken>{}"
        R"(<wsse:Password Type="{}">{}</wsse:Password>)"
        R"(<wsse:Nonce EncodingType="{}">{}</wsse:Nonce>)"
        "{}</wsse:UsernameToken></wsse:Security></s:Header>",
        kWsseNs, kWsuNs, Element("wsse:Username", token->username), kPasswordDigestType,
        XmlEscape(token->password_digest), kBase64BinaryType, XmlEscape(token->nonce_base64),
        Element("wsu:Created", token->created));
  }
  out += "<s:Body>";
  out += body_xml;
  out += "</s:Body></s:Envelope>";
  return out;
}

std::string_view ToString(UserLevel level) {
  switch (level) {
    case UserLevel::kAdministrator: return "Administrator";
    case UserLevel::kOperator: return "Operator";
    case UserLevel::kUser: return "User";
    case UserLevel::kAnonymous: return "Anonymous";
    case UserLevel::kExtended: return "Extended";
  }
  return "Extended";
}

std::string_view ToString(PtzStatus::MoveState state) {
  switch (state) {
    case PtzStatus::MoveState::kIdle: return "IDLE";
    case PtzStatus::MoveState::kMoving: return "MOVING";
    case PtzStatus::MoveState::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string FormatXsDuration(std::chrono::milliseconds duration) {
  const std::int64_t ms = std::max<std::int64_t>(0, duration.count());
  std::string out = fmt::format("PT{}", ms / 1000);
  if (const std::int64_t fraction = ms % 1000; fraction != 0) {
    std::string digits = fmt::format("{:03}", fraction);
    digits.erase(digits.find_last_not_of('0') + 1);
    out += "." + digits;
  }
  return out + "S";
}

// --- Requests ----------------------------------------------------------------------------

namespace request {

namespace {

// An operation element with its namespace declared (and tt: when the content uses it).
std::string Operation(std::string_view prefix, std::string_view wsdl, std::string_view name,
                      std::string_view content = {}, bool uses_schema = false) {
  const std::string schema =
      uses_schema ? fmt::format(R"( xmlns:tt="{}")", kSchemaNs) : std::string();
  if (content.empty())
    return fmt::format(R"(<{}:{} xmlns:{}="{}"{}/>)", prefix, name, prefix, wsdl, schema);
  return fmt::format(R"(<{0}:{1} xmlns:{0}="{2}"{3}>{4}</{0}:{1}>)", prefix, name, wsdl, schema,
                     content);
}

std::string Device(std::string_view name, std::string_view content = {}, bool uses_schema = false) {
  return Operation("tds", kDeviceWsdl, name, content, uses_schema);
}

std::string Media(std::string_view name, std::string_view content = {}, bool uses_schema = false) {
  return Operation("trt", kMediaWsdl, name, content, uses_schema);
}

std::string Ptz(std::string_view name, std::string_view content, bool uses_schema = false) {
  return Operation("tptz", kPtzWsdl, name, content, uses_schema);
}

std::string ProfileToken(std::string_view prefix, std::string_view token) {
  return Element(fmt::format("{}:ProfileToken", prefix), token);
}

std::string UserElement(std::string_view username, std::string_view password, UserLevel level) {
  return "<tds:User>" + Element("tt:Username", username) + Element("tt:Password", password) +
         Element("tt:UserLevel", ToString(level)) + "</tds:User>";
}

// A PTZVector: <tt:PanTilt x y/><tt:Zoom x/> inside `wrapper`.
std::string Vector(std::string_view wrapper, double pan, double tilt, double zoom) {
  return fmt::format(R"(<{0}><tt:PanTilt x="{1}" y="{2}"/><tt:Zoom x="{3}"/></{0}>)", wrapper,
                     Number(pan), Number(tilt), Number(zoom));
}

}  // namespace

std::string GetSystemDateAndTime() { return Device("GetSystemDateAndTime"); }

std::string GetCapabilities() { return Device("GetCapabilities", Element("tds:Category", "All")); }

std::string GetServices() {
  return Device("GetServices", Element("tds:IncludeCapability", "false"));
}

std::string GetDeviceInformation() { return Device("GetDeviceInformation"); }

std::string GetUsers() { return Device("GetUsers"); }

std::string CreateUsers(std::string_view username, std::string_view password, UserLevel level) {
  return Device("CreateUsers", UserElement(username, password, level), true);
}

std::string DeleteUsers(std::string_view username) {
  return Device("DeleteUsers", Element("tds:Username", username));
}

std::string SetUser(std::string_view username, std::string_view password, UserLevel level) {
  return Device("SetUser", UserElement(username, password, level), true);
}

std::string GetNetworkInterfaces() { return Device("GetNetworkInterfaces"); }

std::string GetDNS() { return Device("GetDNS"); }

std::string GetNTP() { return Device("GetNTP"); }

std::string GetProfiles() { return Media("GetProfiles"); }

std::string GetStreamUri(std::string_view profile_token) {
  return Media("GetStreamUri",
               "<trt:StreamSetup>" + Element("tt:Stream", "RTP-Unicast") + "<tt:Transport>" +
                   Element("tt:Protocol", "RTSP") + "</tt:Transport></trt:StreamSetup>" +
                   ProfileToken("trt", profile_token),
               true);
}

std::string GetSnapshotUri(std::string_view profile_token) {
  return Media("GetSnapshotUri", ProfileToken("trt", profile_token));
}

std::string ContinuousMove(std::string_view profile_token, double pan, double tilt, double zoom,
                           std::optional<std::chrono::milliseconds> timeout) {
  std::string content =
      ProfileToken("tptz", profile_token) + Vector("tptz:Velocity", pan, tilt, zoom);
  if (timeout) content += Element("tptz:Timeout", FormatXsDuration(*timeout));
  return Ptz("ContinuousMove", content, true);
}

std::string RelativeMove(std::string_view profile_token, double pan_delta, double tilt_delta,
                         double zoom_delta) {
  return Ptz("RelativeMove",
             ProfileToken("tptz", profile_token) +
                 Vector("tptz:Translation", pan_delta, tilt_delta, zoom_delta),
             true);
}

std::string AbsoluteMove(std::string_view profile_token, double pan, double tilt, double zoom) {
  return Ptz("AbsoluteMove",
             ProfileToken("tptz", profile_token) + Vector("tptz:Position", pan, tilt, zoom), true);
}

std::string Stop(std::string_view profile_token, bool pan_tilt, bool zoom) {
  return Ptz("Stop", ProfileToken("tptz", profile_token) + Element("tptz:PanTilt", Bool(pan_tilt)) +
                         Element("tptz:Zoom", Bool(zoom)));
}

std::string GetStatus(std::string_view profile_token) {
  return Ptz("GetStatus", ProfileToken("tptz", profile_token));
}

std::string GetPresets(std::string_view profile_token) {
  return Ptz("GetPresets", ProfileToken("tptz", profile_token));
}

std::string GotoPreset(std::string_view profile_token, std::string_view preset_token) {
  return Ptz("GotoPreset",
             ProfileToken("tptz", profile_token) + Element("tptz:PresetToken", preset_token));
}

std::string SetPreset(std::string_view profile_token, std::string_view preset_name) {
  return Ptz("SetPreset",
             ProfileToken("tptz", profile_token) + Element("tptz:PresetName", preset_name));
}

std::string RemovePreset(std::string_view profile_token, std::string_view preset_token) {
  return Ptz("RemovePreset",
             ProfileToken("tptz", profile_token) + Element("tptz:PresetToken", preset_token));
}

}  // namespace request

// --- Responses ---------------------------------------------------------------------------

std::optional<Error> ParseFault(std::string_view xml) {
  pugi::xml_document doc;
  const Result<pugi::xml_node> body = LoadBody(xml, doc);
  if (!body) return std::nullopt;
  const pugi::xml_node fault = Child(*body, "Fault");
  if (!fault) return std::nullopt;
  return FaultError(fault);
}

Result<WallTime> ParseSystemDateAndTime(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response,
               LoadResponse(xml, doc, {"GetSystemDateAndTimeResponse"}));
  const pugi::xml_node utc = Child(Child(response, "SystemDateAndTime"), "UTCDateTime");
  if (!utc) return Fail(ErrorCode::kInvalidArgument, "the camera reports no UTC date and time");
  const pugi::xml_node date = Child(utc, "Date");
  const pugi::xml_node time = Child(utc, "Time");
  const std::optional<int> year = ParseInt(ChildText(date, "Year"));
  const std::optional<int> month = ParseInt(ChildText(date, "Month"));
  const std::optional<int> day = ParseInt(ChildText(date, "Day"));
  const std::optional<int> hour = ParseInt(ChildText(time, "Hour"));
  const std::optional<int> minute = ParseInt(ChildText(time, "Minute"));
  const std::optional<int> second = ParseInt(ChildText(time, "Second"));
  if (!year || !month || !day || !hour || !minute || !second) {
    return Fail(ErrorCode::kInvalidArgument, "the camera's UTC date and time is incomplete");
  }
  // The same span as base::ParseRfc3339: what a 64-bit nanosecond time_point can hold.
  const std::chrono::year_month_day ymd{
      std::chrono::year(std::clamp(*year, 0, 9999)),
      std::chrono::month(static_cast<unsigned>(std::clamp(*month, 0, 13))),
      std::chrono::day(static_cast<unsigned>(std::clamp(*day, 0, 32)))};
  if (*year < 1970 || *year > 2200 || !ymd.ok() || *hour < 0 || *hour > 23 || *minute < 0 ||
      *minute > 59 || *second < 0 || *second > 60) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("the camera's UTC date and time is invalid ({}-{}-{} {}:{}:{})", *year,
                            *month, *day, *hour, *minute, *second));
  }
  // A leap second reads as the second before it.
  return WallTime(std::chrono::sys_days(ymd)) + std::chrono::hours(*hour) +
         std::chrono::minutes(*minute) + std::chrono::seconds(std::min(*second, 59));
}

Result<ServiceAddresses> ParseServices(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response, LoadResponse(xml, doc, {"GetServicesResponse"}));
  ServiceAddresses addresses;
  CAMGUARD_TRY_STATUS(ForEachChild(response, "Service", "services", [&](pugi::xml_node service) {
    const std::string ns = ChildText(service, "Namespace");
    const std::string xaddr = ChildText(service, "XAddr");
    if (ns == kDeviceWsdl) SetIfPlausible(addresses.device, xaddr);
    if (ns == kMediaWsdl) SetIfPlausible(addresses.media, xaddr);
    if (ns == kPtzWsdl) SetIfPlausible(addresses.ptz, xaddr);
    if (ns == kEventsWsdl) SetIfPlausible(addresses.events, xaddr);
    if (ns == kImagingWsdl) SetIfPlausible(addresses.imaging, xaddr);
  }));
  return addresses;
}

Result<ServiceAddresses> ParseCapabilities(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response, LoadResponse(xml, doc, {"GetCapabilitiesResponse"}));
  const pugi::xml_node capabilities = Child(response, "Capabilities");
  if (!capabilities) {
    return Fail(ErrorCode::kInvalidArgument, "the camera's answer has no Capabilities");
  }
  ServiceAddresses addresses;
  SetIfPlausible(addresses.device, ChildText(Child(capabilities, "Device"), "XAddr"));
  SetIfPlausible(addresses.media, ChildText(Child(capabilities, "Media"), "XAddr"));
  SetIfPlausible(addresses.ptz, ChildText(Child(capabilities, "PTZ"), "XAddr"));
  SetIfPlausible(addresses.events, ChildText(Child(capabilities, "Events"), "XAddr"));
  SetIfPlausible(addresses.imaging, ChildText(Child(capabilities, "Imaging"), "XAddr"));
  return addresses;
}

Result<DeviceInformation> ParseDeviceInformation(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response,
               LoadResponse(xml, doc, {"GetDeviceInformationResponse"}));
  DeviceInformation info;
  info.manufacturer = ChildText(response, "Manufacturer");
  info.model = ChildText(response, "Model");
  info.firmware_version = ChildText(response, "FirmwareVersion");
  info.serial_number = ChildText(response, "SerialNumber");
  info.hardware_id = ChildText(response, "HardwareId");
  return info;
}

Result<std::vector<Profile>> ParseProfiles(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response, LoadResponse(xml, doc, {"GetProfilesResponse"}));
  std::vector<Profile> profiles;
  CAMGUARD_TRY_STATUS(ForEachChild(response, "Profiles", "profiles", [&](pugi::xml_node node) {
    Profile profile;
    profile.token = Attribute(node, "token");
    if (profile.token.empty()) return;  // unusable: every request names the profile's token
    profile.name = ChildText(node, "Name");
    const pugi::xml_node encoder = Child(node, "VideoEncoderConfiguration");
    profile.encoding = ChildText(encoder, "Encoding");
    const pugi::xml_node resolution = Child(encoder, "Resolution");
    profile.width = NonNegativeInt(ChildText(resolution, "Width"));
    profile.height = NonNegativeInt(ChildText(resolution, "Height"));
    const pugi::xml_node rate_control = Child(encoder, "RateControl");
    profile.frame_rate_limit = NonNegativeInt(ChildText(rate_control, "FrameRateLimit"));
    profile.bitrate_limit = NonNegativeInt(ChildText(rate_control, "BitrateLimit"));
    const pugi::xml_node ptz = Child(node, "PTZConfiguration");
    profile.has_ptz = static_cast<bool>(ptz);
    profile.ptz_node_token = ChildText(ptz, "NodeToken");
    profiles.push_back(std::move(profile));
  }));
  return profiles;
}

Result<std::string> ParseMediaUri(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response,
               LoadResponse(xml, doc, {"GetStreamUriResponse", "GetSnapshotUriResponse"}));
  std::string uri = ChildText(Child(response, "MediaUri"), "Uri");
  if (uri.empty()) return Fail(ErrorCode::kInvalidArgument, "the camera gave no media URI");
  if (uri.size() > kMaxUriBytes || std::any_of(uri.begin(), uri.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20;
      })) {
    return Fail(ErrorCode::kInvalidArgument, "the camera's media URI is malformed");
  }
  return uri;
}

Result<PtzStatus> ParsePtzStatus(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response, LoadResponse(xml, doc, {"GetStatusResponse"}));
  const pugi::xml_node node = Child(response, "PTZStatus");
  if (!node) return Fail(ErrorCode::kInvalidArgument, "the camera's answer has no PTZStatus");
  PtzStatus status;
  const pugi::xml_node position = Child(node, "Position");
  const pugi::xml_node pan_tilt = Child(position, "PanTilt");
  status.pan = ParseDouble(Attribute(pan_tilt, "x")).value_or(0);
  status.tilt = ParseDouble(Attribute(pan_tilt, "y")).value_or(0);
  status.zoom = ParseDouble(Attribute(Child(position, "Zoom"), "x")).value_or(0);
  const pugi::xml_node move_status = Child(node, "MoveStatus");
  status.pan_tilt_state = ParseMoveState(ChildText(move_status, "PanTilt"));
  status.zoom_state = ParseMoveState(ChildText(move_status, "Zoom"));
  if (const pugi::xml_node error = Child(node, "Error")) {
    if (std::string text = CleanReason(Text(error)); !text.empty()) status.error = std::move(text);
  }
  if (const pugi::xml_node utc_time = Child(node, "UtcTime")) {
    status.utc_time = ParseDateTime(Text(utc_time));
  }
  return status;
}

Result<std::vector<Preset>> ParsePresets(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response, LoadResponse(xml, doc, {"GetPresetsResponse"}));
  std::vector<Preset> presets;
  CAMGUARD_TRY_STATUS(ForEachChild(response, "Preset", "presets", [&](pugi::xml_node node) {
    Preset preset;
    preset.token = Attribute(node, "token");
    if (preset.token.empty()) return;
    preset.name = ChildText(node, "Name");
    const pugi::xml_node position = Child(node, "PTZPosition");
    if (const pugi::xml_node pan_tilt = Child(position, "PanTilt")) {
      preset.pan = ParseDouble(Attribute(pan_tilt, "x"));
      preset.tilt = ParseDouble(Attribute(pan_tilt, "y"));
    }
    if (const pugi::xml_node zoom = Child(position, "Zoom")) {
      preset.zoom = ParseDouble(Attribute(zoom, "x"));
    }
    presets.push_back(std::move(preset));
  }));
  return presets;
}

Result<std::string> ParseSetPreset(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response, LoadResponse(xml, doc, {"SetPresetResponse"}));
  std::string token = ChildText(response, "PresetToken");
  if (token.empty()) return Fail(ErrorCode::kInvalidArgument, "the camera gave no preset token");
  return token;
}

Result<std::vector<User>> ParseUsers(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response, LoadResponse(xml, doc, {"GetUsersResponse"}));
  std::vector<User> users;
  CAMGUARD_TRY_STATUS(ForEachChild(response, "User", "users", [&](pugi::xml_node node) {
    User user;
    user.username = ChildText(node, "Username");
    if (user.username.empty()) return;
    user.level = ParseUserLevel(ChildText(node, "UserLevel"));
    users.push_back(std::move(user));
  }));
  return users;
}

Result<std::vector<NetworkInterface>> ParseNetworkInterfaces(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response,
               LoadResponse(xml, doc, {"GetNetworkInterfacesResponse"}));
  std::vector<NetworkInterface> interfaces;
  Status inner = base::Ok();
  CAMGUARD_TRY_STATUS(
      ForEachChild(response, "NetworkInterfaces", "network interfaces", [&](pugi::xml_node node) {
        NetworkInterface nic;
        nic.token = Attribute(node, "token");
        nic.enabled = ParseBool(ChildText(node, "Enabled"));
        nic.hw_address = ChildText(Child(node, "Info"), "HwAddress");
        const pugi::xml_node config = Child(Child(node, "IPv4"), "Config");
        nic.dhcp = ParseBool(ChildText(config, "DHCP"));
        Status manual = ForEachChild(config, "Manual", "addresses", [&](pugi::xml_node address) {
          if (std::string text = ChildText(address, "Address"); !text.empty()) {
            nic.ipv4_addresses.push_back(std::move(text));
          }
        });
        if (!manual && inner) inner = manual;
        if (std::string text = ChildText(Child(config, "FromDHCP"), "Address"); !text.empty()) {
          nic.ipv4_addresses.push_back(std::move(text));
        }
        interfaces.push_back(std::move(nic));
      }));
  CAMGUARD_TRY_STATUS(inner);
  return interfaces;
}

Result<Dns> ParseDns(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response, LoadResponse(xml, doc, {"GetDNSResponse"}));
  const pugi::xml_node info = Child(response, "DNSInformation");
  if (!info) return Fail(ErrorCode::kInvalidArgument, "the camera's answer has no DNSInformation");
  Dns dns;
  dns.from_dhcp = ParseBool(ChildText(info, "FromDHCP"));
  CAMGUARD_TRY(dns.servers, Hosts(info, dns.from_dhcp ? "DNSFromDHCP" : "DNSManual"));
  CAMGUARD_TRY_STATUS(ForEachChild(info, "SearchDomain", "search domains", [&](pugi::xml_node d) {
    if (std::string text = Text(d); !text.empty()) dns.search_domains.push_back(std::move(text));
  }));
  return dns;
}

Result<Ntp> ParseNtp(std::string_view xml) {
  pugi::xml_document doc;
  CAMGUARD_TRY(const pugi::xml_node response, LoadResponse(xml, doc, {"GetNTPResponse"}));
  const pugi::xml_node info = Child(response, "NTPInformation");
  if (!info) return Fail(ErrorCode::kInvalidArgument, "the camera's answer has no NTPInformation");
  Ntp ntp;
  ntp.from_dhcp = ParseBool(ChildText(info, "FromDHCP"));
  CAMGUARD_TRY(ntp.servers, Hosts(info, ntp.from_dhcp ? "NTPFromDHCP" : "NTPManual"));
  return ntp;
}

Status ParseEmptyResponse(std::string_view xml, std::string_view response_name) {
  pugi::xml_document doc;
  CAMGUARD_TRY_STATUS(LoadResponse(xml, doc, {response_name}));
  return base::Ok();
}

}  // namespace camguard::onvif
