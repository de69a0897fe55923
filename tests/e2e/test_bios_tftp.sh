#!/usr/bin/env bash
# End-to-end: a BIOS machine (q35, SeaBIOS, QEMU's iPXE ROM, TCG) boots from pxed over TFTP:
#   DHCP -> TFTP pxelinux.0 -> pxelinux.cfg/default -> TFTP vmlinuz + initrd.gz
#   -> initramfs DHCP (udhcpc) -> HTTP rootfs.img -> "PXED-MARKER sha256=..." on the console.
# pxed runs without --ipxe-boot-file, so the iPXE ROM is handed pxelinux.0 like any BIOS client.
# Usage (root): tests/e2e/test_bios_tftp.sh PATH_TO_PXED
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init "$@"
# shellcheck disable=SC2119 # no extra flags: pxed's defaults
e2e_start_pxed
e2e_boot_bios
e2e_check_marker
e2e_print_phases
grep -qE 'tftp: .*RRQ /?vmlinuz .*-> sent' "$E2E_SERVER_LOG" || e2e_die "the kernel was not fetched over TFTP"
grep -qE 'tftp: .*RRQ /?initrd\.gz .*-> sent' "$E2E_SERVER_LOG" || e2e_die "the initrd was not fetched over TFTP"
e2e_log PASS
