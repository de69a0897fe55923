#!/usr/bin/env bash
# Builds the boot tree the end-to-end tests and the demo serve:
#   pxelinux.0 ldlinux.c32 pxelinux.cfg/default    BIOS PXE -> pxelinux (TFTP)
#   undionly.kpxe ipxe.efi snponly.efi boot.ipxe   iPXE loaders and the iPXE script (HTTP)
#   grubnetx64.efi grub/grub.cfg                    UEFI PXE -> GRUB (Debian's signed netboot image)
#   syslinux.efi ldlinux.e64                        UEFI PXE -> syslinux (reads pxelinux.cfg/ too)
#   vmlinuz initrd.gz                               Debian 12 cloud kernel + a busybox initramfs
#   rootfs.img                                      the file the booted machine fetches over HTTP
# The initramfs brings up virtio-net, runs udhcpc, fetches the URL given by the kernel parameter
# pxed_rootfs=, prints "PXED-MARKER sha256=<hex> bytes=<n>" on the console and powers off; on any
# failure it prints "PXED-FAIL: <reason>" and powers off.
#
# Usage: scripts/build-boot-tree.sh OUTDIR
# Everything is built once and cached under ${PXED_CACHE_DIR:-/var/cache/pxed-test}; later runs
# only copy the tree (no network). Missing Debian packages are installed with apt-get (root).
# PXED_SERVER_IP (default 198.18.0.1) is the address written into the configs.
set -euo pipefail

OUT=${1:?usage: build-boot-tree.sh OUTDIR}
CACHE=${PXED_CACHE_DIR:-/var/cache/pxed-test}
SERVER_IP=${PXED_SERVER_IP:-198.18.0.1}
ROOTFS_BYTES=$((4 * 1024 * 1024 + 12345)) # a few MiB, deliberately not a multiple of any block size
# The virtio-net stack of the Debian 12 cloud kernel, in load order.
MODULES=(failover net_failover virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
  virtio_pci virtio_net)
PACKAGES=(pxelinux syslinux-common syslinux-efi ipxe grub-efi-amd64-signed busybox-static cpio gzip)

TEMPS=()
cleanup_temps() { ((${#TEMPS[@]} == 0)) || rm -rf "${TEMPS[@]}"; }
trap cleanup_temps EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

msg() { printf 'build-boot-tree: %s\n' "$*" >&2; }
die() { msg "error: $*"; exit 1; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_updated=0
apt_update_once() {
  ((apt_updated)) && return 0
  apt-get update -qq || die "apt-get update failed"
  apt_updated=1
}

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) -eq 0 ]] || die "missing packages (${missing[*]}); installing them needs root"
  msg "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_update_once
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
}

# Prints the name of the real kernel package behind linux-image-cloud-amd64.
resolve_kernel_package() {
  local name
  name=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    sed -n -E 's/^ *Depends: <?(linux-image-[0-9][^ >]*-cloud-amd64)>?.*/\1/p' | head -n 1)
  if [[ -z "$name" ]]; then
    apt_update_once
    name=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
      sed -n -E 's/^ *Depends: <?(linux-image-[0-9][^ >]*-cloud-amd64)>?.*/\1/p' | head -n 1)
  fi
  [[ -n "$name" ]] || die "cannot find the package linux-image-cloud-amd64 depends on"
  printf '%s\n' "$name"
}

# Sets KDIR to an unpacked Debian cloud kernel in the cache, downloading it on first use.
ensure_kernel() {
  local name
  if [[ -s "$CACHE/kernel.name" && -e "$CACHE/kernel/$(cat "$CACHE/kernel.name")/.done" ]]; then
    name=$(cat "$CACHE/kernel.name")
  else
    name=$(resolve_kernel_package)
    if [[ ! -e "$CACHE/kernel/$name/.done" ]]; then
      msg "downloading $name"
      local dl
      dl=$(mktemp -d "$CACHE/download.XXXXXX")
      TEMPS+=("$dl")
      # apt-get downloads as the user _apt when it can write the directory (else a warning).
      chmod 755 "$dl"
      chown _apt "$dl" 2>/dev/null || true
      (cd "$dl" && apt-get download -qq "$name") || {
        rm -rf "$dl"
        die "apt-get download $name failed"
      }
      rm -rf "$CACHE/kernel/$name"
      mkdir -p "$CACHE/kernel/$name"
      dpkg -x "$dl"/"$name"_*.deb "$CACHE/kernel/$name" || die "dpkg -x failed"
      rm -rf "$dl"
      touch "$CACHE/kernel/$name/.done"
    fi
    printf '%s\n' "$name" >"$CACHE/kernel.name"
  fi
  KNAME=$name
  KDIR="$CACHE/kernel/$name"
  KVER=$(find "$KDIR/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | head -n 1)
  [[ -f "$KDIR/boot/vmlinuz-$KVER" ]] || die "no vmlinuz-$KVER in $KDIR/boot"
}

write_init() {
  cat >"$1/init" <<'INIT'
#!/bin/sh
# pxed end-to-end test initramfs: network up, fetch the root-fs URL, print its sha256, power off.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1

fail() {
  echo "PXED-FAIL: $*"
  sleep 1
  poweroff -f
}
stage() { echo "PXED-STAGE $* (uptime $(cut -d' ' -f1 /proc/uptime) s)"; }

stage init
for m in $(cat /etc/modules-order); do
  insmod "/lib/modules/$m.ko" || fail "insmod $m"
done
i=0
while [ ! -e /sys/class/net/eth0 ]; do
  i=$((i + 1))
  [ $i -le 50 ] || fail "no eth0 after loading virtio_net"
  sleep 0.1
done
ip link set lo up
ip link set eth0 up || fail "cannot bring eth0 up"
stage "eth0 up"

url=
for arg in $(cat /proc/cmdline); do
  case "$arg" in pxed_rootfs=*) url=${arg#pxed_rootfs=} ;; esac
done
[ -n "$url" ] || fail "no pxed_rootfs= on the kernel command line"

udhcpc -i eth0 -n -q -f -t 10 -T 2 -s /etc/udhcpc.script || fail "udhcpc got no lease"
[ -s /tmp/lease ] || fail "udhcpc script did not run"
stage "dhcp bound $(cat /tmp/lease)"

wget -q -O /tmp/rootfs.img "$url" || fail "wget $url failed"
stage "fetched $url"
sum=$(sha256sum /tmp/rootfs.img | cut -d' ' -f1)
bytes=$(wc -c </tmp/rootfs.img)
echo "PXED-MARKER sha256=$sum bytes=$bytes"
sleep 1
poweroff -f
INIT
  chmod 755 "$1/init"

  cat >"$1/etc/udhcpc.script" <<'SCRIPT'
#!/bin/sh
# udhcpc hook: configure the leased address; nothing else.
case "$1" in
  deconfig)
    ip addr flush dev "$interface"
    ;;
  bound | renew)
    ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" up || exit 1
    if [ -n "$router" ]; then
      for r in $router; do route add default gw "$r" dev "$interface" 2>/dev/null; break; done
    fi
    echo "ip=$ip server=$serverid" >/tmp/lease
    ;;
esac
exit 0
SCRIPT
  chmod 755 "$1/etc/udhcpc.script"
}

build_initrd() {
  local dest=$1 stage
  stage=$(mktemp -d "$CACHE/initrd.XXXXXX")
  TEMPS+=("$stage")
  mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,tmp,lib/modules}
  cp /bin/busybox "$stage/bin/busybox"
  local applet
  for applet in $("$stage/bin/busybox" --list); do
    [[ "$applet" == busybox ]] || ln -s busybox "$stage/bin/$applet"
  done
  # The kernel opens /dev/console for init before /init runs; it needs the node in the archive.
  mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
  : >"$stage/etc/modules-order"
  local m ko
  for m in "${MODULES[@]}"; do
    ko=$(find "$KDIR/lib/modules/$KVER/kernel" -name "$m.ko" -print -quit)
    if [[ -n "$ko" ]]; then
      cp "$ko" "$stage/lib/modules/$m.ko"
      echo "$m" >>"$stage/etc/modules-order"
    elif grep -q "/$m.ko\$" "$KDIR/lib/modules/$KVER/modules.builtin" 2>/dev/null; then
      msg "$m is built into $KVER"
    else
      die "module $m.ko not found in $KNAME (compressed modules are not supported)"
    fi
  done
  write_init "$stage"
  (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9 -n) >"$dest"
  rm -rf "$stage"
}

write_configs() {
  local tree=$1 append="console=ttyS0,115200 panic=-1 pxed_rootfs=http://$SERVER_IP/rootfs.img"
  mkdir -p "$tree/pxelinux.cfg"
  cat >"$tree/pxelinux.cfg/default" <<EOF
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND $append
EOF
  # GRUB (grubnetx64.efi) reads $prefix/grub.cfg, its prefix being /grub on the TFTP server it
  # was loaded from. Kernel and initrd come over TFTP: Debian's image has no http module built in
  # ("(http,...)" asks TFTP for grub/x86_64-efi/http.mod), and with that module (from
  # grub-efi-amd64-bin, Secure Boot off) GRUB's HTTP was 2-3x slower than its TFTP here.
  mkdir -p "$tree/grub"
  cat >"$tree/grub/grub.cfg" <<EOF
set timeout=0
echo "PXED-GRUB: mac \$net_default_mac ip \$net_default_ip server \$net_default_server"
echo "PXED-GRUB: prefix \$prefix root \$root cmdpath \$cmdpath interface \$net_default_interface"
echo "PXED-GRUB: loading vmlinuz and initrd.gz"
linux /vmlinuz $append
initrd /initrd.gz
boot
EOF
  cat >"$tree/boot.ipxe" <<EOF
#!ipxe
kernel http://$SERVER_IP/vmlinuz initrd=initrd.gz $append
initrd http://$SERVER_IP/initrd.gz
boot
EOF
}

pkg_version() { dpkg-query -W -f='${Version}' "$1"; }

main() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock -w 600 9 || die "cache $CACHE is locked by another build"

  ensure_packages
  ensure_kernel

  # The tree is rebuilt whenever this script, the kernel or a package it takes files from changes.
  local key
  key=$( {
    cat "${BASH_SOURCE[0]}"
    echo "$KNAME $SERVER_IP"
    for p in pxelinux syslinux-common syslinux-efi ipxe grub-efi-amd64-signed busybox-static; do
      echo "$p $(pkg_version "$p")"
    done
  } | sha256sum | cut -d' ' -f1)

  if [[ ! -f "$CACHE/rootfs.img" ]]; then
    TEMPS+=("$CACHE/rootfs.img.tmp")
    head -c "$ROOTFS_BYTES" /dev/urandom >"$CACHE/rootfs.img.tmp"
    mv "$CACHE/rootfs.img.tmp" "$CACHE/rootfs.img"
  fi

  if [[ "$(cat "$CACHE/tree/.key" 2>/dev/null)" != "$key" ]]; then
    msg "building the boot tree in $CACHE/tree ($KNAME)"
    local tree
    tree=$(mktemp -d "$CACHE/tree.XXXXXX")
    TEMPS+=("$tree")
    cp /usr/lib/PXELINUX/pxelinux.0 "$tree/"
    cp /usr/lib/syslinux/modules/bios/ldlinux.c32 "$tree/"
    cp /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/ipxe.efi /usr/lib/ipxe/snponly.efi "$tree/"
    cp /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed "$tree/grubnetx64.efi"
    cp /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi /usr/lib/syslinux/modules/efi64/ldlinux.e64 "$tree/"
    cp "$KDIR/boot/vmlinuz-$KVER" "$tree/vmlinuz"
    build_initrd "$tree/initrd.gz"
    write_configs "$tree"
    echo "$key" >"$tree/.key"
    chmod 755 "$tree"
    rm -rf "$CACHE/tree"
    mv "$tree" "$CACHE/tree"
  fi

  mkdir -p "$OUT"
  cp -r "$CACHE/tree/." "$OUT/"
  rm -f "$OUT/.key"
  cp "$CACHE/rootfs.img" "$OUT/rootfs.img"
  msg "boot tree ready in $OUT"
}

main
