#!/usr/bin/env bash
# The config file: `pxed check` accepts the shipped example and reports a broken file as
# FILE:LINE:COL lines; `pxed serve --config` serves a reservation (fixed address, host name,
# boot file, per-subnet router) to udhcpc, and flags override the file.
source "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
sys_setup

"$PXED" check --config "$REPO/examples/pxed.toml" >"$WORK/check.out" 2>&1 || { cat "$WORK/check.out"; die "the example config does not pass pxed check"; }
log "$(cat "$WORK/check.out")"

cat >"$WORK/bad.toml" <<'TOML'
interfaces = ["vs"]
root = "/srv"
[dhcp]
leese-time = 600
[[dhcp.subnet]]
network = "198.18.0.1/24"
pools = ["198.18.0.10"]
TOML
rc=0
"$PXED" check --config "$WORK/bad.toml" 2>"$WORK/bad.err" || rc=$?
[[ $rc -eq 2 ]] || die "pxed check of a broken file: exit $rc"
grep -q "bad.toml:4:1: dhcp.leese-time: unknown key" "$WORK/bad.err" || { cat "$WORK/bad.err"; die "no unknown-key error"; }
grep -q "bad.toml:6:11: dhcp.subnet\[0\].network" "$WORK/bad.err" || { cat "$WORK/bad.err"; die "no network error"; }
grep -q "bad.toml:7:10: dhcp.subnet\[0\].pools\[0\]" "$WORK/bad.err" || { cat "$WORK/bad.err"; die "no pool error"; }
rc=0
in_srv timeout 10 "$PXED" serve --config "$WORK/bad.toml" 2>"$WORK/serve.err" || rc=$?
[[ $rc -eq 2 ]] && cmp -s "$WORK/serve.err" "$WORK/bad.err" || { diff "$WORK/bad.err" "$WORK/serve.err"; die "serve did not refuse the broken file the same way as check"; }
log "broken config refused with $(wc -l <"$WORK/serve.err") FILE:LINE:COL lines"

mac=$(ip -n "$CLI_NS" -o link show vc | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)
cat >"$WORK/pxed.toml" <<TOML
interfaces = ["vs"]
root = "$ROOT"
[dhcp]
lease-time = 900
lease-db = "$WORK/leases.db"
[dhcp.options]
domain-name-servers = ["198.18.0.53"]
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["vs"]
pools = ["198.18.0.100-198.18.0.120"]
[dhcp.subnet.options]
routers = ["198.18.0.254"]
[[dhcp.subnet.reservation]]
mac = "$mac"
address = "198.18.0.10"
hostname = "node10"
boot-file = "special.0"
[tftp]
upload-dir = "$WORK/uploads"
max-upload-size = 100000
[[tftp.remap]]
match = "^/?boot/x86/(.*)$"
replace = "bios/\$1"
[[tftp.remap]]
match = "^pxelinux\\\\.cfg/"
replace = "hosts/\${client}/"
last = true
[http]
port = 8080
TOML
mkdir -p "$ROOT/bios" "$ROOT/hosts/$CLIENT_IP" "$WORK/uploads"
head -c 5000 /dev/urandom >"$ROOT/bios/pxelinux.0"
echo "DEFAULT local" >"$ROOT/hosts/$CLIENT_IP/default"

# explain-tftp shows the rules at work without a running server.
"$PXED" explain-tftp /boot/x86/pxelinux.0 --client "$CLIENT_IP" --config "$WORK/pxed.toml" >"$WORK/explain.out" || { cat "$WORK/explain.out"; die "explain-tftp: no file for /boot/x86/pxelinux.0"; }
grep -q 'rule 0: .*fired, /boot/x86/pxelinux.0 => bios/pxelinux.0' "$WORK/explain.out" || { cat "$WORK/explain.out"; die "explain-tftp: rule 0 did not fire"; }
grep -q "result: bios/pxelinux.0 -> sends $ROOT/bios/pxelinux.0 (5000 bytes)" "$WORK/explain.out" || { cat "$WORK/explain.out"; die "explain-tftp: wrong result"; }
rc=0
"$PXED" explain-tftp missing.0 --client "$CLIENT_IP" --config "$WORK/pxed.toml" >"$WORK/explain.out" || rc=$?
[[ $rc -eq 1 ]] && grep -q "nothing sent: file not found" "$WORK/explain.out" || { cat "$WORK/explain.out"; die "explain-tftp of a missing file: exit $rc"; }
log "explain-tftp: $(grep -c fired "$WORK/explain.out" || true) rule(s) fired for missing.0, exit 1"
"$PXED" check --config "$WORK/pxed.toml" >/dev/null || die "test config invalid"
ip netns exec "$SRV_NS" "$PXED" serve --config "$WORK/pxed.toml" --http-port 8081 >>"$PXED_LOG" 2>&1 &
PXED_PID=$!
for _ in $(seq 1 100); do grep -q "pxed: ready" "$PXED_LOG" && break; sleep 0.1; done
expect_log "pxed: ready: .*HTTP on 198\.18\.0\.1:8081"

cat >"$WORK/udhcpc.script" <<SCRIPT
#!/bin/sh
[ "\$1" = bound ] || exit 0
echo "\$ip \$hostname \$boot_file \$router \$dns \$lease" >"$WORK/lease.txt"
SCRIPT
chmod +x "$WORK/udhcpc.script"
in_cli timeout 20 busybox udhcpc -i vc -n -q -f -t 5 -T 1 -O hostname -s "$WORK/udhcpc.script" >/dev/null 2>&1 || die "udhcpc got no lease"
read -r ip hostname boot_file router dns lease <"$WORK/lease.txt"
log "reservation: ip=$ip hostname=$hostname boot_file=$boot_file router=$router dns=$dns lease=$lease"
[[ "$ip" == 198.18.0.10 ]] || die "reserved address not given: $ip"
[[ "$hostname" == node10 ]] || die "host name $hostname"
[[ "$boot_file" == special.0 ]] || die "boot file $boot_file"
[[ "$router" == 198.18.0.254 ]] || die "router $router"
[[ "$dns" == 198.18.0.53 ]] || die "dns $dns"
[[ "$lease" == 900 ]] || die "lease time $lease"

# The remapping rules, served: the old path and the per-client menu.
client_static_ip
in_cli tftp 198.18.0.1 -m binary -c get /boot/x86/pxelinux.0 "$WORK/got.0" || die "tftp get through the remap rule failed"
cmp -s "$WORK/got.0" "$ROOT/bios/pxelinux.0" || die "remapped file differs"
in_cli tftp 198.18.0.1 -m binary -c get pxelinux.cfg/default "$WORK/got.cfg" || die "tftp get of the per-client menu failed"
grep -q "DEFAULT local" "$WORK/got.cfg" || die "per-client menu differs"
expect_log "tftp: $CLIENT_IP:[0-9]+ RRQ /boot/x86/pxelinux.0 => bios/pxelinux.0 -> sent 5000 bytes"
expect_log "RRQ pxelinux.cfg/default => hosts/$CLIENT_IP/default -> sent"
log "remap: /boot/x86/pxelinux.0 and pxelinux.cfg/default served from bios/ and hosts/$CLIENT_IP/"

# Uploads: tftp-hpa puts a file into the upload directory; a second put of the same name and a
# file over the size limit are refused, and nothing else appears there.
head -c 50000 /dev/urandom >"$WORK/report.bin"
head -c 200000 /dev/urandom >"$WORK/huge.bin"
in_cli tftp 198.18.0.1 -m binary -c put "$WORK/report.bin" report.bin || die "tftp put failed"
cmp -s "$WORK/report.bin" "$WORK/uploads/report.bin" || die "uploaded file differs"
in_cli tftp 198.18.0.1 -m binary -c put "$WORK/report.bin" report.bin >"$WORK/put2.out" 2>&1 || true
grep -q "Error code 6" "$WORK/put2.out" || { cat "$WORK/put2.out"; die "second put of the same name not refused with ERROR 6"; }
in_cli tftp 198.18.0.1 -m binary -c put "$WORK/huge.bin" huge.bin >"$WORK/put3.out" 2>&1 || true
grep -q "Error code 3" "$WORK/put3.out" || { cat "$WORK/put3.out"; die "oversized upload not refused with ERROR 3"; }
[[ "$(ls -A "$WORK/uploads")" == report.bin ]] || { ls -la "$WORK/uploads"; die "stray files in the upload directory"; }
[[ ! -e "$ROOT/report.bin" ]] || die "upload landed in the served root"
expect_log "WRQ report.bin -> received 50000 bytes"
expect_log "WRQ report.bin -> refused: the file exists"
expect_log "WRQ huge.bin -> over the upload size limit after 99840 bytes; nothing stored"
log "uploads: stored byte-exact, no overwrite, size limit kept"
stop_pxed
log PASS
