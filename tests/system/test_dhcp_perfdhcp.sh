#!/usr/bin/env bash
# Kea's perfdhcp simulates 1,000 clients (as a relay: giaddr = its address, unicast to the
# server). Every completed exchange must leave exactly one lease on disk, no address twice.
# A correctness test at a modest rate; speed is measured by bench/dhcp, not here.
SERVER_PREFIX=20
DHCP_RANGE=198.18.1.0-198.18.8.255
source "$(dirname "$0")/lib.sh"
command -v perfdhcp >/dev/null || die "perfdhcp is missing (package kea-admin)"
sys_setup
client_static_ip
start_pxed
# perfdhcp exits 3 when any packet was dropped; the counts below decide.
rc=0
in_cli timeout 90 perfdhcp -4 -l vc -r 100 -R 1000 -n 1000 -p 20 "$SERVER_IP" >"$WORK/perfdhcp.out" 2>&1 || rc=$?
((rc == 0 || rc == 3)) || { tail -30 "$WORK/perfdhcp.out"; die "perfdhcp failed (exit $rc)"; }
stop_pxed

# perfdhcp prints a block per exchange type; take the REQUEST-ACK block.
acked=$(awk '/Statistics for: REQUEST-ACK/{f=1} f&&/received packets:/{print $3; exit}' "$WORK/perfdhcp.out")
nonunique=$(awk '/non unique addresses:/{s+=$4} END{print s+0}' "$WORK/perfdhcp.out")
[[ -n "$acked" ]] || { cat "$WORK/perfdhcp.out"; die "cannot read perfdhcp's statistics"; }
read -r rows addresses clients < <(sqlite3 -separator ' ' "$WORK/leases.db" \
  "SELECT COUNT(*), COUNT(DISTINCT address), COUNT(DISTINCT client_key) FROM leases")
log "perfdhcp: $acked ACKs; leases on disk: $rows rows, $addresses addresses, $clients clients"
((nonunique == 0)) || die "perfdhcp saw $nonunique non-unique addresses"
((acked >= 950)) || die "only $acked of 1000 exchanges completed"
((rows == acked && addresses == acked && clients == acked)) || die "leases on disk do not match the ACKs"
expect_log "REQUEST via 198\.18\.0\.2 -> ACK 198\.18\."
log PASS
