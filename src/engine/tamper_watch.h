// SPDX-License-Identifier: Apache-2.0
// Image tamper detection for every camera, with or without ONVIF: now and then (every
// `interval`) a keyframe the engine receives is copied to this watch's own thread, decoded to a
// small grey thumbnail (libavcodec) and fed to the camera's TamperDetector, which reports "view
// moved", "covered" and "defocused". The I/O thread only decides whether a keyframe is due and
// queues a copy; it never waits (at most one keyframe per camera waits here, newer ones replace
// it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "media/fmp4.h"
#include "tamper/detector.h"
#include "tamper/keyframe_decoder.h"

namespace camguard::engine {

class TamperWatch {
 public:
  // Called on the watch's thread; must not block.
  using Listener = std::function<void(std::int64_t camera_id, const tamper::TamperEvent& event)>;

  TamperWatch(std::chrono::milliseconds interval, Listener listener);
  ~TamperWatch();
  TamperWatch(const TamperWatch&) = delete;
  TamperWatch& operator=(const TamperWatch&) = delete;

  void Stop();  // idempotent

  // I/O thread: whether the camera's next keyframe should be looked at (and, if so, notes it).
  bool Due(std::int64_t camera_id, std::chrono::steady_clock::time_point now);
  // I/O thread: a keyframe (with the parameter sets it needs) received at `at`.
  void Submit(std::int64_t camera_id, media::AccessUnit keyframe, base::WallTime at);
  // Any thread: the view changed on purpose (the hub moved the camera): learn it again.
  void Relearn(std::int64_t camera_id);
  void Forget(std::int64_t camera_id);

  struct Stats {
    std::uint64_t decoded = 0;
    std::uint64_t failed = 0;
  };
  Stats stats() const;

 private:
  struct Camera {
    tamper::KeyframeDecoder decoder;
    tamper::TamperDetector detector;
  };
  struct Pending {
    media::AccessUnit keyframe;
    base::WallTime at;
  };
  void Run();

  std::chrono::milliseconds interval_;
  Listener listener_;
  std::map<std::int64_t, std::chrono::steady_clock::time_point> next_due_;  // I/O thread only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::int64_t, Pending> pending_;
  std::set<std::int64_t> relearn_;
  std::set<std::int64_t> forget_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
  std::map<std::int64_t, std::unique_ptr<Camera>> cameras_;  // watch thread only
};

}  // namespace camguard::engine
