#!/usr/bin/env bash
# Installs the Debian 12 packages pxed needs. Usage: scripts/setup.sh build|test|demo ...
# Runs apt-get only when something is missing, so a second run costs nothing.
set -euo pipefail

build_pkgs=(cmake g++ make pkg-config libboost-dev libspdlog-dev libfmt-dev libcli11-dev
  libexpected-dev libsqlite3-dev nlohmann-json3-dev libtomlplusplus-dev)
test_pkgs=(libgtest-dev libgmock-dev iproute2 busybox-static isc-dhcp-client tftp-hpa curl
  sqlite3 kea-admin tcpdump atftp ndisc6 python3 dnsmasq-base chromium)
boot_pkgs=(qemu-system-x86 ipxe-qemu seabios ovmf ipxe pxelinux syslinux-common cpio
  busybox-static iproute2 curl syslinux-efi grub-efi-amd64-signed)

want=()
for mode in "$@"; do
  case "$mode" in
    build) want+=("${build_pkgs[@]}") ;;
    test) want+=("${build_pkgs[@]}" "${test_pkgs[@]}" "${boot_pkgs[@]}") ;;
    demo) want+=("${build_pkgs[@]}" "${boot_pkgs[@]}") ;;
    *) echo "setup.sh: unknown set '$mode' (build, test or demo)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: these packages are missing and installing them needs root: ${missing[*]}" >&2
  exit 1
fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
