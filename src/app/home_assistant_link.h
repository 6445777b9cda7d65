// SPDX-License-Identifier: Apache-2.0
// camguard as Home Assistant sees it over MQTT: per camera, the discovery configs, the state
// (status, rates, recording, moved from outside, privacy), and — when the owner gave the hub a
// command token — a privacy switch and a button per PTZ preset. Commands arriving from the
// broker run through the API as that token, so they are authorized by its scopes and cameras
// and audited like any other request. Loop thread only, except OutsideMoveBoard.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/redacted.h"
#include "cameras/streaming.h"
#include "http/message.h"
#include "mqtt/bridge.h"
#include "store/database.h"
#include "watch/integrity_watch.h"

namespace camguard::app {

// Which cameras were moved from outside lately: Home Assistant's "moved from outside" binary
// sensor stays on for kOutsideMoveHold after the last sign of such a move. Thread-safe: the
// watch's threads note moves, the loop reads.
inline constexpr auto kOutsideMoveHold = std::chrono::seconds(60);

class OutsideMoveBoard {
 public:
  void Note(std::int64_t camera_id);
  bool Recent(std::int64_t camera_id) const;
  // Told after every note (on the noting thread): republishes the cameras' state.
  void SetListener(std::function<void()> listener);

 private:
  mutable std::mutex mutex_;
  std::map<std::int64_t, std::chrono::steady_clock::time_point> last_;
  std::function<void()> listener_;
};

// Image tamper conditions per camera for the "Tampered" binary sensor: covered and defocused
// last until their end is seen; a moved view counts for kOutsideMoveHold. Thread-safe.
class TamperBoard {
 public:
  void Note(std::int64_t camera_id, bool lasting, bool active);
  bool Active(std::int64_t camera_id) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::int64_t, bool> lasting_;
  std::map<std::int64_t, std::chrono::steady_clock::time_point> moved_;
};

struct HomeAssistantLinkDeps {
  store::Database& db;
  cameras::StreamingControl* streaming = nullptr;
  watch::IntegrityWatch* watch = nullptr;
  mqtt::Bridge& bridge;
  const OutsideMoveBoard& outside_moves;
  const TamperBoard& tamper;
  http::Handler& api;
  // Set: commands are accepted and run as this API token.
  std::optional<base::Redacted<std::string>> command_token;
  std::string version;
};

class HomeAssistantLink {
 public:
  explicit HomeAssistantLink(HomeAssistantLinkDeps deps) : deps_(std::move(deps)) {}

  // Publishes discovery for new cameras (and their controls), every camera's state, and
  // removals for deleted ones.
  void Publish();
  // A message on a command topic (already on the loop thread).
  void HandleCommand(const std::string& topic, const std::string& payload);

 private:
  HomeAssistantLinkDeps deps_;
  std::set<std::string> published_;
  std::map<std::string, std::set<std::string>> published_presets_;  // camera → preset tokens
  std::map<std::string, std::string> camera_of_level_;              // topic level → public id
};

}  // namespace camguard::app
