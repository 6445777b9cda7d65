-- SPDX-License-Identifier: Apache-2.0
-- 0003: how the streaming engine reaches and records each camera.

ALTER TABLE cameras ADD COLUMN transport TEXT NOT NULL DEFAULT 'tcp'
  CHECK (transport IN ('tcp', 'udp'));
ALTER TABLE cameras ADD COLUMN recording_enabled INTEGER NOT NULL DEFAULT 1
  CHECK (recording_enabled IN (0, 1));
-- Recordings older than this are deleted by retention (exports are never deleted).
ALTER TABLE cameras ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 30
  CHECK (retention_days BETWEEN 1 AND 3650);
