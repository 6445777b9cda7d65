// SPDX-License-Identifier: Apache-2.0
#include "onvif/client.h"

#include <cmath>
#include <initializer_list>
#include <utility>

#include <fmt/format.h>

#include "crypto/crypto.h"

namespace camguard::onvif {

namespace {

using base::ErrorCode;
using base::Fail;

constexpr std::size_t kNonceBytes = 16;

std::string ReplaceAll(std::string text, std::string_view needle, std::string_view replacement) {
  if (needle.empty()) return text;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + replacement.size())) {
    text.replace(at, needle.size(), replacement);
  }
  return text;
}

// Arguments go into XML: refuse what XML cannot carry instead of sending an altered value.
Status CheckText(std::string_view value, std::string_view what) {
  if (HasXmlForbiddenCharacters(value)) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("the {} contains characters XML cannot carry", what));
  }
  return base::Ok();
}

Status CheckToken(std::string_view value, std::string_view what) {
  if (value.empty()) return Fail(ErrorCode::kInvalidArgument, fmt::format("the {} is empty", what));
  return CheckText(value, what);
}

Status CheckFinite(std::initializer_list<double> values) {
  for (const double value : values) {
    if (!std::isfinite(value)) {
      return Fail(ErrorCode::kInvalidArgument, "PTZ coordinates must be finite numbers");
    }
  }
  return base::Ok();
}

}  // namespace

Client::Client(std::string device_url, std::string username, base::Redacted<std::string> password,
               Transport transport, const base::Clock& clock)
    : device_url_(std::move(device_url)),
      username_(std::move(username)),
      password_(std::move(password)),
      transport_(std::move(transport)),
      clock_(clock) {
  services_.device = device_url_;
  services_.media = device_url_;
  services_.ptz = device_url_;
}

std::string Client::Scrub(std::string text, std::string_view extra_secret) const {
  for (const std::string_view secret : {std::string_view(password_.Reveal()), extra_secret}) {
    if (secret.empty()) continue;
    text = ReplaceAll(std::move(text), secret, "***");
    text = ReplaceAll(std::move(text), XmlEscape(secret), "***");
  }
  return text;
}

Result<std::string> Client::Call(const std::string& url, std::string_view wsdl,
                                 std::string_view operation, const std::string& body,
                                 bool authenticate, std::string_view extra_secret) {
  const std::string action = Action(wsdl, operation);
  bool clock_resynced = false;
  while (true) {
    std::optional<UsernameToken> token;
    if (authenticate) {
      token = MakeUsernameToken(username_, password_.Reveal(), crypto::RandomBytes(kNonceBytes),
                                clock_.Now() + clock_offset_);
    }
    Result<HttpExchange> exchange = transport_(url, action, Envelope(body, token));
    if (!exchange) {
      return Fail(
          exchange.error().code,
          Scrub(fmt::format("ONVIF {}: {}", operation, exchange.error().message), extra_secret));
    }
    // Cameras answer faults with 400, 500, and sometimes 200 or 401: the body decides.
    if (exchange->body.find("Fault") != std::string::npos) {
      if (std::optional<Error> fault = ParseFault(exchange->body)) {
        // NotAuthorized despite a token: most often our idea of the camera's clock is stale.
        if (authenticate && fault->code == ErrorCode::kPermissionDenied && !clock_resynced) {
          clock_resynced = true;
          if (SyncClock()) continue;
        }
        // A camera may echo what we sent. Blanking the secrets in the body before the reason
        // is shortened and re-spaced leaves no recognisable piece of one behind.
        if (std::optional<Error> blanked = ParseFault(Scrub(exchange->body, extra_secret))) {
          fault->message = std::move(blanked->message);
        }
        return Fail(fault->code, Scrub(std::move(fault->message), extra_secret));
      }
    }
    if (exchange->status == 200) return std::move(exchange->body);
    if (exchange->status == 401) {
      return Fail(ErrorCode::kPermissionDenied, "camera refused the credentials");
    }
    return Fail(ErrorCode::kUnavailable, fmt::format("the camera answered HTTP {} to ONVIF {}",
                                                     exchange->status, operation));
  }
}

Status Client::CallExpectingEmpty(const std::string& url, std::string_view wsdl,
                                  std::string_view operation, const std::string& body,
                                  std::string_view extra_secret) {
  CAMGUARD_TRY(const std::string answer, Call(url, wsdl, operation, body, true, extra_secret));
  return ParseEmptyResponse(answer, std::string(operation) + "Response");
}

Status Client::SyncClock() {
  const WallTime sent = clock_.Now();
  CAMGUARD_TRY(const std::string answer, Call(device_url_, kDeviceWsdl, "GetSystemDateAndTime",
                                              request::GetSystemDateAndTime(), false));
  const WallTime received = clock_.Now();
  CAMGUARD_TRY(const WallTime camera_time, ParseSystemDateAndTime(answer));
  // The camera read its clock somewhere between our two readings: take the middle.
  clock_offset_ = camera_time - (sent + (received - sent) / 2);
  return base::Ok();
}

Status Client::Connect() {
  if (Status synced = SyncClock(); !synced && synced.error().code != ErrorCode::kPermissionDenied) {
    return synced;
  }
  auto ask = [this](std::string_view operation, const std::string& body,
                    auto parse) -> Result<ServiceAddresses> {
    CAMGUARD_TRY(const std::string answer, Call(device_url_, kDeviceWsdl, operation, body, true));
    return parse(answer);
  };
  Result<ServiceAddresses> found = ask("GetServices", request::GetServices(), ParseServices);
  // Wrong credentials stay wrong whichever operation asks; anything else may be a camera
  // older than GetServices (ONVIF 2.0).
  if (!found && found.error().code != ErrorCode::kPermissionDenied) {
    found = ask("GetCapabilities", request::GetCapabilities(), ParseCapabilities);
  }
  if (!found) return tl::unexpected(found.error());
  services_ = *found;
  if (services_.device.empty()) services_.device = device_url_;
  if (services_.media.empty()) services_.media = device_url_;
  if (services_.ptz.empty()) services_.ptz = device_url_;
  return base::Ok();
}

Result<DeviceInformation> Client::GetDeviceInformation() {
  CAMGUARD_TRY(const std::string answer, Call(device_url_, kDeviceWsdl, "GetDeviceInformation",
                                              request::GetDeviceInformation(), true));
  return ParseDeviceInformation(answer);
}

Result<std::vector<Profile>> Client::GetProfiles() {
  CAMGUARD_TRY(const std::string answer,
               Call(services_.media, kMediaWsdl, "GetProfiles", request::GetProfiles(), true));
  return ParseProfiles(answer);
}

Result<std::string> Client::GetStreamUri(const std::string& profile) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY(const std::string answer, Call(services_.media, kMediaWsdl, "GetStreamUri",
                                              request::GetStreamUri(profile), true));
  return ParseMediaUri(answer);
}

Result<std::string> Client::GetSnapshotUri(const std::string& profile) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY(const std::string answer, Call(services_.media, kMediaWsdl, "GetSnapshotUri",
                                              request::GetSnapshotUri(profile), true));
  return ParseMediaUri(answer);
}

Result<PtzStatus> Client::GetPtzStatus(const std::string& profile) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY(const std::string answer,
               Call(services_.ptz, kPtzWsdl, "GetStatus", request::GetStatus(profile), true));
  return ParsePtzStatus(answer);
}

Status Client::ContinuousMove(const std::string& profile, double pan, double tilt, double zoom,
                              std::optional<std::chrono::milliseconds> timeout) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY_STATUS(CheckFinite({pan, tilt, zoom}));
  if (timeout && timeout->count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "a PTZ move timeout must be positive");
  }
  return CallExpectingEmpty(services_.ptz, kPtzWsdl, "ContinuousMove",
                            request::ContinuousMove(profile, pan, tilt, zoom, timeout));
}

Status Client::RelativeMove(const std::string& profile, double pan_delta, double tilt_delta,
                            double zoom_delta) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY_STATUS(CheckFinite({pan_delta, tilt_delta, zoom_delta}));
  return CallExpectingEmpty(services_.ptz, kPtzWsdl, "RelativeMove",
                            request::RelativeMove(profile, pan_delta, tilt_delta, zoom_delta));
}

Status Client::AbsoluteMove(const std::string& profile, double pan, double tilt, double zoom) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY_STATUS(CheckFinite({pan, tilt, zoom}));
  return CallExpectingEmpty(services_.ptz, kPtzWsdl, "AbsoluteMove",
                            request::AbsoluteMove(profile, pan, tilt, zoom));
}

Status Client::Stop(const std::string& profile, bool pan_tilt, bool zoom) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  return CallExpectingEmpty(services_.ptz, kPtzWsdl, "Stop",
                            request::Stop(profile, pan_tilt, zoom));
}

Result<std::vector<Preset>> Client::GetPresets(const std::string& profile) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY(const std::string answer,
               Call(services_.ptz, kPtzWsdl, "GetPresets", request::GetPresets(profile), true));
  return ParsePresets(answer);
}

Status Client::GotoPreset(const std::string& profile, const std::string& preset_token) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY_STATUS(CheckToken(preset_token, "preset token"));
  return CallExpectingEmpty(services_.ptz, kPtzWsdl, "GotoPreset",
                            request::GotoPreset(profile, preset_token));
}

Result<std::string> Client::SetPreset(const std::string& profile, const std::string& name) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY_STATUS(CheckToken(name, "preset name"));
  CAMGUARD_TRY(const std::string answer,
               Call(services_.ptz, kPtzWsdl, "SetPreset", request::SetPreset(profile, name), true));
  return ParseSetPreset(answer);
}

Status Client::RemovePreset(const std::string& profile, const std::string& preset_token) {
  CAMGUARD_TRY_STATUS(CheckToken(profile, "profile token"));
  CAMGUARD_TRY_STATUS(CheckToken(preset_token, "preset token"));
  return CallExpectingEmpty(services_.ptz, kPtzWsdl, "RemovePreset",
                            request::RemovePreset(profile, preset_token));
}

Result<std::vector<User>> Client::GetUsers() {
  CAMGUARD_TRY(const std::string answer,
               Call(device_url_, kDeviceWsdl, "GetUsers", request::GetUsers(), true));
  return ParseUsers(answer);
}

Status Client::CreateUser(const std::string& username, const base::Redacted<std::string>& password,
                          UserLevel level) {
  CAMGUARD_TRY_STATUS(CheckToken(username, "user name"));
  CAMGUARD_TRY_STATUS(CheckText(password.Reveal(), "new password"));
  return CallExpectingEmpty(device_url_, kDeviceWsdl, "CreateUsers",
                            request::CreateUsers(username, password.Reveal(), level),
                            password.Reveal());
}

Status Client::DeleteUser(const std::string& username) {
  CAMGUARD_TRY_STATUS(CheckToken(username, "user name"));
  return CallExpectingEmpty(device_url_, kDeviceWsdl, "DeleteUsers",
                            request::DeleteUsers(username));
}

Status Client::SetUserPassword(const std::string& username,
                               const base::Redacted<std::string>& password, UserLevel level) {
  CAMGUARD_TRY_STATUS(CheckToken(username, "user name"));
  CAMGUARD_TRY_STATUS(CheckText(password.Reveal(), "new password"));
  CAMGUARD_TRY_STATUS(CallExpectingEmpty(device_url_, kDeviceWsdl, "SetUser",
                                         request::SetUser(username, password.Reveal(), level),
                                         password.Reveal()));
  if (username == username_) password_ = password;
  return base::Ok();
}

Result<std::vector<NetworkInterface>> Client::GetNetworkInterfaces() {
  CAMGUARD_TRY(const std::string answer, Call(device_url_, kDeviceWsdl, "GetNetworkInterfaces",
                                              request::GetNetworkInterfaces(), true));
  return ParseNetworkInterfaces(answer);
}

Result<Dns> Client::GetDns() {
  CAMGUARD_TRY(const std::string answer,
               Call(device_url_, kDeviceWsdl, "GetDNS", request::GetDNS(), true));
  return ParseDns(answer);
}

Result<Ntp> Client::GetNtp() {
  CAMGUARD_TRY(const std::string answer,
               Call(device_url_, kDeviceWsdl, "GetNTP", request::GetNTP(), true));
  return ParseNtp(answer);
}

}  // namespace camguard::onvif
