#!/usr/bin/env bash
# The web dashboard (/ui/), in a real browser: a machine boots part of the way like in
# test_timeline_api.sh (udhcpc with PXE's vendor class, TFTP of the loader, an HTTP Range of the
# root file system), then headless Chromium, run in the client namespace, loads /ui/ and its
# DOM after the first fetches must show the status header (version, machine and lease counts)
# and the machine's row at stage rootfs, completed, with no JavaScript error. Then, with a config
# that has an API token and a profile, the boot settings form is filled and sent in the browser
# (driven through --remote-debugging-pipe): a wrong token shows the API's 401, the right one
# saves the host, which the API then holds. A load with the machine selected (#mac=...) shows
# its timeline and the saved settings, and is screenshot (docs/dashboard.png comes from a real
# QEMU boot instead: tests/e2e/test_bios_http.sh with PXED_UPDATE_SCREENSHOT=1).
#
# The page is loaded with ?live=poll for --dump-dom and --screenshot: --virtual-time-budget waits
# for pending requests, and an open server-sent event stream never ends. The live view (the
# stream) is checked in a browser driven through --remote-debugging-pipe instead.
source "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
command -v python3 >/dev/null || die "python3 is missing (scripts/setup.sh test)"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[[ -n $CHROMIUM ]] || die "chromium is missing: this test needs it (scripts/setup.sh test installs it)"
sys_setup
MAC=52:54:00:71:3e:01
ROW_ID=machine-52-54-00-71-3e-01
ip -n "$CLI_NS" link set vc address "$MAC"
head -c 300000 /dev/urandom >"$ROOT/pxelinux.0"
head -c 2000000 /dev/urandom >"$ROOT/rootfs.img"
start_pxed --boot-file bios=pxelinux.0
cd "$WORK"
api="http://$SERVER_IP/api/v1"
ui="http://$SERVER_IP/ui/"

cat >"$WORK/udhcpc.sh" <<'SH'
#!/bin/sh
case "$1" in bound) echo "$ip" >"$LEASE_OUT"; ip addr add "$ip/24" dev "$interface" ;; esac
exit 0
SH
chmod +x "$WORK/udhcpc.sh"
in_cli env LEASE_OUT="$WORK/ip.txt" timeout 20 busybox udhcpc -i vc -n -q -f -t 5 -T 1 \
  -V PXEClient:Arch:00000:UNDI:002001 -s "$WORK/udhcpc.sh" >udhcpc.out 2>&1 ||
  { cat udhcpc.out; die "udhcpc got no lease"; }
IP=$(cat ip.txt)
in_cli timeout 10 tftp "$SERVER_IP" -m binary -c get pxelinux.0 got.0 || die "TFTP get of pxelinux.0 failed"
cmp -s got.0 "$ROOT/pxelinux.0" || die "TFTP gave a different pxelinux.0"
in_cli timeout 10 curl -sS -f -o part.img -r 0-1048575 "http://$SERVER_IP/rootfs.img" || die "HTTP range GET failed"
log "boot steps done by $MAC at $IP"

# The last event may land just after curl returns: wait (at most 2 s) for the machine to show it.
at_rootfs() {
  python3 -c 'import json, sys
m = [x for x in json.load(open(sys.argv[1]))["machines"] if x["mac"] == sys.argv[2]]
sys.exit(0 if m and m[0]["stage"] == "rootfs" and m[0]["completed"] else 1)' machines.json "$MAC"
}
for _ in $(seq 1 20); do
  in_cli timeout 10 curl -sS -f -o machines.json "$api/machines" || die "GET machines failed"
  at_rootfs && break
  sleep 0.1
done
at_rootfs || { cat machines.json; die "the API does not show $MAC at rootfs, completed"; }
in_cli timeout 10 curl -sS -f -o status.json "$api/status" || die "GET status failed"
VERSION=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' status.json)

# The page's files, with types a browser accepts (a stylesheet that is not text/css is ignored).
# type_of PATH: prints the Content-Type of a GET of /ui/PATH, failing the test unless it is 200.
type_of() {
  local out
  out=$(in_cli timeout 10 curl -sS -f -o /dev/null -w '%{content_type}' "$ui$1") || die "GET /ui/$1 failed"
  echo "$out"
}
[[ $(type_of "") == text/html* ]] || die "/ui/ is not text/html"
[[ $(type_of app.js) == *javascript* ]] || die "/ui/app.js is not JavaScript"
[[ $(type_of style.css) == text/css* ]] || die "/ui/style.css is not text/css"
in_cli timeout 10 curl -sS -f "$ui" | cmp -s - "$REPO/web/index.html" || die "/ui/ is not web/index.html"
log "/ui/, app.js and style.css served with their types"

# browser ARGS...: headless Chromium in the client namespace, console messages on stderr.
mkdir -p "$WORK/home"
browser() {
  in_cli env HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache" \
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chrome" \
    --no-first-run --disable-extensions --disable-sync --disable-background-networking \
    --disable-component-update --enable-logging=stderr --v=0 --virtual-time-budget=8000 "$@"
}
# no_console_errors LOG: the page's own console must stay silent (uncaught errors land there).
no_console_errors() {
  if grep -F "CONSOLE" "$1" | grep -F "http://$SERVER_IP/"; then
    die "the page wrote to the console (above)"
  fi
}
# check_dom FILE PYTHON: runs PYTHON with `e` a dict id -> (tag, attrs, text) of FILE's elements
# and `body`, `html` their attributes; a failed assert fails the test.
check_dom() {
  python3 - "$1" "$2" <<'PY' || die "unexpected DOM in $1"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.e, self.stack, self.tags = {}, [], {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("html", "body"):
            self.tags[tag] = a
        if tag in ("meta", "link", "input", "br", "img", "hr"):
            if "id" in a: self.e[a["id"]] = [tag, a, ""]
            return
        self.stack.append([tag, a, ""])
        if "id" in a: self.e[a["id"]] = self.stack[-1]
    def handle_endtag(self, tag):
        while self.stack:
            t = self.stack.pop()
            if self.stack: self.stack[-1][2] += t[2]
            if t[0] == tag: break
    def handle_data(self, data):
        if self.stack: self.stack[-1][2] += data
p = P()
p.feed(open(sys.argv[1]).read())
while p.stack: p.handle_endtag(p.stack[-1][0])
e, body, html = p.e, p.tags.get("body", {}), p.tags.get("html", {})
try:
    exec(sys.argv[2])
except AssertionError as x:
    print("assertion failed:", x)
    print("body:", body, "html:", html)
    sys.exit(1)
PY
}

browser --dump-dom "$ui?live=poll" >dom.html 2>chrome.log || { tail -n 20 chrome.log; die "chromium failed on /ui/"; }
no_console_errors chrome.log
check_dom dom.html "
assert body.get('data-ready') == '1', 'the first machines fetch was not rendered'
assert 'data-js-error' not in html, html.get('data-js-error')
assert body.get('data-live') == 'polling', body
row = e.get('$ROW_ID')
assert row and row[0] == 'tr', 'no row $ROW_ID'
a = row[1]
assert a.get('data-mac') == '$MAC', a
assert a.get('data-stage') == 'rootfs', a
assert a.get('data-completed') == 'true', a
assert '$IP' in row[2] and 'HTTP /rootfs.img 206 0-1048575' in row[2], row[2]
assert e['status-version'][2].strip() == '$VERSION', e['status-version']
assert int(e['status-machines'][2]) >= 1, e['status-machines']
assert e['status-leases'][2].strip() == '1', e['status-leases']
assert e['status'][1].get('data-version') == '$VERSION', e['status']
assert '$MAC' in e['leases-body'][2] and '$IP' in e['leases-body'][2], e['leases-body']
assert 'No profiles' in e['profiles'][2], e['profiles']
"
log "dashboard: status header ($VERSION), $MAC at rootfs and completed, the lease; no JavaScript error"

# A restart with a config file: the API token and a profile; the timeline is kept.
stop_pxed
TOKEN="tok-$RANDOM-$RANDOM"
echo "$TOKEN" >"$WORK/api-token"
cat >"$WORK/pxed.toml" <<TOML
interfaces = ["vs"]
root = "$ROOT"
[dhcp]
lease-db = "$WORK/leases.db"
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["vs"]
pools = ["$DHCP_RANGE"]
[[boot.profile]]
name = "rescue"
loader = "pxelinux"
kernel = "rescue/vmlinuz"
[api]
token-file = "api-token"
TOML
start_pxed_with --config "$WORK/pxed.toml"

# cdp.py URL EXPRESSION CHROMIUM_ARGS...: opens URL in headless Chromium driven through
# --remote-debugging-pipe (JSON messages ending in NUL on fds 3 and 4), waits for it to load,
# evaluates EXPRESSION (a promise) there and prints its value as JSON.
cat >"$WORK/cdp.py" <<'PY'
import json, os, subprocess, sys, time
url, expression = sys.argv[1:3]
r3, w3 = os.pipe()  # Chromium reads commands from its fd 3
r4, w4 = os.pipe()  # and writes answers to its fd 4
def child_fds():  # r3 or w4 may already be 3 or 4: move them out of the way first
    a, b = os.dup(r3), os.dup(w4)
    os.dup2(a, 3); os.dup2(b, 4)
    os.set_inheritable(3, True); os.set_inheritable(4, True)
proc = subprocess.Popen(sys.argv[3:] + ["--remote-debugging-pipe", "about:blank"], close_fds=False,
                        preexec_fn=child_fds, stdout=subprocess.DEVNULL)
os.close(r3); os.close(w4)
out = os.fdopen(w3, "wb", buffering=0)
inp = os.fdopen(r4, "rb", buffering=0)
buf, next_id = b"", 0
def call(method, params=None, session=None):
    global buf, next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params or {}}
    if session: msg["sessionId"] = session
    out.write(json.dumps(msg).encode() + b"\0")
    while True:
        while b"\0" not in buf:
            chunk = inp.read(65536)
            if not chunk: sys.exit("chromium closed its debugging pipe")
            buf += chunk
        line, buf = buf.split(b"\0", 1)
        m = json.loads(line)
        if m.get("id") == next_id:
            if "error" in m:
                if method == "Runtime.evaluate": return {"exceptionDetails": m["error"]}
                sys.exit("%s: %s" % (method, m["error"]))
            return m["result"]
try:
    target = call("Target.createTarget", {"url": url})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for _ in range(100):  # at most 10 s
        r = call("Runtime.evaluate", {"expression": "location.href + ' ' + document.readyState",
                                      "returnByValue": True}, session)
        if r.get("result", {}).get("value") == url + " complete": break
        time.sleep(0.1)
    else:
        sys.exit("the page did not load within 10 s")
    r = call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                  "returnByValue": True}, session)
    if "exceptionDetails" in r: sys.exit("the expression failed: %s" % json.dumps(r["exceptionDetails"])[:800])
    print(json.dumps(r["result"].get("value")))
finally:
    try:
        call("Browser.close")
    except (SystemExit, OSError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
PY
# save_host TOKEN: fills the machine's form on the page (profile rescue, host name node9, labels
# "lab, rack 2", boot once) with TOKEN and sends it; prints {"message": ..., "error": ...}.
save_host() {
  local expr
  expr=$(cat <<JS
(async () => {
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const \$ = (id) => document.getElementById(id);
  for (let i = 0; i < 100 && \$("host-form").dataset.exists === undefined; i++) await wait(100);
  \$("host-profile").value = "rescue";
  \$("host-hostname").value = "node9";
  \$("host-labels").value = " lab, rack 2 ,, ";
  \$("host-boot-once").checked = true;
  \$("api-token").value = "$1";
  \$("host-message").textContent = "";
  \$("host-form").requestSubmit();
  for (let i = 0; i < 100 && !/^(Saved|Not saved)/.test(\$("host-message").textContent); i++) await wait(100);
  return {message: \$("host-message").textContent, error: document.documentElement.dataset.jsError || null};
})()
JS
)
  in_cli env HOME="$WORK/home" timeout 60 python3 "$WORK/cdp.py" "$ui?live=poll#mac=$MAC" "$expr" \
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chrome" --no-first-run \
    --disable-extensions --disable-sync --disable-background-networking --disable-component-update \
    2>cdp.log || { tail -n 20 cdp.log; die "driving chromium failed"; }
}
save_host wrong >form.json
check_json() {
  python3 - "$1" "$2" <<'PY' || { cat "$1"; die "unexpected JSON in $1"; }
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
PY
}
check_json form.json "assert d['message'].startswith('Not saved: 401: ') and not d['error'], d"
in_cli timeout 10 curl -sS -o host.json -w '%{http_code}' "$api/hosts/$MAC" | grep -qx 404 ||
  die "a refused PUT left a host"
save_host "$TOKEN" >form.json
check_json form.json "assert d['message'].startswith('Saved') and not d['error'], d"
in_cli timeout 10 curl -sS -f -o host.json "$api/hosts/$MAC" || die "the host saved by the page is not there"
check_json host.json "
assert d['profile'] == 'rescue' and d['hostname'] == 'node9', d
assert d['labels'] == ['lab', 'rack 2'] and d['boot_once'] is True, d
"
log "the boot settings form: the API's 401 shown for a wrong token; saved with the right one"

# The machine selected: its timeline, newest last, and the boot settings form.
browser --dump-dom "$ui?live=poll#mac=$MAC" >detail.html 2>chrome.log ||
  { tail -n 20 chrome.log; die "chromium failed on the machine's page"; }
no_console_errors chrome.log
check_dom detail.html "
assert body.get('data-ready') == '1' and 'data-js-error' not in html, (body, html)
d = e['machine-detail']
assert 'hidden' not in d[1] and d[1].get('data-mac') == '$MAC', d[1]
t = e['timeline-body'][2]
assert 'TFTP pxelinux.0 293 KB' in t and 'HTTP /rootfs.img 206 0-1048575' in t, t
assert t.index('DHCP offer $IP') < t.index('TFTP pxelinux.0') < t.index('HTTP /rootfs.img'), t
assert 'rules decide' in e['host-profile'][2] and 'rescue' in e['host-profile'][2], e['host-profile']
assert e['host-form'][1].get('data-exists') == 'true', e['host-form']
assert 'rescue' in e['profiles'][2], e['profiles']
"
log "the machine's timeline (DHCP, TFTP, HTTP in order) and its boot settings form"

# Live: the page without ?live=poll takes the server-sent event stream; a step the machine
# takes while the page is open (the browser itself fetches a range of the root file system,
# from the machine's address) shows up in its timeline and its row without a reload.
live_expr=$(cat <<'JS'
(async () => {
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const $ = (id) => document.getElementById(id);
  for (let i = 0; i < 100 && document.body.dataset.live !== "stream"; i++) await wait(100);
  const mode = document.body.dataset.live;
  for (let i = 0; i < 100 && !$("timeline-body").textContent.includes("TFTP pxelinux.0"); i++) await wait(100);
  const response = await fetch("/rootfs.img", { headers: { Range: "bytes=100-199" }, cache: "no-store" });
  await response.arrayBuffer();
  let seen = false;
  for (let i = 0; i < 100 && !(seen = $("timeline-body").textContent.includes("HTTP /rootfs.img 206 100-199")); i++) await wait(100);
  const row = document.querySelector("tr[data-mac]");
  return { mode, status: response.status, seen, row: row ? row.textContent : null,
           error: document.documentElement.dataset.jsError || null };
})()
JS
)
in_cli env HOME="$WORK/home" timeout 60 python3 "$WORK/cdp.py" "$ui#mac=$MAC" "$live_expr" \
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chrome" --no-first-run \
  --disable-extensions --disable-sync --disable-background-networking --disable-component-update \
  2>cdp.log >live.json || { tail -n 20 cdp.log; die "driving chromium failed"; }
check_json live.json "
assert d['mode'] == 'stream' and d['status'] == 206 and not d['error'], d
assert d['seen'], d
assert 'HTTP /rootfs.img 206 100-199' in d['row'], d
"
expect_log '"GET /api/v1/events/stream\?after=[0-9]+" 200 stream begins'
log "live: the page follows the event stream; a new step shows in the timeline and the row"

browser --screenshot="$WORK/dashboard.png" --window-size=1280,800 "$ui?live=poll#mac=$MAC" \
  >/dev/null 2>chrome.log || { tail -n 20 chrome.log; die "chromium took no screenshot"; }
no_console_errors chrome.log
[[ $(head -c 8 "$WORK/dashboard.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
  die "the screenshot is not a PNG"
stop_pxed
log PASS
