# SPDX-License-Identifier: Apache-2.0
"""API tokens and the Prometheus endpoint over real HTTPS: a token works without cookies or
CSRF, is limited to its scopes, stops working when revoked, and /api/v1/metrics is valid
Prometheus text exposition (parsed by the prometheus_client library's own parser)."""

import sys
import unittest

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:  # Debian's package, when a non-Debian python3 runs the tests
    sys.path.append("/usr/lib/python3/dist-packages")
    from prometheus_client.parser import text_string_to_metric_families

from hub import API, Client, HubTestCase


class ApiTokenTest(HubTestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = cls.start_class_hub()
        cls.owner = cls.hub.login(*cls.hub.setup_owner())
        for name in ("Porch", 'Quote " and \\ backslash'):
            cls.owner.post(API + "/cameras", {"name": name,
                                              "main_url": "rtsp://127.0.0.1:9/none"}, expect=201)

    def bearer(self, secret):
        return {"Authorization": f"Bearer {secret}"}

    def create(self, scopes, **extra):
        reply = self.owner.post(API + "/tokens", {"name": "integration", "scopes": scopes, **extra},
                                expect=201)
        return reply.json()["token"]["id"], reply.json()["secret"]

    def test_metrics_token_scrapes_valid_prometheus_text(self):
        _, secret = self.create(["metrics"])
        anonymous = Client(self.hub)
        response = anonymous.get(API + "/metrics", headers=self.bearer(secret), expect=200)
        families = {f.name: f for f in text_string_to_metric_families(response.body.decode())}
        self.assertEqual(families["camguard_cameras"].samples[0].value, 2)
        up = families["camguard_camera_up"]
        self.assertEqual(up.type, "gauge")
        self.assertEqual({s.labels["name"] for s in up.samples},
                         {"Porch", 'Quote " and \\ backslash'})
        # prometheus_client names counter families without the _total suffix.
        self.assertEqual(families["camguard_camera_reconnects"].type, "counter")
        # A metrics-only token reads nothing else.
        anonymous.get(API + "/cameras", headers=self.bearer(secret), expect=403)

    def test_read_token_needs_no_cookie_or_csrf_and_dies_when_revoked(self):
        token_id, secret = self.create(["read"])
        anonymous = Client(self.hub)
        cameras = anonymous.get(API + "/cameras", headers=self.bearer(secret), expect=200)
        self.assertEqual(len(cameras.json()["cameras"]), 2)
        camera = cameras.json()["cameras"][0]["id"]
        anonymous.patch(API + f"/cameras/{camera}", {"name": "x"}, headers=self.bearer(secret),
                        expect=403)
        anonymous.get(API + "/users", headers=self.bearer(secret), expect=403)
        self.owner.delete(API + f"/tokens/{token_id}", expect=204)
        anonymous.get(API + "/cameras", headers=self.bearer(secret), expect=401)
        log = self.owner.get(API + "/audit-log?action=token.&limit=100", expect=200)
        actions = [e["action"] for e in log.json()["entries"]]
        self.assertIn("token.use", actions)
        self.assertIn("token.revoke", actions)
        self.assertIn("token.reject", actions)
        self.assertNotIn(secret.encode(), log.body)

    def test_token_limited_to_one_camera(self):
        cameras = self.owner.get(API + "/cameras", expect=200).json()["cameras"]
        _, secret = self.create(["read"], camera_ids=[cameras[0]["id"]])
        listed = Client(self.hub).get(API + "/cameras", headers=self.bearer(secret), expect=200)
        self.assertEqual([c["id"] for c in listed.json()["cameras"]], [cameras[0]["id"]])
        Client(self.hub).get(API + f"/cameras/{cameras[1]['id']}", headers=self.bearer(secret),
                             expect=403)


if __name__ == "__main__":
    unittest.main()
