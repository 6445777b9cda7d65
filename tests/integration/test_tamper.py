# SPDX-License-Identifier: Apache-2.0
"""Image tamper detection end to end on real pixels: camsim's lens covered and its view pointed
elsewhere through its control interface raise tamper alerts (and the cover's end is reported);
a move the hub itself makes through PTZ does not."""

import time
import unittest

from cameras import Camsim, camsim_available
from hub import API, HubTestCase

CONFIG = {"watch": {"poll_interval": "1s", "tamper_interval": "2s"},
          "recording": {"encrypt": False}}


@unittest.skipUnless(camsim_available(), "needs camsim (CAMSIM_BIN) and ffprobe")
class TamperTest(HubTestCase):
    def test_cover_and_view_change_are_alerts_hub_moves_are_not(self):
        with Camsim(cameras=1, extra_args=["--ptz-speed", "2.0"]) as sim:
            cam = sim.cameras[0]
            hub = self.new_hub(config=CONFIG)
            client = hub.login(*hub.setup_owner())
            camera = client.post(API + "/cameras", {
                "name": "Nursery", "main_url": cam["rtsp_main"], "username": cam["username"],
                "password": cam["password"], "onvif_url": cam["onvif"]}, expect=201).json()["camera"]

            def tamper_alerts():
                return [a for a in client.get(API + "/alerts", expect=200).json()["alerts"]
                        if a["kind"] == "camera.tamper"]

            def wait_for(predicate, timeout=40):
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    found = [a for a in tamper_alerts() if predicate(a)]
                    if found:
                        return found[0]
                    time.sleep(0.5)
                return None

            # Learn the normal view (a keyframe every 2 s; a few pictures).
            time.sleep(14)
            self.assertEqual(tamper_alerts(), [])

            # The hub turns the camera to another scene: expected, no alarm.
            ptz = API + f"/cameras/{camera['id']}/ptz"
            deadline = time.monotonic() + 20
            while client.get(ptz).status != 200:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.3)
            client.post(ptz, {"action": "absolute_move", "pan": 0.9, "tilt": 0}, expect=200)
            time.sleep(16)
            self.assertEqual([a["title"] for a in tamper_alerts()], [])

            # Someone covers the lens.
            started = time.monotonic()
            sim.ctl("cover", 1, "on")
            covered = wait_for(lambda a: "covered" in a["title"])
            self.assertIsNotNone(covered, "no alert for the covered lens")
            print(f"\ncovered lens reported after {time.monotonic() - started:.1f} s", flush=True)
            self.assertEqual(covered["details"]["kind"], "covered")
            sim.ctl("cover", 1, "off")
            self.assertIsNotNone(wait_for(lambda a: "clear again" in a["title"]))

            # Someone points the camera elsewhere without PTZ (forced view).
            time.sleep(10)
            started = time.monotonic()
            sim.ctl("view", 1, "down")
            moved = wait_for(lambda a: "view changed" in a["title"])
            self.assertIsNotNone(moved, "no alert for the changed view")
            print(f"changed view reported after {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    unittest.main()
