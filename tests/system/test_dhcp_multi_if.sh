#!/usr/bin/env bash
# One pxed serving two links at once, one subnet on each: udhcpc on both at the same time, then
# dhclient on the second. Each client gets an address from its own link's subnet, with the
# server identifier of that link, and no request is ever answered from the other subnet.
#
#   server ns: vs 198.18.0.1/24 --- client ns: vc
#              vs2 198.18.1.1/24 --- second client ns: vc2
source "$(dirname "$0")/lib.sh"
sys_setup

CLI2_NS="${SYS_ID}-cli2"
EXTRA_NS="$CLI2_NS"
ip netns add "$CLI2_NS"
ip -n "$CLI2_NS" link set lo up
ip link add "${SYS_ID}t" type veth peer name "${SYS_ID}d"
ip link set "${SYS_ID}t" netns "$SRV_NS"
ip link set "${SYS_ID}d" netns "$CLI2_NS"
ip -n "$SRV_NS" link set "${SYS_ID}t" name vs2
ip -n "$CLI2_NS" link set "${SYS_ID}d" name vc2
ip -n "$SRV_NS" addr add 198.18.1.1/24 dev vs2
ip -n "$SRV_NS" link set vs2 up
ip -n "$CLI2_NS" link set vc2 up
mac_of() { ip -n "$1" -o link show "$2" | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2; }
mac1=$(mac_of "$CLI_NS" vc)
mac2=$(mac_of "$CLI2_NS" vc2)

cat >"$WORK/pxed.toml" <<TOML
interfaces = ["vs", "vs2"]
root = "$ROOT"
[dhcp]
lease-db = "$WORK/leases.db"
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["vs"]
pools = ["198.18.0.100-198.18.0.150"]
[dhcp.subnet.options]
routers = ["198.18.0.1"]
[[dhcp.subnet]]
network = "198.18.1.0/24"
interfaces = ["vs2"]
pools = ["198.18.1.100-198.18.1.150"]
[dhcp.subnet.options]
routers = ["198.18.1.1"]
TOML
"$PXED" check --config "$WORK/pxed.toml" >/dev/null || die "test config invalid"
# The config file only (start_pxed's flags would replace the interfaces).
start_pxed_with --config "$WORK/pxed.toml"
expect_log "pxed: ready: DHCP on vs,vs2 \(2 subnet\(s\)"

cat >"$WORK/udhcpc.script" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] || exit 0
echo "$ip $serverid $router $subnet" >"$UDHCPC_OUT"
SCRIPT
chmod +x "$WORK/udhcpc.script"

# Both clients at once, each in its own namespace.
UDHCPC_OUT="$WORK/lease1.txt" ip netns exec "$CLI_NS" timeout 20 busybox udhcpc -i vc -n -q -f \
  -t 5 -T 1 -s "$WORK/udhcpc.script" >"$WORK/udhcpc1.out" 2>&1 &
pid1=$!
UDHCPC_OUT="$WORK/lease2.txt" ip netns exec "$CLI2_NS" timeout 20 busybox udhcpc -i vc2 -n -q -f \
  -t 5 -T 1 -s "$WORK/udhcpc.script" >"$WORK/udhcpc2.out" 2>&1 &
pid2=$!
rc1=0 rc2=0
wait "$pid1" || rc1=$?
wait "$pid2" || rc2=$?
if ((rc1 != 0)) || [[ ! -s "$WORK/lease1.txt" ]]; then
  cat "$WORK/udhcpc1.out"
  die "udhcpc on vc got no lease (exit $rc1)"
fi
if ((rc2 != 0)) || [[ ! -s "$WORK/lease2.txt" ]]; then
  cat "$WORK/udhcpc2.out"
  die "udhcpc on vc2 got no lease (exit $rc2)"
fi
read -r ip1 sid1 router1 mask1 <"$WORK/lease1.txt"
read -r ip2 sid2 router2 mask2 <"$WORK/lease2.txt"
log "vc  ($mac1): ip=$ip1 server=$sid1 router=$router1 mask=$mask1"
log "vc2 ($mac2): ip=$ip2 server=$sid2 router=$router2 mask=$mask2"
[[ "$ip1" =~ ^198\.18\.0\.(1[0-4][0-9]|150)$ ]] || die "vc got $ip1, not from 198.18.0.0/24's pool"
[[ "$sid1" == 198.18.0.1 && "$router1" == 198.18.0.1 ]] || die "vc: server id $sid1, router $router1"
[[ "$ip2" =~ ^198\.18\.1\.(1[0-4][0-9]|150)$ ]] || die "vc2 got $ip2, not from 198.18.1.0/24's pool"
[[ "$sid2" == 198.18.1.1 && "$router2" == 198.18.1.1 ]] || die "vc2: server id $sid2, router $router2"
[[ "$mask1" == 255.255.255.0 && "$mask2" == 255.255.255.0 ]] || die "subnet masks $mask1 $mask2"
expect_log "dhcp: $mac1 DISCOVER -> OFFER $ip1 "
expect_log "dhcp: $mac1 REQUEST -> ACK $ip1 "
expect_log "dhcp: $mac2 DISCOVER -> OFFER $ip2 "
expect_log "dhcp: $mac2 REQUEST -> ACK $ip2 "

# ISC dhclient on the second link as well: the same answer from another client implementation.
cat >"$WORK/dhclient.script" <<SCRIPT
#!/bin/sh
case "\$reason" in
  BOUND|RENEW|REBOOT|REBIND)
    echo "\$new_ip_address \$new_dhcp_server_identifier \$new_routers" >"$WORK/dhclient.txt" ;;
esac
exit 0
SCRIPT
chmod +x "$WORK/dhclient.script"
dhclient_args=(-4 -sf "$WORK/dhclient.script" -lf "$WORK/dhclient.leases" -pf "$WORK/dhclient.pid" vc2)
ip netns exec "$CLI2_NS" timeout 30 dhclient -1 -v "${dhclient_args[@]}" >"$WORK/dhclient.out" 2>&1 ||
  { cat "$WORK/dhclient.out"; die "dhclient on vc2 got no lease"; }
# dhclient -1 stays in the background to keep the lease: stop it by its pid file (not with -x,
# which sends one more INIT-REBOOT REQUEST on its way out).
dhclient_pid=$(cat "$WORK/dhclient.pid" 2>/dev/null || true)
if [[ -n "$dhclient_pid" ]]; then
  kill -TERM "$dhclient_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$dhclient_pid" 2>/dev/null || break; sleep 0.1; done
fi
[[ -s "$WORK/dhclient.txt" ]] || die "dhclient script did not run"
read -r ip3 sid3 router3 <"$WORK/dhclient.txt"
log "dhclient on vc2: ip=$ip3 server=$sid3 router=$router3"
[[ "$ip3" =~ ^198\.18\.1\.(1[0-4][0-9]|150)$ ]] || die "dhclient on vc2 got $ip3"
[[ "$sid3" == 198.18.1.1 && "$router3" == 198.18.1.1 ]] || die "dhclient on vc2: server id $sid3, router $router3"

# No request was answered from the other link's subnet: every OFFER and ACK to the client on vc
# names 198.18.0.x, every one to the clients on vc2 198.18.1.x, and nothing went unanswered.
answers() { grep -E "dhcp: $1 .*-> (OFFER|ACK|NAK)" "$PXED_LOG" || true; }
[[ -n "$(answers "$mac1")" && -n "$(answers "$mac2")" ]] || die "no answers logged for the clients"
wrong=$(
  answers "$mac1" | grep -vE -- "-> (OFFER|ACK) 198\.18\.0\.[0-9]+( |$)" || true
  answers "$mac2" | grep -vE -- "-> (OFFER|ACK) 198\.18\.1\.[0-9]+( |$)" || true
)
[[ -z "$wrong" ]] || { echo "$wrong"; die "a client got a NAK or an answer from the other link's subnet"; }
if grep -E "no reply|dropped|could not send" "$PXED_LOG"; then die "pxed left a request unanswered"; fi
rows=$(sqlite3 "$WORK/leases.db" "SELECT COUNT(*) FROM leases")
log "$(answers "$mac1" | wc -l) answers on vc, $(answers "$mac2" | wc -l) on vc2, $rows leases on disk"
stop_pxed
log PASS
