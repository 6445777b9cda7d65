# SPDX-License-Identifier: Apache-2.0
"""Harness for the end-to-end tests: runs the real `camguard serve` and talks HTTPS to it.

Hub starts the daemon in a private temporary data directory on 127.0.0.1 port 0, reads the
port, the TLS certificate fingerprint and the setup token from its console output, and stops
it by PID (SIGTERM, then SIGKILL after a timeout). Client is a small HTTPS client with a cookie
jar and the X-CSRF-Token header; it accepts only TLS 1.3 and only the certificate whose SHA-256
fingerprint the daemon printed. Python 3 standard library only.

The executable comes from the environment variable CAMGUARD_BIN (set by ctest).
"""

import atexit
import base64
import copy
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import ssl
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

API = "/api/v1"
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
SESSION_COOKIE = "__Host-camguard_session"
DEVICE_COOKIE = "__Host-camguard_device"
SOURCE_DIR = os.environ.get(
    "CAMGUARD_SOURCE_DIR",
    os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))
OPENAPI = os.path.join(SOURCE_DIR, "docs", "api", "openapi.yaml")

# Cheap password hashing so that tests run fast; allowed only with allow_weak_password_hashing.
FAST_SECURITY = {
    "argon2_memory_kib": 8192,
    "argon2_iterations": 1,
    "allow_weak_password_hashing": True,
}

_LISTENING = re.compile(r"camguard: listening on https://(\S+):(\d+)/")
_FINGERPRINT = re.compile(
    r"camguard: TLS certificate SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})")
_TOKEN = re.compile(r"camguard: setup token (\S+) \(single use")


def camguard_bin():
    path = os.environ.get("CAMGUARD_BIN")
    if not path:
        raise RuntimeError("CAMGUARD_BIN is not set: point it at the camguard executable "
                           "(ctest sets it)")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"CAMGUARD_BIN={path} is not an executable file")
    return path


def strong_password():
    """A password the policy accepts: long, random, on no list."""
    return "it-" + secrets.token_urlsafe(18)


def unique_name(prefix):
    return f"{prefix}{secrets.token_hex(4)}"


# --------------------------------------------------------------------------------------------
# Small utilities


def toml_text(config):
    """Writes {section: {key: value}} as TOML (strings, integers, booleans, lists of strings)."""

    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return json.dumps(v)  # a JSON string of ASCII text is a TOML basic string
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        raise TypeError(f"cannot write {v!r} as TOML")

    lines = []
    for section, values in config.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {value(v)}" for key, v in values.items())
        lines.append("")
    return "\n".join(lines)


def merge_config(base, extra):
    merged = copy.deepcopy(base)
    for section, values in (extra or {}).items():
        merged.setdefault(section, {}).update(values)
    return merged


def fingerprint_of(der):
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def hotp(key, counter, digits=6):
    """RFC 4226 section 5.3 with HMAC-SHA1."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(value).zfill(digits)


def base32_secret(text):
    text = text.strip().replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def totp_step(now=None, period=30):
    return int((time.time() if now is None else now) // period)


def totp(secret_base32, step=None, digits=6):
    """RFC 6238 TOTP (T0 = 0, 30-second steps) for the given step, default the current one."""
    return hotp(base32_secret(secret_base32), totp_step() if step is None else step, digits)


def sqlite(db_path, sql, check=True):
    """Runs SQL with the sqlite3 command-line shell; returns the CompletedProcess."""
    if shutil.which("sqlite3") is None:
        raise RuntimeError("the sqlite3 command-line shell is missing (scripts/install-deps)")
    # The hub writes from several connections (loop, alerts, recordings): wait for a lock
    # rather than fail with "database is locked".
    done = subprocess.run(["sqlite3", "-batch", "-bail", "-cmd", ".timeout 10000", db_path, sql],
                          capture_output=True, text=True, timeout=60)
    if check and done.returncode != 0:
        raise AssertionError(f"sqlite3 {sql!r} failed ({done.returncode}): {done.stderr}")
    return done


def spec_operations():
    """(METHOD, path) for every operation in docs/api/openapi.yaml."""
    import yaml  # python3-yaml

    with open(OPENAPI, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    ops = []
    for path, item in spec["paths"].items():
        for method in item:
            if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
                ops.append((method.upper(), path))
    return ops


def tree_modes(root):
    """{relative path: (is_dir, mode bits)} for root and everything below it."""
    modes = {".": (True, stat.S_IMODE(os.lstat(root).st_mode))}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            modes[os.path.relpath(path, root)] = (stat.S_ISDIR(st.st_mode),
                                                  stat.S_IMODE(st.st_mode))
    return modes


# --------------------------------------------------------------------------------------------
# The daemon

_unclosed = set()  # hubs not closed yet; closed at interpreter exit at the latest


@atexit.register
def _close_leftover_hubs():
    for hub in list(_unclosed):
        try:
            hub.close()
        except AssertionError as e:
            sys.stderr.write(f"{e}\n")


class Hub:
    """One `camguard serve` process with its own data directory."""

    def __init__(self, data_dir=None, config=None, fast=True, listen="127.0.0.1:0", name="hub"):
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="camguard-it-")
        _unclosed.add(self)
        self.data_dir = data_dir or os.path.join(self.tmp, "data")  # camguard creates it
        base = {"security": dict(FAST_SECURITY)} if fast else {}
        self.config = merge_config(base, config)
        self.config_path = os.path.join(self.tmp, "camguard.toml")
        self.listen = listen
        self.proc = None
        self.returncode = None
        self.port = None
        self.host = None
        self.fingerprint = None
        self.token = None
        self._lines = []  # (stream, text) of every run, in arrival order
        self._cond = threading.Condition()
        self._readers = []
        self._idle = {}
        self.runs = 0
        self.wrapper = []  # a command the daemon runs under (e.g. unshare for a small disk)

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout=60, expect_ready=True):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write(toml_text(self.config))
        self.port = self.fingerprint = self.token = None
        self.returncode = None
        self.runs += 1
        with self._cond:
            self._lines.append(("note", f"---- start #{self.runs} ----"))
            self._first_line = len(self._lines)
        args = [*self.wrapper, camguard_bin(), "serve", "--data-dir", self.data_dir,
                "--config", self.config_path]
        if self.listen:
            args += ["--listen", self.listen]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self._readers = []
        for stream, pipe in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            thread = threading.Thread(target=self._read, args=(stream, pipe), daemon=True)
            thread.start()
            self._readers.append(thread)
        if not expect_ready:
            return self
        if not self.wait_for(lambda: self.port and self.fingerprint, timeout):
            rc = self.proc.poll()
            self.stop()
            raise AssertionError(f"{self.name} did not start (exit {rc}):\n{self.output()}")
        # A request that gets any answer proves the loop runs; everything printed before it has
        # been written to the pipe by then, and _drain waits until the readers consumed it.
        self._probe(timeout)
        self._drain()
        with self._cond:
            for stream, text in self._lines[self._first_line:]:
                m = _TOKEN.search(text) if stream == "out" else None
                if m:
                    self.token = m.group(1)
        return self

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL after `timeout` s. Returns the exit code (-9 when killed)."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with self._cond:
                    self._lines.append(("note", f"did not stop {timeout} s after SIGTERM: killed"))
                self.proc.kill()
                self.proc.wait()
        for thread in self._readers:
            thread.join(10)
        self.returncode = self.proc.returncode
        with self._cond:
            self._lines.append(("note", f"---- exit {self.returncode} ----"))
        for pipe in (self.proc.stdout, self.proc.stderr):
            pipe.close()
        self.proc = None
        return self.returncode

    def restart(self, **kwargs):
        self.stop()
        return self.start(**kwargs)

    def close(self):
        """Stops the daemon and removes its files; fails if a sanitizer reported anything."""
        self.stop()
        _unclosed.discard(self)
        if not os.environ.get("CAMGUARD_KEEP_TEST_DIRS"):
            shutil.rmtree(self.tmp, ignore_errors=True)
        reports = self.sanitizer_reports()
        if reports:
            raise AssertionError(f"{self.name}: sanitizer reports:\n" + "\n".join(reports[:20])
                                 + f"\n{self.describe()}")

    def sanitizer_reports(self):
        """Lines where AddressSanitizer, LeakSanitizer or UBSan complained (sanitizer builds)."""
        pattern = re.compile(r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: ")
        with self._cond:
            return [text for stream, text in self._lines
                    if stream == "err" and pattern.search(text)]

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- console output -------------------------------------------------------------------

    def _read(self, stream, pipe):
        fd = pipe.fileno()
        pending = b""
        while True:
            # "idle" is cleared before bytes leave the pipe and set again only after they were
            # filed as lines, so an empty pipe and an idle reader mean all output was seen.
            with self._cond:
                self._idle[stream] = True
            select.select([fd], [], [])
            with self._cond:
                self._idle[stream] = False
            chunk = os.read(fd, 65536)
            with self._cond:
                if not chunk:
                    if pending:
                        self._lines.append((stream, pending.decode("utf-8", "replace")))
                    self._idle[stream] = True
                    self._cond.notify_all()
                    return
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    text = line.decode("utf-8", "replace")
                    self._lines.append((stream, text))
                    if stream == "out":
                        self._parse(text)
                self._cond.notify_all()

    def _parse(self, text):
        m = _LISTENING.search(text)
        if m:
            self.host, self.port = m.group(1), int(m.group(2))
        m = _FINGERPRINT.search(text)
        if m:
            self.fingerprint = m.group(1)
        m = _TOKEN.search(text)
        if m:
            self.token = m.group(1)

    def _drain(self, timeout=10):
        """Waits until both readers have consumed everything written to the pipes so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None:
                return
            fds = [p.fileno() for p in (self.proc.stdout, self.proc.stderr)]
            readable, _, _ = select.select(fds, [], [], 0)
            with self._cond:
                idle = all(self._idle.get(s) for s in ("out", "err"))
            if not readable and idle:
                return
            time.sleep(0.01)

    def wait_for(self, predicate, timeout):
        """Waits until predicate() is true or the process exits; True if it became true."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                if self.proc is None or self.proc.poll() is not None:
                    # Output may still be arriving; give the readers a moment to finish.
                    self._cond.wait(0.2)
                    return bool(predicate())
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.2))
        return True

    def lines(self, current_run_only=True, stream="out"):
        self._drain()
        with self._cond:
            chosen = self._lines[self._first_line:] if current_run_only else self._lines
            return [text for s, text in chosen if stream is None or s == stream]

    def output(self, tail=200):
        with self._cond:
            lines = [f"[{s}] {t}" for s, t in self._lines]
        if tail and len(lines) > tail:
            lines = [f"... {len(lines) - tail} earlier lines omitted"] + lines[-tail:]
        return "\n".join(lines)

    def describe(self):
        return f"==== {self.name} (data dir {self.data_dir}) console output ====\n{self.output()}\n"

    # ---- TLS --------------------------------------------------------------------------------

    @staticmethod
    def tls_context(minimum=ssl.TLSVersion.TLSv1_3, maximum=ssl.TLSVersion.TLSv1_3):
        # The certificate is self-signed: it is pinned by fingerprint instead of a CA (check_peer).
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.minimum_version = minimum
        context.maximum_version = maximum
        return context

    def check_peer(self, tls_socket):
        der = tls_socket.getpeercert(binary_form=True)
        if der is None:
            raise AssertionError("the hub presented no certificate")
        got = fingerprint_of(der)
        if got != self.fingerprint:
            raise AssertionError(f"served certificate {got} is not the printed {self.fingerprint}")
        if tls_socket.version() != "TLSv1.3":
            raise AssertionError(f"negotiated {tls_socket.version()}, not TLS 1.3")

    def raw_tls(self, source_address=None, timeout=30):
        """A TLS socket to the hub (fingerprint checked), for hand-written HTTP."""
        source = (source_address, 0) if source_address else None
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout,
                                        source_address=source)
        try:
            tls = self.tls_context().wrap_socket(sock)
        except Exception:
            sock.close()
            raise
        self.check_peer(tls)
        return tls

    def _probe(self, timeout):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"{self.name} exited during start:\n{self.output()}")
            try:
                Client(self).get(API + "/me", timeout=10)
                return
            except (OSError, http.client.HTTPException) as e:
                last = e
                time.sleep(0.05)
        raise AssertionError(f"{self.name} did not answer HTTPS within {timeout} s ({last}):\n"
                             f"{self.output()}")

    # ---- files ------------------------------------------------------------------------------

    def path(self, *parts):
        return os.path.join(self.data_dir, *parts)

    @property
    def db(self):
        return self.path("camguard.db")

    def sql(self, query):
        return sqlite(self.db, query).stdout.strip()

    def cli(self, *args, input_text=None, timeout=60):
        """Runs another camguard subcommand; returns the CompletedProcess."""
        return subprocess.run([camguard_bin(), *args], input=input_text, capture_output=True,
                              text=True, timeout=timeout)

    # ---- accounts ---------------------------------------------------------------------------

    def setup_owner(self, username="owner", password=None):
        """Creates the owner with the printed token; returns (username, password)."""
        password = password or strong_password()
        assert self.token, f"{self.name} printed no setup token:\n{self.output()}"
        Client(self).post(API + "/setup", {"token": self.token, "username": username,
                                           "password": password}, expect=201)
        return username, password

    def login(self, username, password, expect=200, **kwargs):
        client = Client(self, **kwargs)
        client.login(username, password, expect=expect)
        return client


# --------------------------------------------------------------------------------------------
# The HTTPS client


class Cookie:
    def __init__(self, header):
        self.header = header
        first, *attributes = [part.strip() for part in header.split(";")]
        self.name, _, self.value = first.partition("=")
        self.attributes = {}  # lower-cased names; flags map to True
        for attribute in attributes:
            key, eq, value = attribute.partition("=")
            self.attributes[key.strip().lower()] = value.strip() if eq else True

    def __repr__(self):
        return f"Cookie({self.header!r})"


class Response:
    def __init__(self, method, path, status, reason, headers, body):
        self.method, self.path = method, path
        self.status, self.reason = status, reason
        self.headers = headers  # http.client.HTTPMessage (case-insensitive)
        self.body = body
        self.cookies = [Cookie(h) for h in headers.get_all("Set-Cookie") or []]
        self.elapsed = 0.0

    def header(self, name):
        return self.headers.get(name)

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def error_code(self):
        try:
            return self.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None

    def __repr__(self):
        body = self.body[:600].decode("utf-8", "replace")
        return f"{self.method} {self.path} -> {self.status} {self.reason} {body}"


class Client:
    """HTTPS client with a cookie jar and the CSRF header; one connection per request."""

    def __init__(self, hub, source_address=None, user_agent="camguard-integration-test/1"):
        self.hub = hub
        self.source_address = source_address
        self.user_agent = user_agent
        self.cookies = {}
        self.csrf = None
        self.user = None

    def clone(self):
        twin = Client(self.hub, self.source_address, self.user_agent)
        twin.cookies = dict(self.cookies)
        twin.csrf = self.csrf
        twin.user = self.user
        return twin

    def connect(self, timeout=30):
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.hub.port, timeout=timeout, context=Hub.tls_context(),
            source_address=(self.source_address, 0) if self.source_address else None)
        conn.connect()
        self.hub.check_peer(conn.sock)
        return conn

    def request(self, method, path, data=None, raw=None, headers=None, csrf=True, expect=None,
                timeout=30, content_type="application/json"):
        """Sends one request. `data` is sent as JSON, `raw` as given. With `expect` (a status or
        a tuple of statuses) an unexpected answer fails with the response and the hub's output."""
        headers = dict(headers or {})
        lower = {k.lower() for k in headers}
        body = raw if raw is not None else (None if data is None else json.dumps(data).encode())
        if body is not None and "content-type" not in lower and content_type:
            headers["Content-Type"] = content_type
        if csrf and self.csrf and method in STATE_CHANGING and "x-csrf-token" not in lower:
            headers["X-CSRF-Token"] = self.csrf
        if self.cookies and "cookie" not in lower:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.user_agent and "user-agent" not in lower:
            headers["User-Agent"] = self.user_agent
        conn = self.connect(timeout)
        try:
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            payload = answer.read()
            elapsed = time.perf_counter() - started
        finally:
            conn.close()
        response = Response(method, path, answer.status, answer.reason, answer.msg, payload)
        response.elapsed = elapsed
        for cookie in response.cookies:
            if cookie.value == "" or cookie.attributes.get("max-age") == "0":
                self.cookies.pop(cookie.name, None)
            else:
                self.cookies[cookie.name] = cookie.value
        if expect is not None:
            expected = expect if isinstance(expect, (tuple, list, set)) else (expect,)
            if response.status not in expected:
                raise AssertionError(f"expected {'/'.join(map(str, expected))}: {response!r}\n"
                                     f"{self.hub.describe()}")
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data=None, **kw):
        return self.request("POST", path, data, **kw)

    def put(self, path, data=None, **kw):
        return self.request("PUT", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self.request("PATCH", path, data, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, username, password, expect=200, **fields):
        body = {"username": username, "password": password, **fields}
        response = self.post(API + "/login", body, expect=expect)
        if response.status == 200:
            payload = response.json()
            self.csrf = payload["csrf_token"]
            self.user = payload["user"]
        return response

    @property
    def session_token(self):
        return self.cookies.get(SESSION_COOKIE)


def read_http_response(sock, timeout=30):
    """Reads one HTTP/1.1 response from a socket: (status, {lower name: value}, body).
    Returns None when the peer closes the connection before a status line."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except (ConnectionError, ssl.SSLError):
            chunk = b""
        if not chunk:
            return None if not data else (0, {}, data)
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        try:
            chunk = sock.recv(65536)
        except (ConnectionError, ssl.SSLError):
            break
        if not chunk:
            break
        body += chunk
    parts = status_line.split(" ", 2)
    return int(parts[1]), headers, body


def parse_response(data):
    """(status, {lower name: value}, body) from raw HTTP/1.1 response bytes, or None."""
    if not data.startswith(b"HTTP/1.") or b"\r\n\r\n" not in data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split(" ")[1]), headers, body


def exchange(sock, data, timeout=30):
    """Sends `data` while reading, so that an early answer (413) is seen even if the server stops
    reading; returns everything received until the response is complete or the peer closes."""
    sock.setblocking(False)
    view = memoryview(data)
    sent = 0
    received = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        want_write = [sock] if sent < len(data) else []
        readable, writable, _ = select.select([sock], want_write, [], 0.5)
        if readable or sock.pending():
            try:
                chunk = sock.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                chunk = None
            except (ConnectionError, ssl.SSLError, OSError):
                break
            if chunk == b"":
                break
            if chunk:
                received += chunk
                parsed = parse_response(received)
                if parsed and len(parsed[2]) >= int(parsed[1].get("content-length", "0") or 0):
                    break
        if writable and sent < len(data):
            try:
                sent += sock.send(view[sent:sent + 16384])
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
            except (ConnectionError, ssl.SSLError, OSError):
                sent = len(data)  # the server stopped listening; keep reading its answer
    return received


# --------------------------------------------------------------------------------------------
# Test case base


class HubTestCase(unittest.TestCase):
    """Starts hubs for tests and prints their console output when a test fails."""

    class_hubs = ()

    @classmethod
    def start_class_hub(cls, **kwargs):
        hub = Hub(**kwargs)
        try:
            hub.start()
        except BaseException:
            hub.close()
            raise
        cls.class_hubs = tuple(cls.class_hubs) + (hub,)
        cls.addClassCleanup(hub.close)
        return hub

    def new_hub(self, start=True, **kwargs):
        hub = Hub(**kwargs)
        self._test_hubs.append(hub)
        self.addCleanup(hub.close)
        if start:
            hub.start()
        return hub

    def run(self, result=None):
        self._test_hubs = []
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            for hub in list(self.class_hubs) + self._test_hubs:
                sys.stderr.write(hub.describe())
        return outcome

    # ---- assertions -------------------------------------------------------------------------

    def assertError(self, response, status, code=None):
        """The response is the contract's error document with this status (and code)."""
        self.assertEqual(response.status, status, repr(response))
        try:
            body = response.json()
        except ValueError:
            self.fail(f"error body is not JSON: {response!r}")
        self.assertEqual(set(body), {"error"}, f"error document has other members: {response!r}")
        self.assertIsInstance(body["error"].get("code"), str, repr(response))
        self.assertIsInstance(body["error"].get("message"), str, repr(response))
        if code is not None:
            self.assertEqual(body["error"]["code"], code, repr(response))


def security_header_problems(response):
    """What is wrong with the security headers every response must carry (empty if nothing)."""
    problems = []
    hsts = response.header("Strict-Transport-Security") or ""
    m = re.search(r"(?i)max-age=(\d+)", hsts)
    if not m or int(m.group(1)) < 365 * 24 * 3600:
        problems.append(f"Strict-Transport-Security {hsts!r} (want max-age of a year or more)")
    csp = response.header("Content-Security-Policy") or ""
    if not csp:
        problems.append("no Content-Security-Policy")
    if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
        problems.append(f"Content-Security-Policy allows unsafe script/style: {csp!r}")
    if not re.search(r"(?:^|;)\s*frame-ancestors\s+'none'\s*(?:;|$)", csp):
        problems.append(f"Content-Security-Policy lacks frame-ancestors 'none': {csp!r}")
    if (response.header("Referrer-Policy") or "").strip().lower() != "no-referrer":
        problems.append(f"Referrer-Policy {response.header('Referrer-Policy')!r}")
    if (response.header("X-Content-Type-Options") or "").strip().lower() != "nosniff":
        problems.append(f"X-Content-Type-Options {response.header('X-Content-Type-Options')!r}")
    return problems


def private_tree_problems(root):
    """Entries of a data directory that are not 0700 (directories) or 0600 (files)."""
    problems = []
    for rel, (is_dir, mode) in sorted(tree_modes(root).items()):
        want = 0o700 if is_dir else 0o600
        if mode != want:
            problems.append(f"{rel}: {mode:04o}, want {want:04o}")
    return problems


# --------------------------------------------------------------------------------------------
# Checking responses against docs/api/openapi.yaml


class Spec:
    """The OpenAPI document, and a small validator for the subset of JSON Schema it uses
    (type, required, properties, additionalProperties: false, items, enum, nullable, $ref)."""

    _loaded = None

    def __init__(self):
        import yaml  # python3-yaml

        with open(OPENAPI, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)

    @classmethod
    def get(cls):
        if cls._loaded is None:
            cls._loaded = cls()
        return cls._loaded

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            target = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def response_schema(self, method, path, status):
        """The JSON schema of `status` for the operation, or None when the spec gives none."""
        operation = self.doc["paths"].get(path, {}).get(method.lower())
        if operation is None:
            return None
        response = operation.get("responses", {}).get(str(status))
        if response is None:
            return None
        content = self.resolve(response).get("content", {}).get("application/json")
        return None if content is None else content.get("schema")

    def documented_statuses(self, method, path):
        operation = self.doc["paths"].get(path, {}).get(method.lower(), {})
        return {int(s) for s in operation.get("responses", {}) if str(s).isdigit()}

    def problems(self, value, schema, where="$"):
        schema = self.resolve(schema)
        if value is None:
            return [] if schema.get("nullable") else [f"{where}: null is not allowed"]
        kind = schema.get("type")
        checks = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
                  "string": lambda v: isinstance(v, str),
                  "boolean": lambda v: isinstance(v, bool),
                  "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)}
        if kind in checks and not checks[kind](value):
            return [f"{where}: {value!r:.80} is not of type {kind}"]
        found = []
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{where}: {value!r} not in {schema['enum']}")
        if kind == "object" or "properties" in schema:
            properties = schema.get("properties", {})
            for name in schema.get("required", []):
                if name not in value:
                    found.append(f"{where}: missing required member '{name}'")
            for name, member in value.items():
                if name in properties:
                    found += self.problems(member, properties[name], f"{where}.{name}")
                elif schema.get("additionalProperties") is False:
                    found.append(f"{where}: unexpected member '{name}'")
        if kind == "array" and "items" in schema:
            for i, item in enumerate(value):
                found += self.problems(item, schema["items"], f"{where}[{i}]")
        return found

    def response_problems(self, method, path, response):
        """Disagreements between a response and the spec for the operation (method, spec path)."""
        documented = self.documented_statuses(method, path)
        found = []
        # Error statuses such as 401, 403 (CSRF), 429 or 503 apply to every operation by the
        # spec's description; a success status must be the documented one.
        if response.status < 300 and response.status not in documented:
            found.append(f"status {response.status} is not documented "
                         f"(documented: {sorted(documented)})")
        schema = self.response_schema(method, path, response.status)
        if schema is None:
            if response.status >= 400:
                schema = {"$ref": "#/components/schemas/Error"}
            elif response.body:
                if response.status == 204:
                    found.append("204 with a body")
                return found
            else:
                return found
        try:
            value = response.json()
        except ValueError:
            return found + ["body is not JSON"]
        return found + self.problems(value, schema)
