// SPDX-License-Identifier: Apache-2.0
#include "scan/verdict.h"

#include <algorithm>
#include <map>

namespace camguard::scan {

std::string_view ToString(ProvisionVerdict verdict) {
  switch (verdict) {
    case ProvisionVerdict::kPass: return "pass";
    case ProvisionVerdict::kFail: return "fail";
    case ProvisionVerdict::kNotTestable: return "not-testable";
  }
  return "not-testable";
}

namespace {

int ScoreOfWorst(std::optional<Severity> worst) {
  if (!worst) return 5;
  switch (*worst) {
    case Severity::kInfo: return 5;
    case Severity::kLow: return 4;
    case Severity::kMedium: return 3;
    case Severity::kHigh: return 2;
    case Severity::kCritical: return 1;
  }
  return 5;
}

}  // namespace

Verdict Judge(const HostResult& host) {
  Verdict verdict;
  for (const Finding& f : host.findings) {
    if (!verdict.worst || f.severity > *verdict.worst) verdict.worst = f.severity;
  }

  // Provisions.
  for (const Provision& provision : Provisions()) {
    if (!provision.network_testable) continue;
    ProvisionResult result;
    result.id = std::string(provision.id);
    bool tested = false;
    for (const std::string& id : host.checks_run) {
      const Check* c = FindCheck(id);
      if (c != nullptr && std::find(c->provisions.begin(), c->provisions.end(), provision.id) !=
                              c->provisions.end()) {
        tested = true;
      }
    }
    for (const Finding& f : host.findings) {
      if (f.severity < Severity::kLow) continue;
      const Check* c = FindCheck(f.check);
      if (c == nullptr) continue;
      if (std::find(c->provisions.begin(), c->provisions.end(), provision.id) ==
          c->provisions.end()) {
        continue;
      }
      if (std::find(result.failed_checks.begin(), result.failed_checks.end(), f.check) ==
          result.failed_checks.end()) {
        result.failed_checks.push_back(f.check);
      }
    }
    if (!result.failed_checks.empty()) {
      result.verdict = ProvisionVerdict::kFail;
    } else if (tested) {
      result.verdict = ProvisionVerdict::kPass;
    }
    verdict.provisions.push_back(std::move(result));
  }
  bool any_fail = false;
  bool any_pass = false;
  for (const ProvisionResult& p : verdict.provisions) {
    any_fail = any_fail || p.verdict == ProvisionVerdict::kFail;
    any_pass = any_pass || p.verdict == ProvisionVerdict::kPass;
  }
  verdict.meets_network_baseline = any_pass && !any_fail;

  // Aspects.
  int sum = 0;
  int scored = 0;
  for (Aspect aspect : kAllAspects) {
    AspectScore score{aspect, std::nullopt};
    bool tested = false;
    for (const std::string& id : host.checks_run) {
      const Check* c = FindCheck(id);
      tested = tested || (c != nullptr && c->aspect == aspect);
    }
    if (IsNetworkTestable(aspect) && tested) {
      std::optional<Severity> worst;
      std::map<std::string, Severity> failed;  // check → severity, each check counted once
      for (const Finding& f : host.findings) {
        const Check* c = FindCheck(f.check);
        if (c == nullptr || c->aspect != aspect) continue;
        if (!worst || f.severity > *worst) worst = f.severity;
        if (f.severity >= Severity::kMedium) failed[f.check] = f.severity;
      }
      int value = ScoreOfWorst(worst);
      if (failed.size() > 1) value -= static_cast<int>(failed.size()) - 1;
      score.score = std::max(0, value);
      sum += *score.score;
      ++scored;
    }
    verdict.aspects.push_back(score);
  }

  // Stars: nothing to rate when the host offered no service a camera check applies to.
  if (host.checks_run.empty()) {
    verdict.stars = 0;
    return verdict;
  }
  // Mean rounded half up, in integers: (2*sum + scored) / (2*scored).
  int stars = scored == 0 ? 5 : (2 * sum + scored) / (2 * scored);
  stars = std::clamp(stars, 1, 5);
  if (verdict.worst == Severity::kCritical && stars > 1) {
    stars = 1;
    verdict.cap = "critical finding";
  } else if (verdict.worst == Severity::kHigh && stars > 2) {
    stars = 2;
    verdict.cap = "high finding";
  }
  verdict.stars = stars;
  return verdict;
}

int ExitCodeFor(std::optional<Severity> worst) {
  if (!worst) return 0;
  switch (*worst) {
    case Severity::kInfo:
    case Severity::kLow: return 0;
    case Severity::kMedium: return 2;
    case Severity::kHigh: return 3;
    case Severity::kCritical: return 4;
  }
  return 0;
}

}  // namespace camguard::scan
