# SPDX-License-Identifier: Apache-2.0
"""`camguard erase`: nothing happens without confirmation or while the hub runs; with --yes (or
the typed word) every account, session, key, certificate and audit entry is gone and the hub
starts again as on first start."""

import hashlib
import os
import unittest

from hub import API, Client, HubTestCase, sqlite, strong_password


def tree(root):
    """{relative path: SHA-256 of the content} of every file below root."""
    found = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return found


class Erase(HubTestCase):
    def setUp(self):
        self.hub = self.new_hub()
        self.owner_name, self.owner_password = self.hub.setup_owner("homeowner7")
        self.owner = self.hub.login(self.owner_name, self.owner_password)
        self.owner.post(API + "/users", {"username": "kidsroom9", "password": strong_password(),
                                         "role": "member"}, expect=201)
        self.owner.post(API + "/cameras", {"name": "Hall", "main_url": "rtsp://127.0.0.1:8554/h",
                                           "username": "admin", "password": "cam-pass"}, expect=201)
        self.old_fingerprint = self.hub.fingerprint

    def erase(self, *args, input_text=""):
        return self.hub.cli("erase", "--data-dir", self.hub.data_dir, *args, input_text=input_text)

    def test_nothing_is_erased_while_the_hub_runs(self):
        before = self.hub.sql("SELECT count(*) FROM users")
        done = self.erase("--yes")
        self.assertNotEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertTrue(self.hub.alive())
        self.owner.get(API + "/me", expect=200)
        self.assertEqual(self.hub.sql("SELECT count(*) FROM users"), before)
        self.assertTrue(os.path.exists(self.hub.path("keys", "secrets.key")))

    def test_nothing_is_erased_without_confirmation(self):
        self.assertEqual(self.hub.stop(), 0)
        before = tree(self.hub.data_dir)
        for answer in ("", "\n", "no\n", "yes\n", "erase please\n"):
            with self.subTest(answer=answer):
                done = self.erase(input_text=answer)
                self.assertNotEqual(done.returncode, 0, done.stdout + done.stderr)
                self.assertEqual(tree(self.hub.data_dir), before,
                                 "files changed without confirmation")
        self.hub.start()
        self.assertIsNone(self.hub.token)
        Client(self.hub).login(self.owner_name, self.owner_password)

    def assertErased(self):
        files = tree(self.hub.data_dir)
        self.assertFalse([f for f in files if f.startswith("keys" + os.sep)], f"keys left: {files}")
        self.assertFalse([f for f in files if f.startswith("tls" + os.sep)],
                         f"TLS key left: {files}")
        self.assertNotIn("audit.head", files)
        self.assertNotIn("setup-token", files)
        if os.path.exists(self.hub.db):
            for table in ("users", "sessions", "trusted_devices", "audit_log", "cameras",
                          "camera_rights", "recovery_codes"):
                count = sqlite(self.hub.db, f"SELECT count(*) FROM {table}", check=False)
                if count.returncode == 0:
                    self.assertEqual(count.stdout.strip(), "0", f"{table} not empty")
        for name in files:
            with open(os.path.join(self.hub.data_dir, name), "rb") as f:
                content = f.read()
            for secret in (b"homeowner7", b"kidsroom9", b"cam-pass", self.owner_password.encode()):
                self.assertNotIn(secret, content, f"{name} still holds {secret!r}")

    def assertFirstStart(self):
        self.hub.start()
        self.assertIsNotNone(self.hub.token, "no setup token after erase")
        self.assertNotEqual(self.hub.fingerprint, self.old_fingerprint, "the old TLS key survived")
        self.assertEqual(self.hub.sql("SELECT count(*) FROM users"), "0")
        self.assertError(Client(self.hub).get(API + "/me"), 503, "setup_required")
        stale = Client(self.hub)
        stale.cookies = dict(self.owner.cookies)
        self.assertError(stale.get(API + "/users"), 503, "setup_required")
        self.assertError(Client(self.hub).post(API + "/login", {"username": self.owner_name,
                                                               "password": self.owner_password}),
                         503, "setup_required")
        self.hub.setup_owner("newowner")

    def test_yes_erases_everything_and_the_hub_starts_fresh(self):
        self.assertEqual(self.hub.stop(), 0)
        done = self.erase("--yes")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertErased()
        self.assertFirstStart()

    def test_typed_confirmation_erases(self):
        self.assertEqual(self.hub.stop(), 0)
        done = self.erase(input_text="erase\n")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertErased()
        self.assertFirstStart()


class EraseElsewhere(HubTestCase):
    def test_a_directory_that_is_not_camguard_data_is_left_alone(self):
        hub = self.new_hub(start=False)
        other = os.path.join(hub.tmp, "photos")
        os.makedirs(other)
        with open(os.path.join(other, "holiday.jpg"), "wb") as f:
            f.write(b"\xff\xd8 not really a photo")
        before = tree(other)
        done = hub.cli("erase", "--data-dir", other, "--yes")
        self.assertNotEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertEqual(tree(other), before)


if __name__ == "__main__":
    unittest.main()
