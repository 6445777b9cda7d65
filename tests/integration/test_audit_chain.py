# SPDX-License-Identifier: Apache-2.0
"""The tamper-evident audit log on disk: `camguard audit-log verify` passes an untouched chain
and names the first bad entry after someone edits, deletes or truncates rows with the sqlite3
shell; the append-only triggers refuse UPDATE and DELETE in the first place."""

import os
import shutil
import unittest

from hub import API, Client, HubTestCase, Spec, sqlite, strong_password, totp, totp_step


@unittest.skipIf(shutil.which("sqlite3") is None, "the sqlite3 command-line shell is missing")
class AuditChain(HubTestCase):
    @classmethod
    def setUpClass(cls):
        hub = cls.start_class_hub()
        cls.hub = hub
        name, password = hub.setup_owner("owner")
        owner = hub.login(name, password)
        member = owner.post(API + "/users", {"username": "member1", "password": strong_password(),
                                             "role": "member"}, expect=201).json()["user"]
        camera = owner.post(API + "/cameras", {"name": "Garden",
                                               "main_url": "rtsp://127.0.0.1:8554/g",
                                               "username": "admin", "password": "cam-pass"},
                            expect=201).json()["camera"]
        owner.put(API + f"/users/{member['id']}/rights",
                  {"rights": [{"camera_id": camera["id"], "rights": ["view"]}]}, expect=200)
        Client(hub).post(API + "/login", {"username": name, "password": "wrong-password-1"})
        Client(hub).post(API + "/login", {"username": "nobody", "password": "wrong-password-2"})
        owner.patch(API + f"/users/{member['id']}", {"disabled": True}, expect=200)
        cls.logged = owner.get(API + "/audit-log?limit=1000", expect=200).json()["entries"]
        cls.verify_while_running = cls.verify(hub.data_dir)
        owner.post(API + "/logout", expect=204)
        cls.stop_code = hub.stop()
        cls.verify_after_stop = cls.verify(hub.data_dir)
        cls.count = int(sqlite(os.path.join(hub.data_dir, "camguard.db"),
                               "SELECT count(*) FROM audit_log").stdout)

    @classmethod
    def verify(cls, data_dir):
        return cls.hub.cli("audit-log", "verify", "--data-dir", data_dir)

    def copy(self):
        """A copy of the stopped hub's data directory to tamper with."""
        name = f"copy-{self.id().rsplit('.', 1)[-1]}-{len(os.listdir(self.hub.tmp))}"
        target = os.path.join(self.hub.tmp, name)
        shutil.copytree(self.hub.data_dir, target)
        return target

    def db(self, data_dir):
        return os.path.join(data_dir, "camguard.db")

    def assertTampered(self, data_dir, seq):
        done = self.verify(data_dir)
        output = done.stdout + done.stderr
        self.assertNotEqual(done.returncode, 0, f"verify passed a tampered log: {output}")
        self.assertRegex(output, rf"\bentr(y|ies) {seq}\b",
                         f"verify does not name entry {seq}: {output}")

    def test_untouched_chain_verifies(self):
        self.assertGreaterEqual(len(self.logged), 8, self.logged)
        actions = {e["action"] for e in self.logged}
        for action in ("auth.setup", "auth.login", "user.create", "camera.create", "user.rights",
                       "user.update"):
            self.assertIn(action, actions)
        self.assertEqual(self.verify_while_running.returncode, 0,
                         self.verify_while_running.stdout + self.verify_while_running.stderr)
        self.assertEqual(self.stop_code, 0)
        self.assertEqual(self.verify_after_stop.returncode, 0,
                         self.verify_after_stop.stdout + self.verify_after_stop.stderr)
        self.assertGreater(self.count, len(self.logged), "logout and stop were not logged")

    def test_triggers_refuse_update_and_delete(self):
        data_dir = self.copy()
        rows = "SELECT seq, action, hash FROM audit_log ORDER BY seq"
        before = sqlite(self.db(data_dir), rows).stdout
        for statement in ("UPDATE audit_log SET action = 'nothing' WHERE seq = 2",
                          "UPDATE audit_log SET outcome = 'success'",
                          "DELETE FROM audit_log WHERE seq = 2",
                          f"DELETE FROM audit_log WHERE seq = {self.count}",
                          "DELETE FROM audit_log"):
            with self.subTest(statement):
                done = sqlite(self.db(data_dir), statement, check=False)
                self.assertNotEqual(done.returncode, 0, f"sqlite3 accepted {statement!r}")
                self.assertIn("append-only", done.stderr)
        after = sqlite(self.db(data_dir), rows).stdout
        self.assertEqual(after, before)
        self.assertEqual(self.verify(data_dir).returncode, 0)

    def test_an_edited_entry_is_named(self):
        middle = self.count // 2
        for column, value in (("action", "'auth.nothing'"), ("address", "'10.0.0.66'"),
                              ("outcome", "'success'"), ("username", "'someone'"),
                              ("time_ms", "time_ms + 1"), ("details", "'{}'"), ("target", "'x'")):
            with self.subTest(column=column):
                data_dir = self.copy()
                select = f"SELECT {column} FROM audit_log WHERE seq = {middle}"
                row = sqlite(self.db(data_dir), select).stdout
                sqlite(self.db(data_dir), "DROP TRIGGER audit_log_no_update; "
                       f"UPDATE audit_log SET {column} = {value} WHERE seq = {middle}")
                changed = sqlite(self.db(data_dir), select).stdout
                if changed == row:
                    continue  # the value was already that; nothing to detect
                self.assertTampered(data_dir, middle)

    def test_a_deleted_middle_entry_is_named(self):
        data_dir = self.copy()
        middle = self.count // 2
        sqlite(self.db(data_dir),
               f"DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = {middle}")
        self.assertTampered(data_dir, middle)

    def test_deleted_middle_entry_with_renumbering_is_detected(self):
        data_dir = self.copy()
        middle = self.count // 2
        sqlite(self.db(data_dir),
               "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_update; "
               f"DELETE FROM audit_log WHERE seq = {middle}; "
               f"UPDATE audit_log SET seq = seq - 1 WHERE seq > {middle}")
        self.assertTampered(data_dir, middle)

    def test_a_deleted_newest_entry_is_named(self):
        data_dir = self.copy()
        sqlite(self.db(data_dir),
               f"DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = {self.count}")
        self.assertTampered(data_dir, self.count)
        # Nor does the daemon carry on appending to a cut log.
        hub = self.new_hub(data_dir=data_dir, start=False)
        hub.start(expect_ready=False)
        hub.proc.wait(30)
        self.assertNotEqual(hub.stop(), 0, "the daemon started on a truncated audit log")
        self.assertTampered(data_dir, self.count)

    def test_deleting_newest_entries_and_the_anchor_is_detected(self):
        data_dir = self.copy()
        sqlite(self.db(data_dir), "DROP TRIGGER audit_log_no_delete; "
               f"DELETE FROM audit_log WHERE seq >= {self.count - 2}")
        os.remove(os.path.join(data_dir, "audit.head"))
        done = self.verify(data_dir)
        self.assertNotEqual(done.returncode, 0, done.stdout + done.stderr)

    def test_a_forged_appended_entry_is_detected(self):
        data_dir = self.copy()
        sqlite(self.db(data_dir),
               "INSERT INTO audit_log (seq, time_ms, user_id, username, session_id, device,"
               " address, action, target, outcome, details, prev_hash, hash)"
               " SELECT seq + 1, time_ms + 1, user_id, username, session_id, device, address,"
               " 'auth.logout', target, 'success', '{}', hash, hash"
               f" FROM audit_log WHERE seq = {self.count}")
        self.assertTampered(data_dir, self.count + 1)


class AuditTrail(HubTestCase):
    """Every state change named in the contract leaves an attributed success entry."""

    def test_every_action_is_attributed(self):
        hub = self.new_hub()
        name, password = hub.setup_owner("owner")
        browser = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
        owner = hub.login(name, password, user_agent=browser)
        session_id = owner.get(API + "/me", expect=200).json()["session"]["id"]
        new_password = strong_password()
        owner.post(API + "/me/password",
                   {"current_password": password, "new_password": new_password}, expect=204)
        secret = owner.post(API + "/me/totp", {"password": new_password},
                            expect=200).json()["secret"]
        step = totp_step()
        owner.post(API + "/me/totp/confirm", {"code": totp(secret, step)}, expect=200)
        codes = owner.post(API + "/me/recovery-codes", {"password": new_password},
                           expect=200).json()["recovery_codes"]
        owner.post(API + "/me/totp/disable", {"password": new_password, "recovery_code": codes[0]},
                   expect=204)
        user = owner.post(API + "/users", {"username": "guest1", "password": strong_password(),
                                           "role": "guest"}, expect=201).json()["user"]
        camera = owner.post(API + "/cameras",
                            {"name": "Door", "main_url": "rtsp://127.0.0.1:8554/d"},
                            expect=201).json()["camera"]
        owner.put(API + f"/users/{user['id']}/rights",
                  {"rights": [{"camera_id": camera["id"], "rights": ["view"]}]}, expect=200)
        owner.patch(API + f"/users/{user['id']}", {"disabled": True}, expect=200)
        owner.delete(API + f"/users/{user['id']}", expect=204)
        owner.delete(API + f"/cameras/{camera['id']}", expect=204)
        other = hub.login(name, new_password)
        other_id = other.get(API + "/me", expect=200).json()["session"]["id"]
        owner.delete(API + f"/sessions/{other_id}", expect=204)
        entries = owner.get(API + "/audit-log?outcome=success&limit=1000",
                            expect=200).json()["entries"]
        owner.post(API + "/logout", expect=204)
        auditor = hub.login(name, new_password)
        entries += auditor.get(API + "/audit-log?action=auth.logout", expect=200).json()["entries"]

        by_action = {}
        for entry in entries:
            by_action.setdefault(entry["action"], entry)
        for action in ("auth.setup", "auth.login", "auth.logout", "auth.password_change",
                       "auth.totp_enable", "auth.totp_disable", "auth.recovery_codes",
                       "session.revoke", "user.create", "user.update", "user.delete",
                       "user.rights", "camera.create", "camera.delete"):
            with self.subTest(action=action):
                self.assertIn(action, by_action, sorted(by_action))
                entry = by_action[action]
                self.assertEqual(entry["outcome"], "success")
                self.assertEqual(entry["username"], name)
                self.assertEqual(entry["address"], "127.0.0.1")
                self.assertIsNotNone(entry["user_id"])
                if action != "auth.setup":
                    self.assertTrue(entry["device"], entry)
                    self.assertTrue(entry["session_id"], entry)
                if action not in ("auth.setup", "auth.login"):
                    self.assertEqual(entry["session_id"], session_id, entry)
                    self.assertIn("Firefox", entry["device"], entry)
        self.assertEqual(by_action["session.revoke"]["target"], other_id)
        self.assertEqual(by_action["user.delete"]["target"], "guest1")
        text = str(entries)
        for secret in (password, new_password, secret, codes[1]):
            self.assertNotIn(secret, text, "a secret reached the audit log")


class AuditLogQueries(HubTestCase):
    """GET /api/v1/audit-log: newest first, filters, and paging without gaps or repeats."""

    @classmethod
    def setUpClass(cls):
        hub = cls.start_class_hub(config={"security": {"login_free_failures": 1000}})
        cls.hub = hub
        name, password = hub.setup_owner("owner")
        cls.owner = hub.login(name, password)
        for i in range(3):
            Client(hub).post(API + "/login",
                             {"username": "ghost", "password": f"wrong-password-{i}"})
        for i in range(4):
            cls.owner.post(API + "/users", {"username": f"user{i}", "password": strong_password(),
                                            "role": "guest"}, expect=201)
        hub.login("owner", password)
        cls.all = cls.query("limit=1000")

    @classmethod
    def query(cls, q):
        response = cls.owner.get(API + "/audit-log?" + q, expect=200)
        problems = Spec.get().response_problems("GET", API + "/audit-log", response)
        if problems:
            raise AssertionError(f"{q}: {problems}")
        return response.json()["entries"]

    def test_newest_first(self):
        seqs = [e["seq"] for e in self.all]
        self.assertEqual(seqs, sorted(seqs, reverse=True))
        self.assertEqual(len(seqs), len(set(seqs)))
        self.assertGreaterEqual(len(seqs), 10)

    def test_filters(self):
        exact = self.query("action=auth.login&limit=1000")
        self.assertTrue(exact)
        self.assertEqual({e["action"] for e in exact}, {"auth.login"})
        self.assertEqual(len(exact), sum(e["action"] == "auth.login" for e in self.all))
        prefix = self.query("action=auth.&limit=1000")
        self.assertTrue({"auth.setup", "auth.login"} <= {e["action"] for e in prefix})
        self.assertTrue(all(e["action"].startswith("auth.") for e in prefix))
        self.assertEqual(self.query("action=auth&limit=1000"), [],
                         "'auth' is neither an action nor a prefix")
        failures = self.query("outcome=failure&limit=1000")
        self.assertEqual({e["outcome"] for e in failures}, {"failure"})
        self.assertEqual(sum(e["target"] == "ghost" for e in failures), 3)
        both = self.query("action=user.create&outcome=success&limit=1000")
        self.assertEqual(sorted(e["target"] for e in both), [f"user{i}" for i in range(4)])
        mine = self.query("username=owner&limit=1000")
        self.assertTrue(mine)
        self.assertEqual({e["username"] for e in mine}, {"owner"})
        middle = self.all[len(self.all) // 2]
        since = self.query(f"from={middle['time']}&limit=1000")
        self.assertIn(middle["seq"], [e["seq"] for e in since])
        self.assertTrue(all(e["time"] >= middle["time"] for e in since))

    def test_paging(self):
        seen = []
        before = None
        for _ in range(100):
            q = "limit=3" + (f"&before={before}" if before is not None else "")
            response = self.owner.get(API + "/audit-log?" + q, expect=200).json()
            page = response["entries"]
            self.assertLessEqual(len(page), 3)
            if before is not None:
                self.assertTrue(all(e["seq"] < before for e in page))
            seen += [e["seq"] for e in page]
            before = response["next_before"]
            if before is None:
                break
        self.assertEqual(seen, [e["seq"] for e in self.all if e["seq"] <= self.all[0]["seq"]])


if __name__ == "__main__":
    unittest.main()
