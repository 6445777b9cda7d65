-- SPDX-License-Identifier: Apache-2.0
-- 0007: exported clips (plain MP4 files under exports/, never deleted by retention).

CREATE TABLE exports (
  id          INTEGER PRIMARY KEY,
  public_id   TEXT    NOT NULL UNIQUE,
  camera_id   INTEGER REFERENCES cameras(id) ON DELETE SET NULL,
  user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
  path        TEXT    NOT NULL,
  from_ms     INTEGER NOT NULL,
  to_ms       INTEGER NOT NULL,
  bytes       INTEGER NOT NULL CHECK (bytes >= 0),
  sha256      TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL
) STRICT;
