#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Measures login latency of a real camguard hub with production Argon2id parameters.

Starts `camguard serve` on 127.0.0.1 with an empty data directory and the default configuration
(Argon2id 64 MiB, t=2), creates the owner with the printed setup token, then times N sequential
logins (TLS 1.3, keep-alive) and N requests to GET /api/v1/me, and prints the distribution.
For comparison it also times `argon2` (Debian's reference CLI) with the same parameters.

Usage: login_latency.py CAMGUARD_BINARY [N]
"""
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def describe(name, samples):
    ms = [s * 1000 for s in samples]
    print(f"{name:<34} n={len(ms):<4} median={statistics.median(ms):7.1f} ms  "
          f"p95={percentile(ms, 95):7.1f} ms  min={min(ms):7.1f} ms  max={max(ms):7.1f} ms")


def main():
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    data_dir = tempfile.mkdtemp(prefix="camguard-bench-")
    proc = subprocess.Popen([binary, "serve", "--data-dir", data_dir, "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = token = None
        deadline = time.time() + 30
        while (port is None or token is None) and time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if m := re.search(r"listening on https://127\.0\.0\.1:(\d+)/", line):
                port = int(m.group(1))
            if m := re.search(r"setup token (\S+)", line):
                token = m.group(1)
        if port is None or token is None:
            raise SystemExit("the hub did not start")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
        headers = {"Content-Type": "application/json"}
        password = "correct horse battery staple"
        conn.request("POST", "/api/v1/setup", json.dumps({"token": token, "username": "owner", "password": password}),
                     headers)
        assert conn.getresponse().read() and True
        logins, cookie = [], None
        for _ in range(count):
            start = time.perf_counter()
            conn.request("POST", "/api/v1/login", json.dumps({"username": "owner", "password": password}), headers)
            response = conn.getresponse()
            response.read()
            logins.append(time.perf_counter() - start)
            assert response.status == 200, response.status
            cookie = "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie"))
        failures = []
        for _ in range(count):
            start = time.perf_counter()
            conn.request("POST", "/api/v1/login", json.dumps({"username": "nobody", "password": password}), headers)
            response = conn.getresponse()
            response.read()
            failures.append(time.perf_counter() - start)
        me = []
        for _ in range(count * 10):
            start = time.perf_counter()
            conn.request("GET", "/api/v1/me", headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            me.append(time.perf_counter() - start)
            assert response.status == 200
        print(f"camguard login latency, Argon2id m=65536 KiB t=2 p=1, {os.cpu_count()} cores, TLS 1.3 keep-alive")
        describe("POST /api/v1/login (success)", logins)
        describe("POST /api/v1/login (unknown user)", failures[:5])  # throttling delays the rest
        describe("GET /api/v1/me", me)
        if shutil.which("argon2"):
            cli = []
            for _ in range(min(count, 10)):
                start = time.perf_counter()
                subprocess.run(["argon2", "somesaltsomesalt", "-id", "-t", "2", "-m", "16", "-p", "1"],
                               input=password.encode(), stdout=subprocess.DEVNULL, check=True)
                cli.append(time.perf_counter() - start)
            describe("argon2 CLI (reference, same cost)", cli)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
