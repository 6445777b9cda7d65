// SPDX-License-Identifier: Apache-2.0
// Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery):
// the retained config messages that make each camera appear in Home Assistant as a device with
// sensors, and the state topics camguard publishes to. Pure: values in, topics and JSON out.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace camguard::mqtt {

struct Topics {
  std::string base = "camguard";  // camguard/<hub>/...
  std::string discovery_prefix = "homeassistant";
  std::string hub_id;  // stable per installation, [a-z0-9_]

  std::string Availability() const;  // online / offline (retained; the will)
  std::string CameraState(const std::string& camera_id) const;  // JSON state, retained
  std::string LastAlert() const;                                // JSON of the newest alert
  // Commands from Home Assistant ("ON"/"OFF"; a preset token). Subscribed only when the hub
  // has a command token (config [mqtt] command_token_file).
  std::string PrivacyCommand(const std::string& camera_id) const;
  std::string PresetCommand(const std::string& camera_id) const;
  std::string CommandFilter() const;  // matches both, for every camera
};

// What a command topic asks for: the camera's topic level and the command.
struct Command {
  enum class Kind { kPrivacy, kGotoPreset };
  Kind kind = Kind::kPrivacy;
  std::string camera_level;
};
std::optional<Command> ParseCommandTopic(const Topics& topics, std::string_view topic);

struct Message {
  std::string topic;
  std::string payload;
  bool retain = true;
};

struct CameraInfo {
  std::string id;    // public id, e.g. cam_AbC...
  std::string name;  // shown in Home Assistant
};

// Discovery config messages for one camera: a status sensor, frame-rate and bit-rate sensors,
// and binary sensors for "online", "recording", "moved from outside" and "tampered".
std::vector<Message> CameraDiscovery(const Topics& topics, const CameraInfo& camera,
                                     const std::string& hub_version);
// Controls for one camera, when commands are enabled: a privacy-mode switch and a button per
// PTZ preset (`presets` as token → name). An empty preset list removes no buttons: call
// PresetButtonRemoval for tokens that disappeared.
struct PresetInfo {
  std::string token;
  std::string name;
};
std::vector<Message> CameraControls(const Topics& topics, const CameraInfo& camera,
                                    const std::vector<PresetInfo>& presets,
                                    const std::string& hub_version);
Message PresetButtonRemoval(const Topics& topics, const std::string& camera_id,
                            const std::string& preset_token);
// The hub-level "last alert" sensor.
Message HubDiscovery(const Topics& topics, const std::string& hub_version);
// An empty retained payload removes the entities of a deleted camera from Home Assistant.
std::vector<Message> CameraRemoval(const Topics& topics, const std::string& camera_id);

// Makes any text safe as one MQTT topic level and a Home Assistant object id.
std::string TopicLevel(std::string_view text);

}  // namespace camguard::mqtt
