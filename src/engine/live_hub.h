// SPDX-License-Identifier: Apache-2.0
// Live fan-out: per camera, subscribers receive the init segment and then every fragment as the
// engine produces it. A new subscriber first gets the init segment and the fragments since the
// last keyframe, so its first picture appears at once. Delivery never blocks the media path:
// a sink must only queue (the WebSocket layer drops a slow viewer to the next keyframe).
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "cameras/streaming.h"

namespace camguard::engine {

using cameras::LiveChunk;
using cameras::LiveSink;

class LiveHub {
 public:
  // Returns a subscription id for Unsubscribe; the sink is called (under no lock of the caller)
  // with the cached init + GOP right away, then with every new chunk.
  std::uint64_t Subscribe(std::int64_t camera_id, LiveSink sink);
  void Unsubscribe(std::int64_t camera_id, std::uint64_t subscription);
  std::size_t SubscriberCount(std::int64_t camera_id) const;

  // Producer side (the engine's I/O thread).
  void PublishInit(std::int64_t camera_id, std::shared_ptr<const std::vector<std::uint8_t>> init);
  void PublishFragment(std::int64_t camera_id,
                       std::shared_ptr<const std::vector<std::uint8_t>> fragment, bool keyframe);
  void Forget(std::int64_t camera_id);  // camera removed: subscribers are dropped

 private:
  struct Channel {
    std::shared_ptr<const std::vector<std::uint8_t>> init;
    std::vector<LiveChunk> gop;  // fragments since (and including) the last keyframe fragment
    std::uint64_t next_sequence = 0;
    std::map<std::uint64_t, std::shared_ptr<LiveSink>> sinks;
  };
  void Deliver(std::int64_t camera_id, const LiveChunk& chunk);

  mutable std::mutex mutex_;
  std::map<std::int64_t, Channel> channels_;
  std::uint64_t next_subscription_ = 1;
};

}  // namespace camguard::engine
