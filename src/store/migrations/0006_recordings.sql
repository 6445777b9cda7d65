-- SPDX-License-Identifier: Apache-2.0
-- 0006: the index of recorded segment files (the files themselves live under recordings/).

CREATE TABLE recordings (
  id         INTEGER PRIMARY KEY,
  camera_id  INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  path       TEXT    NOT NULL UNIQUE,
  start_ms   INTEGER NOT NULL,
  end_ms     INTEGER NOT NULL,
  bytes      INTEGER NOT NULL CHECK (bytes >= 0),
  frames     INTEGER NOT NULL CHECK (frames >= 0),
  encrypted  INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
  complete   INTEGER NOT NULL CHECK (complete IN (0, 1)),
  codec      TEXT    NOT NULL DEFAULT '',
  width      INTEGER NOT NULL DEFAULT 0,
  height     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX recordings_by_camera_time ON recordings (camera_id, start_ms);
