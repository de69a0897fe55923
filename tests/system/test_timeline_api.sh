#!/usr/bin/env bash
# The boot timeline and the read side of the REST API, against real clients: udhcpc (with PXE's
# vendor class) takes an address, tftp-hpa fetches the loader and misses a config file, curl
# fetches the root file system with a Range; /api/v1/events then holds those steps for the
# machine's MAC, in order, with the summaries the dashboard shows, and /api/v1/machines shows its
# stage. After a restart the events are still there (they are stored in the lease database).
# The other endpoints answer JSON (status, leases, hosts, profiles), errors are JSON too (404,
# 405, 400 naming the bad parameter), and none of the API traffic lands in the timeline.
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
check all.json "assert not [e for e in d['events'] if '/api/' in e['summary']], 'API requests in the timeline'"
log "errors: 404, 400 with the parameter, 405; API traffic not in the timeline"

# A restart keeps the timeline (the lease database holds it).
stop_pxed
start_pxed --boot-file bios=pxelinux.0
expect_log "timeline: [0-9]+ recent event\(s\) loaded from"
code=$(api_get "events?mac=$MAC" after.json)
[[ $code == 200 ]] || die "events after the restart gave $code"
check after.json "assert any(e['summary'] == 'HTTP /rootfs.img 206 0-1048575' for e in d['events']), d"
stop_pxed
log "the timeline survives a restart"
log PASS
