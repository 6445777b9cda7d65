# SPDX-License-Identifier: Apache-2.0
"""TLS of the hub, seen by the openssl command-line client and by Python: TLS 1.3 only, the
printed fingerprint is the served certificate's, the generated certificate names localhost, and
an owner-supplied certificate from the [tls] section is served instead."""

import os
import re
import shutil
import socket
import ssl
import subprocess
import unittest

from hub import API, Client, Hub, HubTestCase, fingerprint_of


def openssl(*args, input_text=None, timeout=30):
    return subprocess.run(["openssl", *args], input=input_text, capture_output=True, text=True,
                          timeout=timeout)


def s_client(port, *options):
    return openssl("s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
                   "-showcerts", *options, input_text="")


def served_certificate_pem(port):
    done = s_client(port, "-tls1_3")
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", done.stdout, re.S)
    if not m:
        raise AssertionError(f"no certificate from s_client:\n{done.stdout}\n{done.stderr}")
    return m.group(0) + "\n"


def openssl_fingerprint(pem):
    done = openssl("x509", "-noout", "-fingerprint", "-sha256", input_text=pem)
    m = re.search(r"=\s*([0-9A-F:]+)\s*$", done.stdout.strip())
    if done.returncode != 0 or not m:
        raise AssertionError(f"openssl x509 -fingerprint failed: {done.stdout} {done.stderr}")
    return m.group(1)


@unittest.skipIf(shutil.which("openssl") is None, "the openssl command-line tool is missing")
class Tls(HubTestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = cls.start_class_hub()

    def test_tls_1_2_is_refused(self):
        done = s_client(self.hub.port, "-tls1_2")
        self.assertNotEqual(done.returncode, 0, done.stdout)
        self.assertNotIn("BEGIN CERTIFICATE", done.stdout, "a TLS 1.2 handshake got a certificate")
        self.assertNotRegex(done.stdout, r"New, TLSv1\.2, Cipher is (?!\(NONE\))")
        context = Hub.tls_context(minimum=ssl.TLSVersion.TLSv1_2, maximum=ssl.TLSVersion.TLSv1_2)
        with socket.create_connection(("127.0.0.1", self.hub.port), timeout=10) as sock:
            with self.assertRaises(ssl.SSLError):
                context.wrap_socket(sock)
        self.assertTrue(self.hub.alive())

    def test_tls_1_3_is_accepted(self):
        done = s_client(self.hub.port, "-tls1_3")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout, r"New, TLSv1\.3, Cipher is TLS_")
        # A client offering 1.2 and 1.3 ends up with 1.3.
        context = Hub.tls_context(minimum=ssl.TLSVersion.TLSv1_2, maximum=ssl.TLSVersion.TLSv1_3)
        with socket.create_connection(("127.0.0.1", self.hub.port), timeout=10) as sock:
            with context.wrap_socket(sock) as tls:
                self.assertEqual(tls.version(), "TLSv1.3")

    def test_printed_fingerprint_is_the_served_certificate(self):
        pem = served_certificate_pem(self.hub.port)
        self.assertEqual(openssl_fingerprint(pem), self.hub.fingerprint)
        self.assertEqual(fingerprint_of(ssl.PEM_cert_to_DER_cert(pem)), self.hub.fingerprint)
        with open(self.hub.path("tls", "cert.pem"), encoding="ascii") as f:
            self.assertEqual(openssl_fingerprint(f.read()), self.hub.fingerprint)

    def test_generated_certificate_names_localhost_and_is_valid_now(self):
        pem = served_certificate_pem(self.hub.port)
        sans = openssl("x509", "-noout", "-ext", "subjectAltName", input_text=pem).stdout
        self.assertIn("DNS:localhost", sans)
        self.assertIn("IP Address:127.0.0.1", sans)
        self.assertEqual(openssl("x509", "-noout", "-checkend", "0", input_text=pem).returncode, 0,
                         "certificate expired or not yet valid")
        month = openssl("x509", "-noout", "-checkend", str(30 * 86400), input_text=pem)
        self.assertEqual(month.returncode, 0, "certificate expires within a month")

    def test_certificate_survives_a_restart(self):
        hub = self.new_hub()
        first = hub.fingerprint
        hub.restart()
        self.assertEqual(hub.fingerprint, first, "a restart generated a new certificate")
        Client(hub).get(API + "/me")


@unittest.skipIf(shutil.which("openssl") is None, "the openssl command-line tool is missing")
class OwnerCertificate(HubTestCase):
    def make_certificate(self, directory, name):
        cert = os.path.join(directory, f"{name}.crt")
        key = os.path.join(directory, f"{name}.key")
        done = openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                       "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={name}",
                       "-addext", f"subjectAltName=DNS:{name},IP:127.0.0.1")
        self.assertEqual(done.returncode, 0, done.stderr)
        os.chmod(key, 0o600)
        with open(cert, encoding="ascii") as f:
            return cert, key, f.read()

    def test_configured_certificate_is_served(self):
        hub = self.new_hub(start=False)
        cert, key, pem = self.make_certificate(hub.tmp, "cams.example.test")
        hub.config["tls"] = {"certificate": cert, "private_key": key}
        hub.start()
        expected = openssl_fingerprint(pem)
        self.assertEqual(hub.fingerprint, expected)
        served = served_certificate_pem(hub.port)
        self.assertEqual(openssl_fingerprint(served), expected)
        self.assertIn("DNS:cams.example.test",
                      openssl("x509", "-noout", "-ext", "subjectAltName", input_text=served).stdout)
        Client(hub).get(API + "/me")  # and the harness, which pins the printed fingerprint, agrees

    def test_certificate_and_key_that_do_not_match_are_refused(self):
        hub = self.new_hub(start=False)
        cert, _, _ = self.make_certificate(hub.tmp, "one.example.test")
        _, other_key, _ = self.make_certificate(hub.tmp, "two.example.test")
        hub.config["tls"] = {"certificate": cert, "private_key": other_key}
        hub.start(expect_ready=False)
        hub.proc.wait(30)
        rc = hub.stop()
        self.assertNotEqual(rc, 0, hub.output())
        self.assertFalse(any("listening on" in line for line in hub.lines()), hub.output())


if __name__ == "__main__":
    unittest.main()
