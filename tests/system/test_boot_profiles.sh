#!/usr/bin/env bash
# Boot profiles against real clients: udhcpc (DHCP: which loader, which profile), curl (HTTP) and
# tftp-hpa (TFTP) fetch the rendered boot files, which are the same bytes over both; a machine
# only DHCP knows by its address gets its own pxelinux.cfg/default; `pxed hosts set` changes a
# running server's answer; boot once ends in "boot from the local disk"; `pxed explain` says why.
source "$(dirname "$0")/lib.sh"
sys_setup
MAC=52:54:00:b0:07:01
MACD=52-54-00-b0-07-01
ip -n "$CLI_NS" link set vc address "$MAC"
echo kernel >"$ROOT/vmlinuz"
cat >"$WORK/pxed.toml" <<TOML
interfaces = ["vs"]
root = "$ROOT"
[dhcp]
lease-db = "$WORK/leases.db"
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["vs"]
pools = ["$DHCP_RANGE"]
[boot]
default-profile = "live"
[[boot.profile]]
name = "live"
kernel = "vmlinuz"
initrds = ["initrd.gz"]
cmdline = "console=ttyS0 root-url={{rootfs_url}} ip={{ip}} host={{hostname}}"
rootfs-url = "{{http}}/rootfs.img"
[[boot.profile]]
name = "rescue"
loader = "pxelinux"
kernel = "rescue/vmlinuz"
cmdline = "single mac={{mac}}"
[[boot.rule]]
labels = ["broken"]
profile = "rescue"
TOML
"$PXED" check --config "$WORK/pxed.toml" >/dev/null || die "pxed check refused the config"
start_pxed_with --config "$WORK/pxed.toml"
cd "$WORK"

# DHCP: the BOOTP file field names the profile's loader for BIOS (udhcpc sends no option 93).
cat >"$WORK/udhcpc.sh" <<'SH'
#!/bin/sh
case "$1" in bound) echo "ip=$ip boot_file=$boot_file siaddr=$siaddr" >"$LEASE_OUT"; ip addr add "$ip/24" dev "$interface" ;; esac
exit 0
SH
chmod +x "$WORK/udhcpc.sh"
in_cli env LEASE_OUT="$WORK/lease.txt" timeout 20 busybox udhcpc -i vc -n -q -f -t 5 -T 1 \
  -x hostname:node7 -s "$WORK/udhcpc.sh" >udhcpc.out 2>&1 || { cat udhcpc.out; die "udhcpc got no lease"; }
grep -q "boot_file=undionly.kpxe" lease.txt || die "DHCP boot file: $(cat lease.txt)"
IP=$(sed -E 's/^ip=([0-9.]+).*/\1/' lease.txt)
expect_log "dhcp: $MAC .*-> ACK $IP file=undionly.kpxe profile=live"
log "DHCP: $IP, undionly.kpxe (profile live uses iPXE; no arch: BIOS)"

# The same rendered file over HTTP and TFTP, with what DHCP learnt (address, host name).
in_cli timeout 10 curl -sS -f -o http.cfg "http://$SERVER_IP/pxelinux.cfg/01-$MACD" || die "HTTP GET of the config failed"
in_cli timeout 10 tftp "$SERVER_IP" -m binary -c get "pxelinux.cfg/01-$MACD" tftp.cfg || die "TFTP get of the config failed"
cmp -s http.cfg tftp.cfg || die "TFTP and HTTP serve different bytes"
grep -q "APPEND console=ttyS0 root-url=http://$SERVER_IP/rootfs.img ip=$IP host=node7" http.cfg ||
  { cat http.cfg; die "rendered pxelinux config lacks the machine's values"; }
# pxelinux.cfg/default is rendered for the machine at the asking address.
in_cli timeout 10 tftp "$SERVER_IP" -m binary -c get pxelinux.cfg/default default.cfg || die "TFTP get of default failed"
cmp -s default.cfg tftp.cfg || die "pxelinux.cfg/default is not the asker's own config"
in_cli timeout 10 curl -sS -f -o script.ipxe "http://$SERVER_IP/ipxe/$MACD.ipxe" || die "GET of the iPXE script failed"
grep -q "^kernel http://$SERVER_IP/vmlinuz initrd=initrd.gz console=ttyS0" script.ipxe || { cat script.ipxe; die "iPXE script"; }
grep -q "goto retry" script.ipxe || die "the iPXE script does not retry"
# Real files are still served; a per-MAC name for a machine without profile is not invented.
in_cli timeout 10 curl -sS -f -o k "http://$SERVER_IP/vmlinuz" || die "GET of a real file failed"
expect_log "boot: $MAC (http|tftp) pxelinux.cfg/01-$MACD: profile live \\(boot.default-profile\\)"
log "rendered files: TFTP = HTTP, per machine"

# A label given with `pxed hosts` moves the running server's answer to the rescue profile.
"$PXED" hosts set "$MAC" --label broken --lease-db "$WORK/leases.db" >/dev/null || die "hosts set failed"
"$PXED" hosts list --lease-db "$WORK/leases.db" | grep -q "$MAC .*broken" || die "hosts list lacks the host"
for i in $(seq 1 30); do
  in_cli timeout 10 curl -sS -f -o r.cfg "http://$SERVER_IP/pxelinux.cfg/01-$MACD" || die "GET failed"
  grep -q "KERNEL rescue/vmlinuz" r.cfg && break
  sleep 0.2
done
grep -q "APPEND single mac=$MAC" r.cfg || { cat r.cfg; die "the label did not move the host to rescue"; }
"$PXED" explain --config "$WORK/pxed.toml" --mac "$MAC" --server "$SERVER_IP" --lease-db "$WORK/leases.db" >explain.txt ||
  die "explain failed"
grep -q "profile: rescue (loader pxelinux), chosen by boot.rule\[0\]" explain.txt || { cat explain.txt; die "explain"; }
log "pxed hosts set --label: rescue within $i tries; explain agrees"

# Boot once: the next config served is the network boot, later ones boot the local disk.
"$PXED" hosts set "$MAC" --boot-once --lease-db "$WORK/leases.db" >/dev/null || die "hosts set --boot-once failed"
sleep 1.2 # the server rereads the hosts table at most once a second
in_cli timeout 10 curl -sS -f -o once.cfg "http://$SERVER_IP/pxelinux.cfg/01-$MACD" || die "GET failed"
grep -q "KERNEL rescue/vmlinuz" once.cfg || { cat once.cfg; die "boot once: the first boot is not a network boot"; }
expect_log "boot: $MAC http pxelinux.cfg/01-$MACD: boot once: this is its network boot"
at=$(sqlite3 "$WORK/leases.db" "SELECT netbooted_at FROM hosts WHERE mac = '$MAC'")
[[ "$at" -gt 0 ]] || die "the network boot was not recorded"
# Age the mark past the grace period, as if the machine rebooted later.
sqlite3 "$WORK/leases.db" "UPDATE hosts SET netbooted_at = $((at - 3600)) WHERE mac = '$MAC'"
for i in $(seq 1 30); do
  in_cli timeout 10 tftp "$SERVER_IP" -m binary -c get "pxelinux.cfg/01-$MACD" local.cfg || die "TFTP get failed"
  grep -q "LOCALBOOT 0" local.cfg && break
  sleep 0.2
done
grep -q "LOCALBOOT 0" local.cfg || { cat local.cfg; die "boot once: not sent to the local disk"; }
in_cli timeout 10 curl -sS -f "http://$SERVER_IP/ipxe/$MACD.ipxe" | grep -qx exit || die "iPXE script is not 'exit'"
"$PXED" hosts list --lease-db "$WORK/leases.db" | grep -q "$MAC .* used " || die "hosts list does not say used"
"$PXED" hosts set "$MAC" --boot-once --lease-db "$WORK/leases.db" >/dev/null
sleep 1.2
in_cli timeout 10 curl -sS -f -o again.cfg "http://$SERVER_IP/pxelinux.cfg/01-$MACD" || die "GET failed"
grep -q "KERNEL rescue/vmlinuz" again.cfg || die "re-armed boot once does not network-boot"
log "boot once: network boot, then LOCALBOOT 0 / exit, re-armed by hosts set --boot-once"

"$PXED" hosts remove "$MAC" --lease-db "$WORK/leases.db" >/dev/null || die "hosts remove failed"
stop_pxed
log PASS
