// SPDX-License-Identifier: Apache-2.0
// Internal to the scan module: the state of one host's audit, shared by the check files
// (host_audit.cpp, checks_rtsp.cpp, checks_http.cpp, checks_telnet_tls.cpp).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "scan/host_audit.h"
#include "scan/wire.h"

namespace camguard::scan {

inline constexpr std::string_view kUserAgent = "camguard-audit/0.1";

// How a credential check asks a service whether a login is good.
enum class LoginMethod { kNone, kRtspDigest, kRtspBasic, kHttpDigest, kHttpBasic, kOnvifToken };
std::string_view ToString(LoginMethod method);

struct ServiceState {
  Service service;
  std::unique_ptr<Conversation> conversation;  // RTSP and HTTP services
  std::optional<Response> root_answer;         // HTTP: GET / from identification
  std::optional<Response> options_answer;      // RTSP: OPTIONS from identification

  // Where a login can be tried, and how.
  LoginMethod login = LoginMethod::kNone;
  std::string login_target;  // RTSP URL or HTTP path
  std::vector<Challenge> challenges;
  std::string onvif_operation;  // for kOnvifToken: the request body of a refused operation
  std::string onvif_response;   // … and the element its success answer holds
  std::string onvif_path;       // … and the service path it is posted to

  // HTTP and ONVIF.
  bool basic_offered = false;
  std::string basic_evidence;
  bool any_challenge = false;
  bool snapshot_open = false;
  std::chrono::system_clock::duration camera_clock_offset{};
  std::string media_path = "/onvif/device_service";
  std::string ptz_path = "/onvif/device_service";

  // RTSP.
  bool stream_open = false;
  bool stream_encrypted = false;

  // Credential check bookkeeping, per service.
  int failures = 0;
  bool lockout_seen = false;
  bool credentials_found = false;
};

class HostAuditor {
 public:
  HostAuditor(ProbeContext& context, const HostAuditSettings& settings, const base::Clock& clock);
  HostResult Run(const std::vector<std::uint16_t>& scanned_ports,
                 const std::vector<OpenPort>& open_ports);

  // Shared by the check files.
  void AddFinding(std::string_view check, const ServiceState& state, std::string evidence);
  void Ran(std::string_view check) { result_.checks_run.insert(std::string(check)); }
  void AddNote(std::string note) { result_.notes.push_back(std::move(note)); }
  std::string Url(const ServiceState& state) const {
    return state.service.Url(context_.address_text());
  }
  std::string HostHeader(const ServiceState& state) const;
  std::string HttpRequest(const ServiceState& state, std::string_view method, std::string_view path,
                          std::string_view extra_headers = {}, std::string_view body = {},
                          std::string_view content_type = {}) const;
  std::string RtspRequest(std::string_view method, std::string_view url,
                          std::string_view extra_headers = {});

 private:
  void Identify(ServiceState& state, const OpenPort& port);
  bool TryProbe(ServiceState& state, bool tls, bool rtsp);

  // checks_rtsp.cpp
  void RtspChecks(ServiceState& state);
  // checks_http.cpp
  void HttpChecks(ServiceState& state);
  void OnvifChecks(ServiceState& state);
  // checks_telnet_tls.cpp
  void TelnetChecks(ServiceState& state);
  void TlsChecks(ServiceState& state);
  // Credentials and the brute-force test (checks_http.cpp): one login attempt.
  enum class Attempt { kAccepted, kRejected, kLockedOut, kUnusable };
  Attempt TryLogin(ServiceState& state, std::string_view username, std::string_view password);
  void CredentialChecks(ServiceState& state);
  void BruteForceTest(ServiceState& state);
  // host_audit.cpp
  void CrossChecks();
  void BannerCheck(const ServiceState& state, std::string_view source);

  ProbeContext& context_;
  HostAuditSettings settings_;
  const base::Clock& clock_;
  HostResult result_;
  std::vector<ServiceState> services_;
  unsigned rtsp_cseq_ = 0;
};

// The parts of an absolute URL a camera gave ("http://h:p/path?q"), so that the audit follows
// it only to the host and port it is examining; nullopt for an unreadable URL.
struct UrlParts {
  std::string scheme;
  std::string host;
  std::uint16_t port = 0;
  std::string path;  // with the query, "/" when empty
};
std::optional<UrlParts> ParseUrl(std::string_view url);

}  // namespace camguard::scan
