// SPDX-License-Identifier: Apache-2.0
// `camguard audit`: targets → port scan → one audit per host that answered → verdicts →
// terminal summary, JSON and HTML reports. docs/audit.md describes the checks, the rating, the
// JSON schema and the exit codes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "scan/report.h"
#include "scan/target.h"

namespace camguard::scan {

inline constexpr int kDefaultTimeoutMs = 2000;
inline constexpr int kDefaultConcurrency = 32;
inline constexpr int kMaxConcurrency = 256;
// Connects in flight during the port scan: 8 × concurrency, at most this.
inline constexpr int kMaxScanInFlight = 1024;
// New connections per second across the whole audit (port scan and checks together).
inline constexpr double kConnectionsPerSecond = 1000;

struct AuditCommandOptions {
  std::vector<std::string> targets;
  std::string json_path;  // empty: no JSON file
  std::string html_path;  // empty: no HTML file
  bool allow_public = false;
  bool brute_force_test = false;
  bool verbose = false;  // every probe on stderr
  std::string ports;     // "--ports" as given; empty for the default camera ports
  int timeout_ms = kDefaultTimeoutMs;
  int concurrency = kDefaultConcurrency;
};

struct AuditHooks {
  // Progress: phase ("ports", "cameras"), done, total. May be empty.
  std::function<void(std::string_view phase, std::size_t done, std::size_t total)> progress;
  // One line per probe (only with verbose). May be empty.
  std::function<void(const std::string& line)> log;
  Resolver resolve;  // host names; empty: names are refused
};

// Runs the whole audit; errors are bad options or targets (nothing was scanned then).
base::Result<AuditReport> RunAudit(const AuditCommandOptions& options, const base::Clock& clock,
                                   const AuditHooks& hooks);

// The command: runs the audit with a progress bar on stderr, prints the summary on stdout,
// writes the reports, and returns the exit code (docs/audit.md: 0 nothing above low, 2 medium,
// 3 high, 4 critical, 1 error).
int RunAuditCommand(const AuditCommandOptions& options);

}  // namespace camguard::scan
