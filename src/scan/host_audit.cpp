// SPDX-License-Identifier: Apache-2.0
#include "scan/host_audit.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "base/strings.h"
#include "scan/classify.h"
#include "scan/host_auditor.h"

namespace camguard::scan {
namespace {

bool IsRtspPort(std::uint16_t port) {
  return port == 554 || port == 8554 || port == 10554 || port == 5554 || port == 322;
}
bool IsTlsPort(std::uint16_t port) {
  return port == 443 || port == 8443 || port == 322 || port == 7443 || port == 9443;
}

constexpr std::size_t kMaxEvidence = 600;

}  // namespace

std::string_view ToString(Protocol protocol) {
  switch (protocol) {
    case Protocol::kUnknown: return "unknown";
    case Protocol::kRtsp: return "rtsp";
    case Protocol::kHttp: return "http";
    case Protocol::kTelnet: return "telnet";
    case Protocol::kOther: return "other";
  }
  return "unknown";
}

std::string Service::Url(std::string_view address) const {
  std::string_view scheme = "tcp";
  switch (protocol) {
    case Protocol::kRtsp: scheme = tls ? "rtsps" : "rtsp"; break;
    case Protocol::kHttp: scheme = tls ? "https" : "http"; break;
    case Protocol::kTelnet: scheme = "telnet"; break;
    default: scheme = tls ? "tls" : "tcp"; break;
  }
  return fmt::format("{}://{}:{}", scheme, address, port);
}

std::string_view ToString(LoginMethod method) {
  switch (method) {
    case LoginMethod::kNone: return "none";
    case LoginMethod::kRtspDigest: return "RTSP Digest";
    case LoginMethod::kRtspBasic: return "RTSP Basic";
    case LoginMethod::kHttpDigest: return "HTTP Digest";
    case LoginMethod::kHttpBasic: return "HTTP Basic";
    case LoginMethod::kOnvifToken: return "ONVIF WS-UsernameToken";
  }
  return "none";
}

std::optional<UrlParts> ParseUrl(std::string_view url) {
  UrlParts out;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0 || scheme_end > 8) {
    return std::nullopt;
  }
  out.scheme = base::ToLower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!out.path.empty() && out.path[0] == '?') out.path = "/" + out.path;
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  const std::size_t colon = authority.rfind(':');
  out.host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view port_text = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(value);
  } else if (out.scheme == "http") {
    out.port = 80;
  } else if (out.scheme == "https") {
    out.port = 443;
  } else if (out.scheme == "rtsp") {
    out.port = 554;
  }
  if (out.host.empty()) return std::nullopt;
  for (char c : out.path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  }
  return out;
}

HostAuditor::HostAuditor(ProbeContext& context, const HostAuditSettings& settings,
                         const base::Clock& clock)
    : context_(context), settings_(settings), clock_(clock) {}

void HostAuditor::AddFinding(std::string_view check, const ServiceState& state,
                             std::string evidence) {
  const Check* c = FindCheck(check);
  if (c == nullptr) return;
  Ran(check);
  const std::string service = Url(state);
  for (const Finding& f : result_.findings) {
    if (f.check == check && f.service == service) return;  // one finding per check and service
  }
  if (evidence.size() > kMaxEvidence) evidence = evidence.substr(0, kMaxEvidence) + "…";
  result_.findings.push_back({std::string(check), c->severity, service, std::move(evidence)});
}

std::string HostAuditor::HostHeader(const ServiceState& state) const {
  return fmt::format("{}:{}", context_.address_text(), state.service.port);
}

std::string HostAuditor::HttpRequest(const ServiceState& state, std::string_view method,
                                     std::string_view path, std::string_view extra_headers,
                                     std::string_view body, std::string_view content_type) const {
  std::string out = fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nAccept: */*\r\n",
                                method, path, HostHeader(state), kUserAgent);
  out += extra_headers;
  if (!body.empty() || method == "POST") {
    if (!content_type.empty()) out += fmt::format("Content-Type: {}\r\n", content_type);
    out += fmt::format("Content-Length: {}\r\n", body.size());
  }
  out += "\r\n";
  out += body;
  return out;
}

std::string HostAuditor::RtspRequest(std::string_view method, std::string_view url,
                                     std::string_view extra_headers) {
  return fmt::format("{} {} RTSP/1.0\r\nCSeq: {}\r\nUser-Agent: {}\r\n{}\r\n", method, url,
                     ++rtsp_cseq_, kUserAgent, extra_headers);
}

bool HostAuditor::TryProbe(ServiceState& state, bool tls, bool rtsp) {
  auto conversation = std::make_unique<Conversation>(context_, state.service.port, tls);
  const std::string base_url = fmt::format("{}://{}:{}", rtsp ? (tls ? "rtsps" : "rtsp") : "http",
                                           context_.address_text(), state.service.port);
  const std::string request =
      rtsp ? RtspRequest("OPTIONS", base_url + "/") : HttpRequest(state, "GET", "/");
  auto answer = conversation->Exchange(request, fmt::format("identify: {}{}", tls ? "TLS " : "",
                                                            rtsp ? "RTSP OPTIONS" : "HTTP GET /"));
  if (!answer) return false;
  state.service.tls = tls;
  if (answer->IsRtsp()) {
    state.service.protocol = Protocol::kRtsp;
    if (rtsp) state.options_answer = *answer;
  } else {
    state.service.protocol = Protocol::kHttp;
    if (!rtsp) state.root_answer = *answer;
  }
  state.service.banner = Printable(answer->Header("server").value_or(""), 120);
  state.conversation = std::move(conversation);
  return true;
}

void HostAuditor::Identify(ServiceState& state, const OpenPort& port) {
  state.service.port = port.port;
  if (!port.greeting.empty()) {
    switch (ClassifyGreeting(port.greeting)) {
      case GreetingKind::kTelnet:
        state.service.protocol = Protocol::kTelnet;
        state.service.banner = Printable(ProcessTelnet(port.greeting).text, 160);
        return;
      case GreetingKind::kSsh:
      case GreetingKind::kFtp:
      case GreetingKind::kOther:
      case GreetingKind::kNone:
        state.service.protocol = Protocol::kOther;
        state.service.banner = Printable(port.greeting, 160);
        return;
    }
  }
  struct Try {
    bool tls;
    bool rtsp;
  };
  std::vector<Try> order;
  if (IsTlsPort(port.port)) {
    order = {{true, IsRtspPort(port.port)}, {false, false}, {false, true}};
  } else if (IsRtspPort(port.port)) {
    order = {{false, true}, {false, false}, {true, false}};
  } else {
    order = {{false, false}, {false, true}, {true, false}};
  }
  for (const Try& t : order) {
    if (TryProbe(state, t.tls, t.rtsp)) return;
  }
  state.service.protocol = Protocol::kUnknown;
}

void HostAuditor::BannerCheck(const ServiceState& state, std::string_view source) {
  Ran(check::kBannerVersion);
  if (state.service.banner.empty()) return;
  if (auto version = VersionInBanner(state.service.banner)) {
    AddFinding(check::kBannerVersion, state,
               fmt::format("{} '{}' names version {}", source, state.service.banner, *version));
  }
}

void HostAuditor::CrossChecks() {
  bool rtsps = false;
  bool https = false;
  for (const ServiceState& s : services_) {
    rtsps = rtsps || (s.service.protocol == Protocol::kRtsp && s.service.tls);
    https = https || (s.service.protocol == Protocol::kHttp && s.service.tls);
  }
  for (const ServiceState& s : services_) {
    if (s.service.tls) continue;
    if (s.service.protocol == Protocol::kRtsp) {
      Ran(check::kUnencryptedVideo);
      if (s.stream_encrypted) continue;
      AddFinding(
          check::kUnencryptedVideo, s,
          fmt::format("RTSP on port {} runs over plain TCP{}; {}", s.service.port,
                      s.stream_open ? " and its open stream's SDP offers RTP/AVP (no SRTP)" : "",
                      rtsps ? "an RTSPS port exists but the plain one stays open"
                            : "no RTSPS (TLS) port answered"));
    }
    if (s.service.protocol == Protocol::kHttp) {
      Ran(check::kUnencryptedWeb);
      if (s.root_answer && RedirectsToHttps(*s.root_answer)) continue;
      const bool serves =
          s.service.onvif || s.any_challenge || (s.root_answer && s.root_answer->status == 200);
      if (!serves) continue;
      std::string what = s.service.onvif ? "the ONVIF service" : "";
      if (s.any_challenge || (s.root_answer && s.root_answer->status == 200)) {
        what += what.empty() ? "a web page" : " and a web page";
      }
      AddFinding(check::kUnencryptedWeb, s,
                 fmt::format("port {} serves {} over plain HTTP; {}", s.service.port, what,
                             https ? "HTTPS exists too but plain HTTP is not redirected to it"
                                   : "no HTTPS port answered"));
    }
  }
}

HostResult HostAuditor::Run(const std::vector<std::uint16_t>& scanned_ports,
                            const std::vector<OpenPort>& open_ports) {
  result_.address = context_.address_text();
  // Telnet's ports were looked at: closed, they pass the telnet check.
  for (std::uint16_t port : scanned_ports) {
    if (port == 23 || port == 2323) Ran(check::kTelnetOpen);
  }
  services_.clear();
  for (const OpenPort& port : open_ports) {
    ServiceState state;
    Identify(state, port);
    services_.push_back(std::move(state));
  }
  for (ServiceState& s : services_) {
    switch (s.service.protocol) {
      case Protocol::kRtsp:
        if (s.service.tls) TlsChecks(s);
        RtspChecks(s);
        break;
      case Protocol::kHttp:
        if (s.service.tls) TlsChecks(s);
        HttpChecks(s);
        break;
      case Protocol::kTelnet: TelnetChecks(s); break;
      case Protocol::kOther: BannerCheck(s, "the greeting"); break;
      case Protocol::kUnknown: break;
    }
  }
  for (ServiceState& s : services_) {
    if (s.service.protocol == Protocol::kRtsp || s.service.protocol == Protocol::kHttp) {
      CredentialChecks(s);
    }
  }
  CrossChecks();
  if (settings_.brute_force_test) {
    for (ServiceState& s : services_) BruteForceTest(s);
  }
  for (ServiceState& s : services_) {
    if (s.conversation) s.conversation->Close();
    result_.services.push_back(s.service);
  }
  std::stable_sort(result_.findings.begin(), result_.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  result_.probes = context_.probes();
  return std::move(result_);
}

HostResult AuditHost(ProbeContext& context, const std::vector<std::uint16_t>& scanned_ports,
                     const std::vector<OpenPort>& open_ports, const HostAuditSettings& settings,
                     const base::Clock& clock) {
  HostAuditor auditor(context, settings, clock);
  return auditor.Run(scanned_ports, open_ports);
}

}  // namespace camguard::scan
