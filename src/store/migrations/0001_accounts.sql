-- SPDX-License-Identifier: Apache-2.0
-- 0001: accounts, sessions, second factors and the tamper-evident audit log.
-- Times are milliseconds since the Unix epoch (UTC).

CREATE TABLE users (
  id                  INTEGER PRIMARY KEY,
  username            TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  password_hash       TEXT    NOT NULL,                 -- PHC string, $argon2id$...
  role                TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
  disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  totp_secret_sealed  BLOB,                             -- secretbox under keys/secrets.key; NULL = no TOTP
  totp_last_step      INTEGER NOT NULL DEFAULT 0,       -- last accepted RFC 6238 time step (replay guard)
  created_ms          INTEGER NOT NULL,
  password_changed_ms INTEGER NOT NULL
) STRICT;

-- Exactly one owner can ever exist.
CREATE UNIQUE INDEX users_single_owner ON users(role) WHERE role = 'owner';

-- A TOTP enrollment that has not been confirmed with a first code yet.
CREATE TABLE totp_enrollments (
  user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  secret_sealed BLOB    NOT NULL,
  created_ms    INTEGER NOT NULL
) STRICT;

CREATE TABLE recovery_codes (
  id        INTEGER PRIMARY KEY,
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT    NOT NULL,                           -- HMAC-SHA256 under keys/secrets.key, hex
  used_ms   INTEGER
) STRICT;
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- Devices that completed a full login; their holders are exempt from per-account lockout.
CREATE TABLE trusted_devices (
  id           INTEGER PRIMARY KEY,
  public_id    TEXT    NOT NULL UNIQUE,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash   TEXT    NOT NULL UNIQUE,                 -- SHA-256 of the device cookie, hex
  label        TEXT    NOT NULL,
  created_ms   INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  revoked_ms   INTEGER
) STRICT;

CREATE TABLE sessions (
  id           INTEGER PRIMARY KEY,
  public_id    TEXT    NOT NULL UNIQUE,                 -- random, shown in the API
  token_hash   TEXT    NOT NULL UNIQUE,                 -- SHA-256 of the cookie token, hex
  csrf_token   TEXT    NOT NULL,
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_id    INTEGER REFERENCES trusted_devices(id) ON DELETE SET NULL,
  device       TEXT    NOT NULL,                        -- from the User-Agent, e.g. "Chrome on Android"
  user_agent   TEXT    NOT NULL,
  address      TEXT    NOT NULL,
  created_ms   INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  expires_ms   INTEGER NOT NULL,                        -- absolute expiry
  revoked_ms   INTEGER,
  revoke_reason TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

-- Append-only. hash = HMAC-SHA256(keys/audit.key, prev_hash || canonical row); the key is
-- never stored in the database.
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  time_ms    INTEGER NOT NULL,
  user_id    INTEGER,
  username   TEXT    NOT NULL,
  session_id TEXT    NOT NULL,
  device     TEXT    NOT NULL,
  address    TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  target     TEXT    NOT NULL,
  outcome    TEXT    NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  details    TEXT    NOT NULL,                          -- JSON object
  prev_hash  TEXT    NOT NULL,
  hash       TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_log_time ON audit_log(time_ms);
CREATE INDEX audit_log_action ON audit_log(action);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;
