// SPDX-License-Identifier: Apache-2.0
#include "watch/config_snapshot.h"

#include <fmt/format.h>

namespace camguard::watch {
namespace {

using base::ErrorCode;
using base::Fail;

constexpr std::size_t kMaxSnapshotLines = 1024;
constexpr std::size_t kMaxValueBytes = 1024;

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) out += (out.empty() ? "" : ",") + value;
  return out;
}

// Keys and values come from the camera: keep them on one line and bounded.
std::string Clean(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxValueBytes)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '=') ? '?' : c;
  }
  return out;
}

std::string Describe(const std::string& key, const std::optional<std::string>& before,
                     const std::optional<std::string>& after) {
  if (key.rfind("user/", 0) == 0) {
    const std::string name = key.substr(5);
    if (!before) return fmt::format("new account '{}' ({})", name, *after);
    if (!after) return fmt::format("account '{}' removed", name);
    return fmt::format("account '{}' changed from {} to {}", name, *before, *after);
  }
  if (!before) return fmt::format("{} set to '{}'", key, *after);
  if (!after) return fmt::format("{} removed (was '{}')", key, *before);
  return fmt::format("{} changed from '{}' to '{}'", key, *before, *after);
}

}  // namespace

ConfigSnapshot SnapshotOf(const CameraConfiguration& c) {
  ConfigSnapshot s;
  for (const onvif::User& user : c.users)
    s["user/" + Clean(user.username)] = std::string(onvif::ToString(user.level));
  for (const onvif::NetworkInterface& nic : c.interfaces) {
    const std::string prefix = "interface/" + Clean(nic.token) + "/";
    s[prefix + "enabled"] = nic.enabled ? "true" : "false";
    s[prefix + "hw_address"] = Clean(nic.hw_address);
    s[prefix + "ipv4"] = Clean(Join(nic.ipv4_addresses));
    s[prefix + "dhcp"] = nic.dhcp ? "true" : "false";
  }
  if (c.dns) {
    s["dns/from_dhcp"] = c.dns->from_dhcp ? "true" : "false";
    s["dns/servers"] = Clean(Join(c.dns->servers));
    s["dns/search_domains"] = Clean(Join(c.dns->search_domains));
  }
  if (c.ntp) {
    s["ntp/from_dhcp"] = c.ntp->from_dhcp ? "true" : "false";
    s["ntp/servers"] = Clean(Join(c.ntp->servers));
  }
  if (c.device) {
    s["device/firmware"] = Clean(c.device->firmware_version);
    s["device/model"] = Clean(c.device->model);
    s["device/serial"] = Clean(c.device->serial_number);
  }
  return s;
}

std::string Serialize(const ConfigSnapshot& snapshot) {
  std::string out;
  for (const auto& [key, value] : snapshot) out += key + "=" + value + "\n";
  return out;
}

base::Result<ConfigSnapshot> ParseSnapshot(std::string_view text) {
  ConfigSnapshot snapshot;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Fail(ErrorCode::kDataLoss, "configuration snapshot line without key=value");
    }
    if (snapshot.size() == kMaxSnapshotLines) {
      return Fail(ErrorCode::kDataLoss, "configuration snapshot too long");
    }
    snapshot[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return snapshot;
}

std::vector<ConfigChange> Diff(const ConfigSnapshot& before, const ConfigSnapshot& after) {
  std::vector<ConfigChange> changes;
  auto add = [&](const std::string& key, std::optional<std::string> was,
                 std::optional<std::string> now) {
    ConfigChange change{key, std::move(was), std::move(now), false, ""};
    const bool user = key.rfind("user/", 0) == 0;
    change.critical =
        user && change.after &&
        (!change.before || (*change.after == "Administrator" && *change.before != "Administrator"));
    change.description = Describe(change.key, change.before, change.after);
    changes.push_back(std::move(change));
  };
  for (const auto& [key, value] : before) {
    auto it = after.find(key);
    if (it == after.end()) {
      add(key, value, std::nullopt);
    } else if (it->second != value) {
      add(key, value, it->second);
    }
  }
  for (const auto& [key, value] : after) {
    if (before.count(key) == 0) add(key, std::nullopt, value);
  }
  return changes;
}

}  // namespace camguard::watch
