#!/usr/bin/env bash
# Conflict detection and lease reclaim.
# - A host squats on the first pool address without asking DHCP. With conflict-detection on,
#   pxed offers that address to udhcpc at once, ARP-probes it, hears the squatter answer, and
#   quarantines it; udhcpc's REQUEST is NAKed and it ends up with another address.
# - A lease that expired longer ago than expired-lease-retention is deleted at start-up.
source "$(dirname "$0")/lib.sh"
SQ_NS="${SYS_ID}-sq"
EXTRA_NS="$SQ_NS"
sys_setup

# The squatter: its own MAC (a macvlan on the client's link), in its own namespace, using
# 198.18.0.100, the first address of the pool.
SQUAT_IP=198.18.0.100
ip netns add "$SQ_NS"
ip -n "$CLI_NS" link add sq link vc type macvlan mode bridge
ip -n "$CLI_NS" link set sq netns "$SQ_NS"
ip -n "$SQ_NS" addr add "$SQUAT_IP/24" dev sq
ip -n "$SQ_NS" link set sq up
squat_mac=$(ip -n "$SQ_NS" -o link show sq | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)

cat >"$WORK/pxed.toml" <<TOML
interfaces = ["vs"]
root = "$ROOT"
[dhcp]
conflict-detection = true
decline-quarantine = 600
expired-lease-retention = 3600
lease-db = "$WORK/leases.db"
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["vs"]
pools = ["198.18.0.100-198.18.0.120"]
TOML

# First run: only to create the database; then plant two expired leases, one past its
# retention and one within it.
start_pxed_with --config "$WORK/pxed.toml"
stop_pxed
now=$(date +%s)
sqlite3 "$WORK/leases.db" "INSERT INTO leases VALUES
  ($(( (198<<24) + (18<<16) + 119 )), 'hw:02:00:00:00:00:77', '02:00:00:00:00:77', '', $((now - 7200)), 1),
  ($(( (198<<24) + (18<<16) + 120 )), 'hw:02:00:00:00:00:78', '02:00:00:00:00:78', '', $((now - 60)), 2)"

start_pxed_with --config "$WORK/pxed.toml"
expect_log "dhcp: reclaimed 1 expired lease\(s\)"
rows=$(sqlite3 "$WORK/leases.db" "SELECT address & 255 FROM leases ORDER BY address" | tr '\n' ' ')
[[ "$rows" == "120 " ]] || die "after reclaim the database holds .$rows, expected only .120"
log "reclaim: the lease expired 2 h ago is gone, the one expired 1 min ago is kept"

cat >"$WORK/udhcpc.script" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] || exit 0
echo "ip=$ip" >"$UDHCPC_OUT"
SCRIPT
chmod +x "$WORK/udhcpc.script"
UDHCPC_OUT="$WORK/lease.env" in_cli timeout 30 busybox udhcpc -i vc -n -q -f -t 8 -T 2 \
  -s "$WORK/udhcpc.script" >"$WORK/udhcpc.out" 2>&1 || { cat "$WORK/udhcpc.out"; die "udhcpc got no lease"; }
# shellcheck disable=SC1091
source "$WORK/lease.env"
log "udhcpc bound $ip (the squatter holds $SQUAT_IP); pxed said:"
grep -E "DISCOVER|REQUEST|conflict on" "$PXED_LOG" | cut -d' ' -f2- | sed 's/^/    /'
# A fast client (udhcpc) REQUESTs before the ARP answer is in: that ACK is held and becomes a NAK.
expect_log "REQUEST -> NAK $SQUAT_IP .*in use by another host \(conflict\)"
[[ "$ip" != "$SQUAT_IP" ]] || die "the client was given the squatter's address"
[[ "$ip" =~ ^198\.18\.0\.1[01][0-9]$ ]] || die "address $ip is outside the pool"
expect_log "DISCOVER -> OFFER $SQUAT_IP"
expect_log "dhcp: conflict on vs: $SQUAT_IP is in use by $squat_mac .*quarantined for 600 s"
row=$(sqlite3 "$WORK/leases.db" "SELECT client_key, mac FROM leases WHERE address = $(( (198<<24) + (18<<16) + 100 ))")
[[ "$row" == "conflict|$squat_mac" ]] || die "the conflict is not recorded: '$row'"
"$PXED" leases --lease-db "$WORK/leases.db" | grep -q "^$SQUAT_IP " || die "pxed leases does not list the conflict"

stop_pxed
expect_log "dhcp: [0-9]+ packets received, 0 malformed, .* [1-9][0-9]* ARP probes, 1 conflicts; 1 expired leases reclaimed"
log PASS
