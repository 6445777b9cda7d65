# SPDX-License-Identifier: Apache-2.0
"""Alerts end to end: a sign-in from a new device becomes an alert the owner sees, and a real
local webhook receiver gets it signed, after retries when it fails at first."""

import hashlib
import hmac
import http.server
import json
import threading
import time
import unittest

from hub import API, Client, HubTestCase, strong_password


class Receiver(http.server.ThreadingHTTPServer):
    """Answers 500 to the first `failures` POSTs, then 204; keeps every request."""

    def __init__(self, failures):
        self.failures = failures
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
            failing = len(self.server.requests) <= self.server.failures
        self.send_response(500 if failing else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class AlertsTest(HubTestCase):
    def test_new_device_login_reaches_the_owner_and_a_signed_webhook(self):
        receiver = Receiver(failures=1)
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
