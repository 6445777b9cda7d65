# SPDX-License-Identifier: Apache-2.0
"""Passkeys end to end over HTTPS against the real daemon, with a software authenticator
(P-256 ECDSA from python3-cryptography, CBOR written by hand): register, list, sign in without a
password, refusals (wrong origin, wrong challenge, replay, an IP address as host), removal.
The hub is addressed as https://localhost:PORT, the relying-party ID being "localhost"."""

import base64
import hashlib
import json
import os
import unittest

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from hub import API, Client, HubTestCase, SESSION_COOKIE


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cbor_head(major, value):
    if value < 24:
        return bytes([major << 5 | value])
    if value < 256:
        return bytes([major << 5 | 24, value])
    return bytes([major << 5 | 25]) + value.to_bytes(2, "big")


def cbor(item):
    """Just what attestation objects and COSE keys need: ints, bytes, text, maps."""
    if isinstance(item, bool):
        raise TypeError("no booleans needed")
    if isinstance(item, int):
        return cbor_head(0, item) if item >= 0 else cbor_head(1, -1 - item)
    if isinstance(item, bytes):
        return cbor_head(2, len(item)) + item
    if isinstance(item, str):
        return cbor_head(3, len(item.encode())) + item.encode()
    if isinstance(item, dict):
        return cbor_head(5, len(item)) + b"".join(cbor(k) + cbor(v) for k, v in item.items())
    raise TypeError(type(item))


class SoftwareAuthenticator:
    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.count = 0

    def cose_key(self):
        numbers = self.key.public_key().public_numbers()
        return cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                     -3: numbers.y.to_bytes(32, "big")})

    @staticmethod
    def auth_data(rp_id, flags, count):
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + count.to_bytes(4, "big")

    @staticmethod
    def client_data(kind, challenge, origin):
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin}).encode()

    def create(self, options, origin):
        data = self.auth_data(options["rp"]["id"], 0x45, 0)  # UP, UV, AT
        data += bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id
        data += self.cose_key()
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": data})
        client = self.client_data("webauthn.create", options["challenge"], origin)
        self.user_handle = options["user"]["id"]
        return {"name": "Test key", "client_data_json": b64url(client),
                "attestation_object": b64url(attestation), "transports": ["usb"]}

    def get(self, started, origin, count=None):
        self.count = self.count + 1 if count is None else count
        options = started["public_key"]
        data = self.auth_data(options["rpId"], 0x05, self.count)  # UP, UV
        client = self.client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(data + hashlib.sha256(client).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        return {"login_id": started["login_id"], "credential_id": b64url(self.credential_id),
                "client_data_json": b64url(client), "authenticator_data": b64url(data),
                "signature": b64url(signature), "user_handle": self.user_handle}


class Passkeys(HubTestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = cls.start_class_hub(config={"security": {"login_free_failures": 1000}})
        cls.owner_name, cls.owner_password = cls.hub.setup_owner()
        cls.owner = cls.hub.login(cls.owner_name, cls.owner_password)
        cls.host = f"localhost:{cls.hub.port}"
        cls.origin = f"https://{cls.host}"

    def named(self, client, method, path, data=None, expect=None):
        return client.request(method, path, data, headers={"Host": self.host}, expect=expect)

    def register(self, authenticator):
        started = self.named(self.owner, "POST", API + "/me/passkeys/registration",
                             {"password": self.owner_password}, expect=200).json()
        options = started["public_key"]
        self.assertEqual(options["rp"]["id"], "localhost")
        self.assertEqual(len(unb64url(options["user"]["id"])), 16)
        body = authenticator.create(options, self.origin)
        return self.named(self.owner, "POST", API + "/me/passkeys", body, expect=201).json()

    def start_sign_in(self, client):
        return self.named(client, "POST", API + "/login/passkey/options", expect=200).json()

    def test_register_list_sign_in_replay_and_remove(self):
        authenticator = SoftwareAuthenticator()
        added = self.register(authenticator)["passkey"]
        listed = self.named(self.owner, "GET", API + "/me/passkeys", expect=200).json()["passkeys"]
        self.assertIn(added["id"], [p["id"] for p in listed])

        browser = Client(self.hub)
        assertion = authenticator.get(self.start_sign_in(browser), self.origin)
        signed_in = self.named(browser, "POST", API + "/login/passkey", assertion, expect=200)
        self.assertEqual(signed_in.json()["user"]["username"], self.owner_name)
        self.assertIn(SESSION_COOKIE, browser.cookies)
        browser.csrf = signed_in.json()["csrf_token"]
        self.assertEqual(browser.get(API + "/me", expect=200).json()["user"]["username"],
                         self.owner_name)

        # The same answer again: its challenge is used up.
        self.assertError(self.named(Client(self.hub), "POST", API + "/login/passkey", assertion),
                         401)
        # The old answer under a fresh challenge does not verify.
        stale = dict(assertion, login_id=self.start_sign_in(Client(self.hub))["login_id"])
        self.assertError(self.named(Client(self.hub), "POST", API + "/login/passkey", stale), 401)

        self.named(self.owner, "DELETE", API + f"/me/passkeys/{added['id']}", expect=204)
        stranger = Client(self.hub)
        self.assertError(self.named(stranger, "POST", API + "/login/passkey",
                                    authenticator.get(self.start_sign_in(stranger), self.origin)),
                         401)
        audit = self.owner.get(API + "/audit-log?limit=500", expect=200).body.decode()
        for action in ("auth.passkey_add", "auth.passkey_remove"):
            self.assertIn(action, audit)

    def test_wrong_origin_and_wrong_challenge_are_refused(self):
        authenticator = SoftwareAuthenticator()
        self.register(authenticator)
        client = Client(self.hub)
        foreign = authenticator.get(self.start_sign_in(client), "https://evil.example")
        self.assertError(self.named(client, "POST", API + "/login/passkey", foreign), 401)
        started = self.start_sign_in(client)
        started["public_key"]["challenge"] = b64url(os.urandom(32))
        forged = authenticator.get(started, self.origin)
        self.assertError(self.named(client, "POST", API + "/login/passkey", forged), 401)
        self.assertNotIn(SESSION_COOKIE, client.cookies)
        # A genuine answer still works afterwards.
        good = authenticator.get(self.start_sign_in(client), self.origin)
        self.named(client, "POST", API + "/login/passkey", good, expect=200)

    def test_an_ip_address_is_refused_with_a_pointer_to_the_docs(self):
        response = self.owner.post(API + "/me/passkeys/registration",
                                   {"password": self.owner_password})
        self.assertError(response, 409, "passkeys_need_a_name")
        self.assertIn("docs/security.md", response.json()["error"]["message"])
        self.assertError(Client(self.hub).post(API + "/login/passkey/options"), 409,
                         "passkeys_need_a_name")


if __name__ == "__main__":
    unittest.main()
