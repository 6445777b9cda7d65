// SPDX-License-Identifier: Apache-2.0
// The audit's outputs, pure: the JSON document (schema in docs/audit.md, versioned by
// schema_version), one self-contained HTML page, and the terminal summary for non-experts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scan/model.h"
#include "scan/verdict.h"

namespace camguard::scan {

inline constexpr int kReportSchemaVersion = 1;

struct ReportOptions {
  std::vector<std::string> targets;
  std::vector<std::uint16_t> ports;  // the default list, or --ports
  int timeout_ms = 0;
  int concurrency = 0;
  bool brute_force_test = false;
  bool allow_public = false;
};

struct CameraReport {
  HostResult host;
  Verdict verdict;
};

struct AuditReport {
  std::string tool_version;
  ReportOptions options;
  std::string started_at;   // RFC 3339
  std::string finished_at;  // RFC 3339
  std::int64_t duration_ms = 0;
  std::size_t addresses_scanned = 0;
  std::size_t ports_probed = 0;
  std::vector<CameraReport> cameras;  // every address with an open port, in address order

  std::optional<Severity> Worst() const;
  int ExitCode() const { return ExitCodeFor(Worst()); }
};

std::string RenderJson(const AuditReport& report);
std::string RenderHtml(const AuditReport& report);
// Plain text (UTF-8 stars), at most ~100 columns.
std::string RenderSummary(const AuditReport& report);

// Text made safe for HTML element content and attribute values; invalid UTF-8 becomes U+FFFD.
std::string HtmlEscape(std::string_view text);
// A JSON string literal with its quotes; invalid UTF-8 becomes U+FFFD.
std::string JsonQuote(std::string_view text);

}  // namespace camguard::scan
