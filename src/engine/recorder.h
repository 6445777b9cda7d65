// SPDX-License-Identifier: Apache-2.0
// The recording side of the engine: fragments from the media path are queued here and written
// by a small pool of writer threads (camera i always on thread i mod N, so each camera's
// fragments stay in order). Recording never slows the media path: every call only queues; when
// a camera's queue exceeds kMaxQueuedFragments the oldest queued fragments are dropped and
// counted. Index rows are written in batches by one index thread, which also runs retention.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "recording/recording.h"

namespace camguard::engine {

struct RecorderOptions {
  std::filesystem::path database;                // the hub's SQLite file (own connection)
  std::filesystem::path recordings_root;         // one folder per camera below it
  std::shared_ptr<const crypto::SecretKey> key;  // null: recordings are not encrypted
  std::chrono::seconds segment_length{60};
  std::uint64_t disk_budget_bytes = 0;  // 0: none
  int min_free_percent = 5;
  std::size_t writer_threads = 2;
  std::chrono::milliseconds index_interval{2000};
  std::chrono::seconds retention_interval{60};
  // Per-camera maximum age, asked by the index thread before each retention pass.
  std::function<std::map<std::int64_t, std::chrono::hours>()> retention_by_camera;
  const base::Clock* clock = nullptr;  // wall clock for retention (required)
  // Told (on a writer thread; must not block) when a camera's recording loses video: fragments
  // dropped because the disk is too slow, or a write failed (`disk_full` when out of space).
  // At most once a minute per camera.
  std::function<void(std::int64_t camera_id, const std::string& problem, bool disk_full)>
      on_problem;
};

struct RecorderCameraStats {
  bool writing = false;  // a segment is open
  std::uint64_t fragments_written = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t fragments_dropped = 0;  // queue overflow or write errors
  std::string last_error;
  // Recording lag: from a fragment's arrival to the moment it was durably on disk (the last
  // one), and fragments waiting for their writer now.
  std::chrono::milliseconds last_write_lag{0};
  std::size_t queued_fragments = 0;
};

inline constexpr std::size_t kMaxQueuedFragments = 30;  // ~30 s of video per camera

class Recorder {
 public:
  explicit Recorder(RecorderOptions options);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Repairs what a crash left (partial fragments, index rows) and starts the threads.
  base::Result<recording::RecoveryReport> Start();
  void Stop();  // finishes queued work, closes every segment

  // Thread-safe and non-blocking.
  void StartSegment(std::int64_t camera_id, std::shared_ptr<const std::vector<std::uint8_t>> init,
                    std::string codec_string, std::uint16_t width, std::uint16_t height);
  void Append(std::int64_t camera_id, std::shared_ptr<const std::vector<std::uint8_t>> fragment,
              recording::FragmentMeta meta);
  void CloseCamera(std::int64_t camera_id);

  RecorderCameraStats Stats(std::int64_t camera_id) const;

 private:
  struct Job {
    enum class Kind { kStartSegment, kAppend, kClose } kind = Kind::kClose;
    std::int64_t camera_id = 0;
    std::shared_ptr<const std::vector<std::uint8_t>> bytes;
    recording::FragmentMeta meta{};
    std::string codec_string;
    std::uint16_t width = 0, height = 0;
    std::chrono::steady_clock::time_point enqueued{};
  };
  struct Worker {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Job> jobs;
    std::map<std::int64_t, std::size_t> queued_fragments;  // per camera
    bool stopping = false;
    std::thread thread;
    // Owned by the worker thread only.
    std::map<std::int64_t, std::unique_ptr<recording::SegmentWriter>> writers;
  };

  static Job MakeJob(Job::Kind kind, std::int64_t camera_id,
                     std::shared_ptr<const std::vector<std::uint8_t>> bytes) {
    Job job;
    job.kind = kind;
    job.camera_id = camera_id;
    job.bytes = std::move(bytes);
    return job;
  }
  void Enqueue(Job job);
  void RunWorker(Worker& worker);
  void Execute(Worker& worker, const Job& job);
  void RunIndex();
  void NoteError(std::int64_t camera_id, const base::Error& error, bool dropped);
  void ReportProblem(std::int64_t camera_id, const std::string& problem, bool disk_full);
  std::mutex problem_mutex_;
  std::map<std::int64_t, std::chrono::steady_clock::time_point> last_problem_;

  RecorderOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;

  mutable std::mutex stats_mutex_;
  std::map<std::int64_t, RecorderCameraStats> stats_;

  std::mutex index_mutex_;
  std::condition_variable index_wake_;
  std::vector<recording::SegmentRecord> pending_index_;
  bool index_stopping_ = false;
  std::thread index_thread_;
  std::optional<store::Database> index_db_;
  std::unique_ptr<recording::RecordingIndex> index_;
  bool started_ = false;
};

}  // namespace camguard::engine
