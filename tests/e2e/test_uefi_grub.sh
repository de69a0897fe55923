#!/usr/bin/env bash
# End-to-end: a UEFI machine (q35, OVMF, edk2's own PXE client, TCG) boots GRUB from pxed:
#   DHCP (edk2, arch 7 -> grubnetx64.efi) -> TFTP grubnetx64.efi (Debian's signed GRUB; it reuses
#   the firmware's DHCP ACK) -> TFTP /grub/grub.cfg (rendered by pxed for the machine at the
#   asking address, from its profile) -> TFTP /vmlinuz + /initrd.gz -> initramfs DHCP -> HTTP
#   rootfs.img -> marker.
# Kernel and initrd come over TFTP: Debian's grubnetx64.efi has no http module (see
# scripts/build-boot-tree.sh).
# Usage (root): tests/e2e/test_uefi_grub.sh PATH_TO_PXED
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init "$@"
# The profile's loader kind "grub" is grubnetx64.efi for x64 UEFI (the architecture table).
e2e_start_pxed_profile grub
e2e_boot_uefi native
e2e_check_marker
e2e_print_phases

fw_ack="dhcp: $E2E_MAC arch=7 \(x64 UEFI\) REQUEST -> ACK [0-9.]+ file=grubnetx64\.efi"
e2e_expect_serial 'NBP filename is grubnetx64\.efi' "edk2 was not told to load grubnetx64.efi"
# pxed rendered grub/grub.cfg for this machine (known by the address DHCP gave it) and GRUB ran it.
e2e_expect_log "boot: $E2E_MAC tftp grub/grub\.cfg: profile e2e-grub \(boot\.default-profile\)" \
  "pxed did not render grub/grub.cfg for the machine"
e2e_expect_serial "pxed: profile e2e-grub for $E2E_MAC" "GRUB did not run the grub.cfg pxed rendered"
e2e_expect_count 1 "$fw_ack" "the firmware was not handed grubnetx64.efi exactly once"
e2e_expect_count 1 'tftp: .* RRQ /?grubnetx64\.efi .*-> sent' "grubnetx64.efi was not sent over TFTP exactly once"
e2e_expect_count 0 'RRQ /?ipxe\.efi|GET /ipxe\.efi|RRQ /?pxelinux\.0' "another boot loader was fetched"
# GRUB reuses the firmware's ACK: no DHCP between the firmware's and the initramfs's.
kernel_line=$(e2e_log_line 'tftp: .* RRQ /?vmlinuz .*-> sent')
((kernel_line > 0)) || e2e_die "the kernel was not fetched over TFTP"
acks=$(head -n "$kernel_line" "$E2E_SERVER_LOG" | grep -caE 'dhcp: .*-> ACK ')
[[ "$acks" == 1 ]] || e2e_die "expected only the firmware's DHCP ACK before the kernel, found $acks"
e2e_expect_order "the chain did not run firmware DHCP -> TFTP grubnetx64.efi, /grub/grub.cfg, /vmlinuz, /initrd.gz" \
  "$fw_ack" 'tftp: .* RRQ /?grubnetx64\.efi .*-> sent' 'tftp: .* RRQ /grub/grub\.cfg .*-> sent' \
  'tftp: .* RRQ /vmlinuz .*-> sent' 'tftp: .* RRQ /initrd\.gz .*-> sent'
e2e_expect_count 0 'http: .*"GET /(vmlinuz|initrd\.gz)' "GRUB fetched the kernel or initrd over HTTP"
e2e_log PASS
