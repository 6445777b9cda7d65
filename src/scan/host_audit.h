// SPDX-License-Identifier: Apache-2.0
// The audit of one host, given its open ports: identify each service (greeting, RTSP or HTTP
// answer, TLS handshake), run the checks that apply (RTSP, HTTP and ONVIF, telnet, TLS), the
// checks across services (is anything encrypted), and with brute_force_test the opt-in lockout
// test. One connection at a time per host; every probe is counted and, when verbose, logged.
// Non-destructive: reads only, apart from an ONVIF PTZ Stop sent to an idle camera.
#pragma once

#include <vector>

#include "base/clock.h"
#include "scan/credentials.h"
#include "scan/model.h"
#include "scan/net.h"
#include "scan/port_scan.h"

namespace camguard::scan {

struct HostAuditSettings {
  bool brute_force_test = false;
  // Wrong logins per service for the credential check (the whole list with brute_force_test).
  int login_failure_budget = kLoginFailureBudget;
};

// `scanned_ports`: every port the scan tried on this host (open or not), so that a closed
// telnet port counts as checked.
HostResult AuditHost(ProbeContext& context, const std::vector<std::uint16_t>& scanned_ports,
                     const std::vector<OpenPort>& open_ports, const HostAuditSettings& settings,
                     const base::Clock& clock);

}  // namespace camguard::scan
