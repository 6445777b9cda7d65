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
import socket
import struct
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


def stream_info_over(url, transport):
    """codec, size and rate of the first video stream as ffprobe reads it over `transport`."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-rtsp_transport", transport, "-select_streams", "v:0",
         "-show_entries", "stream=codec_name,width,height,r_frame_rate", "-of", "json", url],
        capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        return None
    stream = json.loads(result.stdout)["streams"][0]
    return stream["codec_name"], stream["width"], stream["height"], stream["r_frame_rate"]


def decode_errors(url, transport, seconds=3):
    """ffmpeg's error output when decoding `seconds` of the stream ('' when clean)."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-rtsp_transport", transport, "-i", url, "-t", str(seconds),
         "-f", "null", "-"], capture_output=True, text=True, timeout=60)
    return result.stderr.strip() if result.returncode == 0 else f"exit {result.returncode}"


class RtspClient:
    """A minimal RTSP 1.0 client over one TCP connection (Digest MD5 without qop, as camsim
    offers), written for these tests independently of camguard's client."""

    def __init__(self, address, port, user, password):
        self.sock = socket.create_connection((address, port), timeout=10)
        self.user, self.password = user, password
        self.cseq = 0
        self.challenge = None
        self.buffer = b""

    def close(self):
        self.sock.close()

    def local_address(self):
        return self.sock.getsockname()[0]

    def _authorization(self, method, url):
        if self.challenge is None:
            return {}
        md5 = lambda text: hashlib.md5(text.encode()).hexdigest()
        ha1 = md5(f"{self.user}:{self.challenge['realm']}:{self.password}")
        response = md5(f"{ha1}:{self.challenge['nonce']}:{md5(method + ':' + url)}")
        return {"Authorization": f'Digest username="{self.user}", realm="{self.challenge["realm"]}", '
                                 f'nonce="{self.challenge["nonce"]}", uri="{url}", '
                                 f'response="{response}"'}

    def request(self, method, url, headers=None):
        """(status, headers dict with lower-case names, body); answers one 401 with Digest."""
        for _ in range(2):
            self.cseq += 1
            lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self.cseq}"]
            for name, value in {**self._authorization(method, url), **(headers or {})}.items():
                lines.append(f"{name}: {value}")
            self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            status, reply, body = self._response()
            if status == 401 and self.challenge is None:
                challenge = reply.get("www-authenticate", "")
                self.challenge = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
                continue
            return status, reply, body
        return status, reply, body

    def _response(self):
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("connection closed")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self.buffer += self.sock.recv(65536)
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body


def udp_port_pair(address):
    """Two bound UDP sockets on consecutive ports (RTP, RTCP)."""
    for _ in range(50):
        rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rtp.bind((address, 0))
        port = rtp.getsockname()[1]
        rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            rtcp.bind((address, port + 1))
        except OSError:
            rtp.close()
            rtcp.close()
            continue
        for s in (rtp, rtcp):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        return rtp, rtcp
    raise AssertionError("no free UDP port pair")


def receive_rtp(sock, seconds):
    """[(sequence number, timestamp, ssrc, payload type, marker, source)] received in `seconds`."""
    packets = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            data, source = sock.recvfrom(65536)
        except socket.timeout:
            break
        if len(data) < 12:
            continue
        first, second, seq, timestamp, ssrc = struct.unpack("!BBHII", data[:12])
        if first >> 6 == 2:
            packets.append((seq, timestamp, ssrc, second & 0x7F, bool(second & 0x80), source))
    return packets


def sequence_order(packets):
    """Sequence numbers in arrival order, unwrapped (16-bit) and counted from the lowest."""
    if not packets:
        return []
    first = packets[0][0]
    out = []
    for seq, *_ in packets:
        delta = (seq - first) & 0xFFFF
        out.append(delta - 0x10000 if delta > 0x8000 else delta)
    lowest = min(out)
    return [x - lowest for x in out]


@unittest.skipUnless(camsim_available(), "camsim or ffprobe not available")
class UdpTransportTest(unittest.TestCase):
    """RTSP over UDP (RFC 2326 §12.39): ffprobe reads both streams; the RTP and RTCP datagrams
    come from the camera's own server ports and go only to the RTSP client; the simulated
    network loses and reorders packets on command; transports camsim cannot serve get 461."""

    @classmethod
    def setUpClass(cls):
        cls.sim = Camsim(cameras=2)
        cls.cam = cls.sim.cameras[0]

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def client(self, camera=None):
        camera = camera or self.cam
        client = RtspClient(camera["address"], camera["rtsp_port"], camera["username"],
                            camera["password"])
        self.addCleanup(client.close)
        return client

    def play_udp(self, stream="sub", camera=None):
        """A playing UDP session: (client, rtp socket, rtcp socket, SETUP transport reply)."""
        camera = camera or self.cam
        client = self.client(camera)
        rtp, rtcp = udp_port_pair(client.local_address())
        self.addCleanup(rtp.close)
        self.addCleanup(rtcp.close)
        url = camera[f"rtsp_{stream}"]
        status, _, sdp = client.request("DESCRIBE", url, {"Accept": "application/sdp"})
        self.assertEqual(status, 200)
        self.assertIn(b"a=rtpmap:96 H264/90000", sdp)
        port = rtp.getsockname()[1]
        status, reply, _ = client.request(
            "SETUP", url + "/trackID=0",
            {"Transport": f"RTP/AVP/UDP;unicast;client_port={port}-{port + 1}"})
        self.assertEqual(status, 200)
        session = reply["session"].split(";")[0]
        status, _, _ = client.request("PLAY", url, {"Session": session, "Range": "npt=0.000-"})
        self.assertEqual(status, 200)
        return client, rtp, rtcp, reply["transport"]

    def test_ffprobe_reads_main_and_sub_over_udp(self):
        for camera in self.sim.cameras:
            url = with_credentials(camera["rtsp_main"], camera["username"], camera["password"])
            self.assertEqual(stream_info_over(url, "udp"), ("h264", 1920, 1080, "25/1"))
            url = with_credentials(camera["rtsp_sub"], camera["username"], camera["password"])
            self.assertEqual(stream_info_over(url, "udp"), ("h264", 640, 360, "15/1"))
        self.assertEqual(decode_errors(url, "udp"), "")

    def test_rtp_and_sender_reports_come_from_the_camera_server_ports(self):
        _, rtp, rtcp, transport = self.play_udp()
        params = dict(p.split("=", 1) for p in transport.split(";") if "=" in p)
        server_rtp, server_rtcp = (int(x) for x in params["server_port"].split("-"))
        self.assertEqual((server_rtp, server_rtcp), (self.cam["rtp_port"], self.cam["rtp_port"] + 1))
        self.assertEqual(params["source"], self.cam["address"])
        packets = receive_rtp(rtp, 2.0)
        self.assertGreater(len(packets), 30)  # 15 fps, 2 s
        ssrc = int(params["ssrc"], 16)
        self.assertEqual({p[5] for p in packets}, {(self.cam["address"], server_rtp)})
        self.assertEqual({(p[2], p[3]) for p in packets}, {(ssrc, 96)})
        self.assertEqual(sequence_order(packets), list(range(len(packets))), "no loss, in order")
        self.assertTrue(any(p[4] for p in packets), "marker on the last packet of each frame")
        rtcp.settimeout(7)  # a sender report every 5 s, the first at PLAY
        data, source = rtcp.recvfrom(2048)
        self.assertEqual(source, (self.cam["address"], server_rtcp))
        version_count, packet_type, _, sender = struct.unpack("!BBHI", data[:8])
        self.assertEqual((version_count >> 6, packet_type, sender), (2, 200, ssrc))

    def test_loss_and_reorder_on_command(self):
        self.sim.ctl("udp-loss", 1, 30)
        self.addCleanup(self.sim.ctl, "udp-loss", 1, 0)
        event = self.sim.wait_event(lambda e: e.get("event") == "udp-loss")
        self.assertEqual(event["state"]["udp_loss"], 30)
        _, rtp, _, _ = self.play_udp("main")
        order = sequence_order(receive_rtp(rtp, 3.0))
        expected = max(order) + 1
        lost = 1 - len(order) / expected
        self.assertTrue(0.15 < lost < 0.45, (lost, expected))
        self.sim.ctl("udp-loss", 1, 0)

        self.sim.ctl("udp-reorder", 1, 30)
        self.addCleanup(self.sim.ctl, "udp-reorder", 1, 0)
        self.sim.wait_event(lambda e: e.get("event") == "udp-reorder")
        _, rtp, _, _ = self.play_udp("main")
        order = sequence_order(receive_rtp(rtp, 3.0))
        # None lost (the window may end between the two packets of a swapped pair).
        missing = set(range(max(order) + 1)) - set(order)
        self.assertTrue(missing <= {max(order) - 1}, missing)
        self.assertEqual(len(order), len(set(order)))
        swaps = sum(1 for a, b in zip(order, order[1:]) if b < a)
        self.assertGreater(swaps, 0.1 * len(order))
        self.assertTrue(all(abs(position - seq) <= 1 for position, seq in enumerate(order)),
                        "a packet moves by one place at most")

    def test_transports_it_cannot_serve_are_refused_with_461(self):
        client = self.client()
        url = self.cam["rtsp_sub"]
        self.assertEqual(client.request("DESCRIBE", url)[0], 200)
        local = client.local_address()
        for transport in (
                "RTP/AVP;multicast;port=5000-5001",
                "RTP/AVP;unicast",
                "RTP/AVP;unicast;client_port=0-1",
                "RTP/AVP;unicast;client_port=70000-70001",
                "RTP/AVP;unicast;destination=127.0.0.99;client_port=5000-5001",
                "RTP/AVP/TCP;interleaved=255-256",
                "RTP/SAVP;unicast;client_port=5000-5001",
                "RTP/AVP;unicast;client_port=5000-5001;mode=RECORD"):
            status, _, _ = client.request("SETUP", url + "/trackID=0", {"Transport": transport})
            self.assertEqual(status, 461, transport)
        self.assertEqual(client.request("SETUP", url + "/trackID=0")[0], 461, "no Transport")
        # The client's own address named as the destination is fine.
        status, reply, _ = client.request(
            "SETUP", url + "/trackID=0",
            {"Transport": f"RTP/AVP;unicast;destination={local};client_port=5000-5001"})
        self.assertEqual(status, 200)
        self.assertIn("server_port=", reply["transport"])


def hevc_clips_available():
    clips = os.environ.get("CAMSIM_CLIPS", "")
    return bool(clips) and all(
        os.path.exists(os.path.join(clips, f"{view}_main.h265"))
        for view in ("home", "left", "right", "down", "covered"))


@unittest.skipUnless(camsim_available(), "camsim or ffprobe not available")
@unittest.skipUnless(hevc_clips_available(),
                     "no H.265 clips (cmake --build --preset dev --target camsim_clips_hevc)")
class HevcTest(unittest.TestCase):
    """--codec h265: the main stream is H.265 (RFC 7798) over TCP and UDP, the sub stays H.264."""

    @classmethod
    def setUpClass(cls):
        cls.sim = Camsim(cameras=1, extra_args=["--codec", "h265"])
        cls.cam = cls.sim.cameras[0]

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def test_main_is_h265_and_sub_h264_over_tcp_and_udp(self):
        self.assertEqual(self.cam["codec"], "h265")
        main = with_credentials(self.cam["rtsp_main"], self.cam["username"], self.cam["password"])
        sub = with_credentials(self.cam["rtsp_sub"], self.cam["username"], self.cam["password"])
        for transport in ("tcp", "udp"):
            with self.subTest(transport=transport):
                self.assertEqual(stream_info_over(main, transport), ("hevc", 1920, 1080, "25/1"))
                self.assertEqual(stream_info_over(sub, transport), ("h264", 640, 360, "15/1"))

    def test_h265_main_decodes_without_errors(self):
        main = with_credentials(self.cam["rtsp_main"], self.cam["username"], self.cam["password"])
        for transport in ("tcp", "udp"):
            self.assertEqual(decode_errors(main, transport), "", transport)


if __name__ == "__main__":
    unittest.main()
