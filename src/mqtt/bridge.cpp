// SPDX-License-Identifier: Apache-2.0
#include "mqtt/bridge.h"

#include <mosquitto.h>

#include <mutex>

#include <spdlog/spdlog.h>

namespace camguard::mqtt {

namespace {
void LibraryInit() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}
constexpr int kQos = 1;  // at least once: Home Assistant must not miss a state change
constexpr int kKeepAliveSeconds = 30;
}  // namespace

Bridge::Bridge(BridgeOptions options) : options_(std::move(options)) {}

base::Result<std::unique_ptr<Bridge>> Bridge::Start(BridgeOptions options) {
  LibraryInit();
  std::unique_ptr<Bridge> bridge(new Bridge(std::move(options)));
  const std::string client_id = "camguard-" + bridge->options_.topics.hub_id;
  bridge->client_ = mosquitto_new(client_id.c_str(), true, bridge.get());
  if (!bridge->client_) return base::Fail(base::ErrorCode::kInternal, "cannot create MQTT client");
  mosquitto* c = bridge->client_;
  mosquitto_int_option(c, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set(c, &Bridge::OnConnect);
  mosquitto_disconnect_callback_set(c, &Bridge::OnDisconnect);
  mosquitto_message_callback_set(c, &Bridge::OnMessage);
  mosquitto_reconnect_delay_set(c, 1, 30, true);
  const auto& o = bridge->options_;
  if (!o.username.empty() &&
      mosquitto_username_pw_set(c, o.username.c_str(), o.password.Reveal().c_str()) !=
          MOSQ_ERR_SUCCESS) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "MQTT username or password refused");
  }
  if (o.ca_file && mosquitto_tls_set(c, o.ca_file->c_str(), nullptr, nullptr, nullptr, nullptr) !=
                       MOSQ_ERR_SUCCESS) {
    return base::Fail(base::ErrorCode::kInvalidArgument,
                      "cannot use the MQTT CA file " + *o.ca_file);
  }
  const std::string will_topic = o.topics.Availability();
  mosquitto_will_set(c, will_topic.c_str(), 7, "offline", kQos, true);
  // connect_async: the hub starts even while the broker is down; the loop thread retries.
  const int rc = mosquitto_connect_async(c, o.host.c_str(), o.port, kKeepAliveSeconds);
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO) {
    return base::Fail(base::ErrorCode::kInvalidArgument,
                      std::string("MQTT broker address: ") + mosquitto_strerror(rc));
  }
  if (mosquitto_loop_start(c) != MOSQ_ERR_SUCCESS)
    return base::Fail(base::ErrorCode::kInternal, "cannot start the MQTT network thread");
  bridge->running_ = true;
  return bridge;
}

Bridge::~Bridge() {
  Stop();
  if (client_) mosquitto_destroy(client_);
}

void Bridge::OnConnect(mosquitto* client, void* self, int result) {
  auto* bridge = static_cast<Bridge*>(self);
  if (result != 0) {
    spdlog::warn("MQTT broker refused the connection: {}", mosquitto_connack_string(result));
    return;
  }
  bridge->connected_ = true;
  spdlog::info("MQTT connected to {}:{}", bridge->options_.host, bridge->options_.port);
  const std::string topic = bridge->options_.topics.Availability();
  mosquitto_publish(client, nullptr, topic.c_str(), 6, "online", kQos, true);
  for (const std::string& filter : bridge->options_.subscriptions) {
    const int rc = mosquitto_subscribe(client, nullptr, filter.c_str(), kQos);
    if (rc != MOSQ_ERR_SUCCESS) {
      spdlog::warn("MQTT subscribe to {}: {}", filter, mosquitto_strerror(rc));
    }
  }
}

void Bridge::OnMessage(mosquitto*, void* self, const mosquitto_message* message) {
  auto* bridge = static_cast<Bridge*>(self);
  if (!bridge->options_.on_message || message == nullptr || message->topic == nullptr) return;
  // Retained commands are stale by definition: a switch flipped an hour ago is not a command now.
  if (message->retain) return;
  if (message->payloadlen < 0 || message->payloadlen > 4096) return;
  const std::string payload(static_cast<const char*>(message->payload),
                            static_cast<std::size_t>(message->payloadlen));
  bridge->options_.on_message(message->topic, payload);
}

void Bridge::OnDisconnect(mosquitto*, void* self, int result) {
  auto* bridge = static_cast<Bridge*>(self);
  bridge->connected_ = false;
  if (result != 0) spdlog::warn("MQTT connection lost; reconnecting");
}

bool Bridge::connected() const { return connected_; }

void Bridge::Publish(const Message& message) {
  const int rc = mosquitto_publish(client_, nullptr, message.topic.c_str(),
                                   static_cast<int>(message.payload.size()), message.payload.data(),
                                   kQos, message.retain);
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
    spdlog::warn("MQTT publish to {}: {}", message.topic, mosquitto_strerror(rc));
}

void Bridge::Publish(const std::vector<Message>& messages) {
  for (const Message& message : messages) Publish(message);
}

void Bridge::Stop() {
  if (!running_) return;
  running_ = false;
  const std::string topic = options_.topics.Availability();
  mosquitto_publish(client_, nullptr, topic.c_str(), 7, "offline", kQos, true);
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, false);
}

}  // namespace camguard::mqtt
