// SPDX-License-Identifier: Apache-2.0
#include "engine/camera_session.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace camguard::engine {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {
constexpr auto kTickInterval = std::chrono::milliseconds(250);
constexpr auto kInitialReconnectDelay = std::chrono::seconds(1);
// A session that stayed up this long counts as healthy: the next failure retries quickly again.
constexpr auto kHealthyAfter = std::chrono::seconds(30);

struct HostPort {
  std::string host;
  std::string port;
};

// rtsp://host[:port]/... → host and port (554 by default); IPv6 literals in brackets.
std::optional<HostPort> SplitRtspUrl(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("rtsp://")) {
    rest = url.substr(7);
  } else {
    return std::nullopt;  // rtsps:// needs TLS to the camera, which the engine does not speak yet
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  HostPort out{"", "554"};
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') return std::nullopt;
      out.port = std::string(authority.substr(1));
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) out.port = std::string(authority.substr(colon + 1));
  }
  if (out.host.empty() || out.port.empty() || out.port.size() > 5 ||
      out.port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return out;
}

bool IsParameterSet(media::Codec codec, const std::vector<std::uint8_t>& nal) {
  if (nal.empty()) return false;
  if (codec == media::Codec::kH264) {
    const int type = nal[0] & 0x1f;
    return type == 7 || type == 8;
  }
  const int type = (nal[0] >> 1) & 0x3f;
  return type == 32 || type == 33 || type == 34;
}

base::Result<media::VideoTrackInfo> DescribeTrack(
    media::Codec codec, const std::vector<std::vector<std::uint8_t>>& parameter_sets) {
  const std::vector<std::uint8_t>*vps = nullptr, *sps = nullptr, *pps = nullptr;
  for (const auto& nal : parameter_sets) {
    if (nal.empty()) continue;
    if (codec == media::Codec::kH264) {
      const int type = nal[0] & 0x1f;
      if (type == 7 && !sps) sps = &nal;
      if (type == 8 && !pps) pps = &nal;
    } else {
      const int type = (nal[0] >> 1) & 0x3f;
      if (type == 32 && !vps) vps = &nal;
      if (type == 33 && !sps) sps = &nal;
      if (type == 34 && !pps) pps = &nal;
    }
  }
  if (!sps || !pps || (codec == media::Codec::kH265 && !vps)) {
    return base::Fail(base::ErrorCode::kNotFound, "parameter sets not known yet");
  }
  if (codec == media::Codec::kH264) return media::DescribeH264(*sps, *pps);
  return media::DescribeH265(*vps, *sps, *pps);
}
}  // namespace

CameraSession::CameraSession(asio::io_context& io, SessionSettings settings, Recorder* recorder,
                             LiveHub& live, StatusBoard& status, const base::Clock& clock)
    : io_(io),
      settings_(std::move(settings)),
      recorder_(recorder),
      live_(live),
      status_(status),
      clock_(clock),
      resolver_(io),
      socket_(io),
      tick_timer_(io),
      reconnect_timer_(io) {}

void CameraSession::Start() {
  status_.SetState(settings_.camera_id, cameras::StreamState::kStarting);
  Connect();
}

void CameraSession::Stop() {
  stopped_ = true;
  if (client_ && playing_ && socket_.is_open()) {
    // Best effort: tell the camera we are gone so it frees the session at once.
    client_->Teardown(std::chrono::steady_clock::now());
    boost::system::error_code ignored;
    const std::string bye = client_->TakeOutgoing();
    asio::write(socket_, asio::buffer(bye), ignored);
  }
  CloseConnection();
  reconnect_timer_.cancel();
  if (recorder_) recorder_->CloseCamera(settings_.camera_id);
}

void CameraSession::Connect() {
  if (stopped_) return;
  const auto target = SplitRtspUrl(settings_.url);
  if (!target) {
    Fail("the camera URL is not an rtsp:// URL the engine can reach");
    return;
  }
  const std::uint64_t generation = generation_;
  connected_at_ = std::chrono::steady_clock::now();
  tick_timer_.expires_after(kTickInterval);
  tick_timer_.async_wait([self = shared_from_this(), generation](boost::system::error_code ec) {
    if (!ec && generation == self->generation_) self->Tick();
  });
  resolver_.async_resolve(
      target->host, target->port,
      [self = shared_from_this(), generation](boost::system::error_code ec,
                                              tcp::resolver::results_type results) {
        if (generation != self->generation_ || self->stopped_) return;
        if (ec) return self->Fail(fmt::format("cannot resolve the camera: {}", ec.message()));
        asio::async_connect(
            self->socket_, results,
            [self, generation](boost::system::error_code connect_ec, const tcp::endpoint& peer) {
              if (generation != self->generation_ || self->stopped_) return;
              if (connect_ec)
                return self->Fail(fmt::format("cannot connect: {}", connect_ec.message()));
              self->camera_address_ = peer.address();
              self->OnConnected();
            });
      });
}

void CameraSession::OnConnected() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  rtsp::ClientConfig config;
  config.url = settings_.url;
  config.username = settings_.username;
  config.password = settings_.password;
  config.transport = settings_.udp ? rtsp::Transport::kUdp : rtsp::Transport::kTcpInterleaved;
  client_.emplace(std::move(config));
  if (settings_.udp) {
    // Two sockets on the interface that reaches the camera, on ports the kernel picks. Only
    // datagrams from the camera's address are accepted (anyone could send to these ports).
    const auto local = socket_.local_endpoint(ignored).address();
    for (std::size_t i = 0; i < 2; ++i) {
      udp_[i].emplace(io_);
      boost::system::error_code ec;
      udp_[i]->open(local.is_v6() ? udp::v6() : udp::v4(), ec);
      if (!ec) udp_[i]->bind(udp::endpoint(local, 0), ec);
      if (ec) return Fail(fmt::format("cannot open a UDP port: {}", ec.message()));
    }
    client_->SetUdpPorts(udp_[0]->local_endpoint(ignored).port(),
                         udp_[1]->local_endpoint(ignored).port());
    ReadUdp(0);
    ReadUdp(1);
  }
  const auto now = std::chrono::steady_clock::now();
  client_->Start(now);
  FlushOutgoing();
  ReadMore();
}

void CameraSession::ReadMore() {
  const std::uint64_t generation = generation_;
  socket_.async_read_some(
      asio::buffer(read_buffer_),
      [self = shared_from_this(), generation](boost::system::error_code ec, std::size_t n) {
        if (generation != self->generation_ || self->stopped_) return;
        if (ec) {
          return self->Fail(ec == asio::error::eof ? "the camera closed the connection"
                                                   : fmt::format("read: {}", ec.message()));
        }
        const auto now = std::chrono::steady_clock::now();
        self->client_->OnBytes(std::span<const std::uint8_t>(self->read_buffer_.data(), n), now);
        self->HandleEvents(now);
        if (generation != self->generation_) return;  // failed while handling
        self->FlushOutgoing();
        self->ReadMore();
      });
}

void CameraSession::ReadUdp(std::size_t index) {
  const std::uint64_t generation = generation_;
  auto sender = std::make_shared<udp::endpoint>();
  udp_[index]->async_receive_from(
      asio::buffer(udp_buffer_[index]), *sender,
      [self = shared_from_this(), generation, index, sender](boost::system::error_code ec,
                                                             std::size_t n) {
        if (generation != self->generation_ || self->stopped_) return;
        if (ec) return self->Fail(fmt::format("UDP receive: {}", ec.message()));
        if (sender->address() == self->camera_address_) {
          const auto now = std::chrono::steady_clock::now();
          self->client_->OnUdpPacket(
              static_cast<std::uint8_t>(index),
              std::span<const std::uint8_t>(self->udp_buffer_[index].data(), n), now);
          self->HandleEvents(now);
          if (generation != self->generation_) return;
          self->FlushOutgoing();
        }
        self->ReadUdp(index);
      });
}

void CameraSession::Tick() {
  const auto now = std::chrono::steady_clock::now();
  if (client_) {
    client_->OnTick(now);
    HandleEvents(now);
    if (!client_) return;  // failed
    FlushOutgoing();
    status_.SetLostPackets(settings_.camera_id, client_->stats().lost_packets);
  }
  if (!playing_ && now - connected_at_ > settings_.handshake_timeout) {
    return Fail("the camera did not start streaming in time");
  }
  if (playing_ && now - last_media_at_ > settings_.stall_timeout) {
    return Fail(fmt::format("no video for {} s", settings_.stall_timeout.count()));
  }
  const std::uint64_t generation = generation_;
  tick_timer_.expires_after(kTickInterval);
  tick_timer_.async_wait([self = shared_from_this(), generation](boost::system::error_code ec) {
    if (!ec && generation == self->generation_ && !self->stopped_) self->Tick();
  });
}

void CameraSession::FlushOutgoing() {
  if (!client_) return;
  outgoing_ += client_->TakeOutgoing();
  if (outgoing_.empty() || !writing_.empty() || !socket_.is_open()) return;
  writing_.swap(outgoing_);
  const std::uint64_t generation = generation_;
  asio::async_write(
      socket_, asio::buffer(writing_),
      [self = shared_from_this(), generation](boost::system::error_code ec, std::size_t) {
        if (generation != self->generation_ || self->stopped_) return;
        self->writing_.clear();
        if (ec) return self->Fail(fmt::format("write: {}", ec.message()));
        self->FlushOutgoing();
      });
}

void CameraSession::HandleEvents(SteadyTime now) {
  if (!client_) return;
  const std::uint64_t generation = generation_;
  for (rtsp::Event& event : client_->TakeEvents()) {
    if (generation != generation_) return;
    if (auto* unit = std::get_if<rtsp::AccessUnit>(&event)) {
      OnAccessUnit(*unit, now);
    } else if (auto* playing = std::get_if<rtsp::Playing>(&event)) {
      OnPlaying(*playing);
    } else if (auto* failed = std::get_if<rtsp::Failed>(&event)) {
      return Fail(failed->auth_failed ? "the camera refused the credentials"
                                      : failed->error.message);
    } else if (auto* redirected = std::get_if<rtsp::Redirected>(&event)) {
      // Follow within the same camera only: a redirect must not point the hub elsewhere
      // with the camera's credentials.
      const auto from = SplitRtspUrl(settings_.url);
      const auto to = SplitRtspUrl(redirected->location);
      if (!from || !to || from->host != to->host)
        return Fail("the camera redirected to another host; not followed");
      settings_.url = redirected->location;
      return Fail("redirected by the camera");
    }
  }
}

void CameraSession::OnPlaying(const rtsp::Playing& playing) {
  playing_ = true;
  if (reported_lost_ && settings_.on_back) settings_.on_back(settings_.camera_id, settings_.name);
  reported_lost_ = false;
  last_media_at_ = std::chrono::steady_clock::now();
  stream_ = playing.stream;
  track_.reset();
  fragmenter_.reset();
  have_first_unit_ = false;
  status_.SetState(settings_.camera_id, cameras::StreamState::kOnline);
  if (!stream_->parameter_sets.empty()) StartTrack(stream_->parameter_sets);
}

bool CameraSession::StartTrack(const std::vector<std::vector<std::uint8_t>>& parameter_sets) {
  const media::Codec codec =
      stream_->codec == rtsp::VideoCodec::kH264 ? media::Codec::kH264 : media::Codec::kH265;
  auto track = DescribeTrack(codec, parameter_sets);
  if (!track) return false;
  if (fragmenter_) {
    if (auto last = fragmenter_->Flush()) EmitFragment(std::move(*last));
  }
  track_ = std::move(*track);
  fragmenter_.emplace();
  fragmenter_->SetParameterSets(track_->parameter_sets);
  auto init = std::make_shared<const std::vector<std::uint8_t>>(media::BuildInitSegment(*track_));
  status_.SetTrack(settings_.camera_id, track_->codec_string, track_->width, track_->height);
  if (recorder_) {
    recorder_->StartSegment(settings_.camera_id, init, track_->codec_string, track_->width,
                            track_->height);
  }
  live_.PublishInit(settings_.camera_id, std::move(init));
  return true;
}

void CameraSession::OnAccessUnit(rtsp::AccessUnit& unit, SteadyTime now) {
  last_media_at_ = now;
  std::size_t bytes = 0;
  for (const auto& nal : unit.nal_units) bytes += nal.size();
  status_.CountFrame(settings_.camera_id, bytes, base::ToUnixMillis(clock_.Now()), now);
  if (!stream_) return;
  const media::Codec codec =
      stream_->codec == rtsp::VideoCodec::kH264 ? media::Codec::kH264 : media::Codec::kH265;
  if (!track_) {
    // No parameter sets in the SDP: wait for a keyframe that carries them in-band.
    if (!unit.keyframe) return;
    std::vector<std::vector<std::uint8_t>> in_band;
    for (const auto& nal : unit.nal_units)
      if (IsParameterSet(codec, nal)) in_band.push_back(nal);
    if (!StartTrack(in_band)) return;
  }
  if (!have_first_unit_) {
    if (!unit.keyframe) return;  // a recording starts with a decodable picture
    have_first_unit_ = true;
    first_timestamp_ = unit.timestamp;
    first_wall_time_ = clock_.Now();
  }
  std::vector<std::vector<std::uint8_t>> in_band;  // kept for a parameter change below
  if (unit.keyframe) {
    for (const auto& nal : unit.nal_units)
      if (IsParameterSet(codec, nal)) in_band.push_back(nal);
  }
  if (settings_.tamper != nullptr && unit.keyframe && codec == media::Codec::kH264 &&
      settings_.tamper->Due(settings_.camera_id, now)) {
    // A copy for the tamper watch, with the parameter sets the picture needs (some cameras send
    // them only in the SDP).
    media::AccessUnit copy;
    copy.keyframe = true;
    copy.timestamp = unit.timestamp;
    copy.nal_units = track_->parameter_sets;
    copy.nal_units.insert(copy.nal_units.end(), unit.nal_units.begin(), unit.nal_units.end());
    settings_.tamper->Submit(settings_.camera_id, std::move(copy), clock_.Now());
  }
  media::AccessUnit au;
  au.nal_units = std::move(unit.nal_units);
  au.timestamp = unit.timestamp;
  au.keyframe = unit.keyframe;
  auto pushed = fragmenter_->Push(std::move(au));
  if (!pushed) return Fail(fmt::format("cannot package the video: {}", pushed.error().message));
  if (*pushed) EmitFragment(std::move(**pushed));
  if (fragmenter_->parameters_changed()) {
    // New SPS/PPS in-band (resolution or profile change): a new segment with a new init.
    if (!StartTrack(in_band)) return Fail("the camera changed to parameter sets we cannot read");
  }
}

void CameraSession::EmitFragment(media::Fragmenter::Fragment fragment) {
  const auto start = first_wall_time_ + std::chrono::microseconds(fragment.start_time * 100 / 9);
  recording::FragmentMeta meta;
  meta.start = start;
  meta.duration = std::chrono::microseconds(fragment.duration * 100 / 9);
  meta.starts_with_keyframe = fragment.starts_with_keyframe;
  meta.frames = fragment.sample_count;
  auto bytes = std::make_shared<const std::vector<std::uint8_t>>(std::move(fragment.bytes));
  if (recorder_) recorder_->Append(settings_.camera_id, bytes, meta);
  live_.PublishFragment(settings_.camera_id, std::move(bytes), meta.starts_with_keyframe);
}

void CameraSession::Fail(std::string reason) {
  if (stopped_) return;
  spdlog::warn("camera {}: {}; reconnecting", settings_.camera_id, reason);
  const bool was_healthy =
      playing_ && std::chrono::steady_clock::now() - connected_at_ > kHealthyAfter;
  // A camera that streamed and is now lost (or never comes up after a restart of the hub) is
  // reported once, not on every reconnection attempt.
  if (!reported_lost_ && (playing_ || failures_in_a_row_ >= 2) && settings_.on_lost) {
    settings_.on_lost(settings_.camera_id, settings_.name, reason);
    reported_lost_ = true;
  }
  if (fragmenter_) {
    if (auto last = fragmenter_->Flush()) EmitFragment(std::move(*last));
  }
  if (recorder_) recorder_->CloseCamera(settings_.camera_id);
  CloseConnection();
  failures_in_a_row_ = was_healthy ? 1 : failures_in_a_row_ + 1;
  status_.CountReconnect(settings_.camera_id, reason);
  status_.SetState(settings_.camera_id, cameras::StreamState::kReconnecting);
  ScheduleReconnect();
}

void CameraSession::CloseConnection() {
  ++generation_;
  boost::system::error_code ignored;
  resolver_.cancel();
  socket_.close(ignored);
  for (auto& udp_socket : udp_) {
    if (udp_socket) udp_socket->close(ignored);
    udp_socket.reset();
  }
  tick_timer_.cancel();
  client_.reset();
  writing_.clear();
  outgoing_.clear();
  playing_ = false;
  stream_.reset();
  track_.reset();
  fragmenter_.reset();
  have_first_unit_ = false;
}

void CameraSession::ScheduleReconnect() {
  // 1 s, 2 s, 4 s … up to reconnect_max_delay, each ±20 % so cameras that fell together
  // (a switch reboot) do not come back in lockstep.
  const auto exponent = std::min<std::uint32_t>(failures_in_a_row_ - 1, 16);
  auto delay = std::chrono::duration<double>(kInitialReconnectDelay) * double(1u << exponent);
  delay = std::min(delay, std::chrono::duration<double>(settings_.reconnect_max_delay));
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(delay * jitter(jitter_));
  reconnect_timer_.expires_after(wait);
  reconnect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    self->status_.SetState(self->settings_.camera_id, cameras::StreamState::kStarting);
    self->Connect();
  });
}

}  // namespace camguard::engine
