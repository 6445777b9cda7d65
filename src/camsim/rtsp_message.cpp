// SPDX-License-Identifier: Apache-2.0
#include "camsim/rtsp_message.h"

#include <cctype>
#include <charconv>

#include "base/strings.h"

namespace camguard::camsim {
namespace {

constexpr std::size_t kMaxUri = 2048;

bool IsTokenChar(char c) {
  // RFC 2326 §15.1 token: CHAR except CTLs and tspecials.
  if (c <= 32 || c >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (std::tolower(x) != std::tolower(y)) return false;
  }
  return true;
}

bool HasControlChars(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 32 && c != '\t') || u == 127) return true;
  }
  return false;
}

std::optional<std::size_t> ParseDecimal(std::string_view s, std::size_t max) {
  std::size_t value = 0;
  if (s.empty() || s.size() > 9) return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value > max) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string_view> RtspRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

tl::expected<std::optional<RtspMessage>, RtspParseError> RtspParser::Fail(RtspParseError error) {
  error_ = error;
  buffer_.clear();
  return tl::unexpected(error);
}

tl::expected<std::optional<RtspMessage>, RtspParseError> RtspParser::Next() {
  if (error_) return tl::unexpected(*error_);
  if (buffer_.empty()) return std::nullopt;

  // RFC 2326 §10.12: '$', channel, 16-bit big-endian length, binary data.
  if (buffer_[0] == '$' && dialect_ == MessageDialect::kRtsp) {
    if (buffer_.size() < 4) return std::nullopt;
    const std::size_t length =
        (static_cast<std::size_t>(static_cast<unsigned char>(buffer_[2])) << 8) |
        static_cast<unsigned char>(buffer_[3]);
    if (buffer_.size() < 4 + length) return std::nullopt;
    InterleavedFrame frame;
    frame.channel = static_cast<std::uint8_t>(buffer_[1]);
    frame.payload = buffer_.substr(4, length);
    buffer_.erase(0, 4 + length);
    return RtspMessage(std::move(frame));
  }

  const std::size_t header_end = buffer_.find("\r\n\r\n");
  if (header_end == std::string::npos) {
    if (buffer_.size() > kMaxHeaderBytes) return Fail(RtspParseError::kBadRequest);
    return std::nullopt;
  }
  if (header_end + 4 > kMaxHeaderBytes) return Fail(RtspParseError::kBadRequest);
  const std::string_view head(buffer_.data(), header_end);

  RtspRequest request;
  std::size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  // Request-Line = Method SP Request-URI SP RTSP-Version (RFC 2326 §6.1)
  const std::size_t sp1 = request_line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(RtspParseError::kBadRequest);
  }
  const std::string_view method = request_line.substr(0, sp1);
  const std::string_view uri = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = request_line.substr(sp2 + 1);
  if (!IsToken(method) || uri.empty() || uri.size() > kMaxUri || HasControlChars(uri)) {
    return Fail(RtspParseError::kBadRequest);
  }
  const std::string_view protocol = dialect_ == MessageDialect::kRtsp ? "RTSP/" : "HTTP/";
  if (version.substr(0, 5) != protocol || version.size() < 8) {
    return Fail(RtspParseError::kBadRequest);
  }
  const bool supported = dialect_ == MessageDialect::kRtsp
                             ? version == "RTSP/1.0"
                             : version == "HTTP/1.1" || version == "HTTP/1.0";
  if (!supported) return Fail(RtspParseError::kVersionNotSupported);
  request.version = std::string(version);
  request.method = std::string(method);
  request.uri = std::string(uri);

  std::size_t content_length = 0;
  bool have_length = false;
  while (line_end != std::string_view::npos) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string_view line = head.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    // Folded continuation lines (obsolete) and lines without a colon are refused.
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon)) ||
        HasControlChars(line)) {
      return Fail(RtspParseError::kBadRequest);
    }
    if (request.headers.size() == kMaxHeaders) return Fail(RtspParseError::kBadRequest);
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = base::Trim(line.substr(colon + 1));
    if (dialect_ == MessageDialect::kHttp && EqualsIgnoreCase(name, "Transfer-Encoding")) {
      return Fail(RtspParseError::kBadRequest);  // chunked bodies: not needed, not accepted
    }
    if (EqualsIgnoreCase(name, "CSeq") && dialect_ == MessageDialect::kRtsp) {
      const auto cseq = ParseDecimal(value, 999'999'999);
      if (!cseq || request.cseq >= 0) return Fail(RtspParseError::kBadRequest);
      request.cseq = static_cast<int>(*cseq);
    } else if (EqualsIgnoreCase(name, "Content-Length")) {
      const auto length = ParseDecimal(
          value, dialect_ == MessageDialect::kRtsp ? kMaxBodyBytes : kMaxHttpBodyBytes);
      if (!length || have_length) return Fail(RtspParseError::kBadRequest);
      content_length = *length;
      have_length = true;
    }
    request.headers.emplace_back(std::string(name), std::string(value));
  }

  const std::size_t total = header_end + 4 + content_length;
  if (buffer_.size() < total) return std::nullopt;
  request.body = buffer_.substr(header_end + 4, content_length);
  buffer_.erase(0, total);
  return RtspMessage(std::move(request));
}

std::optional<std::string> UriPath(std::string_view uri) {
  std::string_view rest = uri;
  constexpr std::string_view kScheme = "rtsp://";
  if (rest.size() >= kScheme.size() && EqualsIgnoreCase(rest.substr(0, kScheme.size()), kScheme)) {
    rest.remove_prefix(kScheme.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::string("/");
    rest.remove_prefix(slash);
  } else if (rest.empty() || rest[0] != '/') {
    return std::nullopt;
  }
  const std::size_t query = rest.find_first_of("?#");
  return std::string(rest.substr(0, query));
}

}  // namespace camguard::camsim
