// SPDX-License-Identifier: Apache-2.0
#include "alerts/alert_hub.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "alerts/webhook.h"

namespace camguard::alerts {

namespace {
std::int64_t Millis(const base::Clock& clock) { return base::ToUnixMillis(clock.Now()); }

int LocalMinuteOfDay(base::WallTime now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  localtime_r(&t, &local);
  return local.tm_hour * 60 + local.tm_min;
}
}  // namespace

base::Result<std::unique_ptr<AlertHub>> AlertHub::Start(AlertHubOptions options) {
  if (!options.secrets_key || !options.clock)
    return base::Fail(base::ErrorCode::kInvalidArgument, "the alert hub needs a key and a clock");
  auto db = store::Database::Open(options.database);
  if (!db) return tl::unexpected(db.error());
  std::unique_ptr<AlertHub> hub(new AlertHub(std::move(options), std::move(*db)));
  hub->worker_ = std::thread([raw = hub.get()] { raw->Run(); });
  return hub;
}

AlertHub::AlertHub(AlertHubOptions options, store::Database db)
    : options_(std::move(options)), db_(std::move(db)), store_(db_), policy_(options_.policy) {}

AlertHub::~AlertHub() { Stop(); }

void AlertHub::AddListener(Listener listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

void AlertHub::Raise(RaisedAlert alert) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back(std::move(alert));
  }
  wake_.notify_one();
}

void AlertHub::Flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return (queue_.empty() && !busy_) || !worker_.joinable(); });
}

void AlertHub::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
  idle_.notify_all();
}

void AlertHub::Run() {
  for (;;) {
    std::optional<RaisedAlert> next;
    {
      std::unique_lock lock(mutex_);
      const auto earliest = [&] {
        // Bounded so the wait's clock conversion cannot overflow; nothing is due that late.
        auto due = std::chrono::steady_clock::now() + std::chrono::hours(1);
        for (const Retry& r : retries_) due = std::min(due, r.due);
        return due;
      };
      wake_.wait_until(lock, earliest(), [&] {
        return stopping_ || !queue_.empty() || earliest() <= std::chrono::steady_clock::now();
      });
      if (!queue_.empty()) {
        next = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
      } else if (stopping_) {
        break;
      }
    }
    if (next) {
      Process(*next);
    }
    // Retries that are due (none while stopping: they stay in the dead-letter path's records).
    const auto now = std::chrono::steady_clock::now();
    std::vector<Retry> due;
    for (auto it = retries_.begin(); it != retries_.end();) {
      if (it->due <= now) {
        due.push_back(*it);
        it = retries_.erase(it);
      } else {
        ++it;
      }
    }
    for (const Retry& retry : due) {
      auto alert = store_.Find(retry.alert_id);
      auto webhooks = store_.Webhooks();
      if (!alert || !*alert || !webhooks) continue;
      for (const Webhook& webhook : *webhooks) {
        if (webhook.id == retry.webhook_id && webhook.enabled)
          Deliver(**alert, webhook, retry.attempt);
      }
    }
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
    }
    idle_.notify_all();
  }
}

void AlertHub::Process(const RaisedAlert& alert) {
  const auto now = options_.clock->Now();
  const std::int64_t now_ms = base::ToUnixMillis(now);
  const Policy::Decision decision = policy_.Admit(alert, now);
  if (decision.outcome == Policy::Outcome::kRepeat) {
    if (auto repeated = store_.Repeat(*decision.open_id, now_ms); !repeated)
      spdlog::error("alert repeat: {}", repeated.error().message);
    return;  // the owner already knows; the count shows how often it happened again
  }
  auto stored = store_.Insert(alert, now_ms);
  if (!stored) {
    spdlog::error("cannot store an alert ({}): {}", ToString(alert.kind), stored.error().message);
    return;
  }
  policy_.Opened(alert, stored->id, now);
  spdlog::warn("alert {} [{}] {}", ToString(alert.kind), ToString(alert.severity), alert.title);

  auto subscriptions = store_.Subscriptions();
  std::vector<std::int64_t> recipients;
  if (subscriptions) {
    recipients =
        Policy::Recipients(alert, *subscriptions, LocalMinuteOfDay(now),
                           [this](std::int64_t user, std::optional<std::int64_t> camera) {
                             return options_.may_view ? options_.may_view(db_, user, camera) : true;
                           });
  }
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(mutex_);
    listeners = listeners_;
  }
  for (const Listener& listener : listeners) listener(*stored, recipients);

  auto webhooks = store_.Webhooks();
  if (!webhooks) return;
  for (const Webhook& webhook : *webhooks) {
    if (webhook.enabled && alert.severity >= webhook.min_severity) Deliver(*stored, webhook, 1);
  }
}

std::string AlertHub::Payload(const StoredAlert& alert) const {
  nlohmann::json details = nlohmann::json::parse(alert.details_json, nullptr, false);
  if (details.is_discarded()) details = nlohmann::json::object();
  return nlohmann::json{
      {"id", alert.public_id},
      {"kind", ToString(alert.kind)},
      {"severity", ToString(alert.severity)},
      {"title", alert.title},
      {"camera_id", alert.camera_id ? nlohmann::json(*alert.camera_id) : nlohmann::json(nullptr)},
      {"first_at", base::FormatRfc3339(base::FromUnixMillis(alert.first_ms))},
      {"last_at", base::FormatRfc3339(base::FromUnixMillis(alert.last_ms))},
      {"count", alert.count},
      {"details", details}}
      .dump();
}

void AlertHub::Deliver(const StoredAlert& alert, const Webhook& webhook, int attempt) {
  auto secret = crypto::Open(*options_.secrets_key, webhook.secret_sealed);
  Delivery record;
  record.alert_id = alert.id;
  record.webhook_id = webhook.id;
  record.channel = "webhook";
  record.attempt = attempt;
  record.time_ms = Millis(*options_.clock);
  WebhookResult result;
  if (!secret) {
    result.detail = "the webhook secret cannot be opened";
  } else {
    WebhookRequest request;
    request.url = webhook.url;
    request.body = Payload(alert);
    request.secret = *secret;
    request.timestamp_s = record.time_ms / 1000;
    request.delivery_id = fmt::format("{}-{}", alert.public_id, webhook.public_id);
    result = PostWebhook(request, options_.webhook_timeout);
  }
  const bool last = static_cast<std::size_t>(attempt) > options_.retry_delays.size();
  record.outcome = result.delivered ? "delivered" : (last ? "dead" : "retrying");
  record.detail = result.detail;
  if (auto recorded = store_.RecordDelivery(record); !recorded)
    spdlog::error("cannot record a webhook delivery: {}", recorded.error().message);
  if (!result.delivered && !last) {
    retries_.push_back(Retry{std::chrono::steady_clock::now() +
                                 options_.retry_delays[static_cast<std::size_t>(attempt - 1)],
                             alert.id, webhook.id, attempt + 1});
  } else if (!result.delivered) {
    spdlog::error("webhook {} gave up on alert {} after {} attempts: {}", webhook.name,
                  alert.public_id, attempt, result.detail);
  }
}

}  // namespace camguard::alerts
