// SPDX-License-Identifier: Apache-2.0
#include "mqtt/home_assistant.h"

#include <nlohmann/json.hpp>

namespace camguard::mqtt {

using nlohmann::json;

namespace {
struct Entity {
  const char* component;  // sensor | binary_sensor
  const char* key;        // object id suffix
  const char* name;
  const char* value_template;
  const char* device_class;  // may be empty
  const char* unit;          // may be empty
};

// The camera state topic carries one JSON object; every entity picks its value from it.
constexpr Entity kEntities[] = {
    {"sensor", "status", "Status", "{{ value_json.state }}", "", ""},
    {"sensor", "fps", "Frame rate", "{{ value_json.frames_per_second | round(1) }}", "", "fps"},
    {"sensor", "bitrate", "Bit rate", "{{ (value_json.bits_per_second / 1000) | round(0) }}",
     "data_rate", "kbit/s"},
    {"binary_sensor", "online", "Online", "{{ 'ON' if value_json.state == 'online' else 'OFF' }}",
     "connectivity", ""},
    {"binary_sensor", "recording", "Recording", "{{ 'ON' if value_json.recording else 'OFF' }}",
     "running", ""},
    {"binary_sensor", "moved_from_outside", "Moved from outside camguard",
     "{{ 'ON' if value_json.moved_from_outside else 'OFF' }}", "tamper", ""},
    {"binary_sensor", "tamper", "Tampered", "{{ 'ON' if value_json.tamper else 'OFF' }}", "tamper",
     ""},
};

json CameraDevice(const Topics& topics, const CameraInfo& camera, const std::string& hub_version) {
  return {{"identifiers", json::array({"camguard_" + topics.hub_id + "_" + TopicLevel(camera.id)})},
          {"name", camera.name},
          {"manufacturer", "camguard"},
          {"model", "camera through camguard"},
          {"sw_version", hub_version},
          {"via_device", "camguard_" + topics.hub_id}};
}

std::string ConfigTopic(const Topics& topics, const char* component, const std::string& object) {
  return topics.discovery_prefix + "/" + component + "/" + topics.hub_id + "/" + object + "/config";
}
}  // namespace

std::string TopicLevel(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += keep ? c : '_';
    }
  }
  return out.empty() ? "_" : out;
}

std::string Topics::Availability() const { return base + "/" + hub_id + "/availability"; }
std::string Topics::CameraState(const std::string& camera_id) const {
  return base + "/" + hub_id + "/camera/" + TopicLevel(camera_id) + "/state";
}
std::string Topics::LastAlert() const { return base + "/" + hub_id + "/last_alert"; }
std::string Topics::PrivacyCommand(const std::string& camera_id) const {
  return base + "/" + hub_id + "/camera/" + TopicLevel(camera_id) + "/privacy/set";
}
std::string Topics::PresetCommand(const std::string& camera_id) const {
  return base + "/" + hub_id + "/camera/" + TopicLevel(camera_id) + "/ptz/preset/set";
}
std::string Topics::CommandFilter() const { return base + "/" + hub_id + "/camera/+/+/#"; }

std::optional<Command> ParseCommandTopic(const Topics& topics, std::string_view topic) {
  const std::string prefix = topics.base + "/" + topics.hub_id + "/camera/";
  if (topic.substr(0, prefix.size()) != prefix) return std::nullopt;
  topic.remove_prefix(prefix.size());
  const std::size_t slash = topic.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  Command command;
  command.camera_level = std::string(topic.substr(0, slash));
  const std::string_view rest = topic.substr(slash);
  if (rest == "/privacy/set") {
    command.kind = Command::Kind::kPrivacy;
  } else if (rest == "/ptz/preset/set") {
    command.kind = Command::Kind::kGotoPreset;
  } else {
    return std::nullopt;
  }
  return command;
}

std::vector<Message> CameraDiscovery(const Topics& topics, const CameraInfo& camera,
                                     const std::string& hub_version) {
  const std::string camera_level = TopicLevel(camera.id);
  const json device = CameraDevice(topics, camera, hub_version);
  std::vector<Message> messages;
  for (const Entity& entity : kEntities) {
    const std::string object = camera_level + "_" + entity.key;
    json config = {{"name", entity.name},
                   {"unique_id", "camguard_" + topics.hub_id + "_" + object},
                   {"object_id", "camguard_" + object},
                   {"state_topic", topics.CameraState(camera.id)},
                   {"value_template", entity.value_template},
                   {"availability_topic", topics.Availability()},
                   {"payload_available", "online"},
                   {"payload_not_available", "offline"},
                   {"device", device}};
    if (*entity.device_class) config["device_class"] = entity.device_class;
    if (*entity.unit) config["unit_of_measurement"] = entity.unit;
    messages.push_back(Message{ConfigTopic(topics, entity.component, object), config.dump(), true});
  }
  return messages;
}

std::vector<Message> CameraControls(const Topics& topics, const CameraInfo& camera,
                                    const std::vector<PresetInfo>& presets,
                                    const std::string& hub_version) {
  const std::string camera_level = TopicLevel(camera.id);
  const json device = CameraDevice(topics, camera, hub_version);
  std::vector<Message> messages;
  const std::string privacy = camera_level + "_privacy";
  const json privacy_config = {{"name", "Privacy mode"},
                               {"unique_id", "camguard_" + topics.hub_id + "_" + privacy},
                               {"object_id", "camguard_" + privacy},
                               {"state_topic", topics.CameraState(camera.id)},
                               {"value_template", "{{ 'ON' if value_json.privacy else 'OFF' }}"},
                               {"command_topic", topics.PrivacyCommand(camera.id)},
                               {"payload_on", "ON"},
                               {"payload_off", "OFF"},
                               {"icon", "mdi:eye-off"},
                               {"availability_topic", topics.Availability()},
                               {"device", device}};
  messages.push_back(Message{ConfigTopic(topics, "switch", privacy), privacy_config.dump(), true});
  for (const PresetInfo& preset : presets) {
    const std::string object = camera_level + "_preset_" + TopicLevel(preset.token);
    const json config = {{"name", "Go to " + preset.name},
                         {"unique_id", "camguard_" + topics.hub_id + "_" + object},
                         {"object_id", "camguard_" + object},
                         {"command_topic", topics.PresetCommand(camera.id)},
                         {"payload_press", preset.token},
                         {"icon", "mdi:cctv"},
                         {"availability_topic", topics.Availability()},
                         {"device", device}};
    messages.push_back(Message{ConfigTopic(topics, "button", object), config.dump(), true});
  }
  return messages;
}

Message PresetButtonRemoval(const Topics& topics, const std::string& camera_id,
                            const std::string& preset_token) {
  return Message{
      ConfigTopic(topics, "button", TopicLevel(camera_id) + "_preset_" + TopicLevel(preset_token)),
      "", true};
}

Message HubDiscovery(const Topics& topics, const std::string& hub_version) {
  const json config = {{"name", "Last alert"},
                       {"unique_id", "camguard_" + topics.hub_id + "_last_alert"},
                       {"object_id", "camguard_last_alert"},
                       {"state_topic", topics.LastAlert()},
                       {"value_template", "{{ value_json.title }}"},
                       {"json_attributes_topic", topics.LastAlert()},
                       {"availability_topic", topics.Availability()},
                       {"device",
                        {{"identifiers", json::array({"camguard_" + topics.hub_id})},
                         {"name", "camguard"},
                         {"manufacturer", "camguard"},
                         {"model", "camera hub"},
                         {"sw_version", hub_version}}}};
  return Message{ConfigTopic(topics, "sensor", "last_alert"), config.dump(), true};
}

std::vector<Message> CameraRemoval(const Topics& topics, const std::string& camera_id) {
  std::vector<Message> messages;
  const std::string camera_level = TopicLevel(camera_id);
  for (const Entity& entity : kEntities) {
    messages.push_back(
        Message{ConfigTopic(topics, entity.component, camera_level + "_" + entity.key), "", true});
  }
  messages.push_back(Message{ConfigTopic(topics, "switch", camera_level + "_privacy"), "", true});
  messages.push_back(Message{topics.CameraState(camera_id), "", true});
  return messages;
}

}  // namespace camguard::mqtt
