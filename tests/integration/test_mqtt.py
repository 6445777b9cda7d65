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

    def wait_for(self, predicate, timeout=20):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for message in self.messages:
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


if __name__ == "__main__":
    unittest.main()
