#!/usr/bin/env bash
# End-to-end: a UEFI machine (q35, OVMF, QEMU's iPXE ROM as its network boot driver, TCG) boots
# from pxed over HTTP only:
#   DHCP (iPXE EFI, arch 7, user class iPXE -> http://198.18.0.1/boot.ipxe) -> HTTP boot.ipxe
#   -> HTTP vmlinuz + initrd.gz -> initramfs DHCP (udhcpc) -> HTTP rootfs.img -> marker.
# Usage (root): tests/e2e/test_uefi_ipxe_rom.sh PATH_TO_PXED
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init "$@"
e2e_ipxe_flags
e2e_start_pxed --ipxe-boot-file "http://$E2E_SERVER_IP/boot.ipxe" "${E2E_IPXE_FLAGS[@]}"
e2e_boot_uefi ipxe-rom
e2e_check_marker
e2e_print_phases

ipxe_ack="dhcp: $E2E_MAC arch=7 \(x64 UEFI, iPXE\) REQUEST -> ACK [0-9.]+ file=http://198\.18\.0\.1/boot\.ipxe"
# The ROM's iPXE did the firmware's DHCP (edk2's own PXE client never asked) and got the script.
e2e_expect_count 1 "$ipxe_ack" "the iPXE ROM was not handed boot.ipxe exactly once"
e2e_expect_count 0 'dhcp: .* arch=7 \(x64 UEFI\) ' "edk2's own PXE client did DHCP, the iPXE ROM should have"
e2e_expect_count 0 'tftp: .* RRQ ' "something was fetched over TFTP on an HTTP-only path"
e2e_expect_count 1 'http: .*"GET /boot\.ipxe" 200' "boot.ipxe was not fetched exactly once"
e2e_expect_order "iPXE did not fetch script, kernel and initrd over HTTP in that order" "$ipxe_ack" \
  'http: .*"GET /boot\.ipxe" 200' 'http: .*"GET /vmlinuz" 200' 'http: .*"GET /initrd\.gz" 200'
e2e_log PASS
