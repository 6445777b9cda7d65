// SPDX-License-Identifier: Apache-2.0
// The daemon's configuration: a TOML file (see ExampleConfig() for the layout) parsed into a
// plain struct. Parsing is strict: unknown keys and sections, wrong types and out-of-range
// values are errors, so a typo in a security setting is never silently ignored.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace camguard::config {

struct Config {
  std::string listen_host = "0.0.0.0";  // IPv4 literal, IPv6 literal (no brackets) or host name
  std::uint16_t listen_port = 8443;
  std::vector<std::string> server_names;  // extra DNS names for the generated certificate
  std::optional<std::filesystem::path> tls_certificate;  // both or neither, absolute paths
  std::optional<std::filesystem::path> tls_private_key;
  std::uint64_t argon2_memory_kib = 65536;
  std::uint32_t argon2_iterations = 2;
  bool allow_weak_password_hashing = false;  // tests only; below-floor params refused unless true
  std::chrono::seconds session_idle_timeout{12 * 3600};
  std::chrono::seconds session_absolute_timeout{7 * 24 * 3600};
  int throttle_free_failures = 5;
  std::chrono::seconds throttle_max_delay{900};
  // Extra origins accepted besides https://<Host>, normalized as the browser serializes them
  // (RFC 6454 §6.2: lower case, default port 443 omitted), e.g. "https://cams.example:8443".
  std::vector<std::string> allowed_origins;
  // [recording]
  std::optional<std::filesystem::path> recordings_directory;  // default DATA_DIR/recordings
  bool encrypt_recordings = true;
  std::chrono::seconds segment_length{60};
  std::uint64_t disk_budget_gib = 0;  // 0: bounded only by min_free_percent
  int min_free_percent = 5;
  std::chrono::seconds stall_timeout{10};
  std::chrono::seconds reconnect_max_delay{30};
  // [watch]
  std::chrono::seconds watch_poll_interval{1};
  std::chrono::seconds watch_config_interval{60};
  std::chrono::seconds tamper_interval{6};  // 0: image tamper detection off
  // [mqtt]
  bool mqtt_enabled = false;
  std::string mqtt_host = "127.0.0.1";
  std::uint16_t mqtt_port = 1883;
  std::string mqtt_username;
  std::optional<std::filesystem::path> mqtt_password_file;  // absolute; the password, one line
  std::optional<std::filesystem::path> mqtt_ca_file;        // set: TLS to the broker
  // An API token (absolute path, one line) that authorizes commands from Home Assistant; unset:
  // the MQTT integration only reports.
  std::optional<std::filesystem::path> mqtt_command_token_file;
  std::string mqtt_base_topic = "camguard";
  std::string mqtt_discovery_prefix = "homeassistant";
  std::string mqtt_hub_id = "camguard";
  std::string log_level = "info";   // trace debug info warn error
  std::string log_format = "text";  // text | json

  bool operator==(const Config&) const = default;
};

// Limits and floors, shared with the tests and the documentation.
inline constexpr std::size_t kMaxConfigBytes = 1 << 20;
inline constexpr std::uint64_t kMinArgon2MemoryKib = 65536;  // libsodium INTERACTIVE
inline constexpr std::uint32_t kMinArgon2Iterations = 2;
inline constexpr std::uint64_t kMinWeakArgon2MemoryKib = 8;  // Argon2's own minimum (RFC 9106)
inline constexpr std::uint32_t kMinWeakArgon2Iterations = 1;
inline constexpr std::uint64_t kMaxArgon2MemoryKib = std::uint64_t{4} << 20;  // 4 GiB
inline constexpr std::chrono::seconds kMinSessionTimeout{60};
inline constexpr std::chrono::seconds kMaxSessionTimeout{365 * 24 * 3600};
inline constexpr int kMaxThrottleFreeFailures = 1000;
inline constexpr std::chrono::seconds kMaxThrottleDelay{24 * 3600};
inline constexpr std::chrono::seconds kMinSegmentLength{10};
inline constexpr std::chrono::seconds kMaxSegmentLength{3600};
inline constexpr std::uint64_t kMaxDiskBudgetGib = 1 << 20;  // 1 PiB
inline constexpr int kMaxMinFreePercent = 50;
inline constexpr std::chrono::seconds kMinStallTimeout{2};
inline constexpr std::chrono::seconds kMaxStallTimeout{300};
inline constexpr std::chrono::seconds kMinWatchPollInterval{1};
inline constexpr std::chrono::seconds kMaxWatchPollInterval{60};
inline constexpr std::chrono::seconds kMinWatchConfigInterval{10};
inline constexpr std::chrono::seconds kMaxWatchConfigInterval{24 * 3600};
inline constexpr std::chrono::seconds kMaxTamperInterval{600};
inline constexpr std::chrono::seconds kMaxReconnectDelay{3600};

// Parses a configuration document. `source_name` only appears in messages. Errors are
// kInvalidArgument: "camguard.toml:7:3: <why>" for TOML syntax errors and
// "camguard.toml: key 'section.key': <why> (line N)" for semantic ones. Never throws.
base::Result<Config> ParseConfig(std::string_view toml_text, std::string_view source_name);

// Reads (at most kMaxConfigBytes) and parses a configuration file.
base::Result<Config> LoadConfigFile(const std::filesystem::path& path);

// Applies "ADDR:PORT" (IPv4 literal, [IPv6 literal] or host name; port 1..65535), as given to
// --listen or [server] listen. Leaves `config` unchanged on error.
base::Status ApplyListenFlag(Config& config, std::string_view listen);

// A complete, commented configuration file whose values are the defaults; parsing it yields
// Config{}.
std::string ExampleConfig();

}  // namespace camguard::config
