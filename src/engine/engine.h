// SPDX-License-Identifier: Apache-2.0
// The streaming engine: one RTSP session per camera (our own client, rtsp::Client), fMP4
// packaging (media::Fragmenter), crash-safe recording (recording::SegmentWriter through the
// Recorder's writer threads) and live fan-out (LiveHub). It implements
// cameras::StreamingControl, so the API tells it about camera changes and reads its status.
//
// Threads: one I/O thread runs every camera's sockets and timers; the Recorder's writer and
// index threads do the blocking file and SQLite work. This header includes no Boost header.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "cameras/streaming.h"
#include "crypto/crypto.h"
#include "engine/live_hub.h"
#include "tamper/detector.h"

namespace camguard::engine {

struct EngineOptions {
  std::filesystem::path database;         // the hub's SQLite file; the engine opens its own
  std::filesystem::path recordings_root;  // DATA_DIR/recordings by default
  const crypto::SecretKey* secrets_key = nullptr;           // opens camera credentials (required)
  std::shared_ptr<const crypto::SecretKey> recordings_key;  // null: recordings not encrypted
  std::chrono::seconds segment_length{60};
  std::uint64_t disk_budget_bytes = 0;
  int min_free_percent = 5;
  std::chrono::seconds stall_timeout{10};
  std::chrono::seconds reconnect_max_delay{30};
  std::size_t writer_threads = 2;
  // Told (on the engine's thread; must not block) when a camera that was streaming is lost, and
  // when it streams again.
  std::function<void(std::int64_t camera_id, const std::string& name, const std::string& reason)>
      on_camera_lost;
  std::function<void(std::int64_t camera_id, const std::string& name)> on_camera_back;
  // Told (on a writer thread; must not block) when recording loses video (see RecorderOptions).
  std::function<void(std::int64_t camera_id, const std::string& problem, bool disk_full)>
      on_recording_problem;
  // Image tamper detection: a keyframe of each camera every `tamper_interval` (0: off); events
  // are told on the tamper thread (must not block).
  std::chrono::milliseconds tamper_interval{2000};
  std::function<void(std::int64_t camera_id, const std::string& name,
                     const tamper::TamperEvent& event)>
      on_tamper;
};

class Engine final : public cameras::StreamingControl {
 public:
  static base::Result<std::unique_ptr<Engine>> Create(EngineOptions options,
                                                      const base::Clock& clock);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Repairs recordings after a crash, starts the threads and every registered camera.
  base::Status Start();
  void Stop();  // TEARDOWN to every camera, closes every segment; idempotent

  void CameraChanged(std::int64_t camera_id) override;
  void CameraRemoved(std::int64_t camera_id) override;
  // The camera's view changed on purpose (the hub moved it): tamper detection learns it again.
  void RelearnView(std::int64_t camera_id);
  std::optional<cameras::StreamStatus> Status(std::int64_t camera_id) const override;
  std::uint64_t SubscribeLive(std::int64_t camera_id, cameras::LiveSink sink) override;
  void UnsubscribeLive(std::int64_t camera_id, std::uint64_t subscription) override;

  LiveHub& live();

  class Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace camguard::engine
