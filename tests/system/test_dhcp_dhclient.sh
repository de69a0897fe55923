#!/usr/bin/env bash
# ISC dhclient against pxed: obtain a lease and the boot file name; pxed restarts and still
# answers the renewal (RENEWING, unicast); dhclient restarts into INIT-REBOOT and keeps its
# address; then releases it (-r).
source "$(dirname "$0")/lib.sh"
sys_setup
start_pxed --lease-time 60  # T1 = 30 s, so a real renewal happens within the test

# dhclient runs its script with a clean environment: the output paths are written into it.
cat >"$WORK/dhclient.script" <<SCRIPT
#!/bin/sh
case "\$reason" in
  BOUND|RENEW|REBOOT|REBIND)
    ip addr replace "\$new_ip_address/24" dev "\$interface"
    { echo "reason=\$reason"; echo "addr=\$new_ip_address"; echo "mask=\$new_subnet_mask"
      echo "file=\$new_filename"; echo "server=\$new_dhcp_server_identifier"
      echo "lease=\$new_dhcp_lease_time"; } >"$WORK/dhclient.env"
    echo "\$reason \$new_ip_address" >>"$WORK/dhclient.history" ;;
  RELEASE|STOP|EXPIRE|FAIL)
    [ -n "\$old_ip_address" ] && ip addr del "\$old_ip_address/24" dev "\$interface" 2>/dev/null
    echo "\$reason \$old_ip_address" >>"$WORK/dhclient.history" ;;
esac
exit 0
SCRIPT
chmod +x "$WORK/dhclient.script"
dhclient_args=(-4 -sf "$WORK/dhclient.script" -lf "$WORK/dhclient.leases" -pf "$WORK/dhclient.pid" vc)

wait_for_history() {  # PATTERN SECONDS
  local i
  for i in $(seq 1 $(($2 * 10))); do
    grep -qE "$1" "$WORK/dhclient.history" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$WORK/dhclient.history" 2>/dev/null
  die "dhclient never reported '$1' within $2 s"
}
acks() { grep -c "REQUEST -> ACK $1" "$PXED_LOG" || true; }

# 1. Obtain (dhclient -1 keeps running afterwards to maintain the lease).
in_cli timeout 30 dhclient -1 -v "${dhclient_args[@]}" >"$WORK/dhclient.out" 2>&1 ||
  { cat "$WORK/dhclient.out"; die "dhclient got no lease"; }
wait_for_history "^BOUND " 5
# shellcheck disable=SC1091
source "$WORK/dhclient.env"
log "dhclient $reason: addr=$addr file=$file server=$server lease=$lease"
[[ "$addr" =~ ^198\.18\.0\.1[0-5][0-9]$ ]] || die "address $addr"
[[ "$mask" == 255.255.255.0 ]] || die "mask $mask"
[[ "$file" == pxelinux.0 ]] || die "boot file '$file'"
[[ "$server" == "$SERVER_IP" ]] || die "server id $server"
[[ "$lease" == 60 ]] || die "lease time $lease"
expect_log "DISCOVER -> OFFER $addr"
expect_log "REQUEST -> ACK $addr"

# 2. pxed restarts; the lease survives and the renewal at T1 is answered.
stop_pxed
start_pxed --lease-time 60
wait_for_history "^RENEW $addr" 45
[[ $(acks "$addr") -ge 1 ]] || die "the restarted pxed did not ACK the renewal"
log "renewed $addr after a pxed restart"

# 3. dhclient restarts with its lease file: INIT-REBOOT, same address, no DISCOVER.
in_cli dhclient -x "${dhclient_args[@]}" >>"$WORK/dhclient.out" 2>&1 || true
discovers_before=$(grep -c "DISCOVER" "$PXED_LOG" || true)
in_cli timeout 30 dhclient -1 -v "${dhclient_args[@]}" >>"$WORK/dhclient.out" 2>&1 ||
  { cat "$WORK/dhclient.out"; die "dhclient could not reboot"; }
wait_for_history "^REBOOT $addr" 10
[[ $(grep -c "DISCOVER" "$PXED_LOG" || true) == "$discovers_before" ]] || die "INIT-REBOOT fell back to DISCOVER"
log "INIT-REBOOT kept $addr"

# 4. Release: pxed keeps the row but marks it expired, so the address is free again.
in_cli timeout 20 dhclient -r -v "${dhclient_args[@]}" >>"$WORK/dhclient.out" 2>&1 || die "dhclient -r failed"
released=0
for _ in $(seq 1 50); do
  if grep -q "RELEASE.*lease released" "$PXED_LOG"; then released=1; break; fi
  sleep 0.1
done
((released)) || die "pxed did not record the RELEASE"
now=$(date +%s)
expires=$(sqlite3 "$WORK/leases.db" "SELECT expires_at FROM leases LIMIT 1")
((expires <= now)) || die "released lease still active until $expires"
stop_pxed
log PASS
