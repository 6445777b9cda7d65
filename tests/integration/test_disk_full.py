# SPDX-License-Identifier: Apache-2.0
"""A full recordings disk: the daemon runs in a mount namespace of its own where the recordings
folder is a 3 MiB tmpfs (unshare, no privileges needed where user namespaces are allowed). A
camsim camera fills it within seconds; the hub must raise the "disk low" alert, keep the camera
online for live view, count the lost video, and stay up."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

from cameras import Camsim, camsim_available
from hub import API, HubTestCase


def small_disks_possible():
    if shutil.which("unshare") is None:
        return False
    probe = tempfile.mkdtemp(prefix="camguard-mnt-")
    try:
        result = subprocess.run(["unshare", "-Urm", "sh", "-c",
                                 f'mount -t tmpfs -o size=1m tmpfs "{probe}"'],
                                capture_output=True, timeout=10)
        return result.returncode == 0
    finally:
        os.rmdir(probe)


@unittest.skipUnless(camsim_available() and small_disks_possible(),
                     "needs camsim and unprivileged mount namespaces (unshare -Urm)")
class DiskFullTest(HubTestCase):
    def test_a_full_disk_raises_the_alert_and_live_view_goes_on(self):
        recordings = tempfile.mkdtemp(prefix="camguard-small-disk-")
        self.addCleanup(shutil.rmtree, recordings, True)
        with Camsim(cameras=1) as sim:
            cam = sim.cameras[0]
            hub = self.new_hub(start=False, config={
                "recording": {"directory": recordings, "encrypt": False, "segment_length": "60s",
                              "min_free_percent": 0}})
            hub.wrapper = ["unshare", "-Urm", "sh", "-c",
                           'mount -t tmpfs -o size=3m tmpfs "$0" && exec "$@"', recordings]
            hub.start()
            client = hub.login(*hub.setup_owner())
            camera = client.post(API + "/cameras", {
                "name": "Hall", "main_url": cam["rtsp_main"], "username": cam["username"],
                "password": cam["password"]}, expect=201).json()["camera"]["id"]
            alert = None
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and alert is None:
                alerts = client.get(API + "/alerts", expect=200).json()["alerts"]
                alert = next((a for a in alerts if a["kind"] == "storage.disk_low"), None)
                time.sleep(0.5)
            self.assertIsNotNone(alert, "no disk-low alert")
            self.assertIn("full", alert["title"])
            status = client.get(API + f"/cameras/{camera}", expect=200).json()["camera"]["status"]
            self.assertEqual(status["state"], "online", status)
            self.assertGreater(status["fragments_dropped"], 0, status)
            frames = status["frames"]
            time.sleep(2)
            later = client.get(API + f"/cameras/{camera}", expect=200).json()["camera"]["status"]
            self.assertGreater(later["frames"], frames, "video stopped with the disk")
            metrics = client.get(API + "/metrics", expect=200).body.decode()
            self.assertIn("camguard_camera_recording_dropped_fragments_total", metrics)
            self.assertTrue(hub.alive())


if __name__ == "__main__":
    unittest.main()
