// SPDX-License-Identifier: Apache-2.0
#include "engine/tamper_watch.h"

#include <spdlog/spdlog.h>

namespace camguard::engine {

TamperWatch::TamperWatch(std::chrono::milliseconds interval, Listener listener)
    : interval_(interval), listener_(std::move(listener)) {
  thread_ = std::thread([this] { Run(); });
}

TamperWatch::~TamperWatch() { Stop(); }

void TamperWatch::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool TamperWatch::Due(std::int64_t camera_id, std::chrono::steady_clock::time_point now) {
  auto [it, fresh] = next_due_.try_emplace(camera_id, now);
  if (!fresh && now < it->second) return false;
  it->second = now + interval_;
  return true;
}

void TamperWatch::Submit(std::int64_t camera_id, media::AccessUnit keyframe, base::WallTime at) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    pending_[camera_id] =
        Pending{std::move(keyframe), at};  // a newer keyframe replaces one waiting
  }
  wake_.notify_one();
}

void TamperWatch::Relearn(std::int64_t camera_id) {
  {
    std::lock_guard lock(mutex_);
    relearn_.insert(camera_id);
  }
  wake_.notify_one();
}

void TamperWatch::Forget(std::int64_t camera_id) {
  {
    std::lock_guard lock(mutex_);
    pending_.erase(camera_id);
    forget_.insert(camera_id);
  }
  wake_.notify_one();
}

TamperWatch::Stats TamperWatch::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void TamperWatch::Run() {
  for (;;) {
    std::map<std::int64_t, Pending> work;
    std::set<std::int64_t> relearn;
    std::set<std::int64_t> forget;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] {
        return stopping_ || !pending_.empty() || !relearn_.empty() || !forget_.empty();
      });
      if (stopping_) return;
      work.swap(pending_);
      relearn.swap(relearn_);
      forget.swap(forget_);
    }
    for (std::int64_t id : forget) cameras_.erase(id);
    for (std::int64_t id : relearn) {
      if (auto it = cameras_.find(id); it != cameras_.end()) it->second->detector.Relearn();
    }
    for (auto& [id, pending] : work) {
      auto& camera = cameras_[id];
      if (!camera) camera = std::make_unique<Camera>();
      auto thumbnail = camera->decoder.Decode(pending.keyframe);
      {
        std::lock_guard lock(mutex_);
        ++(thumbnail ? stats_.decoded : stats_.failed);
      }
      if (!thumbnail) {
        spdlog::debug("camera {}: keyframe not decoded for tamper detection: {}", id,
                      thumbnail.error().message);
        continue;
      }
      for (const tamper::TamperEvent& event : camera->detector.Feed(*thumbnail, pending.at)) {
        if (listener_) listener_(id, event);
      }
    }
  }
}

}  // namespace camguard::engine
