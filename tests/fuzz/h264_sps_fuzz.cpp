// SPDX-License-Identifier: Apache-2.0
// Parameter sets come from cameras (SDP and in-band): any bytes give a value or an error.
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/h264.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  const std::size_t half = size / 2;
  (void)camguard::media::DescribeH264(input.subspan(0, half), input.subspan(half));
  (void)camguard::media::SplitAnnexB(input);
  (void)camguard::media::Unescape(input);
  return 0;
}
