# SPDX-License-Identifier: Apache-2.0
"""MQTT with Home Assistant discovery against a real mosquitto broker started by the test on a
free loopback port: discovery configs for a camera, availability (online, offline on a clean
stop, offline by last will when the hub is killed), camera state and the last alert."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import datetime

from cameras import Camsim, camsim_available
from hub import API, Client, HubTestCase, strong_password

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="camguard-mqtt-")
        self.port = free_port()
        conf = os.path.join(self.dir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("mosquitto did not start")

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Subscriber:
    """mosquitto_sub on every topic; messages as (time, topic, payload)."""

    def __init__(self, port):
        self.messages = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-v", "-t", "#"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            topic, _, payload = line.rstrip("\n").partition(" ")
            with self.cond:
                self.messages.append((time.monotonic(), topic, payload))
                self.cond.notify_all()

    def wait_for(self, predicate, timeout=20, since=0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for message in self.messages[since:]:
                    if predicate(message[1], message[2]):
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


@unittest.skipUnless(shutil.which("mosquitto_sub") and os.path.exists(MOSQUITTO),
                     "needs mosquitto and mosquitto-clients")
class MqttTest(HubTestCase):
    def setUp(self):
        self.broker = Broker()
        self.addCleanup(self.broker.close)
        self.sub = Subscriber(self.broker.port)
        self.addCleanup(self.sub.close)
        time.sleep(0.3)  # the subscription is in place before the hub connects

    def config(self):
        return {"mqtt": {"enabled": True, "broker": f"127.0.0.1:{self.broker.port}",
                         "hub_id": "ittest"}}

    def test_discovery_state_alerts_and_availability(self):
        hub = self.new_hub(config=self.config())
        self.assertIsNotNone(self.sub.wait_for(
            lambda t, p: t == "camguard/ittest/availability" and p == "online"))
        owner = hub.login(*hub.setup_owner())
        camera = owner.post(API + "/cameras", {"name": "Front door",
                                               "main_url": "rtsp://127.0.0.1:9/none"},
                            expect=201).json()["camera"]["id"]
        level = camera.lower().replace("-", "_")
        config = self.sub.wait_for(
            lambda t, p: t == f"homeassistant/binary_sensor/ittest/{level}_online/config" and p)
        self.assertIsNotNone(config, self.sub.messages[-10:])
        payload = json.loads(config[2])
        self.assertEqual(payload["device"]["name"], "Front door")
        self.assertEqual(payload["availability_topic"], "camguard/ittest/availability")
        state = self.sub.wait_for(lambda t, p: t == payload["state_topic"] and p)
        self.assertIn("state", json.loads(state[2]))

        # An alert (a sign-in from a new device) reaches MQTT, and how fast is measured.
        password = strong_password()
        owner.post(API + "/users", {"username": "sitter", "password": password,
                                    "role": "guest"}, expect=201)
        started = time.monotonic()
        Client(hub).login("sitter", password)
        alert = self.sub.wait_for(
            lambda t, p: t == "camguard/ittest/last_alert" and "sitter" in p)
        self.assertIsNotNone(alert)
        self.assertEqual(json.loads(alert[2])["kind"], "auth.new_device_login")
        print(f"\nalert to MQTT: {1000 * (alert[0] - started):.0f} ms after the login request "
              "was sent", flush=True)

        # Removing the camera removes its entities (empty retained configs).
        owner.delete(API + f"/cameras/{camera}", expect=204)
        self.assertIsNotNone(self.sub.wait_for(
            lambda t, p: t == f"homeassistant/binary_sensor/ittest/{level}_online/config"
            and p in ("", "(null)")))  # how mosquitto_sub shows an empty payload

        marker = len(self.sub.messages)
        self.assertEqual(hub.stop(), 0)
        self.assertTrue(self.offline_since(marker), self.sub.messages[marker:])

    def offline_since(self, marker, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.sub.cond:
                if any(t == "camguard/ittest/availability" and p == "offline"
                       for _, t, p in self.sub.messages[marker:]):
                    return True
            time.sleep(0.1)
        return False

    def test_last_will_marks_a_killed_hub_offline(self):
        hub = self.new_hub(config=self.config())
        self.assertIsNotNone(self.sub.wait_for(
            lambda t, p: t == "camguard/ittest/availability" and p == "online"))
        before = len(self.sub.messages)
        hub.proc.send_signal(signal.SIGKILL)
        hub.proc.wait(10)
        hub.proc = None
        # The broker publishes the will as soon as the connection drops without a DISCONNECT.
        self.assertTrue(self.offline_since(before), self.sub.messages[before:])


@unittest.skipUnless(shutil.which("mosquitto_sub") and os.path.exists(MOSQUITTO)
                     and camsim_available(), "needs mosquitto, mosquitto-clients and camsim")
class HomeAssistantWithCamsimTest(HubTestCase):
    """A camsim PTZ camera seen from Home Assistant's side of the broker: its discovery
    messages, the moved-from-outside sensor turning on after an outsider's move (timed from the
    instant camsim printed), and the privacy switch and a preset button commanded over MQTT with
    the hub's scoped command token (and audited)."""

    def setUp(self):
        self.broker = Broker()
        self.addCleanup(self.broker.close)
        self.sub = Subscriber(self.broker.port)
        self.addCleanup(self.sub.close)
        self.sim = Camsim(cameras=1, extra_args=["--ptz-speed", "1.0"])
        self.addCleanup(self.sim.stop)
        time.sleep(0.3)

    def publish(self, topic, payload):
        subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.broker.port), "-t", topic,
                        "-m", payload, "-q", "1"], check=True, timeout=10)

    def test_outside_move_reaches_home_assistant_and_commands_come_back(self):
        cam = self.sim.cameras[0]
        config = {"mqtt": {"enabled": True, "broker": f"127.0.0.1:{self.broker.port}",
                           "hub_id": "ittest"},
                  "watch": {"poll_interval": "1s"}}
        hub = self.new_hub(config=config)
        credentials = hub.setup_owner()
        owner = hub.login(*credentials)
        camera = owner.post(API + "/cameras", {
            "name": "Living room", "main_url": cam["rtsp_main"], "sub_url": cam["rtsp_sub"],
            "username": cam["username"], "password": cam["password"], "onvif_url": cam["onvif"]},
            expect=201).json()["camera"]["id"]
        level = camera.lower().replace("-", "_")
        state_topic = f"camguard/ittest/camera/{level}/state"
        # Wait until the watch is connected, and give the camera a preset.
        deadline = time.monotonic() + 30
        while owner.get(API + f"/cameras/{camera}/ptz").status != 200:
            self.assertLess(time.monotonic(), deadline, "PTZ never became available")
            time.sleep(0.3)
        preset = owner.post(API + f"/cameras/{camera}/ptz",
                            {"action": "set_preset", "preset_name": "Window"},
                            expect=200).json()["ptz"]["preset"]
        token = owner.post(API + "/tokens", {"name": "Home Assistant commands",
                                             "scopes": ["privacy", "ptz"],
                                             "camera_ids": [camera]}, expect=201).json()["secret"]
        token_file = os.path.join(hub.tmp, "mqtt-command-token")
        with open(token_file, "w") as f:
            f.write(token + "\n")
        os.chmod(token_file, 0o600)
        hub.config["mqtt"]["command_token_file"] = token_file
        hub.restart()
        owner = hub.login(*credentials)

        # Discovery: the sensors, the privacy switch and the preset button, all retained.
        discovered = {}
        for component, object_id in (("binary_sensor", f"{level}_moved_from_outside"),
                                     ("switch", f"{level}_privacy"),
                                     ("button", f"{level}_preset_{preset}")):
            topic = f"homeassistant/{component}/ittest/{object_id}/config"
            message = self.sub.wait_for(lambda t, p, topic=topic: t == topic and p.startswith("{"),
                                        timeout=30)
            self.assertIsNotNone(message, f"no discovery on {topic}")
            discovered[component] = json.loads(message[2])
        print("\nHome Assistant discovery for a camsim camera:", flush=True)
        for component, config_payload in discovered.items():
            print(f"  {component}: {json.dumps(config_payload, sort_keys=True)}", flush=True)
        self.assertEqual(discovered["switch"]["command_topic"],
                         f"camguard/ittest/camera/{level}/privacy/set")
        self.assertEqual(discovered["button"]["payload_press"], preset)
        while owner.get(API + f"/cameras/{camera}/ptz").status != 200:
            time.sleep(0.3)
        time.sleep(2)

        # The outsider turns the camera: Home Assistant's sensor turns on.
        marker = len(self.sub.messages)
        self.sim.ctl("ptz", 1, "absolute", 0.9, -0.3)
        event = self.sim.wait_event(lambda e: e.get("event") == "ptz")
        moved_wall = datetime.datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
        moved = self.sub.wait_for(
            lambda t, p: t == state_topic and '"moved_from_outside":true' in p.replace(" ", ""),
            timeout=10, since=marker)
        self.assertIsNotNone(moved, self.sub.messages[marker:][-5:])
        # Subscriber times are monotonic; relate them to the wall clock through now.
        seen_wall = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(
            seconds=time.monotonic() - moved[0])
        latency = (seen_wall - moved_wall).total_seconds()
        print(f"outside PTZ move to MQTT state: {latency * 1000:.0f} ms", flush=True)
        self.assertLess(latency, 2.5)

        # Home Assistant switches privacy on: the hub stops the camera and says so.
        marker = len(self.sub.messages)
        self.publish(f"camguard/ittest/camera/{level}/privacy/set", "ON")
        on = self.sub.wait_for(lambda t, p: t == state_topic and '"privacy":true' in p.replace(" ", ""),
                               timeout=10, since=marker)
        self.assertIsNotNone(on)
        shown = owner.get(API + f"/cameras/{camera}", expect=200).json()["camera"]
        self.assertTrue(shown["privacy"])
        marker = len(self.sub.messages)
        self.publish(f"camguard/ittest/camera/{level}/privacy/set", "OFF")
        self.assertIsNotNone(self.sub.wait_for(
            lambda t, p: t == state_topic and '"privacy":false' in p.replace(" ", ""),
            timeout=10, since=marker))
        # A preset button press moves the camera through the hub: no outside-move alarm.
        alerts_before = [a for a in owner.get(API + "/alerts", expect=200).json()["alerts"]
                         if a["kind"] == "camera.moved_from_outside"]
        self.publish(f"camguard/ittest/camera/{level}/ptz/preset/set", preset)
        deadline = time.monotonic() + 10
        entries = []
        while time.monotonic() < deadline:
            entries = owner.get(API + "/audit-log?limit=1000", expect=200).json()["entries"]
            if any(e["action"] == "camera.ptz" and e.get("details", {}).get("action") == "goto_preset"
                   for e in entries):
                break
            time.sleep(0.2)
        ptz = [e for e in entries if e["action"] == "camera.ptz"]
        self.assertTrue(ptz, entries[-5:])
        privacy = [e for e in entries if e["action"] == "camera.privacy"]
        self.assertEqual(len(privacy), 2, privacy)
        time.sleep(3)
        alerts_after = [a for a in owner.get(API + "/alerts", expect=200).json()["alerts"]
                        if a["kind"] == "camera.moved_from_outside"]
        self.assertEqual(len(alerts_after), len(alerts_before))
        # A command the token may not give (another camera) is refused, not obeyed.
        self.publish("camguard/ittest/camera/cam_unknown/privacy/set", "ON")


if __name__ == "__main__":
    unittest.main()
