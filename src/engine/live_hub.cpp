// SPDX-License-Identifier: Apache-2.0
#include "engine/live_hub.h"

namespace camguard::engine {

namespace {
// A GOP longer than this many fragments is not cached whole (a camera with a 60 s GOP would
// otherwise make every new viewer download a minute of video before the live edge).
constexpr std::size_t kMaxCachedFragments = 10;
}  // namespace

std::uint64_t LiveHub::Subscribe(std::int64_t camera_id, LiveSink sink) {
  auto shared = std::make_shared<LiveSink>(std::move(sink));
  std::vector<LiveChunk> backlog;
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    Channel& channel = channels_[camera_id];
    id = next_subscription_++;
    channel.sinks.emplace(id, shared);
    if (channel.init) {
      backlog.push_back(LiveChunk{channel.init, true, false, 0});
      backlog.insert(backlog.end(), channel.gop.begin(), channel.gop.end());
    }
  }
  for (const LiveChunk& chunk : backlog) (*shared)(chunk);
  return id;
}

void LiveHub::Unsubscribe(std::int64_t camera_id, std::uint64_t subscription) {
  std::lock_guard lock(mutex_);
  const auto it = channels_.find(camera_id);
  if (it != channels_.end()) it->second.sinks.erase(subscription);
}

std::size_t LiveHub::SubscriberCount(std::int64_t camera_id) const {
  std::lock_guard lock(mutex_);
  const auto it = channels_.find(camera_id);
  return it == channels_.end() ? 0 : it->second.sinks.size();
}

void LiveHub::PublishInit(std::int64_t camera_id,
                          std::shared_ptr<const std::vector<std::uint8_t>> init) {
  LiveChunk chunk;
  {
    std::lock_guard lock(mutex_);
    Channel& channel = channels_[camera_id];
    channel.init = init;
    channel.gop.clear();
    chunk = LiveChunk{std::move(init), true, false, channel.next_sequence++};
  }
  Deliver(camera_id, chunk);
}

void LiveHub::PublishFragment(std::int64_t camera_id,
                              std::shared_ptr<const std::vector<std::uint8_t>> fragment,
                              bool keyframe) {
  LiveChunk chunk;
  {
    std::lock_guard lock(mutex_);
    Channel& channel = channels_[camera_id];
    chunk = LiveChunk{std::move(fragment), false, keyframe, channel.next_sequence++};
    if (keyframe) channel.gop.clear();
    // Without a keyframe in the cache a new viewer could not decode the backlog anyway.
    if ((keyframe || !channel.gop.empty()) && channel.gop.size() < kMaxCachedFragments)
      channel.gop.push_back(chunk);
  }
  Deliver(camera_id, chunk);
}

void LiveHub::Forget(std::int64_t camera_id) {
  std::lock_guard lock(mutex_);
  channels_.erase(camera_id);
}

void LiveHub::Deliver(std::int64_t camera_id, const LiveChunk& chunk) {
  std::vector<std::shared_ptr<LiveSink>> sinks;
  {
    std::lock_guard lock(mutex_);
    const auto it = channels_.find(camera_id);
    if (it == channels_.end()) return;
    sinks.reserve(it->second.sinks.size());
    for (const auto& [id, sink] : it->second.sinks) sinks.push_back(sink);
  }
  // Outside the lock: a sink may subscribe or unsubscribe others.
  for (const auto& sink : sinks) (*sink)(chunk);
}

}  // namespace camguard::engine
