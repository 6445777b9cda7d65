// SPDX-License-Identifier: Apache-2.0
#include "app/home_assistant_link.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cameras/camera_store.h"

namespace camguard::app {

void OutsideMoveBoard::Note(std::int64_t camera_id) {
  std::function<void()> listener;
  {
    std::lock_guard lock(mutex_);
    last_[camera_id] = std::chrono::steady_clock::now();
    listener = listener_;
  }
  if (listener) listener();
}

bool OutsideMoveBoard::Recent(std::int64_t camera_id) const {
  std::lock_guard lock(mutex_);
  auto it = last_.find(camera_id);
  return it != last_.end() && std::chrono::steady_clock::now() - it->second < kOutsideMoveHold;
}

void OutsideMoveBoard::SetListener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void TamperBoard::Note(std::int64_t camera_id, bool lasting, bool active) {
  std::lock_guard lock(mutex_);
  if (lasting) {
    lasting_[camera_id] = active;
  } else {
    moved_[camera_id] = std::chrono::steady_clock::now();
  }
}

bool TamperBoard::Active(std::int64_t camera_id) const {
  std::lock_guard lock(mutex_);
  if (auto it = lasting_.find(camera_id); it != lasting_.end() && it->second) return true;
  auto it = moved_.find(camera_id);
  return it != moved_.end() && std::chrono::steady_clock::now() - it->second < kOutsideMoveHold;
}

void HomeAssistantLink::Publish() {
  mqtt::Bridge& bridge = deps_.bridge;
  cameras::CameraStore camera_store(deps_.db);
  auto all = camera_store.List();
  if (!all) return;
  std::set<std::string> now;
  for (const auto& camera : *all) {
    now.insert(camera.public_id);
    camera_of_level_[mqtt::TopicLevel(camera.public_id)] = camera.public_id;
    const mqtt::CameraInfo info{camera.public_id, camera.name};
    if (!published_.contains(camera.public_id)) {
      bridge.Publish(mqtt::CameraDiscovery(bridge.topics(), info, deps_.version));
    }
    if (deps_.command_token) {
      // Controls follow the presets the camera has now (read by the integrity watch).
      std::vector<mqtt::PresetInfo> presets;
      std::set<std::string> tokens;
      if (deps_.watch != nullptr) {
        if (auto status = deps_.watch->Status(camera.id)) {
          for (const auto& preset : status->presets) {
            presets.push_back({preset.token, preset.name});
            tokens.insert(preset.token);
          }
        }
      }
      auto& before = published_presets_[camera.public_id];
      if (!published_.contains(camera.public_id) || tokens != before) {
        bridge.Publish(mqtt::CameraControls(bridge.topics(), info, presets, deps_.version));
        for (const std::string& gone : before) {
          if (!tokens.contains(gone)) {
            bridge.Publish(mqtt::PresetButtonRemoval(bridge.topics(), camera.public_id, gone));
          }
        }
        before = std::move(tokens);
      }
    }
    const auto status = (deps_.streaming ? deps_.streaming->Status(camera.id) : std::nullopt)
                            .value_or(cameras::StreamStatus{});
    const nlohmann::json state = {
        {"state", status.frames > 0 || status.state != cameras::StreamState::kStarting
                      ? std::string(cameras::ToString(status.state))
                      : std::string("unknown")},
        {"frames_per_second", status.frames_per_second},
        {"bits_per_second", status.bits_per_second},
        {"recording", status.recording},
        {"moved_from_outside", deps_.outside_moves.Recent(camera.id)},
        {"privacy", camera.privacy},
        {"tamper", deps_.tamper.Active(camera.id)}};
    bridge.Publish(
        mqtt::Message{bridge.topics().CameraState(camera.public_id), state.dump(), true});
  }
  for (const auto& gone : published_) {
    if (now.contains(gone)) continue;
    bridge.Publish(mqtt::CameraRemoval(bridge.topics(), gone));
    for (const std::string& token : published_presets_[gone]) {
      bridge.Publish(mqtt::PresetButtonRemoval(bridge.topics(), gone, token));
    }
    published_presets_.erase(gone);
  }
  published_ = std::move(now);
}

void HomeAssistantLink::HandleCommand(const std::string& topic, const std::string& payload) {
  if (!deps_.command_token) return;
  const auto command = mqtt::ParseCommandTopic(deps_.bridge.topics(), topic);
  if (!command) return;
  const auto camera = camera_of_level_.find(command->camera_level);
  if (camera == camera_of_level_.end()) {
    spdlog::warn("MQTT command for an unknown camera ignored");
    return;
  }
  http::Request request;
  request.method = "POST";
  request.remote_address = "127.0.0.1";
  request.headers["authorization"] = "Bearer " + deps_.command_token->Reveal();
  request.headers["content-type"] = "application/json";
  request.headers["user-agent"] = "camguard MQTT bridge (Home Assistant)";
  if (command->kind == mqtt::Command::Kind::kPrivacy) {
    if (payload != "ON" && payload != "OFF") {
      spdlog::warn("MQTT privacy command with payload other than ON/OFF ignored");
      return;
    }
    request.target = "/api/v1/cameras/" + camera->second + "/privacy";
    request.body = nlohmann::json{{"enabled", payload == "ON"}}.dump();
  } else {
    request.target = "/api/v1/cameras/" + camera->second + "/ptz";
    request.body = nlohmann::json{{"action", "goto_preset"}, {"preset", payload}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  const std::string what = request.target;
  deps_.api.Handle(std::move(request), [what, this](http::Response response) {
    if (response.status >= 300) {
      spdlog::warn("MQTT command {} refused: HTTP {} {}", what, response.status, response.body);
    }
    Publish();  // the new state (privacy switch) shows at once
  });
}

}  // namespace camguard::app
