// SPDX-License-Identifier: Apache-2.0
// RTSP 1.0 (RFC 2326) messages on a connection, sans I/O: bytes in, requests and interleaved
// binary frames (RFC 2326 §10.12, e.g. RTCP receiver reports) out. Bounded: a request header may
// not exceed kMaxHeaderBytes, kMaxHeaders lines, or a body of kMaxBodyBytes. Total: any bytes
// give messages, "need more", or an error after which the connection should be answered with
// 400 (or 505) and closed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"

namespace camguard::camsim {

inline constexpr std::size_t kMaxHeaderBytes = 8192;
inline constexpr std::size_t kMaxHeaders = 32;
inline constexpr std::size_t kMaxBodyBytes = 4096;
// HTTP requests (ONVIF SOAP) carry bigger bodies: CreateUsers with several accounts.
inline constexpr std::size_t kMaxHttpBodyBytes = 64 * 1024;

struct RtspRequest {
  std::string method;   // case-sensitive token (RFC 2326 §6.1)
  std::string version;  // "RTSP/1.0", "HTTP/1.0" or "HTTP/1.1"
  std::string uri;      // "*" or an absolute rtsp:// URL
  int cseq = -1;        // -1 when missing
  std::vector<std::pair<std::string, std::string>> headers;  // in order, values trimmed
  std::string body;

  // First header with this name (names compare case-insensitively, RFC 2326 §4.2).
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct InterleavedFrame {
  std::uint8_t channel = 0;
  std::string payload;
};

using RtspMessage = std::variant<RtspRequest, InterleavedFrame>;

enum class RtspParseError {
  kBadRequest,           // malformed or over a limit → 400
  kVersionNotSupported,  // not RTSP/1.0 → 505
};

// The simulated camera's HTTP server (ONVIF, snapshots) speaks the same message syntax
// (RFC 2326 §4 borrows it from HTTP/1.1): one parser, two dialects.
enum class MessageDialect {
  kRtsp,  // RTSP/1.0, interleaved frames, CSeq
  kHttp,  // HTTP/1.0 or HTTP/1.1, no interleaved frames, no Transfer-Encoding
};

class RtspParser {
 public:
  explicit RtspParser(MessageDialect dialect = MessageDialect::kRtsp) : dialect_(dialect) {}

  // Appends received bytes. They are consumed by Next().
  // After an error the stream is unusable (the connection is closed), so nothing more is kept.
  void Feed(std::string_view bytes) {
    if (!error_) buffer_.append(bytes);
  }

  // The next complete message, nullopt when more bytes are needed, or an error (sticky: every
  // later call returns it too).
  tl::expected<std::optional<RtspMessage>, RtspParseError> Next();

  std::size_t buffered() const { return buffer_.size(); }

 private:
  tl::expected<std::optional<RtspMessage>, RtspParseError> Fail(RtspParseError error);

  MessageDialect dialect_;
  std::string buffer_;
  std::optional<RtspParseError> error_;
};

// The path of a request URI ("rtsp://host:port/main/trackID=0?x" → "/main/trackID=0"), or
// nullopt when the URI is neither an rtsp:// URL nor an absolute path.
std::optional<std::string> UriPath(std::string_view uri);

}  // namespace camguard::camsim
