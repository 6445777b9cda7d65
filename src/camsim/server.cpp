// SPDX-License-Identifier: Apache-2.0
#include "camsim/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <queue>
#include <random>
#include <unordered_map>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/strings.h"
#include "camsim/control.h"
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
constexpr std::string_view kPublic =
    "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, GET_PARAMETER, TEARDOWN";
// Frames due within this slack are sent in the same wake-up (fewer wake-ups, batched writes).
constexpr auto kPacingSlack = std::chrono::milliseconds(2);
// After a stall longer than this (suspended process, overloaded machine) pacing restarts from
// now instead of bursting every missed frame.
constexpr auto kMaxLateness = std::chrono::seconds(2);
// Each camera's encoder has its own frame clock, shared by all of its clients as on a real
// camera. The clocks of up to kCamerasPerFramePhase cameras tick together, so their frames go out
// in one wake-up instead of one per stream and frame; beyond that, cameras are spread over up to
// kMaxFramePhases phases kFramePhaseStep apart, so a recorder of many cameras does not get all
// their frames at the same instant.
constexpr std::size_t kCamerasPerFramePhase = 32;
constexpr std::size_t kMaxFramePhases = 4;
constexpr auto kFramePhaseStep = std::chrono::milliseconds(10);
constexpr std::uint64_t kNtpUnixOffset = 2'208'988'800ULL;  // 1900-01-01 to 1970-01-01
// sendmmsg takes at most UIO_MAXIOV (1024) messages per call.
constexpr std::size_t kMaxUdpBatch = 1024;
// Room for a burst of a keyframe to every client of a camera; the kernel caps it at wmem_max.
constexpr int kUdpSendBuffer = 4 * 1024 * 1024;
constexpr int kUdpPortAttempts = 64;
// UDP segmentation offload: every full RTP packet is this long, so a run of them can be handed
// to the kernel in one piece and cut there. 45 segments stay under the 64 KiB datagram limit.
constexpr std::size_t kUdpSegmentSize = kRtpHeaderSize + kMaxRtpPayload;
constexpr std::size_t kMaxGsoSegments = 45;

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
  RtpTransport transport;
  sockaddr_in rtp_destination{};  // UDP: the client's own address and its ports
  sockaddr_in rtcp_destination{};
  bool playing = false;
  std::uint64_t frame = 0;         // next frame of the endless looped stream
  std::uint64_t anchor_frame = 0;  // frame shown at anchor_time
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

enum class ConnectionKind { kRtsp, kHttp, kControl };

struct Connection {
  int fd = -1;
  ConnectionKind kind = ConnectionKind::kRtsp;
  std::size_t camera = 0;
  std::string peer;            // client IPv4 address (the ONVIF lockout counts per source)
  sockaddr_in peer_address{};  // the same, where UDP streams may go (and nowhere else)
  RtspParser parser;
  std::string line;  // control interface: the partial command line
  std::string out;
  std::size_t out_pos = 0;
  bool want_write = false;  // EPOLLOUT registered
  bool close_after_write = false;
  std::optional<Session> session;
  Steady::time_point last_seen;
  std::uint64_t serial = 0;                     // tells a reused fd's connections apart
  std::optional<Steady::time_point> scheduled;  // when the session's next frame is due

  std::size_t queued() const { return out.size() - out_pos; }
};

struct Camera {
  CameraOptions options;
  int listen_fd = -1;
  int http_listen_fd = -1;
  int rtp_fd = -1;   // UDP, bound to the camera's address: every UDP session's RTP
  int rtcp_fd = -1;  // and RTCP (sender reports out, receiver reports in)
  std::uint16_t port = 0;
  std::uint16_t rtp_port = 0;
  std::chrono::nanoseconds frame_phase{0};  // of the camera's frame clock, see kMaxFramePhases
  // The simulated network between camera and client (control commands udp-loss, udp-reorder):
  // the share of UDP RTP packets dropped, and of adjacent ones swapped, in percent.
  double udp_loss = 0;
  double udp_reorder = 0;
  bool udp_gso = false;  // the RTP socket segments runs of full-size packets (UDP_SEGMENT)
  std::size_t connections = 0;
  std::unique_ptr<RtspAuthenticator> auth;       // RTSP
  std::unique_ptr<RtspAuthenticator> http_auth;  // HTTP Digest (ONVIF fallback, snapshot)
  std::unique_ptr<CameraState> state;
  std::unique_ptr<OnvifService> onvif;

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

std::string_view HttpReason(int code) {
  switch (code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string SessionIdOf(std::string_view header) {
  const std::size_t semicolon = header.find(';');
  return std::string(base::Trim(header.substr(0, semicolon)));
}

}  // namespace

struct Listener {
  ConnectionKind kind = ConnectionKind::kRtsp;
  std::size_t camera = 0;
};

// A playing session's next frame time. The loop pumps only the sessions that are due, so a
// wake-up costs O(due · log N), not O(N).
struct Wakeup {
  Steady::time_point at;
  int fd = -1;
  std::uint64_t serial = 0;
  bool operator>(const Wakeup& other) const { return at > other.at; }
};

// One RTP packet of a UDP send batch: its header, and its payload inside the clip.
struct UdpPacket {
  std::uint8_t header[kRtpHeaderSize];
  const char* payload = nullptr;
  std::uint32_t size = 0;
};

struct Simulator::Impl {
  const base::Clock& clock;
  std::map<std::string, StreamClips> views;
  Snapshots snapshots;
  std::function<void(const std::string&)> on_event;
  std::vector<Camera> cameras;
  int epoll_fd = -1;
  int control_fd = -1;
  std::uint16_t control_port = 0;
  std::unordered_map<int, Listener> listeners;
  std::unordered_map<int, std::size_t> udp_sockets;  // RTP and RTCP sockets → camera
  std::unordered_map<int, std::unique_ptr<Connection>> connections;
  std::uint64_t next_serial = 1;
  Steady::time_point epoch = Steady::now();  // the cameras' frame clocks start here
  std::priority_queue<Wakeup, std::vector<Wakeup>, std::greater<Wakeup>> schedule;
  std::string nonce_key;
  std::minstd_rand network_dice{RandomU32()};  // udp-loss and udp-reorder decisions
  // Scratch space of one UDP send batch, kept to avoid allocating per frame.
  std::vector<UdpPacket> udp_packets;
  std::vector<iovec> udp_iov;
  std::vector<mmsghdr> udp_messages;
  std::vector<std::size_t> udp_packets_in_message;

  explicit Impl(const base::Clock& c) : clock(c) {}

  ~Impl() {
    for (auto& [fd, conn] : connections) ::close(fd);
    for (Camera& camera : cameras) {
      for (int fd : {camera.listen_fd, camera.http_listen_fd, camera.rtp_fd, camera.rtcp_fd}) {
        if (fd >= 0) ::close(fd);
      }
    }
    if (control_fd >= 0) ::close(control_fd);
    if (epoll_fd >= 0) ::close(epoll_fd);
  }

  // Binds a listening socket; `fd` receives it (closed by the destructor), the bound port is
  // returned.
  base::Result<std::uint16_t> Listen(const std::string& address, std::uint16_t port, int& fd) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
      return Fail(ErrorCode::kInvalidArgument, "not an IPv4 address: " + address);
    }
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Fail(ErrorCode::kUnavailable, "socket: " + ErrnoText(errno));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("bind {}:{}: {}", address, port, ErrnoText(errno)));
    }
    if (::listen(fd, 64) != 0) return Fail(ErrorCode::kUnavailable, "listen: " + ErrnoText(errno));
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      return Fail(ErrorCode::kInternal, "epoll_ctl: " + ErrnoText(errno));
    }
    return static_cast<std::uint16_t>(ntohs(addr.sin_port));
  }

  // Binds the camera's UDP socket pair: RTP on an even port, RTCP on the next one (RFC 3550
  // §11); `port` 0 picks any free pair. Returns the RTP port.
  base::Result<std::uint16_t> BindUdpPair(const std::string& address, std::uint16_t port,
                                          int& rtp_fd, int& rtcp_fd) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
      return Fail(ErrorCode::kInvalidArgument, "not an IPv4 address: " + address);
    }
    auto open_bound = [&](std::uint16_t at) {
      const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return -1;
      addr.sin_port = htons(at);
      if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        ::close(fd);
        errno = err;
        return -1;
      }
      ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kUdpSendBuffer, sizeof kUdpSendBuffer);
      return fd;
    };
    int last_error = 0;
    for (int attempt = 0; attempt < kUdpPortAttempts; ++attempt) {
      rtp_fd = open_bound(port);
      if (rtp_fd < 0) {
        last_error = errno;
        break;
      }
      sockaddr_in bound{};
      socklen_t len = sizeof bound;
      ::getsockname(rtp_fd, reinterpret_cast<sockaddr*>(&bound), &len);
      const std::uint16_t rtp_port = ntohs(bound.sin_port);
      if (rtp_port % 2 == 0 && rtp_port < 65535) {
        rtcp_fd = open_bound(static_cast<std::uint16_t>(rtp_port + 1));
        if (rtcp_fd >= 0) {
          for (int fd : {rtp_fd, rtcp_fd}) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.fd = fd;
            if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
              return Fail(ErrorCode::kInternal, "epoll_ctl: " + ErrnoText(errno));
            }
          }
          return rtp_port;
        }
        last_error = errno;
      }
      ::close(rtp_fd);
      rtp_fd = -1;
      if (port != 0) break;  // a fixed pair that is taken: no other choice
    }
    return Fail(ErrorCode::kUnavailable,
                fmt::format("bind UDP {}:{} and the next port: {}", address,
                            port == 0 ? std::string("(any)") : std::to_string(port),
                            last_error == 0 ? "no free even/odd pair" : ErrnoText(last_error)));
  }

  void Accept(int listen_fd, const Listener& listener) {
    while (true) {
      sockaddr_in peer{};
      socklen_t peer_len = sizeof peer;
      const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &peer_len,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or a transient error such as EMFILE: retried on next event
      Camera& camera = cameras[listener.camera];
      if (camera.connections >= kMaxConnectionsPerCamera) {
        ::close(fd);
        continue;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto conn = std::make_unique<Connection>();
      conn->fd = fd;
      conn->kind = listener.kind;
      conn->camera = listener.camera;
      if (listener.kind == ConnectionKind::kHttp) conn->parser = RtspParser(MessageDialect::kHttp);
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
      conn->peer = text;
      conn->peer_address = peer;
      conn->last_seen = Steady::now();
      conn->serial = next_serial++;
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

  // The clip a stream shows now (the camera's view follows its PTZ head, cover and forced view).
  const PacketizedClip& ClipFor(Camera& camera, const std::string& stream, Steady::time_point now) {
    auto it = views.find(camera.state->View(now));
    if (it == views.end()) it = views.find("home");
    return *(stream == "main" ? it->second.main : it->second.sub);
  }

  // The session's next frame goes out at the first tick of the camera's frame clock from `now`.
  void AnchorToFrameClock(const Camera& camera, Session& s, Steady::time_point now) const {
    const Steady::time_point clock_start = epoch + camera.frame_phase;
    const double since_ns =
        now <= clock_start
            ? 0.0
            : static_cast<double>(
                  std::chrono::duration_cast<std::chrono::nanoseconds>(now - clock_start).count());
    const double frame_ns = 1e9 * s.clip->fps_den() / s.clip->fps_num();
    const auto tick = static_cast<std::uint64_t>(std::ceil(since_ns / frame_ns));
    s.anchor_frame = s.frame;
    s.anchor_time = clock_start + std::chrono::nanoseconds(s.clip->FrameTimeNanos(tick));
  }

  // Asks for the connection to be pumped at `at` (an earlier request stands).
  void Schedule(Connection& conn, Steady::time_point at) {
    if (conn.scheduled && *conn.scheduled <= at) return;
    conn.scheduled = at;
    schedule.push(Wakeup{at, conn.fd, conn.serial});
  }

  // Pumps every session whose frame is due by `now` plus the pacing slack; returns when the next
  // one is due.
  std::optional<Steady::time_point> PumpDue(Steady::time_point now) {
    while (!schedule.empty() && schedule.top().at <= now + kPacingSlack) {
      const Wakeup wakeup = schedule.top();
      schedule.pop();
      auto it = connections.find(wakeup.fd);
      if (it == connections.end()) continue;  // closed since
      Connection& conn = *it->second;
      if (conn.serial != wakeup.serial || conn.scheduled != wakeup.at) continue;  // stale
      conn.scheduled.reset();
      if (auto next = Pump(conn, now)) Schedule(conn, *next);
    }
    if (schedule.empty()) return std::nullopt;
    return schedule.top().at;
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
    const bool known = req.method == "DESCRIBE" || req.method == "SETUP" || req.method == "PLAY" ||
                       req.method == "PAUSE" || req.method == "GET_PARAMETER" ||
                       req.method == "TEARDOWN";
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
    const AuthOutcome auth =
        camera.state->weaknesses.open_rtsp
            ? AuthOutcome::kGranted
            : camera.auth->Check(req.method, req.uri, req.Header("Authorization"));
    if (auth != AuthOutcome::kGranted) {
      std::vector<std::string> headers;
      for (const std::string& challenge :
           camera.auth->Challenges(auth == AuthOutcome::kStaleNonce)) {
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
      const PacketizedClip& clip = ClipFor(camera, *stream, Steady::now());
      const std::string sdp = BuildSdp(clip, camera.options.address, fmt::format("{}", RandomU32()),
                                       "camsim " + *stream);
      Reply(conn, 200, req.cseq, {fmt::format("Content-Base: {}/{}/", camera.BaseUrl(), *stream)},
            sdp, "application/sdp");
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
        AnchorToFrameClock(camera, s, Steady::now());
        s.next_report = s.anchor_time;
        Schedule(conn, s.anchor_time);
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
    const auto choice = ChooseTransport(*transport, conn.peer);
    if (!choice) {
      Reply(conn, 461, req.cseq, {});
      return;
    }
    Camera& camera = cameras[conn.camera];
    Session s;
    s.id = base::HexEncode(crypto::RandomBytes(8));
    s.stream = *stream;
    s.clip = &ClipFor(camera, *stream, Steady::now());
    s.transport = *choice;
    s.ts_base = RandomU32();
    s.seq = static_cast<std::uint16_t>(RandomU32());
    s.ssrc = RandomU32();
    std::string reply_transport;
    if (s.transport.kind == RtpTransport::Kind::kUdp) {
      // Only ever the RTSP client's own address (never a destination= it named).
      s.rtp_destination = conn.peer_address;
      s.rtp_destination.sin_port = htons(s.transport.client_rtp_port);
      s.rtcp_destination = conn.peer_address;
      s.rtcp_destination.sin_port = htons(s.transport.client_rtcp_port);
      reply_transport = fmt::format(
          "Transport: RTP/AVP;unicast;client_port={}-{};server_port={}-{};source={};ssrc={:08X};"
          "mode=\"PLAY\"",
          s.transport.client_rtp_port, s.transport.client_rtcp_port, camera.rtp_port,
          camera.rtp_port + 1, camera.options.address, s.ssrc);
    } else {
      reply_transport =
          fmt::format("Transport: RTP/AVP/TCP;unicast;interleaved={}-{};ssrc={:08X};mode=\"PLAY\"",
                      s.transport.channel, s.transport.channel + 1, s.ssrc);
    }
    conn.session = s;
    Reply(conn, 200, req.cseq, {SessionHeader(s), reply_transport});
  }

  void Read(Connection& conn) {
    char buffer[kReadChunk];
    while (true) {
      const ssize_t n = ::recv(conn.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) {
        if (conn.kind == ConnectionKind::kControl) {
          conn.line.append(buffer, static_cast<std::size_t>(n));
        } else {
          conn.parser.Feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        }
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
    if (conn.kind == ConnectionKind::kControl) {
      HandleControlInput(conn);
      if (connections.count(fd) != 0) Flush(conn);
      return;
    }
    if (conn.kind == ConnectionKind::kHttp) {
      HandleHttpInput(conn);
      if (connections.count(fd) != 0) Flush(conn);
      return;
    }
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

  void HandleHttpInput(Connection& conn) {
    Camera& camera = cameras[conn.camera];
    while (!conn.close_after_write) {
      auto message = conn.parser.Next();
      if (!message) {
        const int status = message.error() == RtspParseError::kVersionNotSupported ? 505 : 400;
        conn.out +=
            fmt::format("HTTP/1.1 {} {}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", status,
                        status == 505 ? "HTTP Version Not Supported" : "Bad Request");
        conn.close_after_write = true;
        break;
      }
      if (!*message) break;
      const auto* request = std::get_if<RtspRequest>(&**message);
      if (request == nullptr) continue;
      const HttpReply reply = camera.onvif->Handle(*request, conn.peer, Steady::now());
      const auto connection = request->Header("Connection");
      const bool close =
          request->version == "HTTP/1.0" || (connection && base::ToLower(*connection) == "close");
      conn.out += fmt::format("HTTP/1.1 {} {}\r\nServer: camsim\r\n", reply.status,
                              HttpReason(reply.status));
      for (const std::string& header : reply.headers) conn.out += header + "\r\n";
      if (!reply.content_type.empty()) conn.out += "Content-Type: " + reply.content_type + "\r\n";
      conn.out += fmt::format("Content-Length: {}\r\n", reply.body.size());
      if (close) conn.out += "Connection: close\r\n";
      conn.out += "\r\n";
      conn.out += reply.body;
      if (close) conn.close_after_write = true;
    }
  }

  void Emit(const std::string& json) {
    if (on_event) on_event(json);
  }

  std::string StatusJson(Camera& camera, Steady::time_point now) {
    CameraState& state = *camera.state;
    const PtzStatus ptz = state.ptz.Status(now);
    std::string accounts;
    for (const CameraAccount& account : state.accounts) {
      if (!accounts.empty()) accounts += ",";
      accounts += JsonQuote(account.name);
    }
    std::string dns;
    for (const std::string& server : state.dns_servers)
      dns += (dns.empty() ? "" : ",") + JsonQuote(server);
    std::string ntp;
    for (const std::string& server : state.ntp_servers)
      ntp += (ntp.empty() ? "" : ",") + JsonQuote(server);
    return fmt::format(
        "{{\"camera\":{},\"pan\":{:.6g},\"tilt\":{:.6g},\"zoom\":{:.6g},\"moving\":{},"
        "\"view\":{},\"covered\":{},\"stalled\":{},\"accounts\":[{}],\"dns\":[{}],"
        "\"ntp\":[{}],\"firmware\":{},\"udp_loss\":{:.6g},\"udp_reorder\":{:.6g}}}",
        state.number, ptz.position.pan, ptz.position.tilt, ptz.position.zoom,
        ptz.pan_tilt_moving || ptz.zoom_moving, JsonQuote(state.View(now)), state.covered,
        state.stalled, accounts, dns, ntp, JsonQuote(state.firmware), camera.udp_loss,
        camera.udp_reorder);
  }

  // Applies one control command; returns the reply line (without the newline).
  std::string ApplyControl(const ControlCommand& command) {
    if (command.verb == ControlVerb::kHelp) return std::string("ok ") + kControlHelp;
    const auto now = Steady::now();
    Camera& camera = cameras[static_cast<std::size_t>(command.camera - 1)];
    CameraState& state = *camera.state;
    std::string event;
    switch (command.verb) {
      case ControlVerb::kHelp:
      case ControlVerb::kStatus: break;
      case ControlVerb::kPtzAbsolute:
        state.ptz.AbsoluteMove(now, command.vector);
        event = "ptz";
        break;
      case ControlVerb::kPtzRelative:
        state.ptz.RelativeMove(now, command.vector);
        event = "ptz";
        break;
      case ControlVerb::kPtzContinuous: {
        std::optional<std::chrono::milliseconds> timeout;
        if (command.seconds) {
          timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*command.seconds * 1000));
        }
        state.ptz.ContinuousMove(now, command.vector, timeout);
        event = "ptz";
        break;
      }
      case ControlVerb::kPtzStop:
        state.ptz.Stop(now, true, true);
        event = "ptz";
        break;
      case ControlVerb::kPtzTeleport:
        state.ptz.Teleport(now, command.vector);
        event = "ptz";
        break;
      case ControlVerb::kAddUser:
        if (state.FindAccount(command.name) != nullptr) return "error account exists";
        if (state.accounts.size() >= kMaxAccounts) return "error too many accounts";
        state.accounts.push_back({command.name, command.password, command.level});
        event = "account-added";
        break;
      case ControlVerb::kRemoveUser: {
        const auto before = state.accounts.size();
        std::erase_if(state.accounts,
                      [&](const CameraAccount& a) { return a.name == command.name; });
        if (state.accounts.size() == before) return "error no such account";
        event = "account-removed";
        break;
      }
      case ControlVerb::kSetDns:
        state.dns_servers = command.values;
        state.dns_from_dhcp = false;
        event = "dns";
        break;
      case ControlVerb::kSetNtp:
        state.ntp_servers = command.values;
        state.ntp_from_dhcp = false;
        event = "ntp";
        break;
      case ControlVerb::kSetFirmware:
        state.firmware = command.name;
        event = "firmware";
        break;
      case ControlVerb::kCover:
        state.covered = command.on;
        event = command.on ? "cover" : "uncover";
        break;
      case ControlVerb::kView:
        if (command.name == "auto") {
          state.forced_view.reset();
        } else {
          state.forced_view = command.name;
        }
        event = "view";
        break;
      case ControlVerb::kStall:
        state.stalled = command.on;
        event = command.on ? "stall" : "unstall";
        break;
      case ControlVerb::kCut: {
        std::vector<int> doomed;
        for (const auto& [fd, conn] : connections) {
          if (conn->kind == ConnectionKind::kRtsp &&
              conn->camera == static_cast<std::size_t>(command.camera - 1)) {
            doomed.push_back(fd);
          }
        }
        for (int fd : doomed) Close(fd);
        event = "cut";
        break;
      }
      case ControlVerb::kUdpLoss:
        camera.udp_loss = command.percent;
        event = "udp-loss";
        break;
      case ControlVerb::kUdpReorder:
        camera.udp_reorder = command.percent;
        event = "udp-reorder";
        break;
    }
    const std::string status = StatusJson(camera, now);
    if (!event.empty()) {
      // Printed with the wall-clock instant, so a test can measure how fast the hub noticed.
      Emit(fmt::format("{{\"event\":{},\"at\":{},\"state\":{}}}", JsonQuote(event),
                       JsonQuote(base::FormatRfc3339(clock.Now())), status));
    }
    return "ok " + status;
  }

  void HandleControlInput(Connection& conn) {
    while (!conn.close_after_write) {
      const std::size_t newline = conn.line.find('\n');
      if (newline == std::string::npos) {
        if (conn.line.size() > kMaxControlLine) {
          conn.out += "error line too long\n";
          conn.close_after_write = true;
        }
        return;
      }
      std::string line = conn.line.substr(0, newline);
      conn.line.erase(0, newline + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto command = ParseControlCommand(line, static_cast<int>(cameras.size()));
      conn.out += (command ? ApplyControl(*command) : "error " + command.error().message) + "\n";
    }
  }

  SenderReport MakeSenderReport(const Session& s, Steady::time_point now) const {
    // RFC 3550 §6.4.1: NTP wall time with the RTP timestamp of the same instant.
    const auto wall = clock.Now().time_since_epoch();
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(wall);
    const auto frac_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wall - secs).count();
    const auto elapsed_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - s.anchor_time).count();
    SenderReport report;
    report.ssrc = s.ssrc;
    report.ntp_seconds = static_cast<std::uint64_t>(secs.count()) + kNtpUnixOffset;
    report.ntp_fraction =
        static_cast<std::uint32_t>((static_cast<std::uint64_t>(frac_ns) << 32) / 1'000'000'000ULL);
    report.rtp_timestamp = s.ts_base + s.clip->RtpTicks(s.anchor_frame) +
                           static_cast<std::uint32_t>(elapsed_ns * 9 / 100'000);
    report.packets = s.packets;
    report.octets = s.octets;
    return report;
  }

  void SendSenderReport(Connection& conn, Session& s, Steady::time_point now) {
    std::uint8_t packet[4 + kSenderReportSize];
    WriteSenderReport(packet + 4, MakeSenderReport(s, now));
    if (s.transport.kind == RtpTransport::Kind::kUdp) {
      // Best effort, as every UDP datagram: a full buffer loses this report, not the session.
      ::sendto(cameras[conn.camera].rtcp_fd, packet + 4, kSenderReportSize, MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(&s.rtcp_destination), sizeof s.rtcp_destination);
      return;
    }
    packet[0] = '$';
    packet[1] = static_cast<std::uint8_t>(s.transport.channel + 1);
    packet[2] = 0;
    packet[3] = kSenderReportSize;
    conn.out.append(reinterpret_cast<const char*>(packet), sizeof packet);
  }

  // Appends the frame's RTP packets to the connection's output, each framed for its
  // interleaved channel (RFC 2326 §10.12). Appended piece by piece: growing the buffer first
  // would zero-fill every byte before it is overwritten.
  void AppendFrame(Connection& conn, Session& s) {
    const PacketizedClip& clip = *s.clip;
    const PacketizedClip::Frame& frame = clip.frame(s.frame % clip.frame_count());
    const std::uint32_t timestamp = s.ts_base + clip.RtpTicks(s.frame);
    conn.out.reserve(conn.out.size() + frame.byte_count +
                     frame.payload_count * (4 + kRtpHeaderSize));
    for (std::uint32_t i = 0; i < frame.payload_count; ++i) {
      const PacketizedClip::Payload& payload = clip.payload(frame.first_payload + i);
      const std::size_t rtp_size = kRtpHeaderSize + payload.size;
      std::uint8_t prefix[4 + kRtpHeaderSize];
      prefix[0] = '$';
      prefix[1] = s.transport.channel;
      prefix[2] = static_cast<std::uint8_t>(rtp_size >> 8);
      prefix[3] = static_cast<std::uint8_t>(rtp_size);
      WriteRtpHeader(prefix + 4, payload.marker, kVideoPayloadType, s.seq++, timestamp, s.ssrc);
      conn.out.append(reinterpret_cast<const char*>(prefix), sizeof prefix);
      conn.out.append(clip.bytes(), payload.offset, payload.size);
      ++s.packets;
      s.octets += payload.size;
    }
  }

  // Adds the frame's RTP packets to the UDP send batch: headers written here, payloads
  // referenced in place in the clip (no copy).
  void QueueUdpFrame(Session& s) {
    const PacketizedClip& clip = *s.clip;
    const PacketizedClip::Frame& frame = clip.frame(s.frame % clip.frame_count());
    const std::uint32_t timestamp = s.ts_base + clip.RtpTicks(s.frame);
    for (std::uint32_t i = 0; i < frame.payload_count; ++i) {
      const PacketizedClip::Payload& payload = clip.payload(frame.first_payload + i);
      UdpPacket& packet = udp_packets.emplace_back();
      WriteRtpHeader(packet.header, payload.marker, kVideoPayloadType, s.seq++, timestamp, s.ssrc);
      packet.payload = clip.bytes().data() + payload.offset;
      packet.size = payload.size;
      ++s.packets;
      s.octets += payload.size;
    }
  }

  bool Chance(double percent) {
    return std::uniform_real_distribution<double>(0.0, 100.0)(network_dice) < percent;
  }

  // Sends the UDP batch to the session's client with as few system calls as possible
  // (sendmmsg, up to kMaxUdpBatch datagrams each). The simulated network acts first: lost
  // packets are not sent (their sequence numbers stay used, so the client sees the gap), and
  // reordered ones trade places with their successor.
  void SendUdpBatch(Camera& camera, Session& s) {
    if (camera.udp_loss > 0) {
      std::erase_if(udp_packets, [&](const UdpPacket&) { return Chance(camera.udp_loss); });
    }
    if (camera.udp_reorder > 0) {
      for (std::size_t i = 0; i + 1 < udp_packets.size(); ++i) {
        if (Chance(camera.udp_reorder)) {
          std::swap(udp_packets[i], udp_packets[i + 1]);
          ++i;  // a packet moves by one place at most
        }
      }
    }
    std::size_t sent = 0;
    while (sent < udp_packets.size()) {
      const std::size_t messages = BuildUdpMessages(camera.udp_gso, s, sent);
      std::size_t done = 0;
      while (done < messages) {
        const auto batch = static_cast<unsigned>(std::min(messages - done, kMaxUdpBatch));
        const int n = ::sendmmsg(camera.rtp_fd, &udp_messages[done], batch, MSG_DONTWAIT);
        if (n > 0) {
          done += static_cast<std::size_t>(n);
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        break;
      }
      for (std::size_t i = 0; i < done; ++i) sent += udp_packets_in_message[i];
      if (done == messages) break;
      if (camera.udp_gso && (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP)) {
        // The path cannot segment: send the rest, and everything later, one datagram each.
        camera.udp_gso = false;
        const int off = 0;
        ::setsockopt(camera.rtp_fd, IPPROTO_UDP, UDP_SEGMENT, &off, sizeof off);
        continue;
      }
      break;  // a full buffer (or an unreachable client) loses the rest, as a network would
    }
    udp_packets.clear();
  }

  // Fills udp_messages from udp_packets[first..]; returns the message count. With segmentation
  // offload (UDP_SEGMENT, set on the socket to kUdpSegmentSize), a run of full-size packets and
  // the one after it go as one message that the kernel splits into datagrams at the packet
  // boundaries: one trip through the UDP/IP stack for a whole fragmented NAL unit.
  std::size_t BuildUdpMessages(bool gso, Session& s, std::size_t first) {
    const std::size_t count = udp_packets.size() - first;
    udp_iov.resize(2 * count);
    udp_messages.resize(count);
    udp_packets_in_message.resize(count);
    std::size_t messages = 0;
    std::size_t i = 0;
    while (i < count) {
      const std::size_t begin = i;
      do {
        const UdpPacket& packet = udp_packets[first + i];
        udp_iov[2 * i] = iovec{const_cast<std::uint8_t*>(packet.header), kRtpHeaderSize};
        // sendmmsg only reads the payload; iovec has no const variant.
        udp_iov[2 * i + 1] = iovec{const_cast<char*>(packet.payload), packet.size};
        ++i;
        // A run continues only behind a full-size packet: the kernel cuts every
        // kUdpSegmentSize bytes.
      } while (gso && i < count && i - begin < kMaxGsoSegments &&
               kRtpHeaderSize + udp_packets[first + i - 1].size == kUdpSegmentSize &&
               kRtpHeaderSize + udp_packets[first + i].size <= kUdpSegmentSize);
      msghdr& header = udp_messages[messages].msg_hdr;
      header = msghdr{};
      header.msg_name = &s.rtp_destination;
      header.msg_namelen = sizeof s.rtp_destination;
      header.msg_iov = &udp_iov[2 * begin];
      header.msg_iovlen = 2 * (i - begin);
      udp_messages[messages].msg_len = 0;
      udp_packets_in_message[messages] = i - begin;
      ++messages;
    }
    return messages;
  }

  // Sends every frame that is due; returns the next deadline of this connection.
  std::optional<Steady::time_point> Pump(Connection& conn, Steady::time_point now) {
    if (!conn.session || !conn.session->playing) return std::nullopt;
    Session& s = *conn.session;
    if (now - s.Deadline() > kMaxLateness) AnchorToFrameClock(cameras[conn.camera], s, now);
    const bool udp = s.transport.kind == RtpTransport::Kind::kUdp;
    bool appended = false;
    Camera& camera = cameras[conn.camera];
    while (s.Deadline() <= now + kPacingSlack) {
      const bool key = s.clip->frame(s.frame % s.clip->frame_count()).keyframe;
      // A new picture (the head moved, the lens was covered) starts at a keyframe, as an
      // encoder's would; the clips share frame count and rate, so timing continues unchanged.
      if (key) s.clip = &ClipFor(camera, s.stream, now);
      if (camera.state->stalled) s.skip_to_keyframe = true;  // a hung encoder sends nothing
      // A TCP client this far behind loses frames up to the next keyframe (UDP never queues).
      if (conn.queued() > kMaxQueuedBytes) s.skip_to_keyframe = true;
      if (s.skip_to_keyframe && key && conn.queued() <= kMaxQueuedBytes / 2 &&
          !camera.state->stalled) {
        s.skip_to_keyframe = false;
      }
      if (!s.skip_to_keyframe) {
        if (udp) {
          QueueUdpFrame(s);
        } else {
          AppendFrame(conn, s);
          appended = true;
        }
      }
      ++s.frame;
    }
    if (udp && !udp_packets.empty()) SendUdpBatch(camera, s);
    if (now >= s.next_report) {
      SendSenderReport(conn, s, now);
      s.next_report = now + kSenderReportInterval;
      appended = appended || !udp;
    }
    const Steady::time_point next = s.Deadline();
    if (appended && !Flush(conn)) return std::nullopt;
    return next;
  }

  // Datagrams to a camera's UDP sockets: receiver reports (RFC 3550 §6.4.2) on RTCP keep the
  // sender's session alive as RTSP requests do (RFC 2326 §12.37); anything else (such as the
  // packets clients send to open a NAT binding) is read and dropped.
  void ReadUdp(int fd, std::size_t camera_index) {
    char buffer[2048];
    while (true) {
      sockaddr_in source{};
      socklen_t source_len = sizeof source;
      const ssize_t n = ::recvfrom(fd, buffer, sizeof buffer, MSG_DONTWAIT,
                                   reinterpret_cast<sockaddr*>(&source), &source_len);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;  // EAGAIN, or an ICMP error report: nothing to do
      }
      if (fd != cameras[camera_index].rtcp_fd) continue;
      const auto now = Steady::now();
      for (auto& [conn_fd, conn] : connections) {
        if (conn->camera != camera_index || !conn->session) continue;
        const Session& s = *conn->session;
        if (s.transport.kind == RtpTransport::Kind::kUdp &&
            s.rtcp_destination.sin_addr.s_addr == source.sin_addr.s_addr &&
            (source.sin_port == s.rtcp_destination.sin_port ||
             source.sin_port == s.rtp_destination.sin_port)) {
          conn->last_seen = now;
        }
      }
    }
  }
};

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulator::~Simulator() = default;

base::Result<std::unique_ptr<Simulator>> Simulator::Create(SimulatorOptions options,
                                                           const base::Clock& clock) {
  auto home = options.views.find("home");
  if (home == options.views.end() || !home->second.main || !home->second.sub) {
    return Fail(ErrorCode::kInvalidArgument, "missing the home clips");
  }
  for (const auto& [name, clips] : options.views) {
    if (!clips.main || !clips.sub)
      return Fail(ErrorCode::kInvalidArgument, "missing clips: " + name);
    for (const auto& [clip, reference] : {std::pair{clips.main.get(), home->second.main.get()},
                                          std::pair{clips.sub.get(), home->second.sub.get()}}) {
      if (clip->frame_count() != reference->frame_count() ||
          clip->FrameTimeNanos(1) != reference->FrameTimeNanos(1) ||
          clip->codec() != reference->codec()) {
        return Fail(
            ErrorCode::kInvalidArgument,
            "view " + name + ": clips must match the home clips in frame count, rate and codec");
      }
    }
  }
  // Read before the clips move into the simulator.
  const std::string main_encoding =
      home->second.main->codec() == VideoCodec::kH265 ? "H265" : "H264";
  auto impl = std::make_unique<Impl>(clock);
  impl->views = std::move(options.views);
  impl->snapshots = std::move(options.snapshots);
  impl->on_event = std::move(options.on_event);
  impl->nonce_key = crypto::RandomBytes(32);
  impl->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (impl->epoll_fd < 0) return Fail(ErrorCode::kInternal, "epoll_create1: " + ErrnoText(errno));
  impl->cameras.resize(options.cameras.size());
  for (std::size_t i = 0; i < options.cameras.size(); ++i) {
    Camera& camera = impl->cameras[i];
    camera.options = std::move(options.cameras[i]);
    const std::size_t phases = std::clamp<std::size_t>(
        (options.cameras.size() + kCamerasPerFramePhase - 1) / kCamerasPerFramePhase, 1,
        kMaxFramePhases);
    camera.frame_phase = kFramePhaseStep * static_cast<int>(i % phases);
    auto state = std::make_unique<CameraState>();
    state->number = static_cast<int>(i + 1);
    state->address = camera.options.address;
    state->weaknesses = camera.options.weaknesses;
    state->profile_text = camera.options.profile_text;
    state->ptz = PtzModel(camera.options.ptz_speed);
    state->accounts.push_back(
        {camera.options.username, camera.options.password.Reveal(), UserLevel::kAdministrator});
    state->hostname = fmt::format("camsim-{}", i + 1);
    state->main_encoding = main_encoding;
    state->serial = fmt::format("CS{:08d}", i + 1);
    state->mac =
        fmt::format("02:00:7f:{:02x}:{:02x}:{:02x}", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    if (camera.options.initial_view != "auto") state->forced_view = camera.options.initial_view;
    camera.state = std::move(state);
    CameraState* raw = camera.state.get();
    auto lookup = [raw](std::string_view user) { return raw->PasswordOf(user); };
    camera.auth = std::make_unique<RtspAuthenticator>(std::string(kRealm), lookup,
                                                      camera.options.auth, clock, impl->nonce_key);
    camera.http_auth = std::make_unique<RtspAuthenticator>(
        std::string(kRealm), lookup,
        camera.options.weaknesses.plain_http_basic ? AuthSchemes::kDigestAndBasic
                                                   : AuthSchemes::kDigest,
        clock, impl->nonce_key);
    camera.onvif =
        std::make_unique<OnvifService>(*camera.state, *camera.http_auth, clock, impl->snapshots);
    CAMGUARD_TRY(camera.port,
                 impl->Listen(camera.options.address, camera.options.rtsp_port, camera.listen_fd));
    CAMGUARD_TRY(
        camera.state->http_port,
        impl->Listen(camera.options.address, camera.options.http_port, camera.http_listen_fd));
    camera.state->rtsp_port = camera.port;
    CAMGUARD_TRY(camera.rtp_port, impl->BindUdpPair(camera.options.address, camera.options.rtp_port,
                                                    camera.rtp_fd, camera.rtcp_fd));
    const int segment = static_cast<int>(kUdpSegmentSize);
    camera.udp_gso =
        ::setsockopt(camera.rtp_fd, IPPROTO_UDP, UDP_SEGMENT, &segment, sizeof segment) == 0;
    impl->udp_sockets.emplace(camera.rtp_fd, i);
    impl->udp_sockets.emplace(camera.rtcp_fd, i);
    impl->listeners.emplace(camera.listen_fd, Listener{ConnectionKind::kRtsp, i});
    impl->listeners.emplace(camera.http_listen_fd, Listener{ConnectionKind::kHttp, i});
  }
  if (options.control_port) {
    CAMGUARD_TRY(impl->control_port,
                 impl->Listen(options.control_address, *options.control_port, impl->control_fd));
    impl->listeners.emplace(impl->control_fd, Listener{ConnectionKind::kControl, 0});
  }
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

std::uint16_t Simulator::rtsp_port(std::size_t index) const { return impl_->cameras[index].port; }
std::uint16_t Simulator::http_port(std::size_t index) const {
  return impl_->cameras[index].state->http_port;
}
std::uint16_t Simulator::rtp_port(std::size_t index) const {
  return impl_->cameras[index].rtp_port;
}
std::uint16_t Simulator::control_port() const { return impl_->control_port; }
const CameraState& Simulator::camera(std::size_t index) const {
  return *impl_->cameras[index].state;
}

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
      timeout_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        wake - now + std::chrono::microseconds(999))
                                        .count());
    }
    const int n =
        ::epoll_wait(m.epoll_fd, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR)
      return Fail(ErrorCode::kInternal, "epoll_wait: " + ErrnoText(errno));
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      const std::uint32_t what = events[static_cast<std::size_t>(i)].events;
      if (fd == stop_fd) return base::Ok();
      if (auto l = m.listeners.find(fd); l != m.listeners.end()) {
        m.Accept(fd, l->second);
        continue;
      }
      if (auto u = m.udp_sockets.find(fd); u != m.udp_sockets.end()) {
        m.ReadUdp(fd, u->second);
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
    next_deadline = m.PumpDue(after).value_or(after + std::chrono::seconds(1));
    if (after >= next_housekeeping) {
      // RFC 2326 §12.37: a session (and its connection) ends after kSessionTimeout without any
      // request or RTCP from the client.
      fds.clear();
      for (auto& [fd, conn] : m.connections) fds.push_back(fd);
      for (int fd : fds) {
        auto it = m.connections.find(fd);
        if (it != m.connections.end() && after - it->second->last_seen > kSessionTimeout)
          m.Close(fd);
      }
      next_housekeeping = after + std::chrono::seconds(1);
    }
  }
}

}  // namespace camguard::camsim
