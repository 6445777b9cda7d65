# SPDX-License-Identifier: Apache-2.0
"""Recording end to end: camsim cameras added through the API are recorded by the real daemon,
and ffprobe judges the files: every frame there, decodable, and still so after a SIGKILL."""

import glob
import hashlib
import os
import signal
import time
import unittest

from cameras import Camsim, camsim_available, probe_frames
from hub import API, HubTestCase

FPS = 25  # camsim's main clips
PLAIN = {"recording": {"encrypt": False, "segment_length": "10s"}}


def segment_files(hub):
    return sorted(glob.glob(os.path.join(hub.data_dir, "recordings", "*", "*")))


@unittest.skipUnless(camsim_available(), "needs camsim (CAMSIM_BIN) and ffprobe")
class RecordingTest(HubTestCase):
    def add_cameras(self, client, sim, transport="tcp"):
        ids = []
        for cam in sim.cameras:
            reply = client.post(API + "/cameras", {
                "name": f"Camera {cam['camera']}", "main_url": cam["rtsp_main"],
                "sub_url": cam["rtsp_sub"], "username": cam["username"],
                "password": cam["password"], "transport": transport}, expect=201)
            ids.append(reply.json()["camera"]["id"])
        return ids

    def wait_online(self, client, ids, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cameras = {c["id"]: c for c in client.get(API + "/cameras", expect=200).json()["cameras"]}
            states = {i: (cameras[i]["status"] or {}).get("state") for i in ids}
            if all(s == "online" and cameras[i]["status"]["frames"] > 0 for i, s in states.items()):
                return cameras
            time.sleep(0.25)
        self.fail(f"cameras not online after {timeout} s: {cameras}")

    def test_four_cameras_recorded_with_every_frame_and_playable(self):
        with Camsim(cameras=4) as sim:
            hub = self.new_hub(config=PLAIN)
            client = hub.login(*hub.setup_owner())
            ids = self.add_cameras(client, sim)
            self.wait_online(client, ids)
            started = time.monotonic()
            time.sleep(30)
            cameras = {c["id"]: c for c in client.get(API + "/cameras").json()["cameras"]}
            elapsed = time.monotonic() - started
            for camera_id in ids:
                status = cameras[camera_id]["status"]
                self.assertEqual(status["state"], "online")
                self.assertTrue(status["codec"].startswith("avc1."), status)
                self.assertEqual((status["width"], status["height"]), (1920, 1080))
                self.assertAlmostEqual(status["frames_per_second"], FPS, delta=2)
                self.assertTrue(status["recording"], status)
            received = {i: cameras[i]["status"]["frames"] for i in ids}
            self.assertEqual(hub.stop(), 0, hub.output())

        by_camera = {}
        for path in segment_files(hub):
            by_camera.setdefault(os.path.basename(os.path.dirname(path)), []).append(path)
        self.assertEqual(len(by_camera), 4, segment_files(hub))
        for folder, paths in by_camera.items():
            total = 0
            for path in paths:
                frames, errors, codec, width, height = probe_frames(path)
                self.assertEqual(errors, "", path)
                self.assertEqual((codec, width, height), ("h264", 1920, 1080), path)
                total += frames
            # Every frame received after the first keyframe is in the files (the frames before
            # the first keyframe cannot be decoded and are not recorded: at most one GOP).
            self.assertGreaterEqual(total, elapsed * FPS * 0.999, (folder, total, received))
            self.assertGreaterEqual(total, max(received.values()) - 2 * FPS - FPS, folder)

    def test_sigkill_loses_at_most_about_a_second(self):
        with Camsim(cameras=1) as sim:
            hub = self.new_hub(config=PLAIN)
            client = hub.login(*hub.setup_owner())
            ids = self.add_cameras(client, sim)
            self.wait_online(client, ids)
            time.sleep(8)
            frames_before_kill = client.get(API + "/cameras/" + ids[0]).json()["camera"]["status"]["frames"]
            hub.proc.send_signal(signal.SIGKILL)
            hub.proc.wait(10)
            hub.proc = None
            hub.start()  # recovery trims the partial fragment
            hub.stop()
        total = 0
        for path in segment_files(hub):
            frames, errors, *_ = probe_frames(path)
            self.assertEqual(errors, "", path)
            total += frames
        # ~1 s of fragment in flight, plus the frames before the first keyframe (one GOP).
        self.assertGreaterEqual(total, frames_before_kill - FPS * 1.5 - 2 * FPS,
                                (total, frames_before_kill))

    def test_recordings_are_encrypted_by_default(self):
        with Camsim(cameras=1) as sim:
            hub = self.new_hub(config={"recording": {"segment_length": "10s"}})
            client = hub.login(*hub.setup_owner())
            ids = self.add_cameras(client, sim)
            self.wait_online(client, ids)
            time.sleep(4)
            hub.stop()
        files = segment_files(hub)
        self.assertTrue(files)
        for path in files:
            with open(path, "rb") as f:
                head = f.read(64 * 1024)
            self.assertNotIn(b"ftyp", head[:16], path)
            self.assertNotIn(b"moof", head, path)
            self.assertEqual(probe_frames(path)[0], 0, path)
            self.assertEqual(os.stat(path).st_mode & 0o077, 0, path)

    def test_export_through_the_api_plays_and_matches_its_hash(self):
        with Camsim(cameras=1) as sim:
            hub = self.new_hub(config={"recording": {"segment_length": "10s"}})  # encrypted
            client = hub.login(*hub.setup_owner())
            ids = self.add_cameras(client, sim)
            self.wait_online(client, ids)
            time.sleep(14)  # two segments
            listed = client.get(API + f"/cameras/{ids[0]}/recordings", expect=200).json()
            self.assertGreaterEqual(len(listed["segments"]), 2, listed)
            self.assertEqual(listed["gaps"], [])
            start = listed["segments"][0]["from"]
            end = listed["segments"][-1]["to"]
            made = client.post(API + f"/cameras/{ids[0]}/exports", {"from": start, "to": end},
                               expect=201).json()["export"]
            download = client.get(API + f"/exports/{made['id']}", expect=200)
            self.assertEqual(download.header("content-type"), "video/mp4")
            self.assertEqual(hashlib.sha256(download.body).hexdigest(), made["sha256"])
            path = os.path.join(hub.tmp, "export.mp4")
            with open(path, "wb") as f:
                f.write(download.body)
            frames, errors, codec, width, height = probe_frames(path)
            self.assertEqual(errors, "")
            self.assertEqual((codec, width, height), ("h264", 1920, 1080))
            # Every frame of the segments, across the cut between them.
            recorded = sum(s["frames"] for s in listed["segments"])
            self.assertGreaterEqual(frames, recorded - FPS, (frames, recorded))
            log = client.get(API + "/audit-log?action=recording.&limit=10", expect=200).json()
            self.assertEqual({e["action"] for e in log["entries"]},
                             {"recording.export", "recording.download"})

    def test_a_camera_that_goes_away_raises_an_offline_alert(self):
        sim = Camsim(cameras=1)
        try:
            hub = self.new_hub(config=PLAIN)
            client = hub.login(*hub.setup_owner())
            ids = self.add_cameras(client, sim)
            self.wait_online(client, ids)
        finally:
            sim.stop()
        deadline = time.monotonic() + 30
        offline = []
        while time.monotonic() < deadline and not offline:
            alerts = client.get(API + "/alerts", expect=200).json()["alerts"]
            offline = [a for a in alerts if a["kind"] == "camera.offline"]
            time.sleep(0.25)
        self.assertTrue(offline, "no offline alert")
        self.assertEqual(offline[0]["camera_id"], ids[0])
        self.assertIn("Camera 1 is offline", offline[0]["title"])

    def test_wrong_camera_password_shows_in_status_without_the_password(self):
        with Camsim(cameras=1) as sim:
            hub = self.new_hub(config=PLAIN)
            client = hub.login(*hub.setup_owner())
            cam = sim.cameras[0]
            reply = client.post(API + "/cameras", {
                "name": "Wrong", "main_url": cam["rtsp_main"], "username": cam["username"],
                "password": "not-the-password-123"}, expect=201)
            camera_id = reply.json()["camera"]["id"]
            deadline = time.monotonic() + 20
            status = None
            while time.monotonic() < deadline:
                status = client.get(API + "/cameras/" + camera_id).json()["camera"]["status"]
                if status and status["reconnects"] > 0:
                    break
                time.sleep(0.25)
            self.assertIn("credentials", status["last_error"], status)
            self.assertNotEqual(status["state"], "online")
            self.assertNotIn("not-the-password-123", hub.output(tail=10000))
            # Fixing the password through PATCH brings it online.
            client.patch(API + "/cameras/" + camera_id,
                         {"username": cam["username"], "password": cam["password"]}, expect=200)
            self.wait_online(client, [camera_id])


if __name__ == "__main__":
    unittest.main()
