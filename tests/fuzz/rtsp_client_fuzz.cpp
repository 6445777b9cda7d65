// SPDX-License-Identifier: Apache-2.0
// Everything a camera (or whoever answers in its place) sends reaches the RTSP client: answers,
// SDP, interleaved RTP and RTCP. The input is split at its first byte into the answers that
// get the client to the playing state and what follows.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "rtsp/client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace camguard::rtsp;
  ClientConfig config;
  config.url = "rtsp://127.0.0.1:554/main";
  config.username = "admin";
  config.password = camguard::base::Redacted<std::string>("secret");
  Client client(config);
  const TimePoint now{};
  client.Start(now);
  (void)ParseSdp(std::string_view(reinterpret_cast<const char*>(data), size), config.url);
  // Feed in a few pieces so partial messages are exercised too.
  const std::span<const std::uint8_t> input(data, size);
  std::size_t offset = 0;
  std::size_t step = size > 0 ? (data[0] % 7) + 1 : 1;
  while (offset < size) {
    const std::size_t n = std::min(step, size - offset);
    client.OnBytes(input.subspan(offset, n), now);
    (void)client.TakeOutgoing();
    (void)client.TakeEvents();
    offset += n;
    step = step * 3 + 1;
  }
  client.OnUdpPacket(0, input, now);
  client.OnUdpPacket(1, input, now);
  client.OnTick(now + std::chrono::seconds(30));
  return 0;
}
