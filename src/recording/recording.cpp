// SPDX-License-Identifier: Apache-2.0
#include "recording/recording.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/files.h"
#include "media/fmp4.h"

namespace camguard::recording {

namespace {

constexpr std::string_view kMagic = "CGREC001";
constexpr std::uint32_t kMaxChunk = 64 * 1024 * 1024;

base::Error Errno(std::string_view what, const std::filesystem::path& path) {
  // A full disk is its own condition: the hub raises "disk low" for it, not a generic failure.
  const bool full = errno == ENOSPC || errno == EDQUOT;
  return base::Error{full ? base::ErrorCode::kResourceExhausted : base::ErrorCode::kUnavailable,
                     fmt::format("{} {}: {}", what, path.string(), std::strerror(errno))};
}

void PutU32(std::string& out, std::uint32_t v) {
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
std::uint32_t GetU32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}
std::uint64_t GetU64(const std::uint8_t* p) {
  return (std::uint64_t{GetU32(p)} << 32) | GetU32(p + 4);
}

std::vector<std::uint8_t> ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

bool IsEncryptedName(const std::filesystem::path& path) { return path.extension() == ".cgv"; }

// Fragment bytes of a plain fMP4 file, and the init segment before them.
struct Parsed {
  std::vector<std::uint8_t> init;
  std::vector<std::vector<std::uint8_t>> fragments;
};

// Samples and 90 kHz duration of one moof (from its trun boxes).
std::pair<std::uint32_t, std::uint64_t> FragmentTiming(std::span<const std::uint8_t> moof) {
  std::uint32_t samples = 0;
  std::uint64_t duration = 0;
  // moof children; traf children; trun with sample durations (flags 0x100).
  const auto walk = [](std::span<const std::uint8_t> box, auto&& visit) {
    std::size_t offset = 8;
    while (offset + 8 <= box.size()) {
      const std::uint32_t size = GetU32(box.data() + offset);
      if (size < 8 || offset + size > box.size()) return;
      visit(std::string_view(reinterpret_cast<const char*>(box.data() + offset + 4), 4),
            box.subspan(offset, size));
      offset += size;
    }
  };
  walk(moof, [&](std::string_view type, std::span<const std::uint8_t> traf) {
    if (type != "traf") return;
    walk(traf, [&](std::string_view inner, std::span<const std::uint8_t> trun) {
      if (inner != "trun" || trun.size() < 16) return;
      const std::uint32_t flags = GetU32(trun.data() + 8) & 0xffffff;
      const std::uint32_t count = GetU32(trun.data() + 12);
      std::size_t offset = 16;
      if (flags & 0x1) offset += 4;
      if (flags & 0x4) offset += 4;
      std::size_t per_sample = 0;
      for (std::uint32_t bit : {0x100u, 0x200u, 0x400u, 0x800u})
        if (flags & bit) per_sample += 4;
      if (count >
          (trun.size() - std::min(offset, trun.size())) / std::max<std::size_t>(per_sample, 1))
        return;
      samples += count;
      if (flags & 0x100) {
        for (std::uint32_t i = 0; i < count; ++i)
          duration += GetU32(trun.data() + offset + i * per_sample);
      }
    });
  });
  return {samples, duration};
}

base::Result<Parsed> ParsePlain(std::span<const std::uint8_t> file) {
  CAMGUARD_TRY(auto boxes, media::ReadTopLevelBoxes(file));
  Parsed parsed;
  std::optional<std::size_t> moof_start;
  for (const auto& box : boxes) {
    const std::string_view type(box.type.data(), 4);
    const auto bytes = file.subspan(box.offset, box.size);
    if (type == "ftyp" || type == "moov") {
      parsed.init.insert(parsed.init.end(), bytes.begin(), bytes.end());
    } else if (type == "moof") {
      moof_start = box.offset;
    } else if (type == "mdat" && moof_start) {
      parsed.fragments.emplace_back(
          file.begin() + static_cast<std::ptrdiff_t>(*moof_start),
          file.begin() + static_cast<std::ptrdiff_t>(box.offset + box.size));
      moof_start.reset();
    }
  }
  return parsed;
}

// Decrypts chunks until the first that is cut short or fails; `valid_end` is where it stopped.
struct Decrypted {
  std::vector<std::vector<std::uint8_t>> chunks;
  std::uint64_t valid_end = 0;
  bool damaged = false;  // a chunk failed authentication (not merely cut short)
};
base::Result<Decrypted> DecryptChunks(std::span<const std::uint8_t> file,
                                      const crypto::SecretKey& master) {
  if (file.size() < kMagic.size() + 4 ||
      std::string_view(reinterpret_cast<const char*>(file.data()), kMagic.size()) != kMagic) {
    return base::Fail(base::ErrorCode::kDataLoss, "not a camguard recording");
  }
  std::size_t offset = kMagic.size();
  const std::uint32_t key_length = GetU32(file.data() + offset);
  offset += 4;
  if (key_length > 1024 || offset + key_length > file.size())
    return base::Fail(base::ErrorCode::kDataLoss, "the recording's key is cut short");
  auto raw_key = crypto::Open(
      master, std::string_view(reinterpret_cast<const char*>(file.data() + offset), key_length));
  if (!raw_key || raw_key->size() != crypto::SecretKey::kSize)
    return base::Fail(base::ErrorCode::kDataLoss,
                      "the recording's key cannot be opened with this hub's key");
  const crypto::SecretKey key(*raw_key);
  offset += key_length;
  Decrypted out;
  out.valid_end = offset;
  std::uint64_t expected = 0;
  while (offset + 4 <= file.size()) {
    const std::uint32_t length = GetU32(file.data() + offset);
    if (length > kMaxChunk || offset + 4 + length > file.size()) break;  // cut short by a crash
    auto plain = crypto::Open(
        key, std::string_view(reinterpret_cast<const char*>(file.data() + offset + 4), length));
    if (!plain || plain->size() < 8 ||
        GetU64(reinterpret_cast<const std::uint8_t*>(plain->data())) != expected) {
      out.damaged = true;
      break;
    }
    out.chunks.emplace_back(plain->begin() + 8, plain->end());
    ++expected;
    offset += 4 + length;
    out.valid_end = offset;
  }
  return out;
}

std::optional<WallTime> StartFromName(const std::filesystem::path& path) {
  const std::string stem = path.stem().string();
  if (stem.empty() || stem.size() > 15 || !std::all_of(stem.begin(), stem.end(), ::isdigit))
    return std::nullopt;
  return base::FromUnixMillis(std::stoll(stem));
}

}  // namespace

// ---- writer --------------------------------------------------------------------------------

base::Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Open(WriterOptions options) {
  if (options.encrypt && !options.master_key)
    return base::Fail(base::ErrorCode::kInvalidArgument, "encrypted recording needs the key");
  CAMGUARD_TRY_STATUS(base::EnsurePrivateDirectory(options.directory));
  return std::unique_ptr<SegmentWriter>(new SegmentWriter(std::move(options)));
}

SegmentWriter::~SegmentWriter() { (void)Close(); }

base::Status SegmentWriter::StartSegment(std::span<const std::uint8_t> init, std::string codec,
                                         std::uint16_t width, std::uint16_t height) {
  CAMGUARD_TRY_STATUS(Close());
  init_.assign(init.begin(), init.end());
  current_.reset();
  SegmentRecord next;
  next.camera_id = options_.camera_id;
  next.codec = std::move(codec);
  next.width = width;
  next.height = height;
  next.encrypted = options_.encrypt;
  current_ = std::move(next);
  return base::Ok();
}

base::Status SegmentWriter::OpenFile(WallTime start) {
  const auto ms = base::ToUnixMillis(start);
  auto path = options_.directory / fmt::format("{}{}", ms, options_.encrypt ? ".cgv" : ".mp4");
  for (int i = 1; std::filesystem::exists(path); ++i)  // two segments within one millisecond
    path = options_.directory / fmt::format("{}{}", ms + i, options_.encrypt ? ".cgv" : ".mp4");
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) return tl::unexpected(Errno("cannot create", path));
  current_->path = path;
  current_->start = start;
  current_->end = start;
  current_->bytes = 0;
  current_->frames = 0;
  current_->complete = false;
  chunk_ = 0;
  if (options_.encrypt) {
    segment_key_.emplace(crypto::RandomBytes(crypto::SecretKey::kSize));
    const std::string sealed = crypto::Seal(*options_.master_key, segment_key_->bytes());
    std::string header(kMagic);
    PutU32(header, static_cast<std::uint32_t>(sealed.size()));
    header += sealed;
    if (::write(fd_, header.data(), header.size()) != static_cast<ssize_t>(header.size()))
      return tl::unexpected(Errno("cannot write", path));
    current_->bytes += header.size();
  }
  return WriteChunk(init_);
}

base::Status SegmentWriter::WriteChunk(std::span<const std::uint8_t> bytes) {
  std::string out;
  if (options_.encrypt) {
    std::string plain(8, '\0');
    for (int i = 0; i < 8; ++i)
      plain[static_cast<std::size_t>(i)] = static_cast<char>((chunk_ >> (56 - 8 * i)) & 0xff);
    plain.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const std::string sealed = crypto::Seal(*segment_key_, plain);
    PutU32(out, static_cast<std::uint32_t>(sealed.size()));
    out += sealed;
  } else {
    out.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  std::size_t written = 0;
  while (written < out.size()) {
    const ssize_t n = ::write(fd_, out.data() + written, out.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return tl::unexpected(Errno("cannot write", current_->path));
    written += static_cast<std::size_t>(n);
  }
  // Durable now: a power cut loses at most the fragment being written (about a second).
  if (::fdatasync(fd_) != 0) return tl::unexpected(Errno("cannot sync", current_->path));
  current_->bytes += out.size();
  ++chunk_;
  return base::Ok();
}

base::Status SegmentWriter::Append(std::span<const std::uint8_t> fragment,
                                   const FragmentMeta& meta) {
  if (!current_) return base::Fail(base::ErrorCode::kFailedPrecondition, "no init segment yet");
  const bool due = fd_ >= 0 && meta.starts_with_keyframe &&
                   meta.start - current_->start >= options_.segment_length;
  if (due) {
    SegmentRecord keep = *current_;
    CAMGUARD_TRY_STATUS(Close());
    current_ = std::move(keep);
  }
  if (fd_ < 0) {
    if (!meta.starts_with_keyframe) return base::Ok();  // a file starts with a decodable picture
    CAMGUARD_TRY_STATUS(OpenFile(meta.start));
  }
  CAMGUARD_TRY_STATUS(WriteChunk(fragment));
  current_->frames += meta.frames;
  current_->end = std::max(current_->end, meta.start + meta.duration);
  updates_.push_back(*current_);
  return base::Ok();
}

base::Status SegmentWriter::Close() {
  if (fd_ < 0) return base::Ok();
  const int fd = std::exchange(fd_, -1);
  const bool closed = ::close(fd) == 0;
  current_->complete = true;
  updates_.push_back(*current_);
  segment_key_.reset();
  if (!closed) return tl::unexpected(Errno("cannot close", current_->path));
  return base::Ok();
}

std::vector<SegmentRecord> SegmentWriter::TakeIndexUpdates() { return std::exchange(updates_, {}); }

// ---- index ---------------------------------------------------------------------------------

namespace {
constexpr std::string_view kColumns =
    "camera_id, path, start_ms, end_ms, bytes, frames, encrypted, complete, codec, width, height";
SegmentRecord ReadRecord(const store::Statement& s) {
  SegmentRecord r;
  r.camera_id = s.ColumnInt(0);
  r.path = s.ColumnText(1);
  r.start = base::FromUnixMillis(s.ColumnInt(2));
  r.end = base::FromUnixMillis(s.ColumnInt(3));
  r.bytes = static_cast<std::uint64_t>(s.ColumnInt(4));
  r.frames = static_cast<std::uint32_t>(s.ColumnInt(5));
  r.encrypted = s.ColumnInt(6) != 0;
  r.complete = s.ColumnInt(7) != 0;
  r.codec = s.ColumnText(8);
  r.width = static_cast<std::uint16_t>(s.ColumnInt(9));
  r.height = static_cast<std::uint16_t>(s.ColumnInt(10));
  return r;
}
}  // namespace

base::Status RecordingIndex::Upsert(const std::vector<SegmentRecord>& records) {
  if (records.empty()) return base::Ok();
  CAMGUARD_TRY(auto begin, db_.Prepare("BEGIN IMMEDIATE"));
  CAMGUARD_TRY_STATUS(begin.Run());
  auto stmt = db_.Prepare(fmt::format(
      "INSERT INTO recordings ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO "
      "UPDATE SET end_ms = excluded.end_ms, bytes = excluded.bytes, frames = excluded.frames, "
      "complete = excluded.complete",
      kColumns));
  base::Status status = stmt ? base::Ok() : base::Status(tl::unexpected(stmt.error()));
  for (const SegmentRecord& r : records) {
    if (!status) break;
    stmt->Reset();
    stmt->Bind(1, r.camera_id)
        .Bind(2, r.path.string())
        .Bind(3, base::ToUnixMillis(r.start))
        .Bind(4, base::ToUnixMillis(r.end))
        .Bind(5, static_cast<std::int64_t>(r.bytes))
        .Bind(6, std::int64_t{r.frames})
        .Bind(7, std::int64_t{r.encrypted ? 1 : 0})
        .Bind(8, std::int64_t{r.complete ? 1 : 0})
        .Bind(9, r.codec)
        .Bind(10, std::int64_t{r.width})
        .Bind(11, std::int64_t{r.height});
    status = stmt->Run();
  }
  CAMGUARD_TRY(auto end, db_.Prepare(status ? "COMMIT" : "ROLLBACK"));
  CAMGUARD_TRY_STATUS(end.Run());
  return status;
}

base::Result<std::vector<SegmentRecord>> RecordingIndex::Find(std::int64_t camera_id, WallTime from,
                                                              WallTime to) {
  CAMGUARD_TRY(auto s, db_.Prepare(fmt::format(
                           "SELECT {} FROM recordings WHERE camera_id = ? AND end_ms > ? AND "
                           "start_ms < ? ORDER BY start_ms",
                           kColumns)));
  s.Bind(1, camera_id).Bind(2, base::ToUnixMillis(from)).Bind(3, base::ToUnixMillis(to));
  std::vector<SegmentRecord> out;
  for (;;) {
    CAMGUARD_TRY(const bool row, s.Step());
    if (!row) break;
    out.push_back(ReadRecord(s));
  }
  return out;
}

base::Result<std::vector<SegmentRecord>> RecordingIndex::All() {
  CAMGUARD_TRY(auto s,
               db_.Prepare(fmt::format("SELECT {} FROM recordings ORDER BY start_ms", kColumns)));
  std::vector<SegmentRecord> out;
  for (;;) {
    CAMGUARD_TRY(const bool row, s.Step());
    if (!row) break;
    out.push_back(ReadRecord(s));
  }
  return out;
}

base::Status RecordingIndex::Remove(const std::filesystem::path& path) {
  CAMGUARD_TRY(auto s, db_.Prepare("DELETE FROM recordings WHERE path = ?"));
  s.Bind(1, path.string());
  return s.Run();
}

// ---- recovery ------------------------------------------------------------------------------

std::string RecoveryReport::Summary() const {
  return fmt::format(
      "{} segment files checked, {} cut back to their last whole fragment ({} bytes), {} "
      "unreadable",
      files, trimmed, bytes_trimmed, unreadable);
}

base::Result<RecoveryReport> Recover(const std::filesystem::path& root, RecordingIndex& index,
                                     const crypto::SecretKey* key) {
  RecoveryReport report;
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return report;
  std::vector<SegmentRecord> rows;
  for (const auto& camera_dir : std::filesystem::directory_iterator(root, ec)) {
    if (!camera_dir.is_directory()) continue;
    const std::string name = camera_dir.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const std::int64_t camera_id = std::stoll(name);
    for (const auto& entry : std::filesystem::directory_iterator(camera_dir.path(), ec)) {
      const auto& path = entry.path();
      const auto start = StartFromName(path);
      if (!entry.is_regular_file() || !start ||
          (path.extension() != ".mp4" && !IsEncryptedName(path)))
        continue;
      ++report.files;
      const auto file = ReadFileBytes(path);
      std::uint64_t valid = file.size();
      std::vector<std::vector<std::uint8_t>> fragments;
      if (IsEncryptedName(path)) {
        if (!key) {
          ++report.unreadable;
          continue;
        }
        auto decrypted = DecryptChunks(file, *key);
        if (!decrypted) {
          ++report.unreadable;
          continue;
        }
        valid = decrypted->valid_end;
        if (decrypted->chunks.size() > 1)
          fragments.assign(decrypted->chunks.begin() + 1, decrypted->chunks.end());
      } else {
        valid = media::PlayablePrefixLength(file);
        auto parsed = ParsePlain(std::span(file.data(), valid));
        if (parsed) fragments = std::move(parsed->fragments);
      }
      if (valid < file.size()) {
        if (::truncate(path.c_str(), static_cast<off_t>(valid)) != 0) {
          ++report.unreadable;
          continue;
        }
        ++report.trimmed;
        report.bytes_trimmed += file.size() - valid;
      }
      SegmentRecord row;
      row.camera_id = camera_id;
      row.path = path;
      row.start = *start;
      row.bytes = valid;
      row.encrypted = IsEncryptedName(path);
      row.complete = true;
      std::uint64_t duration = 0;
      for (const auto& fragment : fragments) {
        const auto [samples, ticks] = FragmentTiming(fragment);
        row.frames += samples;
        duration += ticks;
      }
      row.end = *start + std::chrono::microseconds(duration * 1000000 / media::kTimescale);
      rows.push_back(std::move(row));
    }
  }
  // Keep the codec and size the writer recorded; the recovered timing and size win.
  auto known = index.All();
  if (known) {
    for (auto& row : rows) {
      for (const auto& k : *known) {
        if (k.path == row.path) {
          row.codec = k.codec;
          row.width = k.width;
          row.height = k.height;
        }
      }
    }
  }
  CAMGUARD_TRY_STATUS(index.Upsert(rows));
  return report;
}

// ---- retention -----------------------------------------------------------------------------

base::Result<RetentionReport> ApplyRetention(RecordingIndex& index, const RetentionPolicy& policy,
                                             WallTime now) {
  RetentionReport report;
  CAMGUARD_TRY(auto all, index.All());
  std::uint64_t total = 0;
  for (const auto& r : all) total += r.bytes;
  const auto remove = [&](const SegmentRecord& r) -> base::Status {
    std::error_code ec;
    std::filesystem::remove(r.path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
      return base::Fail(base::ErrorCode::kUnavailable,
                        "cannot delete " + r.path.string() + ": " + ec.message());
    CAMGUARD_TRY_STATUS(index.Remove(r.path));
    ++report.deleted;
    report.bytes += r.bytes;
    total -= std::min(total, r.bytes);
    return base::Ok();
  };
  std::vector<SegmentRecord> kept;
  for (const auto& r : all) {
    const auto age = policy.max_age_by_camera.find(r.camera_id);
    if (r.complete && age != policy.max_age_by_camera.end() && now - r.end > age->second) {
      CAMGUARD_TRY_STATUS(remove(r));
    } else {
      kept.push_back(r);
    }
  }
  const auto low_on_space = [&] {
    if (policy.min_free_percent <= 0) return false;
    std::error_code ec;
    const auto space = std::filesystem::space(policy.root, ec);
    return !ec && space.capacity > 0 &&
           space.available * 100 <
               space.capacity * static_cast<std::uint64_t>(policy.min_free_percent);
  };
  for (const auto& r : kept) {  // oldest first
    const bool over_budget = policy.disk_budget_bytes > 0 && total > policy.disk_budget_bytes;
    if (!over_budget && !low_on_space()) break;
    if (!r.complete) continue;  // being written
    CAMGUARD_TRY_STATUS(remove(r));
  }
  return report;
}

// ---- reading and export --------------------------------------------------------------------

base::Result<std::vector<std::uint8_t>> ReadSegment(const std::filesystem::path& path,
                                                    const crypto::SecretKey* key) {
  const auto file = ReadFileBytes(path);
  if (!IsEncryptedName(path))
    return std::vector<std::uint8_t>(
        file.begin(),
        file.begin() + static_cast<std::ptrdiff_t>(media::PlayablePrefixLength(file)));
  if (!key) return base::Fail(base::ErrorCode::kFailedPrecondition, "the recordings key is needed");
  CAMGUARD_TRY(auto decrypted, DecryptChunks(file, *key));
  if (decrypted.damaged) return base::Fail(base::ErrorCode::kDataLoss, "the recording was altered");
  std::vector<std::uint8_t> out;
  for (const auto& chunk : decrypted.chunks) out.insert(out.end(), chunk.begin(), chunk.end());
  return out;
}

namespace {
// Rewrites the base media decode time (tfdt) of a fragment in place; false if it has none.
bool SetDecodeTime(std::vector<std::uint8_t>& fragment, std::uint64_t time) {
  // moof > traf > tfdt, found by walking sizes.
  const auto find = [&](std::size_t begin, std::size_t end,
                        std::string_view type) -> std::optional<std::size_t> {
    std::size_t offset = begin;
    while (offset + 8 <= end) {
      const std::uint32_t size = GetU32(fragment.data() + offset);
      if (size < 8 || offset + size > end) return std::nullopt;
      if (std::string_view(reinterpret_cast<const char*>(fragment.data() + offset + 4), 4) == type)
        return offset;
      offset += size;
    }
    return std::nullopt;
  };
  const auto moof = find(0, fragment.size(), "moof");
  if (!moof) return false;
  const auto traf = find(*moof + 8, *moof + GetU32(fragment.data() + *moof), "traf");
  if (!traf) return false;
  const auto tfdt = find(*traf + 8, *traf + GetU32(fragment.data() + *traf), "tfdt");
  if (!tfdt || GetU32(fragment.data() + *tfdt) < 20 || fragment[*tfdt + 8] != 1) return false;
  for (int i = 0; i < 8; ++i)
    fragment[*tfdt + 12 + static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>((time >> (56 - 8 * i)) & 0xff);
  return true;
}

bool StartsWithKeyframe(std::span<const std::uint8_t> fragment) {
  // The first sample's flags in trun (we write duration, size and flags for every sample).
  for (std::size_t i = 8; i + 24 <= fragment.size(); ++i) {
    if (std::memcmp(fragment.data() + i, "trun", 4) == 0) {
      const std::uint32_t flags = GetU32(fragment.data() + i + 4) & 0xffffff;
      std::size_t offset = i + 12;
      if (flags & 0x1) offset += 4;
      if (flags & 0x4) return true;  // first-sample-flags present: treat as a keyframe start
      if (!(flags & 0x400)) return false;
      if (flags & 0x100) offset += 4;
      if (flags & 0x200) offset += 4;
      return offset + 4 <= fragment.size() && (GetU32(fragment.data() + offset) & 0x00010000) == 0;
    }
  }
  return false;
}
}  // namespace

base::Result<ExportResult> Export(RecordingIndex& index, std::int64_t camera_id, WallTime from,
                                  WallTime to, const std::filesystem::path& out,
                                  const crypto::SecretKey* key) {
  if (to <= from) return base::Fail(base::ErrorCode::kInvalidArgument, "the range is empty");
  CAMGUARD_TRY(auto segments, index.Find(camera_id, from, to));
  if (segments.empty()) return base::Fail(base::ErrorCode::kNotFound, "nothing was recorded then");
  std::vector<std::uint8_t> file;
  std::string codec;
  std::uint64_t decode_time = 0;
  ExportResult result;
  for (const auto& segment : segments) {
    if (!codec.empty() && segment.codec != codec) break;  // a new track needs its own file
    CAMGUARD_TRY(auto bytes, ReadSegment(segment.path, key));
    CAMGUARD_TRY(auto parsed, ParsePlain(bytes));
    if (file.empty()) file = parsed.init;
    codec = segment.codec;
    // Fragments of this segment, timed from the segment's start: keep those inside the range.
    std::uint64_t offset_ticks = 0;
    for (auto& fragment : parsed.fragments) {
      const auto [samples, ticks] = FragmentTiming(fragment);
      const WallTime fragment_start =
          segment.start + std::chrono::microseconds(offset_ticks * 1000000 / media::kTimescale);
      const WallTime fragment_end =
          fragment_start + std::chrono::microseconds(ticks * 1000000 / media::kTimescale);
      offset_ticks += ticks;
      (void)samples;
      if (fragment_end <= from || fragment_start >= to) continue;
      if (result.fragments == 0 && !StartsWithKeyframe(fragment)) continue;  // start decodable
      if (!SetDecodeTime(fragment, decode_time)) continue;
      decode_time += ticks;
      file.insert(file.end(), fragment.begin(), fragment.end());
      ++result.fragments;
    }
  }
  if (result.fragments == 0)
    return base::Fail(base::ErrorCode::kNotFound, "no whole fragment in that range");
  CAMGUARD_TRY_STATUS(base::WritePrivateFile(
      out, std::string_view(reinterpret_cast<const char*>(file.data()), file.size())));
  result.bytes = file.size();
  result.sha256_hex = base::HexEncode(
      crypto::Sha256(std::string_view(reinterpret_cast<const char*>(file.data()), file.size())));
  return result;
}

}  // namespace camguard::recording
