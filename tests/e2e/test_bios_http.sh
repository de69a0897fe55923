#!/usr/bin/env bash
# End-to-end: a BIOS machine (q35, SeaBIOS, QEMU's iPXE ROM, TCG) boots from pxed over HTTP:
#   DHCP (user class iPXE -> http://198.18.0.1/boot.ipxe) -> HTTP boot.ipxe -> HTTP vmlinuz +
#   initrd.gz -> initramfs DHCP (udhcpc) -> HTTP rootfs.img -> "PXED-MARKER sha256=..." on the console.
# Then the web dashboard, in headless Chromium, shows the machine's boot completed.
# Usage (root): tests/e2e/test_bios_http.sh PATH_TO_PXED
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init "$@"
e2e_start_pxed --ipxe-boot-file "http://$E2E_SERVER_IP/boot.ipxe"
e2e_boot_bios
e2e_check_marker
e2e_print_phases
grep -qE 'http: .*"GET /boot\.ipxe" 200' "$E2E_SERVER_LOG" || e2e_die "boot.ipxe was not fetched over HTTP"
grep -qE 'http: .*"GET /vmlinuz" 200' "$E2E_SERVER_LOG" || e2e_die "the kernel was not fetched over HTTP"
grep -qE 'http: .*"GET /initrd\.gz" 200' "$E2E_SERVER_LOG" || e2e_die "the initrd was not fetched over HTTP"
e2e_check_dashboard
e2e_log PASS
