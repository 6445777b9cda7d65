// SPDX-License-Identifier: Apache-2.0
#include "camsim/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/strings.h"
#include "camsim/rtsp_message.h"
#include "camsim/sdp.h"
#include "crypto/crypto.h"

namespace camguard::camsim {
namespace {

using base::ErrorCode;
using base::Fail;
using Steady = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::string_view kRealm = "camsim";
constexpr std::string_view kPublic = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, GET_PARAMETER, TEARDOWN";
// Frames due within this slack are sent in the same wake-up (fewer wake-ups, batched writes).
constexpr auto kPacingSlack = std::chrono::milliseconds(2);
// After a stall longer than this (suspended process, overloaded machine) pacing restarts from
// now instead of bursting every missed frame.
constexpr auto kMaxLateness = std::chrono::seconds(2);
constexpr std::uint64_t kNtpUnixOffset = 2'208'988'800ULL;  // 1900-01-01 to 1970-01-01

std::string ErrnoText(int err) { return std::strerror(err); }

std::string_view Reason(int code) {
  switch (code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 454: return "Session Not Found";
    case 455: return "Method Not Valid in This State";
    case 459: return "Aggregate Operation Not Allowed";
    case 461: return "Unsupported Transport";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "RTSP Version Not Supported";
    default: return "Error";
  }
}

std::uint32_t RandomU32() {
  const std::string raw = crypto::RandomBytes(4);
  std::uint32_t v = 0;
  for (char c : raw) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

struct Session {
  std::string id;
  std::string stream;  // "main" or "sub"
  const PacketizedClip* clip = nullptr;
  std::uint8_t channel = 0;  // RTP; RTCP on channel + 1
  bool playing = false;
  std::uint64_t frame = 0;        // next frame of the endless looped stream
  std::uint64_t anchor_frame = 0; // frame shown at anchor_time
  Steady::time_point anchor_time;
  std::uint32_t ts_base = 0;
  std::uint16_t seq = 0;
  std::uint32_t ssrc = 0;
  bool skip_to_keyframe = false;
  std::uint32_t packets = 0;
  std::uint32_t octets = 0;
  Steady::time_point next_report;

  Steady::time_point Deadline() const {
    return anchor_time + std::chrono::nanoseconds(clip->FrameTimeNanos(frame) -
                                                  clip->FrameTimeNanos(anchor_frame));
  }
};

struct Connection {
  int fd = -1;
  std::size_t camera = 0;
  RtspParser parser;
  std::string out;
  std::size_t out_pos = 0;
  bool want_write = false;  // EPOLLOUT registered
  bool close_after_write = false;
  std::optional<Session> session;
  Steady::time_point last_seen;

  std::size_t queued() const { return out.size() - out_pos; }
};

struct Camera {
  CameraOptions options;
  int listen_fd = -1;
  std::uint16_t port = 0;
  std::size_t connections = 0;
  std::unique_ptr<RtspAuthenticator> auth;

  std::string BaseUrl() const { return fmt::format("rtsp://{}:{}", options.address, port); }
};

// The stream a request path names: "/main", "/main/", "/main/trackID=0" (SETUP) → "main".
std::optional<std::string> StreamOfPath(const std::string& path, bool allow_track) {
  for (const char* name : {"main", "sub"}) {
    const std::string base = std::string("/") + name;
    if (path == base || path == base + "/") return std::string(name);
    if (allow_track && path == base + "/trackID=0") return std::string(name);
  }
  return std::nullopt;
}

std::string SessionIdOf(std::string_view header) {
  const std::size_t semicolon = header.find(';');
  return std::string(base::Trim(header.substr(0, semicolon)));
}

}  // namespace

struct Simulator::Impl {
  const base::Clock& clock;
  StreamClips clips;
  std::vector<Camera> cameras;
  int epoll_fd = -1;
  std::unordered_map<int, std::size_t> listeners;  // fd → camera index
  std::unordered_map<int, std::unique_ptr<Connection>> connections;
  std::string nonce_key;

  explicit Impl(const base::Clock& c) : clock(c) {}

  ~Impl() {
    for (auto& [fd, conn] : connections) ::close(fd);
    for (Camera& camera : cameras) {
      if (camera.listen_fd >= 0) ::close(camera.listen_fd);
    }
    if (epoll_fd >= 0) ::close(epoll_fd);
  }

  base::Status Listen(Camera& camera) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(camera.options.rtsp_port);
    if (::inet_pton(AF_INET, camera.options.address.c_str(), &addr.sin_addr) != 1) {
      return Fail(ErrorCode::kInvalidArgument, "not an IPv4 address: " + camera.options.address);
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Fail(ErrorCode::kUnavailable, "socket: " + ErrnoText(errno));
    camera.listen_fd = fd;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("bind {}:{}: {}", camera.options.address, camera.options.rtsp_port,
                              ErrnoText(errno)));
    }
    if (::listen(fd, 64) != 0) return Fail(ErrorCode::kUnavailable, "listen: " + ErrnoText(errno));
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    camera.port = ntohs(addr.sin_port);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      return Fail(ErrorCode::kInternal, "epoll_ctl: " + ErrnoText(errno));
    }
    return base::Ok();
  }

  void Accept(std::size_t index) {
    Camera& camera = cameras[index];
    while (true) {
      const int fd = ::accept4(camera.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or a transient error such as EMFILE: retried on next event
      if (camera.connections >= kMaxConnectionsPerCamera) {
        ::close(fd);
        continue;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto conn = std::make_unique<Connection>();
      conn->fd = fd;
      conn->camera = index;
      conn->last_seen = Steady::now();
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ::close(fd);
        continue;
      }
      ++camera.connections;
      connections.emplace(fd, std::move(conn));
    }
  }

  void Close(int fd) {
    auto it = connections.find(fd);
    if (it == connections.end()) return;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    --cameras[it->second->camera].connections;
    connections.erase(it);
  }

  // Sends what is queued; returns false when the connection was closed.
  bool Flush(Connection& conn) {
    while (conn.out_pos < conn.out.size()) {
      const ssize_t n = ::send(conn.fd, conn.out.data() + conn.out_pos, conn.queued(),
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        conn.out_pos += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      Close(conn.fd);
      return false;
    }
    if (conn.out_pos == conn.out.size()) {
      conn.out.clear();
      conn.out_pos = 0;
      if (conn.close_after_write) {
        Close(conn.fd);
        return false;
      }
    } else if (conn.out_pos > conn.out.size() / 2) {
      conn.out.erase(0, conn.out_pos);
      conn.out_pos = 0;
    }
    const bool want = conn.queued() > 0;
    if (want != conn.want_write) {
      epoll_event ev{};
      ev.events = EPOLLIN | (want ? EPOLLOUT : 0U);
      ev.data.fd = conn.fd;
      ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, conn.fd, &ev);
      conn.want_write = want;
    }
    return true;
  }

  void Reply(Connection& conn, int code, int cseq, const std::vector<std::string>& headers,
             std::string_view body = {}, std::string_view content_type = {}) {
    std::string& out = conn.out;
    out += fmt::format("RTSP/1.0 {} {}\r\n", code, Reason(code));
    if (cseq >= 0) out += fmt::format("CSeq: {}\r\n", cseq);
    out += "Server: camsim\r\n";
    for (const std::string& h : headers) {
      out += h;
      out += "\r\n";
    }
    if (!body.empty()) {
      out += fmt::format("Content-Type: {}\r\nContent-Length: {}\r\n", content_type, body.size());
    }
    out += "\r\n";
    out += body;
  }

  std::string SessionHeader(const Session& s) const {
    return fmt::format("Session: {};timeout={}", s.id, kSessionTimeout.count());
  }

  // Handles one request; returns false when the connection was closed.
  void Handle(Connection& conn, const RtspRequest& req) {
    Camera& camera = cameras[conn.camera];
    if (req.cseq < 0) {
      // RFC 2326 §12.17: CSeq is mandatory in every request.
      Reply(conn, 400, -1, {});
      return;
    }
    if (req.method == "OPTIONS") {
      Reply(conn, 200, req.cseq, {fmt::format("Public: {}", kPublic)});
      return;
    }
    const bool known = req.method == "DESCRIBE" || req.method == "SETUP" ||
                       req.method == "PLAY" || req.method == "PAUSE" ||
                       req.method == "GET_PARAMETER" || req.method == "TEARDOWN";
    if (!known) {
      const bool rtsp_method = req.method == "ANNOUNCE" || req.method == "RECORD" ||
                               req.method == "SET_PARAMETER" || req.method == "REDIRECT";
      Reply(conn, rtsp_method ? 405 : 501, req.cseq, {fmt::format("Allow: {}", kPublic)});
      return;
    }
    const auto path = UriPath(req.uri);
    if (!path) {
      Reply(conn, 400, req.cseq, {});
      return;
    }
    const AuthOutcome auth = camera.auth->Check(req.method, req.uri, req.Header("Authorization"));
    if (auth != AuthOutcome::kGranted) {
      std::vector<std::string> headers;
      for (const std::string& challenge : camera.auth->Challenges(auth == AuthOutcome::kStaleNonce)) {
        headers.push_back("WWW-Authenticate: " + challenge);
      }
      Reply(conn, 401, req.cseq, headers);
      return;
    }

    if (req.method == "DESCRIBE") {
      const auto stream = StreamOfPath(*path, false);
      if (!stream) {
        Reply(conn, 404, req.cseq, {});
        return;
      }
      const PacketizedClip& clip = *(*stream == "main" ? clips.main : clips.sub);
      const std::string sdp = BuildSdp(clip, camera.options.address,
                                       fmt::format("{}", RandomU32()), "camsim " + *stream);
      Reply(conn, 200, req.cseq,
            {fmt::format("Content-Base: {}/{}/", camera.BaseUrl(), *stream)}, sdp,
            "application/sdp");
      return;
    }

    // Every other method may name a session; a wrong one is 454 (RFC 2326 §11.3.4).
    const auto session_header = req.Header("Session");
    if (session_header && (!conn.session || SessionIdOf(*session_header) != conn.session->id)) {
      Reply(conn, 454, req.cseq, {});
      return;
    }

    if (req.method == "SETUP") {
      HandleSetup(conn, req, *path);
      return;
    }
    if (req.method == "GET_PARAMETER") {
      // Keep-alive (RFC 2326 §10.8): activity already noted when the bytes arrived.
      std::vector<std::string> headers;
      if (conn.session) headers.push_back(SessionHeader(*conn.session));
      Reply(conn, 200, req.cseq, headers);
      return;
    }
    if (!conn.session || !session_header) {
      Reply(conn, conn.session ? 454 : 455, req.cseq, {});
      return;
    }
    Session& s = *conn.session;
    if (req.method == "PLAY") {
      if (!s.playing) {
        s.playing = true;
        s.anchor_frame = s.frame;
        s.anchor_time = Steady::now();
        s.next_report = s.anchor_time;
      }
      // RFC 2326 §12.33: the first packet's sequence number and timestamp.
      Reply(conn, 200, req.cseq,
            {SessionHeader(s), "Range: npt=0.000-",
             fmt::format("RTP-Info: url={}/{}/trackID=0;seq={};rtptime={}", camera.BaseUrl(),
                         s.stream, s.seq, s.ts_base + s.clip->RtpTicks(s.frame))});
      return;
    }
    if (req.method == "PAUSE") {
      s.playing = false;
      Reply(conn, 200, req.cseq, {SessionHeader(s)});
      return;
    }
    // TEARDOWN: the session ends, the connection may carry a new one.
    Reply(conn, 200, req.cseq, {});
    conn.session.reset();
  }

  void HandleSetup(Connection& conn, const RtspRequest& req, const std::string& path) {
    const auto stream = StreamOfPath(path, true);
    if (!stream) {
      Reply(conn, 404, req.cseq, {});
      return;
    }
    if (conn.session) {
      // One track per session and one session per connection: a second SETUP is refused.
      Reply(conn, 459, req.cseq, {});
      return;
    }
    const auto transport = req.Header("Transport");
    if (!transport) {
      Reply(conn, 461, req.cseq, {});
      return;
    }
    // Transport alternatives are comma separated in order of preference (RFC 2326 §12.39);
    // take the first TCP interleaved one.
    int channel = -1;
    for (std::string_view spec : base::Split(*transport, ',')) {
      spec = base::Trim(spec);
      if (spec.rfind("RTP/AVP/TCP", 0) != 0) continue;
      channel = 0;
      for (std::string_view param : base::Split(spec, ';')) {
        param = base::Trim(param);
        if (param.rfind("interleaved=", 0) != 0) continue;
        const std::string_view range = param.substr(12);
        const std::string_view first = range.substr(0, range.find('-'));
        const bool digits =
            !first.empty() && first.size() <= 3 &&
            std::all_of(first.begin(), first.end(), [](char c) { return c >= '0' && c <= '9'; });
        channel = digits ? std::stoi(std::string(first)) : -1;
        if (channel > 254) channel = -1;  // channel + 1 carries RTCP
      }
      if (channel >= 0) break;
    }
    if (channel < 0) {
      Reply(conn, 461, req.cseq, {});
      return;
    }
    Session s;
    s.id = base::HexEncode(crypto::RandomBytes(8));
    s.stream = *stream;
    s.clip = (*stream == "main" ? clips.main : clips.sub).get();
    s.channel = static_cast<std::uint8_t>(channel);
    s.ts_base = RandomU32();
    s.seq = static_cast<std::uint16_t>(RandomU32());
    s.ssrc = RandomU32();
    conn.session = s;
    Reply(conn, 200, req.cseq,
          {SessionHeader(s),
           fmt::format("Transport: RTP/AVP/TCP;unicast;interleaved={}-{};ssrc={:08X};mode=\"PLAY\"",
                       s.channel, s.channel + 1, s.ssrc)});
  }

  void Read(Connection& conn) {
    char buffer[kReadChunk];
    while (true) {
      const ssize_t n = ::recv(conn.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) {
        conn.parser.Feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        conn.last_seen = Steady::now();
        if (static_cast<std::size_t>(n) < sizeof buffer) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      Close(conn.fd);  // orderly shutdown or error
      return;
    }
    const int fd = conn.fd;
    while (!conn.close_after_write) {
      auto message = conn.parser.Next();
      if (!message) {
        Reply(conn, message.error() == RtspParseError::kVersionNotSupported ? 505 : 400, -1,
              {"Connection: close"});
        conn.close_after_write = true;
        break;
      }
      if (!*message) break;
      if (const auto* request = std::get_if<RtspRequest>(&**message)) Handle(conn, *request);
      // Interleaved frames from the client (RTCP receiver reports) only count as activity.
    }
    if (connections.count(fd) != 0) Flush(conn);
  }

  void AppendSenderReport(Connection& conn, Session& s, Steady::time_point now) {
    // RFC 3550 §6.4.1: NTP wall time with the RTP timestamp of the same instant.
    const auto wall = clock.Now().time_since_epoch();
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(wall);
    const auto frac_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wall - secs).count();
    const std::uint64_t ntp_sec = static_cast<std::uint64_t>(secs.count()) + kNtpUnixOffset;
    const std::uint64_t ntp_frac = (static_cast<std::uint64_t>(frac_ns) << 32) / 1'000'000'000ULL;
    const auto elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - s.anchor_time).count();
    const std::uint32_t rtp = s.ts_base + s.clip->RtpTicks(s.anchor_frame) +
                              static_cast<std::uint32_t>(elapsed_ns * 9 / 100'000);
    std::uint8_t sr[4 + 28];
    sr[0] = '$';
    sr[1] = static_cast<std::uint8_t>(s.channel + 1);
    sr[2] = 0;
    sr[3] = 28;
    std::uint8_t* p = sr + 4;
    p[0] = 0x80;  // V=2, no reception report blocks
    p[1] = 200;   // SR
    p[2] = 0;
    p[3] = 6;     // length in 32-bit words minus one
    auto put32 = [](std::uint8_t* at, std::uint32_t v) {
      for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
    };
    put32(p + 4, s.ssrc);
    put32(p + 8, static_cast<std::uint32_t>(ntp_sec));
    put32(p + 12, static_cast<std::uint32_t>(ntp_frac));
    put32(p + 16, rtp);
    put32(p + 20, s.packets);
    put32(p + 24, s.octets);
    conn.out.append(reinterpret_cast<const char*>(sr), sizeof sr);
  }

  void AppendFrame(Connection& conn, Session& s) {
    const PacketizedClip& clip = *s.clip;
    const PacketizedClip::Frame& frame = clip.frame(s.frame % clip.frame_count());
    const std::uint32_t timestamp = s.ts_base + clip.RtpTicks(s.frame);
    const std::size_t start = conn.out.size();
    conn.out.resize(start + frame.byte_count + frame.payload_count * 16);
    auto* out = reinterpret_cast<std::uint8_t*>(conn.out.data() + start);
    for (std::uint32_t i = 0; i < frame.payload_count; ++i) {
      const PacketizedClip::Payload& payload = clip.payload(frame.first_payload + i);
      const std::size_t rtp_size = 12 + payload.size;
      out[0] = '$';
      out[1] = s.channel;
      out[2] = static_cast<std::uint8_t>(rtp_size >> 8);
      out[3] = static_cast<std::uint8_t>(rtp_size);
      WriteRtpHeader(out + 4, payload.marker, kH264PayloadType, s.seq++, timestamp, s.ssrc);
      std::memcpy(out + 16, clip.bytes().data() + payload.offset, payload.size);
      out += 16 + payload.size;
      ++s.packets;
      s.octets += payload.size;
    }
  }

  // Sends every frame that is due; returns the next deadline of this connection.
  std::optional<Steady::time_point> Pump(Connection& conn, Steady::time_point now) {
    if (!conn.session || !conn.session->playing) return std::nullopt;
    Session& s = *conn.session;
    if (now - s.Deadline() > kMaxLateness) {
      s.anchor_frame = s.frame;
      s.anchor_time = now;
    }
    bool appended = false;
    while (s.Deadline() <= now + kPacingSlack) {
      const bool key = s.clip->frame(s.frame % s.clip->frame_count()).keyframe;
      if (conn.queued() > kMaxQueuedBytes) s.skip_to_keyframe = true;
      if (s.skip_to_keyframe && key && conn.queued() <= kMaxQueuedBytes / 2) {
        s.skip_to_keyframe = false;
      }
      if (!s.skip_to_keyframe) {
        AppendFrame(conn, s);
        appended = true;
      }
      ++s.frame;
    }
    if (now >= s.next_report) {
      AppendSenderReport(conn, s, now);
      s.next_report = now + kSenderReportInterval;
      appended = true;
    }
    const Steady::time_point next = s.Deadline();
    if (appended && !Flush(conn)) return std::nullopt;
    return next;
  }
};

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulator::~Simulator() = default;

base::Result<std::unique_ptr<Simulator>> Simulator::Create(std::vector<CameraOptions> cameras,
                                                           StreamClips clips,
                                                           const base::Clock& clock) {
  if (!clips.main || !clips.sub) return Fail(ErrorCode::kInvalidArgument, "missing clips");
  auto impl = std::make_unique<Impl>(clock);
  impl->clips = std::move(clips);
  impl->nonce_key = crypto::RandomBytes(32);
  impl->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (impl->epoll_fd < 0) return Fail(ErrorCode::kInternal, "epoll_create1: " + ErrnoText(errno));
  impl->cameras.resize(cameras.size());
  for (std::size_t i = 0; i < cameras.size(); ++i) {
    Camera& camera = impl->cameras[i];
    camera.options = std::move(cameras[i]);
    camera.auth = std::make_unique<RtspAuthenticator>(
        std::string(kRealm), camera.options.username, camera.options.password,
        camera.options.auth, clock, impl->nonce_key);
    CAMGUARD_TRY_STATUS(impl->Listen(camera));
    impl->listeners.emplace(camera.listen_fd, i);
  }
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

std::uint16_t Simulator::rtsp_port(std::size_t index) const { return impl_->cameras[index].port; }

base::Status Simulator::Run(int stop_fd) {
  Impl& m = *impl_;
  epoll_event stop_ev{};
  stop_ev.events = EPOLLIN;
  stop_ev.data.fd = stop_fd;
  if (::epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, stop_fd, &stop_ev) != 0) {
    return Fail(ErrorCode::kInternal, "epoll_ctl: " + ErrnoText(errno));
  }
  std::vector<epoll_event> events(256);
  auto next_deadline = Steady::now();
  auto next_housekeeping = Steady::now() + std::chrono::seconds(1);
  std::vector<int> fds;
  while (true) {
    const auto now = Steady::now();
    const auto wake = std::min(next_deadline, next_housekeeping);
    int timeout_ms = 0;
    if (wake > now) {
      timeout_ms = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(wake - now + std::chrono::microseconds(999)).count());
    }
    const int n = ::epoll_wait(m.epoll_fd, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR) return Fail(ErrorCode::kInternal, "epoll_wait: " + ErrnoText(errno));
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      const std::uint32_t what = events[static_cast<std::size_t>(i)].events;
      if (fd == stop_fd) return base::Ok();
      if (auto l = m.listeners.find(fd); l != m.listeners.end()) {
        m.Accept(l->second);
        continue;
      }
      auto it = m.connections.find(fd);
      if (it == m.connections.end()) continue;
      Connection& conn = *it->second;
      if ((what & (EPOLLERR | EPOLLHUP)) != 0 && (what & EPOLLIN) == 0) {
        m.Close(fd);
        continue;
      }
      if ((what & EPOLLOUT) != 0 && !m.Flush(conn)) continue;
      if ((what & EPOLLIN) != 0) m.Read(conn);
    }

    const auto after = Steady::now();
    next_deadline = after + std::chrono::seconds(1);
    fds.clear();
    for (auto& [fd, conn] : m.connections) fds.push_back(fd);
    for (int fd : fds) {
      auto it = m.connections.find(fd);
      if (it == m.connections.end()) continue;
      if (auto deadline = m.Pump(*it->second, after)) next_deadline = std::min(next_deadline, *deadline);
    }
    if (after >= next_housekeeping) {
      // RFC 2326 §12.37: a session (and its connection) ends after kSessionTimeout without any
      // request or RTCP from the client.
      for (int fd : fds) {
        auto it = m.connections.find(fd);
        if (it != m.connections.end() && after - it->second->last_seen > kSessionTimeout) m.Close(fd);
      }
      next_housekeeping = after + std::chrono::seconds(1);
    }
  }
}

}  // namespace camguard::camsim
