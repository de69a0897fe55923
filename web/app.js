// pxed dashboard: the status, the machines and where their boots got to, one machine's timeline
// and boot settings, the leases and the profiles. Plain JavaScript, no build step, no library;
// everything comes from the REST API on the same origin (/api/v1, see src/api/rest_api.h).
//
// Live updates. The page first tries server-sent events:
// `new EventSource("/api/v1/events/stream?after=LAST_ID")` (src/api/event_stream.h), whose "boot"
// messages carry one timeline event as JSON, the same object as an element of /api/v1/events'
// "events", each followed by a "machine" message with that machine's summary (as in
// /api/v1/machines), which updates its row at once. If the stream fails, or has not opened within 3 s, the page falls
// back to polling `GET /api/v1/events?after=LAST_ID&limit=1000` every 2 s. Whenever new events
// arrive (either way), the machines, the status and the leases are fetched again and the open
// timeline gets the new events of its machine. A stream that was open and then broke is tried
// again after 30 s (polling meanwhile); one that never opened is not: the server has none.
//
// `/ui/?live=poll` skips the stream and polls from the start. Headless tests need it once the
// server has a stream: Chromium's --virtual-time-budget waits for pending requests, and an open
// event stream never ends, so --dump-dom would never come.
//
// For tests: <body data-ready="1"> once the first machines fetch has been rendered, and each
// machine row is <tr id="machine-52-54-00-71-3e-01" data-mac="52:54:00:71:3e:01"
// data-stage="rootfs" data-completed="true" data-outcome="ok">. The updates mode is in
// <body data-live="stream|polling">.
"use strict";

// Any uncaught error is marked on <html data-js-error="..."> for tests and people alike.
window.addEventListener("error", (e) => {
  document.documentElement.dataset.jsError = String(e.message || e.type);
});
window.addEventListener("unhandledrejection", (e) => {
  document.documentElement.dataset.jsError = String((e.reason && e.reason.message) || e.reason);
});

(() => {
  const API = "/api/v1";
  const STREAM_URL = API + "/events/stream";
  const STREAM_OPEN_TIMEOUT_MS = 3000;
  const POLL_INTERVAL_MS = 2000;
  const STREAM_RETRY_MS = 30000;
  const TIMELINE_LIMIT = 300;
  const TOKEN_KEY = "pxed.api-token";

  // The boot stages in the order a network boot goes through them (timeline/event.h).
  const STAGES = ["dhcp_discover", "dhcp_offer", "dhcp_ack", "loader", "boot_config", "kernel",
    "initrd", "rootfs", "os_dhcp"];
  const STAGE_NAMES = {
    dhcp_discover: "DHCP discover", dhcp_offer: "DHCP offer", dhcp_ack: "DHCP ack",
    loader: "loader", boot_config: "boot config", kernel: "kernel", initrd: "initrd",
    rootfs: "root fs", os_dhcp: "OS DHCP", other: "none",
  };

  const state = {
    machines: [],
    profiles: [],
    selected: null,        // MAC of the machine shown in detail
    timeline: [],          // its events, oldest first
    lastId: 0,             // the newest event id seen
    clockOffsetMs: 0,      // server clock minus ours, from /status
    uptimeS: null,
    uptimeAt: 0,           // performance.now() when uptimeS was read
    live: "starting",
    polling: false,
  };

  const $ = (id) => document.getElementById(id);

  // el("td", {class: "x", dataset: {mac: m}}, "text", childNode...)
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "dataset") Object.assign(node.dataset, v);
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c === undefined || c === null) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // The JSON answer of the API; an ApiError with the API's own reason when it refuses.
  async function api(path, options) {
    let response;
    try {
      response = await fetch(API + path, Object.assign({ cache: "no-store" }, options));
    } catch (e) {
      throw new ApiError(0, "cannot reach pxed (" + e.message + ")");
    }
    if (response.status === 204) return null;
    let body = null;
    const text = await response.text();
    try {
      body = text ? JSON.parse(text) : null;
    } catch (e) {
      if (response.ok) throw new ApiError(response.status, "the API answered no JSON");
    }
    if (!response.ok) {
      const reason = body && body.error ? body.error : response.statusText || "no reason given";
      throw new ApiError(response.status, response.status + ": " + reason);
    }
    return body;
  }

  function showError(message) {
    const p = $("error");
    if (message) {
      p.textContent = message;
      p.hidden = false;
    } else {
      p.hidden = true;
      p.textContent = "";
    }
  }

  // ---- Times ----

  const serverNow = () => Date.now() + state.clockOffsetMs;

  function relative(ms) {
    const diff = serverNow() - ms;
    const future = diff < 0;
    let s = Math.round(Math.abs(diff) / 1000);
    let text;
    if (s < 5) return "just now";
    if (s < 60) text = s + " s";
    else if (s < 3600) text = Math.floor(s / 60) + " min";
    else if (s < 86400) text = Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
    else text = Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
    return future ? "in " + text : text + " ago";
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60), r = s % 60;
    if (d) return d + " d " + h + " h";
    if (h) return h + " h " + m + " min";
    if (m) return m + " min " + r + " s";
    return r + " s";
  }

  // <time> whose text is relative ("2 min ago") and refreshed by tick(); the exact time in title.
  function timeNode(ms) {
    if (!Number.isFinite(ms) || ms <= 0) return el("span", {}, "—");
    const iso = new Date(ms).toISOString();
    return el("time", { datetime: iso, title: iso, "data-ms": ms, class: "rel" }, relative(ms));
  }

  function clockTime(ms) {
    const d = new Date(ms);
    const pad = (n, w = 2) => String(n).padStart(w, "0");
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." +
      pad(d.getMilliseconds(), 3);
  }

  function tick() {
    for (const t of document.querySelectorAll("time.rel")) t.textContent = relative(Number(t.dataset.ms));
    if (state.uptimeS !== null) {
      $("status-uptime").textContent =
        duration(state.uptimeS + (performance.now() - state.uptimeAt) / 1000);
    }
  }

  // ---- Rendering ----

  const rowId = (mac) => "machine-" + mac.replace(/:/g, "-");

  function outcomeNode(outcome) {
    const o = ["ok", "failed", "info"].includes(outcome) ? outcome : "info";
    return el("span", { class: "outcome " + o }, o);
  }

  function stageNode(stage) {
    const index = STAGES.indexOf(stage);
    const label = STAGE_NAMES[stage] || stage || "none";
    const wrap = el("span", { class: "stage", title: index >= 0 ?
      "stage " + (index + 1) + " of " + STAGES.length + ": " + stage : "no boot stage yet" });
    wrap.append(el("span", { class: "name" }, label));
    wrap.append(el("progress", { max: STAGES.length, value: index + 1,
      "aria-label": "boot progress " + (index + 1) + " of " + STAGES.length }));
    return wrap;
  }

  function renderStatus(s) {
    $("status-version").textContent = s.version || "?";
    state.uptimeS = Number(s.uptime_s) || 0;
    state.uptimeAt = performance.now();
    const started = Date.parse(s.started_at);
    if (Number.isFinite(started)) state.clockOffsetMs = started + state.uptimeS * 1000 - Date.now();
    $("status-uptime").textContent = duration(state.uptimeS);
    $("status-machines").textContent = s.machines !== undefined ? String(s.machines) : "timeline off";
    $("status-leases").textContent = s.leases_active !== undefined ? String(s.leases_active) : "no DHCP";
    const header = $("status");
    header.dataset.version = s.version || "";
    header.dataset.machines = s.machines !== undefined ? String(s.machines) : "";
    header.dataset.leasesActive = s.leases_active !== undefined ? String(s.leases_active) : "";
    if (s.config_digest) header.title = "config " + s.config_digest;
  }

  function machineRow(m) {
    const completed = m.completed ? "true" : "false";
    const row = el("tr", {
      id: rowId(m.mac),
      class: m.last_outcome === "failed" ? "failed" : null,
      "aria-selected": m.mac === state.selected ? "true" : "false",
      dataset: { mac: m.mac, stage: m.stage || "other", completed, outcome: m.last_outcome || "" },
    });
    row.append(
      el("th", { scope: "row", class: "mono" },
        el("a", { href: "#mac=" + m.mac, title: "timeline and boot settings of " + m.mac }, m.mac)),
      el("td", { class: "mono" }, m.ip || "—"),
      el("td", {}, stageNode(m.stage)),
      el("td", {}, outcomeNode(m.last_outcome)),
      el("td", { class: "summary" }, m.last_summary || ""),
      el("td", {}, m.completed ? "yes" : "no"),
      el("td", {}, timeNode(Date.parse(m.last_seen))),
    );
    return row;
  }

  function renderMachines() {
    const body = $("machines-body");
    const focused = body.contains(document.activeElement) ?
      document.activeElement.closest("tr")?.dataset.mac : null;
    const rows = state.machines.map(machineRow);
    if (!rows.length) {
      rows.push(el("tr", { class: "empty" }, el("td", { colspan: 7 },
        "No machine seen yet: machines show up with their first DHCP request.")));
    }
    body.replaceChildren(...rows);
    if (focused) document.querySelector("#" + rowId(focused) + " a")?.focus();
  }

  function renderLeases(leases) {
    const rows = leases.map((l) => el("tr", { dataset: { mac: l.mac, active: l.active ? "true" : "false" } },
      el("td", { class: "mono" }, l.address),
      el("td", { class: "mono" }, l.mac),
      el("td", {}, l.hostname || "—"),
      el("td", {}, timeNode(l.expires_at * 1000)),
      el("td", {}, l.active ? "yes" : "no")));
    if (!rows.length) rows.push(el("tr", { class: "empty" }, el("td", { colspan: 5 }, "No leases.")));
    $("leases-body").replaceChildren(...rows);
  }

  function renderProfiles() {
    const items = state.profiles.map((p) => {
      const parts = [p.loader];
      if (p.kernel) parts.push("kernel " + p.kernel);
      if (p.initrds && p.initrds.length) parts.push(p.initrds.length + " initrd");
      if (p.rootfs_url) parts.push("root fs " + p.rootfs_url);
      return el("li", { dataset: { profile: p.name } }, el("strong", {}, p.name), " — " + parts.join(", "),
        p.defined_at ? el("span", { class: "hint" }, " (" + p.defined_at + ")") : null);
    });
    if (!items.length) items.push(el("li", { class: "empty" }, "No profiles: the rules and defaults decide what each machine boots."));
    $("profiles").replaceChildren(...items);

    const select = $("host-profile");
    const keep = select.value;
    select.replaceChildren(el("option", { value: "" }, "rules decide"),
      ...state.profiles.map((p) => el("option", { value: p.name }, p.name + " (" + p.loader + ")")));
    setProfileChoice(keep);
  }

  function setProfileChoice(name) {
    const select = $("host-profile");
    if (name && ![...select.options].some((o) => o.value === name)) {
      select.append(el("option", { value: name }, name + " (not in the config)"));
    }
    select.value = name || "";
  }

  function timelineRow(e) {
    return el("tr", { class: e.outcome === "failed" ? "failed" : null,
      dataset: { id: e.id, stage: e.stage, outcome: e.outcome } },
      el("td", {}, el("time", { datetime: e.at, title: e.at }, clockTime(e.at_ms))),
      el("td", {}, e.protocol),
      el("td", {}, STAGE_NAMES[e.stage] || e.stage),
      el("td", {}, outcomeNode(e.outcome)),
      el("td", { class: "summary" }, e.summary));
  }

  function renderTimeline() {
    const rows = state.timeline.map(timelineRow);
    if (!rows.length) rows.push(el("tr", { class: "empty" }, el("td", { colspan: 5 }, "No events kept for this machine.")));
    $("timeline-body").replaceChildren(...rows);
  }

  // ---- Loading ----

  async function loadStatus() {
    const s = await api("/status");
    renderStatus(s);
    return s;
  }

  async function loadMachines() {
    const d = await api("/machines");
    state.machines = d.machines || [];
    renderMachines();
  }

  async function loadLeases() {
    const d = await api("/leases");
    renderLeases(d.leases || []);
  }

  async function loadProfiles() {
    const d = await api("/profiles");
    state.profiles = d.profiles || [];
    renderProfiles();
  }

  // Errors of a background load go to the banner; a success clears it.
  function quietly(promise) {
    return promise.then(() => showError(null), (e) => showError(e.message));
  }

  let refreshTimer = null;
  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      quietly(Promise.all([loadMachines(), loadStatus(), loadLeases()]));
    }, 250);
  }

  // ---- One machine ----

  async function selectMachine(mac) {
    state.selected = mac;
    for (const row of document.querySelectorAll("#machines-body tr[data-mac]")) {
      row.setAttribute("aria-selected", row.dataset.mac === mac ? "true" : "false");
    }
    const section = $("machine-detail");
    if (!mac) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    section.dataset.mac = mac;
    $("detail-title").textContent = "Machine " + mac;
    $("host-message").textContent = "";
    state.timeline = [];
    $("timeline-body").replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: 5 }, "Loading…")));
    try {
      const d = await api("/events?mac=" + encodeURIComponent(mac) + "&limit=" + TIMELINE_LIMIT);
      if (state.selected !== mac) return;
      state.timeline = d.events || [];
      renderTimeline();
    } catch (e) {
      $("timeline-body").replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: 5 }, e.message)));
    }
    fillHostForm(mac);
  }

  async function fillHostForm(mac) {
    let host = null;
    try {
      host = await api("/hosts/" + mac);
    } catch (e) {
      if (e.status !== 404) setFormMessage("failed", "Cannot read the host record: " + e.message);
    }
    if (state.selected !== mac) return;
    setProfileChoice(host ? host.profile : "");
    $("host-hostname").value = host ? host.hostname || "" : "";
    $("host-labels").value = host && host.labels ? host.labels.join(", ") : "";
    $("host-boot-once").checked = !!(host && host.boot_once);
    $("host-form").dataset.exists = host ? "true" : "false";
  }

  function setFormMessage(kind, text) {
    const m = $("host-message");
    m.className = kind || "";
    m.textContent = text;
  }

  async function saveHost(event) {
    event.preventDefault();
    const mac = state.selected;
    if (!mac) return;
    const token = $("api-token").value.trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
    const body = {
      profile: $("host-profile").value,
      hostname: $("host-hostname").value.trim(),
      labels: $("host-labels").value.split(",").map((s) => s.trim()).filter((s) => s),
      boot_once: $("host-boot-once").checked,
    };
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    const button = event.target.querySelector("button");
    button.disabled = true;
    setFormMessage("", "Saving…");
    try {
      const host = await api("/hosts/" + mac,
        { method: "PUT", headers, body: JSON.stringify(body) });
      setFormMessage("ok", "Saved" + (host && host.boot_once ? ": boots from the network once" : "") + ".");
      $("host-form").dataset.exists = "true";
    } catch (e) {
      let text = e.message;
      if (e.status === 401) text += token ? " (is the token right?)" : " (enter the API token)";
      if (e.status === 403) text += " (the server has no api.token: writes are off)";
      setFormMessage("failed", "Not saved: " + text);
    } finally {
      button.disabled = false;
    }
  }

  function selectFromHash() {
    const m = /^#mac=([0-9a-fA-F:]{17})$/.exec(location.hash);
    const mac = m ? m[1].toLowerCase() : null;
    if (mac !== state.selected) selectMachine(mac);
  }

  // ---- Live updates ----

  function setLive(mode, why) {
    state.live = mode;
    document.body.dataset.live = mode;
    const text = mode === "stream" ? "live (server-sent events)" :
      mode === "polling" ? "polling every " + POLL_INTERVAL_MS / 1000 + " s" : mode;
    $("status-live").textContent = text;
    $("status-live").title = why || "";
  }

  function takeEvents(events) {
    let fresh = false;
    for (const e of events) {
      if (!e || typeof e.id !== "number") continue;
      if (e.id > state.lastId) state.lastId = e.id;
      fresh = true;
      if (state.selected && e.mac === state.selected && !state.timeline.some((t) => t.id === e.id)) {
        state.timeline.push(e);
        state.timeline.sort((a, b) => a.id - b.id);
        if (state.timeline.length > TIMELINE_LIMIT) state.timeline.splice(0, state.timeline.length - TIMELINE_LIMIT);
        renderTimeline();
      }
    }
    if (fresh) refreshSoon();
  }

  async function pollOnce() {
    const d = await api("/events?after=" + state.lastId + "&limit=1000");
    const events = d.events || [];
    if (typeof d.last_id === "number" && d.last_id < state.lastId) {
      state.lastId = d.last_id;  // a new timeline (the server lost its events): start over
      refreshSoon();
      if (state.selected) selectMachine(state.selected);
    }
    takeEvents(events);
  }

  function startPolling(why) {
    setLive("polling", why);
    if (state.polling) return;
    state.polling = true;
    const loop = async () => {
      if (state.live !== "polling") {
        state.polling = false;
        return;
      }
      await quietly(pollOnce());
      setTimeout(loop, POLL_INTERVAL_MS);
    };
    setTimeout(loop, POLL_INTERVAL_MS);
  }

  function startStream() {
    if (typeof EventSource !== "function") return startPolling("this browser has no EventSource");
    let source;
    try {
      source = new EventSource(STREAM_URL + "?after=" + state.lastId);
    } catch (e) {
      return startPolling("no event stream: " + e.message);
    }
    let opened = false;
    let done = false;
    const fallBack = (why) => {
      if (done) return;
      done = true;
      clearTimeout(openTimer);
      source.close();
      startPolling(why);
      if (opened) setTimeout(startStream, STREAM_RETRY_MS);
    };
    const openTimer = setTimeout(() => {
      if (!opened) fallBack("the event stream did not open within " + STREAM_OPEN_TIMEOUT_MS / 1000 + " s");
    }, STREAM_OPEN_TIMEOUT_MS);
    source.onopen = () => {
      if (done) return;
      opened = true;
      clearTimeout(openTimer);
      setLive("stream", STREAM_URL);
      // What happened since the page loaded comes first: the stream replays after=LAST_ID.
    };
    source.onerror = () => fallBack(opened ? "the event stream broke" : "no event stream on this server");
    const onMessage = (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch (e) {
        return;  // a comment or keep-alive
      }
      takeEvents(Array.isArray(data.events) ? data.events : [data]);
    };
    source.onmessage = onMessage;
    source.addEventListener("boot", onMessage);
    source.addEventListener("machine", (message) => {
      let m;
      try {
        m = JSON.parse(message.data);
      } catch (e) {
        return;
      }
      if (!m || typeof m.mac !== "string") return;
      const at = state.machines.findIndex((x) => x.mac === m.mac);
      if (at >= 0) state.machines[at] = m;
      else state.machines.push(m), state.machines.sort((a, b) => (a.mac < b.mac ? -1 : 1));
      renderMachines();
    });
  }

  // ---- Start ----

  async function start() {
    $("api-token").value = sessionStorage.getItem(TOKEN_KEY) || "";
    $("host-form").addEventListener("submit", saveHost);
    $("machines-body").addEventListener("click", (event) => {
      const row = event.target.closest("tr[data-mac]");
      if (!row || event.target.closest("a")) return;  // the link sets the hash itself
      location.hash = "mac=" + row.dataset.mac;
    });
    window.addEventListener("hashchange", selectFromHash);

    // The status and the machines first, so the page has something to show at once.
    const status = loadStatus().catch((e) => {
      showError(e.message);
      return null;
    });
    try {
      await loadMachines();
      document.body.dataset.ready = "1";
    } catch (e) {
      showError(e.message);
      document.body.dataset.ready = "error";
      $("machines-body").replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: 7 }, e.message)));
    }
    const s = await status;
    if (s && s.events && typeof s.events.last_id === "number") state.lastId = s.events.last_id;
    else if (s) state.lastId = state.machines.reduce((a, m) => Math.max(a, m.last_event_id || 0), 0);
    await quietly(Promise.all([loadLeases().catch((e) => {
      $("leases-body").replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: 5 }, e.message)));
    }), loadProfiles()]));
    selectFromHash();
    setInterval(tick, 5000);
    setInterval(() => quietly(Promise.all([loadStatus(), loadMachines(), loadLeases()])), 60000);
    if (new URLSearchParams(location.search).get("live") === "poll") startPolling("asked for by ?live=poll");
    else startStream();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
