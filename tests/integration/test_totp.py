# SPDX-License-Identifier: Apache-2.0
"""TOTP second factor over HTTPS: enrollment, confirmation, login with and without codes, no
code reuse, single-use recovery codes, and disabling."""

import re
import threading
import unittest
import urllib.parse

from hub import (API, Client, HubTestCase, base32_secret, hotp, strong_password, totp, totp_step,
                 unique_name)


class TotpGenerator(unittest.TestCase):
    """The test's own RFC 6238 generator, checked against the RFC before it checks camguard."""

    def test_rfc6238_appendix_b_sha1_vectors(self):
        key = b"12345678901234567890"
        for unix_time, code in ((59, "94287082"), (1111111109, "07081804"),
                                (1111111111, "14050471"), (1234567890, "89005924"),
                                (2000000000, "69279037"), (20000000000, "65353130")):
            self.assertEqual(hotp(key, unix_time // 30, digits=8), code)

    def test_base32_round_trip(self):
        self.assertEqual(base32_secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), b"12345678901234567890")
        self.assertEqual(base32_secret("gezdgnbvgy3tqojq"), b"1234567890")


class Totp(HubTestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = cls.start_class_hub(config={"security": {"login_free_failures": 1000}})
        cls.owner_name, cls.owner_password = cls.hub.setup_owner()
        cls.owner = cls.hub.login(cls.owner_name, cls.owner_password)

    def new_user(self):
        name, password = unique_name("member"), strong_password()
        self.owner.post(API + "/users", {"username": name, "password": password, "role": "member"},
                        expect=201)
        client = Client(self.hub)
        client.login(name, password)
        return name, password, client

    def enroll(self, client, password):
        """Starts and confirms enrollment; returns (secret, confirmed step, recovery codes)."""
        start = client.post(API + "/me/totp", {"password": password}, expect=200).json()
        secret = start["secret"]
        step = totp_step()
        confirm = client.post(API + "/me/totp/confirm", {"code": totp(secret, step)}, expect=200)
        return secret, step, confirm.json()["recovery_codes"]

    def login(self, name, password, **second_factor):
        return Client(self.hub).post(API + "/login", {"username": name, "password": password,
                                                      **second_factor})

    def test_enrollment_returns_uri_svg_and_ten_recovery_codes(self):
        name, password, client = self.new_user()
        self.assertError(client.post(API + "/me/totp", {"password": "wrong-" * 3}), 401)
        start = client.post(API + "/me/totp", {"password": password}, expect=200).json()
        secret = start["secret"]
        self.assertEqual(len(base32_secret(secret)), 20, "RFC 4226 wants a 160-bit secret")
        uri = urllib.parse.urlsplit(start["otpauth_uri"])
        self.assertEqual((uri.scheme, uri.netloc), ("otpauth", "totp"))
        self.assertIn(name, urllib.parse.unquote(uri.path))
        query = dict(urllib.parse.parse_qsl(uri.query))
        self.assertEqual(base32_secret(query["secret"]), base32_secret(secret))
        self.assertEqual(query.get("algorithm", "SHA1"), "SHA1")
        self.assertEqual(query.get("digits", "6"), "6")
        self.assertEqual(query.get("period", "30"), "30")
        svg = start["qr_svg"]
        self.assertRegex(svg, r"(?s)^\s*(<\?xml[^>]*>\s*)?<svg\b.*</svg>\s*$")
        self.assertNotRegex(svg.lower(), r"<script|javascript:|\bon\w+\s*=")

        # Not enabled before the first code confirms it.
        self.assertFalse(client.get(API + "/me", expect=200).json()["user"]["totp_enabled"])
        Client(self.hub).login(name, password)
        self.assertError(client.post(API + "/me/totp/confirm", {"code": "12345"}), 400)
        wrong = f"{(int(totp(secret)) + 1) % 1000000:06d}"
        self.assertError(client.post(API + "/me/totp/confirm", {"code": wrong}), 400)
        self.assertFalse(client.get(API + "/me", expect=200).json()["user"]["totp_enabled"])

        codes = client.post(API + "/me/totp/confirm", {"code": totp(secret)},
                            expect=200).json()["recovery_codes"]
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        for code in codes:
            self.assertGreaterEqual(len(re.sub(r"[^0-9A-Za-z]", "", code)), 10, code)
        self.assertTrue(client.get(API + "/me", expect=200).json()["user"]["totp_enabled"])
        self.assertError(client.post(API + "/me/totp", {"password": password}), 409)
        log = self.owner.get(API + "/audit-log?action=auth.totp_enable&outcome=success",
                             expect=200).json()["entries"]
        self.assertIn(name, [e["username"] for e in log])
        for entry in self.owner.get(API + "/audit-log?limit=1000", expect=200).json()["entries"]:
            self.assertNotIn(secret, str(entry), "the TOTP secret reached the audit log")

    def test_login_needs_a_fresh_right_code(self):
        name, password, client = self.new_user()
        secret, step, _ = self.enroll(client, password)

        self.assertError(self.login(name, password), 401, "totp_required")
        self.assertError(self.login("no-such-user", password, totp=totp(secret)), 401,
                         "invalid_credentials")
        wrong = f"{(int(totp(secret, step + 1)) + 1) % 1000000:06d}"
        self.assertError(self.login(name, password, totp=wrong), 401)
        self.assertError(self.login(name, "wrong-" * 3, totp=totp(secret, step + 1)), 401,
                         "invalid_credentials")
        # The code that confirmed the enrollment is spent.
        self.assertError(self.login(name, password, totp=totp(secret, step)), 401)
        # The next step's code is within the allowed drift and is accepted once.
        ok = self.login(name, password, totp=totp(secret, step + 1))
        self.assertEqual(ok.status, 200, repr(ok))
        self.assertTrue(ok.json()["user"]["totp_enabled"])
        self.assertError(self.login(name, password, totp=totp(secret, step + 1)), 401)
        # An older code after a newer one is a replay too.
        self.assertError(self.login(name, password, totp=totp(secret, step)), 401)
        log = self.owner.get(API + "/audit-log?action=auth.login", expect=200).json()["entries"]
        mine = [e for e in log if e["username"] == name or e["target"] == name]
        # The login of new_user() and the one with the right code.
        self.assertEqual([e["outcome"] for e in mine].count("success"), 2, mine)

    def test_recovery_codes_work_once(self):
        name, password, client = self.new_user()
        _, _, codes = self.enroll(client, password)
        first = self.login(name, password, recovery_code=codes[0])
        self.assertEqual(first.status, 200, repr(first))
        self.assertError(self.login(name, password, recovery_code=codes[0]), 401)
        self.assertError(self.login(name, password, recovery_code="not-a-code"), 401)
        self.assertError(self.login(name, "wrong-" * 3, recovery_code=codes[1]), 401)
        self.assertEqual(self.login(name, password, recovery_code=codes[1]).status, 200)

        # New codes replace the old ones.
        self.assertError(client.post(API + "/me/recovery-codes", {"password": "wrong-" * 3}), 401)
        fresh = client.post(API + "/me/recovery-codes", {"password": password},
                            expect=200).json()["recovery_codes"]
        self.assertEqual(len(fresh), 10)
        self.assertFalse(set(fresh) & set(codes))
        self.assertError(self.login(name, password, recovery_code=codes[2]), 401)
        self.assertEqual(self.login(name, password, recovery_code=fresh[0]).status, 200)

    def test_disable_needs_password_and_second_factor(self):
        name, password, client = self.new_user()
        secret, step, codes = self.enroll(client, password)
        self.assertError(client.post(API + "/me/totp/disable", {"password": password}), 400)
        self.assertError(client.post(API + "/me/totp/disable",
                                     {"password": "wrong-" * 3, "recovery_code": codes[0]}), 401)
        self.assertError(client.post(API + "/me/totp/disable",
                                     {"password": password, "code": totp(secret, step)}), 401)
        self.assertError(client.post(API + "/me/totp/disable",
                                     {"password": password, "recovery_code": "nope-nope"}), 401)
        self.assertTrue(client.get(API + "/me", expect=200).json()["user"]["totp_enabled"])
        client.post(API + "/me/totp/disable",
                    {"password": password, "code": totp(secret, step + 1)}, expect=204)
        self.assertFalse(client.get(API + "/me", expect=200).json()["user"]["totp_enabled"])
        self.assertEqual(self.login(name, password).status, 200)
        log = self.owner.get(API + "/audit-log?action=auth.totp_disable&outcome=success",
                             expect=200).json()["entries"]
        self.assertIn(name, [e["username"] for e in log])

    def test_the_same_code_sent_in_parallel_logs_in_once(self):
        name, password, client = self.new_user()
        secret, step, codes = self.enroll(client, password)
        for second_factor in ({"totp": totp(secret, step + 1)}, {"recovery_code": codes[0]}):
            with self.subTest(second_factor=list(second_factor)[0]):
                results = []

                def attempt(second_factor=second_factor):
                    results.append(self.login(name, password, **second_factor))
                threads = [threading.Thread(target=attempt) for _ in range(6)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(60)
                statuses = sorted(r.status for r in results)
                self.assertEqual(len(statuses), 6)
                self.assertEqual(statuses, [200] + [401] * 5, [repr(r) for r in results])

    def test_disable_with_a_recovery_code(self):
        name, password, client = self.new_user()
        _, _, codes = self.enroll(client, password)
        client.post(API + "/me/totp/disable", {"password": password, "recovery_code": codes[3]},
                    expect=204)
        self.assertEqual(self.login(name, password).status, 200)
        # Enrolling again starts from scratch with a new secret and new codes.
        secret2, _, codes2 = self.enroll(client, password)
        self.assertFalse(set(codes2) & set(codes))
        self.assertError(self.login(name, password), 401, "totp_required")


if __name__ == "__main__":
    unittest.main()
