// SPDX-License-Identifier: Apache-2.0
// An ONVIF session with one camera, free of I/O: the caller supplies the HTTP transport (a
// function that posts a SOAP envelope and returns the answer), so the same code runs over
// libcurl in the hub and over scripted answers in tests.
//
// Every authenticated request carries a fresh WS-UsernameToken whose Created is the camera's
// time (our clock plus the offset measured by SyncClock): cameras refuse tokens outside a few
// seconds of their own clock, and many cameras' clocks are wrong. Not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/redacted.h"
#include "base/result.h"
#include "onvif/soap.h"

namespace camguard::onvif {

struct HttpExchange {
  int status = 0;
  std::string body;
};

// Posts `body` (application/soap+xml; charset=utf-8; action="...") to `url`; the transport
// handles HTTP Digest itself if the server asks for it (libcurl CURLAUTH_DIGEST) using the
// same credentials. An error means no HTTP answer at all (refused, timed out, TLS failure).
using Transport = std::function<base::Result<HttpExchange>(
    const std::string& url, std::string_view action, const std::string& body)>;

class Client {
 public:
  // `device_url` is the device service, e.g. http://192.0.2.10/onvif/device_service.
  Client(std::string device_url, std::string username, base::Redacted<std::string> password,
         Transport transport, const base::Clock& clock);

  // GetSystemDateAndTime (unauthenticated) → remembers camera clock − our clock, used for the
  // Created of every UsernameToken so a camera with a wrong clock still accepts us.
  Status SyncClock();
  // SyncClock (a camera that wants credentials even for its time is tolerated), then
  // GetServices, falling back to GetCapabilities for cameras that do not implement it.
  // Addresses the camera does not give stay the device URL (media, PTZ) or empty (events,
  // imaging). Device operations always go to `device_url`, the address known to work.
  Status Connect();
  const ServiceAddresses& services() const { return services_; }
  std::chrono::system_clock::duration clock_offset() const { return clock_offset_; }

  Result<DeviceInformation> GetDeviceInformation();
  Result<std::vector<Profile>> GetProfiles();
  Result<std::string> GetStreamUri(const std::string& profile);
  Result<std::string> GetSnapshotUri(const std::string& profile);

  // PTZ in the camera's generic spaces (pan/tilt/velocities in [-1, 1], zoom in [0, 1]); NaN
  // and infinities are refused. A continuous move without a timeout runs until Stop.
  Result<PtzStatus> GetPtzStatus(const std::string& profile);
  Status ContinuousMove(const std::string& profile, double pan, double tilt, double zoom,
                        std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  Status RelativeMove(const std::string& profile, double pan_delta, double tilt_delta,
                      double zoom_delta);
  Status AbsoluteMove(const std::string& profile, double pan, double tilt, double zoom);
  Status Stop(const std::string& profile, bool pan_tilt = true, bool zoom = true);
  Result<std::vector<Preset>> GetPresets(const std::string& profile);
  Status GotoPreset(const std::string& profile, const std::string& preset_token);
  // Returns the new preset's token.
  Result<std::string> SetPreset(const std::string& profile, const std::string& name);
  Status RemovePreset(const std::string& profile, const std::string& preset_token);

  // ONVIF carries a new user's password in clear inside the SOAP body: use HTTPS service
  // addresses where the camera offers them. Passwords never appear in errors.
  Result<std::vector<User>> GetUsers();
  Status CreateUser(const std::string& username, const base::Redacted<std::string>& password,
                    UserLevel level);
  Status DeleteUser(const std::string& username);
  // Changing our own user's password also switches this session to the new one.
  Status SetUserPassword(const std::string& username, const base::Redacted<std::string>& password,
                         UserLevel level);

  Result<std::vector<NetworkInterface>> GetNetworkInterfaces();
  Result<Dns> GetDns();
  Result<Ntp> GetNtp();

 private:
  // Posts one operation and returns the answer's body, or the error: transport failures,
  // faults (a NotAuthorized fault is retried once after SyncClock), non-200 statuses.
  // `extra_secret` (a new user's password) is kept out of errors like our own password.
  Result<std::string> Call(const std::string& url, std::string_view wsdl,
                           std::string_view operation, const std::string& body, bool authenticate,
                           std::string_view extra_secret = {});
  Status CallExpectingEmpty(const std::string& url, std::string_view wsdl,
                            std::string_view operation, const std::string& body,
                            std::string_view extra_secret = {});
  // Replaces every occurrence of our password and `extra_secret` (raw or XML-escaped).
  std::string Scrub(std::string text, std::string_view extra_secret) const;

  std::string device_url_;
  std::string username_;
  base::Redacted<std::string> password_;
  Transport transport_;
  const base::Clock& clock_;
  ServiceAddresses services_;
  std::chrono::system_clock::duration clock_offset_{};
};

}  // namespace camguard::onvif
