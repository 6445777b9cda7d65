// SPDX-License-Identifier: Apache-2.0
// Per-camera status as the engine sees it (state, codec, frame and bit rates, counters, last
// error), written by the I/O thread and read by the API. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "cameras/streaming.h"

namespace camguard::engine {

class StatusBoard {
 public:
  void SetState(std::int64_t camera_id, cameras::StreamState state);
  void SetTrack(std::int64_t camera_id, std::string codec, int width, int height);
  // Counts one frame of `bytes` bytes received at `now_ms` (Unix ms) on a steady instant.
  void CountFrame(std::int64_t camera_id, std::size_t bytes, std::int64_t now_ms,
                  std::chrono::steady_clock::time_point now);
  void SetLostPackets(std::int64_t camera_id, std::uint64_t lost);
  void CountReconnect(std::int64_t camera_id, std::string error);
  void SetError(std::int64_t camera_id, std::string error);
  void Remove(std::int64_t camera_id);

  std::optional<cameras::StreamStatus> Get(std::int64_t camera_id) const;

 private:
  struct Entry {
    cameras::StreamStatus status;
    // Rates over a window of about two seconds.
    std::chrono::steady_clock::time_point window_start{};
    std::uint64_t window_frames = 0;
    std::uint64_t window_bytes = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::int64_t, Entry> entries_;
};

}  // namespace camguard::engine
