#!/usr/bin/env bash
# busybox udhcpc gets an address and the boot file from pxed; after a restart pxed gives the
# same machine the same address back (leases are in SQLite).
source "$(dirname "$0")/lib.sh"
sys_setup
start_pxed

cat >"$WORK/udhcpc.script" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] || exit 0
{ echo "ip=$ip"; echo "subnet=$subnet"; echo "boot_file=$boot_file"; echo "siaddr=$siaddr"
  echo "serverid=$serverid"; echo "lease=$lease"; echo "broadcast=$broadcast"; } >"$UDHCPC_OUT"
SCRIPT
chmod +x "$WORK/udhcpc.script"

get_lease() {
  rm -f "$WORK/lease.env"
  UDHCPC_OUT="$WORK/lease.env" in_cli timeout 20 busybox udhcpc -i vc -n -q -f -t 5 -T 1 \
    -s "$WORK/udhcpc.script" >"$WORK/udhcpc.out" 2>&1 || { cat "$WORK/udhcpc.out"; die "udhcpc got no lease"; }
  [[ -s "$WORK/lease.env" ]] || die "udhcpc script did not run"
  # shellcheck disable=SC1091
  source "$WORK/lease.env"
}

get_lease
log "udhcpc bound: ip=$ip boot_file=$boot_file siaddr=$siaddr"
[[ "$ip" =~ ^198\.18\.0\.(1[0-4][0-9]|150)$ ]] || die "address $ip is outside the range"
[[ "$subnet" == 255.255.255.0 ]] || die "subnet mask $subnet"
[[ "$serverid" == "$SERVER_IP" ]] || die "server id $serverid"
[[ "$siaddr" == "$SERVER_IP" ]] || die "siaddr $siaddr"
[[ "$boot_file" == pxelinux.0 ]] || die "boot file '$boot_file'"
[[ "$broadcast" == 198.18.0.255 ]] || die "broadcast $broadcast"
[[ "$lease" == 3600 ]] || die "lease time $lease"
expect_log "dhcp: [0-9a-f:]{17} .*DISCOVER -> OFFER $ip file=pxelinux.0"
expect_log "dhcp: [0-9a-f:]{17} .*REQUEST -> ACK $ip file=pxelinux.0"
first_ip=$ip

# The lease is on disk.
[[ $(sqlite3 "$WORK/leases.db" "SELECT COUNT(*) FROM leases") == 1 ]] || die "lease not stored"

# `pxed leases` lists it, as a table and as JSON.
"$PXED" leases --lease-db "$WORK/leases.db" >"$WORK/leases.txt" || die "pxed leases failed"
grep -qE "^$ip +[0-9a-f:]{17} +active " "$WORK/leases.txt" || { cat "$WORK/leases.txt"; die "pxed leases does not show $ip active"; }
"$PXED" leases --lease-db "$WORK/leases.db" --json >"$WORK/leases.json" || die "pxed leases --json failed"
grep -q "\"address\": \"$ip\"" "$WORK/leases.json" || { cat "$WORK/leases.json"; die "JSON lacks $ip"; }

# Restart: the same machine gets the same address back.
stop_pxed
start_pxed
in_cli ip addr flush dev vc
get_lease
[[ "$ip" == "$first_ip" ]] || die "after a restart the client got $ip instead of $first_ip"
log "after restart: same address $ip"
stop_pxed
log PASS
