#!/usr/bin/env bash
# Demo: a BIOS machine in QEMU boots from pxed over the network, its serial console shown live:
#   SeaBIOS + iPXE ROM -> DHCP -> TFTP pxelinux.0 -> TFTP vmlinuz + initrd.gz -> Linux
#   -> DHCP again (udhcpc) -> HTTP rootfs.img -> sha256 on the console -> power off.
# Everything runs in a private network namespace (198.18.0.0/24, no route out) that is removed
# on exit, also on Ctrl-C. Ends with PASS or FAIL and the time each phase of the boot took.
# Usage (root, Debian 12): scripts/demo.sh PATH_TO_PXED      (or: make demo)
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tests/e2e/lib.sh"
# shellcheck disable=SC2034 # used by lib.sh
E2E_NAME=demo E2E_LIVE_CONSOLE=1

if [[ -t 1 ]]; then
  green=$'\e[1;32m' red=$'\e[1;31m' bold=$'\e[1m' reset=$'\e[0m'
else
  green="" red="" bold="" reset=""
fi

banner() { # COLOR WORD TEXT
  local rule="##########################################################################"
  printf '\n%s%s\n##\n##   %s   %s\n##\n%s%s\n' "$1" "$rule" "$2" "$3" "$rule" "$reset"
}

e2e_on_fail() {
  banner "$red" "FAIL" "$1"
}

cat <<INTRO
${bold}pxed demo${reset}: network boot of a BIOS machine (QEMU q35, SeaBIOS + iPXE ROM, TCG emulation).
  server  pxed on br0 198.18.0.1, DHCP range $E2E_DHCP_RANGE, boot tree served over TFTP + HTTP
  client  $E2E_MAC; its serial console follows; [server] lines are pxed's events.
  Takes ~30-60 s under emulation; Ctrl-C stops it and cleans up.

INTRO

e2e_init "$@"
# pxed's defaults: among them, the router solicitations of the machines it PXE-boots get an
# advertisement that configures nothing, so iPXE does not wait ~13 s for IPv6.
e2e_start_pxed
e2e_boot_bios
e2e_check_marker
echo
e2e_print_phases
banner "$green" "PASS" "booted over the network from pxed; rootfs.img sha256 verified on the machine"
