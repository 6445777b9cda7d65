// SPDX-License-Identifier: Apache-2.0
#include "rtsp/client.h"

// GCC 12 reports a false "may be used uninitialized" inside std::variant's move constructor
// when events are pushed; clang and the sanitizers see nothing.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "base/encoding.h"
#include "base/strings.h"
#include "crypto/crypto.h"

namespace camguard::rtsp {

namespace {

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 64 * 1024;
constexpr std::size_t kMaxNalBytes = 4 * 1024 * 1024;  // one 4K keyframe fits with room
constexpr std::size_t kMaxUnitBytes = 8 * 1024 * 1024;

std::string Hex(std::span<const unsigned char> digest) {
  return base::HexEncode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string HashHex(std::string_view algorithm, std::string_view text) {
  const EVP_MD* md = base::ToLower(algorithm).starts_with("sha-256") ? EVP_sha256() : EVP_md5();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, md, nullptr);
  return Hex(std::span<const unsigned char>(digest, length));
}

// Parameters of a challenge: key=value or key="value", comma separated.
std::map<std::string, std::string> ChallengeParameters(std::string_view text) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    const std::size_t eq = text.find('=', i);
    if (eq == std::string_view::npos) break;
    const std::string key = base::ToLower(base::Trim(text.substr(i, eq - i)));
    i = eq + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i++];
      }
      ++i;
    } else {
      const std::size_t end = text.find(',', i);
      value =
          std::string(base::Trim(text.substr(i, end == std::string_view::npos ? end : end - i)));
      i = end == std::string_view::npos ? text.size() : end;
    }
    out[key] = value;
  }
  return out;
}

std::string ResolveUrl(std::string_view base, std::string_view control) {
  if (control.empty() || control == "*") return std::string(base);
  if (control.starts_with("rtsp://") || control.starts_with("rtsps://"))
    return std::string(control);
  std::string out(base);
  if (!out.empty() && out.back() != '/') out += '/';
  return out + std::string(control);
}

// Standard base64 (RFC 4648 §4) through the base64url decoder: the alphabets differ in two
// characters and padding is optional there.
std::optional<std::vector<std::uint8_t>> Base64(std::string_view text) {
  std::string url(base::Trim(text));
  while (!url.empty() && url.back() == '=') url.pop_back();
  for (char& c : url) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  auto decoded = base::Base64UrlDecode(url);
  if (!decoded) return std::nullopt;
  return std::vector<std::uint8_t>(decoded->begin(), decoded->end());
}

}  // namespace

base::Result<VideoStream> ParseSdp(std::string_view sdp, std::string_view base_url) {
  if (sdp.size() > kMaxBodyBytes)
    return base::Fail(base::ErrorCode::kInvalidArgument, "SDP too large");
  std::string session_control;
  std::optional<VideoStream> found;
  bool in_video = false;
  std::string media_control;
  std::optional<VideoStream> candidate;
  std::vector<std::string> payload_types;
  const auto finish_media = [&] {
    if (in_video && candidate && !found) {
      candidate->control_url = media_control;
      found = candidate;
    }
  };
  for (std::string_view line : base::Split(sdp, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() < 2 || line[1] != '=') continue;
    const char kind = line[0];
    const std::string_view value = line.substr(2);
    if (kind == 'm') {
      finish_media();
      in_video = value.starts_with("video ");
      candidate.reset();
      media_control.clear();
      payload_types.clear();
      const auto parts = base::Split(value, ' ');
      for (std::size_t i = 3; i < parts.size(); ++i) payload_types.emplace_back(parts[i]);
      continue;
    }
    if (kind != 'a') continue;
    if (value.starts_with("control:")) {
      (in_video || !candidate
           ? (payload_types.empty() && !in_video ? session_control : media_control)
           : media_control) = std::string(value.substr(8));
      if (!in_video && payload_types.empty()) session_control = std::string(value.substr(8));
      continue;
    }
    if (!in_video) continue;
    if (value.starts_with("rtpmap:")) {
      const auto space = value.find(' ');
      if (space == std::string_view::npos) continue;
      const std::string pt(value.substr(7, space - 7));
      const std::string encoding = base::ToLower(value.substr(space + 1));
      if (candidate) continue;  // the first supported format wins
      VideoStream stream;
      if (encoding.starts_with("h264/")) {
        stream.codec = VideoCodec::kH264;
      } else if (encoding.starts_with("h265/")) {
        stream.codec = VideoCodec::kH265;
      } else {
        continue;
      }
      const int number = std::atoi(pt.c_str());
      if (number < 96 || number > 127) continue;
      stream.payload_type = static_cast<std::uint8_t>(number);
      stream.clock_rate = static_cast<std::uint32_t>(std::atoi(encoding.substr(5).c_str()));
      if (stream.clock_rate != 90000) continue;
      candidate = stream;
    } else if (value.starts_with("fmtp:") && candidate) {
      const auto space = value.find(' ');
      if (space == std::string_view::npos) continue;
      if (std::atoi(std::string(value.substr(5, space - 5)).c_str()) != candidate->payload_type)
        continue;
      for (std::string_view parameter : base::Split(value.substr(space + 1), ';')) {
        parameter = base::Trim(parameter);
        const auto eq = parameter.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string name = base::ToLower(parameter.substr(0, eq));
        const std::string_view text = parameter.substr(eq + 1);
        if (name == "sprop-parameter-sets" || name == "sprop-vps" || name == "sprop-sps" ||
            name == "sprop-pps") {
          for (std::string_view set : base::Split(text, ',')) {
            if (auto bytes = Base64(set); bytes && !bytes->empty())
              candidate->parameter_sets.push_back(std::move(*bytes));
          }
        }
      }
    }
  }
  finish_media();
  if (!found)
    return base::Fail(base::ErrorCode::kNotFound, "the camera offers no H.264 or H.265 video");
  const std::string session_base = ResolveUrl(base_url, session_control);
  found->control_url = ResolveUrl(session_base, found->control_url);
  return *found;
}

Client::Client(ClientConfig config) : config_(std::move(config)) {}

void Client::SetUdpPorts(std::uint16_t rtp_port, std::uint16_t rtcp_port) {
  udp_rtp_port_ = rtp_port;
  udp_rtcp_port_ = rtcp_port;
}

void Client::Start(TimePoint now) {
  state_ = State::kOptions;
  Send("OPTIONS", config_.url, {}, now);
}

std::string Client::TakeOutgoing() { return std::exchange(out_, std::string()); }
std::vector<Event> Client::TakeEvents() { return std::exchange(events_, {}); }

void Client::Fail(std::string message, bool auth_failed) {
  if (state_ == State::kDone) return;
  state_ = State::kDone;
  events_.push_back(
      Failed{base::Error{base::ErrorCode::kUnavailable, std::move(message)}, auth_failed});
}

std::string Client::Authorization(std::string_view method, const std::string& uri) {
  if (auth_scheme_ == "basic") {
    return "Basic " + base::Base64Encode(config_.username + ":" + config_.password.Reveal());
  }
  const std::string ha1 =
      HashHex(algorithm_, config_.username + ":" + realm_ + ":" + config_.password.Reveal());
  const std::string ha2 = HashHex(algorithm_, std::string(method) + ":" + uri);
  std::string header = fmt::format(R"(Digest username="{}", realm="{}", nonce="{}", uri="{}")",
                                   config_.username, realm_, nonce_, uri);
  if (qop_auth_) {
    const std::string nc = fmt::format("{:08x}", ++nonce_count_);
    const std::string cnonce = crypto::RandomToken(12);
    header += fmt::format(
        R"(, qop=auth, nc={}, cnonce="{}", response="{}")", nc, cnonce,
        HashHex(algorithm_, ha1 + ":" + nonce_ + ":" + nc + ":" + cnonce + ":auth:" + ha2));
  } else {
    header +=
        fmt::format(R"(, response="{}")", HashHex(algorithm_, ha1 + ":" + nonce_ + ":" + ha2));
  }
  if (!algorithm_.empty()) header += ", algorithm=" + algorithm_;
  if (!opaque_.empty()) header += fmt::format(R"(, opaque="{}")", opaque_);
  return header;
}

void Client::Send(std::string_view method, const std::string& uri,
                  std::vector<std::pair<std::string, std::string>> headers, TimePoint now) {
  last_method_ = std::string(method);
  last_uri_ = uri;
  last_headers_ = headers;
  out_ += fmt::format("{} {} RTSP/1.0\r\nCSeq: {}\r\nUser-Agent: {}\r\n", method, uri, ++cseq_,
                      config_.user_agent);
  if (!auth_scheme_.empty()) out_ += "Authorization: " + Authorization(method, uri) + "\r\n";
  if (!session_.empty()) out_ += "Session: " + session_ + "\r\n";
  for (const auto& [name, value] : headers) out_ += name + ": " + value + "\r\n";
  out_ += "\r\n";
  sent_at_ = now;
  awaiting_ = true;
}

void Client::Resend(TimePoint now) { Send(last_method_, last_uri_, last_headers_, now); }

void Client::OnBytes(std::span<const std::uint8_t> bytes, TimePoint now) {
  if (state_ == State::kDone) return;
  in_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  // Messages are consumed by advancing an offset and the buffer is compacted once per read: a
  // 64 KiB read holds dozens of RTP packets, and erasing each from the front would move the
  // rest every time.
  std::size_t consumed = 0;
  while (state_ != State::kDone && consumed < in_.size()) {
    const std::size_t used = ParseOneMessage(std::string_view(in_).substr(consumed), now);
    if (used == 0) break;
    consumed += used;
  }
  in_.erase(0, consumed);
  if (in_.size() > kMaxHeaderBytes + kMaxBodyBytes + 70000) Fail("the camera sends malformed data");
}

std::size_t Client::ParseOneMessage(std::string_view in, TimePoint now) {
  if (in[0] == '$') {  // interleaved binary data (RFC 2326 §10.12)
    if (in.size() < 4) return 0;
    const std::uint8_t channel = static_cast<std::uint8_t>(in[1]);
    const std::size_t length = (static_cast<std::size_t>(static_cast<std::uint8_t>(in[2])) << 8) |
                               static_cast<std::uint8_t>(in[3]);
    if (in.size() < 4 + length) return 0;
    const std::span<const std::uint8_t> packet(reinterpret_cast<const std::uint8_t*>(in.data()) + 4,
                                               length);
    if (channel == 0)
      OnRtp(packet, now);
    else if (channel == 1)
      OnRtcp(packet);
    return 4 + length;
  }
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in.size() > kMaxHeaderBytes) Fail("the camera's answer headers are too large");
    if (in.size() >= 5 && !in.starts_with("RTSP/")) Fail("the camera sends garbage");
    return 0;
  }
  if (!in.starts_with("RTSP/1.0 ") || end < 12) {
    Fail("the camera sends garbage instead of an RTSP answer");
    return 0;
  }
  Response response;
  const std::string_view head = in.substr(0, end);
  const auto lines = base::Split(head, '\n');
  const std::string_view status_line = base::Trim(lines[0]);
  const std::string code(status_line.substr(9, 3));
  if (code.size() != 3 || !std::all_of(code.begin(), code.end(), ::isdigit)) {
    Fail("the camera's status line is malformed");
    return 0;
  }
  response.status = std::atoi(code.c_str());
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = base::Trim(lines[i]);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    response.headers[base::ToLower(base::Trim(line.substr(0, colon)))] =
        std::string(base::Trim(line.substr(colon + 1)));
  }
  std::size_t length = 0;
  if (const auto it = response.headers.find("content-length"); it != response.headers.end()) {
    const std::string& text = it->second;
    if (text.empty() || text.size() > 6 || !std::all_of(text.begin(), text.end(), ::isdigit)) {
      Fail("the camera sent a bad Content-Length");
      return 0;
    }
    length = std::stoul(text);
    if (length > kMaxBodyBytes) {
      Fail("the camera's answer is too large");
      return 0;
    }
  }
  if (in.size() < end + 4 + length) return 0;
  response.body = std::string(in.substr(end + 4, length));
  OnResponse(response, now);
  return end + 4 + length;
}

void Client::OnResponse(const Response& response, TimePoint now) {
  awaiting_ = false;
  if (response.status == 401) {
    const auto it = response.headers.find("www-authenticate");
    if (it == response.headers.end() || config_.username.empty()) {
      return Fail("the camera asks for credentials", true);
    }
    const std::string lower = base::ToLower(it->second);
    const auto parameters = ChallengeParameters(
        std::string_view(it->second).substr(std::min(it->second.find(' ') + 1, it->second.size())));
    const bool stale =
        parameters.contains("stale") && base::ToLower(parameters.at("stale")) == "true";
    if (retried_auth_ && !stale) return Fail("the camera refused the credentials", true);
    retried_auth_ = true;
    if (lower.starts_with("digest")) {
      auth_scheme_ = "digest";
      realm_ = parameters.contains("realm") ? parameters.at("realm") : "";
      nonce_ = parameters.contains("nonce") ? parameters.at("nonce") : "";
      opaque_ = parameters.contains("opaque") ? parameters.at("opaque") : "";
      algorithm_ = parameters.contains("algorithm") ? parameters.at("algorithm") : "";
      qop_auth_ = parameters.contains("qop") &&
                  base::ToLower(parameters.at("qop")).find("auth") != std::string::npos;
      nonce_count_ = 0;
    } else if (lower.starts_with("basic")) {
      auth_scheme_ = "basic";
    } else {
      return Fail("the camera asks for an authentication scheme we do not speak", true);
    }
    return Resend(now);
  }
  if (response.status >= 300 && response.status < 400) {
    const auto it = response.headers.find("location");
    if (it == response.headers.end()) return Fail("the camera redirected without a Location");
    state_ = State::kDone;
    events_.push_back(Redirected{it->second});
    return;
  }
  if (response.status != 200) {
    return Fail(fmt::format("the camera answered {} to {}", response.status, last_method_));
  }
  retried_auth_ = false;
  switch (state_) {
    case State::kOptions: {
      const auto it = response.headers.find("public");
      get_parameter_ =
          it != response.headers.end() && it->second.find("GET_PARAMETER") != std::string::npos;
      state_ = State::kDescribe;
      Send("DESCRIBE", config_.url, {{"Accept", "application/sdp"}}, now);
      return;
    }
    case State::kDescribe: {
      std::string base = config_.url;
      if (auto it = response.headers.find("content-base"); it != response.headers.end())
        base = it->second;
      else if (auto loc = response.headers.find("content-location"); loc != response.headers.end())
        base = loc->second;
      auto stream = ParseSdp(response.body, base);
      if (!stream) return Fail(stream.error().message);
      stream_ = std::move(*stream);
      state_ = State::kSetup;
      const std::string transport =
          config_.transport == Transport::kUdp
              ? fmt::format("RTP/AVP;unicast;client_port={}-{}", udp_rtp_port_, udp_rtcp_port_)
              : "RTP/AVP/TCP;unicast;interleaved=0-1";
      Send("SETUP", stream_.control_url, {{"Transport", transport}}, now);
      return;
    }
    case State::kSetup: {
      const auto it = response.headers.find("session");
      if (it == response.headers.end()) return Fail("the camera gave no session");
      const auto parts = base::Split(it->second, ';');
      session_ = std::string(base::Trim(parts[0]));
      if (session_.empty() || session_.size() > 256)
        return Fail("the camera's session id is malformed");
      for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string_view part = base::Trim(parts[i]);
        if (part.starts_with("timeout=")) {
          const int seconds = std::atoi(std::string(part.substr(8)).c_str());
          if (seconds >= 5 && seconds <= 3600) session_timeout_ = std::chrono::seconds(seconds);
        }
      }
      state_ = State::kPlay;
      std::string play_url = config_.url;
      Send("PLAY", play_url, {{"Range", "npt=0.000-"}}, now);
      return;
    }
    case State::kPlay:
      state_ = State::kPlaying;
      last_keepalive_ = now;
      events_.push_back(Playing{stream_, session_timeout_});
      return;
    case State::kPlaying:  // a keepalive answer
    case State::kIdle:
    case State::kDone: return;
  }
}

void Client::OnTick(TimePoint now) {
  if (state_ == State::kDone || state_ == State::kIdle) return;
  DeliverHeld(now, false);  // a reordered packet never waits for the next one to arrive
  if (awaiting_ && now - sent_at_ > config_.response_timeout) {
    return Fail(fmt::format("the camera did not answer {} in time", last_method_));
  }
  if (state_ == State::kPlaying && !awaiting_ && now - last_keepalive_ >= session_timeout_ / 2) {
    last_keepalive_ = now;
    Send(get_parameter_ ? "GET_PARAMETER" : "OPTIONS", config_.url, {}, now);
  }
}

void Client::Teardown(TimePoint now) {
  if (state_ == State::kPlaying || state_ == State::kPlay) Send("TEARDOWN", config_.url, {}, now);
  state_ = State::kDone;
}

void Client::OnUdpPacket(std::uint8_t channel, std::span<const std::uint8_t> packet,
                         TimePoint now) {
  if (state_ == State::kDone) return;
  if (channel == 0)
    OnUdpRtp(packet, now);
  else
    OnRtcp(packet);
}

namespace {
constexpr std::size_t kReorderPackets = 64;
constexpr auto kReorderDelay = std::chrono::milliseconds(50);

// Signed distance from `from` to `to` in 16-bit sequence space.
int SequenceDistance(std::uint16_t from, std::uint16_t to) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(to - from));
}
}  // namespace

void Client::OnUdpRtp(std::span<const std::uint8_t> packet, TimePoint now) {
  if (packet.size() < 12) return;
  const std::uint16_t sequence = static_cast<std::uint16_t>((packet[2] << 8) | packet[3]);
  if (!next_udp_sequence_) next_udp_sequence_ = sequence;
  const int ahead = SequenceDistance(*next_udp_sequence_, sequence);
  if (ahead <= 0) {
    // In order, or late (OnRtp drops a late or duplicate packet).
    OnRtp(packet, now);
    if (ahead == 0) ++*next_udp_sequence_;
  } else {
    auto at = held_.begin();
    while (at != held_.end() && SequenceDistance(at->sequence, sequence) > 0) ++at;
    if (at != held_.end() && at->sequence == sequence) return;  // a duplicate
    held_.insert(at, HeldPacket{sequence, now, {packet.begin(), packet.end()}});
  }
  DeliverHeld(now, held_.size() > kReorderPackets);
}

void Client::DeliverHeld(TimePoint now, bool force) {
  while (!held_.empty() && next_udp_sequence_) {
    HeldPacket& first = held_.front();
    const int ahead = SequenceDistance(*next_udp_sequence_, first.sequence);
    if (ahead > 0 && !force && now - first.arrived < kReorderDelay) return;
    // Next in line, or waited long enough: what is still missing before it is lost.
    if (ahead >= 0) {
      OnRtp(first.bytes, now);
      next_udp_sequence_ = static_cast<std::uint16_t>(first.sequence + 1);
    }
    held_.pop_front();
    force = force && held_.size() > kReorderPackets / 2;
  }
}

void Client::OnRtp(std::span<const std::uint8_t> packet, TimePoint) {
  if (state_ != State::kPlaying && state_ != State::kPlay) return;
  // RFC 3550 §5.1: version 2, optional CSRCs, extension and padding.
  if (packet.size() < 12 || (packet[0] >> 6) != 2) return;
  const bool padding = packet[0] & 0x20;
  const bool extension = packet[0] & 0x10;
  const std::size_t csrcs = packet[0] & 0x0f;
  const bool marker = packet[1] & 0x80;
  const std::uint8_t payload_type = packet[1] & 0x7f;
  if (payload_type != stream_.payload_type) return;
  const std::uint16_t sequence = static_cast<std::uint16_t>((packet[2] << 8) | packet[3]);
  const std::uint32_t timestamp = (std::uint32_t{packet[4]} << 24) |
                                  (std::uint32_t{packet[5]} << 16) |
                                  (std::uint32_t{packet[6]} << 8) | packet[7];
  const std::uint32_t ssrc = (std::uint32_t{packet[8]} << 24) | (std::uint32_t{packet[9]} << 16) |
                             (std::uint32_t{packet[10]} << 8) | packet[11];
  std::size_t offset = 12 + 4 * csrcs;
  if (offset > packet.size()) return;
  if (extension) {
    if (offset + 4 > packet.size()) return;
    offset += 4 + 4 * ((std::size_t{packet[offset + 2]} << 8) | packet[offset + 3]);
    if (offset > packet.size()) return;
  }
  std::size_t end = packet.size();
  if (padding) {
    const std::size_t pad = packet.back();
    if (pad == 0 || pad > end - offset) return;
    end -= pad;
  }
  if (!ssrc_) ssrc_ = ssrc;
  if (ssrc != *ssrc_) return;  // another source on our channel: not ours
  ++stats_.packets;
  stats_.bytes += packet.size();
  if (last_sequence_) {
    const std::uint16_t expected = static_cast<std::uint16_t>(*last_sequence_ + 1);
    if (sequence != expected) {
      const std::uint16_t gap = static_cast<std::uint16_t>(sequence - expected);
      if (gap > 0x8000) return;  // late or duplicate: dropped (no reordering over TCP)
      stats_.lost_packets += gap;
      loss_ = true;
      fragment_.clear();
      fragment_ok_ = false;
    }
  }
  last_sequence_ = sequence;
  // Unwrap the 32-bit timestamp (RFC 3550 §5.1: it wraps).
  if (last_rtp_ts_ && timestamp<*last_rtp_ts_&& * last_rtp_ts_ - timestamp> 0x80000000u)
    ++wraps_;
  else if (last_rtp_ts_ && timestamp > *last_rtp_ts_ && timestamp - *last_rtp_ts_ > 0x80000000u &&
           wraps_ > 0)
    --wraps_;
  last_rtp_ts_ = timestamp;
  if (unit_ && unit_rtp_ts_ && *unit_rtp_ts_ != timestamp) FinishAccessUnit();
  if (!unit_) {
    unit_.emplace();
    unit_->timestamp = wraps_ * (std::int64_t{1} << 32) + timestamp;
    unit_->after_loss = loss_;
    unit_rtp_ts_ = timestamp;
    if (sender_report_) {
      const std::int64_t delta = static_cast<std::int32_t>(timestamp - sender_report_->first);
      unit_->wall_clock =
          sender_report_->second + std::chrono::microseconds(delta * 1000000 / 90000);
    }
    loss_ = false;
  }
  const std::span<const std::uint8_t> payload = packet.subspan(offset, end - offset);
  if (payload.empty()) return;
  const int type = payload[0] & 0x1f;
  if (type >= 1 && type <= 23) {
    OnNal(payload);
  } else if (type == 24) {  // STAP-A (RFC 6184 §5.7.1)
    std::size_t i = 1;
    while (i + 2 <= payload.size()) {
      const std::size_t size = (std::size_t{payload[i]} << 8) | payload[i + 1];
      i += 2;
      if (size == 0 || i + size > payload.size()) break;
      OnNal(payload.subspan(i, size));
      i += size;
    }
  } else if (type == 28 && payload.size() >= 2) {  // FU-A (§5.8)
    const bool start = payload[1] & 0x80;
    const bool finish = payload[1] & 0x40;
    if (start) {
      fragment_.assign(1, static_cast<std::uint8_t>((payload[0] & 0xe0) | (payload[1] & 0x1f)));
      fragment_ok_ = true;
    }
    if (fragment_ok_) {
      if (fragment_.size() + payload.size() > kMaxNalBytes) {
        fragment_ok_ = false;
        fragment_.clear();
      } else {
        fragment_.insert(fragment_.end(), payload.begin() + 2, payload.end());
      }
    }
    if (finish && fragment_ok_) {
      OnNal(fragment_);
      fragment_.clear();
      fragment_ok_ = false;
    }
  }
  if (marker) FinishAccessUnit();
}

void Client::OnNal(std::span<const std::uint8_t> nal) {
  if (!unit_ || nal.empty()) return;
  std::size_t total = nal.size();
  for (const auto& existing : unit_->nal_units) total += existing.size();
  if (total > kMaxUnitBytes) return;
  if ((nal[0] & 0x1f) == 5) unit_->keyframe = true;
  unit_->nal_units.emplace_back(nal.begin(), nal.end());
}

void Client::FinishAccessUnit() {
  if (!unit_) return;
  if (!unit_->nal_units.empty()) {
    ++stats_.access_units;
    if (unit_->keyframe) ++stats_.keyframes;
    events_.push_back(std::move(*unit_));
  }
  unit_.reset();
  unit_rtp_ts_.reset();
}

void Client::OnRtcp(std::span<const std::uint8_t> packet) {
  // A compound packet; the sender report (PT 200, RFC 3550 §6.4.1) maps RTP to NTP time.
  std::size_t offset = 0;
  while (offset + 4 <= packet.size()) {
    const std::size_t words = (std::size_t{packet[offset + 2]} << 8) | packet[offset + 3];
    const std::size_t length = 4 * (words + 1);
    if ((packet[offset] >> 6) != 2 || offset + length > packet.size()) return;
    if (packet[offset + 1] == 200 && length >= 28) {
      const auto* p = packet.data() + offset;
      const std::uint64_t ntp_seconds = (std::uint64_t{p[8]} << 24) | (std::uint64_t{p[9]} << 16) |
                                        (std::uint64_t{p[10]} << 8) | p[11];
      const std::uint64_t ntp_fraction = (std::uint64_t{p[12]} << 24) |
                                         (std::uint64_t{p[13]} << 16) |
                                         (std::uint64_t{p[14]} << 8) | p[15];
      const std::uint32_t rtp = (std::uint32_t{p[16]} << 24) | (std::uint32_t{p[17]} << 16) |
                                (std::uint32_t{p[18]} << 8) | p[19];
      constexpr std::uint64_t kNtpToUnix = 2208988800ull;  // 1900 → 1970
      if (ntp_seconds > kNtpToUnix) {
        const auto wall = std::chrono::system_clock::time_point(
            std::chrono::seconds(ntp_seconds - kNtpToUnix) +
            std::chrono::microseconds((ntp_fraction * 1000000) >> 32));
        sender_report_ = std::make_pair(rtp, wall);
      }
    }
    offset += length;
  }
}

}  // namespace camguard::rtsp
