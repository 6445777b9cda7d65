# SPDX-License-Identifier: Apache-2.0
"""camsim against independent clients: ffprobe/ffmpeg read its streams, a Python ONVIF client
(onvif.py, not camguard's) speaks to its ONVIF services, urllib fetches its snapshots. Proves what
the other tests rely on: streams with the right codec, size and rate; credentials enforced
(and replays refused); the ONVIF access policy; PTZ that moves at its configured speed and
changes the picture; and each weakness profile opening exactly its own door."""

import base64
import hashlib
import json
import os
import re
import subprocess
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

import onvif
from cameras import Camsim, camsim_available


def stream_info(url):
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0",
         "-show_entries", "stream=codec_name,width,height,r_frame_rate", "-of", "json", url],
        capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        return None
    return json.loads(result.stdout)["streams"][0]


def grab_gray(url, width=64, height=36):
    """One decoded frame of the stream as width*height gray bytes."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", url, "-frames:v", "1",
         "-vf", f"scale={width}:{height},format=gray", "-f", "rawvideo", "-"],
        capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout


def mean_abs_diff(a, b):
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


def _get(url, headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def http_get(url, user=None, password=None, scheme="digest"):
    """GET with at most one authentication attempt (no retries that would count as failures)."""
    if user is None:
        return _get(url, {})[:2]
    if scheme == "basic":
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return _get(url, {"Authorization": f"Basic {token}"})[:2]
    status, body, headers = _get(url, {})
    challenge = next((v for v in headers.get_all("WWW-Authenticate") or [] if v.startswith("Digest ")), None)
    if status != 401 or challenge is None:
        return status, body
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge[7:]))
    path = urllib.parse.urlsplit(url)
    uri = path.path + (f"?{path.query}" if path.query else "")
    md5 = lambda text: hashlib.md5(text.encode()).hexdigest()
    ha1 = md5(f"{user}:{params['realm']}:{password}")
    response = md5(f"{ha1}:{params['nonce']}:{md5('GET:' + uri)}")
    authorization = (f'Digest username="{user}", realm="{params["realm"]}", nonce="{params["nonce"]}", '
                     f'uri="{uri}", response="{response}", algorithm=MD5')
    return _get(url, {"Authorization": authorization})[:2]


def with_credentials(url, user, password):
    return url.replace("rtsp://", f"rtsp://{user}:{password}@", 1)


@unittest.skipUnless(camsim_available(), "camsim or ffprobe not available")
class CamsimTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Camsim(cameras=2, extra_args=["--ptz-speed", "0.5"])
        cls.cam = cls.sim.cameras[0]

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def creds(self, camera=None):
        camera = camera or self.cam
        return camera["username"], camera["password"]

    def test_streams_have_the_right_codec_size_and_rate(self):
        for camera in self.sim.cameras:
            main = stream_info(with_credentials(camera["rtsp_main"], *self.creds(camera)))
            sub = stream_info(with_credentials(camera["rtsp_sub"], *self.creds(camera)))
            self.assertEqual((main["codec_name"], main["width"], main["height"], main["r_frame_rate"]),
                             ("h264", 1920, 1080, "25/1"))
            self.assertEqual((sub["codec_name"], sub["width"], sub["height"], sub["r_frame_rate"]),
                             ("h264", 640, 360, "15/1"))

    def test_wrong_credentials_are_refused(self):
        self.assertIsNone(stream_info(with_credentials(self.cam["rtsp_sub"], "admin", "wrong")))
        self.assertIsNone(stream_info(self.cam["rtsp_sub"]))
        status, _ = http_get(self.cam["snapshot"], "admin", "wrong")
        self.assertEqual(status, 401)

    def test_onvif_access_policy_on_a_hardened_camera(self):
        url = self.cam["onvif"]
        status, root = onvif.call(url, "<tds:GetSystemDateAndTime/>")
        self.assertEqual(status, 200)
        self.assertIsNotNone(onvif.find(root, "UTCDateTime/Date/Year"))
        stream_uri = "<trt:GetStreamUri><trt:ProfileToken>main</trt:ProfileToken></trt:GetStreamUri>"
        status, _ = onvif.call(url, stream_uri)
        self.assertEqual(status, 401)
        status, root = onvif.call(url, stream_uri, *self.creds())
        self.assertEqual(status, 200)
        self.assertEqual(onvif.find(root, "MediaUri/Uri"), self.cam["rtsp_main"])
        status, root = onvif.call(url, stream_uri, "admin", "wrong-password")
        self.assertEqual(status, 400)
        self.assertEqual(onvif.find(root, "Fault/Code/Subcode/Value"), "ter:NotAuthorized")
        for anonymous_denied in ("<tds:GetUsers/>", "<tds:GetDeviceInformation/>",
                                 '<tptz:Stop><tptz:ProfileToken>main</tptz:ProfileToken></tptz:Stop>'):
            self.assertEqual(onvif.call(url, anonymous_denied)[0], 401, anonymous_denied)

    def test_a_replayed_username_token_is_refused(self):
        token = onvif.username_token(*self.creds())
        body = "<trt:GetProfiles/>"
        self.assertEqual(onvif.call(self.cam["onvif"], body, header=token)[0], 200)
        status, root = onvif.call(self.cam["onvif"], body, header=token)
        self.assertEqual(status, 400)
        self.assertEqual(onvif.find(root, "Fault/Code/Subcode/Value"), "ter:NotAuthorized")

    def test_ptz_moves_at_the_configured_speed(self):
        camera = self.sim.cameras[1]
        url = camera["onvif"]
        user, password = self.creds(camera)
        self.sim.ctl("ptz", 2, "teleport", 0, 0)
        move = ('<tptz:AbsoluteMove><tptz:ProfileToken>main</tptz:ProfileToken><tptz:Position>'
                '<tt:PanTilt x="1" y="0"/></tptz:Position></tptz:AbsoluteMove>')
        start = time.monotonic()
        self.assertEqual(onvif.call(url, move, user, password)[0], 200)
        time.sleep(1.0)
        pan, _, state = onvif.ptz_status(url, user, password)
        elapsed = time.monotonic() - start
        self.assertEqual(state, "MOVING")
        self.assertAlmostEqual(pan, 0.5 * elapsed, delta=0.15)
        time.sleep(2.0)
        pan, tilt, state = onvif.ptz_status(url, user, password)
        self.assertEqual((pan, tilt, state), (1.0, 0.0, "IDLE"))

    def test_an_outsider_move_changes_status_and_picture(self):
        url = self.cam["onvif"]
        user, password = self.creds()
        sub = with_credentials(self.cam["rtsp_sub"], user, password)
        self.sim.ctl("ptz", 1, "teleport", 0, 0)
        before = grab_gray(sub)
        again = grab_gray(sub)
        _, snapshot_before = http_get(self.cam["snapshot"], user, password)
        state = self.sim.ctl("ptz", 1, "absolute", -0.9, 0)
        self.assertTrue(state["moving"])
        event = self.sim.wait_event(lambda e: e.get("event") == "ptz" and e["state"]["camera"] == 1)
        self.assertIn("at", event)
        time.sleep(2.2)
        pan, _, move_state = onvif.ptz_status(url, user, password)
        self.assertEqual((pan, move_state), (-0.9, "IDLE"))
        after = grab_gray(sub)
        same_view = mean_abs_diff(before, again)
        moved_view = mean_abs_diff(before, after)
        self.assertGreater(moved_view, 3 * same_view + 5, (same_view, moved_view))
        status, snapshot_after = http_get(self.cam["snapshot"], user, password)
        self.assertEqual(status, 200)
        self.assertTrue(snapshot_after.startswith(b"\xff\xd8"))
        self.assertNotEqual(snapshot_before, snapshot_after)
        self.sim.ctl("ptz", 1, "teleport", 0, 0)

    def test_control_changes_accounts_dns_and_cover(self):
        url = self.cam["onvif"]
        user, password = self.creds()
        self.sim.ctl("add-user", 1, "mallory", "xc3511", "Administrator")
        status, root = onvif.call(url, "<tds:GetUsers/>", user, password)
        self.assertEqual(status, 200)
        names = [n.text for n in root.iter() if n.tag.endswith("}Username")]
        self.assertIn("mallory", names)
        # The outsider's account works on every interface, as on a real camera.
        self.assertIsNotNone(stream_info(with_credentials(self.cam["rtsp_sub"], "mallory", "xc3511")))
        self.sim.ctl("remove-user", 1, "mallory")
        self.sim.ctl("set-dns", 1, "127.0.0.66")
        status, root = onvif.call(url, "<tds:GetDNS/>", user, password)
        self.assertEqual(onvif.find(root, "DNSManual/IPv4Address"), "127.0.0.66")
        self.assertEqual(self.sim.ctl("cover", 1, "on")["view"], "covered")
        self.assertEqual(self.sim.ctl("cover", 1, "off")["view"], "home")

    def test_control_refuses_bad_commands(self):
        port = self.cam["control_port"]
        for words in (["ptz", "1", "fly"], ["ptz", "99", "stop"], ["cover", "1", "maybe"]):
            result = subprocess.run([os.environ["CAMSIM_BIN"], "ctl", "--port", str(port), *words],
                                    capture_output=True, text=True, timeout=10)
            self.assertEqual(result.returncode, 1, words)
            self.assertIn("camsim ctl:", result.stderr)


@unittest.skipUnless(camsim_available(), "camsim or ffprobe not available")
class WeaknessProfileTest(unittest.TestCase):
    """Camera 1 hardened, each other camera one weakness: each shows exactly its own."""

    PROFILES = ["hardened", "default-creds", "open-rtsp", "onvif-noauth", "info-leak",
                "plain-http-basic", "weak-password", "cve-2017-7921"]

    @classmethod
    def setUpClass(cls):
        args = []
        for number, profile in enumerate(cls.PROFILES, start=1):
            args += ["--profile", f"{number}={profile}"]
        cls.sim = Camsim(cameras=len(cls.PROFILES), extra_args=args)
        cls.by_profile = {c["profile"]: c for c in cls.sim.cameras}

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def weaknesses_of(self, camera):
        found = set()
        if stream_info(camera["rtsp_sub"]) is not None:
            found.add("open-rtsp")
        elif stream_info(with_credentials(camera["rtsp_sub"], "admin", "admin")) is not None:
            found.add("default-creds")
        if onvif.call(camera["onvif"], "<tds:GetUsers/>")[0] == 200:
            found.add("onvif-noauth")
        if onvif.call(camera["onvif"], "<tds:GetDeviceInformation/>")[0] == 200:
            found.add("info-leak")
        base = camera["snapshot"].rsplit("/", 1)[0] + "/"
        if http_get(base, camera["username"], camera["password"], scheme="basic")[0] == 200:
            found.add("plain-http-basic")
        if camera["password"].isdigit() and len(camera["password"]) == 6:
            found.add("weak-password")
        status, body = http_get(base + "Security/users?auth=YWRtaW46MTEK")
        if status == 200 and b"<userName>" in body:
            found.add("cve-2017-7921")
        return found

    def test_each_profile_shows_exactly_its_weakness(self):
        for profile, camera in self.by_profile.items():
            expected = set() if profile == "hardened" else {profile}
            if profile == "onvif-noauth":
                expected.add("info-leak")  # every operation anonymous includes device information
            with self.subTest(profile=profile):
                self.assertEqual(self.weaknesses_of(camera), expected)


if __name__ == "__main__":
    unittest.main()
