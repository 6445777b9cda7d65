// SPDX-License-Identifier: Apache-2.0
#include "mqtt/home_assistant.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace camguard::mqtt {
namespace {

Topics HubTopics() {
  Topics topics;
  topics.hub_id = "home";
  return topics;
}

TEST(HomeAssistant, EveryCameraEntityIsRetainedWithStateAvailabilityAndDevice) {
  const auto messages = CameraDiscovery(HubTopics(), {"cam_AbC-1", "Front door"}, "0.1.0");
  ASSERT_EQ(messages.size(), 7u);
  std::set<std::string> unique_ids;
  for (const Message& message : messages) {
    EXPECT_TRUE(message.retain);
    EXPECT_TRUE(message.topic.starts_with("homeassistant/")) << message.topic;
    EXPECT_TRUE(message.topic.ends_with("/config")) << message.topic;
    const auto config = nlohmann::json::parse(message.payload);
    EXPECT_EQ(config["state_topic"], "camguard/home/camera/cam_abc_1/state");
    EXPECT_EQ(config["availability_topic"], "camguard/home/availability");
    EXPECT_EQ(config["device"]["name"], "Front door");
    unique_ids.insert(config["unique_id"]);
  }
  EXPECT_EQ(unique_ids.size(), messages.size());
  EXPECT_EQ(messages[0].topic, "homeassistant/sensor/home/cam_abc_1_status/config");
}

TEST(HomeAssistant, RemovalClearsEveryConfigAndTheState) {
  const auto removal = CameraRemoval(HubTopics(), "cam_AbC-1");
  const auto discovery = CameraDiscovery(HubTopics(), {"cam_AbC-1", "x"}, "0.1.0");
  ASSERT_EQ(removal.size(), discovery.size() + 2);  // + the privacy switch and the state
  for (std::size_t i = 0; i < discovery.size(); ++i) {
    EXPECT_EQ(removal[i].topic, discovery[i].topic);
    EXPECT_TRUE(removal[i].payload.empty());
  }
}

TEST(HomeAssistant, ControlsAreASwitchAndAButtonPerPresetWithCommandTopics) {
  const auto controls = CameraControls(HubTopics(), {"cam_AbC-1", "Front door"},
                                       {{"1", "Door"}, {"2", "Gate"}}, "0.1");
  ASSERT_EQ(controls.size(), 3u);
  EXPECT_EQ(controls[0].topic, "homeassistant/switch/home/cam_abc_1_privacy/config");
  const auto privacy = nlohmann::json::parse(controls[0].payload);
  EXPECT_EQ(privacy["command_topic"], "camguard/home/camera/cam_abc_1/privacy/set");
  EXPECT_EQ(privacy["state_topic"], "camguard/home/camera/cam_abc_1/state");
  const auto gate = nlohmann::json::parse(controls[2].payload);
  EXPECT_EQ(controls[2].topic, "homeassistant/button/home/cam_abc_1_preset_2/config");
  EXPECT_EQ(gate["payload_press"], "2");
  EXPECT_EQ(gate["name"], "Go to Gate");
  EXPECT_EQ(gate["command_topic"], "camguard/home/camera/cam_abc_1/ptz/preset/set");
  EXPECT_EQ(PresetButtonRemoval(HubTopics(), "cam_AbC-1", "2").topic, controls[2].topic);
}

TEST(HomeAssistant, CommandTopicsParseAndNothingElseDoes) {
  const Topics topics = HubTopics();
  auto privacy = ParseCommandTopic(topics, topics.PrivacyCommand("cam_AbC-1"));
  ASSERT_TRUE(privacy);
  EXPECT_EQ(privacy->kind, Command::Kind::kPrivacy);
  EXPECT_EQ(privacy->camera_level, "cam_abc_1");
  auto preset = ParseCommandTopic(topics, topics.PresetCommand("cam_x"));
  ASSERT_TRUE(preset);
  EXPECT_EQ(preset->kind, Command::Kind::kGotoPreset);
  for (const char* topic :
       {"camguard/home/camera/cam_x/state", "camguard/other/camera/x/privacy/set",
        "camguard/home/camera//privacy/set", "camguard/home/camera/x/privacy/set/more",
        "camguard/home/last_alert"}) {
    EXPECT_FALSE(ParseCommandTopic(topics, topic)) << topic;
  }
}

TEST(HomeAssistant, TopicLevelsCannotCarryWildcardsOrSeparators) {
  EXPECT_EQ(TopicLevel("a/b+#c"), "a_b__c");
  EXPECT_EQ(TopicLevel("Garage-Hub"), "garage_hub");
  EXPECT_EQ(TopicLevel(""), "_");
}

}  // namespace
}  // namespace camguard::mqtt
