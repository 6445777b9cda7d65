// SPDX-License-Identifier: Apache-2.0
#include "engine/status_board.h"

namespace camguard::engine {

namespace {
constexpr std::chrono::milliseconds kRateWindow{2000};
}

void StatusBoard::SetState(std::int64_t camera_id, cameras::StreamState state) {
  std::lock_guard lock(mutex_);
  Entry& entry = entries_[camera_id];
  entry.status.state = state;
  if (state != cameras::StreamState::kOnline) {
    entry.status.frames_per_second = 0;
    entry.status.bits_per_second = 0;
    entry.window_frames = entry.window_bytes = 0;
    entry.window_start = {};
  }
}

void StatusBoard::SetTrack(std::int64_t camera_id, std::string codec, int width, int height) {
  std::lock_guard lock(mutex_);
  auto& status = entries_[camera_id].status;
  status.codec = std::move(codec);
  status.width = width;
  status.height = height;
}

void StatusBoard::CountFrame(std::int64_t camera_id, std::size_t bytes, std::int64_t now_ms,
                             std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  Entry& entry = entries_[camera_id];
  ++entry.status.frames;
  entry.status.last_frame_ms = now_ms;
  if (entry.window_start == std::chrono::steady_clock::time_point{}) entry.window_start = now;
  ++entry.window_frames;
  entry.window_bytes += bytes;
  const auto elapsed = now - entry.window_start;
  if (elapsed >= kRateWindow) {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    entry.status.frames_per_second = static_cast<double>(entry.window_frames) / seconds;
    entry.status.bits_per_second = static_cast<double>(entry.window_bytes) * 8 / seconds;
    entry.window_start = now;
    entry.window_frames = entry.window_bytes = 0;
  }
}

void StatusBoard::SetLostPackets(std::int64_t camera_id, std::uint64_t lost) {
  std::lock_guard lock(mutex_);
  entries_[camera_id].status.lost_packets = lost;
}

void StatusBoard::CountReconnect(std::int64_t camera_id, std::string error) {
  std::lock_guard lock(mutex_);
  auto& status = entries_[camera_id].status;
  ++status.reconnects;
  status.last_error = std::move(error);
}

void StatusBoard::SetError(std::int64_t camera_id, std::string error) {
  std::lock_guard lock(mutex_);
  entries_[camera_id].status.last_error = std::move(error);
}

void StatusBoard::Remove(std::int64_t camera_id) {
  std::lock_guard lock(mutex_);
  entries_.erase(camera_id);
}

std::optional<cameras::StreamStatus> StatusBoard::Get(std::int64_t camera_id) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(camera_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.status;
}

}  // namespace camguard::engine
