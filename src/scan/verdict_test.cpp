// SPDX-License-Identifier: Apache-2.0
#include "scan/verdict.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace camguard::scan {
namespace {

HostResult Host(std::vector<std::string_view> checks_run, std::vector<std::string_view> failed) {
  HostResult host;
  host.address = "127.0.0.1";
  for (std::string_view c : checks_run) host.checks_run.insert(std::string(c));
  for (std::string_view c : failed) {
    host.checks_run.insert(std::string(c));
    host.findings.push_back({std::string(c), FindCheck(c)->severity, "rtsp://127.0.0.1:554", "x"});
  }
  return host;
}

// Everything a plain camsim camera runs.
const std::vector<std::string_view> kCamera = {check::kRtspStreamOpen,
                                               check::kSnapshotOpen,
                                               check::kDefaultCredentials,
                                               check::kOnvifAnonymousControl,
                                               check::kOnvifAnonymousDeviceInfo,
                                               check::kCve20177921,
                                               check::kBasicAuthCleartext,
                                               check::kTelnetOpen,
                                               check::kUnencryptedVideo,
                                               check::kUnencryptedWeb,
                                               check::kBannerVersion};

ProvisionVerdict VerdictOf(const Verdict& v, std::string_view id) {
  for (const ProvisionResult& p : v.provisions) {
    if (p.id == id) return p.verdict;
  }
  ADD_FAILURE() << "no provision " << id;
  return ProvisionVerdict::kNotTestable;
}

std::optional<int> ScoreOf(const Verdict& v, Aspect aspect) {
  for (const AspectScore& a : v.aspects) {
    if (a.aspect == aspect) return a.score;
  }
  return std::nullopt;
}

TEST(CatalogueTest, EveryCheckNamesKnownTestableProvisions) {
  for (const Check& c : Checks()) {
    EXPECT_FALSE(c.provisions.empty()) << c.id;
    EXPECT_TRUE(IsNetworkTestable(c.aspect)) << c.id;
    EXPECT_FALSE(c.fix.empty()) << c.id;
    for (std::string_view p : c.provisions) {
      const Provision* provision = FindProvision(p);
      ASSERT_NE(provision, nullptr) << c.id << " " << p;
      EXPECT_TRUE(provision->network_testable) << p;
    }
  }
  for (const Provision& p : Provisions()) {
    EXPECT_EQ(p.network_testable, p.why_not.empty()) << p.id;
  }
}

TEST(VerdictTest, ACleanCameraGetsFiveStars) {
  const Verdict v = Judge(Host(kCamera, {}));
  EXPECT_EQ(v.stars, 5);
  EXPECT_FALSE(v.worst);
  EXPECT_TRUE(v.cap.empty());
  EXPECT_TRUE(v.meets_network_baseline);
  EXPECT_EQ(VerdictOf(v, "5.1-1"), ProvisionVerdict::kPass);
  EXPECT_EQ(VerdictOf(v, "5.1-5"), ProvisionVerdict::kNotTestable);  // needs --brute-force-test
  EXPECT_EQ(ScoreOf(v, Aspect::kAttackProtection), 5);
  EXPECT_EQ(ScoreOf(v, Aspect::kTransmission), 5);
  EXPECT_FALSE(ScoreOf(v, Aspect::kAppSecurity));
  EXPECT_FALSE(ScoreOf(v, Aspect::kStoredData));
  EXPECT_FALSE(ScoreOf(v, Aspect::kHardware));
}

TEST(VerdictTest, PlainVideoAndWebCostOneStar) {
  const Verdict v = Judge(Host(kCamera, {check::kUnencryptedVideo, check::kUnencryptedWeb}));
  EXPECT_EQ(v.worst, Severity::kMedium);
  EXPECT_EQ(ScoreOf(v, Aspect::kTransmission), 3);  // worst medium; the low one adds nothing
  EXPECT_EQ(ScoreOf(v, Aspect::kAttackProtection), 5);
  EXPECT_EQ(v.stars, 4);
  EXPECT_FALSE(v.meets_network_baseline);
  EXPECT_EQ(VerdictOf(v, "5.5-1"), ProvisionVerdict::kFail);
  EXPECT_EQ(VerdictOf(v, "5.8-2"), ProvisionVerdict::kFail);
  EXPECT_EQ(VerdictOf(v, "5.1-1"), ProvisionVerdict::kPass);
}

TEST(VerdictTest, AnyCriticalCapsAtOneStar) {
  const Verdict v = Judge(Host(kCamera, {check::kDefaultCredentials}));
  EXPECT_EQ(v.worst, Severity::kCritical);
  EXPECT_EQ(ScoreOf(v, Aspect::kAttackProtection), 1);
  EXPECT_EQ(v.stars, 1);
  EXPECT_EQ(v.cap, "critical finding");
  EXPECT_EQ(VerdictOf(v, "5.1-1"), ProvisionVerdict::kFail);
}

TEST(VerdictTest, AnyHighCapsAtTwoStars) {
  const Verdict v = Judge(Host(kCamera, {check::kBasicAuthCleartext}));
  EXPECT_EQ(ScoreOf(v, Aspect::kTransmission), 2);
  EXPECT_EQ(v.stars, 2);
  EXPECT_EQ(v.cap, "high finding");
}

TEST(VerdictTest, FurtherFailedChecksLowerTheAspectDownToZero) {
  const Verdict v = Judge(Host(kCamera, {check::kRtspStreamOpen, check::kSnapshotOpen,
                                         check::kDefaultCredentials, check::kCve20177921}));
  EXPECT_EQ(ScoreOf(v, Aspect::kAttackProtection), 0);
}

TEST(VerdictTest, InfoFindingsDoNotFailProvisions) {
  const Verdict v =
      Judge(Host({check::kTlsLegacyProtocol, check::kTlsWeakCertificate}, {check::kTlsSelfSigned}));
  EXPECT_EQ(v.worst, Severity::kInfo);
  EXPECT_EQ(VerdictOf(v, "5.5-1"), ProvisionVerdict::kPass);
  EXPECT_EQ(v.stars, 5);
  EXPECT_FALSE(ScoreOf(v, Aspect::kAttackProtection));  // no attack check ran on this host
  EXPECT_EQ(ExitCodeFor(v.worst), 0);
}

TEST(VerdictTest, NothingTestableIsNotRated) {
  const Verdict v = Judge(Host({}, {}));
  EXPECT_EQ(v.stars, 0);
  EXPECT_FALSE(v.meets_network_baseline);
  EXPECT_TRUE(std::all_of(v.provisions.begin(), v.provisions.end(), [](const ProvisionResult& p) {
    return p.verdict == ProvisionVerdict::kNotTestable;
  }));
}

TEST(VerdictTest, ExitCodesFollowTheWorstSeverity) {
  EXPECT_EQ(ExitCodeFor(std::nullopt), 0);
  EXPECT_EQ(ExitCodeFor(Severity::kInfo), 0);
  EXPECT_EQ(ExitCodeFor(Severity::kLow), 0);
  EXPECT_EQ(ExitCodeFor(Severity::kMedium), 2);
  EXPECT_EQ(ExitCodeFor(Severity::kHigh), 3);
  EXPECT_EQ(ExitCodeFor(Severity::kCritical), 4);
}

}  // namespace
}  // namespace camguard::scan
