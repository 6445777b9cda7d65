// SPDX-License-Identifier: Apache-2.0
// One camera stream: a TCP connection driven by the pure rtsp::Client, the media::Fragmenter
// turning access units into fMP4, and the hand-off of init segments and fragments to the
// recorder and the live hub. Supervision lives here too: a handshake or stall timeout, a lost
// connection or garbage from the camera closes the connection and a reconnect follows with
// exponential backoff and jitter. Internal to the engine (includes Asio); runs on the engine's
// I/O thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/clock.h"
#include "base/redacted.h"
#include "engine/live_hub.h"
#include "engine/recorder.h"
#include "engine/status_board.h"
#include "engine/tamper_watch.h"
#include "media/fmp4.h"
#include "rtsp/client.h"

namespace camguard::engine {

struct SessionSettings {
  std::int64_t camera_id = 0;
  std::string name;
  std::string url;  // rtsp://host[:port]/path, without credentials
  std::string username;
  base::Redacted<std::string> password;
  bool udp = false;
  bool record = true;
  std::chrono::seconds stall_timeout{10};
  std::chrono::seconds handshake_timeout{15};
  std::chrono::seconds reconnect_max_delay{30};
  std::function<void(std::int64_t, const std::string&, const std::string&)> on_lost;
  std::function<void(std::int64_t, const std::string&)> on_back;
  TamperWatch* tamper = nullptr;  // keyframes now and then for image tamper detection
};

class CameraSession : public std::enable_shared_from_this<CameraSession> {
 public:
  CameraSession(boost::asio::io_context& io, SessionSettings settings, Recorder* recorder,
                LiveHub& live, StatusBoard& status, const base::Clock& clock);
  void Start();
  void Stop();  // closes the connection (TEARDOWN first when playing) and cancels the timers

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  void Connect();
  void OnConnected();
  void ReadMore();
  void ReadUdp(std::size_t index);
  void Tick();
  void FlushOutgoing();
  void HandleEvents(SteadyTime now);
  void OnPlaying(const rtsp::Playing& playing);
  void OnAccessUnit(rtsp::AccessUnit& unit, SteadyTime now);
  bool StartTrack(const std::vector<std::vector<std::uint8_t>>& parameter_sets);
  void EmitFragment(media::Fragmenter::Fragment fragment);
  void Fail(std::string reason);
  void CloseConnection();
  void ScheduleReconnect();

  boost::asio::io_context& io_;
  SessionSettings settings_;
  Recorder* recorder_;  // null when recording is off for this camera
  LiveHub& live_;
  StatusBoard& status_;
  const base::Clock& clock_;

  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  std::optional<boost::asio::ip::udp::socket> udp_[2];  // RTP, RTCP
  boost::asio::ip::address camera_address_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer reconnect_timer_;
  std::uint64_t generation_ = 0;  // bumped on every close; stale callbacks compare and leave
  bool stopped_ = false;

  std::optional<rtsp::Client> client_;
  std::array<std::uint8_t, 64 * 1024> read_buffer_{};
  std::array<std::uint8_t, 2048> udp_buffer_[2]{};
  std::string writing_;   // bytes handed to async_write
  std::string outgoing_;  // bytes queued while a write is in flight
  SteadyTime connected_at_{};
  SteadyTime last_media_at_{};
  bool playing_ = false;

  std::optional<rtsp::VideoStream> stream_;
  std::optional<media::VideoTrackInfo> track_;
  std::optional<media::Fragmenter> fragmenter_;
  std::int64_t first_timestamp_ = 0;
  base::WallTime first_wall_time_{};
  bool have_first_unit_ = false;

  std::uint32_t failures_in_a_row_ = 0;
  bool reported_lost_ = false;  // on_lost was called and on_back not yet
  std::mt19937 jitter_{std::random_device{}()};
};

}  // namespace camguard::engine
