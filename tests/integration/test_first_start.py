# SPDX-License-Identifier: Apache-2.0
"""First start on an empty data directory: no default account, a one-time setup token, private
files, and nothing but setup answering until the owner exists."""

import os
import re
import stat
import threading

from hub import (API, STATE_CHANGING, Client, HubTestCase, exchange, parse_response,
                 private_tree_problems, security_header_problems, spec_operations,
                 strong_password)


class RawResponse:
    def __init__(self, status, headers):
        self.status, self.headers = status, headers

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"{self.status} {self.headers}"


def concrete(path):
    return re.sub(r"\{[^}]+\}", "1", path)


class FirstStart(HubTestCase):
    def assertPrivateTree(self, hub):
        self.assertEqual(stat.S_IMODE(os.stat(hub.data_dir).st_mode), 0o700)
        self.assertEqual(private_tree_problems(hub.data_dir), [], "data directory is not private")

    def assertNoAccount(self, hub):
        self.assertEqual(hub.sql("SELECT count(*) FROM users"), "0")

    def assertSecurityHeaders(self, response):
        self.assertEqual(security_header_problems(response), [], repr(response))

    def test_empty_data_dir_has_no_account_and_prints_a_private_token(self):
        hub = self.new_hub()
        self.assertIsNotNone(hub.token, "no setup token printed")
        self.assertGreaterEqual(len(hub.token), 20, "setup token too short to resist guessing")
        token_file = hub.path("setup-token")
        with open(token_file, encoding="utf-8") as f:
            self.assertEqual(f.read().strip(), hub.token)
        self.assertEqual(stat.S_IMODE(os.stat(token_file).st_mode), 0o600)
        self.assertTrue(os.path.exists(hub.db))
        self.assertTrue(os.path.isdir(hub.path("keys")))
        self.assertTrue(os.path.isdir(hub.path("tls")))
        self.assertPrivateTree(hub)
        self.assertNoAccount(hub)
        self.assertEqual(hub.stop(), 0, "SIGTERM must end the daemon cleanly")
        self.assertPrivateTree(hub)

    def test_every_endpoint_but_setup_answers_setup_required(self):
        hub = self.new_hub()
        operations = spec_operations()
        self.assertIn(("POST", API + "/setup"), operations)
        anonymous = Client(hub)
        # A made-up session cookie changes nothing: there is no account to own a session.
        forged = Client(hub)
        forged.cookies["__Host-camguard_session"] = "A" * 43
        forged.csrf = "B" * 43
        for method, path in operations:
            if (method, path) == ("POST", API + "/setup"):
                continue
            for client in (anonymous, forged):
                with self.subTest(method=method, path=path, forged=client is forged):
                    data = {} if method in STATE_CHANGING else None
                    response = client.request(method, concrete(path), data=data)
                    self.assertError(response, 503, "setup_required")
                    self.assertSecurityHeaders(response)
        self.assertNoAccount(hub)

    def test_wrong_token_is_refused_and_creates_nothing(self):
        hub = self.new_hub()
        client = Client(hub)
        for token in ("", "wrong", hub.token[:-1] + ("A" if hub.token[-1] != "A" else "B"),
                      hub.token + "x"):
            with self.subTest(token=token):
                response = client.post(API + "/setup", {"token": token, "username": "owner",
                                                        "password": strong_password()})
                self.assertError(response, 403)
                self.assertSecurityHeaders(response)
        self.assertNoAccount(hub)
        self.assertError(client.get(API + "/me"), 503, "setup_required")
        self.assertTrue(os.path.exists(hub.path("setup-token")), "a wrong token used it up")

    def test_weak_passwords_are_refused(self):
        hub = self.new_hub()
        client = Client(hub)
        weak = {
            "short": "Xk3#a9",
            "common": "password1234",
            "common with decoration": "Password123!",
            "repeated character": "aaaaaaaaaaaaaaaa",
            "keyboard run": "qwertyuiopas",
            "digit run": "123456789012",
            "contains the user name": "firstowner-2024-x",
        }
        for why, password in weak.items():
            with self.subTest(why=why):
                response = client.post(API + "/setup", {"token": hub.token,
                                                        "username": "firstowner",
                                                        "password": password})
                self.assertError(response, 400, "weak_password")
                self.assertNotIn(password.encode(), response.body, "the password is echoed")
        self.assertNoAccount(hub)
        # The token survives refused attempts.
        client.post(API + "/setup", {"token": hub.token, "username": "firstowner",
                                     "password": strong_password()}, expect=201)

    def test_setup_succeeds_once_and_never_again(self):
        hub = self.new_hub()
        client = Client(hub)
        token = hub.token
        password = strong_password()
        created = client.post(API + "/setup", {"token": token, "username": "homeowner",
                                               "password": password}, expect=201)
        user = created.json()["user"]
        self.assertEqual(user["username"], "homeowner")
        self.assertEqual(user["role"], "owner")
        self.assertFalse(os.path.exists(hub.path("setup-token")), "token file left behind")
        self.assertEqual(hub.sql("SELECT count(*) FROM users"), "1")

        again = {"token": token, "username": "intruder", "password": strong_password()}
        self.assertError(client.post(API + "/setup", again), 409)
        self.assertError(client.post(API + "/setup", dict(again, token="x")), 409)
        # Setup no longer gates the rest: anonymous requests now need a session.
        self.assertError(client.get(API + "/me"), 401)
        Client(hub).login("homeowner", password)

        stored = hub.sql("SELECT password_hash FROM users")
        self.assertTrue(stored.startswith("$argon2id$"), f"stored hash {stored[:20]!r}...")

        self.assertEqual(hub.stop(), 0)
        self.assertPrivateTree(hub)
        for dirpath, _, filenames in os.walk(hub.data_dir):
            for name in filenames:
                with open(os.path.join(dirpath, name), "rb") as f:
                    self.assertNotIn(password.encode(), f.read(), f"password in clear in {name}")

        hub.start()
        self.assertIsNone(hub.token, "a token was printed although the owner exists")
        self.assertFalse(any("setup token" in line for line in hub.lines()))
        self.assertFalse(os.path.exists(hub.path("setup-token")))
        self.assertError(client.post(API + "/setup", again), 409)
        self.assertError(client.post(API + "/setup", dict(again, token=token)), 409)
        self.assertEqual(hub.sql("SELECT count(*) FROM users"), "1")
        Client(hub).login("homeowner", password)

    def test_concurrent_setups_create_exactly_one_owner(self):
        hub = self.new_hub()
        results = []

        def attempt(i):
            body = {"token": hub.token, "username": f"owner{i}", "password": strong_password()}
            results.append(Client(hub).post(API + "/setup", body))
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        statuses = [r.status for r in results]
        self.assertEqual(len(statuses), 8)
        self.assertEqual(statuses.count(201), 1, [repr(r) for r in results])
        for response in results:
            if response.status != 201:
                self.assertIn(response.status, (403, 409), repr(response))
                self.assertError(response, response.status)
        self.assertEqual(hub.sql("SELECT count(*) FROM users"), "1")

    def test_restart_without_owner_issues_a_new_token(self):
        hub = self.new_hub()
        first = hub.token
        self.assertEqual(hub.stop(), 0)
        hub.start()
        second = hub.token
        self.assertIsNotNone(second)
        self.assertNotEqual(first, second)
        with open(hub.path("setup-token"), encoding="utf-8") as f:
            self.assertEqual(f.read().strip(), second)
        client = Client(hub)
        self.assertError(client.post(API + "/setup", {"token": first, "username": "owner",
                                                      "password": strong_password()}), 403)
        self.assertNoAccount(hub)
        client.post(API + "/setup", {"token": second, "username": "owner",
                                     "password": strong_password()}, expect=201)

    def test_every_kind_of_response_carries_the_security_headers(self):
        hub = self.new_hub()
        client = Client(hub)
        responses = [
            client.get(API + "/users"),                                           # 503
            client.get("/"),
            client.get("/no/such/page"),
            client.get(API + "/no-such-endpoint"),
            client.request("PUT", API + "/me"),                                   # 405
            client.post(API + "/setup", raw=b"{not json"),                        # 400
            client.post(API + "/setup", {"token": "x", "username": "owner",
                                         "password": strong_password()}),         # 403
        ]
        username, password = hub.setup_owner()
        owner = hub.login(username, password)
        responses += [
            owner.get(API + "/me"),                                               # 200
            Client(hub).get(API + "/me"),                                         # 401
            Client(hub).post(API + "/login", {"username": username, "password": "wrong" * 3}),
            owner.post(API + "/setup", {"token": "x", "username": "a", "password": "b"}),  # 409
            owner.post(API + "/logout", expect=204),                              # 204
        ]
        for response in responses:
            with self.subTest(response=repr(response)[:120]):
                self.assertSecurityHeaders(response)
        # Answers the HTTP layer gives before the API sees the request.
        head = (f"POST {API}/users HTTP/1.1\r\nHost: 127.0.0.1:{hub.port}\r\n"
                "Content-Type: application/json\r\n")
        for what, request in (
                ("413", head + f"Content-Length: {4 << 20}\r\nExpect: 100-continue\r\n\r\n"),
                ("431", head + "X-Big: " + "a" * 65536 + "\r\nContent-Length: 2\r\n\r\n{}"),
                ("400", "GARBAGE\r\n\r\n")):
            with self.subTest(what), hub.raw_tls() as sock:
                answer = parse_response(exchange(sock, request.encode()))
                if answer is None:
                    continue  # closing without an answer carries no headers to check
                status, headers, _ = answer
                self.assertGreaterEqual(status, 400)
                self.assertSecurityHeaders(RawResponse(status, headers))


if __name__ == "__main__":
    import unittest

    unittest.main()
