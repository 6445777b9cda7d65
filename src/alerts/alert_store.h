// SPDX-License-Identifier: Apache-2.0
// Alerts, subscriptions, webhooks and delivery attempts in SQLite (migration 0005). One
// instance per database connection; not thread-safe (each thread has its own connection).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alerts/policy.h"
#include "base/result.h"
#include "store/database.h"

namespace camguard::alerts {

struct StoredAlert {
  std::int64_t id = 0;
  std::string public_id;
  Kind kind = Kind::kCameraOffline;
  Severity severity = Severity::kWarning;
  std::optional<std::int64_t> camera_id;
  std::optional<std::int64_t> user_id;
  std::string title;
  std::string details_json;
  std::int64_t first_ms = 0, last_ms = 0;
  std::int64_t count = 1;
  std::optional<std::int64_t> acknowledged_ms;
  std::optional<std::int64_t> acknowledged_by;
};

struct AlertQuery {
  std::optional<std::int64_t> before_id;  // paging, newest first
  int limit = 100;
  std::optional<Severity> min_severity;
  bool unacknowledged_only = false;
};

struct Webhook {
  std::int64_t id = 0;
  std::string public_id;
  std::string name;
  std::string url;
  std::string secret_sealed;
  Severity min_severity = Severity::kWarning;
  bool enabled = true;
  std::int64_t created_ms = 0;
};

struct Delivery {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;
  std::optional<std::int64_t> webhook_id;
  std::string channel;
  int attempt = 1;
  std::string outcome;  // delivered | retrying | dead
  std::string detail;
  std::int64_t time_ms = 0;
};

class AlertStore {
 public:
  explicit AlertStore(store::Database& db) : db_(db) {}

  base::Result<StoredAlert> Insert(const RaisedAlert& alert, std::int64_t now_ms);
  base::Status Repeat(std::int64_t alert_id, std::int64_t now_ms);
  base::Result<std::optional<StoredAlert>> Find(std::int64_t alert_id);
  base::Result<std::optional<StoredAlert>> FindByPublicId(std::string_view public_id);
  base::Result<std::vector<StoredAlert>> List(const AlertQuery& query);
  base::Status Acknowledge(std::int64_t alert_id, std::int64_t user_id, std::int64_t now_ms);
  struct Counts {
    std::int64_t total = 0;           // occurrences, repeats included
    std::int64_t unacknowledged = 0;  // alerts (not occurrences) nobody acknowledged yet
  };
  base::Result<std::map<Severity, Counts>> CountBySeverity();

  base::Result<std::vector<Subscription>> Subscriptions();
  base::Result<std::optional<Subscription>> SubscriptionOf(std::int64_t user_id);
  base::Status SetSubscription(const Subscription& subscription);

  base::Result<Webhook> AddWebhook(Webhook webhook, std::int64_t now_ms);
  base::Result<std::vector<Webhook>> Webhooks();
  base::Result<std::optional<Webhook>> FindWebhook(std::string_view public_id);
  base::Status DeleteWebhook(std::int64_t webhook_id);

  base::Status RecordDelivery(const Delivery& delivery);
  // Newest first. `dead_only`: the dead-letter list.
  base::Result<std::vector<Delivery>> Deliveries(std::optional<std::int64_t> webhook_id,
                                                 bool dead_only, int limit);

 private:
  store::Database& db_;
};

}  // namespace camguard::alerts
