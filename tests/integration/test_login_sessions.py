# SPDX-License-Identifier: Apache-2.0
"""Login, logout, server-side sessions, cookie attributes, CSRF and Origin checks, and the
indistinguishability of unknown users and wrong passwords."""

import statistics
import unittest

from hub import (API, DEVICE_COOKIE, SESSION_COOKIE, Client, HubTestCase, strong_password,
                 unique_name)


class LoginAndSessions(HubTestCase):
    @classmethod
    def setUpClass(cls):
        # Many deliberate failures below must not trip the login throttle.
        cls.hub = cls.start_class_hub(config={"security": {"login_free_failures": 1000}})
        cls.owner_name, cls.owner_password = cls.hub.setup_owner("owner")
        cls.owner = cls.hub.login(cls.owner_name, cls.owner_password)

    def new_member(self):
        name, password = unique_name("member"), strong_password()
        self.owner.post(API + "/users", {"username": name, "password": password, "role": "member"},
                        expect=201)
        return name, password

    def user_names(self):
        users = self.owner.get(API + "/users", expect=200).json()["users"]
        return sorted(u["username"] for u in users)

    def test_login_me_logout(self):
        name, password = self.new_member()
        client = Client(self.hub)
        login = client.login(name, password)
        body = login.json()
        self.assertEqual(body["user"]["username"], name)
        self.assertEqual(body["user"]["role"], "member")
        self.assertTrue(body["session"]["current"])
        self.assertGreaterEqual(len(body["csrf_token"]), 20)
        me = client.get(API + "/me", expect=200).json()
        self.assertEqual(me["user"]["username"], name)
        self.assertEqual(me["session"]["id"], body["session"]["id"])
        self.assertEqual(me["csrf_token"], body["csrf_token"])

        # Logging in again mints a new session; a token planted before login is never adopted.
        again = Client(self.hub)
        again.cookies[SESSION_COOKIE] = "planted-by-someone-else-0123456789abcdef"
        again.login(name, password)
        self.assertNotIn(again.session_token, (client.session_token,
                                               "planted-by-someone-else-0123456789abcdef"))
        old_token = client.session_token
        logout = client.post(API + "/logout", expect=204)
        self.assertIn(SESSION_COOKIE, [c.name for c in logout.cookies],
                      "logout does not clear the cookie")
        self.assertError(client.get(API + "/me"), 401)
        replay = Client(self.hub)
        replay.cookies[SESSION_COOKIE] = old_token
        self.assertError(replay.get(API + "/me"), 401)
        self.assertError(replay.get(API + "/sessions"), 401)

    def test_cookies_are_host_only_secure_httponly_strict(self):
        name, password = self.new_member()
        login = Client(self.hub).login(name, password)
        cookies = {c.name: c for c in login.cookies}
        self.assertIn(SESSION_COOKIE, cookies)
        self.assertIn(DEVICE_COOKIE, cookies)
        for cookie in login.cookies:
            with self.subTest(cookie=cookie.name):
                self.assertTrue(cookie.name.startswith("__Host-"), cookie)
                self.assertIs(cookie.attributes.get("secure"), True, cookie)
                self.assertIs(cookie.attributes.get("httponly"), True, cookie)
                self.assertEqual(str(cookie.attributes.get("samesite", "")).lower(), "strict",
                                 cookie)
                self.assertEqual(cookie.attributes.get("path"), "/", cookie)
                self.assertNotIn("domain", cookie.attributes, cookie)
                self.assertGreaterEqual(len(cookie.value), 32, "cookie too short to be secret")
        self.assertNotEqual(cookies[SESSION_COOKIE].value, cookies[DEVICE_COOKIE].value)

    def test_wrong_credentials_set_no_cookie(self):
        name, _ = self.new_member()
        response = Client(self.hub).post(API + "/login", {"username": name,
                                                          "password": "not-it-" * 3})
        self.assertError(response, 401, "invalid_credentials")
        self.assertEqual(response.cookies, [])

    def test_password_change_ends_other_sessions_but_keeps_this_one(self):
        name, password = self.new_member()
        here = Client(self.hub)
        here.login(name, password)
        elsewhere = Client(self.hub, user_agent="Mozilla/5.0 (Android 14; Mobile) Firefox/120.0")
        elsewhere.login(name, password)
        new_password = strong_password()

        self.assertError(here.post(API + "/me/password", {"current_password": "wrong-" * 3,
                                                          "new_password": new_password}), 401)
        self.assertError(here.post(API + "/me/password", {"current_password": password,
                                                          "new_password": "password1234"}),
                         400, "weak_password")
        elsewhere.get(API + "/me", expect=200)  # refused changes end nothing

        here.post(API + "/me/password",
                  {"current_password": password, "new_password": new_password}, expect=204)
        here.get(API + "/me", expect=200)
        self.assertError(elsewhere.get(API + "/me"), 401)
        sessions = here.get(API + "/sessions", expect=200).json()["sessions"]
        self.assertEqual(len(sessions), 1, sessions)
        old = Client(self.hub).post(API + "/login", {"username": name, "password": password})
        self.assertError(old, 401, "invalid_credentials")
        Client(self.hub).login(name, new_password)
        log = self.owner.get(API + "/audit-log?action=auth.password_change&outcome=success",
                             expect=200).json()["entries"]
        self.assertTrue(any(e["target"] == name or e["username"] == name for e in log), log)

    def test_sessions_are_listed_and_revocable(self):
        name, password = self.new_member()
        phone = Client(self.hub, user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile")
        phone_session = phone.login(name, password).json()["session"]["id"]
        laptop = Client(self.hub, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0")
        laptop_session = laptop.login(name, password).json()["session"]["id"]

        listed = laptop.get(API + "/sessions", expect=200).json()["sessions"]
        self.assertEqual({s["id"] for s in listed}, {phone_session, laptop_session})
        current = [s["id"] for s in listed if s["current"]]
        self.assertEqual(current, [laptop_session])
        for s in listed:
            self.assertEqual(s["username"], name)
            self.assertEqual(s["address"], "127.0.0.1")

        laptop.delete(API + f"/sessions/{phone_session}", expect=204)
        self.assertError(phone.get(API + "/me"), 401)
        listed = laptop.get(API + "/sessions", expect=200).json()["sessions"]
        self.assertEqual([s["id"] for s in listed], [laptop_session])
        # Gone is gone; a member may get 403 instead of 404 so that others' sessions and
        # sessions that do not exist look the same.
        for gone in (phone_session, "ses_doesnotexist"):
            response = laptop.delete(API + f"/sessions/{gone}")
            self.assertIn(response.status, (403, 404), repr(response))
            self.assertError(response, response.status)
            self.assertError(self.owner.delete(API + f"/sessions/{gone}"), 404)
        log = self.owner.get(API + "/audit-log?action=session.revoke", expect=200).json()["entries"]
        self.assertIn(phone_session, [e["target"] for e in log])

        # Revoking the own current session is a logout.
        laptop.delete(API + f"/sessions/{laptop_session}", expect=204)
        self.assertError(laptop.get(API + "/me"), 401)

    def test_state_changes_need_the_csrf_token(self):
        name, password = self.new_member()
        member = Client(self.hub)
        member.login(name, password)
        other = Client(self.hub)
        other_session = other.login(name, password).json()["session"]["id"]
        users_before = self.user_names()
        new_user = {"username": unique_name("csrf"), "password": strong_password(), "role": "guest"}
        wrong_tokens = {"missing": None, "empty": "", "wrong": "x" * 43,
                        "another session's": other.csrf, "prefix": self.owner.csrf[:-1]}
        for why, token in wrong_tokens.items():
            with self.subTest(token=why):
                headers = {} if token is None else {"X-CSRF-Token": token}
                self.assertError(self.owner.post(API + "/users", new_user, headers=headers,
                                                 csrf=False), 403, "csrf_failed")
                self.assertError(member.post(API + "/me/password",
                                             {"current_password": password,
                                              "new_password": strong_password()},
                                             headers=headers, csrf=False), 403, "csrf_failed")
                self.assertError(member.post(API + "/logout", headers=headers, csrf=False),
                                 403, "csrf_failed")
                self.assertError(member.delete(API + f"/sessions/{other_session}", headers=headers,
                                               csrf=False), 403, "csrf_failed")
        self.assertEqual(self.user_names(), users_before)
        member.get(API + "/me", expect=200)
        other.get(API + "/me", expect=200)
        Client(self.hub).login(name, password)  # password unchanged
        self.owner.post(API + "/users", new_user, expect=201)  # with the right token it works

    def test_foreign_origins_are_refused(self):
        name, password = self.new_member()
        users_before = self.user_names()
        new_user = {"username": unique_name("origin"), "password": strong_password(),
                    "role": "guest"}
        origin = f"https://127.0.0.1:{self.hub.port}"
        for foreign in ("https://evil.example", "null", f"http://127.0.0.1:{self.hub.port}",
                        f"https://127.0.0.1:{self.hub.port + 1 if self.hub.port < 65535 else 1}",
                        f"https://127.0.0.1.evil.example:{self.hub.port}"):
            with self.subTest(origin=foreign):
                self.assertError(self.owner.post(API + "/users", new_user,
                                                 headers={"Origin": foreign}), 403)
                login = Client(self.hub).post(API + "/login",
                                              {"username": name, "password": password},
                                              headers={"Origin": foreign})
                self.assertError(login, 403)
                self.assertEqual(login.cookies, [], "a cross-origin login set cookies")
        self.assertEqual(self.user_names(), users_before)
        Client(self.hub).post(API + "/login", {"username": name, "password": password},
                              headers={"Origin": origin}, expect=200)
        self.owner.post(API + "/users", new_user, headers={"Origin": origin}, expect=201)


def header_names(response):
    return sorted(k.lower() for k in response.headers.keys() if k.lower() != "date")


class UnknownUserAndWrongPasswordLookAlike(HubTestCase):
    def test_same_status_same_body_similar_time(self):
        # Real (non-weak) Argon2id cost, so that skipping the hash would stand out clearly.
        hub = self.new_hub(fast=False, config={"security": {
            "argon2_memory_kib": 65536, "argon2_iterations": 2, "login_free_failures": 1000}})
        name, _ = hub.setup_owner("owner")
        client = Client(hub)
        unknown_times, wrong_times = [], []
        unknown_bodies, wrong_bodies = set(), set()
        for i in range(11):
            wrong = client.post(API + "/login",
                                {"username": name, "password": f"wrong-password-{i}"})
            unknown = client.post(API + "/login", {"username": unique_name("nobody"),
                                                   "password": f"wrong-password-{i}"})
            for response in (wrong, unknown):
                self.assertError(response, 401, "invalid_credentials")
                self.assertEqual(response.cookies, [])
            self.assertEqual(header_names(wrong), header_names(unknown))
            wrong_bodies.add(wrong.body)
            unknown_bodies.add(unknown.body)
            wrong_times.append(wrong.elapsed)
            unknown_times.append(unknown.elapsed)
        self.assertEqual(wrong_bodies, unknown_bodies)
        self.assertEqual(len(wrong_bodies), 1)
        wrong_median = statistics.median(wrong_times)
        unknown_median = statistics.median(unknown_times)
        ratio = max(wrong_median, unknown_median) / min(wrong_median, unknown_median)
        self.assertLess(ratio, 2.0, f"median wrong password {wrong_median * 1000:.1f} ms, "
                                    f"median unknown user {unknown_median * 1000:.1f} ms")


if __name__ == "__main__":
    unittest.main()
