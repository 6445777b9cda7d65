// SPDX-License-Identifier: Apache-2.0
// Recordings on disk: segment files of fMP4 cut at keyframes, durable within about a second,
// encrypted at rest by default; their index in SQLite; crash recovery; retention; export.
//
// File formats (one folder per camera, files named by the start time in Unix milliseconds):
//  * <start>.mp4 — plain: the fMP4 itself (init segment, then moof+mdat fragments).
//  * <start>.cgv — encrypted: "CGREC001", a 4-byte length and the segment's own random key sealed
//    with the hub's recordings key (libsodium secretbox), then chunks: a 4-byte length and
//    secretbox(segment key, 8-byte chunk number ‖ bytes). Chunk 0 is the init segment, each later
//    chunk one fragment. A chunk decrypts on its own, so reading a time range decrypts only the
//    fragments it needs (libsodium's secretstream would chain every chunk to the previous one);
//    the chunk number inside the sealed bytes makes reordered, dropped or swapped chunks fail.
// Thread: a SegmentWriter belongs to one writer thread; RecordingIndex to one connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "crypto/crypto.h"
#include "store/database.h"

namespace camguard::recording {

using WallTime = std::chrono::system_clock::time_point;

struct FragmentMeta {
  WallTime start{};
  std::chrono::microseconds duration{0};
  bool starts_with_keyframe = false;
  std::uint32_t frames = 0;
};

struct WriterOptions {
  std::filesystem::path directory;  // the camera's folder
  std::int64_t camera_id = 0;
  std::chrono::seconds segment_length{60};
  bool encrypt = true;
  std::shared_ptr<const crypto::SecretKey> master_key;  // required when encrypt
};

struct SegmentRecord {
  std::int64_t camera_id = 0;
  std::filesystem::path path;
  WallTime start{}, end{};
  std::uint64_t bytes = 0;
  std::uint32_t frames = 0;
  bool encrypted = false;
  bool complete = false;
  std::string codec;
  std::uint16_t width = 0, height = 0;
};

class SegmentWriter {
 public:
  static base::Result<std::unique_ptr<SegmentWriter>> Open(WriterOptions options);
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Remembers the init segment; the next Append opens a new file (a new track or a restart).
  base::Status StartSegment(std::span<const std::uint8_t> init, std::string codec,
                            std::uint16_t width, std::uint16_t height);
  // Writes one fragment and syncs it to disk. A new file starts at a keyframe fragment once the
  // current one is segment_length long.
  base::Status Append(std::span<const std::uint8_t> fragment, const FragmentMeta& meta);
  base::Status Close();
  std::vector<SegmentRecord> TakeIndexUpdates();

 private:
  explicit SegmentWriter(WriterOptions options) : options_(std::move(options)) {}
  base::Status OpenFile(WallTime start);
  base::Status WriteChunk(std::span<const std::uint8_t> bytes);

  WriterOptions options_;
  std::vector<std::uint8_t> init_;
  std::optional<SegmentRecord> current_;
  int fd_ = -1;
  std::uint64_t chunk_ = 0;
  std::optional<crypto::SecretKey> segment_key_;
  std::vector<SegmentRecord> updates_;
};

class RecordingIndex {
 public:
  explicit RecordingIndex(store::Database& db) : db_(db) {}
  base::Status Upsert(const std::vector<SegmentRecord>& records);
  // Segments of a camera overlapping [from, to), oldest first.
  base::Result<std::vector<SegmentRecord>> Find(std::int64_t camera_id, WallTime from, WallTime to);
  base::Result<std::vector<SegmentRecord>> All();  // oldest first
  base::Status Remove(const std::filesystem::path& path);

 private:
  store::Database& db_;
};

struct RecoveryReport {
  int files = 0;
  int trimmed = 0;
  std::uint64_t bytes_trimmed = 0;
  int unreadable = 0;
  std::string Summary() const;
};
// For every segment file: cut what a crash left half-written, and rewrite its index row.
base::Result<RecoveryReport> Recover(const std::filesystem::path& root, RecordingIndex& index,
                                     const crypto::SecretKey* key);

struct RetentionPolicy {
  std::filesystem::path root;
  std::map<std::int64_t, std::chrono::hours> max_age_by_camera;
  std::uint64_t disk_budget_bytes = 0;  // 0: none
  int min_free_percent = 0;
};
struct RetentionReport {
  int deleted = 0;
  std::uint64_t bytes = 0;
};
// Deletes the oldest complete segments past their camera's age, then while over the budget or
// under the free-space floor. A segment being written is never deleted.
base::Result<RetentionReport> ApplyRetention(RecordingIndex& index, const RetentionPolicy& policy,
                                             WallTime now);

// The plain fMP4 bytes of a segment file (decrypting when it is a .cgv).
base::Result<std::vector<std::uint8_t>> ReadSegment(const std::filesystem::path& path,
                                                    const crypto::SecretKey* key);

struct ExportResult {
  std::uint64_t bytes = 0;
  std::uint32_t fragments = 0;
  std::string sha256_hex;
};
// One plain fMP4 file with every fragment of the camera's segments overlapping [from, to), its
// timeline made continuous (decode times rewritten), starting at a keyframe.
base::Result<ExportResult> Export(RecordingIndex& index, std::int64_t camera_id, WallTime from,
                                  WallTime to, const std::filesystem::path& out,
                                  const crypto::SecretKey* key);

}  // namespace camguard::recording
