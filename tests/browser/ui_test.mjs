// SPDX-License-Identifier: Apache-2.0
// The web UI in a real browser: Debian's chromium (headless) driven by playwright-core against
// the real camguard daemon. Onboarding with the setup token, sign-in, a camera added through the
// page, TOTP enrollment with the QR code and a sign-in with the code, an alert pushed live to an
// open page when the owner signs in from another device, a device signed out from the list,
// the camera page (PTZ pad, presets, privacy switch, timeline), no CSP violation or script error
// anywhere, and the camera grid at phone width. Screenshots go to $ARTIFACTS (default: a
// temporary directory). Exit 0 = pass.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const binary = process.env.CAMGUARD_BIN;
assert.ok(binary, "CAMGUARD_BIN is not set");
const work = mkdtempSync(join(tmpdir(), "camguard-ui-"));
const artifacts = process.env.ARTIFACTS || join(work, "screenshots");
mkdirSync(artifacts, { recursive: true });
const config = join(work, "camguard.toml");
writeFileSync(config, "[security]\nargon2_memory_kib = 8192\nargon2_iterations = 1\n" +
                      "allow_weak_password_hashing = true\n");

// ---- the daemon ------------------------------------------------------------------------------
const hub = spawn(binary, ["serve", "--data-dir", join(work, "data"), "--config", config,
                           "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "pipe"] });
let output = "";
hub.stdout.on("data", (d) => { output += d; });
hub.stderr.on("data", (d) => { output += d; });
const started = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`hub did not start:\n${output}`)), 30000);
  const look = () => {
    const port = output.match(/listening on https:\/\/127\.0\.0\.1:(\d+)\//);
    const token = output.match(/setup token (\S+) \(single use/);
    if (port && token) { clearTimeout(timer); resolve({ port: port[1], token: token[1] }); }
  };
  hub.stdout.on("data", look);
  hub.on("exit", (code) => reject(new Error(`hub exited ${code}:\n${output}`)));
});
const base = `https://127.0.0.1:${started.port}`;

// ---- helpers ---------------------------------------------------------------------------------
function totp(secretBase32) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secretBase32.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}

const problems = [];
function watch(page, name) {
  // Expected refusals (401 before sign-in, 503 before setup) are logged by the browser as
  // failed loads; everything else logged as an error (a CSP violation, a script error) counts.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource: the server responded with a status of 40") &&
        !m.text().includes("status of 503")) {
      problems.push(`${name}: ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => problems.push(`${name}: ${e.message}`));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
  // The generated certificate is self-signed; the test trusts it like an owner who compared
  // the fingerprint.
  const owner = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await owner.newPage();
  watch(page, "owner");
  const password = "violet-lantern-orbit-57-quartz";

  // Onboarding.
  await page.goto(base + "/");
  await page.waitForSelector("#setup-form");
  await page.fill("#f-token", started.token);
  await page.fill("#f-username", "owner");
  await page.fill("#f-password", password);
  await page.click("#setup-form button[type=submit]");
  await page.waitForSelector("#login-form");

  // Sign-in.
  await page.fill("#f-username", "owner");
  await page.fill("#f-password", password);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#camera-grid");

  // A camera added through the page shows in the grid.
  await page.fill("#add-camera #f-name", "Front door");
  await page.fill("#add-camera #f-main_url", "rtsp://127.0.0.1:9/main");
  await page.click("#add-camera button[type=submit]");
  await page.waitForSelector("[data-camera] >> text=Front door");
  await page.screenshot({ path: join(artifacts, "cameras.png"), fullPage: true });

  // TOTP enrollment with the QR code, then a sign-in that needs the code.
  await page.click("a[href='#/account']");
  await page.fill("#totp-form #f-password", password);
  await page.click("#totp-form button[type=submit]");
  await page.waitForSelector("#totp-confirm img.qr");
  const keyText = await page.textContent("#totp-confirm p.muted");
  const secret = keyText.replace("Or enter this key: ", "").trim();
  await page.fill("#totp-confirm #f-code", totp(secret));
  await page.click("#totp-confirm button[type=submit]");
  await page.waitForSelector("#recovery-codes li");
  assert.equal(await page.locator("#recovery-codes li").count(), 10);
  const recoveryCodes = await page.locator("#recovery-codes li").allTextContents();
  await page.click("nav button");  // sign out
  await page.waitForSelector("#login-form");
  await page.fill("#f-username", "owner");
  await page.fill("#f-password", password);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#f-totp:visible");
  // A code is single use: wait for the next 30 s step if the enrollment used this one.
  const step = Math.floor(Date.now() / 30000);
  await new Promise((r) => setTimeout(r, ((step + 1) * 30000 - Date.now()) + 500));
  await page.fill("#f-totp", totp(secret));
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#camera-grid");

  // An alert reaches the open page live: the owner signs in from another device.
  await page.click("a[href='#/alerts']");
  await page.waitForSelector("#alert-rows");
  const other = await browser.newContext({ ignoreHTTPSErrors: true, userAgent:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148" });
  const phone = await other.newPage();
  watch(phone, "second device");
  await phone.goto(base + "/");
  await phone.fill("#f-username", "owner");
  await phone.fill("#f-password", password);
  await phone.click("#login-form button[type=submit]");
  await phone.waitForSelector("#f-totp:visible");
  const pushStarted = Date.now();
  await phone.fill("#f-totp", recoveryCodes[0]);  // the TOTP code of this step is used up
  await phone.click("#login-form button[type=submit]");
  await page.waitForSelector("#toast:has-text('new device')", { timeout: 30000 });
  await page.waitForSelector("#alert-rows tr:has-text('new device')");
  console.log(`alert pushed to the open page ${Date.now() - pushStarted} ms after the second sign-in`);
  await page.screenshot({ path: join(artifacts, "alert-pushed.png"), fullPage: true });

  // People: a guest gets view on the camera through the rights grid (no PTZ offered to guests).
  await page.click("a[href='#/users']");
  await page.fill("#add-user #f-username", "babysitter");
  await page.fill("#add-user #f-password", "amber-harbor-kettle-88");
  await page.selectOption("#add-user #f-role", "guest");
  await page.click("#add-user button[type=submit]");
  await page.click("[data-user='babysitter'] button");
  await page.waitForSelector("#rights-form");
  assert.equal(await page.locator("#rights-form [data-right='ptz']").count(), 0);
  await page.check("#rights-form [data-right='view']");
  await page.click("#rights-form button[type=submit]");
  await page.waitForSelector("#toast:has-text('Rights of babysitter saved')");

  // Integrations: a token's secret is shown once and it can be revoked.
  await page.click("a[href='#/integrations']");
  await page.fill("#add-token #f-name", "Home Assistant");
  await page.selectOption("#add-token #f-scopes", ["read", "metrics"]);
  await page.click("#add-token button[type=submit]");
  await page.waitForSelector("#new-secret:has-text('cgt_')");
  await page.waitForSelector("[data-token='Home Assistant'] button");
  await page.click("[data-token='Home Assistant'] button");
  await page.waitForSelector("[data-token='Home Assistant'] >> text=revoked");
  await page.screenshot({ path: join(artifacts, "integrations.png"), fullPage: true });

  // Live view from a simulated camera, in the browser's own decoder (Media Source Extensions).
  if (process.env.CAMSIM_BIN) {
    const sim = spawn(process.env.CAMSIM_BIN, ["--cameras", "1", "--bind", "127.79.3.1", "--rtsp-port", "0",
                                               "--http-port", "0", "--ptz-speed", "1.0",
                                               ...(process.env.CAMSIM_CLIPS ? ["--clips", process.env.CAMSIM_CLIPS] : [])],
                      { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const camera = await new Promise((resolve, reject) => {
        let text = "";
        const timer = setTimeout(() => reject(new Error("camsim did not start")), 20000);
        sim.stdout.on("data", (d) => {
          text += d;
          const line = text.split("\n").find((l) => l.includes("rtsp_sub"));
          if (line) { clearTimeout(timer); resolve(JSON.parse(line)); }
        });
      });
      await page.click("a[href='#/cameras']");
      await page.fill("#add-camera #f-name", "Garden");
      await page.fill("#add-camera #f-main_url", camera.rtsp_sub);
      await page.fill("#add-camera #f-username", camera.username);
      await page.fill("#add-camera #f-password", camera.password);
      await page.fill("#add-camera #f-onvif_url", camera.onvif);
      await page.click("#add-camera button[type=submit]");
      await page.waitForSelector("[data-camera] >> text=Garden");
      await page.waitForSelector("[data-camera]:has-text('Garden') .badge.online", { timeout: 30000 });
      const opened = Date.now();
      await page.click("[data-camera]:has-text('Garden') h2 a");
      // Polled with evaluate: waitForFunction would need eval, which the page's CSP forbids.
      for (let i = 0; ; ++i) {
        const playing = await page.evaluate(() => {
          const video = document.getElementById("live");
          return Boolean(video && video.readyState >= 2 && video.currentTime > 0);
        });
        if (playing) break;
        assert.ok(i < 300, "the live video never started");
        await page.waitForTimeout(100);
      }
      const firstPicture = Date.now() - opened;
      const t0 = await page.evaluate(() => document.getElementById("live").currentTime);
      await page.waitForTimeout(3000);
      const state = await page.evaluate(() => {
        const video = document.getElementById("live");
        const quality = video.getVideoPlaybackQuality();
        const buffered = video.buffered.length ? video.buffered.end(video.buffered.length - 1) : 0;
        return { time: video.currentTime, frames: quality.totalVideoFrames, behind: buffered - video.currentTime,
                 width: video.videoWidth, error: video.error && video.error.message };
      });
      assert.equal(state.error, null);
      assert.ok(state.time - t0 > 2, `video did not advance: ${JSON.stringify(state)} from ${t0}`);
      assert.equal(state.width, 640);
      console.log(`live view: first picture ${firstPicture} ms after opening the page; ` +
                  `${state.frames} frames decoded; ${(state.behind * 1000).toFixed(0)} ms behind the newest buffered frame`);
      await page.screenshot({ path: join(artifacts, "live.png") });
      // The camera shows who is watching it.
      const watchers = await page.evaluate(async () => (await (await fetch("/api/v1/cameras")).json()).cameras
        .find((c) => c.name === "Garden").watchers);
      assert.equal(watchers.length, 1);
      assert.equal(watchers[0].username, "owner");

      // The PTZ pad: press and hold "right", the camera turns while the button is down.
      await page.waitForSelector("#ptz-status:has-text('pan')", { timeout: 30000 });
      const right = page.locator("[data-ptz='right']");
      await right.hover();
      await page.mouse.down();
      await page.waitForTimeout(800);
      await page.mouse.up();
      for (let i = 0; ; ++i) {
        const ptz = await page.evaluate(async () => {
          const id = location.hash.split("/")[2];
          return (await (await fetch(`/api/v1/cameras/${id}/ptz`)).json()).ptz;
        });
        if (ptz.pan > 0.1 && !ptz.moving) break;
        assert.ok(i < 50, `the camera did not turn: ${JSON.stringify(ptz)}`);
        await page.waitForTimeout(200);
      }
      await page.fill("#save-preset input", "Gate");
      await page.click("#save-preset button[type=submit]");
      await page.waitForSelector("#ptz-presets button:has-text('Gate')");
      await page.waitForSelector("#timeline h2:has-text('Recorded')");
      await page.screenshot({ path: join(artifacts, "camera-page.png"), fullPage: true });
      // Moves made through the hub never raise the outside-move alarm.
      const outside = await page.evaluate(async () => (await (await fetch("/api/v1/alerts")).json()).alerts
        .filter((a) => a.kind === "camera.moved_from_outside").length);
      assert.equal(outside, 0);

      // Privacy mode: the switch stops the live view and says so.
      await page.click("#privacy-switch");
      await page.waitForSelector("#toast:has-text('Privacy mode on')");
      await page.waitForSelector("text=Privacy mode is on");
      await page.click("#privacy-switch");
      await page.waitForSelector("#toast:has-text('Privacy mode off')");
      // The page asks the camera for its PTZ state again: let that finish before the camera
      // goes away, so no request is left to fail.
      await page.waitForSelector("#ptz-status:has-text('pan')");
      await page.click("a[href='#/cameras']");
      await page.waitForSelector("#camera-grid");
    } finally {
      sim.kill("SIGTERM");
    }
  }

  // Phone width: the grid and the navigation still work.
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.waitForSelector("#camera-grid [data-camera]");
  await phone.screenshot({ path: join(artifacts, "cameras-phone.png"), fullPage: true });

  // Devices: the owner signs the phone out from the list; the phone is back at the sign-in page.
  await page.click("a[href='#/sessions']");
  const phoneRow = page.locator("tr", { hasText: "iPhone" }).filter({ hasNot: page.locator("text=(this one)") });
  await phoneRow.first().waitFor();
  await phoneRow.first().locator("button:has-text('Sign out')").click();
  for (let i = 0; ; ++i) {
    const left = await page.locator("tr", { hasText: "iPhone" }).count();
    if (left === 0) break;
    assert.ok(i < 50, "the phone's session is still listed");
    await page.waitForTimeout(100);
  }
  const revoked = await phone.evaluate(async () => (await fetch("/api/v1/me")).status);
  assert.equal(revoked, 401);
  await phone.reload();
  await phone.waitForSelector("#login-form");

  // The page never ran into the CSP or a script error.
  assert.deepEqual(problems, []);
  console.log(`browser test passed; screenshots in ${artifacts}`);
} catch (error) {
  failed = true;
  console.error(error);
  console.error(`problems seen in the pages: ${JSON.stringify(problems)}`);
  console.error(`hub output:\n${output.slice(-4000)}`);
} finally {
  await browser.close();
  hub.kill("SIGTERM");
}
process.exit(failed ? 1 : 0);
