#!/usr/bin/env bash
# IPv6 router advertisements: rdisc6 (ndisc6) in the client namespace solicits a router and gets
# pxed's advertisement back: router lifetime 0, no prefix, M=0 O=0, pxed's MAC, from the server's
# link-local address. With --ipv6-ra=off nothing answers (the server namespace's kernel is not a
# router); with --ipv6-ra (all) everyone is answered. A raw-socket client checks the rest: a
# solicitation with hop limit 64 or a zero-length option is dropped with a reason, and a burst
# from one host gets one answer. The default, pxe-clients: no answer to a machine that is not
# PXE-booting (even after a plain DHCP lease); a solicitation sent just before the machine's PXE
# DHCP is held and answered when udhcpc, with PXE's vendor class, gets its lease; answered at once
# after that; and silence once another router advertises on the link. Then the corner cases of
# start-up: an interface without a link-local address (answered once it has one) and an interface
# with IPv6 disabled (a warning, pxed still starts).
source "$(dirname "$0")/lib.sh"
command -v rdisc6 >/dev/null || die "rdisc6 is missing (package ndisc6, scripts/setup.sh test)"
command -v python3 >/dev/null || die "python3 is missing (scripts/setup.sh test)"
sys_setup

# Both ends need a usable (non-tentative) link-local address; bounded wait for DAD.
wait_link_local() {
  local ns=$1 dev=$2
  for _ in $(seq 1 100); do
    ip -n "$ns" -6 addr show dev "$dev" scope link 2>/dev/null | grep -v tentative | grep -q inet6 &&
      return 0
    sleep 0.1
  done
  die "$dev in $ns has no usable IPv6 link-local address after 10 s"
}
wait_link_local "$SRV_NS" vs
wait_link_local "$CLI_NS" vc
srv_mac=$(ip -n "$SRV_NS" -o link show dev vs | grep -oE 'link/ether [0-9a-f:]{17}' | cut -d' ' -f2)
srv_ll=$(ip -n "$SRV_NS" -6 -o addr show dev vs scope link | grep -oE 'fe80::[0-9a-f:]+' | head -n 1)
cli_ll=$(ip -n "$CLI_NS" -6 -o addr show dev vc scope link | grep -oE 'fe80::[0-9a-f:]+' | head -n 1)
cli_mac=$(ip -n "$CLI_NS" -o link show dev vc | grep -oE 'link/ether [0-9a-f:]{17}' | cut -d' ' -f2)

# rdisc6 OUTFILE: one solicitation round (2 tries, 1 s each); its exit status.
solicit() { in_cli timeout 10 rdisc6 -1 -r 2 -w 1000 vc >"$1" 2>&1; }

# 1. Off: nobody answers.
start_pxed --ipv6-ra=off
if solicit "$WORK/off.txt"; then
  cat "$WORK/off.txt"
  die "an advertisement came back although pxed runs with --ipv6-ra=off"
fi
grep -qE "[0-9] [a-z]+ ra: " "$PXED_LOG" && die "pxed logged ra lines with --ipv6-ra=off"
stop_pxed
log "--ipv6-ra=off: no advertisement"

# 2. With it, rdisc6 gets the minimal advertisement.
start_pxed --ipv6-ra
expect_log "ra: answering IPv6 router solicitations on vs \(lifetime 0, no prefix\)"
solicit "$WORK/on.txt" || { cat "$WORK/on.txt"; die "rdisc6 got no advertisement with --ipv6-ra"; }
cat "$WORK/on.txt"
field() { grep -E "^ *$1 *:" "$WORK/on.txt" | head -n 1 | sed -E 's/^[^:]*: *//'; }
[[ $(field "Router lifetime") =~ ^0\  ]] || die "router lifetime is not 0: $(field "Router lifetime")"
[[ $(field "Stateful address conf.") == No ]] || die "M flag set"
[[ $(field "Stateful other conf.") == No ]] || die "O flag set"
[[ $(field "Hop limit") =~ undefined ]] || die "hop limit is not unspecified: $(field "Hop limit")"
grep -qi "prefix" "$WORK/on.txt" && die "the advertisement carries a prefix"
grep -qiE "Source link-layer address *: *$srv_mac" "$WORK/on.txt" ||
  die "source link-layer address is not the server's MAC $srv_mac"
grep -qE "from $srv_ll" "$WORK/on.txt" || die "not sent from the server's link-local $srv_ll"
# rdisc6 sends no source link-layer address option: the log names the MAC inside its EUI-64
# link-local address, and the address.
expect_log "ra: $cli_mac $cli_ll router solicitation -> router advertisement \(lifetime 0, no prefix\)"
log "with --ipv6-ra: lifetime 0, no prefix, from $srv_ll ($srv_mac)"

# 3. A raw-socket client: COUNT solicitations with HOPS and optional extra option bytes; prints
# how many advertisements came back within 1.5 s.
cat >"$WORK/rs.py" <<'PY'
import socket, struct, sys, time
ifname, hops, count, extra = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), bytes.fromhex(sys.argv[4])
idx = socket.if_nametoindex(ifname)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
blocked = [0xffffffff] * 8
blocked[134 >> 5] &= ~(1 << (134 & 31))  # pass router advertisements only (ICMP6_FILTER = 1)
s.setsockopt(socket.IPPROTO_ICMPV6, 1, struct.pack("8I", *blocked))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
for _ in range(count):
    s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]) + extra, ("ff02::2", 0, 0, idx))
deadline, got = time.time() + 1.5, 0
while time.time() < deadline:
    s.settimeout(max(0.01, deadline - time.time()))
    try:
        data, _ = s.recvfrom(2048)
    except socket.timeout:
        break
    if data[:1] == b"\x86":
        got += 1
print(got)
PY
raw_rs() { in_cli timeout 10 python3 "$WORK/rs.py" vc "$@"; }
sleep 0.4  # rdisc6's solicitation above must not make the next one rate-limited
n=$(raw_rs 64 1 "") || die "the raw-socket client failed"
[[ $n == 0 ]] || die "a solicitation with hop limit 64 was answered ($n advertisements)"
expect_log "router solicitation dropped: hop limit 64"
n=$(raw_rs 255 1 "0100000000000000") || die "the raw-socket client failed"
[[ $n == 0 ]] || die "a solicitation with a zero-length option was answered"
expect_log "router solicitation dropped: option 1 at byte 8 has length 0"
n=$(raw_rs 255 10 "") || die "the raw-socket client failed"
[[ $n -ge 1 && $n -le 2 ]] || die "a burst of 10 solicitations got $n advertisements (want 1 or 2)"
expect_log "ra: $cli_mac $cli_ll router solicitation -> router advertisement"
log "hop limit 64 and zero-length option dropped; burst of 10 -> $n advertisement(s)"
stop_pxed
expect_log "ra: [0-9]+ router solicitations received, [0-9]+ advertisements sent, 2 malformed, [1-9][0-9]* over the rate limit"

# 4. The default: only PXE clients booting from pxed, only where no router advertises.
cat >"$WORK/udhcpc.sh" <<'SH'
#!/bin/sh
exit 0
SH
chmod +x "$WORK/udhcpc.sh"
lease() { in_cli timeout 20 busybox udhcpc -i vc -n -q -f -t 5 -T 1 -s "$WORK/udhcpc.sh" "$@" \
  >"$WORK/udhcpc.out" 2>&1 || { cat "$WORK/udhcpc.out"; die "udhcpc got no lease"; }; }
start_pxed
expect_log "ra: answering IPv6 router solicitations of the PXE clients booting on vs"
lease  # a plain DHCP client: not a PXE boot
if solicit "$WORK/plain.txt"; then
  cat "$WORK/plain.txt"
  die "a machine that is not PXE-booting got an advertisement"
fi
# One solicitation, then the PXE DHCP 1 s later: the held solicitation is answered then.
in_cli timeout 15 rdisc6 -1 -r 1 -w 8000 vc >"$WORK/held.txt" 2>&1 &
rdisc_pid=$!
sleep 1
lease -V PXEClient:Arch:00000:UNDI:002001
wait "$rdisc_pid" || { cat "$WORK/held.txt"; die "the solicitation held for the PXE DHCP was not answered"; }
grep -qE "from $srv_ll" "$WORK/held.txt" || die "the held answer is not from $srv_ll"
expect_log "ra: $cli_mac $cli_ll router solicitation -> router advertisement \(lifetime 0, no prefix; held until its PXE DHCP\)"
sleep 0.4
solicit "$WORK/booting.txt" || { cat "$WORK/booting.txt"; die "a booting PXE client got no advertisement"; }
log "pxe-clients: plain DHCP client unanswered; held solicitation answered at its PXE DHCP; then at once"
# Another router advertises on the link: pxed leaves solicitations to it.
cat >"$WORK/ra.py" <<'PY'
import socket, sys
ifname = sys.argv[1]
idx = socket.if_nametoindex(ifname)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
# Type 134, hop limit 64, no flags, router lifetime 1800 s, timers unspecified.
s.sendto(bytes([134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]), ("ff02::1", 0, 0, idx))
PY
in_cli timeout 10 python3 "$WORK/ra.py" vc || die "could not send a router advertisement"
expect_log "ra: router $cli_ll advertises on vs \(router lifetime 1800 s\); pxed leaves router solicitations there to it"
sleep 0.4
if solicit "$WORK/router.txt"; then
  cat "$WORK/router.txt"
  die "pxed answered although another router advertises on the link"
fi
stop_pxed
expect_log "ra: [0-9]+ router solicitations received, 2 advertisements sent, .*; [0-9]+ not from a booting PXE client, [1-9][0-9]* left to another router, [1-9][0-9]* held for their DHCP; 1 advertisements from other routers"
log "pxe-clients: silent once another router advertised"

# 5. No link-local address at start: a warning, solicitations unanswered until it has one.
ip -n "$SRV_NS" -6 addr flush dev vs scope link
start_pxed --ipv6-ra
expect_log "ra: vs has no IPv6 link-local address yet"
if solicit "$WORK/nolink.txt"; then die "answered without a link-local address"; fi
expect_log "not answered: the interface has no IPv6 link-local address yet"
ip -n "$SRV_NS" -6 addr add fe80::1/64 dev vs nodad
sleep 0.4
solicit "$WORK/late.txt" || { cat "$WORK/late.txt"; die "no advertisement once the link-local address is there"; }
grep -qE "from fe80::1( |$)" "$WORK/late.txt" || { cat "$WORK/late.txt"; die "not sent from fe80::1"; }
stop_pxed
log "without a link-local address: warned, then answered from fe80::1 once it was added"

# 6. IPv6 disabled on the interface: a warning, and pxed still starts.
in_srv sysctl -q -w net.ipv6.conf.vs.disable_ipv6=1
start_pxed --ipv6-ra
expect_log "ra: vs has no IPv6 \(disabled on it or in the kernel\)"
stop_pxed
log "IPv6 disabled: warned, started"
log PASS
