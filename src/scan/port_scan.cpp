// SPDX-License-Identifier: Apache-2.0
#include "scan/port_scan.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <thread>

namespace camguard::scan {
namespace {

constexpr std::size_t kGreetingBytes = 1024;

enum class Phase { kConnecting, kGreeting };

struct InFlight {
  std::size_t index = 0;  // into probes
  int fd = -1;
  Phase phase = Phase::kConnecting;
  Deadline deadline;
  std::string greeting;
};

}  // namespace

std::vector<OpenPort> ScanPorts(const std::vector<PortProbe>& probes,
                                const PortScanSettings& settings) {
  std::vector<std::optional<OpenPort>> results(probes.size());
  std::vector<InFlight> flight;
  const std::size_t limit = static_cast<std::size_t>(std::max(1, settings.concurrency));
  std::size_t next = 0;
  std::size_t done = 0;
  const auto finish = [&](InFlight& f, bool open) {
    if (open) {
      results[f.index] =
          OpenPort{probes[f.index].address, probes[f.index].port, std::move(f.greeting)};
    }
    if (f.fd >= 0) ::close(f.fd);
    f.fd = -1;
    ++done;
    if (settings.progress) settings.progress(done, probes.size());
  };

  while (next < probes.size() || !flight.empty()) {
    // Start connects while there is room and the limiter gives tokens.
    std::chrono::microseconds wait_for_token{0};
    while (next < probes.size() && flight.size() < limit) {
      if (settings.limiter != nullptr) {
        wait_for_token = settings.limiter->TryAcquire();
        if (wait_for_token.count() != 0) break;
      }
      InFlight f;
      f.index = next++;
      f.deadline = SteadyClock::now() + settings.connect_timeout;
      f.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (f.fd < 0) {
        finish(f, false);
        continue;
      }
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(probes[f.index].port);
      addr.sin_addr.s_addr = htonl(probes[f.index].address);
      if (::connect(f.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
        f.phase = Phase::kGreeting;
        f.deadline = SteadyClock::now() + settings.greeting_wait;
      } else if (errno != EINPROGRESS) {
        finish(f, false);
        continue;
      }
      flight.push_back(std::move(f));
    }
    if (flight.empty()) {
      if (wait_for_token.count() != 0) std::this_thread::sleep_for(wait_for_token);
      continue;
    }

    std::vector<pollfd> fds;
    fds.reserve(flight.size());
    Deadline earliest = flight.front().deadline;
    for (const InFlight& f : flight) {
      fds.push_back(
          {f.fd, static_cast<short>(f.phase == Phase::kConnecting ? POLLOUT : POLLIN), 0});
      earliest = std::min(earliest, f.deadline);
    }
    auto wait = std::chrono::duration_cast<Millis>(earliest - SteadyClock::now());
    if (wait_for_token.count() != 0 && next < probes.size() && flight.size() < limit) {
      wait = std::min(wait, std::chrono::duration_cast<Millis>(wait_for_token) + Millis(1));
    }
    const int timeout_ms = static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 1000));
    const int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) break;

    const Deadline now = SteadyClock::now();
    for (std::size_t i = 0; i < flight.size(); ++i) {
      InFlight& f = flight[i];
      const short revents = n > 0 ? fds[i].revents : 0;
      if (f.phase == Phase::kConnecting) {
        if (revents != 0) {
          int error = 0;
          socklen_t length = sizeof error;
          ::getsockopt(f.fd, SOL_SOCKET, SO_ERROR, &error, &length);
          if (error != 0) {
            finish(f, false);
          } else {
            f.phase = Phase::kGreeting;
            f.deadline = now + settings.greeting_wait;
          }
        } else if (now >= f.deadline) {
          finish(f, false);  // filtered or too slow: reported as closed
        }
        continue;
      }
      // Greeting phase: collect what the server says first, until the wait ends.
      if (revents != 0) {
        char buffer[512];
        const ssize_t got = ::recv(f.fd, buffer, sizeof buffer, 0);
        if (got > 0) {
          const std::size_t room = kGreetingBytes - f.greeting.size();
          f.greeting.append(buffer, std::min(room, static_cast<std::size_t>(got)));
          if (f.greeting.size() >= kGreetingBytes) finish(f, true);
          continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          finish(f, true);  // open, then closed by the server
          continue;
        }
      }
      if (now >= f.deadline) finish(f, true);
    }
    flight.erase(
        std::remove_if(flight.begin(), flight.end(), [](const InFlight& f) { return f.fd < 0; }),
        flight.end());
  }
  for (InFlight& f : flight) {
    if (f.fd >= 0) ::close(f.fd);
  }
  std::vector<OpenPort> open;
  for (auto& r : results) {
    if (r) open.push_back(std::move(*r));
  }
  return open;
}

}  // namespace camguard::scan
