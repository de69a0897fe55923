#!/usr/bin/env bash
# A kill -9 right after an ACK loses nothing: pxed sends a DHCPACK only once the lease's group
# commit is in SQLite. Kea's perfdhcp (as a relay, like test_dhcp_perfdhcp.sh) runs a stream of
# exchanges, tcpdump records what went over the wire, and pxed is killed with SIGKILL in the
# middle of it. Every ACK in the capture must name a lease that is in the database, and a
# restarted pxed must report those leases on record.
SERVER_PREFIX=20
DHCP_RANGE=198.18.0.10-198.18.15.254
source "$(dirname "$0")/lib.sh"
command -v perfdhcp >/dev/null || die "perfdhcp is missing (package kea-admin)"
command -v tcpdump >/dev/null || die "tcpdump is missing (package tcpdump)"
sys_setup
client_static_ip
start_pxed

# stop_bg PID SIGNAL: signals a background job of ours and waits for it, at most 10 s (on a
# failure, lib.sh kills whatever is left in the namespaces).
stop_bg() {
  local pid=$1
  kill -"$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

# perfdhcp is a relay at 198.18.0.2: requests go to port 67 of the server, replies to port 67 of
# the relay. -Z root: tcpdump must not drop to its own user before opening the file in $WORK.
# --immediate-mode: without it the kernel hands packets over in blocks, and the last few hundred
# milliseconds before the SIGINT never reach the file.
CAP="$WORK/dhcp.pcap"
ip netns exec "$CLI_NS" tcpdump -i vc -n -U --immediate-mode -Z root -w "$CAP" \
  'udp port 67 or udp port 68' 2>"$WORK/tcpdump.err" &
DUMP_PID=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$WORK/tcpdump.err" && break
  kill -0 "$DUMP_PID" 2>/dev/null || { cat "$WORK/tcpdump.err"; die "tcpdump exited"; }
  sleep 0.1
done
grep -q "listening on" "$WORK/tcpdump.err" || die "tcpdump not listening within 10 s"

# 4,000 fresh clients at 400 exchanges per second; it is stopped long before it finishes.
ip netns exec "$CLI_NS" timeout 60 perfdhcp -4 -l vc -r 400 -R 4000 -n 4000 -p 30 "$SERVER_IP" \
  >"$WORK/perfdhcp.out" 2>&1 &
PERF_PID=$!

# About 2 s of ACKs (pxed logs each one as it decides it), then SIGKILL, with more in flight. On
# a slow machine it is killed after 15 s whatever the count; the capture must still hold 100.
acks_logged() { grep -c "REQUEST via 198\.18\.0\.2 -> ACK " "$PXED_LOG" || true; }
for _ in $(seq 1 150); do
  (($(acks_logged) >= 800)) && break
  kill -0 "$PERF_PID" 2>/dev/null || { cat "$WORK/perfdhcp.out"; die "perfdhcp exited early"; }
  sleep 0.1
done
kill -KILL "$PXED_PID"
status=0
wait "$PXED_PID" 2>/dev/null || status=$?
PXED_PID=""
((status == 137)) || die "pxed exited with status $status, not by SIGKILL"
log "pxed killed with SIGKILL after $(acks_logged) ACKs logged"

# Let the last packets reach tcpdump, then stop the load and flush the capture.
sleep 0.3
stop_bg "$PERF_PID" TERM
stop_bg "$DUMP_PID" INT
[[ -s "$CAP" ]] || die "empty capture"

# Every DHCPACK from the server in the capture, as "ADDRESS MAC" lines. A packet starts with
# its timestamp line; its decoded fields follow, indented ("Your-IP 198.18.0.10",
# "DHCP-Message (53), length 1: ACK").
tcpdump -r "$CAP" -n -v 2>/dev/null | awk '
  function flush() { if (src && ack && yi != "") print yi, mac; src = 0; ack = 0; yi = ""; mac = "" }
  /^[0-9]/ { flush() }
  /(^| )198\.18\.0\.1\.67 > / { src = 1 }
  /Your-IP / { yi = $2 }
  /Client-Ethernet-Address / { mac = tolower($2) }
  /DHCP-Message .*: ACK *$/ { ack = 1 }
  END { flush() }' | sort -u >"$WORK/acked.txt"
acked=$(wc -l <"$WORK/acked.txt")
if ((acked < 100)); then
  head -50 "$WORK/perfdhcp.out"
  die "only $acked ACKs in the capture; the test proves nothing"
fi

# The leases on disk, in the same form (address is IPv4 in host order).
sqlite3 -separator ' ' "$WORK/leases.db" "SELECT ((address >> 24) & 255) || '.' ||
  ((address >> 16) & 255) || '.' || ((address >> 8) & 255) || '.' || (address & 255), lower(mac)
  FROM leases" | sort -u >"$WORK/ondisk.txt"
rows=$(sqlite3 "$WORK/leases.db" "SELECT COUNT(*) FROM leases")
missing=$(comm -23 "$WORK/acked.txt" "$WORK/ondisk.txt" | wc -l)
log "capture: $acked ACKs; lease DB: $rows leases; ACKed but not on disk: $missing"
if ((missing > 0)); then
  comm -23 "$WORK/acked.txt" "$WORK/ondisk.txt" | head -20
  die "$missing ACKed leases are not in the database"
fi

# A restarted pxed finds them all. A fresh log, so start_pxed waits for the new ready line.
mv "$PXED_LOG" "$WORK/pxed.killed.log"
start_pxed
expect_log "pxed: ready: .* $rows lease\(s\) on record"
stop_pxed
log PASS
