# SPDX-License-Identifier: Apache-2.0
"""Alerts end to end: a sign-in from a new device becomes an alert the owner sees, and a real
local webhook receiver gets it signed, after retries when it fails at first."""

import base64
import hashlib
import hmac
import os
import struct
import http.server
import json
import threading
import time
import unittest

from hub import API, Client, HubTestCase, strong_password


class Receiver(http.server.ThreadingHTTPServer):
    """Answers 500 to the first `failures` POSTs whose body contains `marker`, 204 otherwise;
    keeps every request."""

    def __init__(self, failures, marker):
        self.failures = failures
        self.marker = marker
        self.failed = 0
        self.requests = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.requests.append((dict(self.headers), body))
            failing = self.server.marker in body and self.server.failed < self.server.failures
            if failing:
                self.server.failed += 1
        self.send_response(500 if failing else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class EventSocket:
    """A minimal WebSocket client (RFC 6455) for /api/v1/events over the hub's TLS."""

    def __init__(self, hub, client, origin=None):
        self.sock = hub.raw_tls()
        key = base64.b64encode(os.urandom(16)).decode()
        host = f"127.0.0.1:{hub.port}"
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        request = (f"GET /api/v1/events HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nOrigin: {origin or 'https://' + host}\r\n"
                   f"Cookie: {cookie}\r\n\r\n")
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1]) if head else 0
        expected = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.head = head
        self.accepted = self.status == 101 and expected.encode() in head

    def _need(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk

    def frame(self):
        self._need(2)
        opcode, length = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F
        header = 2
        if length == 126:
            self._need(4)
            length, header = struct.unpack(">H", self.buffer[2:4])[0], 4
        elif length == 127:
            self._need(10)
            length, header = struct.unpack(">Q", self.buffer[2:10])[0], 10
        self._need(header + length)
        payload = self.buffer[header:header + length]
        self.buffer = self.buffer[header + length:]
        return opcode, payload

    def close(self):
        self.sock.close()


class AlertsTest(HubTestCase):
    def test_alerts_are_pushed_to_the_owners_open_page_and_cross_site_sockets_are_refused(self):
        hub = self.new_hub()
        owner_name, owner_password = hub.setup_owner()
        owner = hub.login(owner_name, owner_password)
        evil = EventSocket(hub, owner, origin="https://evil.example")
        self.assertEqual(evil.status, 403)
        evil.close()
        events = EventSocket(hub, owner)
        self.addCleanup(events.close)
        self.assertTrue(events.accepted, events.head)
        events.sock.settimeout(20)
        self.assertEqual(json.loads(events.frame()[1]), {"type": "hello"})
        password = strong_password()
        owner.post(API + "/users", {"username": "gardener", "password": password,
                                    "role": "member"}, expect=201)
        started = time.monotonic()
        Client(hub).login("gardener", password)
        opcode, payload = events.frame()
        self.assertEqual(opcode, 1)
        message = json.loads(payload)
        self.assertEqual(message["type"], "alert")
        self.assertEqual(message["alert"]["kind"], "auth.new_device_login")
        self.assertIn("gardener", message["alert"]["title"])
        print(f"\nalert pushed to the page {1000 * (time.monotonic() - started):.0f} ms after "
              "the login request was sent", flush=True)

    def test_new_device_login_reaches_the_owner_and_a_signed_webhook(self):
        receiver = Receiver(failures=1, marker=b"nanny")
        self.addCleanup(receiver.server_close)
        self.addCleanup(receiver.shutdown)
        hub = self.new_hub()
        owner_name, owner_password = hub.setup_owner()
        owner = hub.login(owner_name, owner_password)
        created = owner.post(API + "/webhooks", {"name": "receiver", "url": receiver.url,
                                                 "min_severity": "warning"}, expect=201).json()
        secret = created["secret"]
        member_password = strong_password()
        owner.post(API + "/users", {"username": "nanny", "password": member_password,
                                    "role": "member"}, expect=201)
        Client(hub, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0").login(
            "nanny", member_password)

        deadline = time.monotonic() + 30
        delivered = None
        while time.monotonic() < deadline:
            with receiver.lock:
                nanny = [r for r in receiver.requests if b"nanny" in r[1]]
            if len(nanny) >= 2:
                delivered = nanny
                break
            time.sleep(0.2)
        self.assertIsNotNone(delivered, f"webhook not retried: {receiver.requests}")
        headers, body = delivered[-1]
        timestamp = headers["X-Camguard-Timestamp"]
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                            hashlib.sha256).hexdigest()
        self.assertEqual(headers["X-Camguard-Signature"], f"sha256={expected}")
        payload = json.loads(body)
        self.assertEqual(payload["kind"], "auth.new_device_login")
        self.assertEqual(delivered[0][0]["X-Camguard-Delivery"], headers["X-Camguard-Delivery"])

        alerts = owner.get(API + "/alerts", expect=200).json()["alerts"]
        self.assertIn("nanny", " ".join(a["title"] for a in alerts))
        webhook = created["webhook"]["id"]
        attempts = owner.get(API + f"/webhooks/{webhook}/deliveries", expect=200).json()
        outcomes = [d["outcome"] for d in attempts["deliveries"]]
        self.assertIn("retrying", outcomes)
        self.assertIn("delivered", outcomes)
        self.assertNotIn(secret, hub.output(tail=10000))


if __name__ == "__main__":
    unittest.main()
