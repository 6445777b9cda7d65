// SPDX-License-Identifier: Apache-2.0
// TCP connect scan: many non-blocking connects in flight at once (bounded), each new one taken
// from the shared rate limiter, each bounded by the connect timeout. An open port is held for a
// short moment to catch a greeting (telnet, SSH and FTP servers speak first), then closed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scan/net.h"
#include "scan/target.h"

namespace camguard::scan {

struct PortProbe {
  Ipv4 address = 0;
  std::uint16_t port = 0;
};

struct OpenPort {
  Ipv4 address = 0;
  std::uint16_t port = 0;
  std::string greeting;  // the first bytes the server sent unasked (at most 1 KiB), or empty
};

struct PortScanSettings {
  Millis connect_timeout{2000};
  Millis greeting_wait{200};
  int concurrency = 32;
  RateLimiter* limiter = nullptr;
  std::function<void(std::size_t done, std::size_t total)> progress;  // may be empty
};

// Open ports in the order of `probes`.
std::vector<OpenPort> ScanPorts(const std::vector<PortProbe>& probes,
                                const PortScanSettings& settings);

}  // namespace camguard::scan
