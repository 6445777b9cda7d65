// SPDX-License-Identifier: Apache-2.0
// HTTP and ONVIF: snapshot URLs without credentials, Basic authentication over plain HTTP, the
// CVE-2017-7921 read probe, ONVIF operations allowed anonymously by access class; and, for
// every service with a login, the credential check and the opt-in brute-force test.
#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/strings.h"
#include "crypto/crypto.h"
#include "onvif/soap.h"
#include "scan/classify.h"
#include "scan/host_auditor.h"
#include "scan/http_auth.h"

namespace camguard::scan {
namespace {

// Still-picture URLs of widespread camera firmware (generic, Hikvision-, Dahua-, Reolink-,
// Foscam-, Axis- and D-Link-style) and of our own simulator.
constexpr std::string_view kSnapshotPaths[] = {
    "/snapshot.jpg",
    "/snap.jpg",
    "/image.jpg",
    "/snapshot.cgi",
    "/cgi-bin/snapshot.cgi",
    "/Streaming/channels/1/picture",
    "/ISAPI/Streaming/channels/101/picture",
    "/onvif-http/snapshot",
    "/onvif/snapshot",
    "/tmpfs/auto.jpg",
    "/jpg/image.jpg",
    "/axis-cgi/jpg/image.cgi",
    "/image/jpeg.cgi",
    "/webcapture.jpg?command=snap&channel=1",
    "/cgi-bin/api.cgi?cmd=Snap&channel=0&rs=camguard",
};

// The read-only CVE-2017-7921 probe: "auth" is base64 of "admin:11", which vulnerable
// Hikvision firmware accepts in place of a login.
constexpr std::string_view kCve20177921Probes[] = {
    "/Security/users?auth=YWRtaW46MTEK",
    "/system/deviceInfo?auth=YWRtaW46MTEK",
};

constexpr std::string_view kSoapContentType = "application/soap+xml; charset=utf-8";
constexpr std::string_view kDevicePath = "/onvif/device_service";

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

}  // namespace

void HostAuditor::HttpChecks(ServiceState& state) {
  const std::string base_url = Url(state);
  Conversation& http = *state.conversation;
  const auto get = [&](std::string_view path) {
    return http.Exchange(HttpRequest(state, "GET", path),
                         fmt::format("HTTP GET {} without credentials", path));
  };
  const auto note_challenges = [&](std::string_view path, const Response& answer) {
    if (answer.status != 401) return;
    const std::vector<Challenge> challenges = ChallengesOf(answer);
    if (challenges.empty()) return;
    state.any_challenge = true;
    if (state.login == LoginMethod::kNone) {
      state.challenges = challenges;
      state.login_target = std::string(path);
      if (FindChallenge(challenges, "digest") != nullptr) {
        state.login = LoginMethod::kHttpDigest;
      } else if (FindChallenge(challenges, "basic") != nullptr) {
        state.login = LoginMethod::kHttpBasic;
      }
    }
    if (!state.basic_offered && FindChallenge(challenges, "basic") != nullptr) {
      state.basic_offered = true;
      state.basic_evidence = fmt::format(
          "GET {}{} → 401 with 'WWW-Authenticate: Basic …' on plain HTTP: the "
          "password would cross the network base64-encoded, readable by anyone "
          "watching",
          base_url, path);
    }
  };

  if (!state.root_answer) {
    if (auto root = get("/")) state.root_answer = *root;
  }
  if (state.root_answer) {
    if (state.service.banner.empty()) {
      state.service.banner = Printable(state.root_answer->Header("server").value_or(""), 120);
    }
    note_challenges("/", *state.root_answer);
  }
  BannerCheck(state, "the HTTP Server header");

  // Snapshots without credentials.
  Ran(check::kSnapshotOpen);
  for (std::string_view path : kSnapshotPaths) {
    auto answer = get(path);
    if (!answer) {
      AddNote(fmt::format("{}: stopped answering ({})", base_url, answer.error().message));
      break;
    }
    if (IsPicture(*answer)) {
      state.snapshot_open = true;
      AddFinding(check::kSnapshotOpen, state,
                 fmt::format("GET {}{} without credentials → 200, {} ({} bytes)", base_url, path,
                             Printable(answer->Header("content-type").value_or("no type"), 60),
                             answer->body.size()));
      break;
    }
    note_challenges(path, *answer);
  }

  // CVE-2017-7921, by its read-only probe.
  Ran(check::kCve20177921);
  for (std::string_view path : kCve20177921Probes) {
    auto answer = get(path);
    if (!answer) break;
    if (IsCve20177921Answer(*answer)) {
      AddFinding(
          check::kCve20177921, state,
          fmt::format("GET {}{} → 200 with {}: '{}'", base_url, path,
                      answer->body.find("serName>") != std::string::npos ? "the camera's user list"
                                                                         : "the device information",
                      Printable(answer->body, 160)));
      break;
    }
  }

  OnvifChecks(state);

  if (!state.service.tls && state.any_challenge) {
    Ran(check::kBasicAuthCleartext);
    if (state.basic_offered) AddFinding(check::kBasicAuthCleartext, state, state.basic_evidence);
  }
}

void HostAuditor::OnvifChecks(ServiceState& state) {
  Conversation& http = *state.conversation;
  const auto post = [&](std::string_view path, const std::string& envelope,
                        std::string_view label) {
    return http.Exchange(HttpRequest(state, "POST", path, {}, envelope, kSoapContentType),
                         fmt::format("ONVIF {} without credentials", label));
  };
  auto time_answer =
      post(kDevicePath, onvif::Envelope(onvif::request::GetSystemDateAndTime(), std::nullopt),
           "GetSystemDateAndTime");
  if (!time_answer) return;
  const OnvifAnswer time_class = ClassifyOnvif(*time_answer, "GetSystemDateAndTimeResponse");
  if (time_class != OnvifAnswer::kAllowed &&
      !(time_class == OnvifAnswer::kRefused && onvif::ParseFault(time_answer->body))) {
    return;  // no ONVIF here
  }
  state.service.onvif = true;
  if (auto camera_time = onvif::ParseSystemDateAndTime(time_answer->body)) {
    state.camera_clock_offset = *camera_time - clock_.Now();
  }
  // Service addresses, followed only to this same host and port.
  if (auto services =
          post(kDevicePath, onvif::Envelope(onvif::request::GetServices(), std::nullopt),
               "GetServices")) {
    if (auto addresses = onvif::ParseServices(services->body)) {
      const auto local_path = [&](const std::string& url) -> std::optional<std::string> {
        auto parts = ParseUrl(url);
        if (!parts || parts->host != context_.address_text() || parts->port != state.service.port) {
          return std::nullopt;
        }
        return parts->path;
      };
      if (auto p = local_path(addresses->media)) state.media_path = *p;
      if (auto p = local_path(addresses->ptz)) state.ptz_path = *p;
    }
  }

  Ran(check::kOnvifAnonymousDeviceInfo);
  Ran(check::kOnvifAnonymousControl);
  std::vector<std::string> allowed;  // beyond pre-auth, with their access class
  bool locked = false;
  const auto call = [&](std::string_view path, const std::string& body, std::string_view op,
                        std::string_view response_element,
                        std::optional<Response>* answer_out) -> OnvifAnswer {
    auto answer = post(path, onvif::Envelope(body, std::nullopt), op);
    if (!answer) return OnvifAnswer::kOther;
    const OnvifAnswer verdict = ClassifyOnvif(*answer, response_element);
    if (verdict == OnvifAnswer::kLockedOut) locked = true;
    // The first operation refused without credentials is where credentials are tried.
    if (verdict == OnvifAnswer::kRefused && state.onvif_operation.empty()) {
      state.onvif_operation = body;
      state.onvif_response = std::string(response_element);
      state.onvif_path = std::string(path);
    }
    if (answer_out != nullptr) *answer_out = *answer;
    return verdict;
  };

  std::optional<Response> answer;
  if (call(kDevicePath, onvif::request::GetDeviceInformation(), "GetDeviceInformation",
           "GetDeviceInformationResponse", &answer) == OnvifAnswer::kAllowed) {
    std::string details = "the camera's identity";
    if (auto info = onvif::ParseDeviceInformation(answer->body)) {
      details =
          fmt::format("manufacturer '{}', model '{}', firmware '{}', serial number '{}'",
                      Printable(info->manufacturer, 60), Printable(info->model, 60),
                      Printable(info->firmware_version, 40), Printable(info->serial_number, 40));
    }
    AddFinding(check::kOnvifAnonymousDeviceInfo, state,
               fmt::format("ONVIF GetDeviceInformation (access class READ_SYSTEM) answered "
                           "without login: {}",
                           details));
  }
  if (call(kDevicePath, onvif::request::GetUsers(), "GetUsers", "GetUsersResponse", &answer) ==
      OnvifAnswer::kAllowed) {
    std::vector<std::string> names;
    if (auto users = onvif::ParseUsers(answer->body)) {
      for (const onvif::User& u : *users) names.push_back(Printable(u.username, 40));
    }
    allowed.push_back(fmt::format("GetUsers (READ_SYSTEM_SECRET: accounts {})",
                                  names.empty() ? std::string("listed") : Join(names, ", ")));
  }
  std::string profile_token;
  bool has_ptz = false;
  if (call(state.media_path, onvif::request::GetProfiles(), "GetProfiles", "GetProfilesResponse",
           &answer) == OnvifAnswer::kAllowed) {
    std::vector<std::string> tokens;
    if (auto profiles = onvif::ParseProfiles(answer->body)) {
      for (const onvif::Profile& p : *profiles) {
        tokens.push_back(Printable(p.token, 40));
        if (profile_token.empty()) profile_token = p.token;
        has_ptz = has_ptz || p.has_ptz;
      }
    }
    allowed.push_back(fmt::format("GetProfiles (READ_MEDIA: profiles {})", Join(tokens, ", ")));
  }
  if (!profile_token.empty() && !onvif::HasXmlForbiddenCharacters(profile_token)) {
    if (call(state.media_path, onvif::request::GetStreamUri(profile_token), "GetStreamUri",
             "GetStreamUriResponse", &answer) == OnvifAnswer::kAllowed) {
      std::string uri = "a stream address";
      if (auto parsed = onvif::ParseMediaUri(answer->body)) uri = Printable(*parsed, 120);
      allowed.push_back(fmt::format("GetStreamUri (READ_MEDIA: {})", uri));
    }
    if (call(state.media_path, onvif::request::GetSnapshotUri(profile_token), "GetSnapshotUri",
             "GetSnapshotUriResponse", &answer) == OnvifAnswer::kAllowed) {
      std::string uri_text = "a snapshot address";
      if (auto parsed = onvif::ParseMediaUri(answer->body)) {
        uri_text = Printable(*parsed, 120);
        // The camera says where its picture is: fetch it without credentials, same host only.
        auto parts = ParseUrl(*parsed);
        if (!state.snapshot_open && parts && parts->host == context_.address_text() &&
            parts->port == state.service.port &&
            parts->scheme == (state.service.tls ? "https" : "http")) {
          auto picture =
              http.Exchange(HttpRequest(state, "GET", parts->path),
                            fmt::format("HTTP GET {} (ONVIF snapshot URI)", parts->path));
          if (picture && IsPicture(*picture)) {
            state.snapshot_open = true;
            AddFinding(check::kSnapshotOpen, state,
                       fmt::format("ONVIF GetSnapshotUri gave {}; GET without credentials → 200, "
                                   "{} bytes of {}",
                                   uri_text, picture->body.size(),
                                   Printable(picture->Header("content-type").value_or("?"), 40)));
          }
        }
      }
      allowed.push_back(fmt::format("GetSnapshotUri (READ_MEDIA: {})", uri_text));
    }
    if (has_ptz) {
      bool moving = true;
      if (call(state.ptz_path, onvif::request::GetStatus(profile_token), "PTZ GetStatus",
               "GetStatusResponse", &answer) == OnvifAnswer::kAllowed) {
        std::string position = "the PTZ position";
        if (auto status = onvif::ParsePtzStatus(answer->body)) {
          position = fmt::format("pan {:.2f}, tilt {:.2f}, zoom {:.2f}", status->pan, status->tilt,
                                 status->zoom);
          moving = status->pan_tilt_state == onvif::PtzStatus::MoveState::kMoving ||
                   status->zoom_state == onvif::PtzStatus::MoveState::kMoving;
        }
        allowed.push_back(fmt::format("PTZ GetStatus (READ_MEDIA: {})", position));
      }
      // The only actuating call the audit makes, and only to a head at rest: Stop changes
      // nothing there, but its answer shows whether anyone may move the camera.
      if (!moving && call(state.ptz_path, onvif::request::Stop(profile_token, true, true),
                          "PTZ Stop", "StopResponse", &answer) == OnvifAnswer::kAllowed) {
        allowed.push_back("PTZ Stop (ACTUATE: anyone may move the camera)");
      }
    }
  }
  if (!allowed.empty()) {
    AddFinding(check::kOnvifAnonymousControl, state,
               "without any login the camera performed: " + Join(allowed, "; "));
  }
  if (locked) {
    state.lockout_seen = true;
    AddNote(fmt::format("{}: ONVIF answered 'locked out' during the anonymous checks", Url(state)));
  }
}

HostAuditor::Attempt HostAuditor::TryLogin(ServiceState& state, std::string_view username,
                                           std::string_view password) {
  Conversation& conversation = *state.conversation;
  const std::string label = fmt::format("{} login as '{}'", ToString(state.login), username);
  for (int round = 0; round < 2; ++round) {  // a second round only after a stale nonce
    switch (state.login) {
      case LoginMethod::kNone: return Attempt::kUnusable;
      case LoginMethod::kOnvifToken: {
        const auto token = onvif::MakeUsernameToken(username, password, crypto::RandomBytes(16),
                                                    clock_.Now() + state.camera_clock_offset);
        auto answer = conversation.Exchange(
            HttpRequest(state, "POST", state.onvif_path, {},
                        onvif::Envelope(state.onvif_operation, token), kSoapContentType),
            label);
        if (!answer) return Attempt::kUnusable;
        switch (ClassifyOnvif(*answer, state.onvif_response)) {
          case OnvifAnswer::kAllowed: return Attempt::kAccepted;
          case OnvifAnswer::kRefused: return Attempt::kRejected;
          case OnvifAnswer::kLockedOut: return Attempt::kLockedOut;
          default: return Attempt::kUnusable;
        }
      }
      default: break;
    }
    const bool rtsp =
        state.login == LoginMethod::kRtspDigest || state.login == LoginMethod::kRtspBasic;
    const bool digest =
        state.login == LoginMethod::kRtspDigest || state.login == LoginMethod::kHttpDigest;
    std::string authorization;
    if (digest) {
      const Challenge* challenge = FindChallenge(state.challenges, "digest");
      if (challenge == nullptr) return Attempt::kUnusable;
      auto header =
          DigestAuthorization(*challenge, username, password, rtsp ? "DESCRIBE" : "GET",
                              state.login_target, base::HexEncode(crypto::RandomBytes(8)));
      if (!header) return Attempt::kUnusable;
      authorization = *header;
    } else {
      authorization = BasicAuthorization(username, password);
    }
    const std::string extra = fmt::format("Authorization: {}\r\n", authorization);
    auto answer = conversation.Exchange(
        rtsp ? RtspRequest("DESCRIBE", state.login_target, "Accept: application/sdp\r\n" + extra)
             : HttpRequest(state, "GET", state.login_target, extra),
        label);
    if (!answer) return Attempt::kUnusable;
    // The target refused us without credentials (401); "not found" with them means the
    // password got past authentication to a resource that does not exist.
    if (answer->status == 404) return Attempt::kAccepted;
    const LoginAnswer verdict = ClassifyLogin(*answer);
    if (verdict == LoginAnswer::kRejected) {
      // A new challenge (fresh nonce) for the next attempt.
      std::vector<Challenge> fresh = ChallengesOf(*answer);
      if (!fresh.empty()) state.challenges = std::move(fresh);
      const Challenge* d = FindChallenge(state.challenges, "digest");
      if (digest && d != nullptr && round == 0) {
        auto stale = d->params.find("stale");
        if (stale != d->params.end() && base::ToLower(stale->second) == "true") continue;
      }
      return Attempt::kRejected;
    }
    if (verdict == LoginAnswer::kAccepted) return Attempt::kAccepted;
    if (verdict == LoginAnswer::kLockedOut) return Attempt::kLockedOut;
    return Attempt::kUnusable;
  }
  return Attempt::kRejected;
}

void HostAuditor::CredentialChecks(ServiceState& state) {
  if (!state.conversation) return;
  // ONVIF's own login first where an operation was refused anonymously; a camera that performs
  // the operation anyway would make every password look right.
  if (state.service.onvif && !state.onvif_operation.empty()) state.login = LoginMethod::kOnvifToken;
  if (state.login == LoginMethod::kNone) return;
  Ran(check::kDefaultCredentials);
  const int budget = settings_.brute_force_test ? static_cast<int>(CameraCredentials().size())
                                                : settings_.login_failure_budget;
  for (const CredentialPair& pair : CameraCredentials()) {
    if (state.failures >= budget) {
      AddNote(
          fmt::format("{}: credential check stopped after {} wrong passwords so as not to "
                      "lock the camera (--brute-force-test tries the whole list)",
                      Url(state), state.failures));
      return;
    }
    const Attempt attempt = TryLogin(state, pair.username, pair.password);
    if (attempt == Attempt::kAccepted) {
      state.credentials_found = true;
      AddFinding(
          check::kDefaultCredentials, state,
          fmt::format("user '{}' with {} accepted ({} on {})", pair.username,
                      pair.password.empty() ? std::string("an empty password")
                                            : fmt::format("password '{}'", pair.password),
                      ToString(state.login),
                      state.login == LoginMethod::kOnvifToken
                          ? state.onvif_response.substr(0, state.onvif_response.rfind("Response"))
                          : (state.login == LoginMethod::kRtspDigest ||
                                     state.login == LoginMethod::kRtspBasic
                                 ? "DESCRIBE " + state.login_target
                                 : "GET " + state.login_target)));
      return;
    }
    if (attempt == Attempt::kLockedOut) {
      state.lockout_seen = true;
      AddNote(
          fmt::format("{}: the camera stopped accepting logins after {} wrong passwords (a "
                      "lockout); credential check stopped",
                      Url(state), state.failures));
      return;
    }
    if (attempt == Attempt::kUnusable) {
      AddNote(fmt::format("{}: no usable answer to a login attempt; credential check stopped",
                          Url(state)));
      return;
    }
    ++state.failures;
  }
}

void HostAuditor::BruteForceTest(ServiceState& state) {
  if (state.login == LoginMethod::kNone || !state.conversation || state.credentials_found) return;
  if (state.lockout_seen) {
    Ran(check::kBruteForceUnlimited);
    AddNote(fmt::format("{}: lockout already observed; brute-force test passed", Url(state)));
    return;
  }
  std::vector<double> times;
  const auto start = SteadyClock::now();
  for (int i = 0; i < kBruteForceAttempts; ++i) {
    const auto before = SteadyClock::now();
    const Attempt attempt = TryLogin(state, "admin", "wrong-" + crypto::RandomToken(9));
    times.push_back(std::chrono::duration<double>(SteadyClock::now() - before).count());
    if (attempt == Attempt::kLockedOut) {
      state.lockout_seen = true;
      Ran(check::kBruteForceUnlimited);
      AddNote(
          fmt::format("{}: after {} wrong passwords the camera locked us out (it limits "
                      "guessing)",
                      Url(state), i + 1));
      return;
    }
    if (attempt == Attempt::kUnusable) {
      AddNote(
          fmt::format("{}: brute-force test inconclusive: no usable answer after {} wrong "
                      "passwords",
                      Url(state), i + 1));
      return;
    }
    if (attempt == Attempt::kAccepted) return;  // a random password accepted: nothing to judge
  }
  Ran(check::kBruteForceUnlimited);
  const double total = std::chrono::duration<double>(SteadyClock::now() - start).count();
  // Throttling shows as answers that slow down: the last five against the first five.
  std::vector<double> first(times.begin(), times.begin() + 5);
  std::vector<double> last(times.end() - 5, times.end());
  std::sort(first.begin(), first.end());
  std::sort(last.begin(), last.end());
  if (last[2] > 0.5 && last[2] > 3 * first[2]) {
    AddNote(
        fmt::format("{}: answers slowed from {:.0f} ms to {:.0f} ms over {} wrong passwords "
                    "(throttling)",
                    Url(state), first[2] * 1000, last[2] * 1000, kBruteForceAttempts));
    return;
  }
  AddFinding(check::kBruteForceUnlimited, state,
             fmt::format("{} wrong passwords in {:.0f} ms over {}: each refused at once "
                         "(median {:.1f} ms), no lockout, delay or rate limit",
                         kBruteForceAttempts, total * 1000, ToString(state.login), last[2] * 1000));
}

}  // namespace camguard::scan
