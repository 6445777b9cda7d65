# SPDX-License-Identifier: Apache-2.0
"""The streaming engine against an RTSP server camguard did not write: GStreamer's
gst-rtsp-server (tools/rtsp-peer-gstreamer) with Digest authentication, over TCP and over UDP.
ffprobe judges what was recorded."""

import glob
import json
import os
import shutil
import signal
import subprocess
import time
import unittest

from cameras import probe_frames
from hub import API, HubTestCase

PEER = os.path.join(os.environ.get("CAMGUARD_SOURCE_DIR", "."), "tools", "rtsp-peer-gstreamer")
CLIPS = os.environ.get("CAMSIM_CLIPS", "")


def gstreamer_available():
    if not (os.path.exists("/usr/bin/python3") and CLIPS and shutil.which("ffprobe")):
        return False
    probe = subprocess.run(["/usr/bin/python3", "-c",
                            "import gi; gi.require_version('GstRtspServer', '1.0')"],
                           capture_output=True)
    return probe.returncode == 0


@unittest.skipUnless(gstreamer_available(), "needs Debian's GStreamer RTSP server (python3-gi)")
class GStreamerPeerTest(HubTestCase):
    def start_peer(self):
        clip = os.path.join(CLIPS, "home_sub.h264")
        proc = subprocess.Popen(["/usr/bin/python3", PEER, clip, "--fps", "15", "--user", "peer",
                                 "--password", "peer-pass-123"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_peer, proc)
        line = proc.stdout.readline()
        self.assertTrue(line, proc.stderr.read() if proc.poll() is not None else "no output")
        return json.loads(line)

    @staticmethod
    def stop_peer(proc):
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def record_from_peer(self, transport):
        peer = self.start_peer()
        hub = self.new_hub(config={"recording": {"encrypt": False, "segment_length": "10s"}})
        client = hub.login(*hub.setup_owner())
        camera = client.post(API + "/cameras", {
            "name": "GStreamer", "main_url": peer["url"], "username": peer["username"],
            "password": peer["password"], "transport": transport}, expect=201).json()["camera"]
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            status = client.get(API + f"/cameras/{camera['id']}").json()["camera"]["status"]
            if status and status["state"] == "online" and status["frames"] > 15:
                break
            time.sleep(0.25)
        self.assertEqual(status["state"], "online", status)
        time.sleep(6)
        self.assertEqual(hub.stop(), 0)
        files = glob.glob(os.path.join(hub.data_dir, "recordings", "*", "*.mp4"))
        self.assertTrue(files)
        total = 0
        for path in files:
            frames, errors, codec, width, height = probe_frames(path)
            self.assertEqual(errors, "", path)
            self.assertEqual((codec, width, height), ("h264", 640, 360))
            total += frames
        self.assertGreaterEqual(total, 15 * 5, total)  # about six seconds at 15 fps, minus a GOP

    def test_records_over_tcp_with_digest(self):
        self.record_from_peer("tcp")

    def test_records_over_udp(self):
        self.record_from_peer("udp")


if __name__ == "__main__":
    unittest.main()
