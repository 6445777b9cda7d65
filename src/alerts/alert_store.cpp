// SPDX-License-Identifier: Apache-2.0
#include "alerts/alert_store.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "crypto/crypto.h"

namespace camguard::alerts {

namespace {
constexpr std::string_view kAlertColumns =
    "id, public_id, kind, severity, camera_id, user_id, title, details, first_ms, last_ms, count, "
    "acknowledged_ms, acknowledged_by";

StoredAlert ReadAlert(const store::Statement& s) {
  StoredAlert alert;
  alert.id = s.ColumnInt(0);
  alert.public_id = s.ColumnText(1);
  // Unknown names can only come from a newer camguard; they read as the closest neutral value.
  alert.kind = ParseKind(s.ColumnText(2)).value_or(Kind::kCameraOffline);
  alert.severity = ParseSeverity(s.ColumnText(3)).value_or(Severity::kWarning);
  alert.camera_id = s.ColumnOptionalInt(4);
  alert.user_id = s.ColumnOptionalInt(5);
  alert.title = s.ColumnText(6);
  alert.details_json = s.ColumnText(7);
  alert.first_ms = s.ColumnInt(8);
  alert.last_ms = s.ColumnInt(9);
  alert.count = s.ColumnInt(10);
  alert.acknowledged_ms = s.ColumnOptionalInt(11);
  alert.acknowledged_by = s.ColumnOptionalInt(12);
  return alert;
}

void BindOptional(store::Statement& s, int index, const std::optional<std::int64_t>& value) {
  if (value) {
    s.Bind(index, *value);
  } else {
    s.BindNull(index);
  }
}

}  // namespace

base::Result<StoredAlert> AlertStore::Insert(const RaisedAlert& alert, std::int64_t now_ms) {
  CAMGUARD_TRY(auto s, db_.Prepare("INSERT INTO alerts (public_id, kind, severity, camera_id, "
                                   "user_id, title, details, first_ms, last_ms) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const std::string public_id = "alr_" + crypto::RandomToken(12);
  s.Bind(1, public_id).Bind(2, ToString(alert.kind)).Bind(3, ToString(alert.severity));
  BindOptional(s, 4, alert.camera_id);
  BindOptional(s, 5, alert.user_id);
  s.Bind(6, alert.title).Bind(7, alert.details_json).Bind(8, now_ms).Bind(9, now_ms);
  CAMGUARD_TRY_STATUS(s.Run());
  CAMGUARD_TRY(auto stored, Find(db_.LastInsertRowId()));
  if (!stored) return base::Fail(base::ErrorCode::kInternal, "alert vanished after insert");
  return *stored;
}

base::Status AlertStore::Repeat(std::int64_t alert_id, std::int64_t now_ms) {
  CAMGUARD_TRY(auto s,
               db_.Prepare("UPDATE alerts SET count = count + 1, last_ms = ? WHERE id = ?"));
  s.Bind(1, now_ms).Bind(2, alert_id);
  return s.Run();
}

base::Result<std::optional<StoredAlert>> AlertStore::Find(std::int64_t alert_id) {
  CAMGUARD_TRY(auto s,
               db_.Prepare(fmt::format("SELECT {} FROM alerts WHERE id = ?", kAlertColumns)));
  s.Bind(1, alert_id);
  CAMGUARD_TRY(const bool row, s.Step());
  if (!row) return std::optional<StoredAlert>();
  return std::optional<StoredAlert>(ReadAlert(s));
}

base::Result<std::optional<StoredAlert>> AlertStore::FindByPublicId(std::string_view public_id) {
  CAMGUARD_TRY(
      auto s, db_.Prepare(fmt::format("SELECT {} FROM alerts WHERE public_id = ?", kAlertColumns)));
  s.Bind(1, public_id);
  CAMGUARD_TRY(const bool row, s.Step());
  if (!row) return std::optional<StoredAlert>();
  return std::optional<StoredAlert>(ReadAlert(s));
}

base::Result<std::vector<StoredAlert>> AlertStore::List(const AlertQuery& query) {
  CAMGUARD_TRY(auto s, db_.Prepare(fmt::format(
                           "SELECT {} FROM alerts WHERE (?1 IS NULL OR id < ?1) AND "
                           "(?2 = 0 OR acknowledged_ms IS NULL) AND "
                           "(CASE severity WHEN 'critical' THEN 2 WHEN 'warning' THEN 1 ELSE 0 "
                           "END) >= ?3 ORDER BY id DESC LIMIT ?4",
                           kAlertColumns)));
  BindOptional(s, 1, query.before_id);
  s.Bind(2, std::int64_t{query.unacknowledged_only ? 1 : 0})
      .Bind(3, static_cast<std::int64_t>(query.min_severity.value_or(Severity::kInfo)))
      .Bind(4, std::int64_t{query.limit});
  std::vector<StoredAlert> alerts;
  for (;;) {
    CAMGUARD_TRY(const bool row, s.Step());
    if (!row) break;
    alerts.push_back(ReadAlert(s));
  }
  return alerts;
}

base::Status AlertStore::Acknowledge(std::int64_t alert_id, std::int64_t user_id,
                                     std::int64_t now_ms) {
  CAMGUARD_TRY(auto s, db_.Prepare("UPDATE alerts SET acknowledged_ms = ?, acknowledged_by = ? "
                                   "WHERE id = ? AND acknowledged_ms IS NULL"));
  s.Bind(1, now_ms).Bind(2, user_id).Bind(3, alert_id);
  return s.Run();
}

base::Result<std::map<Severity, AlertStore::Counts>> AlertStore::CountBySeverity() {
  CAMGUARD_TRY(auto s, db_.Prepare("SELECT severity, sum(count), sum(acknowledged_ms IS NULL) "
                                   "FROM alerts GROUP BY severity"));
  std::map<Severity, Counts> counts;
  for (Severity severity : {Severity::kInfo, Severity::kWarning, Severity::kCritical})
    counts[severity] = Counts{};
  for (;;) {
    CAMGUARD_TRY(const bool row, s.Step());
    if (!row) break;
    if (const auto severity = ParseSeverity(s.ColumnText(0))) {
      counts[*severity] = Counts{s.ColumnInt(1), s.ColumnInt(2)};
    }
  }
  return counts;
}

namespace {
Subscription ReadSubscription(const store::Statement& s) {
  Subscription subscription;
  subscription.user_id = s.ColumnInt(0);
  subscription.min_severity = ParseSeverity(s.ColumnText(1)).value_or(Severity::kWarning);
  if (!s.ColumnIsNull(2)) subscription.cameras = base::SplitIds(s.ColumnText(2));
  if (!s.ColumnIsNull(3) && !s.ColumnIsNull(4)) {
    subscription.quiet_hours =
        QuietHours{static_cast<int>(s.ColumnInt(3)), static_cast<int>(s.ColumnInt(4))};
  }
  return subscription;
}
}  // namespace

base::Result<std::vector<Subscription>> AlertStore::Subscriptions() {
  // Users without a row get the default: warnings and above, every camera they may view.
  CAMGUARD_TRY(auto s,
               db_.Prepare("SELECT u.id, coalesce(a.min_severity, 'warning'), a.camera_ids, "
                           "a.quiet_start, a.quiet_end FROM users u LEFT JOIN "
                           "alert_subscriptions a ON a.user_id = u.id WHERE u.disabled = 0 "
                           "ORDER BY u.id"));
  std::vector<Subscription> subscriptions;
  for (;;) {
    CAMGUARD_TRY(const bool row, s.Step());
    if (!row) break;
    subscriptions.push_back(ReadSubscription(s));
  }
  return subscriptions;
}

base::Result<std::optional<Subscription>> AlertStore::SubscriptionOf(std::int64_t user_id) {
  CAMGUARD_TRY(auto s,
               db_.Prepare("SELECT u.id, coalesce(a.min_severity, 'warning'), a.camera_ids, "
                           "a.quiet_start, a.quiet_end FROM users u LEFT JOIN "
                           "alert_subscriptions a ON a.user_id = u.id WHERE u.id = ?"));
  s.Bind(1, user_id);
  CAMGUARD_TRY(const bool row, s.Step());
  if (!row) return std::optional<Subscription>();
  return std::optional<Subscription>(ReadSubscription(s));
}

base::Status AlertStore::SetSubscription(const Subscription& subscription) {
  CAMGUARD_TRY(auto s, db_.Prepare("INSERT OR REPLACE INTO alert_subscriptions (user_id, "
                                   "min_severity, camera_ids, quiet_start, quiet_end) "
                                   "VALUES (?, ?, ?, ?, ?)"));
  s.Bind(1, subscription.user_id).Bind(2, ToString(subscription.min_severity));
  if (subscription.cameras) {
    s.Bind(3, base::JoinIds(*subscription.cameras));
  } else {
    s.BindNull(3);
  }
  if (subscription.quiet_hours) {
    s.Bind(4, std::int64_t{subscription.quiet_hours->start_minute})
        .Bind(5, std::int64_t{subscription.quiet_hours->end_minute});
  } else {
    s.BindNull(4).BindNull(5);
  }
  return s.Run();
}

namespace {
constexpr std::string_view kWebhookColumns =
    "id, public_id, name, url, secret_sealed, min_severity, enabled, created_ms";
Webhook ReadWebhook(const store::Statement& s) {
  Webhook webhook;
  webhook.id = s.ColumnInt(0);
  webhook.public_id = s.ColumnText(1);
  webhook.name = s.ColumnText(2);
  webhook.url = s.ColumnText(3);
  webhook.secret_sealed = s.ColumnText(4);
  webhook.min_severity = ParseSeverity(s.ColumnText(5)).value_or(Severity::kWarning);
  webhook.enabled = s.ColumnInt(6) != 0;
  webhook.created_ms = s.ColumnInt(7);
  return webhook;
}
}  // namespace

base::Result<Webhook> AlertStore::AddWebhook(Webhook webhook, std::int64_t now_ms) {
  CAMGUARD_TRY(auto s,
               db_.Prepare("INSERT INTO webhooks (public_id, name, url, secret_sealed, "
                           "min_severity, enabled, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  webhook.public_id = "whk_" + crypto::RandomToken(12);
  webhook.created_ms = now_ms;
  s.Bind(1, webhook.public_id).Bind(2, webhook.name).Bind(3, webhook.url);
  s.BindBlob(4, webhook.secret_sealed);
  s.Bind(5, ToString(webhook.min_severity))
      .Bind(6, std::int64_t{webhook.enabled ? 1 : 0})
      .Bind(7, now_ms);
  CAMGUARD_TRY_STATUS(s.Run());
  webhook.id = db_.LastInsertRowId();
  return webhook;
}

base::Result<std::vector<Webhook>> AlertStore::Webhooks() {
  CAMGUARD_TRY(auto s,
               db_.Prepare(fmt::format("SELECT {} FROM webhooks ORDER BY id", kWebhookColumns)));
  std::vector<Webhook> webhooks;
  for (;;) {
    CAMGUARD_TRY(const bool row, s.Step());
    if (!row) break;
    webhooks.push_back(ReadWebhook(s));
  }
  return webhooks;
}

base::Result<std::optional<Webhook>> AlertStore::FindWebhook(std::string_view public_id) {
  CAMGUARD_TRY(auto s, db_.Prepare(fmt::format("SELECT {} FROM webhooks WHERE public_id = ?",
                                               kWebhookColumns)));
  s.Bind(1, public_id);
  CAMGUARD_TRY(const bool row, s.Step());
  if (!row) return std::optional<Webhook>();
  return std::optional<Webhook>(ReadWebhook(s));
}

base::Status AlertStore::DeleteWebhook(std::int64_t webhook_id) {
  CAMGUARD_TRY(auto s, db_.Prepare("DELETE FROM webhooks WHERE id = ?"));
  s.Bind(1, webhook_id);
  return s.Run();
}

base::Status AlertStore::RecordDelivery(const Delivery& delivery) {
  CAMGUARD_TRY(auto s,
               db_.Prepare("INSERT INTO alert_deliveries (alert_id, webhook_id, channel, "
                           "attempt, outcome, detail, time_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  s.Bind(1, delivery.alert_id);
  BindOptional(s, 2, delivery.webhook_id);
  s.Bind(3, delivery.channel)
      .Bind(4, std::int64_t{delivery.attempt})
      .Bind(5, delivery.outcome)
      .Bind(6, delivery.detail)
      .Bind(7, delivery.time_ms);
  return s.Run();
}

base::Result<std::vector<Delivery>> AlertStore::Deliveries(std::optional<std::int64_t> webhook_id,
                                                           bool dead_only, int limit) {
  CAMGUARD_TRY(auto s, db_.Prepare("SELECT id, alert_id, webhook_id, channel, attempt, outcome, "
                                   "detail, time_ms FROM alert_deliveries WHERE (?1 IS NULL OR "
                                   "webhook_id = ?1) AND (?2 = 0 OR outcome = 'dead') "
                                   "ORDER BY id DESC LIMIT ?3"));
  BindOptional(s, 1, webhook_id);
  s.Bind(2, std::int64_t{dead_only ? 1 : 0}).Bind(3, std::int64_t{limit});
  std::vector<Delivery> deliveries;
  for (;;) {
    CAMGUARD_TRY(const bool row, s.Step());
    if (!row) break;
    Delivery d;
    d.id = s.ColumnInt(0);
    d.alert_id = s.ColumnInt(1);
    d.webhook_id = s.ColumnOptionalInt(2);
    d.channel = s.ColumnText(3);
    d.attempt = static_cast<int>(s.ColumnInt(4));
    d.outcome = s.ColumnText(5);
    d.detail = s.ColumnText(6);
    d.time_ms = s.ColumnInt(7);
    deliveries.push_back(std::move(d));
  }
  return deliveries;
}

}  // namespace camguard::alerts
