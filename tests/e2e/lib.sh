# shellcheck shell=bash
# Shared helpers for the end-to-end boot tests and the demo: a QEMU machine boots over the network
# from a server (pxed) inside a private network namespace, and nothing leaves that namespace:
#
#   namespace pxed-e2e-PID:  br0 198.18.0.1/24 (the server)  <-bridge->  tap0  <->  QEMU (TCG)
#
# Source it, then:
#   e2e_init PXED_BINARY     checks, namespace, boot tree (scripts/build-boot-tree.sh)
#   e2e_start_pxed [FLAGS]   pxed serve on br0; waits (bounded) for "pxed: ready"
#   e2e_start_pxed_profile LOADER [FLAGS]   the same with a config whose default boot profile
#                            uses LOADER (ipxe, pxelinux, grub): boot files rendered by pxed
#   e2e_ipxe_flags           E2E_IPXE_FLAGS: flags this pxed needs to spare iPXE its IPv6 wait
#   e2e_boot_bios            boots the BIOS machine; waits (bounded) for the marker or a failure
#   e2e_boot_uefi MODE       the same with UEFI (OVMF); MODE ipxe-rom, native or httpboot
#   e2e_check_marker         the sha256 printed by the machine equals the served rootfs.img
#   e2e_print_phases         the boot timeline, from pxed's and our own timestamps
#   e2e_expect_log/_count/_order/_serial   assertions on the path the boot took
# Everything started here runs in its own process group and is killed on exit (also on Ctrl-C and
# SIGTERM), then whatever is left in the namespace, then the namespace is deleted.
#
# Environment: E2E_QEMU_TIMEOUT (default 240 s), E2E_LIVE_CONSOLE=1 (show the serial console and
# pxed's events on stdout while booting), E2E_KEEP_WORK=1 (keep the work directory and its logs),
# PXED_CACHE_DIR (boot tree cache, see scripts/build-boot-tree.sh).
set -uo pipefail

E2E_NAME=$(basename "$0" .sh)
E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_NS="pxed-e2e-$$"
E2E_SERVER_IP=198.18.0.1
E2E_DHCP_RANGE=198.18.0.100-198.18.0.200
E2E_MAC=52:54:00:e2:e0:01
E2E_QEMU_TIMEOUT=${E2E_QEMU_TIMEOUT:-240}
E2E_READY_TIMEOUT=15
E2E_LIVE_CONSOLE=${E2E_LIVE_CONSOLE:-0}
E2E_KEEP_WORK=${E2E_KEEP_WORK:-0}
E2E_PXED=""
E2E_WORK=""
E2E_ROOT=""
E2E_SERVER_LOG=""
E2E_SERIAL_LOG=""
E2E_QEMU_T0=""
E2E_PGIDS=()
E2E_LIVE_PGIDS=()
E2E_NS_CREATED=0
E2E_CLEANED=0

# Failure patterns on the serial console: SeaBIOS gave up, an edk2 PXE error (the colon keeps it
# from matching words such as PXE-E2E), our initramfs failed, or the kernel died.
E2E_SERIAL_FAIL_RE='No bootable device|PXE-E[0-9A-F]{2}:|PXED-FAIL|Kernel panic'
# OVMF's boot manager could not start a boot option (it then tries the next one, or ends in its
# setup menu or shell); used by e2e_boot_uefi in addition to E2E_SERIAL_FAIL_RE.
E2E_UEFI_FAIL_RE='BdsDxe: failed to load|Shell> '
E2E_MARKER_RE='PXED-MARKER sha256=[0-9a-f]{64}'

e2e_log() { printf '%s: %s\n' "$E2E_NAME" "$*"; }

# Strips terminal control sequences and carriage returns (firmware and boot loaders draw screens).
e2e_clean_console() { sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' -e 's/\x1bc//g' -e 's/\r//g'; }

e2e_dump_logs() {
  if [[ -n "$E2E_SERVER_LOG" && -s "$E2E_SERVER_LOG" ]]; then
    echo "--- server log (last 40 lines): $E2E_SERVER_LOG ---"
    tail -n 40 "$E2E_SERVER_LOG"
  fi
  if [[ -n "$E2E_SERIAL_LOG" && -s "$E2E_SERIAL_LOG" ]]; then
    echo "--- serial console (last 40 lines): $E2E_SERIAL_LOG ---"
    e2e_clean_console <"$E2E_SERIAL_LOG" | grep -v '^[[:space:]]*$' | tail -n 40
  fi
  if [[ -n "$E2E_WORK" && -s "$E2E_WORK/qemu.log" ]]; then
    echo "--- qemu output ---"
    tail -n 20 "$E2E_WORK/qemu.log"
  fi
}

# e2e_die REASON: reports the failure with the logs and exits 1. A script may define e2e_on_fail
# (called with the reason after the logs), e.g. to print a banner.
e2e_die() {
  e2e_stop_live
  e2e_log "FAIL: $*"
  e2e_dump_logs
  if [[ -n "$E2E_QEMU_T0" ]]; then
    sleep 0.3 # lets the stampers catch up
    e2e_print_phases
  fi
  if declare -F e2e_on_fail >/dev/null; then e2e_on_fail "$*"; fi
  exit 1
}

# --- processes -------------------------------------------------------------------------------

# e2e_spawn LOG CMD...: runs CMD in the background in a new session (so in its own process group,
# out of reach of the terminal's Ctrl-C); LOG "" keeps our stdout. Sets E2E_SPAWNED to its PID,
# which is also its process group id.
e2e_spawn() {
  local log=$1
  shift
  if [[ -n "$log" ]]; then
    setsid "$@" </dev/null >>"$log" 2>&1 &
  else
    setsid "$@" </dev/null &
  fi
  E2E_SPAWNED=$!
  E2E_PGIDS+=("$E2E_SPAWNED")
}

# e2e_spawn_ns LOG RCFILE CMD...: as e2e_spawn, inside the namespace; CMD's exit status is written
# to RCFILE when it ends, so we can tell that (and how) it ended.
e2e_spawn_ns() {
  local log=$1 rc=$2
  shift 2
  # shellcheck disable=SC2016 # expanded by the inner sh
  e2e_spawn "$log" ip netns exec "$E2E_NS" sh -c 'rc=$1; shift; "$@"; echo $? >"$rc"' sh "$rc" "$@"
}

# Copies the lines of FILE, as they appear, to FILE.ts, each prefixed with our clock (epoch s).
e2e_stamp() {
  : >>"$1"
  # shellcheck disable=SC2016 # expanded by the inner bash
  e2e_spawn "" bash -c 'tail -n +1 -F "$1" 2>/dev/null |
    while IFS= read -r line; do printf "%s %s\n" "$EPOCHREALTIME" "$line"; done >>"$1.ts"' _ "$1"
}

e2e_kill_groups() {
  local pg i alive
  for pg in "${E2E_PGIDS[@]}"; do kill -TERM -- "-$pg" 2>/dev/null; done
  for i in $(seq 1 30); do
    alive=0
    for pg in "${E2E_PGIDS[@]}"; do
      # Reap the leader if it is gone, then ask whether anything of the group is left.
      wait "$pg" 2>/dev/null
      kill -0 -- "-$pg" 2>/dev/null && alive=1
    done
    ((alive)) || break
    sleep 0.1
  done
  for pg in "${E2E_PGIDS[@]}"; do kill -KILL -- "-$pg" 2>/dev/null; wait "$pg" 2>/dev/null; done
  E2E_PGIDS=()
}

e2e_cleanup() {
  ((E2E_CLEANED)) && return 0
  E2E_CLEANED=1
  set +e
  e2e_kill_groups
  if ((E2E_NS_CREATED)); then
    local pid
    for pid in $(ip netns pids "$E2E_NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$E2E_NS" 2>/dev/null
  fi
  if [[ -n "$E2E_WORK" && -d "$E2E_WORK" ]]; then
    if ((E2E_KEEP_WORK)); then
      echo "$E2E_NAME: logs kept in $E2E_WORK"
    else
      rm -rf "$E2E_WORK"
    fi
  fi
}
trap e2e_cleanup EXIT
trap 'e2e_stop_live; echo; e2e_log "interrupted"; exit 130' INT
trap 'e2e_log "terminated"; exit 143' TERM

# --- set-up ----------------------------------------------------------------------------------

e2e_require_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  e2e_log "installing ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null; then
    e2e_die "cannot install ${missing[*]}"
  fi
}

e2e_setup_net() {
  ip netns add "$E2E_NS" || e2e_die "cannot create namespace $E2E_NS"
  E2E_NS_CREATED=1
  local n=(ip -n "$E2E_NS")
  if ! { "${n[@]}" link set lo up &&
    "${n[@]}" link add br0 type bridge &&
    "${n[@]}" link set br0 type bridge stp_state 0 forward_delay 0 &&
    "${n[@]}" addr add "$E2E_SERVER_IP/24" dev br0 &&
    "${n[@]}" tuntap add dev tap0 mode tap &&
    "${n[@]}" link set tap0 master br0 &&
    "${n[@]}" link set tap0 up &&
    "${n[@]}" link set br0 up; }; then
    e2e_die "cannot set up the network in $E2E_NS"
  fi
}

# e2e_init PXED_BINARY: checks, work directory, namespace and boot tree.
e2e_init() {
  [[ $# -ge 1 && -n "$1" ]] || { echo "usage: $0 PATH_TO_PXED" >&2; exit 2; }
  [[ $(id -u) -eq 0 ]] || { e2e_log "needs root (network namespaces, tap, apt-get)"; exit 1; }
  [[ -x "$1" ]] || { e2e_log "not an executable: $1"; exit 1; }
  E2E_PXED=$(readlink -f "$1")
  e2e_require_packages qemu-system-x86 ipxe-qemu seabios iproute2 util-linux coreutils
  E2E_WORK=$(mktemp -d /tmp/pxed-e2e.XXXXXX) || e2e_die "mktemp failed"
  chmod 755 "$E2E_WORK"
  E2E_ROOT="$E2E_WORK/root"
  E2E_SERVER_LOG="$E2E_WORK/server.log"
  E2E_SERIAL_LOG="$E2E_WORK/serial.log"
  e2e_setup_net
  e2e_log "building the boot tree (cache ${PXED_CACHE_DIR:-/var/cache/pxed-test})"
  "$E2E_REPO/scripts/build-boot-tree.sh" "$E2E_ROOT" >"$E2E_WORK/build.log" 2>&1 || {
    cat "$E2E_WORK/build.log"
    e2e_die "scripts/build-boot-tree.sh failed"
  }
}

# e2e_start_server CMD...: starts a server command in the namespace with its output in
# $E2E_SERVER_LOG, and waits until it logs "pxed: ready".
e2e_start_server() {
  e2e_stamp "$E2E_SERVER_LOG"
  e2e_spawn_ns "$E2E_SERVER_LOG" "$E2E_WORK/server.rc" "$@"
  local i
  for i in $(seq 1 $((E2E_READY_TIMEOUT * 10))); do
    grep -q "pxed: ready" "$E2E_SERVER_LOG" && return 0
    [[ -e "$E2E_WORK/server.rc" ]] &&
      e2e_die "the server exited during start-up (status $(cat "$E2E_WORK/server.rc")): $*"
    sleep 0.1
  done
  e2e_die "the server did not log 'pxed: ready' within $E2E_READY_TIMEOUT s: $*"
}

# e2e_pxed_supports FLAG: the pxed under test lists FLAG in "pxed serve --help".
e2e_pxed_supports() {
  "$E2E_PXED" serve --help 2>/dev/null | grep -qE -- "(^|[ ,])$1([ =,]|\$)"
}

# e2e_ipxe_flags: sets E2E_IPXE_FLAGS to the pxed flags that spare iPXE needless waits, as far as
# this pxed needs them: a pxed whose default answers the router solicitations of its PXE clients
# (--ipv6-ra=pxe-clients) needs none; an older one needs --ipv6-ra (a router advertisement ends
# iPXE's ~13-16 s wait for IPv6).
E2E_IPXE_FLAGS=()
e2e_ipxe_flags() {
  E2E_IPXE_FLAGS=()
  if "$E2E_PXED" serve --help 2>/dev/null | grep -q "pxe-clients"; then
    return 0
  elif e2e_pxed_supports --ipv6-ra; then
    E2E_IPXE_FLAGS+=(--ipv6-ra)
  else
    e2e_log "note: this pxed has no --ipv6-ra; iPXE will wait ~15 s for IPv6 before it boots"
  fi
}

# e2e_start_pxed [EXTRA FLAGS...]: pxed serve on br0, serving the boot tree.
e2e_start_pxed() {
  e2e_log "starting pxed serve --interface br0 --dhcp-range $E2E_DHCP_RANGE $*"
  e2e_start_server "$E2E_PXED" serve --interface br0 --root "$E2E_ROOT" \
    --dhcp-range "$E2E_DHCP_RANGE" --lease-db "$E2E_WORK/leases.db" "$@"
}

# e2e_start_pxed_profile LOADER [EXTRA FLAGS...]: pxed serve --config, with one boot profile
# (loader LOADER: ipxe, pxelinux or grub) as the default profile, so every boot file after the
# loader (iPXE script, pxelinux.cfg/01-<mac>, grub/grub.cfg) is rendered by pxed for the machine
# (the static ones in the boot tree are shadowed).
e2e_start_pxed_profile() {
  local loader=$1
  shift
  cat >"$E2E_WORK/pxed.toml" <<TOML
interfaces = ["br0"]
root = "$E2E_ROOT"
[dhcp]
lease-db = "$E2E_WORK/leases.db"
[[dhcp.subnet]]
network = "${E2E_SERVER_IP%.*}.0/24"
interfaces = ["br0"]
pools = ["$E2E_DHCP_RANGE"]
[boot]
default-profile = "e2e-$loader"
[[boot.profile]]
name = "e2e-$loader"
loader = "$loader"
kernel = "vmlinuz"
initrds = ["initrd.gz"]
cmdline = "console=ttyS0,115200 panic=-1 pxed_rootfs={{rootfs_url}}"
rootfs-url = "{{http}}/rootfs.img"
TOML
  e2e_log "starting pxed serve --config (default profile e2e-$loader) $*"
  e2e_start_server "$E2E_PXED" serve --config "$E2E_WORK/pxed.toml" "$@"
}

# --- the machine -----------------------------------------------------------------------------

# Shows the serial console (cleaned of terminal control sequences) and the server's dhcp/tftp/http
# events on our stdout as they happen, until e2e_stop_live.
e2e_show_live() {
  local cyan="" reset=""
  if [[ -t 1 ]]; then cyan=$'\e[36m' reset=$'\e[0m'; fi
  # shellcheck disable=SC2016 # expanded by the inner bash
  e2e_spawn "" bash -c 'tail -n +1 -F "$1" 2>/dev/null | sed -u -e "s/\x1b\[[0-9;?]*[A-Za-z]//g" \
    -e "s/\x1b[()][A-Z0-9]//g" -e "s/\x1bc//g" -e "s/\r//g" | grep --line-buffered -v "^[[:space:]]*$"' \
    _ "$E2E_SERIAL_LOG"
  E2E_LIVE_PGIDS+=("$E2E_SPAWNED")
  # shellcheck disable=SC2016 # expanded by the inner bash
  e2e_spawn "" bash -c 'tail -n +1 -F "$1" 2>/dev/null |
    grep --line-buffered -E "(^| )(dhcp|tftp|http|pxed): " | sed -u "s/^/$2  [server] /; s/\$/$3/"' \
    _ "$E2E_SERVER_LOG" "$cyan" "$reset"
  E2E_LIVE_PGIDS+=("$E2E_SPAWNED")
}

e2e_stop_live() {
  local pg
  for pg in "${E2E_LIVE_PGIDS[@]}"; do kill -TERM -- "-$pg" 2>/dev/null; wait "$pg" 2>/dev/null; done
  E2E_LIVE_PGIDS=()
}

# _e2e_boot WHAT QEMU_ARGS...: starts q35 (TCG) with the serial console in $E2E_SERIAL_LOG, the NIC
# on tap0 and QEMU_ARGS (firmware, boot order, the -device of the NIC), then waits for the marker,
# an early failure on the console (E2E_SERIAL_FAIL_RE), the server's exit or the timeout.
_e2e_boot() {
  local what=$1
  shift
  : >"$E2E_SERIAL_LOG"
  e2e_stamp "$E2E_SERIAL_LOG"
  ((E2E_LIVE_CONSOLE)) && e2e_show_live
  local rcfile="$E2E_WORK/qemu.rc"
  E2E_QEMU_T0=$EPOCHREALTIME
  e2e_log "booting the $what (TCG, timeout ${E2E_QEMU_TIMEOUT} s)"
  # --foreground keeps qemu in our process group (timeout would otherwise make its own).
  e2e_spawn_ns "$E2E_WORK/qemu.log" "$rcfile" timeout --foreground "$E2E_QEMU_TIMEOUT" \
    qemu-system-x86_64 -machine q35 -m 512 -smp 1 -nographic -no-reboot -accel tcg \
    -serial "file:$E2E_SERIAL_LOG" -monitor none \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no "$@"
  local qemu_pg=$E2E_SPAWNED i failure
  for i in $(seq 1 $(((E2E_QEMU_TIMEOUT + 15) * 5))); do
    if grep -qaE "$E2E_MARKER_RE" "$E2E_SERIAL_LOG"; then
      # The machine powers itself off after the marker; give it a few seconds.
      for _ in $(seq 1 50); do [[ -e "$rcfile" ]] && break; sleep 0.1; done
      kill -TERM -- "-$qemu_pg" 2>/dev/null
      sleep 0.3 # lets the stampers and the live view catch up
      e2e_stop_live
      return 0
    fi
    failure=$(grep -aoE "($E2E_SERIAL_FAIL_RE).*" "$E2E_SERIAL_LOG" | head -n 1)
    [[ -n "$failure" ]] && e2e_die "the machine failed: $(e2e_clean_console <<<"$failure")"
    if [[ -e "$rcfile" ]]; then
      local rc
      rc=$(cat "$rcfile")
      [[ "$rc" == 124 ]] && e2e_die "no marker within ${E2E_QEMU_TIMEOUT} s (qemu killed by timeout)"
      e2e_die "qemu ended (status $rc) without printing the marker"
    fi
    [[ -e "$E2E_WORK/server.rc" ]] &&
      e2e_die "the server exited during the boot (status $(cat "$E2E_WORK/server.rc"))"
    sleep 0.2
  done
  e2e_die "no marker and no qemu exit within $((E2E_QEMU_TIMEOUT + 15)) s"
}

# e2e_boot_bios: boots q35 + SeaBIOS + QEMU's iPXE ROM from the network and waits for the
# marker, an early failure on the console, the server's exit or the timeout.
e2e_boot_bios() {
  _e2e_boot "BIOS machine" -boot n -device "virtio-net-pci,netdev=n0,mac=$E2E_MAC,bootindex=1"
}

# e2e_boot_uefi MODE: boots q35 + OVMF (a fresh copy of its variable store per run) from the
# network and waits as e2e_boot_bios does. MODE is the network boot client:
#   ipxe-rom   QEMU's iPXE ROM (its EFI driver) does DHCP and loads what it is told
#   native     edk2's own PXE client (no option ROM): DHCP, then TFTP of the boot loader
#   httpboot   edk2's UEFI HTTP Boot (no option ROM, PXE disabled by fw_cfg): DHCP asking for an
#              HTTPClient, then the boot loader from a URL
# Besides E2E_SERIAL_FAIL_RE, a boot option the firmware could not start ends the boot at once.
e2e_boot_uefi() {
  local mode=${1:-} dev="virtio-net-pci,netdev=n0,mac=$E2E_MAC,bootindex=1" extra=()
  case "$mode" in
    ipxe-rom) ;;
    native) dev+=",romfile=" ;;
    httpboot)
      dev+=",romfile="
      extra=(-fw_cfg "name=opt/org.tianocore/IPv4PXESupport,string=n"
        -fw_cfg "name=opt/org.tianocore/IPv6PXESupport,string=n")
      ;;
    *) e2e_die "e2e_boot_uefi: unknown mode '$mode' (ipxe-rom, native or httpboot)" ;;
  esac
  e2e_require_packages ovmf
  local code=/usr/share/OVMF/OVMF_CODE_4M.fd vars=/usr/share/OVMF/OVMF_VARS_4M.fd
  [[ -r "$code" && -r "$vars" ]] || e2e_die "no $code or $vars (package ovmf)"
  cp "$vars" "$E2E_WORK/OVMF_VARS.fd" || e2e_die "cannot copy $vars"
  local saved_re=$E2E_SERIAL_FAIL_RE
  E2E_SERIAL_FAIL_RE="$E2E_SERIAL_FAIL_RE|$E2E_UEFI_FAIL_RE"
  _e2e_boot "UEFI machine ($mode)" \
    -drive "if=pflash,format=raw,unit=0,readonly=on,file=$code" \
    -drive "if=pflash,format=raw,unit=1,file=$E2E_WORK/OVMF_VARS.fd" \
    "${extra[@]}" -device "$dev"
  E2E_SERIAL_FAIL_RE=$saved_re
}

# e2e_check_marker: the machine fetched exactly the served rootfs.img.
e2e_check_marker() {
  local line got want bytes
  line=$(grep -aoE "$E2E_MARKER_RE( bytes=[0-9]+)?" "$E2E_SERIAL_LOG" | head -n 1)
  got=$(sed -E 's/.*sha256=([0-9a-f]{64}).*/\1/' <<<"$line")
  want=$(sha256sum "$E2E_ROOT/rootfs.img" | cut -d' ' -f1)
  bytes=$(stat -c %s "$E2E_ROOT/rootfs.img")
  [[ -n "$got" ]] || e2e_die "no marker on the serial console"
  [[ "$got" == "$want" ]] ||
    e2e_die "the machine fetched a different rootfs.img: marker '$line', served sha256=$want bytes=$bytes"
  e2e_log "marker: $line (matches the served rootfs.img, $bytes bytes)"
}

# --- timeline --------------------------------------------------------------------------------

# _e2e_event FILE.ts REGEX AFTER_LINE: the first line after line AFTER_LINE that matches REGEX;
# prints "LINE SECONDS" (seconds since the machine started), nothing if there is none. Server lines
# carry their own timestamp (YYYY-MM-DD HH:MM:SS.mmm, local time); it is used when it agrees with
# our clock within 2 s, otherwise our clock's stamp of when the line appeared.
_e2e_event() {
  local file=$1 re=$2 after=${3:-0} hit n stamp text t ts
  hit=$(tail -n +"$((after + 1))" "$file" 2>/dev/null | grep -anE -m 1 -- "$re") || return 0
  n=$((${hit%%:*} + after))
  hit=${hit#*:}
  stamp=${hit%% *}
  text=${hit#* }
  t=$stamp
  if [[ "$text" =~ ^\[?([0-9]{4}-[0-9]{2}-[0-9]{2}[\ T][0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+) ]]; then
    ts=$(date -d "${BASH_REMATCH[1]}" +%s.%N 2>/dev/null) &&
      awk -v a="$ts" -v b="$stamp" 'BEGIN { d = a - b; exit !(d < 2 && d > -2) }' && t=$ts
  fi
  awk -v n="$n" -v t="$t" -v t0="$E2E_QEMU_T0" 'BEGIN { printf "%d %.2f\n", n, t - t0 }'
}

# Boot loaders and boot configurations the timeline recognises, as server log lines.
E2E_LOADER_RE='tftp: .*RRQ /?(pxelinux\.0|undionly\.kpxe|ipxe\.efi|snponly\.efi|grubnetx64\.efi|syslinux\.efi) .*-> sent|http: .*"GET /[^ "]*\.efi" 200'
E2E_CONFIG_RE='tftp: .*RRQ /?(pxelinux\.cfg/[^ ]+|grub/grub\.cfg[^ ]*) .*-> sent|http: .*"GET /[^ "]*\.(ipxe|cfg)" 200'

# _e2e_fetched LINE_NUMBER: "NAME, TFTP" or "NAME, HTTP" for a fetch logged on that line of the
# stamped server log.
_e2e_fetched() {
  local line tftp_re='tftp: [^ ]+ RRQ /?([^ ]+)' http_re='http: [^ ]+ "GET /([^ "]*)'
  line=$(sed -n "${1}p" "$E2E_SERVER_LOG.ts")
  if [[ "$line" =~ $tftp_re ]]; then
    printf '%s, TFTP' "${BASH_REMATCH[1]}"
  elif [[ "$line" =~ $http_re ]]; then
    printf '%s, HTTP' "${BASH_REMATCH[1]}"
  fi
}

# e2e_print_phases: one line per phase of the boot, each with the time since the machine started
# and the time the phase took. A phase the boot path does not have (no loader of its own with an
# iPXE ROM, no configuration file with UEFI HTTP Boot to iPXE...) shows "-".
e2e_print_phases() {
  local srv="$E2E_SERVER_LOG.ts" ser="$E2E_SERIAL_LOG.ts"
  local offer loader config kernel initrd osdhcp rootfs marker kdone after
  offer=$(_e2e_event "$srv" 'dhcp: .*-> OFFER ')
  loader=$(_e2e_event "$srv" "$E2E_LOADER_RE")
  after=0
  [[ -n "$loader" ]] && after=${loader%% *}
  config=$(_e2e_event "$srv" "$E2E_CONFIG_RE" "$after")
  kernel=$(_e2e_event "$srv" 'tftp: .*RRQ /?vmlinuz .*-> sent|http: .*"GET /vmlinuz" 200')
  initrd=$(_e2e_event "$srv" 'tftp: .*RRQ /?initrd\.gz .*-> sent|http: .*"GET /initrd\.gz" 200')
  # Kernel and initrd are fetched when the later of the two is.
  kdone=""
  if [[ -n "$kernel" && -n "$initrd" ]]; then
    if ((${kernel%% *} > ${initrd%% *})); then kdone=$kernel; else kdone=$initrd; fi
  fi
  # The operating system's DHCP is the first ACK after the kernel and initrd.
  after=${kdone%% *}
  osdhcp=""
  [[ -n "$kdone" ]] && osdhcp=$(_e2e_event "$srv" 'dhcp: .*-> ACK ' "$after")
  rootfs=$(_e2e_event "$srv" 'http: .*"GET /rootfs\.img" 200')
  marker=$(_e2e_event "$ser" 'PXED-MARKER sha256=')

  local loader_name="boot loader fetched" config_name="boot configuration fetched" via=""
  [[ -n "$loader" ]] && loader_name="boot loader fetched ($(_e2e_fetched "${loader%% *}"))"
  [[ -n "$config" ]] && config_name="boot configuration fetched ($(_e2e_fetched "${config%% *}"))"
  if [[ -n "$kernel" ]]; then
    case "$(sed -n "${kernel%% *}p" "$srv")" in
      *http:*) via=" (HTTP)" ;;
      *tftp:*) via=" (TFTP)" ;;
    esac
  fi

  echo "boot phases (seconds since QEMU started; TCG):"
  printf '  %-72s %9s %9s\n' "phase" "at" "took"
  local prev=0 label ev at
  local labels=("firmware start -> first DHCP OFFER" "-> $loader_name" "-> $config_name"
    "-> kernel + initrd fetched$via" "-> OS DHCP (first ACK after the kernel, udhcpc)"
    "-> rootfs.img fetched (HTTP)" "-> marker on the console")
  local events=("$offer" "$loader" "$config" "$kdone" "$osdhcp" "$rootfs" "$marker")
  for i in "${!labels[@]}"; do
    label=${labels[$i]}
    ev=${events[$i]}
    if [[ -z "$ev" ]]; then
      printf '  %-72s %9s %9s\n' "$label" "-" "-"
      continue
    fi
    at=${ev#* }
    printf '  %-72s %8ss %8ss\n' "$label" "$at" "$(awk -v a="$at" -v b="$prev" 'BEGIN { printf "%.2f", a - b }')"
    prev=$at
  done
}

# --- assertions on the path taken --------------------------------------------------------------

# e2e_expect_log REGEX WHAT: some line of the server log matches REGEX (grep -E), else fails
# with WHAT.
e2e_expect_log() {
  grep -qaE -- "$1" "$E2E_SERVER_LOG" || e2e_die "$2 (no server log line matches: $1)"
}

# e2e_expect_serial REGEX WHAT: the serial console (cleaned of control sequences) has a line
# matching REGEX, else fails with WHAT.
e2e_expect_serial() {
  # Not grep -q: it would end the pipe early, and pipefail would call that a miss.
  e2e_clean_console <"$E2E_SERIAL_LOG" | grep -aE -- "$1" >/dev/null ||
    e2e_die "$2 (nothing on the console matches: $1)"
}

# e2e_log_line REGEX: the number of the first server log line matching REGEX, 0 if none.
e2e_log_line() {
  local n
  n=$(grep -naE -m 1 -- "$1" "$E2E_SERVER_LOG" | cut -d: -f1)
  echo "${n:-0}"
}

# e2e_expect_order WHAT REGEX...: each REGEX matches a server log line after the first line the
# previous one matched, else fails with WHAT.
e2e_expect_order() {
  local what=$1 prev=0 prev_re="" re n
  shift
  for re in "$@"; do
    n=$(tail -n +"$((prev + 1))" "$E2E_SERVER_LOG" | grep -naE -m 1 -- "$re" | cut -d: -f1)
    if [[ -z "$n" ]]; then
      [[ -z "$prev_re" ]] && e2e_die "$what (no server log line matches '$re')"
      e2e_die "$what (no server log line matching '$re' after the first match of '$prev_re')"
    fi
    prev=$((prev + n))
    prev_re=$re
  done
}

# e2e_expect_count N REGEX WHAT: exactly N lines of the server log match REGEX, else fails with
# WHAT and the lines that did match.
e2e_expect_count() {
  local n
  n=$(grep -caE -- "$2" "$E2E_SERVER_LOG")
  if [[ "$n" != "$1" ]]; then
    grep -aE -- "$2" "$E2E_SERVER_LOG" | head -n 20
    e2e_die "$3 (expected $1 server log line(s) matching '$2', found $n)"
  fi
}

# --- dashboard -------------------------------------------------------------------------------

# e2e_check_dashboard: after a boot, headless Chromium (in the namespace, on pxed's own /ui/)
# must show the machine with its boot completed, at the root file system or the booted system's
# own DHCP, and its timeline with the loader, kernel, initrd and root file system steps. The page
# is loaded with ?live=poll (see tests/system/test_dashboard.sh) and the machine selected; its
# screenshot is kept in the work directory, and copied to docs/dashboard.png with
# PXED_UPDATE_SCREENSHOT=1. Needs chromium (scripts/setup.sh test installs it).
e2e_check_dashboard() {
  local chromium url="http://$E2E_SERVER_IP/ui/?live=poll#mac=$E2E_MAC" b
  chromium=$(command -v chromium || command -v chromium-browser) || e2e_die "chromium is missing"
  mkdir -p "$E2E_WORK/chrome-home"
  b=(ip netns exec "$E2E_NS" env HOME="$E2E_WORK/chrome-home" timeout 90 "$chromium" --headless
    --no-sandbox --disable-gpu --user-data-dir="$E2E_WORK/chrome" --no-first-run --disable-extensions
    --disable-sync --disable-background-networking --disable-component-update
    --virtual-time-budget=8000)
  "${b[@]}" --dump-dom "$url" >"$E2E_WORK/dashboard.html" 2>"$E2E_WORK/chrome.log" ||
    { tail -n 20 "$E2E_WORK/chrome.log"; e2e_die "chromium failed on the dashboard"; }
  python3 - "$E2E_WORK/dashboard.html" "$E2E_MAC" <<'PY' || e2e_die "the dashboard does not show the boot"
import re, sys
page, mac = open(sys.argv[1]).read(), sys.argv[2]
row_id = "machine-" + mac.replace(":", "-")
m = re.search(r'<tr id="%s"([^>]*)>(.*?)</tr>' % row_id, page, re.S)
assert m, "no row for %s" % mac
attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))
assert attrs.get("data-completed") == "true", attrs
assert attrs.get("data-stage") in ("rootfs", "os_dhcp"), attrs
assert 'data-js-error' not in page.split("<head", 1)[0], "a JavaScript error"
t = re.search(r'<tbody id="timeline-body"[^>]*>(.*?)</tbody>', page, re.S)
assert t, "no timeline"
text = re.sub(r"<[^>]+>", " ", t.group(1))
stages = re.findall(r'data-stage="(\w+)"', t.group(1))
for want in ("kernel", "initrd", "rootfs"):
    assert want in stages, (want, text[:2000])
print("dashboard: %s %s, completed" % (mac, attrs.get("data-stage")))
PY
  "${b[@]}" --screenshot="$E2E_WORK/dashboard.png" --window-size=1280,900 "$url" \
    >/dev/null 2>"$E2E_WORK/chrome.log" || e2e_die "chromium took no screenshot of the dashboard"
  if [[ ${PXED_UPDATE_SCREENSHOT:-} == 1 ]]; then
    cp "$E2E_WORK/dashboard.png" "$E2E_REPO/docs/dashboard.png"
    e2e_log "screenshot copied to docs/dashboard.png"
  fi
  e2e_log "dashboard after the boot: $E2E_MAC completed, its timeline has kernel, initrd and rootfs"
}
