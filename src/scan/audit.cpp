// SPDX-License-Identifier: Apache-2.0
#include "scan/audit.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "base/files.h"
#include "crypto/crypto.h"
#include "scan/host_audit.h"
#include "scan/port_scan.h"
#include "scan/wire.h"

namespace camguard::scan {

using base::ErrorCode;
using base::Fail;

namespace {

constexpr std::string_view kToolVersion = "0.1.0";

base::Result<std::vector<Ipv4>> ResolveWithSystem(const std::string& hostname) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(hostname.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    return Fail(ErrorCode::kNotFound, fmt::format("cannot resolve: {}", ::gai_strerror(rc)));
  }
  std::vector<Ipv4> out;
  for (const addrinfo* a = list; a != nullptr; a = a->ai_next) {
    if (a->ai_family != AF_INET || a->ai_addrlen < sizeof(sockaddr_in)) continue;
    sockaddr_in addr{};
    std::memcpy(&addr, a->ai_addr, sizeof addr);
    const Ipv4 ip = ntohl(addr.sin_addr.s_addr);
    if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
  }
  ::freeaddrinfo(list);
  return out;
}

// The progress bar on stderr: redrawn in place on a terminal, a line per phase otherwise.
class Progress {
 public:
  explicit Progress(bool verbose) : tty_(::isatty(STDERR_FILENO) == 1 && !verbose) {}

  void Update(std::string_view phase, std::size_t done, std::size_t total) {
    std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    const bool changed = phase != phase_;
    const bool finished = done == total;
    if (!tty_) {
      if (finished && (changed || last_done_ != done)) {
        std::fprintf(stderr, "camguard audit: %.*s %zu/%zu done\n", static_cast<int>(phase.size()),
                     phase.data(), done, total);
      }
    } else if (changed || finished || now - last_draw_ > Millis(100)) {
      constexpr std::size_t kWidth = 30;
      const std::size_t filled = total == 0 ? kWidth : done * kWidth / total;
      std::fprintf(stderr, "\r%-8.*s [%s%s] %zu/%zu%s", static_cast<int>(phase.size()),
                   phase.data(), std::string(filled, '#').c_str(),
                   std::string(kWidth - filled, '.').c_str(), done, total, finished ? "\n" : "");
      std::fflush(stderr);
      last_draw_ = now;
    }
    phase_ = std::string(phase);
    last_done_ = done;
  }

 private:
  std::mutex mutex_;
  bool tty_;
  std::string phase_;
  std::size_t last_done_ = static_cast<std::size_t>(-1);
  SteadyClock::time_point last_draw_{};
};

}  // namespace

base::Result<AuditReport> RunAudit(const AuditCommandOptions& options, const base::Clock& clock,
                                   const AuditHooks& hooks) {
  if (options.timeout_ms < 50 || options.timeout_ms > 60'000) {
    return Fail(ErrorCode::kInvalidArgument, "--timeout: between 50 and 60000 ms");
  }
  if (options.concurrency < 1 || options.concurrency > kMaxConcurrency) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("--concurrency: between 1 and {}", kMaxConcurrency));
  }
  std::vector<std::uint16_t> ports = DefaultPorts();
  if (!options.ports.empty()) {
    CAMGUARD_TRY(ports, ParsePortList(options.ports));
  }
  CAMGUARD_TRY(const std::vector<ScanTarget> targets,
               ExpandTargets(options.targets, ports, options.allow_public, hooks.resolve));

  AuditReport report;
  report.tool_version = std::string(kToolVersion);
  report.options = {options.targets,          ports,
                    options.timeout_ms,       options.concurrency,
                    options.brute_force_test, options.allow_public};
  const base::WallTime started = clock.Now();
  const auto started_steady = SteadyClock::now();
  report.started_at = base::FormatRfc3339(started);
  report.addresses_scanned = targets.size();

  RateLimiter limiter(kConnectionsPerSecond, std::max(16.0, kConnectionsPerSecond / 10));
  const Millis timeout(options.timeout_ms);

  // 1. Port scan.
  std::vector<PortProbe> probes;
  for (const ScanTarget& t : targets) {
    for (std::uint16_t p : t.ports) probes.push_back({t.address, p});
  }
  report.ports_probed = probes.size();
  PortScanSettings scan;
  scan.connect_timeout = timeout;
  scan.greeting_wait = std::min(Millis(250), timeout);
  // Connects are cheap, and on a real network most addresses of a block never answer: the scan
  // keeps eight per audited camera in flight, within the process's descriptor limit.
  scan.concurrency = std::min(kMaxScanInFlight, options.concurrency * 8);
  if (rlimit limit{}; ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    const auto room = static_cast<int>(limit.rlim_cur) - options.concurrency - 64;
    scan.concurrency = std::max(1, std::min(scan.concurrency, room));
  }
  scan.limiter = &limiter;
  if (hooks.progress) {
    scan.progress = [&](std::size_t done, std::size_t total) {
      hooks.progress("ports", done, total);
    };
  }
  const std::vector<OpenPort> open = ScanPorts(probes, scan);
  if (options.verbose && hooks.log) {
    std::map<std::pair<Ipv4, std::uint16_t>, const OpenPort*> found;
    for (const OpenPort& p : open) found[{p.address, p.port}] = &p;
    for (const PortProbe& p : probes) {
      auto it = found.find({p.address, p.port});
      hooks.log(fmt::format("{}:{} TCP connect → {}", FormatIpv4(p.address), p.port,
                            it == found.end() ? std::string("closed or filtered")
                            : it->second->greeting.empty()
                                ? std::string("open")
                                : "open, greeting '" + Printable(it->second->greeting, 60) + "'"));
    }
  }
  std::map<Ipv4, std::vector<OpenPort>> by_host;
  for (const OpenPort& p : open) by_host[p.address].push_back(p);
  std::map<Ipv4, const std::vector<std::uint16_t>*> scanned;
  for (const ScanTarget& t : targets) scanned[t.address] = &t.ports;

  // 2. One audit per host that answered, `concurrency` hosts at a time.
  std::vector<std::pair<Ipv4, std::vector<OpenPort>>> hosts(by_host.begin(), by_host.end());
  std::vector<CameraReport> results(hosts.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex log_mutex;
  const auto log = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    if (hooks.log) hooks.log(line);
  };
  HostAuditSettings host_settings;
  host_settings.brute_force_test = options.brute_force_test;
  const auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= hosts.size()) return;
      const auto host_started = SteadyClock::now();
      ProbeContext context(hosts[i].first, timeout, limiter,
                           options.verbose && hooks.log
                               ? std::function<void(const std::string&)>(log)
                               : std::function<void(const std::string&)>());
      CameraReport camera;
      camera.host =
          AuditHost(context, *scanned.at(hosts[i].first), hosts[i].second, host_settings, clock);
      camera.host.duration_ms =
          std::chrono::duration_cast<Millis>(SteadyClock::now() - host_started).count();
      camera.verdict = Judge(camera.host);
      results[i] = std::move(camera);
      const std::size_t finished = done.fetch_add(1) + 1;
      if (hooks.progress) hooks.progress("cameras", finished, hosts.size());
    }
  };
  const std::size_t workers =
      std::min<std::size_t>(static_cast<std::size_t>(options.concurrency), hosts.size());
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  if (hosts.empty() && hooks.progress) hooks.progress("cameras", 0, 0);

  report.cameras = std::move(results);
  report.finished_at = base::FormatRfc3339(clock.Now());
  report.duration_ms =
      std::chrono::duration_cast<Millis>(SteadyClock::now() - started_steady).count();
  return report;
}

int RunAuditCommand(const AuditCommandOptions& options) {
  if (auto status = crypto::Initialize(); !status) {
    std::fprintf(stderr, "camguard audit: %s\n", status.error().message.c_str());
    return 1;
  }
  ::signal(SIGPIPE, SIG_IGN);
  Progress progress(options.verbose);
  AuditHooks hooks;
  hooks.progress = [&](std::string_view phase, std::size_t done, std::size_t total) {
    progress.Update(phase, done, total);
  };
  hooks.log = [](const std::string& line) { std::fprintf(stderr, "probe %s\n", line.c_str()); };
  hooks.resolve = ResolveWithSystem;
  base::SystemClock clock;
  auto report = RunAudit(options, clock, hooks);
  if (!report) {
    std::fprintf(stderr, "camguard audit: %s\n", report.error().message.c_str());
    return 1;
  }
  const std::string summary = RenderSummary(*report);
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  std::fflush(stdout);
  // The reports may hold the default passwords that worked: private files (0600).
  if (!options.json_path.empty()) {
    if (auto written = base::WritePrivateFile(options.json_path, RenderJson(*report)); !written) {
      std::fprintf(stderr, "camguard audit: --json %s: %s\n", options.json_path.c_str(),
                   written.error().message.c_str());
      return 1;
    }
  }
  if (!options.html_path.empty()) {
    if (auto written = base::WritePrivateFile(options.html_path, RenderHtml(*report)); !written) {
      std::fprintf(stderr, "camguard audit: --html %s: %s\n", options.html_path.c_str(),
                   written.error().message.c_str());
      return 1;
    }
  }
  return report->ExitCode();
}

}  // namespace camguard::scan
