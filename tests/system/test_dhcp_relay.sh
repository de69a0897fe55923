#!/usr/bin/env bash
# A client behind ISC dhcrelay (isc-dhcp-relay) in a third namespace gets an address from the
# relayed subnet; pxed picks the subnet by giaddr and answers the relay on port 67.
#
#   server ns: vs 198.18.0.1/24 --- relay ns: vr0 198.18.0.2/24 | vr1 198.18.4.1/24 --- client ns: vc
source "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || die "needs root"

# dhcrelay is unpacked, not installed: the package would start a relay service on this host.
cache=${PXED_CACHE_DIR:-/var/cache/pxed-test}/isc-dhcp-relay
if [[ ! -x "$cache/usr/sbin/dhcrelay" ]]; then
  mkdir -p "$cache"
  (cd "$WORK" && apt-get download isc-dhcp-relay >/dev/null 2>&1 || { apt-get update -qq && apt-get download isc-dhcp-relay; }) ||
    die "cannot download isc-dhcp-relay"
  dpkg-deb -x "$WORK"/isc-dhcp-relay_*.deb "$cache"
fi
DHCRELAY="$cache/usr/sbin/dhcrelay"

RELAY_NS="${SYS_ID}-rly"
EXTRA_NS="$RELAY_NS"
ip netns add "$SRV_NS"
ip netns add "$CLI_NS"
ip netns add "$RELAY_NS"
for ns in "$SRV_NS" "$CLI_NS" "$RELAY_NS"; do ip -n "$ns" link set lo up; done
ip link add "${SYS_ID}s" type veth peer name "${SYS_ID}a"
ip link add "${SYS_ID}b" type veth peer name "${SYS_ID}c"
ip link set "${SYS_ID}s" netns "$SRV_NS"
ip link set "${SYS_ID}a" netns "$RELAY_NS"
ip link set "${SYS_ID}b" netns "$RELAY_NS"
ip link set "${SYS_ID}c" netns "$CLI_NS"
ip -n "$SRV_NS" link set "${SYS_ID}s" name vs
ip -n "$RELAY_NS" link set "${SYS_ID}a" name vr0
ip -n "$RELAY_NS" link set "${SYS_ID}b" name vr1
ip -n "$CLI_NS" link set "${SYS_ID}c" name vc
ip -n "$SRV_NS" addr add 198.18.0.1/24 dev vs
ip -n "$RELAY_NS" addr add 198.18.0.2/24 dev vr0
ip -n "$RELAY_NS" addr add 198.18.4.1/24 dev vr1
for l in "$SRV_NS vs" "$RELAY_NS vr0" "$RELAY_NS vr1" "$CLI_NS vc"; do
  read -r ns dev <<<"$l"
  ip -n "$ns" link set "$dev" up
done
# The server reaches the relayed link through the relay; nothing routes out of the namespaces.
ip -n "$SRV_NS" route add 198.18.4.0/24 via 198.18.0.2
mkdir -p "$ROOT"

cat >"$WORK/pxed.toml" <<TOML
interfaces = ["vs"]
root = "$ROOT"
[dhcp]
lease-db = "$WORK/leases.db"
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["vs"]
pools = ["198.18.0.100-198.18.0.150"]
[[dhcp.subnet]]                   # behind the relay: no interface
network = "198.18.4.0/24"
pools = ["198.18.4.100-198.18.4.120"]
[dhcp.subnet.options]
routers = ["198.18.4.1"]
TOML
ip netns exec "$SRV_NS" "$PXED" serve --config "$WORK/pxed.toml" >>"$PXED_LOG" 2>&1 &
PXED_PID=$!
for _ in $(seq 1 100); do grep -q "pxed: ready" "$PXED_LOG" && break; sleep 0.1; done
expect_log "pxed: ready"

ip netns exec "$RELAY_NS" "$DHCRELAY" -4 -d -id vr1 -iu vr0 198.18.0.1 >"$WORK/relay.log" 2>&1 &
RELAY_PID=$!
for _ in $(seq 1 50); do ip netns exec "$RELAY_NS" ss -lun | grep -q ':67 ' && break; sleep 0.1; done

cat >"$WORK/udhcpc.script" <<SCRIPT
#!/bin/sh
[ "\$1" = bound ] || exit 0
echo "\$ip \$router \$serverid \$boot_file" >"$WORK/lease.txt"
SCRIPT
chmod +x "$WORK/udhcpc.script"
in_cli timeout 30 busybox udhcpc -i vc -n -q -f -t 8 -T 2 -s "$WORK/udhcpc.script" >"$WORK/udhcpc.out" 2>&1 ||
  { cat "$WORK/udhcpc.out" "$WORK/relay.log"; die "no lease through the relay"; }
read -r ip router serverid boot_file <"$WORK/lease.txt"
log "through dhcrelay: ip=$ip router=$router server=$serverid boot_file=$boot_file"
[[ "$ip" =~ ^198\.18\.4\.1[0-2][0-9]$ ]] || die "address $ip is not from the relayed subnet"
[[ "$router" == 198.18.4.1 ]] || die "router $router"
[[ "$serverid" == 198.18.0.1 ]] || die "server id $serverid"
expect_log "DISCOVER via 198\.18\.4\.1 -> OFFER $ip"
expect_log "REQUEST via 198\.18\.4\.1 -> ACK $ip"
stop_pxed
kill "$RELAY_PID" 2>/dev/null
wait "$RELAY_PID" 2>/dev/null || true
log PASS
