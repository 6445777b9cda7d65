// SPDX-License-Identifier: Apache-2.0
// Everything `camguard audit` reads from a camera goes through these parsers: HTTP and RTSP
// answers, WWW-Authenticate challenges, telnet dialogue, greetings, banners and SDP. Any bytes
// give a value or an error, within the documented bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "scan/classify.h"
#include "scan/wire.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace camguard::scan;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  for (bool eof : {false, true}) {
    const ParseOutcome outcome = ParseResponse(input, eof);
    if (outcome.state == ParseState::kComplete) {
      Require(outcome.consumed <= input.size());
      Require(outcome.response.body.size() <= kMaxBodyBytes);
      Require(outcome.response.status >= 100 && outcome.response.status <= 999);
      (void)ChallengesOf(outcome.response);
      (void)IsPicture(outcome.response);
      (void)IsCve20177921Answer(outcome.response);
      (void)ClassifyLogin(outcome.response);
      (void)ClassifyOnvif(outcome.response, "GetUsersResponse");
      (void)RedirectsToHttps(outcome.response);
    }
    if (outcome.state == ParseState::kError) Require(!outcome.error.empty());
  }
  (void)ParseResponse(input, true, true);

  const auto challenges = ParseChallenges(input);
  Require(challenges.size() <= 16);
  for (const Challenge& c : challenges) Require(!c.scheme.empty());

  const TelnetInput telnet = ProcessTelnet(input);
  Require(telnet.text.size() <= input.size());
  Require(telnet.replies.size() % 3 == 0);
  (void)ClassifyTelnet(telnet.text);
  (void)ClassifyGreeting(input);
  (void)LooksLikeTls(input);
  if (auto version = VersionInBanner(input)) Require(!version->empty() && version->size() <= 40);
  const std::string printable = Printable(input, 200);
  for (char c : printable) Require(static_cast<unsigned char>(c) >= 0x20);
  (void)SummarizeSdp(input);
  return 0;
}
