// SPDX-License-Identifier: Apache-2.0
// Our RTSP 1.0 client (RFC 2326) as a pure state machine: the engine feeds it the bytes it reads
// and the time, and writes what TakeOutgoing() returns; TakeEvents() reports the stream being
// played, access units, failures and redirects. OPTIONS → DESCRIBE (SDP, RFC 4566) → SETUP (RTP
// over the RTSP connection, interleaved channels 0-1, or UDP) → PLAY, then keepalives
// (GET_PARAMETER when the camera offers it, else OPTIONS). Basic and Digest authentication (RFC
// 7616: MD5 and SHA-256, qop=auth). H.264 payloads (RFC 6184: single NAL, STAP-A, FU-A) are
// reassembled into access units with 32-bit timestamp wraps unwrapped; RTCP sender reports map
// RTP time to wall-clock time. No I/O, no clock reads: tests script a camera byte by byte.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/redacted.h"
#include "base/result.h"

namespace camguard::rtsp {

using TimePoint = std::chrono::steady_clock::time_point;

enum class Transport { kTcpInterleaved, kUdp };

struct ClientConfig {
  std::string url;  // rtsp://host[:port]/path, credentials never in the URL
  std::string username;
  base::Redacted<std::string> password;
  Transport transport = Transport::kTcpInterleaved;
  std::string user_agent = "camguard";
  std::chrono::seconds response_timeout{10};
};

enum class VideoCodec { kH264, kH265 };

struct VideoStream {
  VideoCodec codec = VideoCodec::kH264;
  std::uint8_t payload_type = 96;
  std::uint32_t clock_rate = 90000;
  std::string control_url;
  std::vector<std::vector<std::uint8_t>> parameter_sets;  // from sprop-parameter-sets
};

struct AccessUnit {
  std::vector<std::vector<std::uint8_t>> nal_units;  // no start codes
  std::int64_t timestamp = 0;                        // 90 kHz, unwrapped
  bool keyframe = false;
  bool after_loss = false;  // packets were lost before this access unit
  std::optional<std::chrono::system_clock::time_point> wall_clock;  // once an RTCP SR was seen
};

struct Playing {
  VideoStream stream;
  std::chrono::seconds session_timeout{60};
};
struct Failed {
  base::Error error;  // never contains the password
  bool auth_failed = false;
};
struct Redirected {
  std::string location;
};
using Event = std::variant<Playing, AccessUnit, Failed, Redirected>;

struct ClientStats {
  std::uint64_t packets = 0, bytes = 0, lost_packets = 0, access_units = 0, keyframes = 0;
};

// The SDP of a DESCRIBE answer: the first H.264 (or H.265) video stream. `base_url` resolves a
// relative a=control (RFC 2326 §C.1.1).
base::Result<VideoStream> ParseSdp(std::string_view sdp, std::string_view base_url);

class Client {
 public:
  explicit Client(ClientConfig config);

  void SetUdpPorts(std::uint16_t rtp_port, std::uint16_t rtcp_port);
  void Start(TimePoint now);
  void OnBytes(std::span<const std::uint8_t> bytes, TimePoint now);
  void OnUdpPacket(std::uint8_t channel, std::span<const std::uint8_t> packet, TimePoint now);
  void OnTick(TimePoint now);
  void Teardown(TimePoint now);

  std::string TakeOutgoing();
  std::vector<Event> TakeEvents();
  const ClientStats& stats() const { return stats_; }
  bool playing() const { return state_ == State::kPlaying; }

 private:
  enum class State { kIdle, kOptions, kDescribe, kSetup, kPlay, kPlaying, kDone };
  struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
  };

  void Send(std::string_view method, const std::string& uri,
            std::vector<std::pair<std::string, std::string>> headers, TimePoint now);
  void Resend(TimePoint now);  // the last request again, with credentials
  void OnResponse(const Response& response, TimePoint now);
  // Handles the first message in `in`; returns the bytes it used (0: more bytes are needed).
  std::size_t ParseOneMessage(std::string_view in, TimePoint now);
  void OnRtp(std::span<const std::uint8_t> packet, TimePoint now);
  // UDP only: puts RTP packets back in sequence order before OnRtp (RFC 3550 §A.1 allows
  // reordering on the way). A packet ahead of the next expected one waits up to
  // kReorderDelay, or until kReorderPackets are waiting; then the missing ones count as lost.
  void OnUdpRtp(std::span<const std::uint8_t> packet, TimePoint now);
  void DeliverHeld(TimePoint now, bool force);
  void OnRtcp(std::span<const std::uint8_t> packet);
  void OnNal(std::span<const std::uint8_t> nal);
  void FinishAccessUnit();
  void Fail(std::string message, bool auth_failed = false);
  std::string Authorization(std::string_view method, const std::string& uri);

  ClientConfig config_;
  State state_ = State::kIdle;
  std::string out_;
  std::vector<Event> events_;
  std::string in_;
  ClientStats stats_;
  int cseq_ = 0;
  // The request in flight (to resend it with credentials after a 401).
  std::string last_method_, last_uri_;
  std::vector<std::pair<std::string, std::string>> last_headers_;
  TimePoint sent_at_{};
  bool awaiting_ = false;
  bool retried_auth_ = false;
  // Authentication offered by the camera.
  std::string auth_scheme_;  // "digest" | "basic" | ""
  std::string realm_, nonce_, opaque_, algorithm_;
  bool qop_auth_ = false;
  std::uint32_t nonce_count_ = 0;

  bool get_parameter_ = false;
  std::string session_;
  std::chrono::seconds session_timeout_{60};
  TimePoint last_keepalive_{};
  std::string content_base_;
  VideoStream stream_;
  std::uint16_t udp_rtp_port_ = 0, udp_rtcp_port_ = 0;

  // RTP state.
  std::optional<std::uint32_t> ssrc_;
  std::optional<std::uint16_t> last_sequence_;
  struct HeldPacket {
    std::uint16_t sequence = 0;
    TimePoint arrived;
    std::vector<std::uint8_t> bytes;
  };
  std::deque<HeldPacket> held_;  // ahead of next_udp_sequence_, in order
  std::optional<std::uint16_t> next_udp_sequence_;
  std::optional<std::uint32_t> last_rtp_ts_;
  std::int64_t wraps_ = 0;
  bool loss_ = false;
  std::vector<std::uint8_t> fragment_;  // FU-A reassembly
  bool fragment_ok_ = false;
  std::optional<AccessUnit> unit_;
  std::optional<std::uint32_t> unit_rtp_ts_;
  // RTCP sender report: RTP time ↔ wall clock.
  std::optional<std::pair<std::uint32_t, std::chrono::system_clock::time_point>> sender_report_;
};

}  // namespace camguard::rtsp
