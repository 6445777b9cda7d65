# SPDX-License-Identifier: Apache-2.0
"""No secret ever reaches the hub's log: passwords, session and CSRF tokens, TOTP secrets and
codes, recovery codes and camera credentials are absent from everything the daemon writes to
stderr, even at log level trace and when requests fail."""

import unittest

from hub import API, Client, HubTestCase, strong_password, totp, totp_step


class LogSecrets(HubTestCase):
    def test_secrets_never_appear_in_the_log(self):
        hub = self.new_hub(config={"log": {"level": "trace"}, "security": {"login_free_failures": 1000}})
        owner_name, owner_password = hub.setup_owner()
        owner = hub.login(owner_name, owner_password)
        secrets = {owner_password, owner.csrf, hub.token}
        secrets.update(v for v in owner.cookies.values() if v)

        start = owner.post(API + "/me/totp", {"password": owner_password}, expect=200).json()
        secrets.add(start["secret"])
        code = totp(start["secret"], totp_step())
        secrets.add(code)
        codes = owner.post(API + "/me/totp/confirm", {"code": code}, expect=200).json()["recovery_codes"]
        secrets.update(codes)

        camera_password = "cam-" + strong_password()
        secrets.add(camera_password)
        owner.post(API + "/cameras", {"name": "Porch", "main_url": "rtsp://127.77.0.1:8554/main",
                                      "username": "admin", "password": camera_password}, expect=201)

        new_password = strong_password()
        secrets.add(new_password)
        owner.post(API + "/me/password", {"current_password": owner_password, "new_password": new_password},
                   expect=204)
        # Failures log too: a wrong password, a wrong recovery code, a malformed body.
        wrong = "wrong-" + strong_password()
        secrets.add(wrong)
        Client(hub).post(API + "/login", {"username": owner_name, "password": wrong})
        Client(hub).post(API + "/login", {"username": owner_name, "password": new_password,
                                          "recovery_code": "zzzzz-zzzzz"})
        Client(hub).request("POST", API + "/login", raw=b'{"username": "x", "password": "' +
                            wrong.encode() + b'"', headers={"Content-Type": "application/json"})
        hub.stop()

        log = "\n".join(hub.lines(stream="err"))
        self.assertTrue(log, "the hub wrote no log at all")
        for secret in secrets:
            self.assertNotIn(secret, log, "a secret appeared in the log")


if __name__ == "__main__":
    unittest.main()
