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
  ASSERT_EQ(removal.size(), discovery.size() + 1);
  for (std::size_t i = 0; i < discovery.size(); ++i) {
    EXPECT_EQ(removal[i].topic, discovery[i].topic);
    EXPECT_TRUE(removal[i].payload.empty());
  }
}

TEST(HomeAssistant, TopicLevelsCannotCarryWildcardsOrSeparators) {
  EXPECT_EQ(TopicLevel("a/b+#c"), "a_b__c");
  EXPECT_EQ(TopicLevel("Garage-Hub"), "garage_hub");
  EXPECT_EQ(TopicLevel(""), "_");
}

}  // namespace
}  // namespace camguard::mqtt
