#!/usr/bin/env bash
# End-to-end: ProxyDHCP. The site's DHCP server (dnsmasq, addresses only, no PXE) runs on "another
# host": its own namespace, joined to the test bridge by a veth pair, at 198.18.0.2. pxed runs
# `serve --proxy` on br0 beside it: no addresses, boot information for PXE clients only.
#   1. BIOS (SeaBIOS + QEMU's iPXE ROM): address from dnsmasq; proxy OFFER from pxed with
#      pxelinux.0 (43.6 = 8, no discovery) -> TFTP pxelinux.0 -> kernel + initrd -> udhcpc
#      (dnsmasq; pxed stays silent) -> HTTP rootfs.img -> marker.
#   2. UEFI (OVMF, edk2's own PXE, no option ROM): address from dnsmasq; pxed's proxy OFFER names
#      no file, so edk2 asks port 4011 -> ACK snponly.efi -> TFTP snponly.efi -> iPXE: address from
#      dnsmasq, ProxyDHCP REQUEST to port 4011 -> ACK boot.ipxe (--ipxe-boot-file) -> HTTP ->
#      marker.
# Asserts from the logs that every address came from dnsmasq and every boot file from pxed, and
# that pxed's lease database holds no lease.
# Usage (root): tests/e2e/test_proxy_dhcp.sh PATH_TO_PXED
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SITE_NS="$E2E_NS-site"
SITE_IP=198.18.0.2
SITE_LOG=""
SITE_NS_CREATED=0
PXED_PG=""

proxy_cleanup() {
  e2e_cleanup
  if ((SITE_NS_CREATED)); then
    local pid
    for pid in $(ip netns pids "$SITE_NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$SITE_NS" 2>/dev/null
  fi
}
trap proxy_cleanup EXIT

e2e_on_fail() {
  if [[ -n "$SITE_LOG" && -s "$SITE_LOG" ]]; then
    echo "--- site DHCP server (dnsmasq), last 30 lines: $SITE_LOG ---"
    tail -n 30 "$SITE_LOG"
  fi
}

# The site's DHCP server: dnsmasq with an address range and nothing else (no DNS, no TFTP, no
# boot file, no pxe-service), so it never answers as a PXE server itself.
start_site_dhcp() {
  ip netns add "$SITE_NS" || e2e_die "cannot create namespace $SITE_NS"
  SITE_NS_CREATED=1
  if ! { ip -n "$E2E_NS" link add site0 type veth peer name eth0 netns "$SITE_NS" &&
    ip -n "$E2E_NS" link set site0 master br0 &&
    ip -n "$E2E_NS" link set site0 up &&
    ip -n "$SITE_NS" link set lo up &&
    ip -n "$SITE_NS" addr add "$SITE_IP/24" dev eth0 &&
    ip -n "$SITE_NS" link set eth0 up; }; then
    e2e_die "cannot connect the site namespace $SITE_NS to br0"
  fi
  SITE_LOG="$E2E_WORK/dnsmasq.log"
  e2e_log "starting the site DHCP server (dnsmasq, addresses only) at $SITE_IP"
  e2e_spawn "$SITE_LOG" ip netns exec "$SITE_NS" dnsmasq --no-daemon --conf-file=/dev/null \
    --user=root --port=0 --interface=eth0 --bind-interfaces --no-ping --log-dhcp \
    --log-facility=- --dhcp-range=198.18.0.100,198.18.0.200,255.255.255.0,600 \
    --dhcp-leasefile="$E2E_WORK/dnsmasq.leases"
  local i
  for i in $(seq 1 50); do
    grep -q "DHCP, IP range" "$SITE_LOG" 2>/dev/null && return 0
    sleep 0.1
  done
  e2e_die "dnsmasq did not start within 5 s"
}

# start_proxy LOG [FLAGS...]: pxed serve --proxy on br0, logging to LOG (a new file per run, so
# the assertions see one boot each).
start_proxy() {
  E2E_SERVER_LOG=$1
  shift
  rm -f "$E2E_WORK/server.rc"
  e2e_log "starting pxed serve --proxy --interface br0 $*"
  e2e_start_server "$E2E_PXED" serve --proxy --interface br0 --root "$E2E_ROOT" \
    --lease-db "$E2E_WORK/leases.db" "$@"
  PXED_PG=$E2E_SPAWNED
}

# stop_proxy: SIGTERM to pxed's process group; waits (bounded) until none of it is left.
stop_proxy() {
  kill -TERM -- "-$PXED_PG" 2>/dev/null
  local i
  for i in $(seq 1 50); do
    wait "$PXED_PG" 2>/dev/null
    kill -0 -- "-$PXED_PG" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 -- "-$PXED_PG" 2>/dev/null && e2e_die "pxed did not stop within 5 s of SIGTERM"
  grep -q "pxed: stopped" "$E2E_SERVER_LOG" || e2e_die "pxed did not stop cleanly on SIGTERM"
  rm -f "$E2E_WORK/server.rc"
}

# site_address: the address dnsmasq acknowledged to the machine most recently.
site_address() {
  grep -aE "DHCPACK\(eth0\) [0-9.]+ $E2E_MAC" "$SITE_LOG" | tail -n 1 |
    sed -E 's/.*DHCPACK\(eth0\) ([0-9.]+) .*/\1/'
}

# The checks that hold for every boot: pxed gave no address, the site server did.
expect_addresses_from_site() {
  local what=$1 addr
  addr=$(site_address)
  [[ -n "$addr" ]] || e2e_die "$what: dnsmasq acknowledged no address to $E2E_MAC"
  e2e_expect_count 0 'dhcp: .*-> (OFFER|ACK) [0-9]+\.' "$what: pxed handed out an address"
  e2e_expect_count 0 'dhcp: .*-> NAK' "$what: pxed sent a NAK"
  e2e_log "$what: address $addr from dnsmasq; pxed gave boot information only"
  SITE_ADDR=$addr
}

e2e_init "$@"
e2e_require_packages dnsmasq-base
e2e_ipxe_flags
start_site_dhcp

# --- 1. BIOS: the iPXE ROM takes pxelinux.0 from the proxy offer -----------------------------
start_proxy "$E2E_WORK/server-bios.log" "${E2E_IPXE_FLAGS[@]}"
e2e_boot_bios
e2e_check_marker
e2e_print_phases
expect_addresses_from_site "BIOS"
e2e_expect_order "BIOS: the proxy offer and the boot files from pxed, in order" \
  "dhcp: $E2E_MAC arch=0 \(BIOS, iPXE\) DISCOVER -> OFFER file=pxelinux\.0 \(proxy: boot information only\)" \
  "tftp: $SITE_ADDR:[0-9]+ RRQ /?pxelinux\.0 .*-> sent" \
  "tftp: $SITE_ADDR:[0-9]+ RRQ /?vmlinuz .*-> sent" \
  "http: $SITE_ADDR:[0-9]+ \"GET /rootfs\.img\" 200"
e2e_expect_log "dhcp: $E2E_MAC DISCOVER -> no reply: proxy: not a PXE client \(vendor class 'udhcp" \
  "BIOS: pxed did not leave the OS's udhcpc to the site server"
grep -qaE "DHCPREQUEST\(eth0\) $SITE_ADDR $E2E_MAC" "$SITE_LOG" ||
  e2e_die "BIOS: the machine did not request its address from dnsmasq"
stop_proxy

# --- 2. UEFI: edk2 asks port 4011 for snponly.efi; iPXE asks port 4011 for boot.ipxe ------------
# A fresh start for the second machine: its own exit status, and its own console timeline (the
# first boot's stamper keeps the old file).
rm -f "$E2E_WORK/qemu.rc"
mv "$E2E_SERIAL_LOG.ts" "$E2E_WORK/serial-bios.log.ts" 2>/dev/null
cp "$E2E_SERIAL_LOG" "$E2E_WORK/serial-bios.log" 2>/dev/null
start_proxy "$E2E_WORK/server-uefi.log" --ipxe-boot-file "http://$E2E_SERVER_IP/boot.ipxe" \
  "${E2E_IPXE_FLAGS[@]}"
e2e_boot_uefi native
e2e_check_marker
e2e_print_phases
expect_addresses_from_site "UEFI"
e2e_expect_order "UEFI: edk2 and then iPXE got their boot files from pxed's port 4011, in order" \
  "dhcp: $E2E_MAC arch=7 \(x64 UEFI\) DISCOVER -> OFFER \(proxy: no boot file; the client asks port 4011 for snponly\.efi\)" \
  "dhcp: $E2E_MAC arch=7 \(x64 UEFI\) REQUEST -> ACK file=snponly\.efi \(proxy, port 4011, to $SITE_ADDR:4011\)" \
  "tftp: $SITE_ADDR:[0-9]+ RRQ /?snponly\.efi .*-> sent" \
  "dhcp: $E2E_MAC arch=7 \(x64 UEFI, iPXE\) REQUEST -> ACK file=http://$E2E_SERVER_IP/boot\.ipxe \(proxy, port 4011, to $SITE_ADDR:[0-9]+\)" \
  "http: $SITE_ADDR:[0-9]+ \"GET /boot\.ipxe\" 200" \
  "http: $SITE_ADDR:[0-9]+ \"GET /rootfs\.img\" 200"

# pxed kept no lease (if it opened its database at all): the site server owns them all.
if [[ -e "$E2E_WORK/leases.db" ]]; then
  leases=$("$E2E_PXED" leases --lease-db "$E2E_WORK/leases.db" --json 2>&1) ||
    e2e_die "pxed leases failed: $leases"
  [[ "$(tr -d '[:space:]' <<<"$leases")" == "[]" ]] || e2e_die "pxed recorded leases in proxy mode: $leases"
fi
e2e_log PASS
