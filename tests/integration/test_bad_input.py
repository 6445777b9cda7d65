# SPDX-License-Identifier: Apache-2.0
"""Hostile and broken input over the wire: malformed JSON, wrong types, missing and unknown
fields, huge numbers, nesting bombs, invalid UTF-8, oversized bodies, wrong media types, unknown
paths and methods, slow clients, and bytes that are not TLS at all. After each one the daemon is
alive and nothing changed: the same users, rights and cameras, and no new success in the audit
log."""

import json
import os
import socket
import ssl
import threading
import time
import unittest

from hub import API, Client, HubTestCase, exchange, parse_response, strong_password

MIB = 1024 * 1024


def dumps(value):
    return json.dumps(value).encode()


def closed_within(sock, limit, trickle=None):
    """Seconds until the peer closes `sock` (None if still open after `limit` s). With `trickle`,
    sends one byte of it per second meanwhile."""
    started = time.monotonic()
    sock.settimeout(1.0)
    position = 0
    while time.monotonic() - started < limit:
        if trickle is not None and position < len(trickle):
            try:
                sock.send(trickle[position:position + 1])
                position += 1
            except (ConnectionError, ssl.SSLError, OSError):
                return time.monotonic() - started
        try:
            data = sock.recv(4096)
            if data == b"":
                return time.monotonic() - started
            # An answer such as 408 may precede the close; keep reading until the close.
        except socket.timeout:
            continue
        except (ConnectionError, ssl.SSLError, OSError):
            return time.monotonic() - started
    return None


class BadInput(HubTestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = cls.start_class_hub(config={"security": {"login_free_failures": 1000}})
        cls.owner_name, cls.owner_password = cls.hub.setup_owner("owner")
        cls.owner = cls.hub.login(cls.owner_name, cls.owner_password)
        cls.member_password = strong_password()
        member = {"username": "member1", "password": cls.member_password, "role": "member"}
        cls.member_id = cls.owner.post(API + "/users", member, expect=201).json()["user"]["id"]
        camera = {"name": "Porch", "main_url": "rtsp://127.0.0.1:8554/p"}
        cls.camera_id = cls.owner.post(API + "/cameras", camera, expect=201).json()["camera"]["id"]
        cls.owner.put(API + f"/users/{cls.member_id}/rights",
                      {"rights": [{"camera_id": cls.camera_id, "rights": ["view"]}]}, expect=200)
        cls.baseline = cls.snapshot()

    @classmethod
    def snapshot(cls):
        users = cls.owner.get(API + "/users", expect=200).json()["users"]
        member = cls.owner.get(API + f"/users/{cls.member_id}", expect=200).json()
        # What the streaming engine sees changes by itself (reconnects to a camera that is not
        # there); only the stored settings are compared.
        cameras = [{k: v for k, v in c.items() if k not in ("status", "watchers")}
                   for c in cls.owner.get(API + "/cameras", expect=200).json()["cameras"]]
        successes = cls.owner.get(API + "/audit-log?outcome=success&limit=1000",
                                  expect=200).json()["entries"]
        return {"users": users, "member": member, "cameras": cameras,
                "successes": [(e["seq"], e["action"]) for e in successes]}

    def assertUnchanged(self, what):
        self.assertTrue(self.hub.alive(), f"the daemon died after {what}")
        self.owner.get(API + "/me", expect=200)
        self.assertEqual(self.snapshot(), self.baseline, f"state changed after {what}")

    def assertRefused(self, response, status, code=None, what=None):
        self.assertError(response, status, code)
        self.assertUnchanged(what or repr(response)[:100])

    # ---- JSON bodies --------------------------------------------------------------------------

    def targets(self):
        """State-changing endpoints with a valid body each, to be broken in many ways."""
        return [
            ("POST", API + "/users",
             {"username": "intruder", "password": strong_password(), "role": "admin"}),
            ("PATCH", API + f"/users/{self.member_id}", {"role": "admin", "disabled": True}),
            ("PUT", API + f"/users/{self.member_id}/rights",
             {"rights": [{"camera_id": self.camera_id, "rights": ["view", "ptz"]}]}),
            ("POST", API + "/cameras", {"name": "Rogue", "main_url": "rtsp://127.0.0.1:8554/r"}),
            ("POST", API + "/login", {"username": "member1", "password": self.member_password}),
            ("POST", API + "/me/password", {"current_password": self.owner_password,
                                            "new_password": strong_password()}),
        ]

    def test_malformed_json(self):
        bodies = [b"{", b'{"username": "x",', b"{'username': 'x'}", b'{"username": "x",}',
                  b'{"a":1}{"b":2}', b"null", b"[]", b'"text"', b"42", b"true", b"\x00\x01\x02",
                  b'{"disabled": NaN}', b'{"disabled": Infinity}', b"{\"username\" \"x\"}",
                  b'{"username": "x"} trailing', b"/* comment */ {}", b" " * 1000]
        for method, path, _ in self.targets():
            for body in bodies:
                with self.subTest(method=method, path=path, body=body[:40]):
                    response = self.owner.request(method, path, raw=body)
                    self.assertRefused(response, 400)

    def test_empty_body(self):
        for method, path, _ in self.targets():
            with self.subTest(method=method, path=path):
                self.assertRefused(self.owner.request(method, path, raw=b""), 400)

    def test_wrong_types(self):
        for method, path, valid in self.targets():
            for field in valid:
                text = "" if not isinstance(valid[field], str) else 7
                for wrong in (5, 1.5, True, ["x"], {"x": "y"}, text):
                    if type(wrong) is type(valid[field]):
                        continue
                    with self.subTest(method=method, path=path, field=field, value=wrong):
                        body = dict(valid, **{field: wrong})
                        self.assertRefused(self.owner.request(method, path, body), 400)
        camera = self.camera_id
        inner = [{"camera_id": 5, "rights": ["view"]}, {"camera_id": camera, "rights": "view"},
                 {"camera_id": camera, "rights": [1]}, {"camera_id": camera, "rights": ["fly"]},
                 {"camera_id": camera, "rights": [None]}, "view", None, [camera, ["view"]]]
        for element in inner:
            with self.subTest(rights_element=element):
                response = self.owner.put(API + f"/users/{self.member_id}/rights",
                                          {"rights": [element]})
                self.assertRefused(response, 400)
        for role in ("superuser", "Admin", "owner", ""):
            with self.subTest(role=role):
                self.assertRefused(self.owner.post(API + "/users", {"username": "intruder",
                                                                    "password": strong_password(),
                                                                    "role": role}), 400)

    def test_missing_fields(self):
        for method, path, valid in self.targets():
            if method == "PATCH":
                continue  # every field of PATCH is optional; an empty object is tested below
            for field in valid:
                with self.subTest(method=method, path=path, missing=field):
                    body = {k: v for k, v in valid.items() if k != field}
                    self.assertRefused(self.owner.request(method, path, body), 400)
                with self.subTest(method=method, path=path, null=field):
                    body = dict(valid, **{field: None})
                    self.assertRefused(self.owner.request(method, path, body), 400)
        self.assertRefused(self.owner.patch(API + f"/users/{self.member_id}", {}), 400)
        self.assertRefused(self.owner.put(API + f"/users/{self.member_id}/rights",
                                          {"rights": [{"camera_id": self.camera_id}]}), 400)

    def test_unknown_fields(self):
        for method, path, valid in self.targets():
            for extra in ({"is_admin": True}, {"role ": "admin"}, {"Username": "x"}, {"": 1},
                          {"__proto__": {"admin": True}}):
                with self.subTest(method=method, path=path, extra=extra):
                    self.assertRefused(self.owner.request(method, path, dict(valid, **extra)), 400)
        with self.subTest("PATCH with a username"):
            self.assertRefused(self.owner.patch(API + f"/users/{self.member_id}",
                                                {"disabled": False, "username": "renamed"}), 400)

    def test_huge_numbers_and_long_strings(self):
        digits = b"9" * 100000
        cases = [
            ("PATCH", API + f"/users/{self.member_id}", b'{"disabled": 1e999999}'),
            ("PATCH", API + f"/users/{self.member_id}", b'{"disabled": ' + digits + b"}"),
            ("PATCH", API + f"/users/{self.member_id}", b'{"disabled": -0}'),
            ("POST", API + "/users",
             b'{"username": ' + digits + b', "password": "x", "role": "member"}'),
            ("POST", API + "/users", b'{"username": 1e308, "password": "x", "role": "member"}'),
            ("POST", API + "/users", dumps({"username": "u" * 200000,
                                            "password": strong_password(), "role": "member"})),
            ("POST", API + "/cameras", dumps({"name": "n" * 500000,
                                              "main_url": "rtsp://127.0.0.1:8554/x"})),
            ("POST", API + "/login", dumps({"username": "member1", "password": "p" * 900000})),
            ("PUT", API + f"/users/{self.member_id}/rights",
             dumps({"rights": [{"camera_id": self.camera_id, "rights": ["view"]}] * 5000})),
        ]
        for method, path, body in cases:
            with self.subTest(method=method, path=path, body=body[:40]):
                self.assertRefused(self.owner.request(method, path, raw=body), 400)
        for query in ("limit=99999999999999999999", "limit=0", "limit=-1", "limit=1e3",
                      "before=-1", "before=18446744073709551616", "from=yesterday",
                      "outcome=maybe", "limit=%00"):
            with self.subTest(query=query):
                self.assertRefused(self.owner.get(API + "/audit-log?" + query), 400)

    def test_nesting_bombs(self):
        cases = [
            b'{"username":' + b"[" * 100000 + b"]" * 100000 + b"}",
            b"[" * 500000,
            b'{"a":' * 50000 + b"1" + b"}" * 50000,
            b'{"rights":' + b"[" * 200000,
        ]
        for method, path, _ in self.targets():
            for body in cases:
                with self.subTest(method=method, path=path, body=body[:20]):
                    self.assertRefused(self.owner.request(method, path, raw=body), 400)

    def test_invalid_utf8(self):
        password = strong_password().encode()
        for bad in (b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"ab\x80cd",
                    b"\\ud800", b"\\udc00\\ud800", b"\\u0000"):
            with self.subTest(bytes=bad):
                body = (b'{"username":"in' + bad + b'truder","password":"' + password
                        + b'","role":"member"}')
                self.assertRefused(self.owner.request("POST", API + "/users", raw=body), 400)
                if bad == b"\\u0000":
                    continue  # valid JSON; a NUL is no valid user name, but it is a valid string
                body = b'{"name":"cam' + bad + b'","main_url":"rtsp://127.0.0.1:8554/x"}'
                self.assertRefused(self.owner.request("POST", API + "/cameras", raw=body), 400)

    def test_camera_urls_must_be_rtsp_without_credentials(self):
        for url in ("rtsp://admin:hunter2secret@127.0.0.1:554/s", "rtsp://admin@127.0.0.1/s",
                    "rtsps://admin:hunter2secret@127.0.0.1/s", "http://127.0.0.1/s",
                    "https://127.0.0.1/s", "file:///etc/passwd", "javascript:alert(1)", "rtsp://",
                    "rtsp:///s", "", " ", "rtsp://127.0.0.1/s\r\nX-Injected: 1",
                    "127.0.0.1:554/s"):
            for field in ("main_url", "sub_url"):
                with self.subTest(url=url, field=field):
                    body = {"name": "Rogue", "main_url": "rtsp://127.0.0.1:8554/ok", field: url}
                    response = self.owner.post(API + "/cameras", body)
                    self.assertRefused(response, 400)
                    self.assertNotIn(b"hunter2secret", response.body, "a URL password is echoed")

    def test_duplicate_user_names_conflict(self):
        for name in ("member1", "MEMBER1", "Member1", "owner", "OWNER"):
            with self.subTest(name=name):
                response = self.owner.post(API + "/users", {
                    "username": name, "password": strong_password(), "role": "guest"})
                self.assertRefused(response, 409)

    # ---- HTTP level -----------------------------------------------------------------------------

    def send_raw(self, data, timeout=30):
        sock = self.hub.raw_tls()
        try:
            return exchange(sock, data, timeout)
        finally:
            sock.close()

    def head(self, method, path, extra=""):
        return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.hub.port}\r\n"
                f"Cookie: __Host-camguard_session={self.owner.session_token}\r\n"
                f"X-CSRF-Token: {self.owner.csrf}\r\n{extra}").encode()

    def test_body_over_one_mib_is_refused_with_413(self):
        big = json.dumps({"username": "intruder", "password": strong_password(), "role": "admin",
                          "pad": "x" * (MIB + 1000)}).encode()
        json_type = "Content-Type: application/json\r\n"
        chunks = b"".join(b"%x\r\n" % len(big[i:i + 65536]) + big[i:i + 65536] + b"\r\n"
                          for i in range(0, len(big), 65536)) + b"0\r\n\r\n"
        cases = {
            "declared length, expecting 100-continue": self.head(
                "POST", API + "/users",
                json_type + f"Content-Length: {2 * MIB}\r\nExpect: 100-continue\r\n\r\n"),
            "declared length with the body": self.head(
                "POST", API + "/users", json_type + f"Content-Length: {len(big)}\r\n\r\n") + big,
            "chunked": self.head("POST", API + "/users",
                                 json_type + "Transfer-Encoding: chunked\r\n\r\n") + chunks,
            "login": (f"POST {API}/login HTTP/1.1\r\nHost: 127.0.0.1:{self.hub.port}\r\n"
                      + json_type + f"Content-Length: {len(big)}\r\n\r\n").encode() + big,
        }
        for what, data in cases.items():
            with self.subTest(what):
                parsed = parse_response(self.send_raw(data))
                self.assertIsNotNone(parsed, "no HTTP answer")
                self.assertEqual(parsed[0], 413, parsed)
                self.assertEqual(json.loads(parsed[2])["error"]["code"], "payload_too_large")
                self.assertUnchanged(what)
        # One MiB and a little less is still read and judged on its content.
        body = json.dumps({"username": "intruder", "password": "x" * (MIB - 200), "role": "admin"})
        self.assertLessEqual(len(body), MIB)
        self.assertRefused(self.owner.post(API + "/users", raw=body.encode()), 400)

    def test_wrong_content_type_is_refused_with_415(self):
        valid = dumps({"username": "intruder", "password": strong_password(), "role": "admin"})
        for content_type in ("text/plain", "application/x-www-form-urlencoded",
                             "multipart/form-data; boundary=x", "application/jsonp",
                             "application/json-patch+json", "text/json", "json", "application/xml",
                             ""):
            with self.subTest(content_type=content_type):
                response = self.owner.request("POST", API + "/users", raw=valid,
                                              headers={"Content-Type": content_type})
                self.assertRefused(response, 415, "unsupported_media_type")
        with self.subTest("no Content-Type at all"):
            data = self.head("POST", API + "/users",
                             f"Content-Length: {len(valid)}\r\n\r\n") + valid
            parsed = parse_response(self.send_raw(data))
            self.assertIsNotNone(parsed)
            self.assertEqual(parsed[0], 415, parsed)
            self.assertUnchanged("a body without Content-Type")
        with self.subTest("login form post"):
            form = f"username=member1&password={self.member_password}".encode()
            response = Client(self.hub).request(
                "POST", API + "/login", raw=form,
                headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertRefused(response, 415, "unsupported_media_type")
            self.assertEqual(response.cookies, [])

    def test_unknown_paths_and_wrong_methods(self):
        for path in (API + "/nope", "/api/v2/me", API + "/users/1/nope", API + "/me/", API + "//me",
                     "/api", "/api/", API, API + "/cameras/x/y/z", "/.git/config", "/index.php"):
            with self.subTest(path=path):
                self.assertRefused(self.owner.get(path), 404)
        for path in (API + "/%2e%2e/%2e%2e/etc/passwd", API + "/../../etc/passwd", API + "/me%00"):
            with self.subTest(path=path):
                response = self.owner.get(path)
                self.assertIn(response.status, (400, 404), repr(response))
                self.assertRefused(response, response.status)
        for method, path in (("PUT", API + "/me"), ("DELETE", API + "/users"),
                             ("GET", API + "/login"), ("PATCH", API + "/cameras"),
                             ("POST", API + f"/users/{self.member_id}"), ("GET", API + "/logout"),
                             ("DELETE", API + "/audit-log"),
                             ("PUT", API + f"/cameras/{self.camera_id}")):
            with self.subTest(method=method, path=path):
                response = self.owner.request(method, path, data={} if method != "GET" else None)
                self.assertRefused(response, 405, "method_not_allowed")
                self.assertTrue(response.header("Allow"), "405 without Allow")
        for method in ("FOO", "TRACE", "CONNECT"):
            with self.subTest(method=method):
                parsed = parse_response(self.send_raw(self.head(method, API + "/me", "\r\n")))
                if parsed is not None:
                    self.assertIn(parsed[0], (400, 405, 501), parsed)
                self.assertUnchanged(method)

    def test_broken_http_inside_tls(self):
        get = b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n"
        json_type = "Content-Type: application/json\r\n"
        cases = {
            "garbage line": b"GARBAGE\r\n\r\n",
            "no version": b"GET /api/v1/me\r\n\r\n",
            "bad version": b"GET /api/v1/me HTTP/9.9\r\nHost: x\r\n\r\n",
            "header without colon": b"GET /api/v1/me HTTP/1.1\r\nHost x\r\n\r\n",
            "huge header": get + b"X-Big: " + b"a" * 100000 + b"\r\n\r\n",
            "many headers": get + b"X-A: b\r\n" * 10000 + b"\r\n",
            "long target": b"GET /api/v1/" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            "bad chunk size": self.head("POST", API + "/users", json_type
                                        + "Transfer-Encoding: chunked\r\n\r\n")
            + b"zz\r\n{}\r\n0\r\n\r\n",
            "length and chunked": self.head(
                "POST", API + "/users",
                json_type + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n")
            + b"2\r\n{}\r\n0\r\n\r\n",
            "negative length": self.head("POST", API + "/users",
                                         json_type + "Content-Length: -1\r\n\r\n{}"),
            "NUL in header": b"GET /api/v1/me HTTP/1.1\r\nHost: x\x00y\r\n\r\n",
        }
        for what, data in cases.items():
            with self.subTest(what):
                parsed = parse_response(self.send_raw(data))
                if parsed is not None:  # closing without an answer is fine too
                    self.assertGreaterEqual(parsed[0], 400, parsed)
                    self.assertLess(parsed[0], 500, parsed)
                self.assertUnchanged(what)

    def test_not_tls_at_all(self):
        cases = {
            "random bytes": os.urandom(8192),
            "plain HTTP": f"GET {API}/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
            "plain HTTP login": (f"POST {API}/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                 f"application/json\r\nContent-Length: 2\r\n\r\n{{}}").encode(),
            "TLS record header then garbage": b"\x16\x03\x01\x40\x00" + os.urandom(16384),
            "SSLv2 hello": b"\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10" + os.urandom(37),
        }
        for what, data in cases.items():
            with self.subTest(what):
                with socket.create_connection(("127.0.0.1", self.hub.port), timeout=20) as sock:
                    try:
                        sock.sendall(data)
                    except OSError:
                        pass
                    answer = b""
                    started = time.monotonic()
                    try:
                        while time.monotonic() - started < 20:
                            chunk = sock.recv(65536)
                            if not chunk:
                                break
                            answer += chunk
                    except (socket.timeout, OSError):
                        pass
                    self.assertLess(time.monotonic() - started, 20, "connection left open")
                    self.assertFalse(answer.startswith(b"HTTP/"),
                                     f"plaintext HTTP answered: {answer[:80]!r}")
                self.assertUnchanged(what)

    def test_slow_clients_are_cut_off_and_do_not_block_others(self):
        results = {}

        def idle_tcp():  # connects and never starts TLS
            with socket.create_connection(("127.0.0.1", self.hub.port), timeout=5) as sock:
                results["no TLS handshake"] = closed_within(sock, 40)

        def idle_tls():  # finishes TLS and never sends a request
            with self.hub.raw_tls() as sock:
                results["no request"] = closed_within(sock, 40)

        def trickle():  # sends the request headers one byte per second (slowloris)
            with self.hub.raw_tls() as sock:
                request = self.head("GET", API + "/me", "X-Padding: " + "a" * 100 + "\r\n\r\n")
                results["headers one byte a second"] = closed_within(sock, 40, trickle=request)

        def slow_body():  # announces a body and sends it one byte per second
            with self.hub.raw_tls() as sock:
                body = dumps({"username": "slow", "password": strong_password(), "role": "admin"})
                request = self.head("POST", API + "/users", f"Content-Type: application/json\r\n"
                                    f"Content-Length: {len(body)}\r\n\r\n")
                sock.sendall(request)
                results["body one byte a second"] = closed_within(sock, 40, trickle=body)

        threads = [threading.Thread(target=f) for f in (idle_tcp, idle_tls, trickle, slow_body)]
        for thread in threads:
            thread.start()
        # Meanwhile everyone else is served promptly.
        while any(t.is_alive() for t in threads):
            started = time.monotonic()
            self.owner.get(API + "/me", expect=200)
            self.assertLess(time.monotonic() - started, 5, "slow clients starve others")
            time.sleep(1)
        for thread in threads:
            thread.join()
        for what, seconds in results.items():
            with self.subTest(what):
                self.assertIsNotNone(seconds, f"{what}: still open after 40 s")
                self.assertLessEqual(seconds, 25, f"{what}: closed only after {seconds:.1f} s")
        self.assertEqual(len(results), 4, results)
        self.assertUnchanged("slow clients")


if __name__ == "__main__":
    unittest.main()
