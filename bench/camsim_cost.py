#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What serving costs camsim: CPU-seconds per stream-minute and memory, at N cameras.

For each N it starts `camsim --cameras N` (one loopback address per camera) and pulls every
camera's main stream (1920x1080 25 fps ~3 Mbit/s H.264, or H.265 with --codec h265) with a light
client written here: a few processes, each running a selectors loop over its share of the
cameras that does OPTIONS, DESCRIBE (Digest), SETUP and PLAY and then reads and discards what
arrives (TCP interleaved, or UDP datagrams with --transport udp). Only camsim's own CPU is
counted: utime+stime from /proc/PID/stat over a steady window after a warm-up. The clients' CPU
and the bitrate they received (a check that camsim kept up with real time) are printed apart.

With --gst-server BIN --gst-clip CLIP it measures a GStreamer RTSP server simulator the same way,
with the same clients, for comparison: `BIN CLIP N PORT FPS` must serve
rtsp://127.0.0.1:PORT/cam1 .. camN without authentication and print "cameras at" when ready.

Usage: camsim_cost.py --camsim BIN --clips DIR [--counts 16,64,256] [--seconds 30]
                      [--warmup 5] [--transport tcp|udp] [--codec h264|h265] [--clients 4]
                      [--gst-server BIN --gst-clip FILE [--gst-fps 20]] [--markdown FILE]
Loopback only; stops only the processes it started.
"""
import argparse
import hashlib
import json
import multiprocessing
import os
import random
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")
KEEPALIVE_SECONDS = 20  # well inside camsim's 60 s session timeout
READ_CHUNK = 256 * 1024


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError):
        return 0.0


def memory_kb(pid, field):
    """A numeric field of /proc/PID/status (kB for the memory ones)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def wakeups(pid):
    """Voluntary context switches of every thread of the process: how often it went to sleep."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for task in tasks:
        total += memory_kb(f"{pid}/task/{task}", "voluntary_ctxt_switches")
    return total


def machine_busy_jiffies():
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# ---------------------------------------------------------------------------------------------
# The light client: one Puller per stream, many per process.

class Puller:
    """One RTSP session driven by readiness events: OPTIONS, DESCRIBE, SETUP, PLAY, then discard."""

    def __init__(self, url, user, password, transport):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port or 554
        self.url = urllib.parse.urlunsplit((parts.scheme, f"{self.host}:{self.port}", parts.path,
                                            "", ""))
        self.user, self.password, self.transport = user, password, transport
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.connect_ex((self.host, self.port))
        self.out = b""
        self.inbuf = b""
        self.cseq = 0
        self.challenge = None
        self.session = None
        self.setup_url = None
        self.step = "OPTIONS"
        self.playing = False
        self.failed = None
        self.bytes = 0
        self.clip_kbps = 0
        self.udp = []
        self.last_keepalive = time.monotonic()
        self.pending = None  # (method, url, headers) of the request in flight
        self.send("OPTIONS", self.url)

    def authorization(self, method, url):
        if self.challenge is None:
            return {}
        md5 = lambda text: hashlib.md5(text.encode()).hexdigest()
        ha1 = md5(f"{self.user}:{self.challenge['realm']}:{self.password}")
        response = md5(f"{ha1}:{self.challenge['nonce']}:{md5(method + ':' + url)}")
        return {"Authorization": f'Digest username="{self.user}", '
                                 f'realm="{self.challenge["realm"]}", '
                                 f'nonce="{self.challenge["nonce"]}", uri="{url}", '
                                 f'response="{response}"'}

    def send(self, method, url, headers=None):
        self.cseq += 1
        self.pending = (method, url, headers or {})
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self.cseq}", "User-Agent: camsim_cost"]
        if self.session:
            lines.append(f"Session: {self.session}")
        for name, value in {**self.authorization(method, url), **(headers or {})}.items():
            lines.append(f"{name}: {value}")
        self.out += ("\r\n".join(lines) + "\r\n\r\n").encode()

    def response(self):
        """(status, headers, body) once a whole response is buffered, else None."""
        end = self.inbuf.find(b"\r\n\r\n")
        if end < 0:
            return None
        lines = self.inbuf[:end].decode(errors="replace").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        length = int(headers.get("content-length", "0"))
        if len(self.inbuf) < end + 4 + length:
            return None
        body = self.inbuf[end + 4:end + 4 + length]
        self.inbuf = self.inbuf[end + 4 + length:]
        try:
            status = int(lines[0].split()[1])
        except (IndexError, ValueError):
            status = 0
        return status, headers, body

    def open_udp_pair(self):
        local = self.sock.getsockname()[0]
        for _ in range(50):
            rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtp.bind((local, 0))
            port = rtp.getsockname()[1]
            rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                rtcp.bind((local, port + 1))
            except OSError:
                rtp.close()
                rtcp.close()
                continue
            for s in (rtp, rtcp):
                s.setblocking(False)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2 * 1024 * 1024)
            self.udp = [rtp, rtcp]
            return port
        raise OSError("no free UDP port pair")

    def on_response(self, status, headers, body):
        method, url, request_headers = self.pending
        if status == 401 and self.challenge is None:
            self.challenge = dict(re.findall(r'(\w+)="([^"]*)"', headers.get("www-authenticate", "")))
            self.send(method, url, request_headers)
            return
        if status != 200:
            self.failed = f"{method} answered {status}"
            return
        if method == "OPTIONS":
            self.send("DESCRIBE", self.url, {"Accept": "application/sdp"})
        elif method == "DESCRIBE":
            sdp = body.decode(errors="replace")
            kbps = re.search(r"^b=AS:(\d+)", sdp, re.M)
            self.clip_kbps = int(kbps.group(1)) if kbps else 0
            base = headers.get("content-base", self.url)
            control = re.findall(r"^a=control:(\S+)", sdp, re.M)
            control = control[-1] if control else "*"
            if control.startswith("rtsp://"):
                self.setup_url = control
            elif control == "*":
                self.setup_url = base
            else:
                self.setup_url = base.rstrip("/") + "/" + control
            if self.transport == "udp":
                port = self.open_udp_pair()
                transport = f"RTP/AVP/UDP;unicast;client_port={port}-{port + 1}"
            else:
                transport = "RTP/AVP/TCP;unicast;interleaved=0-1"
            self.send("SETUP", self.setup_url, {"Transport": transport})
        elif method == "SETUP":
            self.session = headers.get("session", "").split(";")[0]
            self.send("PLAY", self.url, {"Range": "npt=0.000-"})
        elif method == "PLAY":
            self.playing = True
            self.bytes += len(self.inbuf)  # interleaved data right behind the reply
            self.inbuf = b""

    def on_readable(self, buffer):
        """Reads what the RTSP connection has; False when it closed."""
        try:
            n = self.sock.recv_into(buffer)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError as error:
            self.failed = str(error)
            return False
        if n == 0:
            self.failed = "connection closed"
            return False
        if self.playing:
            self.bytes += n  # discarded: TCP interleaved RTP, RTCP and keep-alive replies
            return True
        self.inbuf += bytes(buffer[:n])
        while not self.playing and not self.failed:
            reply = self.response()
            if reply is None:
                break
            self.on_response(*reply)
        return not self.failed

    def on_udp_readable(self, sock, buffer):
        while True:
            try:
                self.bytes += sock.recv_into(buffer)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return

    def flush(self):
        if not self.out:
            return
        try:
            n = self.sock.send(self.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self.failed = str(error)
            return
        self.out = self.out[n:]

    def keepalive(self, now):
        if self.playing and now - self.last_keepalive > KEEPALIVE_SECONDS:
            self.last_keepalive = now
            self.send("GET_PARAMETER", self.url)


def worker_main(streams, transport, counters, stop):
    """Runs in a child process: pulls `streams` until `stop` is set. counters: bytes, playing,
    failed, sum of clip kbit/s (published about twice a second)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    selector = selectors.DefaultSelector()
    pullers = []
    buffer = bytearray(READ_CHUNK)
    for url, user, password in streams:
        puller = Puller(url, user, password, transport)
        pullers.append(puller)
        selector.register(puller.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, puller)
    registered_udp = set()

    def drop(puller):
        for sock in [puller.sock, *puller.udp]:
            try:
                selector.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
        puller.udp = []

    next_publish = 0.0
    while not stop.value:
        for key, events in selector.select(timeout=0.5):
            puller = key.data
            if isinstance(puller, tuple):
                puller[0].on_udp_readable(puller[1], buffer)
                continue
            if not puller.failed and events & selectors.EVENT_READ:
                puller.on_readable(buffer)
            if not puller.failed:
                puller.flush()
            if puller.failed:
                drop(puller)
                continue
            wanted = selectors.EVENT_READ | (selectors.EVENT_WRITE if puller.out else 0)
            if key.events != wanted:
                selector.modify(puller.sock, wanted, puller)
            for sock in puller.udp:
                if sock.fileno() not in registered_udp:
                    registered_udp.add(sock.fileno())
                    selector.register(sock, selectors.EVENT_READ, (puller, sock))
        now = time.monotonic()
        for puller in pullers:
            if puller.failed or not puller.playing:
                continue
            puller.keepalive(now)
            if puller.out:
                puller.flush()
                if puller.failed:
                    drop(puller)
                elif puller.out:
                    selector.modify(puller.sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
                                    puller)
        if now >= next_publish:
            counters[0] = sum(p.bytes for p in pullers)
            counters[1] = sum(1 for p in pullers if p.playing and not p.failed)
            counters[2] = sum(1 for p in pullers if p.failed)
            counters[3] = sum(p.clip_kbps for p in pullers if p.playing)
            next_publish = now + 0.5
    failures = [p.failed for p in pullers if p.failed]
    if failures:
        print(f"client: {len(failures)} stream(s) failed, first: {failures[0]}", file=sys.stderr)


class Clients:
    """Worker processes pulling the given streams (url, user, password), spread round-robin."""

    def __init__(self, streams, transport, processes):
        context = multiprocessing.get_context("fork")
        self.stop = context.Value("b", 0, lock=False)
        self.workers = []
        processes = max(1, min(processes, len(streams)))
        for k in range(processes):
            counters = context.Array("q", 4, lock=False)
            share = streams[k::processes]
            process = context.Process(target=worker_main,
                                      args=(share, transport, counters, self.stop), daemon=True)
            process.start()
            self.workers.append((process, counters))

    def totals(self):
        return [sum(c[i] for _, c in self.workers) for i in range(4)]

    def cpu(self):
        return sum(cpu_seconds(p.pid) for p, _ in self.workers)

    def close(self):
        self.stop.value = 1
        for process, _ in self.workers:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()


# ---------------------------------------------------------------------------------------------
# The servers under test.

class CamsimServer:
    def __init__(self, args, n):
        self.name = f"camsim ({args.codec}, {args.transport})"
        self.bind = f"127.81.{random.randint(1, 200)}.1"
        self.password = "bench-" + os.urandom(6).hex()
        command = [args.camsim, "--cameras", str(n), "--bind", self.bind, "--rtsp-port", "0",
                   "--http-port", "0", "--password", self.password, "--clips", args.clips,
                   "--codec", args.codec]
        self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.cameras = []
        deadline = time.monotonic() + 60
        while len(self.cameras) < n:
            line = self.proc.stdout.readline()
            if not line or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"camsim did not start: {self.proc.stderr.read()[-2000:]}")
            record = json.loads(line)
            if "rtsp_main" in record:
                self.cameras.append(record)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()
        self.pid = self.proc.pid

    def streams(self):
        return [(c["rtsp_main"], c["username"], c["password"]) for c in self.cameras]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class GstServer:
    def __init__(self, args, n):
        self.name = f"GStreamer simulator (h264 {args.gst_fps} fps, {args.transport})"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = open(os.devnull, "w")
        self.proc = subprocess.Popen(
            [args.gst_server, args.gst_clip, str(n), str(self.port), str(args.gst_fps)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while True:
            line = self.proc.stdout.readline()
            if not line or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("the GStreamer server did not start")
            if "cameras at" in line:
                break
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self.n = n
        self.pid = self.proc.pid

    def streams(self):
        return [(f"rtsp://127.0.0.1:{self.port}/cam{k}", "", "") for k in range(1, self.n + 1)]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def measure(server, args, n):
    idle_kb = memory_kb(server.pid, "VmRSS")
    clients = Clients(server.streams(), args.transport, args.clients)
    try:
        deadline = time.monotonic() + 60 + n / 4
        while True:
            _, playing, failed, _ = clients.totals()
            if playing + failed >= n or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if playing < n:
            raise SystemExit(f"{server.name}: only {playing} of {n} streams play ({failed} failed)")
        time.sleep(args.warmup)
        busy0, total0 = machine_busy_jiffies()
        cpu0, client_cpu0 = cpu_seconds(server.pid), clients.cpu()
        switches0 = wakeups(server.pid)
        bytes0 = clients.totals()[0]
        start = time.monotonic()
        time.sleep(args.seconds)
        window = time.monotonic() - start
        cpu1, client_cpu1 = cpu_seconds(server.pid), clients.cpu()
        switches1 = wakeups(server.pid)
        bytes1, playing, failed, clip_kbps = clients.totals()
        busy1, total1 = machine_busy_jiffies()
        rss_kb = memory_kb(server.pid, "VmRSS")
        peak_kb = memory_kb(server.pid, "VmHWM")
    finally:
        clients.close()
    stream_minutes = n * window / 60
    received_mbps = (bytes1 - bytes0) * 8 / window / 1e6 / n
    return {
        "server": server.name, "N": n, "window_s": round(window, 1),
        "cpu_s": round(cpu1 - cpu0, 2),
        "cpu_s_per_stream_min": round((cpu1 - cpu0) / stream_minutes, 4),
        "cpu_pct_of_one_core": round(100 * (cpu1 - cpu0) / window, 1),
        "wakeups_per_s": round((switches1 - switches0) / window),
        "rss_mb": round(rss_kb / 1024, 1), "peak_rss_mb": round(peak_kb / 1024, 1),
        "idle_rss_mb": round(idle_kb / 1024, 1),
        "rss_growth_kb_per_stream": round((rss_kb - idle_kb) / n, 1),
        "received_mbit_s_per_stream": round(received_mbps, 3),
        "clip_mbit_s": round(clip_kbps / 1000 / max(playing, 1), 3) if clip_kbps else None,
        "streams_playing_at_end": playing, "streams_failed": failed,
        "client_cpu_s_per_stream_min": round((client_cpu1 - client_cpu0) / stream_minutes, 4),
        "machine_busy_pct": round(100 * (busy1 - busy0) / max(total1 - total0, 1), 1),
        "loadavg": open("/proc/loadavg").read().split()[0],
    }


def markdown(rows):
    lines = ["| server | N | CPU-s / stream-min | CPU % of one core | wake-ups / s | "
             "RSS MB idle → streaming | RSS growth KB / stream | received Mbit/s / stream | "
             "client CPU-s / stream-min | machine busy % |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['server']} | {r['N']} | {r['cpu_s_per_stream_min']:.4f} | "
                     f"{r['cpu_pct_of_one_core']} | {r['wakeups_per_s']} | "
                     f"{r['idle_rss_mb']} → {r['rss_mb']} | "
                     f"{r['rss_growth_kb_per_stream']} | {r['received_mbit_s_per_stream']} | "
                     f"{r['client_cpu_s_per_stream_min']:.4f} | {r['machine_busy_pct']} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--camsim", help="the camsim executable")
    parser.add_argument("--clips", help="camsim's clip directory")
    parser.add_argument("--counts", default="16,64,256")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--transport", choices=("tcp", "udp"), default="tcp")
    parser.add_argument("--codec", choices=("h264", "h265"), default="h264")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--gst-server", help="GStreamer simulator: BIN CLIP N PORT FPS")
    parser.add_argument("--gst-clip")
    parser.add_argument("--gst-fps", type=int, default=20)
    parser.add_argument("--markdown", help="append the table to this file")
    args = parser.parse_args()
    if not args.camsim and not args.gst_server:
        parser.error("give --camsim (and --clips), --gst-server (and --gst-clip), or both")
    counts = [int(x) for x in args.counts.split(",")]
    rows = []
    servers = []
    if args.camsim:
        servers.append(CamsimServer)
    if args.gst_server:
        servers.append(GstServer)
    for n in counts:
        for kind in servers:
            server = kind(args, n)
            try:
                row = measure(server, args, n)
            finally:
                server.stop()
            rows.append(row)
            print(json.dumps(row), flush=True)
            time.sleep(2)
    table = markdown(rows)
    print(table)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write(table)


if __name__ == "__main__":
    main()
