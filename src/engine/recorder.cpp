// SPDX-License-Identifier: Apache-2.0
#include "engine/recorder.h"

#include <system_error>

#include <spdlog/spdlog.h>

#include "base/files.h"

namespace camguard::engine {

Recorder::Recorder(RecorderOptions options) : options_(std::move(options)) {
  if (options_.writer_threads == 0) options_.writer_threads = 1;
}

Recorder::~Recorder() { Stop(); }

base::Result<recording::RecoveryReport> Recorder::Start() {
  CAMGUARD_TRY_STATUS(base::EnsurePrivateDirectory(options_.recordings_root));
  auto db = store::Database::Open(options_.database);
  if (!db) return tl::unexpected(db.error());
  index_db_.emplace(std::move(*db));
  index_ = std::make_unique<recording::RecordingIndex>(*index_db_);
  CAMGUARD_TRY(auto report, recording::Recover(options_.recordings_root, *index_,
                                               options_.key ? options_.key.get() : nullptr));
  for (std::size_t i = 0; i < options_.writer_threads; ++i) {
    auto worker = std::make_unique<Worker>();
    Worker* raw = worker.get();
    workers_.push_back(std::move(worker));
    raw->thread = std::thread([this, raw] { RunWorker(*raw); });
  }
  index_thread_ = std::thread([this] { RunIndex(); });
  started_ = true;
  return report;
}

void Recorder::Stop() {
  if (!started_) return;
  started_ = false;
  for (auto& worker : workers_) {
    {
      std::lock_guard lock(worker->mutex);
      worker->stopping = true;
    }
    worker->wake.notify_one();
  }
  for (auto& worker : workers_) worker->thread.join();
  workers_.clear();
  {
    std::lock_guard lock(index_mutex_);
    index_stopping_ = true;
  }
  index_wake_.notify_one();
  index_thread_.join();
}

void Recorder::StartSegment(std::int64_t camera_id,
                            std::shared_ptr<const std::vector<std::uint8_t>> init,
                            std::string codec_string, std::uint16_t width, std::uint16_t height) {
  Job job = MakeJob(Job::Kind::kStartSegment, camera_id, std::move(init));
  job.codec_string = std::move(codec_string);
  job.width = width;
  job.height = height;
  Enqueue(std::move(job));
}

void Recorder::Append(std::int64_t camera_id,
                      std::shared_ptr<const std::vector<std::uint8_t>> fragment,
                      recording::FragmentMeta meta) {
  Job job = MakeJob(Job::Kind::kAppend, camera_id, std::move(fragment));
  job.meta = meta;
  Enqueue(std::move(job));
}

void Recorder::CloseCamera(std::int64_t camera_id) {
  Enqueue(MakeJob(Job::Kind::kClose, camera_id, nullptr));
}

RecorderCameraStats Recorder::Stats(std::int64_t camera_id) const {
  std::lock_guard lock(stats_mutex_);
  const auto it = stats_.find(camera_id);
  return it == stats_.end() ? RecorderCameraStats{} : it->second;
}

void Recorder::Enqueue(Job job) {
  if (workers_.empty()) return;
  job.enqueued = std::chrono::steady_clock::now();
  const std::int64_t camera_id = job.camera_id;
  Worker& worker = *workers_[static_cast<std::size_t>(job.camera_id) % workers_.size()];
  std::size_t dropped = 0;
  {
    std::lock_guard lock(worker.mutex);
    if (job.kind == Job::Kind::kAppend) {
      std::size_t& queued = worker.queued_fragments[job.camera_id];
      if (queued >= kMaxQueuedFragments) {
        // The disk cannot keep up: drop this camera's oldest queued fragment rather than let
        // memory grow or stall the media path. The gap shows in the index.
        for (auto it = worker.jobs.begin(); it != worker.jobs.end(); ++it) {
          if (it->kind == Job::Kind::kAppend && it->camera_id == job.camera_id) {
            worker.jobs.erase(it);
            --queued;
            ++dropped;
            break;
          }
        }
      }
      ++queued;
    }
    worker.jobs.push_back(std::move(job));
  }
  worker.wake.notify_one();
  if (dropped > 0) {
    {
      std::lock_guard lock(stats_mutex_);
      auto& stats = stats_[camera_id];
      stats.fragments_dropped += dropped;
      stats.last_error = "the disk is too slow; fragments were dropped";
    }
    ReportProblem(camera_id, "the disk is too slow; video was dropped", false);
  }
}

void Recorder::ReportProblem(std::int64_t camera_id, const std::string& problem, bool disk_full) {
  if (!options_.on_problem) return;
  {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(problem_mutex_);
    auto it = last_problem_.find(camera_id);
    if (it != last_problem_.end() && now - it->second < std::chrono::minutes(1)) return;
    last_problem_[camera_id] = now;
  }
  options_.on_problem(camera_id, problem, disk_full);
}

void Recorder::RunWorker(Worker& worker) {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(worker.mutex);
      worker.wake.wait(lock, [&] { return worker.stopping || !worker.jobs.empty(); });
      if (worker.jobs.empty()) break;  // stopping and drained
      job = std::move(worker.jobs.front());
      worker.jobs.pop_front();
      if (job.kind == Job::Kind::kAppend) --worker.queued_fragments[job.camera_id];
    }
    Execute(worker, job);
  }
  for (auto& [camera_id, writer] : worker.writers) {
    if (auto closed = writer->Close(); !closed) NoteError(camera_id, closed.error(), false);
    auto updates = writer->TakeIndexUpdates();
    std::lock_guard lock(index_mutex_);
    pending_index_.insert(pending_index_.end(), updates.begin(), updates.end());
  }
  worker.writers.clear();
}

void Recorder::Execute(Worker& worker, const Job& job) {
  auto it = worker.writers.find(job.camera_id);
  base::Status status = base::Ok();
  switch (job.kind) {
    case Job::Kind::kStartSegment: {
      if (it == worker.writers.end()) {
        recording::WriterOptions writer_options;
        writer_options.directory = options_.recordings_root / std::to_string(job.camera_id);
        writer_options.camera_id = job.camera_id;
        writer_options.segment_length = options_.segment_length;
        writer_options.encrypt = options_.key != nullptr;
        writer_options.master_key = options_.key;
        auto opened = recording::SegmentWriter::Open(std::move(writer_options));
        if (!opened) {
          NoteError(job.camera_id, opened.error(), false);
          return;
        }
        it = worker.writers.emplace(job.camera_id, std::move(*opened)).first;
      }
      status = it->second->StartSegment(*job.bytes, job.codec_string, job.width, job.height);
      break;
    }
    case Job::Kind::kAppend:
      if (it == worker.writers.end()) {
        NoteError(job.camera_id,
                  base::Error{base::ErrorCode::kFailedPrecondition, "fragment before a segment"},
                  true);
        return;
      }
      status = it->second->Append(*job.bytes, job.meta);
      if (status) {
        std::size_t waiting = 0;
        {
          std::lock_guard lock(worker.mutex);
          waiting = worker.queued_fragments[job.camera_id];
        }
        std::lock_guard lock(stats_mutex_);
        auto& stats = stats_[job.camera_id];
        stats.writing = true;
        ++stats.fragments_written;
        stats.bytes_written += job.bytes->size();
        stats.last_write_lag = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - job.enqueued);
        stats.queued_fragments = waiting;
      }
      break;
    case Job::Kind::kClose:
      if (it == worker.writers.end()) return;
      status = it->second->Close();
      break;
  }
  if (!status) NoteError(job.camera_id, status.error(), job.kind == Job::Kind::kAppend);
  if (it != worker.writers.end()) {
    auto updates = it->second->TakeIndexUpdates();
    if (!updates.empty()) {
      std::lock_guard lock(index_mutex_);
      pending_index_.insert(pending_index_.end(), std::make_move_iterator(updates.begin()),
                            std::make_move_iterator(updates.end()));
    }
    if (job.kind == Job::Kind::kClose) {
      worker.writers.erase(it);
      std::lock_guard lock(stats_mutex_);
      stats_[job.camera_id].writing = false;
    }
  }
}

void Recorder::NoteError(std::int64_t camera_id, const base::Error& error, bool dropped) {
  spdlog::warn("recording of camera {}: {}", camera_id, error.message);
  {
    std::lock_guard lock(stats_mutex_);
    auto& stats = stats_[camera_id];
    stats.last_error = error.message;
    if (dropped) ++stats.fragments_dropped;
  }
  const bool disk_full = error.code == base::ErrorCode::kResourceExhausted;
  ReportProblem(camera_id,
                disk_full ? "the recordings disk is full; recording stopped, live view goes on"
                          : "recording failed: " + error.message,
                disk_full);
}

void Recorder::RunIndex() {
  auto next_retention = std::chrono::steady_clock::now() + options_.retention_interval;
  for (;;) {
    std::vector<recording::SegmentRecord> batch;
    bool stopping = false;
    {
      std::unique_lock lock(index_mutex_);
      index_wake_.wait_for(lock, options_.index_interval, [&] { return index_stopping_; });
      stopping = index_stopping_;
      batch.swap(pending_index_);
    }
    if (!batch.empty()) {
      if (auto written = index_->Upsert(batch); !written)
        spdlog::error("recording index: {}", written.error().message);
    }
    if (stopping) break;
    if (std::chrono::steady_clock::now() >= next_retention) {
      next_retention = std::chrono::steady_clock::now() + options_.retention_interval;
      recording::RetentionPolicy policy;
      if (options_.retention_by_camera) policy.max_age_by_camera = options_.retention_by_camera();
      policy.disk_budget_bytes = options_.disk_budget_bytes;
      policy.min_free_percent = options_.min_free_percent;
      policy.root = options_.recordings_root;
      auto report = recording::ApplyRetention(*index_, policy, options_.clock->Now());
      if (!report) spdlog::error("retention: {}", report.error().message);
    }
  }
}

}  // namespace camguard::engine
