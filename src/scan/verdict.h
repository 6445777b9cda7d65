// SPDX-License-Identifier: Apache-2.0
// The rating of one camera, pure (docs/audit.md "Rating rules"):
//  - a provision fails when a finding of low severity or above names it, passes when a check
//    that tests it ran without such a finding, and is not testable otherwise;
//  - each network-testable Council aspect that a check ran for scores 5, 4, 3, 2 or 1 by its worst
//  finding (none or
//    info, low, medium, high, critical), minus one for every further failed check of medium
//    severity or above in that aspect, never below 0;
//  - stars are the mean of those scores rounded half up (1 to 5), capped at 1 star when any
//    finding is critical and at 2 stars when any is high.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scan/catalogue.h"
#include "scan/model.h"

namespace camguard::scan {

enum class ProvisionVerdict { kPass, kFail, kNotTestable };
std::string_view ToString(ProvisionVerdict verdict);  // "pass", "fail", "not-testable"

struct ProvisionResult {
  std::string id;
  ProvisionVerdict verdict = ProvisionVerdict::kNotTestable;
  std::vector<std::string> failed_checks;  // for kFail, the checks that failed it
};

struct AspectScore {
  Aspect aspect = Aspect::kAttackProtection;
  // 0..5; nullopt for aspects the network cannot show, or that no check ran for
  std::optional<int> score;
};

struct Verdict {
  int stars = 0;                  // 1..5; 0 when nothing was testable (no camera service found)
  std::string cap;                // "critical finding" or "high finding" when the stars were capped
  std::optional<Severity> worst;  // worst finding, nullopt without findings
  std::vector<AspectScore> aspects;
  std::vector<ProvisionResult> provisions;  // the network-testable provisions only
  bool meets_network_baseline = false;      // no testable provision failed, and one passed
};

Verdict Judge(const HostResult& host);

// The process exit code for the worst finding of a whole audit (docs/audit.md): 0 for none,
// info or low; 2 medium; 3 high; 4 critical. (1 is kept for errors.)
int ExitCodeFor(std::optional<Severity> worst);

}  // namespace camguard::scan
