// SPDX-License-Identifier: Apache-2.0
// Fuzz target: every ONVIF response parser on the same bytes (whatever a camera, or whoever
// answers in its place, sends). Besides "no crash, no sanitizer report" it checks that lists
// stay within their bound, that fault messages stay one bounded line, and that any text we
// escape into a document comes back unchanged through the parsers.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "onvif/soap.h"

namespace {

using namespace camguard::onvif;

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "onvif_soap_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

template <typename T>
void CheckList(const Result<std::vector<T>>& result, const char* what) {
  if (result) Require(result->size() <= kMaxListItems, what);
}

void CheckError(const Error& error) {
  Require(error.message.find('\n') == std::string::npos, "error messages are one line");
  Require(error.message.size() <= 2048, "error messages are bounded");
}

template <typename T>
void CheckResult(const Result<T>& result) {
  if (!result) CheckError(result.error());
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Text we escape must parse back to itself (parsers trim the ends, so those are excluded).
void CheckEscapeRoundTrip(std::string_view text) {
  if (text.empty() || text.size() > 4096 || HasXmlForbiddenCharacters(text) ||
      IsXmlSpace(text.front()) || IsXmlSpace(text.back()) ||
      text.find('\0') != std::string_view::npos) {
    return;
  }
  const std::string document =
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"
      "<tds:GetUsersResponse xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">"
      "<tds:User><tt:Username xmlns:tt=\"http://www.onvif.org/ver10/schema\">" +
      XmlEscape(text) +
      "</tt:Username><tt:UserLevel>User</tt:UserLevel></tds:User></tds:GetUsersResponse>"
      "</s:Body></s:Envelope>";
  const Result<std::vector<User>> users = ParseUsers(document);
  Require(users.has_value(), "an escaped user name parses");
  Require(users->size() == 1 && (*users)[0].username == text, "an escaped user name round-trips");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (const std::optional<Error> fault = ParseFault(input)) {
    CheckError(*fault);
    Require(fault->message.rfind("ONVIF fault ", 0) == 0, "fault messages name themselves");
  }
  CheckResult(ParseSystemDateAndTime(input));
  CheckResult(ParseServices(input));
  CheckResult(ParseCapabilities(input));
  CheckResult(ParseDeviceInformation(input));
  const auto profiles = ParseProfiles(input);
  CheckResult(profiles);
  CheckList(profiles, "profiles bounded");
  if (profiles) {
    for (const Profile& profile : *profiles) {
      Require(!profile.token.empty(), "profiles have tokens");
      Require(profile.width >= 0 && profile.height >= 0, "sizes are not negative");
    }
  }
  CheckResult(ParseMediaUri(input));
  CheckResult(ParsePtzStatus(input));
  const auto presets = ParsePresets(input);
  CheckResult(presets);
  CheckList(presets, "presets bounded");
  CheckResult(ParseSetPreset(input));
  const auto users = ParseUsers(input);
  CheckResult(users);
  CheckList(users, "users bounded");
  const auto interfaces = ParseNetworkInterfaces(input);
  CheckResult(interfaces);
  CheckList(interfaces, "network interfaces bounded");
  CheckResult(ParseDns(input));
  CheckResult(ParseNtp(input));
  CheckResult(ParseEmptyResponse(input, "StopResponse"));

  CheckEscapeRoundTrip(input);
  return 0;
}
