// SPDX-License-Identifier: Apache-2.0
// Keyframes come from cameras: any bytes give a thumbnail or an error, and the decoder keeps
// working for the next keyframe. One decoder sees every input in turn, as one camera's decoder
// sees a stream of keyframes (parameter sets carried over, reopened on change and after errors).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "tamper/keyframe_decoder.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static camguard::tamper::KeyframeDecoder decoder;
  const std::span<const std::uint8_t> input(data, size);
  const auto thumbnail = decoder.Decode(input);
  if (thumbnail) {
    Check(thumbnail->width == camguard::tamper::kDefaultThumbnailWidth);
    Check(thumbnail->height == camguard::tamper::kDefaultThumbnailHeight);
    Check(thumbnail->luma.size() == static_cast<std::size_t>(thumbnail->width * thumbnail->height));
    Check(thumbnail->source_width > 0 && thumbnail->source_height > 0);
    // The same keyframe again gives the same picture: no state leaks from one keyframe into the
    // next.
    const auto again = decoder.Decode(input);
    Check(again.has_value() && again->luma == thumbnail->luma);
  } else {
    Check(!thumbnail.error().message.empty());
  }
  return 0;
}
