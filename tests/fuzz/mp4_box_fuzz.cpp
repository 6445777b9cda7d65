// SPDX-License-Identifier: Apache-2.0
// Recorded files are read back after crashes: the box walker must survive any bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/fmp4.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> file(data, size);
  (void)camguard::media::ReadTopLevelBoxes(file);
  (void)camguard::media::PlayablePrefixLength(file);
  return 0;
}
