// SPDX-License-Identifier: Apache-2.0
// Decodes H.264 keyframes (IDR access units) of one camera into thumbnails with libavcodec's
// software decoder on the calling thread (thread_count = 1). Only keyframes are decoded: they
// need no earlier picture, so a camera costs one decode every GOP (about 2 s) and a lost packet
// costs at most one thumbnail.
//
// The bytes come from the camera, so anything may arrive: input is checked before libavcodec
// sees it (NAL types, parameter sets parsed by media::DescribeH264, size limits), libavcodec runs
// with strict error recognition, and damaged pictures are refused rather than concealed. Every
// failure is an error value; the decoder stays usable afterwards.
//
// Thread: one decoder per camera, used by one thread at a time; different decoders may run on
// different threads concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/result.h"
#include "media/fmp4.h"
#include "tamper/thumbnail.h"

namespace camguard::tamper {

struct DecoderOptions {
  int thumbnail_width = kDefaultThumbnailWidth;
  int thumbnail_height = kDefaultThumbnailHeight;
  // Bounds on what a camera can make us allocate: 4096x2304 (4K) pictures, 8 MiB keyframes.
  std::int64_t max_pixels = 4096LL * 2304LL;
  std::size_t max_access_unit_bytes = 8u << 20;
};

class KeyframeDecoder {
 public:
  explicit KeyframeDecoder(DecoderOptions options = {});
  ~KeyframeDecoder();
  KeyframeDecoder(KeyframeDecoder&&) noexcept;
  KeyframeDecoder& operator=(KeyframeDecoder&&) noexcept;
  KeyframeDecoder(const KeyframeDecoder&) = delete;
  KeyframeDecoder& operator=(const KeyframeDecoder&) = delete;

  // Parameter sets announced out of band (SDP sprop-parameter-sets), NAL units without start
  // codes. Used for keyframes that do not carry their own; in-band ones replace them.
  base::Status SetParameterSets(std::span<const std::uint8_t> sps,
                                std::span<const std::uint8_t> pps);

  // One access unit as an Annex-B byte stream (start codes between NAL units). It must contain
  // an IDR slice; SPS and PPS may be in it or known from before. Errors: kInvalidArgument for
  // bytes that are not an H.264 keyframe, kFailedPrecondition when no parameter sets are known,
  // kResourceExhausted past the size limits, kDataLoss when libavcodec finds the picture damaged.
  base::Result<Thumbnail> Decode(std::span<const std::uint8_t> annex_b);
  // The same for an access unit as the streaming engine hands it over.
  base::Result<Thumbnail> Decode(const media::AccessUnit& unit);

  // How many times the libavcodec decoder was (re)created: once at the first keyframe, again when
  // the camera's parameter sets change and after a decoding error.
  int decoder_opens() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace camguard::tamper
