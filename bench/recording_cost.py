#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What recording costs: camguard against ffmpeg and GStreamer on the same simulated cameras.

For each N it starts `camsim --cameras N` (3 Mbit/s 1080p25 H.264 main streams, one loopback
address per camera), then records all N main streams for SECONDS with each recorder in turn:

  camguard   `camguard serve`, cameras added through the API (one process for all cameras)
  ffmpeg     one `ffmpeg -rtsp_transport tcp -i URL -c copy -f segment` process per camera
  gstreamer  one `gst-launch-1.0 rtspsrc ! rtph264depay ! h264parse ! splitmuxsink` per camera

and measures, over a steady window after a warm-up: CPU-seconds (utime+stime of every recorder
process, from /proc) per stream-minute, resident memory per stream (camguard: growth over its
idle size; the others: their whole RSS), frame coverage (frames in the files, counted by
ffprobe, over frames the cameras sent while recording) and files that ffprobe rejects.
camguard records plain files here so ffprobe can judge them (encryption is measured separately
with --encrypted).

Usage: recording_cost.py --camguard BIN --camsim BIN --clips DIR [--counts 1,16,64]
                         [--seconds 60] [--tools camguard,ffmpeg,gstreamer] [--encrypted]
                         [--markdown FILE]
Loopback only; stops only the processes it started.
"""
import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

FPS = 25
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError):
        return 0.0


def rss_bytes(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError):
        return 0


def count_frames(paths):
    from cameras import probe_frames
    frames = bad = 0
    for path in paths:
        n, errors, *_ = probe_frames(path)
        if n == 0 or errors:
            bad += 1
        frames += n
    return frames, bad


def stop(procs, sig=signal.SIGINT, timeout=30):
    for p in procs:
        if p.poll() is None:
            p.send_signal(sig)
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def url_with_credentials(cam):
    return cam["rtsp_main"].replace("rtsp://", f"rtsp://{cam['username']}:{cam['password']}@", 1)


def run_camguard(args, sim, work):
    from hub import API, Hub
    os.environ["CAMGUARD_BIN"] = args.camguard
    hub = Hub(config={"recording": {"encrypt": args.encrypted, "segment_length": "60s"}})
    hub.start()
    try:
        client = hub.login(*hub.setup_owner())
        time.sleep(1)
        idle_rss = rss_bytes(hub.proc.pid)
        ids = []
        for cam in sim.cameras:
            reply = client.post(API + "/cameras", {
                "name": f"cam {cam['camera']}", "main_url": cam["rtsp_main"],
                "username": cam["username"], "password": cam["password"]}, expect=201)
            ids.append(reply.json()["camera"]["id"])
        record_start = time.monotonic()
        time.sleep(args.warmup)
        cpu0, t0 = cpu_seconds(hub.proc.pid), time.monotonic()
        time.sleep(args.seconds)
        cpu1, t1 = cpu_seconds(hub.proc.pid), time.monotonic()
        rss = rss_bytes(hub.proc.pid)
        cameras = client.get(API + "/cameras").json()["cameras"]
        online = sum(1 for c in cameras if (c["status"] or {}).get("state") == "online")
        hub.stop()
        record_end = time.monotonic()
        files = glob.glob(os.path.join(hub.data_dir, "recordings", "*", "*"))
        result = dict(cpu=cpu1 - cpu0, window=t1 - t0, rss=max(0, rss - idle_rss),
                      recorded_for=record_end - record_start, files=files, online=online)
        if args.encrypted:
            result["frames"], result["bad"] = None, None
        else:
            result["frames"], result["bad"] = count_frames(files)
        return result
    finally:
        hub.close()


def run_per_camera(args, sim, work, make_command, ext):
    procs = []
    record_start = time.monotonic()
    for cam in sim.cameras:
        out = os.path.join(work, f"cam{cam['camera']}")
        os.makedirs(out, exist_ok=True)
        procs.append(subprocess.Popen(make_command(cam, out), stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.02)
    time.sleep(args.warmup)
    cpu0, t0 = sum(cpu_seconds(p.pid) for p in procs), time.monotonic()
    time.sleep(args.seconds)
    cpu1, t1 = sum(cpu_seconds(p.pid) for p in procs), time.monotonic()
    rss = sum(rss_bytes(p.pid) for p in procs)
    alive = sum(1 for p in procs if p.poll() is None)
    stop(procs)
    record_end = time.monotonic()
    files = glob.glob(os.path.join(work, "cam*", f"*.{ext}"))
    frames, bad = count_frames(files)
    return dict(cpu=cpu1 - cpu0, window=t1 - t0, rss=rss, recorded_for=record_end - record_start,
                files=files, frames=frames, bad=bad, online=alive)


def ffmpeg_command(cam, out):
    return ["ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp",
            "-i", url_with_credentials(cam), "-c", "copy", "-f", "segment", "-segment_time", "60",
            "-reset_timestamps", "1", os.path.join(out, "%03d.mp4")]


def gstreamer_command(cam, out):
    return ["gst-launch-1.0", "-q", "-e", "rtspsrc", f"location={cam['rtsp_main']}",
            f"user-id={cam['username']}", f"user-pw={cam['password']}", "protocols=tcp",
            "!", "rtph264depay", "!", "h264parse", "!", "splitmuxsink",
            f"location={os.path.join(out, '%03d.mp4')}", "max-size-time=60000000000"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--camguard", required=True)
    parser.add_argument("--camsim", required=True)
    parser.add_argument("--clips", required=True)
    parser.add_argument("--counts", default="1,16,64")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--tools", default="camguard,ffmpeg,gstreamer")
    parser.add_argument("--encrypted", action="store_true")
    parser.add_argument("--markdown", help="append the table to this file")
    args = parser.parse_args()
    os.environ["CAMSIM_BIN"] = args.camsim
    os.environ["CAMSIM_CLIPS"] = args.clips
    from cameras import Camsim

    rows = []
    header = ("| recorder | N | CPU-s / stream-min | RSS MB / stream | frame coverage | bad files "
              "| camsim CPU-s / stream-min |")
    print(header)
    print("|---|---|---|---|---|---|---|")
    for count in [int(c) for c in args.counts.split(",")]:
        for tool in args.tools.split(","):
            if tool != "camguard" and shutil.which({"ffmpeg": "ffmpeg",
                                                    "gstreamer": "gst-launch-1.0"}[tool]) is None:
                continue
            work = tempfile.mkdtemp(prefix=f"camguard-bench-{tool}-{count}-")
            sim = Camsim(cameras=count)
            try:
                sim_cpu0 = cpu_seconds(sim.proc.pid)
                if tool == "camguard":
                    result = run_camguard(args, sim, work)
                elif tool == "ffmpeg":
                    result = run_per_camera(args, sim, work, ffmpeg_command, "mp4")
                else:
                    result = run_per_camera(args, sim, work, gstreamer_command, "mp4")
                sim_cpu = cpu_seconds(sim.proc.pid) - sim_cpu0
            finally:
                sim.stop()
                shutil.rmtree(work, ignore_errors=True)
            minutes = result["window"] / 60
            per_stream_min = result["cpu"] / count / minutes
            rss_mb = result["rss"] / count / 1e6
            if result["frames"] is None:
                coverage = "n/a (encrypted)"
                bad = "n/a"
            else:
                expected = FPS * result["recorded_for"] * count
                coverage = f"{100 * result['frames'] / expected:.2f} %"
                bad = str(result["bad"])
            name = tool + (" (encrypted)" if tool == "camguard" and args.encrypted else "")
            row = (f"| {name} | {count} | {per_stream_min:.4f} | {rss_mb:.2f} | {coverage} | {bad} "
                   f"| {sim_cpu / count / (result['recorded_for'] / 60):.4f} |")
            print(row, flush=True)
            rows.append(row)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n".join([header, "|---|---|---|---|---|---|---|", *rows]) + "\n")


if __name__ == "__main__":
    main()
