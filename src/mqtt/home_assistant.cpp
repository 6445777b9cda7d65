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

std::vector<Message> CameraDiscovery(const Topics& topics, const CameraInfo& camera,
                                     const std::string& hub_version) {
  const std::string camera_level = TopicLevel(camera.id);
  const json device = {
      {"identifiers", json::array({"camguard_" + topics.hub_id + "_" + camera_level})},
      {"name", camera.name},
      {"manufacturer", "camguard"},
      {"model", "camera through camguard"},
      {"sw_version", hub_version},
      {"via_device", "camguard_" + topics.hub_id}};
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
  messages.push_back(Message{topics.CameraState(camera_id), "", true});
  return messages;
}

}  // namespace camguard::mqtt
