// SPDX-License-Identifier: Apache-2.0
// The simulator's I/O: one RTSP 1.0 server (RFC 2326) and one HTTP server (ONVIF, snapshot) per
// simulated camera, each camera on its own loopback address, plus the test control interface,
// all served by one epoll loop on the calling thread. Streams are the pre-packetized clips, paced
// in real time and sent either over TCP interleaved channels (RFC 2326 §10.12) or as unicast UDP
// datagrams (RFC 2326 §12.39) from the camera's own RTP/RTCP socket pair, in batches (sendmmsg),
// with RTCP sender reports (RFC 3550 §6.4.1) every kSenderReportInterval.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/redacted.h"
#include "base/result.h"
#include "camsim/auth.h"
#include "camsim/camera.h"
#include "camsim/onvif_service.h"
#include "camsim/rtp.h"

namespace camguard::camsim {

inline constexpr std::chrono::seconds kSessionTimeout{60};  // announced as Session timeout
inline constexpr std::chrono::seconds kSenderReportInterval{5};
inline constexpr std::size_t kMaxConnectionsPerCamera = 32;
// A client this far behind (bytes queued in user space) loses frames up to the next keyframe,
// as a camera with a full send buffer does.
inline constexpr std::size_t kMaxQueuedBytes = 2 * 1024 * 1024;

struct CameraOptions {
  std::string address;          // IPv4, e.g. "127.77.0.1"
  std::uint16_t rtsp_port = 0;  // 0: any free port
  std::uint16_t http_port = 0;  // ONVIF, snapshot, web admin; 0: any free port
  // UDP server ports: RTP on rtp_port, RTCP on rtp_port + 1; 0: any free even/odd pair.
  std::uint16_t rtp_port = 0;
  std::string username;
  base::Redacted<std::string> password;
  AuthSchemes auth = AuthSchemes::kDigest;
  std::string profile_text = "hardened";
  Weaknesses weaknesses;
  std::string initial_view = "auto";  // "auto": the picture follows the PTZ head; else fixed
  double ptz_speed = 0.5;             // pan/tilt units per second
};

struct StreamClips {
  std::shared_ptr<const PacketizedClip> main;  // served at /main (H.264 or H.265)
  std::shared_ptr<const PacketizedClip> sub;   // served at /sub
};

struct SimulatorOptions {
  std::vector<CameraOptions> cameras;
  // Clips by view ("home", "left", "right", "down", "covered"); "home" is required. Every view
  // must have the same frame count and rate, so a switch at a keyframe keeps timestamps going,
  // and the same codec per stream, so a switch never changes what the SDP announced.
  std::map<std::string, StreamClips> views;
  Snapshots snapshots;  // JPEG per view
  std::string control_address = "127.0.0.1";
  std::optional<std::uint16_t> control_port;  // no control interface when unset
  // Receives one JSON line per injected event (control commands), for the tests' clocks.
  std::function<void(const std::string&)> on_event;
};

class Simulator {
 public:
  // Binds every camera's listening sockets (fails if one cannot be bound).
  static base::Result<std::unique_ptr<Simulator>> Create(SimulatorOptions options,
                                                         const base::Clock& clock);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // The bound RTSP port of camera `index` (0-based).
  std::uint16_t rtsp_port(std::size_t index) const;
  std::uint16_t http_port(std::size_t index) const;
  std::uint16_t rtp_port(std::size_t index) const;  // RTCP on the next port
  std::uint16_t control_port() const;               // 0 without a control interface
  const CameraState& camera(std::size_t index) const;

  // Serves until `stop_fd` becomes readable (a signalfd or an eventfd), then closes everything.
  base::Status Run(int stop_fd);

  struct Impl;

 private:
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace camguard::camsim
