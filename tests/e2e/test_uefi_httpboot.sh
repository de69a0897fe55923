#!/usr/bin/env bash
# End-to-end: a UEFI machine (q35, OVMF, edk2's UEFI HTTP Boot client with its PXE entries
# disabled, TCG) boots from pxed over HTTP only:
#   DHCP (edk2 HTTPClient, arch 16 -> option 60 HTTPClient + http://198.18.0.1/ipxe.efi) ->
#   HTTP HEAD + GET ipxe.efi -> iPXE's DHCP (user class iPXE -> its script, rendered by pxed:
#   http://198.18.0.1/ipxe/MAC.ipxe) -> HTTP vmlinuz + initrd.gz -> initramfs DHCP -> rootfs -> marker.
# Usage (root): tests/e2e/test_uefi_httpboot.sh PATH_TO_PXED
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init "$@"
e2e_ipxe_flags
e2e_start_pxed_profile ipxe "${E2E_IPXE_FLAGS[@]}"
script="ipxe/${E2E_MAC//:/-}\.ipxe"
e2e_boot_uefi httpboot
e2e_check_marker
e2e_print_phases

fw_ack="dhcp: $E2E_MAC arch=16 \(x64 UEFI HTTP Boot\) REQUEST -> ACK [0-9.]+ file=http://198\.18\.0\.1/ipxe\.efi"
ipxe_ack="dhcp: $E2E_MAC arch=7 \(x64 UEFI, iPXE\) REQUEST -> ACK [0-9.]+ file=http://198\.18\.0\.1/$script profile=e2e-ipxe"
e2e_expect_serial 'Start HTTP Boot over IPv4' "edk2's HTTP Boot client did not run"
e2e_expect_serial 'URI: http://198\.18\.0\.1/ipxe\.efi' "HTTP Boot was not given the ipxe.efi URL"
e2e_expect_count 1 "$fw_ack" "the HTTP Boot client was not handed the ipxe.efi URL exactly once"
e2e_expect_count 0 'tftp: .* RRQ ' "something was fetched over TFTP on an HTTP-only path"
e2e_expect_count 1 'http: .*"GET /ipxe\.efi" 200' "ipxe.efi was not fetched over HTTP exactly once"
e2e_expect_count 1 "$ipxe_ack" "iPXE was not handed its script exactly once"
e2e_expect_count 1 "http: .*\"GET /$script\" 200" "the script was not fetched exactly once"
e2e_expect_order "the chain did not run HTTP Boot DHCP -> HTTP ipxe.efi -> iPXE DHCP -> HTTP script, kernel, initrd" \
  "$fw_ack" 'http: .*"GET /ipxe\.efi" 200' "$ipxe_ack" "http: .*\"GET /$script\" 200" \
  'http: .*"GET /vmlinuz" 200' 'http: .*"GET /initrd\.gz" 200'
e2e_log PASS
