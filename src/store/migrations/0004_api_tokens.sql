-- SPDX-License-Identifier: Apache-2.0
-- 0004: long-lived API tokens for integrations (Home Assistant, Prometheus, scripts).

CREATE TABLE api_tokens (
  id            INTEGER PRIMARY KEY,
  public_id     TEXT    NOT NULL UNIQUE,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- acts as this user, narrowed
  name          TEXT    NOT NULL,
  token_hash    TEXT    NOT NULL UNIQUE,                 -- SHA-256 hex; the token itself is shown once
  scopes        INTEGER NOT NULL CHECK (scopes > 0 AND scopes < 16),  -- read=1 ptz=2 privacy=4 metrics=8
  camera_ids    TEXT,                                    -- NULL: every camera the user may use; else "1,5,9"
  created_ms    INTEGER NOT NULL,
  expires_ms    INTEGER,
  last_used_ms  INTEGER,
  revoked_ms    INTEGER
) STRICT;

CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
