#!/usr/bin/env bash
# End-to-end: a UEFI machine (q35, OVMF, edk2's own PXE client, TCG) boots syslinux.efi from pxed:
#   DHCP (edk2, arch 7 -> syslinux.efi) -> TFTP syslinux.efi -> a second DHCP from the firmware's
#   network stack when syslinux opens its UDP socket (options 53, 57, 55 = 1,3,6 only: no 60, 93
#   or 97, so pxed sees no architecture) -> TFTP ldlinux.e64 -> pxelinux.cfg/01-MAC, the address in
#   -> pxelinux.cfg/01-MAC (rendered by pxed from the machine's profile) -> TFTP vmlinuz +
#   initrd.gz -> initramfs DHCP -> marker.
# Usage (root): tests/e2e/test_uefi_syslinux.sh PATH_TO_PXED
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init "$@"
# The profile's loader kind "pxelinux" is syslinux.efi for x64 UEFI (the architecture table).
e2e_start_pxed_profile pxelinux
e2e_boot_uefi native
e2e_check_marker
e2e_print_phases

fw_ack="dhcp: $E2E_MAC arch=7 \(x64 UEFI\) REQUEST -> ACK (198\.18\.0\.[0-9]+) file=syslinux\.efi"
archless_ack="dhcp: $E2E_MAC REQUEST -> ACK "
e2e_expect_serial 'NBP filename is syslinux\.efi' "edk2 was not told to load syslinux.efi"
e2e_expect_count 1 "$fw_ack" "the firmware was not handed syslinux.efi exactly once"
e2e_expect_count 1 'tftp: .* RRQ /?syslinux\.efi .*-> sent' "syslinux.efi was not sent over TFTP exactly once"
e2e_expect_order "the chain did not run firmware DHCP -> TFTP syslinux.efi -> arch-less DHCP -> TFTP ldlinux.e64, pxelinux.cfg/01-MAC (rendered), vmlinuz, initrd.gz" \
  "$fw_ack" 'tftp: .* RRQ /?syslinux\.efi .*-> sent' "$archless_ack" \
  'tftp: .* RRQ /?ldlinux\.e64 .*-> sent' \
  "boot: $E2E_MAC tftp pxelinux\.cfg/01-${E2E_MAC//:/-}: profile e2e-pxelinux \(boot\.default-profile\)" \
  "tftp: .* RRQ /?pxelinux\.cfg/01-${E2E_MAC//:/-} .*-> sent" 'tftp: .* RRQ /?vmlinuz .*-> sent' \
  'tftp: .* RRQ /?initrd\.gz .*-> sent'
e2e_expect_count 0 'RRQ /?pxelinux\.cfg/default' "syslinux went on to pxelinux.cfg/default after its own file"
# The arch-less DHCP must give the machine the same address the firmware's did: syslinux keeps
# the firmware's ("My IP is ..."), the UEFI network stack uses the new one.
fw_ip=$(grep -aoE "$fw_ack" "$E2E_SERVER_LOG" | sed -E 's/.*-> ACK ([0-9.]+) .*/\1/')
second_ip=$(grep -aE "$archless_ack" "$E2E_SERVER_LOG" | head -n 1 | sed -E 's/.*-> ACK ([0-9.]+).*/\1/')
[[ -n "$fw_ip" && "$fw_ip" == "$second_ip" ]] ||
  e2e_die "the arch-less DHCP got $second_ip, the firmware's $fw_ip"
e2e_expect_serial "My IP is $fw_ip" "syslinux did not report the firmware's address"
e2e_expect_count 0 'RRQ /?(pxelinux\.0|ldlinux\.c32|ipxe\.efi)|GET /ipxe\.efi' "a BIOS or iPXE loader was fetched"
e2e_log PASS
