# SPDX-License-Identifier: Apache-2.0
"""Simulated cameras for the end-to-end tests: runs the real `camsim` and judges recordings.

Camsim starts N cameras on a loopback block of its own (127.78.X.1 …, X random per run so
parallel tests never share addresses) with RTSP, HTTP and control ports 0 (any free port), reads
the one JSON line each camera prints, keeps the injected events it prints later, and stops by
PID. ctl() sends a control command (the outsider's hand) through `camsim ctl`. probe_frames() asks ffprobe how many video frames a file holds and
whether it decoded without error. Python 3 standard library only; executables from CAMSIM_BIN
and the clips from CAMSIM_CLIPS (set by ctest).
"""

import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time


def camsim_available():
    return bool(os.environ.get("CAMSIM_BIN")) and shutil.which("ffprobe") is not None


class Camsim:
    def __init__(self, cameras=1, extra_args=()):
        self.count = cameras
        self.bind = f"127.78.{random.randint(1, 250)}.1"
        args = [os.environ["CAMSIM_BIN"], "--cameras", str(cameras), "--bind", self.bind,
                "--rtsp-port", "0", "--http-port", "0", "--control-port", "0"]
        clips = os.environ.get("CAMSIM_CLIPS")
        if clips:
            args += ["--clips", clips]
        self.proc = subprocess.Popen([*args, *extra_args], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.cameras = []
        self.events = []
        self.stderr = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        deadline = time.monotonic() + 30
        with self._cond:
            while len(self.cameras) < cameras:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    self.stop()
                    raise AssertionError(
                        f"camsim did not start {cameras} cameras: {''.join(self.stderr)[-2000:]}")
                self._cond.wait(min(left, 0.5))

    def ctl(self, *words):
        """Runs `camsim ctl` against this camsim; returns the camera state it answers (a dict)."""
        port = self.cameras[0]["control_port"]
        result = subprocess.run([os.environ["CAMSIM_BIN"], "ctl", "--port", str(port),
                                 *[str(w) for w in words]],
                                capture_output=True, text=True, timeout=10)
        if result.returncode != 0:
            raise AssertionError(f"camsim ctl {' '.join(map(str, words))}: {result.stderr}")
        return json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}

    def wait_event(self, predicate, timeout=10):
        """The first printed event (a dict) matching predicate, waiting up to timeout seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("camsim printed no matching event")
                self._cond.wait(min(left, 0.5))

    def _read_out(self):
        for line in self.proc.stdout:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            with self._cond:
                if isinstance(record, dict) and "rtsp_main" in record and \
                        len(self.cameras) < self.count:
                    self.cameras.append(record)
                else:
                    self.events.append(record)
                self._cond.notify_all()

    def _read_err(self):
        for line in self.proc.stderr:
            with self._cond:
                self.stderr.append(line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pipe in (self.proc.stdout, self.proc.stderr):
            try:
                pipe.close()
            except (OSError, ValueError):
                pass  # a reader thread may still hold it; closing is best effort

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def probe_frames(path, timeout=120):
    """(frames, errors, codec, width, height) of the first video stream, decoding every frame."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", path],
        capture_output=True, text=True, timeout=timeout)
    errors = result.stderr.strip()
    try:
        streams = json.loads(result.stdout or "{}").get("streams", [])
    except ValueError:
        streams = []
    if result.returncode != 0 or not streams:
        return 0, errors or f"ffprobe exit {result.returncode}", None, 0, 0
    stream = streams[0]
    return (int(stream.get("nb_read_frames", 0)), errors, stream.get("codec_name"),
            int(stream.get("width", 0)), int(stream.get("height", 0)))


def packet_times(path, timeout=120):
    """Presentation times (s) of every video packet, in file order."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time",
         "-of", "csv=p=0", path], capture_output=True, text=True, timeout=timeout)
    return [float(x) for x in result.stdout.split() if x and x != "N/A"]
