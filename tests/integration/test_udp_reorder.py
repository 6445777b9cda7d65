# SPDX-License-Identifier: Apache-2.0
"""RTP over UDP with a network that reorders and drops: camsim swaps adjacent packets (and later
drops some) on command; the hub puts reordered packets back in order without counting them as
lost, counts what is really lost, and keeps recording."""

import time
import unittest

from cameras import Camsim, camsim_available
from hub import API, HubTestCase


@unittest.skipUnless(camsim_available(), "needs camsim (CAMSIM_BIN) and ffprobe")
class UdpReorderTest(HubTestCase):
    def test_reordered_packets_are_not_lost_and_dropped_ones_are_counted(self):
        with Camsim(cameras=1) as sim:
            cam = sim.cameras[0]
            hub = self.new_hub(config={"recording": {"encrypt": False}})
            client = hub.login(*hub.setup_owner())
            camera = client.post(API + "/cameras", {
                "name": "Shed", "main_url": cam["rtsp_main"], "username": cam["username"],
                "password": cam["password"], "transport": "udp"}, expect=201).json()["camera"]
            url = API + f"/cameras/{camera['id']}"

            def status():
                return client.get(url, expect=200).json()["camera"]["status"]

            deadline = time.monotonic() + 30
            while status()["state"] != "online" or status()["frames"] == 0:
                self.assertLess(time.monotonic(), deadline, status())
                time.sleep(0.3)
            sim.ctl("udp-reorder", 1, 30)
            before = status()
            time.sleep(8)
            after = status()
            self.assertEqual(after["state"], "online", after)
            self.assertGreater(after["frames"], before["frames"] + 150)  # 25 fps for 8 s
            self.assertEqual(after["lost_packets"], before["lost_packets"], after)

            sim.ctl("udp-reorder", 1, 0)
            sim.ctl("udp-loss", 1, 5)
            time.sleep(5)
            lossy = status()
            self.assertGreater(lossy["lost_packets"], after["lost_packets"], lossy)
            self.assertEqual(lossy["state"], "online", lossy)


if __name__ == "__main__":
    unittest.main()
