// SPDX-License-Identifier: Apache-2.0
// Parsers of what cameras send back, pure and total: any bytes give a value, "need more" or an
// error, within fixed bounds. HTTP/1.x and RTSP/1.0 responses, WWW-Authenticate challenges,
// telnet negotiation and login dialogue, greetings and Server banners, SDP. Fuzzed by
// tests/fuzz/scan_wire_fuzz.cpp.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace camguard::scan {

inline constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
inline constexpr std::size_t kMaxHeaderLines = 128;
inline constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;

struct Response {
  std::string protocol;  // "HTTP/1.1", "RTSP/1.0"
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::optional<std::string> Header(std::string_view lower_name) const;
  std::vector<std::string> Headers(std::string_view lower_name) const;
  bool IsRtsp() const { return protocol.rfind("RTSP/", 0) == 0; }
};

enum class ParseState { kIncomplete, kComplete, kError };

struct ParseOutcome {
  ParseState state = ParseState::kIncomplete;
  Response response;
  std::size_t consumed = 0;  // bytes of `bytes` that made the response (kComplete)
  std::string error;         // kError: why, one line
};

// One response at the start of `bytes`. `at_eof`: the peer closed, so a body without length
// ends here. `no_body`: the answer to a HEAD request. Bodies are Content-Length, chunked
// (decoded) or, for HTTP only, up to the close.
ParseOutcome ParseResponse(std::string_view bytes, bool at_eof, bool no_body = false);

// One WWW-Authenticate value may hold several challenges ("Digest realm=…, Basic realm=…").
struct Challenge {
  std::string scheme;                         // lower case: "basic", "digest", …
  std::map<std::string, std::string> params;  // names lower case, values unquoted
};
std::vector<Challenge> ParseChallenges(std::string_view header_value);
// Every challenge of every WWW-Authenticate header of a response.
std::vector<Challenge> ChallengesOf(const Response& response);
const Challenge* FindChallenge(const std::vector<Challenge>& challenges, std::string_view scheme);

// Telnet (RFC 854): strips option negotiation from server bytes and answers it the way a dumb
// client does (agrees to the server echoing and suppressing go-ahead, refuses everything else).
struct TelnetInput {
  std::string text;         // the printable stream, negotiation removed
  std::string replies;      // bytes to send back
  bool negotiated = false;  // the server sent at least one IAC command
};
TelnetInput ProcessTelnet(std::string_view bytes);

enum class TelnetState { kNothing, kLoginPrompt, kPasswordPrompt, kShell, kRejected };
// What the text received since our last input asks for, by its last line (case-insensitive).
TelnetState ClassifyTelnet(std::string_view text);

// Greetings a server sends before the client speaks.
enum class GreetingKind { kNone, kTelnet, kSsh, kFtp, kOther };
GreetingKind ClassifyGreeting(std::string_view bytes);
// A TLS record header (handshake or alert, versions SSL 3.0 to TLS 1.3).
bool LooksLikeTls(std::string_view bytes);

// The version a banner discloses ("Boa/0.94.14rc21" → "0.94.14rc21", "SSH-2.0-dropbear_2019.78"
// → "2019.78"), nullopt for a bare product name.
std::optional<std::string> VersionInBanner(std::string_view banner);

// Bytes made safe for evidence: printable ASCII kept, other bytes as \xNN, cut at `max` with
// "…" appended.
std::string Printable(std::string_view bytes, std::size_t max = 200);

// What an SDP (RFC 4566) says about the video.
struct SdpSummary {
  bool has_video = false;
  std::string codec;       // the rtpmap encoding name of the first video format, e.g. "H264"
  std::string transport;   // "RTP/AVP", "RTP/SAVP", …
  bool encrypted = false;  // SRTP profile (RTP/SAVP or RTP/SAVPF)
};
SdpSummary SummarizeSdp(std::string_view sdp);

}  // namespace camguard::scan
