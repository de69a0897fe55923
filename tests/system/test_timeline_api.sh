#!/usr/bin/env bash
# The boot timeline and the read side of the REST API, against real clients: udhcpc (with PXE's
# vendor class) takes an address, tftp-hpa fetches the loader and misses a config file, curl
# fetches the root file system with a Range; /api/v1/events then holds those steps for the
# machine's MAC, in order, with the summaries the dashboard shows, and /api/v1/machines shows its
# stage. After a restart (with a config file that sets api.token-file and a profile) the events
# are still there (they are stored in the lease database). The other endpoints answer JSON
# (status, leases, hosts, profiles), errors are JSON too (404, 405, 400 naming the bad
# parameter), none of the API traffic lands in the timeline, and hosts are written through the
# API: without the token 401, with it PUT/PATCH/DELETE work, are seen by `pxed hosts list`, and
# change what the machine boots.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || die "python3 is missing (scripts/setup.sh test)"
sys_setup
MAC=52:54:00:71:3e:01
ip -n "$CLI_NS" link set vc address "$MAC"
head -c 300000 /dev/urandom >"$ROOT/pxelinux.0"
head -c 2000000 /dev/urandom >"$ROOT/rootfs.img"
start_pxed --boot-file bios=pxelinux.0
cd "$WORK"
api="http://$SERVER_IP/api/v1"

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
# tftp-hpa's status does not tell a miss from a hit: the file it leaves behind does.
in_cli timeout 10 tftp "$SERVER_IP" -m binary -c get "pxelinux.cfg/01-52-54-00-71-3e-ff" miss.cfg >/dev/null 2>&1 || true
[[ ! -s miss.cfg ]] || die "a missing file was served"
in_cli timeout 10 curl -sS -f -o part.img -r 0-1048575 "http://$SERVER_IP/rootfs.img" || die "HTTP range GET failed"
log "boot steps done by $MAC at $IP"

# api PATH OUT: GET through curl; prints the status code.
api_get() { in_cli timeout 10 curl -sS -o "$2" -w '%{http_code}' "$api/$1"; }
# check FILE PYTHON: runs PYTHON with `d` the JSON of FILE; a failed assert fails the test.
check() {
  python3 - "$1" "$2" <<'PY' || { cat "$1"; die "unexpected JSON in $1"; }
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
PY
}

# The events of this machine: DHCP, then TFTP, then HTTP, with the summaries of the issue.
for _ in $(seq 1 20); do  # the last event may land just after curl returns; bounded: 2 s
  code=$(api_get "events?mac=$MAC" events.json)
  grep -q '"HTTP /rootfs.img' events.json && break
  sleep 0.1
done
[[ $code == 200 ]] || die "events gave $code"
check events.json "
ev = d['events']
s = [e['summary'] for e in ev]
assert all(e['mac'] == '$MAC' for e in ev), s
assert any(x.startswith('DHCP offer $IP, boot file pxelinux.0') for x in s), s
tftp = [e for e in ev if e['protocol'] == 'tftp']
assert tftp[0]['summary'].startswith('TFTP pxelinux.0 293 KB in '), s
assert tftp[0]['stage'] == 'loader' and tftp[0]['outcome'] == 'ok', tftp[0]
assert tftp[1]['summary'] == 'TFTP pxelinux.cfg/01-52-54-00-71-3e-ff: not found', s
assert tftp[1]['outcome'] == 'failed', tftp[1]
http = [e for e in ev if e['protocol'] == 'http']
assert len(http) == 1 and http[0]['summary'] == 'HTTP /rootfs.img 206 0-1048575', s
assert http[0]['stage'] == 'rootfs', http[0]
ids = [e['id'] for e in ev]
assert ids == sorted(ids), ids
order = [e['protocol'] for e in ev]
assert order.index('tftp') > max(i for i, p in enumerate(order) if p == 'dhcp'), order
assert order.index('http') > max(i for i, p in enumerate(order) if p == 'tftp'), order
"
log "events: DHCP -> TFTP pxelinux.0 -> TFTP miss -> HTTP rootfs range, by MAC"
# The same through the command line.
in_cli "$PXED" events --api "http://$SERVER_IP" --mac "$MAC" >cli.txt || die "pxed events failed"
grep -qE "$MAC +http +rootfs +ok +HTTP /rootfs.img 206 0-1048575$" cli.txt ||
  { cat cli.txt; die "pxed events does not show the HTTP step"; }
grep -qE "$MAC +tftp +loader +ok +TFTP pxelinux.0 293 KB" cli.txt || { cat cli.txt; die "pxed events does not show the loader"; }
set +e
in_cli "$PXED" events --api "http://$SERVER_IP" --mac nonsense >cli.txt 2>&1
status=$?
set -e
[[ $status == 1 ]] && grep -q "the API answered 400: mac: expected" cli.txt ||
  { cat cli.txt; die "pxed events with a bad MAC: status $status"; }
set +e
in_cli "$PXED" events --api "http://$SERVER_IP:9" >cli.txt 2>&1
status=$?
set -e
[[ $status == 2 ]] && grep -q "cannot ask the API" cli.txt || { cat cli.txt; die "pxed events without a server: status $status"; }
log "pxed events shows the same timeline; says why when the API refuses or is not there"

code=$(api_get machines machines.json)
[[ $code == 200 ]] || die "machines gave $code"
check machines.json "
m = [x for x in d['machines'] if x['mac'] == '$MAC']
assert len(m) == 1, d
assert m[0]['ip'] == '$IP' and m[0]['stage'] == 'rootfs' and m[0]['completed'], m[0]
"
code=$(api_get "machines/$MAC" machine.json)
[[ $code == 200 ]] || die "machines/MAC gave $code"
check machine.json "assert d['machine']['mac'] == '$MAC' and len(d['events']) >= 4, d"
log "machines: $MAC at stage rootfs, completed"

code=$(api_get status status.json)
[[ $code == 200 ]] || die "status gave $code"
check status.json "
assert d['version'] and d['config_digest'].startswith('fnv1a64:'), d
assert d['uptime_s'] >= 0 and d['machines'] >= 1 and d['leases_active'] == 1, d
"
code=$(api_get leases leases.json)
[[ $code == 200 ]] || die "leases gave $code"
check leases.json "assert [l for l in d['leases'] if l['mac'] == '$MAC' and l['address'] == '$IP' and l['active']], d"
code=$(api_get hosts hosts.json)
[[ $code == 200 ]] || die "hosts gave $code"
check hosts.json "assert d == {'hosts': []}, d"
code=$(api_get profiles profiles.json)
[[ $code == 200 ]] || die "profiles gave $code"
check profiles.json "assert d == {'profiles': []}, d"
log "status, leases, hosts, profiles answer JSON"

# Prometheus metrics count the same steps.
in_cli timeout 10 curl -sS -f -D metrics.head -o metrics.txt "http://$SERVER_IP/metrics" || die "GET /metrics failed"
grep -qi '^content-type: text/plain; version=0.0.4' metrics.head || die "/metrics has the wrong content type"
for line in 'pxed_dhcp_messages_total\{type="discover",reply="offer"\} 1' \
  'pxed_dhcp_messages_total\{type="request",reply="ack"\} 1' \
  'pxed_tftp_transfers_total\{outcome="ok"\} 1' 'pxed_tftp_transfers_total\{outcome="not_found"\} 1' \
  'pxed_http_requests_total\{status="206"\} 1' 'pxed_boot_stage_seconds_count\{stage="loader"\} 1' \
  'pxed_boot_stage_seconds_count\{stage="rootfs"\} 1' \
  'pxed_dhcp_leases_in_use\{subnet="198.18.0.0/24",pool="198.18.0.100-198.18.0.150"\} 1'; do
  grep -qE "^$line\$" metrics.txt || { grep -E "^pxed_(dhcp|tftp|http|boot)" metrics.txt; die "/metrics lacks $line"; }
done
log "metrics: DHCP, TFTP, HTTP counters, boot stage histograms and the pool's leases in use"

# Errors are JSON and say why.
code=$(api_get nothing err.json)
[[ $code == 404 ]] || die "an unknown endpoint gave $code"
check err.json "assert 'no such API' in d['error'], d"
code=$(api_get "events?limit=ten" err.json)
[[ $code == 400 ]] || die "a bad limit gave $code"
check err.json "assert d['error'].startswith('limit: expected a non-negative integer'), d"
code=$(in_cli timeout 10 curl -sS -o err.json -w '%{http_code}' -X DELETE "$api/hosts")
[[ $code == 405 ]] || die "DELETE gave $code"
in_cli timeout 10 curl -sS -I "$api/status" | grep -qi '^content-type: application/json' ||
  die "HEAD of status has no JSON content type"
check events.json "pass"
code=$(api_get "events?limit=0" all.json)
check all.json "assert not [e for e in d['events'] if '/api/' in e['summary'] or '/metrics' in e['summary']], 'API requests in the timeline'"
log "errors: 404, 400 with the parameter, 405; API traffic not in the timeline"

# The live stream (server-sent events): replayed from after=0, then a new TFTP step as it
# happens, each event followed by its machine's summary; Last-Event-ID resumes after that id.
# curl ends the stream itself after 4 s (-m), which pxed logs as the client leaving.
in_cli timeout 15 curl -sS -N -m 4 -o stream.txt "$api/events/stream?mac=$MAC&after=0" &
stream_pid=$!
for _ in $(seq 1 50); do grep -q 'HTTP /rootfs.img 206' stream.txt 2>/dev/null && break; sleep 0.1; done
grep -q 'HTTP /rootfs.img 206' stream.txt || { cat stream.txt; die "the stream did not replay the earlier events"; }
in_cli timeout 10 tftp "$SERVER_IP" -m binary -c get pxelinux.0 again.0 || die "second TFTP get failed"
for _ in $(seq 1 50); do grep -q 'TFTP pxelinux.0 293 KB' <(sed -n '/HTTP \/rootfs.img 206/,$p' stream.txt) && break; sleep 0.1; done
wait "$stream_pid" || true  # curl's status 28: its time limit, as planned
python3 - stream.txt "$MAC" <<'PY' || { cat stream.txt; die "the event stream is not what was expected"; }
import json, sys
text = open(sys.argv[1]).read()
assert text.startswith("retry: "), text[:40]
boots, machines, ids = [], [], []
for block in text.split("\n\n"):
    fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line and not line.startswith(":"))
    if fields.get("event") == "boot":
        e = json.loads(fields["data"])
        assert int(fields["id"]) == e["id"], block
        boots.append(e)
        ids.append(e["id"])
    elif fields.get("event") == "machine":
        machines.append(json.loads(fields["data"]))
assert all(e["mac"] == sys.argv[2] for e in boots), boots
assert ids == sorted(ids) and len(ids) == len(set(ids)), ids
s = [e["summary"] for e in boots]
i = s.index("HTTP /rootfs.img 206 0-1048575")
assert any(x.startswith("TFTP pxelinux.0 293 KB") for x in s[i + 1:]), s  # the live one
assert machines and machines[-1]["mac"] == sys.argv[2], machines
PY
last=$(grep '^id: ' stream.txt | tail -n 1 | cut -d' ' -f2)
in_cli timeout 5 curl -sS -N -o resume.txt --max-time 2 -H "Last-Event-ID: $((last - 1))" "$api/events/stream?after=0" || true
[[ $(grep -c '^id: ' resume.txt) == 1 && $(grep '^id: ' resume.txt) == "id: $last" ]] ||
  { cat resume.txt; die "Last-Event-ID $((last - 1)) did not resume with event $last alone"; }
expect_log '"GET /api/v1/events/stream\?mac=.*" 200 stream ended after [0-9]+ bytes'
log "events/stream: replay, then live events with their machine; Last-Event-ID resumes"

# A restart keeps the timeline (the lease database holds it). Now with a config file: a
# profile and the API token.
stop_pxed
echo "tok-$RANDOM-$RANDOM" >"$WORK/api-token"
TOKEN=$(cat "$WORK/api-token")
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
expect_log "timeline: [0-9]+ recent event\(s\) loaded from"
code=$(api_get "events?mac=$MAC" after.json)
[[ $code == 200 ]] || die "events after the restart gave $code"
check after.json "assert any(e['summary'] == 'HTTP /rootfs.img 206 0-1048575' for e in d['events']), d"
log "the timeline survives a restart"

# Hosts through the API. send METHOD PATH BODY OUT [TOKEN]: prints the status code.
send() {
  local auth=()
  [[ -n ${5:-} ]] && auth=(-H "Authorization: Bearer $5")
  in_cli timeout 10 curl -sS -o "$4" -w '%{http_code}' -X "$1" "${auth[@]}" \
    -H 'Content-Type: application/json' --data-binary "$3" "$api/$2"
}
code=$(send PUT "hosts/$MAC" '{"profile": "rescue"}' put.json)
[[ $code == 401 ]] || die "a PUT without the token gave $code"
code=$(send PUT "hosts/$MAC" '{"profile": "rescue"}' put.json "wrong")
[[ $code == 401 ]] || die "a PUT with a wrong token gave $code"
code=$(send PUT "hosts/$MAC" '{"profile": "nosuch"}' put.json "$TOKEN")
[[ $code == 400 ]] || die "a PUT naming an unknown profile gave $code"
check put.json "assert 'no profile named \"nosuch\" (known: rescue)' in d['error'], d"
code=$(send PUT "hosts/$MAC" '{"profile": "rescue", "labels": ["lab"], "boot_once": true, "colour": 1}' put.json "$TOKEN")
[[ $code == 400 ]] || die "a PUT with an unknown field gave $code"
code=$(send PUT "hosts/$MAC" '{"profile": "rescue", "labels": ["lab"], "boot_once": true}' put.json "$TOKEN")
[[ $code == 201 ]] || { cat put.json; die "creating a host gave $code"; }
check put.json "assert d['profile'] == 'rescue' and d['labels'] == ['lab'] and d['boot_once'], d"
# A body that arrives in two TCP segments (browsers send headers and body apart).
cat >"$WORK/split.py" <<'PY'
import socket, sys, time
host, mac, token = sys.argv[1], sys.argv[2], sys.argv[3]
body = b'{"profile": "rescue", "labels": ["lab"], "boot_once": true}'
head = (f"PUT /api/v1/hosts/{mac} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
s = socket.create_connection((host, 80), timeout=10)
s.sendall(head.encode() + body[:10])
time.sleep(0.3)
s.sendall(body[10:])
answer = b""
while True:
    part = s.recv(65536)
    if not part:
        break
    answer += part
print(answer.decode(errors="replace").split("\r\n")[0])
print(answer.decode(errors="replace").split("\r\n\r\n", 1)[-1])
PY
in_cli timeout 15 python3 "$WORK/split.py" "$SERVER_IP" "$MAC" "$TOKEN" >split.txt || die "the split PUT failed"
head -n 1 split.txt | grep -q "HTTP/1.1 200" || { cat split.txt; die "a body in two segments was not read whole"; }
grep -q '"boot_once": true' split.txt || { cat split.txt; die "the split PUT did not store boot_once"; }
code=$(send PATCH "hosts/$MAC" '{"hostname": "node9"}' patch.json "$TOKEN")
[[ $code == 200 ]] || die "PATCH gave $code"
check patch.json "assert d['hostname'] == 'node9' and d['profile'] == 'rescue' and d['labels'] == ['lab'], d"
"$PXED" hosts list --lease-db "$WORK/leases.db" >hosts.txt || die "pxed hosts list failed"
grep -q "$MAC.*rescue" hosts.txt || { cat hosts.txt; die "pxed hosts list does not show the API's host"; }
# What the machine boots follows: its pxelinux config is now the rescue profile's.
in_cli timeout 10 curl -sS -f -o rescue.cfg "http://$SERVER_IP/pxelinux.cfg/01-52-54-00-71-3e-01" ||
  die "the machine's pxelinux config is not served"
grep -q "rescue/vmlinuz" rescue.cfg || { cat rescue.cfg; die "the host's profile from the API is not used"; }
code=$(send DELETE "hosts/$MAC" '' del.json "$TOKEN")
[[ $code == 204 ]] || die "DELETE gave $code"
code=$(send DELETE "hosts/$MAC" '' del.json "$TOKEN")
[[ $code == 404 ]] || die "a second DELETE gave $code"
code=$(api_get "hosts/$MAC" gone.json)
[[ $code == 404 ]] || die "a deleted host gave $code"
stop_pxed
log "hosts: 401 without or with a wrong token, 400 for an unknown profile or field, PUT/PATCH/DELETE with it; pxed hosts list and the boot follow"
log PASS
