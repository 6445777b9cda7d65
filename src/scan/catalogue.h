// SPDX-License-Identifier: Apache-2.0
// What the audit knows before it looks at a camera: the checks it runs (each with a fixed
// severity, the ETSI EN 303 645 provisions it tests, the Consumer Council aspect it belongs to,
// and the fix in plain words), the provisions it can and cannot judge over the network, and the
// Council's five test aspects. docs/audit.md prints the same tables.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace camguard::scan {

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view ToString(Severity severity);  // "info", "low", "medium", "high", "critical"
std::optional<Severity> ParseSeverity(std::string_view text);

// The Hong Kong Consumer Council's 2023 test aspects. Only the first two can be tested from
// the network; the others need the camera's app, its storage or the hardware in hand.
enum class Aspect { kAttackProtection, kTransmission, kAppSecurity, kStoredData, kHardware };
inline constexpr Aspect kAllAspects[] = {Aspect::kAttackProtection, Aspect::kTransmission,
                                         Aspect::kAppSecurity, Aspect::kStoredData,
                                         Aspect::kHardware};
std::string_view AspectId(Aspect aspect);    // "attack-protection", "transmission", ...
std::string_view AspectName(Aspect aspect);  // "Protection against attack", ...
bool IsNetworkTestable(Aspect aspect);

struct Provision {
  std::string_view id;     // "5.1-1"
  std::string_view title;  // the gist, in our words
  bool network_testable = false;
  std::string_view why_not;  // for the others: why the network cannot show it
};
// Network-testable provisions first, in clause order, then the others.
const std::vector<Provision>& Provisions();
const Provision* FindProvision(std::string_view id);

// Check identifiers: stable, they are part of the JSON schema.
namespace check {
inline constexpr std::string_view kRtspStreamOpen = "rtsp-stream-open";
inline constexpr std::string_view kSnapshotOpen = "snapshot-open";
inline constexpr std::string_view kDefaultCredentials = "default-credentials";
inline constexpr std::string_view kOnvifAnonymousControl = "onvif-anonymous-control";
inline constexpr std::string_view kOnvifAnonymousDeviceInfo = "onvif-anonymous-device-info";
inline constexpr std::string_view kCve20177921 = "cve-2017-7921";
inline constexpr std::string_view kBasicAuthCleartext = "basic-auth-cleartext";
inline constexpr std::string_view kTelnetOpen = "telnet-open";
inline constexpr std::string_view kUnencryptedVideo = "unencrypted-video";
inline constexpr std::string_view kUnencryptedWeb = "unencrypted-web";
inline constexpr std::string_view kTlsLegacyProtocol = "tls-legacy-protocol";
inline constexpr std::string_view kTlsWeakCertificate = "tls-weak-certificate";
inline constexpr std::string_view kTlsSelfSigned = "tls-self-signed";
inline constexpr std::string_view kBannerVersion = "banner-version";
inline constexpr std::string_view kBruteForceUnlimited = "brute-force-unlimited";
}  // namespace check

struct Check {
  std::string_view id;
  std::string_view title;  // what is wrong, as a finding's headline
  Severity severity = Severity::kInfo;
  Aspect aspect = Aspect::kAttackProtection;
  std::vector<std::string_view> provisions;
  std::string_view risk;  // what an attacker on the network can do because of it
  std::string_view fix;   // what the owner can do, in plain words
};
const std::vector<Check>& Checks();
// nullptr for an unknown id.
const Check* FindCheck(std::string_view id);

}  // namespace camguard::scan
