// SPDX-License-Identifier: Apache-2.0
#include "tamper/keyframe_decoder.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>

#include <fmt/format.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/pixfmt.h>
}

#include "media/h264.h"

namespace camguard::tamper {

namespace {

using base::ErrorCode;
using base::Fail;
using Nal = std::span<const std::uint8_t>;

constexpr std::uint8_t kNalSlice = 1;
constexpr std::uint8_t kNalIdrSlice = 5;
constexpr std::uint8_t kNalSps = 7;
constexpr std::uint8_t kNalPps = 8;
// A 1080p keyframe has a handful of slices; hundreds of NAL units are not a picture.
constexpr std::size_t kMaxNalUnits = 1024;
constexpr std::size_t kMaxPpsCount = 32;
constexpr std::uint8_t kStartCode[] = {0, 0, 0, 1};

std::string AvError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

// libavcodec reports through av_log on stderr; the daemon reports through Result and its own log.
void SilenceLibavLog() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

bool EightBitPlanarLuma(int format) {
  switch (format) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUV422P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUV444P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_GRAY8: return true;
    default: return false;
  }
}

bool FullRange(const AVFrame& frame) {
  switch (frame.format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P: return true;
    default: return frame.color_range == AVCOL_RANGE_JPEG;
  }
}

struct ContextDeleter {
  void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct PacketDeleter {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct FrameDeleter {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};

}  // namespace

class KeyframeDecoder::Impl {
 public:
  explicit Impl(DecoderOptions options) : options_(options) { SilenceLibavLog(); }

  base::Status SetParameterSets(Nal sps, Nal pps) {
    std::vector<std::vector<std::uint8_t>> pps_list;
    pps_list.emplace_back(pps.begin(), pps.end());
    CAMGUARD_TRY_STATUS(CheckParameterSets(sps, pps_list));
    known_sps_.assign(sps.begin(), sps.end());
    known_pps_ = std::move(pps_list);
    return base::Ok();
  }

  base::Result<Thumbnail> Decode(const std::vector<Nal>& nal_units) {
    if (nal_units.empty()) return Fail(ErrorCode::kInvalidArgument, "no H.264 NAL units");
    if (nal_units.size() > kMaxNalUnits) {
      return Fail(ErrorCode::kResourceExhausted,
                  fmt::format("{} NAL units in one access unit", nal_units.size()));
    }
    std::optional<Nal> sps;
    std::vector<std::vector<std::uint8_t>> pps_list;
    std::vector<Nal> slices;
    std::size_t total = 0;
    for (const Nal nal : nal_units) {
      if (nal.empty()) continue;
      total += nal.size();
      if (total > options_.max_access_unit_bytes) {
        return Fail(ErrorCode::kResourceExhausted, "access unit larger than the limit");
      }
      if ((nal[0] & 0x80) != 0) {
        return Fail(ErrorCode::kInvalidArgument, "NAL unit with the forbidden bit set");
      }
      switch (nal[0] & 0x1f) {
        case kNalSps: sps = nal; break;
        case kNalPps:
          if (pps_list.size() >= kMaxPpsCount) {
            return Fail(ErrorCode::kInvalidArgument, "too many picture parameter sets");
          }
          pps_list.emplace_back(nal.begin(), nal.end());
          break;
        case kNalIdrSlice: slices.push_back(nal); break;
        case kNalSlice: return Fail(ErrorCode::kInvalidArgument, "not a keyframe (non-IDR slice)");
        default: break;  // AUD, SEI, filler: nothing the picture needs
      }
    }
    if (slices.empty()) return Fail(ErrorCode::kInvalidArgument, "no IDR slice in access unit");

    // In-band parameter sets replace the known ones; a keyframe without any uses the known ones.
    if (sps.has_value() != !pps_list.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "access unit carries an SPS or a PPS, not both");
    }
    if (sps) {
      CAMGUARD_TRY_STATUS(CheckParameterSets(*sps, pps_list));
      known_sps_.assign(sps->begin(), sps->end());
      known_pps_ = std::move(pps_list);
    } else if (known_sps_.empty()) {
      return Fail(ErrorCode::kFailedPrecondition, "no H.264 parameter sets known yet");
    }

    if (!context_ || opened_sps_ != known_sps_ || opened_pps_ != known_pps_) {
      CAMGUARD_TRY_STATUS(Open());
    }
    return DecodePicture(slices);
  }

  int opens() const { return opens_; }
  std::size_t max_access_unit_bytes() const { return options_.max_access_unit_bytes; }

 private:
  base::Status CheckParameterSets(Nal sps, const std::vector<std::vector<std::uint8_t>>& pps) {
    if (pps.empty()) return Fail(ErrorCode::kInvalidArgument, "no picture parameter set");
    for (const auto& one : pps) {
      auto described = media::DescribeH264(sps, one);
      if (!described) return base::Wrap(described.error(), "H.264 parameter sets");
      const std::int64_t pixels = std::int64_t{described->width} * described->height;
      if (pixels <= 0) return Fail(ErrorCode::kInvalidArgument, "H.264 picture of size zero");
      if (pixels > options_.max_pixels) {
        return Fail(ErrorCode::kResourceExhausted,
                    fmt::format("H.264 picture of {}x{} is larger than the limit", described->width,
                                described->height));
      }
    }
    return base::Ok();
  }

  // A fresh libavcodec decoder for the current parameter sets: simpler and safer than trusting
  // the decoder to switch resolution or profile in place.
  base::Status Open() {
    context_.reset();
    const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
    if (codec == nullptr) return Fail(ErrorCode::kInternal, "libavcodec has no H.264 decoder");
    std::unique_ptr<AVCodecContext, ContextDeleter> context(avcodec_alloc_context3(codec));
    if (!context) return Fail(ErrorCode::kResourceExhausted, "cannot allocate a decoder");
    context->thread_count = 1;
    // Refuse damaged pictures instead of concealing them: a half-grey picture would look like
    // a covered or moved camera.
    context->err_recognition = AV_EF_EXPLODE;
    context->max_pixels = options_.max_pixels;
    context->skip_frame = AVDISCARD_NONKEY;
    if (const int error = avcodec_open2(context.get(), codec, nullptr); error < 0) {
      return Fail(ErrorCode::kInternal, "opening the H.264 decoder: " + AvError(error));
    }
    if (!packet_) packet_.reset(av_packet_alloc());
    if (!frame_) frame_.reset(av_frame_alloc());
    if (!packet_ || !frame_) return Fail(ErrorCode::kResourceExhausted, "cannot allocate buffers");
    context_ = std::move(context);
    opened_sps_ = known_sps_;
    opened_pps_ = known_pps_;
    ++opens_;
    return base::Ok();
  }

  base::Result<Thumbnail> DecodePicture(const std::vector<Nal>& slices) {
    std::size_t size = sizeof kStartCode + opened_sps_.size();
    for (const auto& pps : opened_pps_) size += sizeof kStartCode + pps.size();
    for (const Nal slice : slices) size += sizeof kStartCode + slice.size();
    av_packet_unref(packet_.get());
    if (av_new_packet(packet_.get(), static_cast<int>(size)) < 0) {
      return Fail(ErrorCode::kResourceExhausted, "cannot allocate a packet");
    }
    std::uint8_t* out = packet_->data;
    const auto append = [&out](Nal nal) {
      std::memcpy(out, kStartCode, sizeof kStartCode);
      out += sizeof kStartCode;
      if (!nal.empty()) std::memcpy(out, nal.data(), nal.size());
      out += nal.size();
    };
    append(opened_sps_);
    for (const auto& pps : opened_pps_) append(pps);
    for (const Nal slice : slices) append(slice);
    packet_->flags |= AV_PKT_FLAG_KEY;

    auto picture = SendAndReceive();
    // Drained (or failed): reset so the next keyframe starts clean. After an error the decoder's
    // state is not trusted at all and is rebuilt.
    if (picture) {
      avcodec_flush_buffers(context_.get());
    } else {
      context_.reset();
    }
    return picture;
  }

  base::Result<Thumbnail> SendAndReceive() {
    if (const int error = avcodec_send_packet(context_.get(), packet_.get()); error < 0) {
      return Fail(ErrorCode::kDataLoss, "undecodable keyframe: " + AvError(error));
    }
    // End of stream: makes the decoder return the picture now, whatever reordering delay the
    // stream declares.
    if (const int error = avcodec_send_packet(context_.get(), nullptr); error < 0) {
      return Fail(ErrorCode::kDataLoss, "undecodable keyframe: " + AvError(error));
    }
    std::optional<base::Result<Thumbnail>> first;
    while (true) {
      const int error = avcodec_receive_frame(context_.get(), frame_.get());
      if (error == AVERROR_EOF) break;
      if (error < 0) return Fail(ErrorCode::kDataLoss, "undecodable keyframe: " + AvError(error));
      if (!first) first = ToThumbnail(*frame_);
      av_frame_unref(frame_.get());
    }
    if (!first) return Fail(ErrorCode::kDataLoss, "keyframe gave no picture");
    return std::move(*first);
  }

  base::Result<Thumbnail> ToThumbnail(const AVFrame& frame) const {
    if (frame.decode_error_flags != 0 || (frame.flags & AV_FRAME_FLAG_CORRUPT) != 0) {
      return Fail(ErrorCode::kDataLoss, "damaged keyframe");
    }
    if (!EightBitPlanarLuma(frame.format)) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("unsupported pixel format {}", frame.format));
    }
    if (frame.data[0] == nullptr || frame.linesize[0] < frame.width || frame.width <= 0 ||
        frame.height <= 0) {
      return Fail(ErrorCode::kInternal, "decoder returned an empty picture");
    }
    LumaPlane plane;
    plane.width = frame.width;
    plane.height = frame.height;
    plane.stride = frame.linesize[0];
    plane.samples = std::span<const std::uint8_t>(
        frame.data[0],
        static_cast<std::size_t>(frame.height - 1) * static_cast<std::size_t>(frame.linesize[0]) +
            static_cast<std::size_t>(frame.width));
    plane.limited_range = !FullRange(frame);
    return MakeThumbnail(plane, options_.thumbnail_width, options_.thumbnail_height);
  }

  DecoderOptions options_;
  std::vector<std::uint8_t> known_sps_;
  std::vector<std::vector<std::uint8_t>> known_pps_;
  std::vector<std::uint8_t> opened_sps_;
  std::vector<std::vector<std::uint8_t>> opened_pps_;
  std::unique_ptr<AVCodecContext, ContextDeleter> context_;
  std::unique_ptr<AVPacket, PacketDeleter> packet_;
  std::unique_ptr<AVFrame, FrameDeleter> frame_;
  int opens_ = 0;
};

KeyframeDecoder::KeyframeDecoder(DecoderOptions options) : impl_(std::make_unique<Impl>(options)) {}
KeyframeDecoder::~KeyframeDecoder() = default;
KeyframeDecoder::KeyframeDecoder(KeyframeDecoder&&) noexcept = default;
KeyframeDecoder& KeyframeDecoder::operator=(KeyframeDecoder&&) noexcept = default;

base::Status KeyframeDecoder::SetParameterSets(std::span<const std::uint8_t> sps,
                                               std::span<const std::uint8_t> pps) {
  return impl_->SetParameterSets(sps, pps);
}

base::Result<Thumbnail> KeyframeDecoder::Decode(std::span<const std::uint8_t> annex_b) {
  if (annex_b.size() > impl_->max_access_unit_bytes()) {
    return Fail(ErrorCode::kResourceExhausted, "access unit larger than the limit");
  }
  return impl_->Decode(media::SplitAnnexB(annex_b));
}

base::Result<Thumbnail> KeyframeDecoder::Decode(const media::AccessUnit& unit) {
  std::vector<Nal> nal_units;
  nal_units.reserve(unit.nal_units.size());
  for (const auto& nal : unit.nal_units) nal_units.emplace_back(nal);
  return impl_->Decode(nal_units);
}

int KeyframeDecoder::decoder_opens() const { return impl_->opens(); }

}  // namespace camguard::tamper
