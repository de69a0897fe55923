#!/usr/bin/env bash
# End-to-end: a UEFI machine (q35, OVMF, edk2's own PXE client, TCG) chainloads iPXE from pxed:
#   DHCP (edk2, arch 7 -> snponly.efi) -> TFTP snponly.efi (after edk2's tsize probe) -> iPXE's DHCP
#   (user class iPXE -> its own script, http://198.18.0.1/ipxe/MAC.ipxe, rendered by pxed from the
#   machine's profile) -> HTTP vmlinuz + initrd.gz -> initramfs DHCP -> HTTP rootfs.img -> marker.
# Also checks the chain is loop-free: snponly.efi is sent once (plus edk2's size probe), iPXE is
# answered with the script once and fetches it once.
# Usage (root): tests/e2e/test_uefi_native_ipxe.sh PATH_TO_PXED
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init "$@"
e2e_ipxe_flags
e2e_start_pxed_profile ipxe "${E2E_IPXE_FLAGS[@]}"
script="ipxe/${E2E_MAC//:/-}\.ipxe"
e2e_boot_uefi native
e2e_check_marker
e2e_print_phases

fw_ack="dhcp: $E2E_MAC arch=7 \(x64 UEFI\) REQUEST -> ACK [0-9.]+ file=snponly\.efi"
ipxe_ack="dhcp: $E2E_MAC arch=7 \(x64 UEFI, iPXE\) REQUEST -> ACK [0-9.]+ file=http://198\.18\.0\.1/$script profile=e2e-ipxe"
e2e_expect_serial 'Start PXE over IPv4' "edk2's own PXE client did not run"
e2e_expect_serial 'NBP filename is snponly\.efi' "edk2 was not told to load snponly.efi"
# edk2 asks for snponly.efi twice: a size probe (tsize, ended with ERROR 8 after the OACK, logged
# as "size probe ended by client after OACK"), then the download. Anything more is a loop.
e2e_expect_count 1 "$fw_ack" "the firmware was not handed snponly.efi exactly once"
e2e_expect_count 1 'tftp: .* RRQ /?snponly\.efi .*-> size probe ended' "edk2's tsize probe of snponly.efi was not seen exactly once"
e2e_expect_count 1 'tftp: .* RRQ /?snponly\.efi .*-> sent' "snponly.efi was not sent over TFTP exactly once"
e2e_expect_count 2 'tftp: .* RRQ /?snponly\.efi ' "snponly.efi was requested more than probe + download"
e2e_expect_count 0 'http: .*"GET /snponly\.efi' "snponly.efi was fetched over HTTP (iPXE loading itself?)"
e2e_expect_count 1 "$ipxe_ack" "iPXE was not handed its script exactly once"
e2e_expect_count 1 "http: .*\"GET /$script\" 200" "the script was not fetched exactly once"
e2e_expect_serial "pxed: profile e2e-ipxe for $E2E_MAC" "iPXE did not run the script pxed rendered"
e2e_expect_order "the chain did not run firmware DHCP -> TFTP snponly.efi -> iPXE DHCP -> HTTP script, kernel, initrd" \
  "$fw_ack" 'tftp: .* RRQ /?snponly\.efi .*-> sent' "$ipxe_ack" "http: .*\"GET /$script\" 200" \
  'http: .*"GET /vmlinuz" 200' 'http: .*"GET /initrd\.gz" 200'
e2e_log PASS
