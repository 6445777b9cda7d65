-- SPDX-License-Identifier: Apache-2.0
-- 0008: ONVIF control and the integrity watch.

-- The camera's ONVIF device service (http:// or https://), when it has one: PTZ through the hub,
-- movement and configuration watch. The credentials are the camera's sealed ones.
ALTER TABLE cameras ADD COLUMN onvif_url TEXT;
-- Whether the hub watches the camera for moves and configuration changes made from outside.
ALTER TABLE cameras ADD COLUMN integrity_watch INTEGER NOT NULL DEFAULT 1
  CHECK (integrity_watch IN (0, 1));
-- Privacy mode: the hub neither records nor shows the camera while it is on.
ALTER TABLE cameras ADD COLUMN privacy INTEGER NOT NULL DEFAULT 0 CHECK (privacy IN (0, 1));

-- The last accepted configuration of a camera (users, network, DNS, NTP, firmware), one
-- "key=value" line each; a later snapshot that differs raises a configuration-drift alert.
CREATE TABLE camera_config_baselines (
  camera_id INTEGER PRIMARY KEY REFERENCES cameras(id) ON DELETE CASCADE,
  taken_ms INTEGER NOT NULL,
  snapshot TEXT NOT NULL
) STRICT;
