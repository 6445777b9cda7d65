// SPDX-License-Identifier: Apache-2.0
// ONVIF over SOAP 1.2, pure: request bodies and envelopes out, typed values in. Cameras are
// untrusted: every parser is total (any bytes give a value or an error), bounded in size,
// depth and counts, refuses DOCTYPEs, matches element names without their namespace prefix
// (cameras use env:, SOAP-ENV:, s: or none) and turns a SOAP fault into an error first.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace camguard::onvif {

using base::Error;
using base::Result;
using base::Status;
using WallTime = std::chrono::system_clock::time_point;

inline constexpr std::string_view kSoapEnvelopeNs = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view kDeviceWsdl = "http://www.onvif.org/ver10/device/wsdl";
inline constexpr std::string_view kMediaWsdl = "http://www.onvif.org/ver10/media/wsdl";
inline constexpr std::string_view kPtzWsdl = "http://www.onvif.org/ver20/ptz/wsdl";
inline constexpr std::string_view kEventsWsdl = "http://www.onvif.org/ver10/events/wsdl";
inline constexpr std::string_view kImagingWsdl = "http://www.onvif.org/ver20/imaging/wsdl";
inline constexpr std::string_view kSchemaNs = "http://www.onvif.org/ver10/schema";

// Limits on what a camera may send us.
inline constexpr std::size_t kMaxResponseBytes = 1 << 20;
inline constexpr std::size_t kMaxElementDepth = 64;
inline constexpr std::size_t kMaxListItems = 256;

// The SOAP action of an operation: "<wsdl namespace>/<operation>".
std::string Action(std::string_view wsdl, std::string_view operation);

// Escapes text for element content and attribute values. Characters XML 1.0 cannot carry at
// all (controls other than tab, LF and CR) become U+FFFD; callers that must not alter a value
// check HasXmlForbiddenCharacters first.
std::string XmlEscape(std::string_view text);
bool HasXmlForbiddenCharacters(std::string_view text);

// WS-Security UsernameToken with a password digest (OASIS WSS UsernameToken Profile 1.0).
struct UsernameToken {
  std::string username;
  std::string password_digest;  // Base64(SHA1(nonce_raw + created + password))
  std::string nonce_base64;
  std::string created;  // UTC, YYYY-MM-DDTHH:MM:SSZ
  bool operator==(const UsernameToken&) const = default;
};

// Deterministic: the caller supplies the nonce (crypto::RandomBytes(16)) and the time (the
// camera's clock, see Client::SyncClock).
UsernameToken MakeUsernameToken(std::string_view username, std::string_view password,
                                std::string_view nonce_raw, WallTime created);

// A SOAP 1.2 envelope around `body_xml`, with the token in a mustUnderstand Security header.
std::string Envelope(std::string_view body_xml, const std::optional<UsernameToken>& token);

enum class UserLevel { kAdministrator, kOperator, kUser, kAnonymous, kExtended };
std::string_view ToString(UserLevel level);

// Request bodies (the element inside s:Body, declaring the namespaces it uses). Every string
// argument is escaped; numbers are printed with 6 significant digits whatever the locale, and a
// NaN or infinity (which no camera accepts) is sent as 0: Client refuses them before.
namespace request {
std::string GetSystemDateAndTime();
std::string GetCapabilities();
std::string GetServices();
std::string GetDeviceInformation();
std::string GetUsers();
std::string CreateUsers(std::string_view username, std::string_view password, UserLevel level);
std::string DeleteUsers(std::string_view username);
std::string SetUser(std::string_view username, std::string_view password, UserLevel level);
std::string GetNetworkInterfaces();
std::string GetDNS();
std::string GetNTP();
std::string GetProfiles();
// RTP unicast over RTSP.
std::string GetStreamUri(std::string_view profile_token);
std::string GetSnapshotUri(std::string_view profile_token);
// Velocities in the camera's generic space ([-1, 1]); the camera stops by itself after
// `timeout` (an xs:duration such as PT1.5S; negative counts as zero).
std::string ContinuousMove(std::string_view profile_token, double pan, double tilt, double zoom,
                           std::optional<std::chrono::milliseconds> timeout);
std::string RelativeMove(std::string_view profile_token, double pan_delta, double tilt_delta,
                         double zoom_delta);
std::string AbsoluteMove(std::string_view profile_token, double pan, double tilt, double zoom);
std::string Stop(std::string_view profile_token, bool pan_tilt, bool zoom);
std::string GetStatus(std::string_view profile_token);
std::string GetPresets(std::string_view profile_token);
std::string GotoPreset(std::string_view profile_token, std::string_view preset_token);
std::string SetPreset(std::string_view profile_token, std::string_view preset_name);
std::string RemovePreset(std::string_view profile_token, std::string_view preset_token);
}  // namespace request

// xs:duration for a timeout: 1500 ms → "PT1.5S".
std::string FormatXsDuration(std::chrono::milliseconds duration);

// --- Responses ---------------------------------------------------------------------------

// Where the camera serves each ONVIF service; empty when it does not say.
struct ServiceAddresses {
  std::string device, media, ptz, events, imaging;
  bool operator==(const ServiceAddresses&) const = default;
};

struct DeviceInformation {
  std::string manufacturer, model, firmware_version, serial_number, hardware_id;
  bool operator==(const DeviceInformation&) const = default;
};

struct Profile {
  std::string token;
  std::string name;
  std::string encoding;  // "H264", "H265", "JPEG", "MPEG4"; empty without an encoder
  int width = 0, height = 0;
  int frame_rate_limit = 0;
  int bitrate_limit = 0;  // kbit/s
  bool has_ptz = false;
  std::string ptz_node_token;
  bool operator==(const Profile&) const = default;
};

struct PtzStatus {
  enum class MoveState { kIdle, kMoving, kUnknown };
  double pan = 0, tilt = 0, zoom = 0;
  MoveState pan_tilt_state = MoveState::kUnknown;
  MoveState zoom_state = MoveState::kUnknown;
  std::optional<WallTime> utc_time;
  std::optional<std::string> error;
};
std::string_view ToString(PtzStatus::MoveState state);

struct Preset {
  std::string token;
  std::string name;
  std::optional<double> pan, tilt, zoom;
  bool operator==(const Preset&) const = default;
};

struct User {
  std::string username;
  UserLevel level = UserLevel::kUser;  // a level we do not know reads as kExtended
  bool operator==(const User&) const = default;
};

struct NetworkInterface {
  std::string token;
  bool enabled = false;
  std::string hw_address;
  std::vector<std::string> ipv4_addresses;  // manual ones, then the one from DHCP
  bool dhcp = false;
  bool operator==(const NetworkInterface&) const = default;
};

// Servers in effect: the DHCP-provided ones when from_dhcp, the manual ones otherwise.
struct Dns {
  bool from_dhcp = false;
  std::vector<std::string> servers;
  std::vector<std::string> search_domains;
  bool operator==(const Dns&) const = default;
};

struct Ntp {
  bool from_dhcp = false;
  std::vector<std::string> servers;  // host names or addresses
  bool operator==(const Ntp&) const = default;
};

// The SOAP fault in `xml`, if there is one, as an error: Sender + NotAuthorized →
// kPermissionDenied, other Sender faults → kInvalidArgument, Receiver faults → kUnavailable;
// message "ONVIF fault <subcodes>: <reason>" (one line, bounded). SOAP 1.1 faults
// (faultcode Client/Server) are understood too. nullopt for anything else, even garbage.
std::optional<Error> ParseFault(std::string_view xml);

Result<WallTime> ParseSystemDateAndTime(std::string_view xml);
Result<ServiceAddresses> ParseServices(std::string_view xml);
Result<ServiceAddresses> ParseCapabilities(std::string_view xml);
Result<DeviceInformation> ParseDeviceInformation(std::string_view xml);
Result<std::vector<Profile>> ParseProfiles(std::string_view xml);
// GetStreamUriResponse or GetSnapshotUriResponse.
Result<std::string> ParseMediaUri(std::string_view xml);
Result<PtzStatus> ParsePtzStatus(std::string_view xml);
Result<std::vector<Preset>> ParsePresets(std::string_view xml);
Result<std::string> ParseSetPreset(std::string_view xml);
Result<std::vector<User>> ParseUsers(std::string_view xml);
Result<std::vector<NetworkInterface>> ParseNetworkInterfaces(std::string_view xml);
Result<Dns> ParseDns(std::string_view xml);
Result<Ntp> ParseNtp(std::string_view xml);
// Ok when the body holds the element `response_name` (local name, e.g. "StopResponse").
Status ParseEmptyResponse(std::string_view xml, std::string_view response_name);

}  // namespace camguard::onvif
