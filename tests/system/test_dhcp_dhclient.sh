#!/usr/bin/env bash
# ISC dhclient obtains a lease and the boot file name, then releases it (-r).
source "$(dirname "$0")/lib.sh"
sys_setup
start_pxed

# dhclient runs its script with a clean environment: the output path is written into it.
cat >"$WORK/dhclient.script" <<SCRIPT
#!/bin/sh
DHCLIENT_OUT=$WORK/dhclient.env
case "\$reason" in
  BOUND|RENEW|REBOOT|REBIND)
    ip addr add "\$new_ip_address/24" dev "\$interface" 2>/dev/null
    { echo "reason=\$reason"; echo "addr=\$new_ip_address"; echo "mask=\$new_subnet_mask"
      echo "file=\$new_filename"; echo "server=\$new_dhcp_server_identifier"
      echo "lease=\$new_dhcp_lease_time"; } >"\$DHCLIENT_OUT" ;;
  RELEASE|STOP|EXPIRE|FAIL)
    [ -n "\$old_ip_address" ] && ip addr del "\$old_ip_address/24" dev "\$interface" 2>/dev/null
    echo "reason=\$reason" >>"\$DHCLIENT_OUT.log" ;;
esac
exit 0
SCRIPT
chmod +x "$WORK/dhclient.script"
DHCLIENT_OUT="$WORK/dhclient.env"
dhclient_args=(-4 -sf "$WORK/dhclient.script" -lf "$WORK/dhclient.leases" -pf "$WORK/dhclient.pid" vc)

in_cli timeout 30 dhclient -1 -v "${dhclient_args[@]}" >"$WORK/dhclient.out" 2>&1 ||
  { cat "$WORK/dhclient.out"; die "dhclient got no lease"; }
[[ -s "$DHCLIENT_OUT" ]] || { cat "$WORK/dhclient.out"; die "dhclient script did not see a lease"; }
# shellcheck disable=SC1090
source "$DHCLIENT_OUT"
log "dhclient $reason: addr=$addr file=$file server=$server lease=$lease"
[[ "$reason" == BOUND ]] || die "reason $reason"
[[ "$addr" =~ ^198\.18\.0\.1[0-5][0-9]$ ]] || die "address $addr"
[[ "$mask" == 255.255.255.0 ]] || die "mask $mask"
[[ "$file" == pxelinux.0 ]] || die "boot file '$file'"
[[ "$server" == "$SERVER_IP" ]] || die "server id $server"
expect_log "REQUEST -> ACK $addr"

# Release: pxed keeps the row but marks it expired, so the address is free again.
in_cli timeout 20 dhclient -r -v "${dhclient_args[@]}" >>"$WORK/dhclient.out" 2>&1 || die "dhclient -r failed"
released=0
for _ in $(seq 1 50); do
  if grep -q "RELEASE.*lease released" "$PXED_LOG"; then released=1; break; fi
  sleep 0.1
done
((released)) || die "pxed did not record the RELEASE"
now=$(date +%s)
expires=$(sqlite3 "$WORK/leases.db" "SELECT expires_at FROM leases WHERE address = (SELECT address FROM leases LIMIT 1)")
((expires <= now)) || die "released lease still active until $expires"
stop_pxed
log PASS
