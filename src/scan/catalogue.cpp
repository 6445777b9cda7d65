// SPDX-License-Identifier: Apache-2.0
#include "scan/catalogue.h"

namespace camguard::scan {

std::string_view ToString(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

std::optional<Severity> ParseSeverity(std::string_view text) {
  for (Severity s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view AspectId(Aspect aspect) {
  switch (aspect) {
    case Aspect::kAttackProtection: return "attack-protection";
    case Aspect::kTransmission: return "transmission";
    case Aspect::kAppSecurity: return "app-security";
    case Aspect::kStoredData: return "stored-data";
    case Aspect::kHardware: return "hardware";
  }
  return "attack-protection";
}

std::string_view AspectName(Aspect aspect) {
  switch (aspect) {
    case Aspect::kAttackProtection: return "Protection against attack";
    case Aspect::kTransmission: return "Security of data transmission";
    case Aspect::kAppSecurity: return "App security";
    case Aspect::kStoredData: return "Confidentiality of stored data";
    case Aspect::kHardware: return "Hardware design";
  }
  return "";
}

bool IsNetworkTestable(Aspect aspect) {
  return aspect == Aspect::kAttackProtection || aspect == Aspect::kTransmission;
}

const std::vector<Provision>& Provisions() {
  static const std::vector<Provision> kProvisions = {
      {"5.1-1", "No universal default passwords", true, {}},
      {"5.1-3", "Authentication uses best-practice cryptography", true, {}},
      {"5.1-5", "Guessing passwords over the network is impracticable", true, {}},
      {"5.3-8", "Security updates are timely (no known exploitable flaw)", true, {}},
      {"5.5-1", "Communication uses best-practice cryptography", true, {}},
      {"5.5-4", "Device functions need authentication first", true, {}},
      {"5.5-5", "Security-relevant settings need authentication", true, {}},
      {"5.5-7", "Credentials stay confidential on the network", true, {}},
      {"5.6-1", "Unused network interfaces are disabled", true, {}},
      {"5.6-2", "Little security-relevant information before login", true, {}},
      {"5.6-4", "Debug interfaces are disabled or protected", true, {}},
      {"5.8-2", "Sensitive personal data (the video) is encrypted in transit", true, {}},
      {"5.1-2", "Pre-installed passwords are not derivable", false,
       "needs the factory password and the label it was derived from"},
      {"5.1-4", "The user can change the password simply", false,
       "needs the owner's login and the camera's app or web page"},
      {"5.2-1", "The maker publishes a vulnerability disclosure policy", false,
       "a document of the manufacturer, not a behaviour of the device"},
      {"5.3-2", "Software can be updated securely", false,
       "needs an update to be offered and observed"},
      {"5.3-10", "Updates are checked for authenticity and integrity", false,
       "needs a modified update image, which would change the camera"},
      {"5.3-13", "The support period is published", false, "a document of the manufacturer"},
      {"5.4-1", "Secrets are stored securely on the device", false,
       "needs the device's flash memory or firmware image"},
      {"5.4-3", "No hard-coded secrets in the software", false, "needs the firmware image"},
      {"5.7-1", "Software integrity is verified at boot", false, "needs the hardware in hand"},
      {"5.8-3", "Cameras, microphones and other sensors are documented", false,
       "a document of the manufacturer"},
      {"5.11-1", "User data can be erased simply", false,
       "needs the owner to erase the camera and inspect it"},
      {"5.13-1", "Input from the network is validated", false,
       "only malformed input would show it, and that can crash or change a camera"},
      {"6-1", "Consumers are told what personal data is processed", false,
       "a document of the manufacturer and the app"},
  };
  return kProvisions;
}

const Provision* FindProvision(std::string_view id) {
  for (const Provision& p : Provisions()) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const std::vector<Check>& Checks() {
  static const std::vector<Check> kChecks = {
      {check::kRtspStreamOpen,
       "Live video can be watched without a password",
       Severity::kCritical,
       Aspect::kAttackProtection,
       {"5.5-4", "5.1-1", "5.8-2"},
       "Anyone on the network (or the internet, if the port is forwarded) can watch the camera.",
       "Turn on authentication for RTSP streams in the camera's settings (often called "
       "\"RTSP authentication\" or \"stream password\"), or update the firmware."},
      {check::kSnapshotOpen,
       "Camera pictures can be downloaded without a password",
       Severity::kCritical,
       Aspect::kAttackProtection,
       {"5.5-4", "5.8-2"},
       "Anyone on the network can fetch still pictures from the camera at any time.",
       "Turn on authentication for snapshots (sometimes \"anonymous visit\" or \"guest access\" "
       "must be switched off), or update the firmware."},
      {check::kDefaultCredentials,
       "A factory-default or common password is accepted",
       Severity::kCritical,
       Aspect::kAttackProtection,
       {"5.1-1"},
       "The first thing automated attacks (such as the Mirai botnet) try: they take over the "
       "camera within seconds.",
       "Set a long, unique password on the camera (every account, including hidden or service "
       "accounts), then update the camera's password in camguard."},
      {check::kOnvifAnonymousControl,
       "ONVIF lets anyone read video addresses, accounts or control the camera without login",
       Severity::kCritical,
       Aspect::kAttackProtection,
       {"5.5-5", "5.5-4"},
       "Without a password, others can list the camera's users, find its streams or move it.",
       "Turn on ONVIF authentication (often \"ONVIF user verification\"), or turn ONVIF off if "
       "you do not use it; update the firmware."},
      {check::kOnvifAnonymousDeviceInfo,
       "Model, serial number and firmware version are shown before login",
       Severity::kMedium,
       Aspect::kAttackProtection,
       {"5.6-2"},
       "Attackers learn exactly which model and firmware to target; on some brands the serial "
       "number also opens the vendor's cloud relay.",
       "Turn on ONVIF authentication for device information, or update the firmware."},
      {check::kCve20177921,
       "Known authentication bypass (Hikvision CVE-2017-7921)",
       Severity::kCritical,
       Aspect::kAttackProtection,
       {"5.3-8", "5.5-5"},
       "A published one-line request reads the user list and configuration, and leads to full "
       "takeover of the camera.",
       "Update the camera's firmware now; until then, keep the camera off any network others "
       "can reach."},
      {check::kBasicAuthCleartext,
       "The password is sent readable on the network (Basic authentication without encryption)",
       Severity::kHigh,
       Aspect::kTransmission,
       {"5.5-7", "5.1-3"},
       "Anyone who can see the network traffic (a compromised device on the same Wi-Fi) reads "
       "the camera's password.",
       "Switch the camera's authentication to \"digest\" only, or use HTTPS/RTSPS; if the "
       "setting does not exist, update the firmware."},
      {check::kTelnetOpen,
       "Telnet remote login is open",
       Severity::kHigh,
       Aspect::kAttackProtection,
       {"5.6-1", "5.6-4"},
       "Telnet is a debug and maintenance door with no encryption; botnets log in through it.",
       "Turn telnet off in the camera's settings or update the firmware; if it cannot be turned "
       "off, block the port on the router or replace the camera."},
      {check::kUnencryptedVideo,
       "The video crosses the network unencrypted",
       Severity::kMedium,
       Aspect::kTransmission,
       {"5.5-1", "5.8-2"},
       "Anyone who can see the traffic between the camera and its viewer can watch the video.",
       "Use RTSPS/SRTP if the camera offers it; otherwise keep the camera on a separate network "
       "(VLAN or guest Wi-Fi) that only camguard reaches."},
      {check::kUnencryptedWeb,
       "The web and ONVIF interface has no HTTPS",
       Severity::kLow,
       Aspect::kTransmission,
       {"5.5-1"},
       "Settings and answers travel readable on the network (with digest, the password itself "
       "does not).",
       "Turn on HTTPS in the camera's network settings and turn plain HTTP off."},
      {check::kTlsLegacyProtocol,
       "Outdated TLS versions (1.0 or 1.1) are accepted",
       Severity::kMedium,
       Aspect::kTransmission,
       {"5.5-1"},
       "TLS 1.0 and 1.1 have known weaknesses and were retired in 2021 (RFC 8996).",
       "Update the firmware; in the camera's HTTPS settings allow only TLS 1.2 and 1.3."},
      {check::kTlsWeakCertificate,
       "The HTTPS certificate is expired or uses a weak key or signature",
       Severity::kMedium,
       Aspect::kTransmission,
       {"5.5-1"},
       "A weak key can be broken and an expired certificate teaches users to click through "
       "warnings.",
       "Create a new certificate in the camera's HTTPS settings (RSA 2048 bits or more, or an "
       "EC key, signed with SHA-256)."},
      {check::kTlsSelfSigned,
       "The HTTPS certificate is self-signed",
       Severity::kInfo,
       Aspect::kTransmission,
       {"5.5-1"},
       "Usual on a home network: a browser cannot tell the camera from an impostor the first "
       "time.",
       "Compare the certificate fingerprint once and let camguard remember it; nothing else to "
       "do."},
      {check::kBannerVersion,
       "Software versions are shown before login",
       Severity::kLow,
       Aspect::kAttackProtection,
       {"5.6-2"},
       "Attackers match the version against lists of known flaws.",
       "Update the firmware; some cameras let you hide the server banner."},
      {check::kBruteForceUnlimited,
       "Passwords can be guessed without limit",
       Severity::kHigh,
       Aspect::kAttackProtection,
       {"5.1-5"},
       "Short passwords (such as six digits) fall to automated guessing within hours.",
       "Turn on the camera's login lockout (\"illegal login lock\"), use a long password, and "
       "update the firmware."},
  };
  return kChecks;
}

const Check* FindCheck(std::string_view id) {
  for (const Check& c : Checks()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

}  // namespace camguard::scan
