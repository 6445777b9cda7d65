// SPDX-License-Identifier: Apache-2.0
#include "engine/engine.h"

#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cameras/camera_store.h"
#include "cameras/credentials.h"
#include "engine/camera_session.h"
#include "engine/recorder.h"
#include "engine/status_board.h"
#include "engine/tamper_watch.h"
#include "store/database.h"

namespace camguard::engine {

namespace asio = boost::asio;

class Engine::Impl {
 public:
  Impl(EngineOptions options, const base::Clock& clock, store::Database db)
      : options_(std::move(options)),
        clock_(clock),
        db_(std::move(db)),
        cameras_(db_),
        recorder_(MakeRecorderOptions()),
        work_(asio::make_work_guard(io_)) {
    if (options_.tamper_interval.count() > 0) {
      tamper_ = std::make_unique<TamperWatch>(
          options_.tamper_interval,
          [this](std::int64_t camera_id, const tamper::TamperEvent& event) {
            if (!options_.on_tamper) return;
            std::string name;
            {
              std::lock_guard lock(names_mutex_);
              if (auto it = names_.find(camera_id); it != names_.end()) name = it->second;
            }
            options_.on_tamper(camera_id, name, event);
          });
    }
  }

  ~Impl() { Stop(); }

  base::Status Start() {
    auto report = recorder_.Start();
    if (!report) return tl::unexpected(report.error());
    spdlog::info("recordings: {}", report->Summary());
    io_thread_ = std::thread([this] { io_.run(); });
    asio::post(io_, [this] { LoadAllCameras(); });
    return base::Ok();
  }

  void Stop() {
    if (!io_thread_.joinable()) return;
    asio::post(io_, [this] {
      for (auto& [id, session] : sessions_) session->Stop();
      sessions_.clear();
      work_.reset();
    });
    io_thread_.join();
    if (tamper_) tamper_->Stop();
    recorder_.Stop();
  }

  void CameraChanged(std::int64_t camera_id) {
    asio::post(io_, [this, camera_id] { Reload(camera_id); });
  }

  void CameraRemoved(std::int64_t camera_id) {
    asio::post(io_, [this, camera_id] {
      if (auto it = sessions_.find(camera_id); it != sessions_.end()) {
        it->second->Stop();
        sessions_.erase(it);
      }
      status_.Remove(camera_id);
      live_.Forget(camera_id);
      if (tamper_) tamper_->Forget(camera_id);
    });
  }

  std::optional<cameras::StreamStatus> Status(std::int64_t camera_id) const {
    auto status = status_.Get(camera_id);
    if (!status) return status;
    const RecorderCameraStats recorded = recorder_.Stats(camera_id);
    status->recording = recorded.writing;
    status->recording_lag_ms = recorded.last_write_lag.count();
    status->fragments_dropped = recorded.fragments_dropped;
    if (!recorded.last_error.empty() && status->last_error.empty())
      status->last_error = "recording: " + recorded.last_error;
    return status;
  }

  LiveHub& live() { return live_; }

 private:
  RecorderOptions MakeRecorderOptions() {
    RecorderOptions recorder;
    recorder.database = options_.database;
    recorder.recordings_root = options_.recordings_root;
    recorder.key = options_.recordings_key;
    recorder.segment_length = options_.segment_length;
    recorder.disk_budget_bytes = options_.disk_budget_bytes;
    recorder.min_free_percent = options_.min_free_percent;
    recorder.writer_threads = options_.writer_threads;
    recorder.clock = &clock_;
    recorder.on_problem = options_.on_recording_problem;
    // Asked on the index thread: a connection of its own (SQLite connections are per thread).
    const std::filesystem::path database = options_.database;
    recorder.retention_by_camera = [database] {
      std::map<std::int64_t, std::chrono::hours> ages;
      auto db = store::Database::Open(database);
      if (!db) return ages;
      cameras::CameraStore store(*db);
      auto all = store.List();
      if (!all) return ages;
      for (const auto& camera : *all)
        ages[camera.id] = std::chrono::hours(24) * camera.retention_days;
      return ages;
    };
    return recorder;
  }

  // I/O thread only below.
  void LoadAllCameras() {
    auto all = cameras_.List();
    if (!all) {
      spdlog::error("cannot list cameras: {}", all.error().message);
      return;
    }
    for (const auto& camera : *all) StartCamera(camera);
  }

  void Reload(std::int64_t camera_id) {
    auto camera = cameras_.FindById(camera_id);
    if (!camera) {
      spdlog::error("camera {}: {}", camera_id, camera.error().message);
      return;
    }
    if (*camera) {
      StartCamera(**camera);
    } else if (auto it = sessions_.find(camera_id); it != sessions_.end()) {
      it->second->Stop();
      sessions_.erase(it);
    }
  }

  void StartCamera(const cameras::Camera& camera) {
    if (auto it = sessions_.find(camera.id); it != sessions_.end()) {
      it->second->Stop();
      sessions_.erase(it);
    }
    if (camera.privacy) {
      // Privacy mode: not even a connection to the camera; live view and recording stop.
      live_.Forget(camera.id);
      status_.SetState(camera.id, cameras::StreamState::kDisabled);
      status_.SetError(camera.id, "privacy mode");
      return;
    }
    status_.SetError(camera.id, "");
    SessionSettings settings;
    settings.camera_id = camera.id;
    settings.tamper = tamper_.get();
    {
      std::lock_guard lock(names_mutex_);
      names_[camera.id] = camera.name;
    }
    settings.name = camera.name;
    settings.on_lost = options_.on_camera_lost;
    settings.on_back = options_.on_camera_back;
    settings.url = camera.main_url;
    settings.udp = camera.transport == cameras::Transport::kUdp;
    settings.record = camera.recording_enabled;
    settings.stall_timeout = options_.stall_timeout;
    settings.reconnect_max_delay = options_.reconnect_max_delay;
    auto sealed = cameras_.SealedCredentials(camera.id);
    if (!sealed) {
      status_.SetError(camera.id, "cannot read the camera's credentials");
      return;
    }
    if (*sealed) {
      auto credentials = cameras::OpenCredentials(*options_.secrets_key, **sealed);
      if (!credentials) {
        // Never the reason's details: they could hint at key material.
        status_.SetError(camera.id, "the stored camera credentials cannot be opened");
        return;
      }
      settings.username = credentials->username;
      settings.password = credentials->password;
    }
    auto session = std::make_shared<CameraSession>(io_, std::move(settings),
                                                   camera.recording_enabled ? &recorder_ : nullptr,
                                                   live_, status_, clock_);
    sessions_[camera.id] = session;
    session->Start();
  }

  EngineOptions options_;
  const base::Clock& clock_;
  store::Database db_;  // I/O thread only
  cameras::CameraStore cameras_;
  StatusBoard status_;
  LiveHub live_;
  Recorder recorder_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread io_thread_;
  std::map<std::int64_t, std::shared_ptr<CameraSession>> sessions_;
  std::unique_ptr<TamperWatch> tamper_;
  std::mutex names_mutex_;
  std::map<std::int64_t, std::string> names_;  // for the tamper events' titles

 public:
  void RelearnView(std::int64_t camera_id) {
    if (tamper_) tamper_->Relearn(camera_id);
  }
};

base::Result<std::unique_ptr<Engine>> Engine::Create(EngineOptions options,
                                                     const base::Clock& clock) {
  if (options.secrets_key == nullptr) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "the engine needs the secrets key");
  }
  auto db = store::Database::Open(options.database);
  if (!db) return tl::unexpected(db.error());
  return std::unique_ptr<Engine>(
      new Engine(std::make_unique<Impl>(std::move(options), clock, std::move(*db))));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;
base::Status Engine::Start() { return impl_->Start(); }
void Engine::Stop() { impl_->Stop(); }
void Engine::CameraChanged(std::int64_t camera_id) { impl_->CameraChanged(camera_id); }
void Engine::CameraRemoved(std::int64_t camera_id) { impl_->CameraRemoved(camera_id); }
void Engine::RelearnView(std::int64_t camera_id) { impl_->RelearnView(camera_id); }
std::optional<cameras::StreamStatus> Engine::Status(std::int64_t camera_id) const {
  return impl_->Status(camera_id);
}
LiveHub& Engine::live() { return impl_->live(); }
std::uint64_t Engine::SubscribeLive(std::int64_t camera_id, cameras::LiveSink sink) {
  return impl_->live().Subscribe(camera_id, std::move(sink));
}
void Engine::UnsubscribeLive(std::int64_t camera_id, std::uint64_t subscription) {
  impl_->live().Unsubscribe(camera_id, subscription);
}

}  // namespace camguard::engine
