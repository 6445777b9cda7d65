-- SPDX-License-Identifier: Apache-2.0
-- 0002: cameras with sealed credentials, per-camera rights, and room for passkeys.

CREATE TABLE cameras (
  id                  INTEGER PRIMARY KEY,
  public_id           TEXT    NOT NULL UNIQUE,
  name                TEXT    NOT NULL,
  main_url            TEXT    NOT NULL,                 -- without credentials
  sub_url             TEXT,
  credentials_sealed  BLOB,                             -- secretbox(JSON {username,password}) under keys/secrets.key
  created_ms          INTEGER NOT NULL
) STRICT;

-- rights is a bit set: view=1 playback=2 export=4 ptz=8 talk=16 configure=32.
CREATE TABLE camera_rights (
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  rights    INTEGER NOT NULL CHECK (rights >= 0 AND rights < 64),
  PRIMARY KEY (user_id, camera_id)
) STRICT;

-- WebAuthn credentials (passkeys); filled by the web UI work.
CREATE TABLE webauthn_credentials (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  credential_id BLOB    NOT NULL UNIQUE,
  public_key    BLOB    NOT NULL,                       -- COSE_Key
  sign_count    INTEGER NOT NULL DEFAULT 0,
  transports    TEXT    NOT NULL DEFAULT '',
  name          TEXT    NOT NULL,
  created_ms    INTEGER NOT NULL,
  last_used_ms  INTEGER
) STRICT;
