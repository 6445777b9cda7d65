// SPDX-License-Identifier: Apache-2.0
#include "media/fmp4.h"

#include <cstring>
#include <string_view>

namespace camguard::media {

namespace {

// Appends big-endian fields and nested boxes into one buffer.
class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}
  void U8(std::uint32_t v) { out_.push_back(static_cast<std::uint8_t>(v)); }
  void U16(std::uint32_t v) {
    U8(v >> 8);
    U8(v);
  }
  void U32(std::uint32_t v) {
    U16(v >> 16);
    U16(v & 0xffff);
  }
  void U64(std::uint64_t v) {
    U32(static_cast<std::uint32_t>(v >> 32));
    U32(static_cast<std::uint32_t>(v));
  }
  void Zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
  void Bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void Type(std::string_view type) { out_.insert(out_.end(), type.begin(), type.begin() + 4); }
  // Opens a box; returns its offset for End().
  std::size_t Begin(std::string_view type) {
    const std::size_t at = out_.size();
    U32(0);
    Type(type);
    return at;
  }
  std::size_t BeginFull(std::string_view type, std::uint8_t version, std::uint32_t flags) {
    const std::size_t at = Begin(type);
    U32((std::uint32_t{version} << 24) | flags);
    return at;
  }
  void End(std::size_t at) {
    const std::uint32_t size = static_cast<std::uint32_t>(out_.size() - at);
    out_[at] = static_cast<std::uint8_t>(size >> 24);
    out_[at + 1] = static_cast<std::uint8_t>(size >> 16);
    out_[at + 2] = static_cast<std::uint8_t>(size >> 8);
    out_[at + 3] = static_cast<std::uint8_t>(size);
  }
  void Matrix() {
    for (std::uint32_t v : {0x00010000u, 0u, 0u, 0u, 0x00010000u, 0u, 0u, 0u, 0x40000000u}) U32(v);
  }
  std::size_t size() const { return out_.size(); }

 private:
  std::vector<std::uint8_t>& out_;
};

int NalType(const std::vector<std::uint8_t>& nal) { return nal.empty() ? -1 : nal[0] & 0x1f; }

}  // namespace

std::vector<std::uint8_t> BuildInitSegment(const VideoTrackInfo& track) {
  std::vector<std::uint8_t> out;
  out.reserve(1024);
  Writer w(out);
  const auto ftyp = w.Begin("ftyp");
  w.Type("isom");
  w.U32(0x200);
  for (std::string_view brand : {"isom", "iso6", "avc1", "mp41"}) w.Type(brand);
  w.End(ftyp);

  const auto moov = w.Begin("moov");
  const auto mvhd = w.BeginFull("mvhd", 0, 0);
  w.U32(0);
  w.U32(0);  // creation, modification
  w.U32(1000);
  w.U32(0);  // timescale, duration (fragments carry the time)
  w.U32(0x00010000);
  w.U16(0x0100);
  w.Zeros(10);
  w.Matrix();
  w.Zeros(24);
  w.U32(2);  // next_track_ID
  w.End(mvhd);

  const auto trak = w.Begin("trak");
  const auto tkhd = w.BeginFull("tkhd", 0, 3);  // enabled, in movie
  w.U32(0);
  w.U32(0);
  w.U32(1);
  w.U32(0);
  w.U32(0);
  w.Zeros(8);
  w.U16(0);
  w.U16(0);
  w.U16(0);
  w.U16(0);
  w.Matrix();
  w.U32(std::uint32_t{track.width} << 16);
  w.U32(std::uint32_t{track.height} << 16);
  w.End(tkhd);
  const auto mdia = w.Begin("mdia");
  const auto mdhd = w.BeginFull("mdhd", 0, 0);
  w.U32(0);
  w.U32(0);
  w.U32(kTimescale);
  w.U32(0);
  w.U16(0x55c4);  // "und"
  w.U16(0);
  w.End(mdhd);
  const auto hdlr = w.BeginFull("hdlr", 0, 0);
  w.U32(0);
  w.Type("vide");
  w.Zeros(12);
  const std::string_view handler_name = "camguard video";
  w.Bytes(
      std::span(reinterpret_cast<const std::uint8_t*>(handler_name.data()), handler_name.size()));
  w.U8(0);
  w.End(hdlr);
  const auto minf = w.Begin("minf");
  const auto vmhd = w.BeginFull("vmhd", 0, 1);
  w.Zeros(8);
  w.End(vmhd);
  const auto dinf = w.Begin("dinf");
  const auto dref = w.BeginFull("dref", 0, 0);
  w.U32(1);
  const auto url = w.BeginFull("url ", 0, 1);  // the media is in this file
  w.End(url);
  w.End(dref);
  w.End(dinf);
  const auto stbl = w.Begin("stbl");
  const auto stsd = w.BeginFull("stsd", 0, 0);
  w.U32(1);
  const auto avc1 = w.Begin("avc1");
  w.Zeros(6);
  w.U16(1);  // reserved, data_reference_index
  w.Zeros(16);
  w.U16(track.width);
  w.U16(track.height);
  w.U32(0x00480000);
  w.U32(0x00480000);  // 72 dpi
  w.U32(0);
  w.U16(1);     // reserved, frame_count
  w.Zeros(32);  // compressorname
  w.U16(0x0018);
  w.U16(0xffff);
  const auto avcc = w.Begin("avcC");
  w.Bytes(track.decoder_config);
  w.End(avcc);
  w.End(avc1);
  w.End(stsd);
  for (std::string_view empty : {"stts", "stsc", "stco"}) {
    const auto box = w.BeginFull(empty, 0, 0);
    w.U32(0);
    w.End(box);
  }
  const auto stsz = w.BeginFull("stsz", 0, 0);
  w.U32(0);
  w.U32(0);
  w.End(stsz);
  w.End(stbl);
  w.End(minf);
  w.End(mdia);
  w.End(trak);
  const auto mvex = w.Begin("mvex");
  const auto trex = w.BeginFull("trex", 0, 0);
  w.U32(1);
  w.U32(1);
  w.U32(0);
  w.U32(0);
  w.U32(0);
  w.End(trex);
  w.End(mvex);
  w.End(moov);
  return out;
}

Fragmenter::Fragmenter(std::chrono::milliseconds target)
    : target_(std::chrono::duration_cast<std::chrono::milliseconds>(target).count() * kTimescale /
              1000) {}

base::Result<std::optional<Fragmenter::Fragment>> Fragmenter::Push(AccessUnit unit) {
  if (unit.nal_units.empty()) return std::optional<Fragment>();
  // Timestamps must advance; a camera that jumps back or far ahead gets the last frame
  // interval instead, so the recording stays continuous and playable.
  if (!pending_.empty() || first_timestamp_) {
    const std::int64_t delta = unit.timestamp - last_timestamp_;
    if (delta <= 0 || delta > 10 * std::int64_t{kTimescale})
      unit.timestamp = last_timestamp_ + last_duration_;
    else
      last_duration_ = delta;
  }
  if (!first_timestamp_) first_timestamp_ = unit.timestamp;
  // In-band parameter sets that differ from the init segment's mean a new init is needed.
  for (const auto& nal : unit.nal_units) {
    const int type = NalType(nal);
    if ((type == 7 || type == 8) && !parameter_sets_.empty()) {
      bool known = false;
      for (const auto& set : parameter_sets_) known = known || set == nal;
      if (!known) parameters_changed_ = true;
    }
  }
  std::optional<Fragment> done;
  if (!pending_.empty() &&
      (unit.keyframe || unit.timestamp - pending_.front().timestamp >= target_)) {
    done = Build(unit.timestamp);
  }
  last_timestamp_ = unit.timestamp;
  pending_.push_back(std::move(unit));
  return done;
}

std::optional<Fragmenter::Fragment> Fragmenter::Flush() {
  if (pending_.empty()) return std::nullopt;
  return Build(pending_.back().timestamp + last_duration_);
}

Fragmenter::Fragment Fragmenter::Build(std::int64_t end_time) {
  Fragment fragment;
  fragment.sequence_number = next_sequence_++;
  fragment.start_time = pending_.front().timestamp - *first_timestamp_;
  fragment.duration = end_time - pending_.front().timestamp;
  fragment.sample_count = static_cast<std::uint32_t>(pending_.size());
  fragment.starts_with_keyframe = pending_.front().keyframe;

  struct Sample {
    std::uint32_t duration, size;
    bool keyframe;
  };
  std::vector<Sample> samples;
  std::size_t payload = 0;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    std::uint32_t size = 0;
    for (const auto& nal : pending_[i].nal_units) {
      if (NalType(nal) == 9) continue;  // access unit delimiters are not stored in MP4
      size += 4 + static_cast<std::uint32_t>(nal.size());
    }
    const std::int64_t next = i + 1 < pending_.size() ? pending_[i + 1].timestamp : end_time;
    samples.push_back(
        {static_cast<std::uint32_t>(std::max<std::int64_t>(1, next - pending_[i].timestamp)), size,
         pending_[i].keyframe});
    payload += size;
  }
  const std::size_t moof_size = 8 + 16 + 8 + 16 + 20 + 20 + 12 * samples.size() + 4;
  auto& out = fragment.bytes;
  out.reserve(moof_size + 8 + payload);
  Writer w(out);
  const auto moof = w.Begin("moof");
  const auto mfhd = w.BeginFull("mfhd", 0, 0);
  w.U32(fragment.sequence_number);
  w.End(mfhd);
  const auto traf = w.Begin("traf");
  const auto tfhd = w.BeginFull("tfhd", 0, 0x020000);  // default-base-is-moof
  w.U32(1);
  w.End(tfhd);
  const auto tfdt = w.BeginFull("tfdt", 1, 0);
  w.U64(static_cast<std::uint64_t>(fragment.start_time));
  w.End(tfdt);
  // data offset, and per sample: duration, size, flags.
  const auto trun = w.BeginFull("trun", 0, 0x000001 | 0x000100 | 0x000200 | 0x000400);
  w.U32(static_cast<std::uint32_t>(samples.size()));
  const std::size_t data_offset_at = w.size();
  w.U32(0);
  for (const Sample& s : samples) {
    w.U32(s.duration);
    w.U32(s.size);
    // A keyframe depends on nothing; other samples depend on others and are not sync samples.
    w.U32(s.keyframe ? 0x02000000 : 0x01010000);
  }
  w.End(trun);
  w.End(traf);
  w.End(moof);
  const std::uint32_t data_offset = static_cast<std::uint32_t>(out.size() - moof + 8);
  out[data_offset_at] = static_cast<std::uint8_t>(data_offset >> 24);
  out[data_offset_at + 1] = static_cast<std::uint8_t>(data_offset >> 16);
  out[data_offset_at + 2] = static_cast<std::uint8_t>(data_offset >> 8);
  out[data_offset_at + 3] = static_cast<std::uint8_t>(data_offset);
  const auto mdat = w.Begin("mdat");
  for (const AccessUnit& unit : pending_) {
    for (const auto& nal : unit.nal_units) {
      if (NalType(nal) == 9) continue;
      w.U32(static_cast<std::uint32_t>(nal.size()));
      w.Bytes(nal);
    }
  }
  w.End(mdat);
  pending_.clear();
  return fragment;
}

base::Result<std::vector<BoxHeader>> ReadTopLevelBoxes(std::span<const std::uint8_t> file) {
  std::vector<BoxHeader> boxes;
  std::uint64_t offset = 0;
  while (offset < file.size()) {
    if (file.size() - offset < 8) {
      return base::Fail(base::ErrorCode::kDataLoss, "a box header is cut short");
    }
    const auto* p = file.data() + offset;
    BoxHeader box;
    box.offset = offset;
    std::uint64_t size = (std::uint64_t{p[0]} << 24) | (std::uint64_t{p[1]} << 16) |
                         (std::uint64_t{p[2]} << 8) | p[3];
    std::memcpy(box.type.data(), p + 4, 4);
    box.header_size = 8;
    if (size == 1) {
      if (file.size() - offset < 16)
        return base::Fail(base::ErrorCode::kDataLoss, "a large box header is cut short");
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | p[i];
      box.header_size = 16;
    } else if (size == 0) {
      size = file.size() - offset;  // extends to the end of the file
    }
    if (size < box.header_size)
      return base::Fail(base::ErrorCode::kDataLoss, "a box is smaller than its header");
    if (size > file.size() - offset)
      return base::Fail(base::ErrorCode::kDataLoss, "the last box is cut short");
    box.size = size;
    boxes.push_back(box);
    offset += size;
  }
  return boxes;
}

std::uint64_t PlayablePrefixLength(std::span<const std::uint8_t> file) {
  std::uint64_t offset = 0, playable = 0;
  bool have_moov = false;
  std::optional<std::uint64_t> pending_moof_end;
  while (offset + 8 <= file.size()) {
    const auto* p = file.data() + offset;
    std::uint64_t size = (std::uint64_t{p[0]} << 24) | (std::uint64_t{p[1]} << 16) |
                         (std::uint64_t{p[2]} << 8) | p[3];
    std::uint32_t header = 8;
    if (size == 1) {
      if (offset + 16 > file.size()) break;
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | p[i];
      header = 16;
    }
    if (size < header || size > file.size() - offset) break;
    const std::string_view type(reinterpret_cast<const char*>(p + 4), 4);
    offset += size;
    if (type == "moov") {
      have_moov = true;
      playable = offset;
    } else if (type == "moof") {
      pending_moof_end = offset;
    } else if (type == "mdat" && pending_moof_end && have_moov) {
      playable = offset;
      pending_moof_end.reset();
    } else if (type == "ftyp" && !have_moov) {
      continue;
    }
  }
  return have_moov ? playable : 0;
}

}  // namespace camguard::media
