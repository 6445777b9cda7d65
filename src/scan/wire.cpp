// SPDX-License-Identifier: Apache-2.0
#include "scan/wire.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "base/strings.h"

namespace camguard::scan {
namespace {

constexpr unsigned char kIac = 255;
constexpr unsigned char kDont = 254;
constexpr unsigned char kDo = 253;
constexpr unsigned char kWont = 252;
constexpr unsigned char kWill = 251;
constexpr unsigned char kSb = 250;
constexpr unsigned char kSe = 240;
constexpr unsigned char kOptionEcho = 1;
constexpr unsigned char kOptionSuppressGoAhead = 3;

bool IsToken(char c) {
  static constexpr std::string_view kSeparators = "()<>@,;:\\\"/[]?={} \t";
  const auto u = static_cast<unsigned char>(c);
  return u > 32 && u < 127 && kSeparators.find(c) == std::string_view::npos;
}

std::string Lower(std::string_view s) { return base::ToLower(s); }

std::optional<std::size_t> ParseSize(std::string_view text, int base_of) {
  text = base::Trim(text);
  if (text.empty() || text.size() > 16) return std::nullopt;
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base_of);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

ParseOutcome Error(std::string message) {
  ParseOutcome out;
  out.state = ParseState::kError;
  out.error = std::move(message);
  return out;
}

// Decodes a chunked body starting at `bytes[pos]`; kIncomplete until the last chunk and the
// trailer have arrived.
ParseState DecodeChunked(std::string_view bytes, std::size_t pos, std::string& body,
                         std::size_t& end, std::string& error) {
  body.clear();
  for (;;) {
    const std::size_t line_end = bytes.find("\r\n", pos);
    if (line_end == std::string_view::npos) {
      if (bytes.size() - pos > 64) {
        error = "chunk size line too long";
        return ParseState::kError;
      }
      return ParseState::kIncomplete;
    }
    std::string_view size_text = bytes.substr(pos, line_end - pos);
    size_text = size_text.substr(0, size_text.find(';'));  // chunk extensions
    const auto size = ParseSize(size_text, 16);
    if (!size) {
      error = "bad chunk size";
      return ParseState::kError;
    }
    pos = line_end + 2;
    if (*size == 0) {
      // Trailer fields until an empty line.
      for (;;) {
        const std::size_t trailer_end = bytes.find("\r\n", pos);
        if (trailer_end == std::string_view::npos) {
          if (bytes.size() - pos > kMaxHeaderBytes) {
            error = "trailer too long";
            return ParseState::kError;
          }
          return ParseState::kIncomplete;
        }
        const bool empty = trailer_end == pos;
        pos = trailer_end + 2;
        if (empty) {
          end = pos;
          return ParseState::kComplete;
        }
      }
    }
    if (*size > kMaxBodyBytes || body.size() + *size > kMaxBodyBytes) {
      error = "body too large";
      return ParseState::kError;
    }
    if (bytes.size() - pos < *size + 2) return ParseState::kIncomplete;
    body.append(bytes.substr(pos, *size));
    pos += *size;
    if (bytes.substr(pos, 2) != "\r\n") {
      error = "chunk not followed by CRLF";
      return ParseState::kError;
    }
    pos += 2;
  }
}

}  // namespace

std::optional<std::string> Response::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Response::Headers(std::string_view lower_name) const {
  std::vector<std::string> out;
  for (const auto& [name, value] : headers) {
    if (name == lower_name) out.push_back(value);
  }
  return out;
}

ParseOutcome ParseResponse(std::string_view bytes, bool at_eof, bool no_body) {
  // Header block: up to the first empty line (CRLF CRLF, or bare LF LF from sloppy servers).
  std::size_t header_end = bytes.find("\r\n\r\n");
  std::size_t body_start = header_end == std::string_view::npos ? 0 : header_end + 4;
  if (const std::size_t lf = bytes.find("\n\n");
      lf != std::string_view::npos && (header_end == std::string_view::npos || lf < header_end)) {
    header_end = lf;
    body_start = lf + 2;
  }
  if (header_end == std::string_view::npos) {
    if (bytes.size() > kMaxHeaderBytes) return Error("header block too large");
    // Anything that cannot start a status line fails at once, so callers stop waiting.
    const std::string_view start = bytes.substr(0, 5);
    const bool http = std::string_view("HTTP/").substr(0, start.size()) == start;
    const bool rtsp = std::string_view("RTSP/").substr(0, start.size()) == start;
    if (!http && !rtsp) return Error("not an HTTP or RTSP response");
    if (at_eof) return Error("connection closed inside the header");
    return {};
  }
  if (header_end > kMaxHeaderBytes) return Error("header block too large");

  ParseOutcome out;
  Response& r = out.response;
  const std::string_view head = bytes.substr(0, header_end);
  std::size_t line_start = 0;
  bool first = true;
  std::size_t lines = 0;
  while (line_start <= head.size()) {
    std::size_t line_end = head.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = head.size();
    std::string_view line = head.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line_start = line_end + 1;
    if (++lines > kMaxHeaderLines) return Error("too many header lines");
    if (first) {
      first = false;
      // PROTOCOL/x.y SP 3DIGIT [SP reason]
      const std::size_t sp = line.find(' ');
      if (sp == std::string_view::npos) return Error("malformed status line");
      r.protocol = std::string(line.substr(0, sp));
      if (r.protocol != "HTTP/1.0" && r.protocol != "HTTP/1.1" && r.protocol != "RTSP/1.0" &&
          r.protocol != "RTSP/2.0") {
        return Error("unknown protocol in status line");
      }
      std::string_view rest = line.substr(sp + 1);
      const std::string_view code = rest.substr(0, 3);
      if (code.size() != 3 ||
          !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Error("malformed status code");
      }
      r.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
      if (r.status < 100) return Error("malformed status code");
      if (rest.size() > 3) {
        if (rest[3] != ' ') return Error("malformed status line");
        r.reason = std::string(base::Trim(rest.substr(4)));
      }
      continue;
    }
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      // Obsolete line folding: continues the previous value.
      if (r.headers.empty()) return Error("folded line without a header");
      r.headers.back().second += " ";
      r.headers.back().second += std::string(base::Trim(line));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Error("malformed header line");
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsToken)) return Error("malformed header name");
    r.headers.emplace_back(Lower(name), std::string(base::Trim(line.substr(colon + 1))));
  }

  const bool rtsp = r.IsRtsp();
  const bool bodiless =
      no_body || (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
  const auto transfer = r.Header("transfer-encoding");
  const auto length_text = r.Header("content-length");
  if (bodiless) {
    out.consumed = body_start;
  } else if (!rtsp && transfer && base::ToLower(*transfer).find("chunked") != std::string::npos) {
    std::size_t end = 0;
    std::string error;
    const ParseState state = DecodeChunked(bytes, body_start, r.body, end, error);
    if (state == ParseState::kError) return Error(error);
    if (state == ParseState::kIncomplete) {
      if (at_eof) return Error("connection closed inside a chunked body");
      return {};
    }
    out.consumed = end;
  } else if (length_text) {
    const auto length = ParseSize(*length_text, 10);
    if (!length) return Error("malformed Content-Length");
    if (*length > kMaxBodyBytes) return Error("body too large");
    if (bytes.size() - body_start < *length) {
      if (at_eof) return Error("connection closed inside the body");
      return {};
    }
    r.body = std::string(bytes.substr(body_start, *length));
    out.consumed = body_start + *length;
  } else if (rtsp) {
    out.consumed = body_start;  // RTSP: no Content-Length, no body (RFC 2326 §12.14)
  } else {
    // HTTP without a length: the body runs to the close.
    if (bytes.size() - body_start > kMaxBodyBytes) return Error("body too large");
    if (!at_eof) return {};
    r.body = std::string(bytes.substr(body_start));
    out.consumed = bytes.size();
  }
  out.state = ParseState::kComplete;
  return out;
}

std::vector<Challenge> ParseChallenges(std::string_view text) {
  std::vector<Challenge> out;
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  const auto read_token = [&] {
    const std::size_t start = i;
    while (i < text.size() && IsToken(text[i])) ++i;
    return text.substr(start, i - start);
  };
  while (i < text.size() && out.size() < 16) {
    skip_space();
    while (i < text.size() && (text[i] == ',' || text[i] == ' ' || text[i] == '\t')) ++i;
    const std::string_view scheme = read_token();
    if (scheme.empty()) break;  // unreadable: stop rather than guess
    Challenge challenge;
    challenge.scheme = Lower(scheme);
    // auth-params (name=value, comma separated) or one token68; a token not followed by '='
    // after a comma starts the next challenge.
    bool first = true;
    for (int params = 0; params < 32 && i < text.size(); ++params) {
      skip_space();
      const std::size_t mark = i;
      const std::string_view name = read_token();
      skip_space();
      if (name.empty()) break;
      if (i < text.size() && text[i] == '=') {
        ++i;
        skip_space();
        if (i >= text.size() || text[i] == ',' || text[i] == '=') {
          while (i < text.size() && text[i] == '=') ++i;  // token68 padding ("abc==")
        } else {
          std::string value;
          if (text[i] == '"') {
            ++i;
            while (i < text.size() && text[i] != '"') {
              if (text[i] == '\\' && i + 1 < text.size()) ++i;
              value += text[i++];
            }
            if (i < text.size()) ++i;  // the closing quote
          } else {
            value = std::string(read_token());
          }
          challenge.params[Lower(name)] = std::move(value);
        }
      } else if (!first) {
        i = mark;  // the next challenge's scheme
        break;
      }
      first = false;
      skip_space();
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    out.push_back(std::move(challenge));
  }
  return out;
}

std::vector<Challenge> ChallengesOf(const Response& response) {
  std::vector<Challenge> out;
  for (const std::string& value : response.Headers("www-authenticate")) {
    for (Challenge& c : ParseChallenges(value)) {
      if (out.size() < 16) out.push_back(std::move(c));
    }
  }
  return out;
}

const Challenge* FindChallenge(const std::vector<Challenge>& challenges, std::string_view scheme) {
  for (const Challenge& c : challenges) {
    if (c.scheme == scheme) return &c;
  }
  return nullptr;
}

TelnetInput ProcessTelnet(std::string_view bytes) {
  TelnetInput out;
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c != kIac) {
      if (c != 0) out.text += static_cast<char>(c);
      ++i;
      continue;
    }
    if (i + 1 >= bytes.size()) break;  // a split command: dropped
    const auto command = static_cast<unsigned char>(bytes[i + 1]);
    if (command == kIac) {  // escaped 255
      out.text += static_cast<char>(kIac);
      i += 2;
      continue;
    }
    out.negotiated = true;
    if (command == kWill || command == kWont || command == kDo || command == kDont) {
      if (i + 2 >= bytes.size()) break;
      const auto option = static_cast<unsigned char>(bytes[i + 2]);
      if (command == kWill) {
        const bool agree = option == kOptionEcho || option == kOptionSuppressGoAhead;
        out.replies += static_cast<char>(kIac);
        out.replies += static_cast<char>(agree ? kDo : kDont);
        out.replies += static_cast<char>(option);
      } else if (command == kDo) {
        out.replies += static_cast<char>(kIac);
        out.replies += static_cast<char>(kWont);
        out.replies += static_cast<char>(option);
      }
      i += 3;
      continue;
    }
    if (command == kSb) {
      // Subnegotiation: skip to IAC SE.
      std::size_t j = i + 2;
      while (j + 1 < bytes.size() && !(static_cast<unsigned char>(bytes[j]) == kIac &&
                                       static_cast<unsigned char>(bytes[j + 1]) == kSe)) {
        ++j;
      }
      i = j + 2;
      continue;
    }
    i += 2;  // NOP, GA, AYT, …
  }
  return out;
}

TelnetState ClassifyTelnet(std::string_view text) {
  const std::string lower = base::ToLower(text);
  // The last non-empty line is what the server waits on.
  std::string_view all(lower);
  while (!all.empty() && (all.back() == '\n' || all.back() == '\r' || all.back() == 0)) {
    all.remove_suffix(1);
  }
  const std::size_t nl = all.find_last_of("\r\n");
  const std::string_view last = nl == std::string_view::npos ? all : all.substr(nl + 1);
  const std::string_view trimmed = base::Trim(last);
  const auto has = [&](std::string_view word) { return all.find(word) != std::string_view::npos; };
  if (!trimmed.empty() && trimmed.back() == ':') {
    if (trimmed.find("password") != std::string_view::npos ||
        trimmed.find("passwd") != std::string_view::npos) {
      return TelnetState::kPasswordPrompt;
    }
    if (trimmed.find("login") != std::string_view::npos ||
        trimmed.find("user") != std::string_view::npos) {
      return has("incorrect") || has("failed") || has("denied") || has("invalid")
                 ? TelnetState::kRejected
                 : TelnetState::kLoginPrompt;
    }
  }
  if (has("incorrect") || has("login failed") || has("access denied") || has("invalid")) {
    return TelnetState::kRejected;
  }
  if (!trimmed.empty()) {
    const char end = trimmed.back();
    if (end == '#' || end == '$' || end == '>' || end == '%') return TelnetState::kShell;
  }
  return TelnetState::kNothing;
}

GreetingKind ClassifyGreeting(std::string_view bytes) {
  if (bytes.empty()) return GreetingKind::kNone;
  if (static_cast<unsigned char>(bytes[0]) == kIac) return GreetingKind::kTelnet;
  if (bytes.rfind("SSH-", 0) == 0) return GreetingKind::kSsh;
  if (bytes.rfind("220", 0) == 0 && bytes.size() > 3 && (bytes[3] == ' ' || bytes[3] == '-')) {
    return GreetingKind::kFtp;
  }
  const TelnetState state = ClassifyTelnet(ProcessTelnet(bytes).text);
  if (state == TelnetState::kLoginPrompt || state == TelnetState::kPasswordPrompt ||
      state == TelnetState::kShell) {
    return GreetingKind::kTelnet;
  }
  return GreetingKind::kOther;
}

bool LooksLikeTls(std::string_view bytes) {
  if (bytes.size() < 3) return false;
  const auto type = static_cast<unsigned char>(bytes[0]);
  return (type == 0x15 || type == 0x16) && bytes[1] == 0x03 &&
         static_cast<unsigned char>(bytes[2]) <= 0x04;
}

std::optional<std::string> VersionInBanner(std::string_view banner) {
  // A version is a run of digits, dots and letters that holds a digit, a dot and another digit
  // (1.2, 0.94.14rc21, 2019.78), following a separator ('/', ' ', '_', '-', 'v').
  std::size_t i = 0;
  while (i < banner.size()) {
    const char c = banner[i];
    const bool starts = c >= '0' && c <= '9' &&
                        (i == 0 || banner[i - 1] == '/' || banner[i - 1] == ' ' ||
                         banner[i - 1] == '_' || banner[i - 1] == '-' || banner[i - 1] == 'v' ||
                         banner[i - 1] == 'V' || banner[i - 1] == '(');
    if (!starts) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < banner.size() &&
           ((banner[j] >= '0' && banner[j] <= '9') || banner[j] == '.' ||
            (banner[j] >= 'a' && banner[j] <= 'z') || (banner[j] >= 'A' && banner[j] <= 'Z'))) {
      ++j;
    }
    std::string_view token = banner.substr(i, j - i);
    while (!token.empty() && token.back() == '.') token.remove_suffix(1);
    const std::size_t dot = token.find('.');
    if (dot != std::string_view::npos && dot + 1 < token.size() && token[dot + 1] >= '0' &&
        token[dot + 1] <= '9') {
      // "SSH-2.0" is the protocol, not the software.
      const bool ssh_protocol = i >= 4 && banner.substr(i - 4, 4) == "SSH-";
      if (!ssh_protocol) return std::string(token.substr(0, 40));
    }
    i = j == i ? i + 1 : j;
  }
  return std::nullopt;
}

std::string Printable(std::string_view bytes, std::size_t max) {
  std::string out;
  for (char c : bytes) {
    if (out.size() >= max) {
      out += "…";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 32 && u < 127) {
      out += c;
    } else if (c == '\r') {
      continue;
    } else if (c == '\n' || c == '\t') {
      out += ' ';
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  return std::string(base::Trim(out));
}

SdpSummary SummarizeSdp(std::string_view sdp) {
  SdpSummary out;
  std::string video_format;
  bool in_video = false;
  std::size_t lines = 0;
  for (std::string_view line : base::Split(sdp.substr(0, kMaxHeaderBytes), '\n')) {
    if (++lines > 1024) break;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.rfind("m=", 0) == 0) {
      in_video = line.rfind("m=video ", 0) == 0;
      if (in_video && !out.has_video) {
        out.has_video = true;
        // m=video <port> <proto> <fmt> ...
        const auto fields = base::Split(line.substr(2), ' ');
        if (fields.size() >= 3) out.transport = std::string(fields[2]);
        if (fields.size() >= 4) video_format = std::string(fields[3]);
        out.encrypted = out.transport.find("SAVP") != std::string::npos;
      }
      continue;
    }
    if (in_video && out.codec.empty() && line.rfind("a=rtpmap:", 0) == 0) {
      const std::string_view rest = line.substr(9);
      const std::size_t sp = rest.find(' ');
      if (sp != std::string_view::npos && rest.substr(0, sp) == video_format) {
        const std::string_view encoding = rest.substr(sp + 1);
        out.codec = Printable(encoding.substr(0, encoding.find('/')), 32);
      }
    }
  }
  if (!out.has_video) out.transport.clear();
  return out;
}

}  // namespace camguard::scan
