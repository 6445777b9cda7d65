# SPDX-License-Identifier: Apache-2.0
"""Login throttling: growing delays per address and per account, an honest Retry-After, an owner
who holds a session or a trusted-device cookie is never locked out by someone else's failures,
and every failure is in the audit log.

The daemon sees the peer address; the attackers connect from other loopback addresses
(127.0.0.2, ...) than the owner (127.0.0.1).
"""

import collections
import threading
import time
import unittest

from hub import API, Client, HubTestCase

FREE_FAILURES = 3
MAX_DELAY = 4


class Throttle(HubTestCase):
    def setUp(self):
        self.hub = self.new_hub(config={"security": {"login_free_failures": FREE_FAILURES,
                                                     "login_max_delay": f"{MAX_DELAY}s"}})
        self.owner_name, self.owner_password = self.hub.setup_owner("owner")
        self.auditor = self.hub.login(self.owner_name, self.owner_password)  # reads the log later
        self.attempts = collections.Counter()  # (address, username) -> failed attempts made
        self.lock = threading.Lock()

    def attack(self, client, username="owner", password="not-the-password-1"):
        response = client.post(API + "/login", {"username": username, "password": password})
        with self.lock:
            self.attempts[(client.source_address or "127.0.0.1", username)] += 1
        self.assertIn(response.status, (401, 429), repr(response))
        self.assertEqual(response.cookies, [])
        if response.status == 429:
            self.assertError(response, 429, "throttled")
            retry_after = response.header("Retry-After")
            self.assertIsNotNone(retry_after, f"429 without Retry-After: {response!r}")
            self.assertRegex(retry_after, r"^[0-9]+$")
            self.assertGreaterEqual(int(retry_after), 1)
        else:
            self.assertError(response, 401, "invalid_credentials")
        return response

    def wait_until_allowed(self, client, limit=3 * MAX_DELAY):
        """Polls with failing attempts until one is judged (401) again; returns the time it took."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            if self.attack(client).status == 401:
                return time.monotonic() - started
            time.sleep(0.25)
        self.fail(f"still throttled after {limit} s")

    def test_delays_grow_and_retry_after_is_honest(self):
        attacker = Client(self.hub, source_address="127.0.0.2")
        for i in range(FREE_FAILURES + 1):
            self.assertEqual(self.attack(attacker).status, 401, f"attempt {i + 1} was throttled")
        retry_afters, dishonest = [], []
        for _ in range(4):
            response = self.attack(attacker)
            self.assertEqual(response.status, 429, "no delay after the free failures")
            retry_after = int(response.header("Retry-After"))
            retry_afters.append(retry_after)
            time.sleep(retry_after)
            # A client that waits as long as it was told must be heard again.
            if self.attack(attacker).status == 429:
                dishonest.append(retry_after)
                self.wait_until_allowed(attacker)
        self.assertEqual(dishonest, [], f"retrying after Retry-After seconds was still throttled "
                                        f"(Retry-After values {retry_afters})")
        self.assertLess(retry_afters[0], retry_afters[1], retry_afters)
        self.assertLess(retry_afters[1], retry_afters[2], retry_afters)
        self.assertLessEqual(max(retry_afters), MAX_DELAY, "login_max_delay is not a cap")
        # The address is throttled whatever account it tries next.
        self.assertEqual(self.attack(attacker, username="someone-else").status, 429)
        self.assertAuditComplete()

    def test_owner_with_session_or_trusted_device_is_never_locked_out(self):
        # The owner's devices: one with a live session, one that only kept its device cookie.
        laptop = self.hub.login(self.owner_name, self.owner_password)
        phone = self.hub.login(self.owner_name, self.owner_password)
        phone.post(API + "/logout", expect=204)
        self.assertIn("__Host-camguard_device", phone.cookies)
        self.assertNotIn("__Host-camguard_session", phone.cookies)

        for trusted, address in ((phone, "127.0.0.2"), (laptop, "127.0.0.3")):
            # Two failures past the free ones: the account now waits 2 s, time enough to look.
            attacker = Client(self.hub, source_address=address)
            for _ in range(FREE_FAILURES + 1):
                self.assertEqual(self.attack(attacker).status, 401)
            self.wait_until_allowed(attacker)
            # Right password, but neither session nor device: the account is throttled.
            stranger = Client(self.hub).post(API + "/login", {"username": self.owner_name,
                                                              "password": self.owner_password})
            with self.lock:
                self.attempts[("127.0.0.1", self.owner_name)] += 1
            self.assertError(stranger, 429, "throttled")
            self.assertEqual(stranger.cookies, [])
            # The owner's own device gets in.
            trusted.login(self.owner_name, self.owner_password, expect=200)
            trusted.get(API + "/me", expect=200)

        # And keeps getting in while someone hammers the account at the same time.
        stop = threading.Event()
        errors = []

        def hammer():
            attacker = Client(self.hub, source_address="127.0.0.4")
            try:
                while not stop.is_set():
                    self.attack(attacker)
            except Exception as e:  # reported below; the main thread must stop the loop
                errors.append(e)

        thread = threading.Thread(target=hammer)
        thread.start()
        try:
            for _ in range(5):
                laptop.login(self.owner_name, self.owner_password, expect=200)
                phone.login(self.owner_name, self.owner_password, expect=200)
        finally:
            stop.set()
            thread.join(60)
        self.assertEqual(errors, [])
        self.assertGreater(self.attempts[("127.0.0.4", "owner")], 0)
        self.assertAuditComplete()

    def assertAuditComplete(self):
        """Every failed or throttled attempt is an auth.login failure with address and target."""
        entries = self.auditor.get(API + "/audit-log?action=auth.login&outcome=failure&limit=1000",
                            expect=200).json()["entries"]
        logged = collections.Counter((e["address"], e["target"]) for e in entries)
        self.assertEqual(dict(logged), dict(self.attempts))
        for entry in entries:
            self.assertEqual(entry["action"], "auth.login")
            self.assertNotIn("not-the-password", str(entry), "a password reached the audit log")


if __name__ == "__main__":
    unittest.main()
