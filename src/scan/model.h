// SPDX-License-Identifier: Apache-2.0
// What the audit found on one host: its services, the findings with their evidence, and which
// checks actually ran (a provision passes only when a check that tests it ran).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "scan/catalogue.h"

namespace camguard::scan {

enum class Protocol { kUnknown, kRtsp, kHttp, kTelnet, kOther };
std::string_view ToString(Protocol protocol);  // "unknown", "rtsp", "http", "telnet", "other"

struct Service {
  std::uint16_t port = 0;
  Protocol protocol = Protocol::kUnknown;
  bool tls = false;
  bool onvif = false;
  std::string banner;  // Server header or the greeting, made printable
  // "rtsp://127.0.0.1:554", "https://…", "telnet://…", "tcp://…"
  std::string Url(std::string_view address) const;
};

struct Finding {
  std::string check;  // a check:: id
  Severity severity = Severity::kInfo;
  std::string service;   // Service::Url of where it was seen
  std::string evidence;  // what was sent and what came back, printable, bounded
};

struct HostResult {
  std::string address;
  std::vector<Service> services;
  std::vector<Finding> findings;
  std::set<std::string> checks_run;
  std::vector<std::string> notes;  // what limited the audit (lockouts, budgets, timeouts)
  int probes = 0;                  // requests and connections made
  std::int64_t duration_ms = 0;
};

}  // namespace camguard::scan
