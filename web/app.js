// SPDX-License-Identifier: Apache-2.0
// The camguard web UI: one page, plain ES module, no framework and no third-party code. Every
// value from the server reaches the page through textContent (never innerHTML), so data cannot
// become markup. State-changing requests carry the CSRF token; the session cookie is HttpOnly
// and never visible here.

const API = "/api/v1";
const state = { me: null, csrf: null, events: null, timer: null };

// ---- tiny DOM helpers ------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function show(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes);
}

function toast(text) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

function field(label, name, type = "text", extra = {}) {
  const id = `f-${name}`;
  return [el("label", { for: id, text: label }),
          el("input", { id, name, type, autocomplete: extra.autocomplete ?? "off", ...extra })];
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

// ---- the API ---------------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  const response = await fetch(API + path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.startsWith("application/json")) data = await response.json();
  if (!response.ok) {
    const error = new Error(data?.error?.message || `HTTP ${response.status}`);
    error.status = response.status;
    error.code = data?.error?.code;
    throw error;
  }
  return data;
}

function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function errorLine() {
  return el("p", { class: "error", role: "alert", hidden: true });
}

function fail(line, error) {
  line.textContent = error.message;
  line.hidden = false;
}

// ---- start -----------------------------------------------------------------------------------

async function boot() {
  try {
    const me = await api("GET", "/me");
    signedIn(me);
  } catch (error) {
    if (error.code === "setup_required") return setupView();
    loginView();
  }
}

function signedIn(me) {
  state.me = me.user;
  state.csrf = me.csrf_token;
  renderNav();
  openEvents();
  route();
}

function renderNav() {
  const nav = document.getElementById("nav");
  const manager = ["owner", "admin"].includes(state.me.role);
  const links = [["#/cameras", "Cameras"], ["#/alerts", "Alerts"], ["#/sessions", "Devices"],
                 ["#/account", "Account"]];
  if (manager) links.push(["#/users", "People"], ["#/integrations", "Integrations"], ["#/audit", "Audit log"]);
  nav.replaceChildren(
    ...links.map(([href, text]) => el("a", { href, text, "data-nav": href })),
    el("button", { type: "button", text: `Sign out (${state.me.username})`, onclick: logout }));
  nav.hidden = false;
}

async function logout() {
  clearInterval(state.timer);
  try { await api("POST", "/logout"); } catch { /* signed out either way */ }
  state.me = null;
  state.csrf = null;
  state.events?.close();
  document.getElementById("nav").hidden = true;
  location.hash = "";
  loginView();
}

function route() {
  if (!state.me) return;
  clearInterval(state.timer);
  state.closeLive?.();
  state.closeLive = null;
  const page = location.hash.replace(/^#\//, "") || "cameras";
  if (page.startsWith("camera/")) return cameraView(decodeURIComponent(page.slice(7)));
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.classList.toggle("active", link.getAttribute("data-nav") === `#/${page}`);
  }
  const views = { cameras: camerasView, alerts: alertsView, sessions: sessionsView,
                  account: accountView, audit: auditView, users: usersView,
                  integrations: integrationsView };
  (views[page] || camerasView)();
}
window.addEventListener("hashchange", route);

// ---- setup and sign-in -----------------------------------------------------------------------

function setupView() {
  const error = errorLine();
  const form = el("form", { class: "card", id: "setup-form" },
    el("h1", { text: "Create the owner" }),
    el("p", { class: "muted", text: "Paste the one-time setup token the hub printed when it started." }),
    field("Setup token", "token", "text"),
    field("Your user name", "username", "text", { autocomplete: "username" }),
    field("Password (at least 12 characters)", "password", "password", { autocomplete: "new-password" }),
    el("button", { class: "primary", type: "submit", text: "Create owner" }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/setup", formValues(form));
      toast("The owner exists. Sign in.");
      loginView();
    } catch (e) { fail(error, e); }
  });
  show(form);
}

function loginView() {
  const error = errorLine();
  const code = el("div", { hidden: true },
    field("Code from your authenticator app, or a recovery code", "totp", "text",
          { autocomplete: "one-time-code" }));
  const form = el("form", { class: "card", id: "login-form" },
    el("h1", { text: "Sign in" }),
    field("User name", "username", "text", { autocomplete: "username" }),
    field("Password", "password", "password", { autocomplete: "current-password" }),
    code,
    el("button", { class: "primary", type: "submit", text: "Sign in" }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    // Six digits are an authenticator code; anything else is taken as a recovery code.
    if (values.totp && !/^\d{6}$/.test(values.totp.trim())) {
      values.recovery_code = values.totp.trim();
      delete values.totp;
    }
    if (!values.totp) delete values.totp;
    try {
      await api("POST", "/login", values);
      signedIn(await api("GET", "/me"));
    } catch (e) {
      if (e.code === "totp_required") {
        code.hidden = false;
        form.querySelector("#f-totp").focus();
      }
      fail(error, e);
    }
  });
  show(form);
}

// ---- cameras ---------------------------------------------------------------------------------

function cameraCard(camera) {
  const status = camera.status;
  const stateName = status ? status.state : "no engine";
  const watchers = camera.watchers || [];
  return el("article", { class: "camera", "data-camera": camera.id },
    el("h2", {}, el("a", { href: `#/camera/${encodeURIComponent(camera.id)}`, text: camera.name })),
    el("span", { class: `badge ${stateName}`, text: stateName }),
    camera.privacy ? el("span", { class: "badge warning", text: "privacy mode" }) : null,
    status ? el("p", { class: "muted", text:
      `${status.codec || "codec unknown"} · ${status.width}×${status.height} · ` +
      `${status.frames_per_second.toFixed(1)} fps · ${(status.bits_per_second / 1e6).toFixed(2)} Mbit/s` +
      (status.recording ? " · recording" : "") }) : null,
    status && status.last_error ? el("p", { class: "error", text: status.last_error }) : null,
    watchers.length ? el("p", { class: "watched", text:
      `Being watched by ${watchers.map((w) => `${w.username} (${w.device})`).join(", ")}` }) : null,
    el("p", { class: "muted", text: `Your rights: ${camera.rights.join(", ") || "none"}` }));
}

// ---- live view: fMP4 over a WebSocket into Media Source Extensions ---------------------------

function cameraView(id) {
  const video = el("video", { id: "live", muted: true, autoplay: true, playsinline: true });
  video.muted = true;
  const note = el("p", { class: "muted", id: "live-note", text: "Connecting…" });
  const title = el("h1", { text: "Live" });
  const controls = el("div", { class: "controls", id: "camera-controls" });
  const timeline = el("section", { class: "card wide", id: "timeline" });
  show(title, el("div", { class: "player" }, video), note, controls, timeline,
       el("p", {}, el("a", { href: "#/cameras", text: "Back to all cameras" })));
  cameraControls(id, title, controls, timeline);
  const socket = new WebSocket(`wss://${location.host}${API}/cameras/${encodeURIComponent(id)}/live`);
  socket.binaryType = "arraybuffer";
  let buffer = null;
  let queue = [];
  const pump = () => {
    if (!buffer || buffer.updating || queue.length === 0) return;
    try {
      buffer.appendBuffer(queue.shift());
    } catch (e) {
      note.textContent = `Playback error: ${e.message}`;
    }
  };
  const keepUp = () => {
    if (!buffer || buffer.updating || buffer.buffered.length === 0) return;
    const end = buffer.buffered.end(buffer.buffered.length - 1);
    // Live means live: when the page falls behind (a busy phone), jump to the edge.
    if (end - video.currentTime > 1.5) video.currentTime = Math.max(0, end - 0.3);
    const start = buffer.buffered.start(0);
    if (video.currentTime - start > 30) buffer.remove(start, video.currentTime - 10);
  };
  const begin = (codec) => {
    const type = `video/mp4; codecs="${codec}"`;
    if (!("MediaSource" in window) || !MediaSource.isTypeSupported(type)) {
      note.textContent = `This browser cannot play ${codec || "this stream"}` +
        (codec.startsWith("hvc1") || codec.startsWith("hev1")
          ? " (H.265). Give the camera an H.264 sub-stream for browsers." : ".");
      return;
    }
    const source = new MediaSource();
    buffer = null;
    queue = [];
    video.src = URL.createObjectURL(source);
    source.addEventListener("sourceopen", () => {
      buffer = source.addSourceBuffer(type);
      buffer.mode = "segments";
      buffer.addEventListener("updateend", () => { keepUp(); pump(); });
      pump();
    }, { once: true });
    note.textContent = `${codec}`;
  };
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") {
      const message = JSON.parse(event.data);
      if (message.type === "init") begin(message.codec);
      return;
    }
    queue.push(event.data);
    pump();
  });
  socket.addEventListener("close", () => { note.textContent = "The live stream ended."; });
  video.addEventListener("timeupdate", keepUp);
  state.closeLive = () => socket.close();
}

// ---- camera page: privacy switch, PTZ pad and presets, recorded timeline -----------------------

async function cameraControls(id, title, area, timeline) {
  let camera;
  try {
    ({ camera } = await api("GET", `/cameras/${encodeURIComponent(id)}`));
  } catch (e) { toast(e.message); return; }
  title.textContent = camera.name;
  const rights = camera.rights || [];
  const parts = [];
  if (rights.includes("configure")) parts.push(privacySwitch(camera));
  if (camera.privacy) {
    parts.push(el("p", { class: "watched", text: "Privacy mode is on: camguard neither shows nor records this camera." }));
  }
  if (rights.includes("ptz") && camera.onvif_url) parts.push(ptzPad(camera));
  area.replaceChildren(...parts);
  if (rights.includes("playback")) recordedTimeline(camera, timeline, rights.includes("export"));
  else timeline.remove();
}

function privacySwitch(camera) {
  const button = el("button", { class: camera.privacy ? "danger" : "secondary", id: "privacy-switch",
                                "aria-pressed": camera.privacy ? "true" : "false",
                                text: camera.privacy ? "Privacy mode: on" : "Privacy mode: off" });
  button.addEventListener("click", async () => {
    try {
      const { privacy } = await api("POST", `/cameras/${encodeURIComponent(camera.id)}/privacy`,
                                    { enabled: !camera.privacy });
      toast(privacy ? "Privacy mode on" : "Privacy mode off");
      route();
    } catch (e) { toast(e.message); }
  });
  return button;
}

// Press and hold an arrow: the camera turns until the button is released (a continuous move with
// a safety timeout, so a lost "release" never leaves it turning).
function ptzPad(camera) {
  const path = `/cameras/${encodeURIComponent(camera.id)}/ptz`;
  const status = el("p", { class: "muted", id: "ptz-status", text: "" });
  const presets = el("div", { class: "presets", id: "ptz-presets" });
  const refresh = (ptz) => {
    status.textContent = `pan ${ptz.pan.toFixed(2)} · tilt ${ptz.tilt.toFixed(2)} · zoom ` +
      `${ptz.zoom.toFixed(2)}${ptz.moving ? " · moving" : ""}`;
    presets.replaceChildren(...ptz.presets.map((preset) => el("button", {
      class: "secondary", "data-preset": preset.token, text: preset.name,
      onclick: () => send({ action: "goto_preset", preset: preset.token }),
    })));
  };
  const send = async (body) => {
    try {
      const { ptz } = await api("POST", path, body);
      refresh(ptz);
    } catch (e) { toast(e.message); }
  };
  const held = (label, name, pan, tilt, zoom = 0) => {
    const button = el("button", { class: "pad", "aria-label": name, "data-ptz": name, text: label });
    let moving = false;
    const start = (event) => {
      event.preventDefault();
      moving = true;
      send({ action: "continuous_move", pan, tilt, zoom, timeout_ms: 10000 });
    };
    const stop = () => {
      if (!moving) return;
      moving = false;
      send({ action: "stop" });
    };
    button.addEventListener("pointerdown", start);
    for (const type of ["pointerup", "pointerleave", "pointercancel"]) button.addEventListener(type, stop);
    return button;
  };
  const pad = el("div", { class: "pad-grid", role: "group", "aria-label": "Move the camera" },
    held("↖", "up-left", -0.5, 0.5), held("↑", "up", 0, 0.5), held("↗", "up-right", 0.5, 0.5),
    held("←", "left", -0.5, 0), el("button", { class: "pad", "aria-label": "stop", "data-ptz": "stop",
                                               text: "■", onclick: () => send({ action: "stop" }) }),
    held("→", "right", 0.5, 0),
    held("↙", "down-left", -0.5, -0.5), held("↓", "down", 0, -0.5), held("↘", "down-right", 0.5, -0.5));
  const zoom = el("div", { class: "zoom" }, held("+", "zoom-in", 0, 0, 0.5), held("-", "zoom-out", 0, 0, -0.5));
  const save = el("form", { class: "inline", id: "save-preset" },
    el("input", { name: "preset_name", placeholder: "Name this view", maxlength: "64", required: true }),
    el("button", { class: "secondary", type: "submit", text: "Save as preset" }));
  save.addEventListener("submit", (event) => {
    event.preventDefault();
    send({ action: "set_preset", preset_name: formValues(save).preset_name });
    save.reset();
  });
  api("GET", path).then(({ ptz }) => refresh(ptz)).catch((e) => { status.textContent = e.message; });
  return el("section", { class: "card", id: "ptz" }, el("h2", { text: "Move the camera" }),
            el("div", { class: "ptz-row" }, pad, zoom), status,
            el("h2", { text: "Presets" }), presets, save);
}

// The last 24 hours: what was recorded and where the gaps are; pick a span to export.
async function recordedTimeline(camera, area, mayExport) {
  const to = new Date();
  const from = new Date(to.getTime() - 24 * 3600 * 1000);
  const span = to - from;
  let data;
  try {
    data = await api("GET", `/cameras/${encodeURIComponent(camera.id)}/recordings?` +
      `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`);
  } catch (e) { area.replaceChildren(el("p", { class: "error", text: e.message })); return; }
  const bar = el("div", { class: "timeline-bar", role: "img",
                          "aria-label": `${data.segments.length} recorded segments, ${data.gaps.length} gaps` });
  const place = (kind, fromIso, toIso, label) => {
    const start = Math.max(0, new Date(fromIso) - from);
    const end = Math.min(span, new Date(toIso) - from);
    if (end <= start) return;
    const block = el("div", { class: `timeline-${kind}`, title: label });
    block.style.left = `${(100 * start) / span}%`;  // CSSOM, allowed by the style-src policy
    block.style.width = `${Math.max(0.5, (100 * (end - start)) / span)}%`;
    bar.append(block);
  };
  for (const s of data.segments) place("recorded", s.from, s.to, `${when(s.from)} – ${when(s.to)}`);
  for (const g of data.gaps) place("gap", g.from, g.to, `gap ${when(g.from)} – ${when(g.to)}`);
  const parts = [el("h2", { text: "Recorded, last 24 hours" }), bar,
                 el("p", { class: "muted", text: data.segments.length
                   ? `${data.segments.length} segments, ${data.gaps.length} gaps`
                   : "Nothing recorded in the last 24 hours." })];
  if (mayExport && data.segments.length) {
    const last = data.segments[data.segments.length - 1];
    const local = (iso) => {
      const d = new Date(iso);
      return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
    };
    const form = el("form", { class: "inline", id: "export-form" },
      el("label", { for: "x-from", text: "From" }),
      el("input", { id: "x-from", name: "from", type: "datetime-local", step: "1",
                    value: local(new Date(new Date(last.to) - 60000).toISOString()) }),
      el("label", { for: "x-to", text: "To" }),
      el("input", { id: "x-to", name: "to", type: "datetime-local", step: "1", value: local(last.to) }),
      el("button", { class: "primary", type: "submit", text: "Export as MP4" }));
    const result = el("p", { id: "export-result" });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = formValues(form);
      try {
        const { export: made } = await api("POST", `/cameras/${encodeURIComponent(camera.id)}/exports`,
          { from: new Date(values.from).toISOString(), to: new Date(values.to).toISOString() });
        result.replaceChildren(el("a", { href: `${API}/exports/${encodeURIComponent(made.id)}`,
                                          text: `Download (${(made.bytes / 1e6).toFixed(1)} MB)` }),
                               el("span", { class: "muted", text: ` SHA-256 ${made.sha256}` }));
      } catch (e) { result.replaceChildren(el("span", { class: "error", text: e.message })); }
    });
    parts.push(form, result);
  }
  area.replaceChildren(...parts);
}

async function camerasView() {
  const grid = el("div", { class: "grid", id: "camera-grid" });
  const parts = [el("h1", { text: "Cameras" }), grid];
  if (["owner", "admin"].includes(state.me.role)) parts.push(addCameraForm());
  show(...parts);
  const refresh = async () => {
    try {
      const { cameras } = await api("GET", "/cameras");
      grid.replaceChildren(...(cameras.length ? cameras.map(cameraCard)
        : [el("p", { class: "muted", text: "No camera yet." })]));
    } catch (e) { toast(e.message); }
  };
  await refresh();
  state.timer = setInterval(refresh, 5000);
}

function addCameraForm() {
  const error = errorLine();
  const form = el("form", { class: "card", id: "add-camera" },
    el("h1", { text: "Add a camera" }),
    field("Name", "name"), field("Main stream (rtsp://host:port/path)", "main_url", "url"),
    field("Sub-stream for browsers (optional)", "sub_url", "url"),
    field("ONVIF address for PTZ and the integrity watch (optional, http://host/onvif/device_service)",
          "onvif_url", "url"),
    field("Camera user name", "username"),
    field("Camera password", "password", "password", { autocomplete: "new-password" }),
    el("button", { class: "primary", type: "submit", text: "Add" }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    if (!values.username && !values.password) { delete values.username; delete values.password; }
    for (const optional of ["sub_url", "onvif_url"]) if (!values[optional]) delete values[optional];
    try {
      await api("POST", "/cameras", values);
      toast(`${values.name} added`);
      camerasView();
    } catch (e) { fail(error, e); }
  });
  return form;
}

// ---- alerts ----------------------------------------------------------------------------------

function alertRow(alert) {
  const ack = alert.acknowledged_at ? el("span", { class: "muted", text: "seen" })
    : el("button", { class: "secondary", type: "button", text: "Mark seen", onclick: async () => {
        await api("POST", `/alerts/${encodeURIComponent(alert.id)}/acknowledge`);
        alertsView();
      } });
  return el("tr", { "data-alert": alert.id },
    el("td", {}, el("span", { class: `badge ${alert.severity}`, text: alert.severity })),
    el("td", { text: alert.title }),
    el("td", { text: alert.count > 1 ? `${alert.count}×` : "" }),
    el("td", { text: when(alert.last_at) }),
    el("td", {}, ack));
}

async function alertsView() {
  const body = el("tbody", { id: "alert-rows" });
  const notify = "Notification" in window && Notification.permission === "default"
    ? el("button", { class: "secondary", type: "button", text: "Notify me in this browser",
                     onclick: () => Notification.requestPermission() }) : null;
  show(el("h1", { text: "Alerts" }), notify,
       el("div", { class: "table-wrap" }, el("table", {}, body)));
  try {
    const { alerts } = await api("GET", "/alerts?limit=200");
    body.replaceChildren(...(alerts.length ? alerts.map(alertRow)
      : [el("tr", {}, el("td", { class: "muted", text: "No alert." }))]));
  } catch (e) { toast(e.message); }
}

function openEvents() {
  state.events?.close();
  const socket = new WebSocket(`wss://${location.host}${API}/events`);
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type !== "alert") return;
    const alert = message.alert;
    toast(`${alert.severity}: ${alert.title}`);
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification("camguard", { body: alert.title });
    }
    const rows = document.getElementById("alert-rows");
    if (rows) rows.prepend(alertRow(alert));
  });
  socket.addEventListener("close", () => {
    if (state.me && state.events === socket) setTimeout(openEvents, 5000);
  });
  state.events = socket;
}

// ---- devices (sessions) ----------------------------------------------------------------------

async function sessionsView() {
  const body = el("tbody");
  show(el("h1", { text: "Signed-in devices" }), el("div", { class: "table-wrap" }, el("table", {}, body)));
  const { sessions } = await api("GET", "/sessions");
  body.replaceChildren(...sessions.map((s) => el("tr", {},
    el("td", { text: s.device + (s.current ? " (this one)" : "") }),
    el("td", { text: s.address }),
    el("td", { text: when(s.last_seen_at) }),
    el("td", {}, s.current ? null : el("button", { class: "danger", type: "button", text: "Sign out",
      onclick: async () => { await api("DELETE", `/sessions/${encodeURIComponent(s.id)}`); sessionsView(); } })))));
}

// ---- account ---------------------------------------------------------------------------------

function accountView() {
  const error = errorLine();
  const area = el("div");
  const form = el("form", { class: "card", id: "totp-form" },
    el("h1", { text: "Two-step sign-in" }),
    el("p", { class: "muted", text: state.me.totp_enabled ? "Enabled." : "Protect your account with an authenticator app." }),
    field("Your password", "password", "password", { autocomplete: "current-password" }),
    el("button", { class: "primary", type: "submit", text: state.me.totp_enabled ? "New recovery codes" : "Set up" }),
    error, area);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      if (state.me.totp_enabled) {
        const { recovery_codes } = await api("POST", "/me/recovery-codes", formValues(form));
        return area.replaceChildren(codesList(recovery_codes));
      }
      const enrollment = await api("POST", "/me/totp", formValues(form));
      const confirm = el("form", { id: "totp-confirm" },
        el("img", { class: "qr", alt: "QR code for your authenticator app",
                    src: `data:image/svg+xml;base64,${btoa(enrollment.qr_svg)}` }),
        el("p", { class: "muted", text: `Or enter this key: ${enrollment.secret}` }),
        field("Code from the app", "code", "text", { inputmode: "numeric", autocomplete: "one-time-code" }),
        el("button", { class: "primary", type: "submit", text: "Confirm" }));
      confirm.addEventListener("submit", async (e2) => {
        e2.preventDefault();
        try {
          const { recovery_codes } = await api("POST", "/me/totp/confirm", formValues(confirm));
          state.me.totp_enabled = true;
          area.replaceChildren(el("p", { text: "Enabled. Keep these recovery codes somewhere safe:" }),
                               codesList(recovery_codes));
        } catch (e) { fail(error, e); }
      });
      area.replaceChildren(confirm);
    } catch (e) { fail(error, e); }
  });
  show(form);
}

function codesList(codes) {
  return el("ul", { class: "codes", id: "recovery-codes" }, codes.map((c) => el("li", { text: c })));
}

// ---- audit log -------------------------------------------------------------------------------

async function auditView() {
  const body = el("tbody");
  show(el("h1", { text: "Audit log" }), el("div", { class: "table-wrap" }, el("table", {}, body)));
  const { entries } = await api("GET", "/audit-log?limit=200");
  body.replaceChildren(...entries.map((e) => el("tr", {},
    el("td", { text: when(e.time) }), el("td", { text: e.username || "—" }),
    el("td", { text: e.action }), el("td", { text: e.outcome }), el("td", { text: e.device }),
    el("td", { text: e.address }))));
}

// ---- people and their camera rights ---------------------------------------------------------

const RIGHTS = ["view", "playback", "export", "ptz", "talk", "configure"];

async function usersView() {
  const list = el("tbody", { id: "user-rows" });
  const error = errorLine();
  const role = el("select", { id: "f-role", name: "role" },
    ["member", "guest", ...(state.me.role === "owner" ? ["admin"] : [])].map((r) => el("option", { value: r, text: r })));
  const form = el("form", { class: "card", id: "add-user" },
    el("h1", { text: "Add a person" }), field("User name", "username"),
    field("Password (at least 12 characters)", "password", "password", { autocomplete: "new-password" }),
    el("label", { for: "f-role", text: "Role" }), role,
    el("button", { class: "primary", type: "submit", text: "Add" }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/users", formValues(form));
      usersView();
    } catch (e) { fail(error, e); }
  });
  const rights = el("div", { id: "rights-editor" });
  show(el("h1", { text: "People" }), el("div", { class: "table-wrap" }, el("table", {}, list)), rights, form);
  const [{ users }, { cameras }] = await Promise.all([api("GET", "/users"), api("GET", "/cameras")]);
  list.replaceChildren(...users.map((u) => el("tr", { "data-user": u.username },
    el("td", { text: u.username }), el("td", { text: u.role }),
    el("td", { text: u.disabled ? "disabled" : (u.totp_enabled ? "two-step on" : "password only") }),
    el("td", {}, ["member", "guest"].includes(u.role)
      ? el("button", { class: "secondary", type: "button", text: "Camera rights",
                       onclick: () => rightsEditor(rights, u, cameras) }) : null))));
}

async function rightsEditor(area, user, cameras) {
  const { rights } = await api("GET", `/users/${encodeURIComponent(user.id)}`);
  const granted = new Map(rights.map((r) => [r.camera_id, new Set(r.rights)]));
  const allowed = user.role === "guest" ? ["view", "playback"] : RIGHTS;
  const error = errorLine();
  const rows = cameras.map((camera) => el("tr", {}, el("td", { text: camera.name }),
    allowed.map((right) => el("td", {}, el("label", {},
      el("input", { type: "checkbox", "data-camera": camera.id, "data-right": right,
                    "aria-label": `${right} on ${camera.name}`,
                    checked: granted.get(camera.id)?.has(right) ? "checked" : null }), ` ${right}`)))));
  const form = el("form", { class: "card", id: "rights-form" },
    el("h1", { text: `Rights of ${user.username}` }),
    el("p", { class: "muted", text: "PTZ never comes with view: grant each right on its own." }),
    el("div", { class: "table-wrap" }, el("table", {}, el("tbody", {}, rows))),
    el("button", { class: "primary", type: "submit", text: "Save rights" }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const byCamera = new Map();
    for (const box of form.querySelectorAll("input[type=checkbox]:checked")) {
      const camera = box.getAttribute("data-camera");
      if (!byCamera.has(camera)) byCamera.set(camera, []);
      byCamera.get(camera).push(box.getAttribute("data-right"));
    }
    try {
      await api("PUT", `/users/${encodeURIComponent(user.id)}/rights`,
                { rights: [...byCamera].map(([camera_id, names]) => ({ camera_id, rights: names })) });
      toast(`Rights of ${user.username} saved`);
    } catch (e) { fail(error, e); }
  });
  area.replaceChildren(form);
}

// ---- integrations: API tokens and webhooks ---------------------------------------------------

async function integrationsView() {
  const tokens = el("tbody", { id: "token-rows" });
  const hooks = el("tbody", { id: "webhook-rows" });
  const secretBox = el("p", { id: "new-secret", class: "muted", hidden: true });
  const tokenError = errorLine();
  const scopes = el("select", { id: "f-scopes", name: "scopes", multiple: true, size: 4 },
    ["read", "ptz", "privacy", "metrics"].map((scope) => el("option", { value: scope, text: scope })));
  const tokenForm = el("form", { class: "card", id: "add-token" },
    el("h1", { text: "New API token" }), field("Name (e.g. Home Assistant)", "name"),
    el("label", { for: "f-scopes", text: "Scopes" }), scopes,
    el("button", { class: "primary", type: "submit", text: "Create token" }), tokenError);
  tokenForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = [...scopes.selectedOptions].map((o) => o.value);
    try {
      const created = await api("POST", "/tokens", { name: formValues(tokenForm).name, scopes: chosen });
      secretBox.textContent = `Copy it now, it is shown once: ${created.secret}`;
      secretBox.hidden = false;
      loadIntegrations(tokens, hooks);
    } catch (e) { fail(tokenError, e); }
  });
  const hookError = errorLine();
  const hookForm = el("form", { class: "card", id: "add-webhook" },
    el("h1", { text: "New webhook" }), field("Name", "name"), field("URL (https://…)", "url", "url"),
    el("button", { class: "primary", type: "submit", text: "Add webhook" }), hookError);
  hookForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await api("POST", "/webhooks", formValues(hookForm));
      secretBox.textContent = `Signing secret, shown once: ${created.secret}`;
      secretBox.hidden = false;
      loadIntegrations(tokens, hooks);
    } catch (e) { fail(hookError, e); }
  });
  show(el("h1", { text: "Integrations" }), secretBox,
       el("h2", { text: "API tokens" }), el("div", { class: "table-wrap" }, el("table", {}, tokens)), tokenForm,
       el("h2", { text: "Webhooks" }), el("div", { class: "table-wrap" }, el("table", {}, hooks)), hookForm);
  loadIntegrations(tokens, hooks);
}

async function loadIntegrations(tokens, hooks) {
  const [{ tokens: list }, { webhooks }] = await Promise.all([api("GET", "/tokens"), api("GET", "/webhooks")]);
  tokens.replaceChildren(...list.map((t) => el("tr", { "data-token": t.name },
    el("td", { text: t.name }), el("td", { text: t.scopes.join(", ") }),
    el("td", { text: t.revoked_at ? "revoked" : `last used ${when(t.last_used_at)}` }),
    el("td", {}, t.revoked_at ? null : el("button", { class: "danger", type: "button", text: "Revoke",
      onclick: async () => { await api("DELETE", `/tokens/${encodeURIComponent(t.id)}`); loadIntegrations(tokens, hooks); } })))));
  hooks.replaceChildren(...webhooks.map((w) => el("tr", { "data-webhook": w.name },
    el("td", { text: w.name }), el("td", { text: w.url }), el("td", { text: w.min_severity }),
    el("td", {}, el("button", { class: "danger", type: "button", text: "Remove",
      onclick: async () => { await api("DELETE", `/webhooks/${encodeURIComponent(w.id)}`); loadIntegrations(tokens, hooks); } })))));
}

boot();
