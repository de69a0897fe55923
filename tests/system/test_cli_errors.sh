#!/usr/bin/env bash
# Start-up errors: one clear line on stderr and exit status 2.
source "$(dirname "$0")/lib.sh"
sys_setup

expect_exit2() {
  local what=$1 pattern=$2
  shift 2
  local status=0
  in_srv timeout 10 "$PXED" "$@" >"$WORK/out" 2>"$WORK/err" || status=$?
  [[ $status -eq 2 ]] || { cat "$WORK/err"; die "$what: exit status $status, expected 2"; }
  [[ $(wc -l <"$WORK/err") -eq 1 ]] || { cat "$WORK/err"; die "$what: expected one line on stderr"; }
  grep -qE "$pattern" "$WORK/err" || { cat "$WORK/err"; die "$what: stderr does not say '$pattern'"; }
  log "$what: $(cat "$WORK/err")"
}

serve=(serve --root "$ROOT" --lease-db "$WORK/leases.db")
expect_exit2 "missing --interface" "interface" "${serve[@]}" --dhcp-range 198.18.0.100-198.18.0.150
expect_exit2 "missing --dhcp-range" "dhcp-range" "${serve[@]}" --interface vs
expect_exit2 "range backwards" "ends before it starts" "${serve[@]}" --interface vs --dhcp-range 198.18.0.150-198.18.0.100
expect_exit2 "range not addresses" "IPv4" "${serve[@]}" --interface vs --dhcp-range 198.18.0.100-banana
expect_exit2 "range off the subnet" "subnet" "${serve[@]}" --interface vs --dhcp-range 198.19.0.100-198.19.0.150
expect_exit2 "no such interface" "does not exist" "${serve[@]}" --interface nope0 --dhcp-range 198.18.0.100-198.18.0.150
ip -n "$SRV_NS" link add bare0 type veth peer name bare1
ip -n "$SRV_NS" link set bare0 up
expect_exit2 "interface without IPv4" "no IPv4" "${serve[@]}" --interface bare0 --dhcp-range 198.18.0.100-198.18.0.150
expect_exit2 "bad boot file" "ARCH" "${serve[@]}" --interface vs --dhcp-range 198.18.0.100-198.18.0.150 --boot-file mips=x
expect_exit2 "missing root" "root" serve --root "$WORK/none" --lease-db "$WORK/leases.db" --interface vs --dhcp-range 198.18.0.100-198.18.0.150

# A port in use: a second pxed on the same interface finds DHCP's port taken.
start_pxed --http-port 8080
expect_exit2 "port in use" "cannot listen" "${serve[@]}" --interface vs --dhcp-range 198.18.0.100-198.18.0.150 --http-port 8081
# HTTP port taken by something else.
stop_pxed
# Directly, not through in_srv: $! must be the holder itself, so it can be stopped and reaped.
ip netns exec "$SRV_NS" busybox nc -l -p 8082 >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 50); do
  in_srv ss -ltn | grep -q ':8082 ' && break
  sleep 0.1
done
expect_exit2 "HTTP port in use" "HTTP 198.18.0.1:8082" "${serve[@]}" --interface vs --dhcp-range 198.18.0.100-198.18.0.150 --http-port 8082
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true

# With the port free again, pxed starts, and SIGTERM stops it cleanly with status 0 (stop_pxed
# checks both).
start_pxed --http-port 8082
stop_pxed
log PASS
