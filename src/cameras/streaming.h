// SPDX-License-Identifier: Apache-2.0
// What the API needs from the streaming engine, without depending on it: the engine implements
// this interface and the daemon hands it to the API. Thread-safe: called from the API's loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace camguard::cameras {

enum class StreamState {
  kStarting,      // connecting / negotiating
  kOnline,        // media flowing
  kReconnecting,  // lost; waiting for the next attempt
  kDisabled,      // recording and live view switched off for this camera
};
std::string_view ToString(StreamState state);

struct StreamStatus {
  StreamState state = StreamState::kStarting;
  std::string codec;  // MSE codec string, e.g. "avc1.640028"; empty until known
  int width = 0, height = 0;
  double frames_per_second = 0;  // measured over the last few seconds
  double bits_per_second = 0;
  std::uint64_t frames = 0;  // since the hub started
  std::uint64_t lost_packets = 0;
  std::uint32_t reconnects = 0;
  bool recording = false;                     // fragments are being written
  std::int64_t recording_lag_ms = 0;          // arrival to durable write, last fragment
  std::uint64_t fragments_dropped = 0;        // video lost on the way to disk
  std::optional<std::int64_t> last_frame_ms;  // wall clock (Unix ms) of the last frame
  std::string last_error;                     // never contains credentials
};

// One piece of a camera's live fMP4 stream: the init segment (a decoder restart follows) or a
// fragment (moof+mdat) of about a second.
struct LiveChunk {
  std::shared_ptr<const std::vector<std::uint8_t>> bytes;
  bool is_init = false;
  bool keyframe = false;       // the fragment starts with a keyframe
  std::uint64_t sequence = 0;  // per camera; a gap means chunks were skipped
};
// Called on the streaming engine's thread; must only queue (never block).
using LiveSink = std::function<void(const LiveChunk&)>;

class StreamingControl {
 public:
  virtual ~StreamingControl() = default;
  // A camera was added or changed in the store: (re)start its streams with the stored settings.
  virtual void CameraChanged(std::int64_t camera_id) = 0;
  virtual void CameraRemoved(std::int64_t camera_id) = 0;
  virtual std::optional<StreamStatus> Status(std::int64_t camera_id) const = 0;
  // Live fan-out: the sink first gets the latest init segment and the fragments since the last
  // keyframe (so a picture appears at once), then every new chunk. Returns the subscription id.
  virtual std::uint64_t SubscribeLive(std::int64_t camera_id, LiveSink sink) = 0;
  virtual void UnsubscribeLive(std::int64_t camera_id, std::uint64_t subscription) = 0;
};

}  // namespace camguard::cameras
