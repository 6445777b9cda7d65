// SPDX-License-Identifier: Apache-2.0
// RTSP: streams that open without credentials on the routes cameras commonly use, and whether
// a protected stream offers Basic authentication in clear.
#include <fmt/format.h>

#include "base/strings.h"
#include "scan/classify.h"
#include "scan/host_auditor.h"

namespace camguard::scan {
namespace {

// Stream paths of widespread camera firmware (generic, Hikvision-, Dahua-, Reolink-, Tapo-,
// Foscam- and Axis-style) and of our own simulator.
constexpr std::string_view kRtspRoutes[] = {
    "/",
    "/main",
    "/sub",
    "/live",
    "/stream1",
    "/stream2",
    "/h264",
    "/11",
    "/12",
    "/live.sdp",
    "/1",
    "/Streaming/Channels/101",
    "/Streaming/Channels/1",
    "/cam/realmonitor?channel=1&subtype=0",
    "/h264Preview_01_main",
    "/live/ch00_0",
    "/videoMain",
    "/media/video1",
    "/onvif1",
    "/profile1",
    "/av0_0",
    "/axis-media/media.amp",
};

bool LooksLikeSdp(const Response& response) {
  const std::string type = base::ToLower(response.Header("content-type").value_or(""));
  return type.find("application/sdp") != std::string::npos || response.body.rfind("v=0", 0) == 0;
}

}  // namespace

void HostAuditor::RtspChecks(ServiceState& state) {
  const std::string base_url = Url(state);
  Ran(check::kRtspStreamOpen);
  if (!state.options_answer) {
    auto options =
        state.conversation->Exchange(RtspRequest("OPTIONS", base_url + "/"), "RTSP OPTIONS");
    if (options) {
      state.options_answer = *options;
      if (state.service.banner.empty()) {
        state.service.banner = Printable(options->Header("server").value_or(""), 120);
      }
    }
  }
  BannerCheck(state, "the RTSP Server header");

  for (std::string_view route : kRtspRoutes) {
    const std::string url = base_url + std::string(route);
    auto answer =
        state.conversation->Exchange(RtspRequest("DESCRIBE", url, "Accept: application/sdp\r\n"),
                                     fmt::format("RTSP DESCRIBE {} without credentials", route));
    if (!answer) {
      AddNote(fmt::format("{}: RTSP stopped answering ({})", base_url, answer.error().message));
      break;
    }
    if (answer->status == 200 && LooksLikeSdp(*answer)) {
      const SdpSummary sdp = SummarizeSdp(answer->body);
      state.stream_open = true;
      state.stream_encrypted = sdp.encrypted;
      AddFinding(check::kRtspStreamOpen, state,
                 fmt::format("DESCRIBE {} without credentials → {} {}, SDP with {} video over {}",
                             url, answer->status, Printable(answer->reason, 40),
                             sdp.codec.empty() ? std::string("a") : sdp.codec,
                             sdp.transport.empty() ? std::string("RTP") : sdp.transport));
      break;
    }
    if (answer->status == 401) {
      const std::vector<Challenge> challenges = ChallengesOf(*answer);
      state.any_challenge = true;
      // Logins go to a protected route other than "/" when there is one: it more likely
      // names a stream that exists, so a good password gets 200 rather than 404.
      const bool better = state.login == LoginMethod::kNone ||
                          (route != "/" && state.login_target == base_url + "/");
      if (better) {
        state.challenges = challenges;
        state.login_target = url;
        if (FindChallenge(challenges, "digest") != nullptr) {
          state.login = LoginMethod::kRtspDigest;
        } else if (FindChallenge(challenges, "basic") != nullptr) {
          state.login = LoginMethod::kRtspBasic;
        }
      }
      if (!state.basic_offered && FindChallenge(challenges, "basic") != nullptr) {
        state.basic_offered = true;
        state.basic_evidence = fmt::format(
            "DESCRIBE {} → 401 with 'WWW-Authenticate: Basic …': the password would "
            "cross the network base64-encoded, readable by anyone watching",
            url);
      }
      continue;
    }
    if (ClassifyLogin(*answer) == LoginAnswer::kLockedOut) {
      AddNote(fmt::format("{}: RTSP answered {} (locked or busy); route check stopped", base_url,
                          answer->status));
      break;
    }
  }
  if (!state.service.tls && state.any_challenge) {
    Ran(check::kBasicAuthCleartext);
    if (state.basic_offered) AddFinding(check::kBasicAuthCleartext, state, state.basic_evidence);
  }
}

}  // namespace camguard::scan
