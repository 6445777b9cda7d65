// SPDX-License-Identifier: Apache-2.0
// A camera's security-relevant configuration as flat key → value pairs (accounts, network
// interfaces, DNS, NTP, firmware), so two snapshots can be compared and every difference named.
// Stored as text, one "key=value" line each. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "onvif/soap.h"

namespace camguard::watch {

using ConfigSnapshot = std::map<std::string, std::string>;

struct CameraConfiguration {
  std::vector<onvif::User> users;
  std::vector<onvif::NetworkInterface> interfaces;
  std::optional<onvif::Dns> dns;  // absent when the camera does not answer GetDNS
  std::optional<onvif::Ntp> ntp;
  std::optional<onvif::DeviceInformation> device;
};

ConfigSnapshot SnapshotOf(const CameraConfiguration& configuration);

std::string Serialize(const ConfigSnapshot& snapshot);
base::Result<ConfigSnapshot> ParseSnapshot(std::string_view text);

struct ConfigChange {
  std::string key;
  std::optional<std::string> before;  // absent: added
  std::optional<std::string> after;   // absent: removed
  bool critical = false;              // a new account, or an account raised to administrator
  std::string description;            // one line a person reads
};

std::vector<ConfigChange> Diff(const ConfigSnapshot& before, const ConfigSnapshot& after);

}  // namespace camguard::watch
