#!/usr/bin/env bash
# api.listen: the REST API, the dashboard and the metrics on a server of their own, here on
# loopback inside the server's namespace (the realistic case: an admin on the boot server). The
# API answers there and no longer on the boot HTTP port (404 there, files still served); the API
# server serves no files. `pxed hosts set|list|remove` and `pxed leases` with --api (or PXED_API)
# talk to it and print exactly what the database path prints; a wrong or missing token is exit
# status 1, no server at the address 2. Then the flag-only form (--api-listen), and start-up
# errors: a bad value and an address already taken are one line on stderr and exit status 2.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || die "python3 is missing (scripts/setup.sh test)"
sys_setup
MAC=52:54:00:a1:15:01
MAC2=52:54:00:a1:15:02
ip -n "$CLI_NS" link set vc address "$MAC"
echo "hello from the boot port" >"$ROOT/hello.txt"
cd "$WORK"

echo "tok-$RANDOM-$RANDOM" >"$WORK/api-token"
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
listen = "127.0.0.1:8081"
TOML
start_pxed_with --config "$WORK/pxed.toml"
expect_log "api: REST API, dashboard and metrics on 127\.0\.0\.1:8081 only"
API=http://127.0.0.1:8081

# code NS URL OUT: GET through curl in namespace NS (srv or cli); prints the status code.
code() {
  local ns=$1
  shift
  if [[ $ns == srv ]]; then in_srv timeout 10 curl -sS -o "$2" -w '%{http_code}' "$1"; else
    in_cli timeout 10 curl -sS -o "$2" -w '%{http_code}' "$1"; fi
}
check() {
  python3 - "$1" "$2" <<'PY' || { cat "$1"; die "unexpected JSON in $1"; }
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
PY
}

# The API answers on loopback...
c=$(code srv "$API/api/v1/status" status.json)
[[ $c == 200 ]] || { cat status.json; die "status on the API address gave $c"; }
check status.json "assert d['version'] and d['config_digest'].startswith('fnv1a64:'), d"
c=$(code srv "$API/metrics" metrics.txt)
[[ $c == 200 ]] && grep -q '^pxed_' metrics.txt || die "/metrics on the API address gave $c"
if grep -q "http: dashboard at /ui/" "$PXED_LOG"; then
  c=$(code srv "$API/ui/" ui.html)
  [[ $c == 200 ]] || die "/ui/ on the API address gave $c"
fi
# ...and serves no files.
c=$(code srv "$API/hello.txt" nofile.txt)
[[ $c == 404 ]] || die "the API server served a file ($c)"
log "API on 127.0.0.1:8081: status, metrics, dashboard; no files"

# The boot HTTP port: files yes, management endpoints no; the API port is not reachable from
# the boot network (it listens on loopback only).
client_static_ip
set +e
in_cli timeout 10 curl -sS -o /dev/null "http://$SERVER_IP:8081/api/v1/status" 2>/dev/null
status=$?
set -e
[[ $status == 7 ]] || die "the API port answered on the boot network (curl status $status)"
c=$(code cli "http://$SERVER_IP/hello.txt" hello.txt)
[[ $c == 200 ]] && grep -q "hello from the boot port" hello.txt || die "the boot port did not serve a file ($c)"
for path in api/v1/status api/v1/hosts metrics ui/; do
  c=$(code cli "http://$SERVER_IP/$path" boot404.txt)
  [[ $c == 404 ]] || die "the boot HTTP port answered /$path with $c (expected 404)"
done
c=$(in_cli timeout 10 curl -sS -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
  --data-binary '{}' "http://$SERVER_IP/api/v1/hosts/$MAC")
[[ $c != 2* ]] || die "the boot HTTP port took an API write ($c)"
ip -n "$CLI_NS" addr flush dev vc
log "boot HTTP port: files served, /api/v1, /metrics and /ui/ are 404"

# A lease, for `pxed leases`.
cat >"$WORK/udhcpc.sh" <<'SH'
#!/bin/sh
case "$1" in bound) echo "$ip" >"$LEASE_OUT"; ip addr add "$ip/24" dev "$interface" ;; esac
exit 0
SH
chmod +x "$WORK/udhcpc.sh"
in_cli env LEASE_OUT="$WORK/ip.txt" timeout 20 busybox udhcpc -i vc -n -q -f -t 5 -T 1 \
  -s "$WORK/udhcpc.sh" >udhcpc.out 2>&1 || { cat udhcpc.out; die "udhcpc got no lease"; }
IP=$(cat ip.txt)

# same WHAT A B: the two outputs are identical.
same() { diff -u "$2" "$3" >diff.txt || { cat diff.txt; die "$1: the API path prints something else than the database path"; }; }
# run OUT EXPECTED_STATUS CMD...: pxed in the server's namespace; stdout to OUT, stderr to OUT.err.
run() {
  local out=$1 want=$2 status=0
  shift 2
  in_srv timeout 20 "$PXED" "$@" >"$out" 2>"$out.err" || status=$?
  [[ $status == "$want" ]] || { cat "$out" "$out.err"; die "pxed $*: exit status $status, expected $want"; }
}
DB=(--lease-db "$WORK/leases.db")
ADMIN=(--api "$API" --token-file "$WORK/api-token")

run leases-api.txt 0 leases --api "$API"
run leases-db.txt 0 leases "${DB[@]}"
grep -qE "^$IP +$MAC +active +[0-9]+ s" leases-api.txt || { cat leases-api.txt; die "pxed leases --api does not show $IP"; }
# The seconds left may tick between the two runs.
same "leases" <(sed -E 's/ [0-9]+ s / N s /' leases-db.txt) <(sed -E 's/ [0-9]+ s / N s /' leases-api.txt)
run leases-api.json 0 leases --api "$API" --json
run leases-db.json 0 leases "${DB[@]}" --json
same "leases --json" leases-db.json leases-api.json
log "pxed leases --api prints what the database path prints (text and JSON)"

# hosts set: the same change through the API (MAC) and the database (MAC2).
set_args=(--profile rescue --hostname node9 --label lab --label rack2 --boot-once)
run set-api.txt 0 hosts set "$MAC" "${set_args[@]}" "${ADMIN[@]}"
run set-db.txt 0 hosts set "$MAC2" "${set_args[@]}" "${DB[@]}"
grep -qx "$MAC: profile rescue, hostname node9, boot once armed" set-api.txt || { cat set-api.txt; die "hosts set --api printed something else"; }
same "hosts set" set-db.txt <(sed "s/$MAC/$MAC2/" set-api.txt)
# Only what is given changes; --always clears boot once.
run set-api.txt 0 hosts set "$MAC" --hostname node10 --always "${ADMIN[@]}"
run set-db.txt 0 hosts set "$MAC2" --hostname node10 --always "${DB[@]}"
grep -qx "$MAC: profile rescue, hostname node10, boot once -" set-api.txt || { cat set-api.txt; die "hosts set --api did not keep the profile"; }
same "hosts set (a change)" set-db.txt <(sed "s/$MAC/$MAC2/" set-api.txt)
c=$(code srv "$API/api/v1/hosts/$MAC" host.json)
[[ $c == 200 ]] || die "the host set through pxed hosts --api is not in the API ($c)"
check host.json "assert d['labels'] == ['lab', 'rack2'] and d['hostname'] == 'node10' and not d['boot_once'], d"
run list-api.txt 0 hosts list --api "$API"
run list-db.txt 0 hosts list "${DB[@]}"
grep -q "^$MAC .*rescue .*node10 .*lab,rack2" list-api.txt || { cat list-api.txt; die "hosts list --api lacks $MAC"; }
same "hosts list" list-db.txt list-api.txt
run list-api.json 0 hosts list --api "$API" --json
run list-db.json 0 hosts list "${DB[@]}" --json
same "hosts list --json" list-db.json list-api.json
log "pxed hosts set/list --api print what the database path prints"

# Refusals: exit status 1 and why.
run refused 1 hosts set "$MAC" --hostname x --api "$API" --token wrong
grep -q "refused the token (401: wrong token)" refused.err || { cat refused.err; die "a wrong token: no clear message"; }
run refused 1 hosts remove "$MAC" --api "$API"
grep -q "refused the token (401" refused.err || { cat refused.err; die "no token: no clear message"; }
run refused 1 hosts set "$MAC" --profile nosuch "${ADMIN[@]}"
grep -q "the API answered 400: profile: no profile named" refused.err || { cat refused.err; die "an unknown profile: no clear message"; }
run unreachable 2 hosts list --api http://127.0.0.1:9
grep -q "cannot ask the API" unreachable.err || { cat unreachable.err; die "no server: no clear message"; }
run unreachable 2 leases --api http://127.0.0.1:9
log "wrong or no token: exit 1 with the reason; no server there: exit 2"

# remove, the API named by the environment (PXED_API, PXED_API_TOKEN).
in_srv env PXED_API="$API" PXED_API_TOKEN="$(cat "$WORK/api-token")" timeout 20 "$PXED" hosts remove "$MAC" >rm-api.txt ||
  { cat rm-api.txt; die "hosts remove through PXED_API failed"; }
run rm-db.txt 0 hosts remove "$MAC2" "${DB[@]}"
grep -qx "$MAC removed" rm-api.txt || { cat rm-api.txt; die "hosts remove --api printed something else"; }
same "hosts remove" rm-db.txt <(sed "s/$MAC/$MAC2/" rm-api.txt)
run rm-api.txt 1 hosts remove "$MAC" "${ADMIN[@]}"
run rm-db.txt 1 hosts remove "$MAC2" "${DB[@]}"
same "hosts remove (again)" rm-db.txt <(sed "s/$MAC/$MAC2/" rm-api.txt)
run list-api.txt 0 hosts list --api "$API"
grep -qx "0 host(s)" <(tail -n 1 list-api.txt) || { cat list-api.txt; die "hosts remain after remove"; }
# pxed events asks the same API.
run events.txt 0 events --api "$API" --mac "$MAC"
grep -qE "$MAC +dhcp " events.txt || { cat events.txt; die "pxed events --api shows no DHCP step"; }
log "hosts remove via PXED_API/PXED_API_TOKEN like the database path; pxed events on the same API"
stop_pxed

# Flags only: --api-listen.
start_pxed --api-listen 127.0.0.1:8083
c=$(code srv "http://127.0.0.1:8083/api/v1/status" status.json)
[[ $c == 200 ]] || die "status on --api-listen's address gave $c"
c=$(code srv "http://$SERVER_IP/api/v1/status" status.json)
[[ $c == 404 ]] || die "the boot HTTP port answered the API with --api-listen ($c)"
stop_pxed
log "--api-listen: the same without a config file"

# Start-up errors: one line, exit status 2.
expect_exit2() {
  local what=$1 pattern=$2
  shift 2
  local status=0
  in_srv timeout 10 "$PXED" "$@" >out.txt 2>err.txt || status=$?
  [[ $status -eq 2 ]] || { cat err.txt; die "$what: exit status $status, expected 2"; }
  [[ $(wc -l <err.txt) -eq 1 ]] || { cat err.txt; die "$what: expected one line on stderr"; }
  grep -qE -- "$pattern" err.txt || { cat err.txt; die "$what: stderr does not say '$pattern'"; }
  log "$what: $(cat err.txt)"
}
# A fresh database: the one above holds events, and loading them is said before the ports open.
serve=(serve --interface vs --root "$ROOT" --dhcp-range "$DHCP_RANGE" --lease-db "$WORK/fresh.db")
expect_exit2 "bad --api-listen" "--api-listen 127.0.0.1: expected ADDRESS:PORT" "${serve[@]}" --api-listen 127.0.0.1
# The API on the boot HTTP port's own address and port: that port is taken by then.
expect_exit2 "API address taken" "pxed: api.listen: cannot listen on HTTP $SERVER_IP:80: " "${serve[@]}" --api-listen "$SERVER_IP:80"
sed -i 's/^listen = .*/listen = "127.0.0.1"/' "$WORK/pxed.toml"
expect_exit2 "bad api.listen" "pxed.toml:[0-9]+:10: api.listen: expected \"ADDRESS:PORT\"" check --config "$WORK/pxed.toml"
log PASS
