-- SPDX-License-Identifier: Apache-2.0
-- 0005: alerts, who wants which, webhooks and every delivery attempt.

CREATE TABLE alerts (
  id               INTEGER PRIMARY KEY,
  public_id        TEXT    NOT NULL UNIQUE,
  kind             TEXT    NOT NULL,                   -- e.g. camera.moved_from_outside
  severity         TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  camera_id        INTEGER REFERENCES cameras(id) ON DELETE SET NULL,
  user_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,  -- account alerts
  title            TEXT    NOT NULL,
  details          TEXT    NOT NULL,                   -- JSON object (evidence)
  first_ms         INTEGER NOT NULL,
  last_ms          INTEGER NOT NULL,
  count            INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),  -- de-duplicated repeats
  acknowledged_ms  INTEGER,
  acknowledged_by  INTEGER REFERENCES users(id) ON DELETE SET NULL
) STRICT;
CREATE INDEX alerts_by_time ON alerts (last_ms);

CREATE TABLE alert_subscriptions (
  user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  min_severity  TEXT    NOT NULL CHECK (min_severity IN ('info', 'warning', 'critical')),
  camera_ids    TEXT,                                  -- NULL: every camera the user may view
  quiet_start   INTEGER CHECK (quiet_start BETWEEN 0 AND 1439),  -- minutes of the local day
  quiet_end     INTEGER CHECK (quiet_end BETWEEN 0 AND 1439)
) STRICT;

CREATE TABLE webhooks (
  id             INTEGER PRIMARY KEY,
  public_id      TEXT    NOT NULL UNIQUE,
  name           TEXT    NOT NULL,
  url            TEXT    NOT NULL,
  secret_sealed  BLOB    NOT NULL,                     -- HMAC key, sealed under keys/secrets.key
  min_severity   TEXT    NOT NULL CHECK (min_severity IN ('info', 'warning', 'critical')),
  enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_ms     INTEGER NOT NULL
) STRICT;

CREATE TABLE alert_deliveries (
  id          INTEGER PRIMARY KEY,
  alert_id    INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  webhook_id  INTEGER REFERENCES webhooks(id) ON DELETE CASCADE,
  channel     TEXT    NOT NULL,                        -- webhook | mqtt | ui
  attempt     INTEGER NOT NULL CHECK (attempt >= 1),
  outcome     TEXT    NOT NULL CHECK (outcome IN ('delivered', 'retrying', 'dead')),
  detail      TEXT    NOT NULL,                        -- HTTP status or error, never a secret
  time_ms     INTEGER NOT NULL
) STRICT;
CREATE INDEX alert_deliveries_by_webhook ON alert_deliveries (webhook_id, time_ms);
