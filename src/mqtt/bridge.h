// SPDX-License-Identifier: Apache-2.0
// The hub's MQTT connection (libmosquitto, its own network thread). It announces the hub with a
// retained "online" on the availability topic and leaves a last will "offline" with the broker,
// so Home Assistant shows every camguard entity unavailable when the hub dies; a clean stop
// publishes "offline" itself. Reconnects by itself; publishes made while disconnected are kept
// by libmosquitto's queue. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/redacted.h"
#include "base/result.h"
#include "mqtt/home_assistant.h"

struct mosquitto;
struct mosquitto_message;

namespace camguard::mqtt {

struct BridgeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  std::string username;  // empty: anonymous
  base::Redacted<std::string> password;
  std::optional<std::string> ca_file;  // set: TLS to the broker, verified with this CA bundle
  Topics topics;
  std::string hub_version;
  // Topic filters subscribed on every (re)connection; messages go to `on_message`, called on
  // the bridge's network thread (it must only queue). Payloads over 4 KiB are dropped.
  std::vector<std::string> subscriptions;
  std::function<void(const std::string& topic, const std::string& payload)> on_message;
};

class Bridge {
 public:
  static base::Result<std::unique_ptr<Bridge>> Start(BridgeOptions options);
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  void Publish(const Message& message);
  void Publish(const std::vector<Message>& messages);
  const Topics& topics() const { return options_.topics; }
  bool connected() const;
  void Stop();  // "offline", then disconnect

 private:
  explicit Bridge(BridgeOptions options);
  static void OnConnect(mosquitto* client, void* self, int result);
  static void OnDisconnect(mosquitto* client, void* self, int result);
  static void OnMessage(mosquitto* client, void* self, const mosquitto_message* message);

  BridgeOptions options_;
  mosquitto* client_ = nullptr;
  bool running_ = false;
  std::atomic<bool> connected_{false};
};

}  // namespace camguard::mqtt
