#!/usr/bin/env bash
# ProxyDHCP (`pxed serve --proxy`) on the wire, without QEMU: a raw-socket client in the client
# namespace sends what PXE firmware sends and checks each answer byte by byte where it matters.
#   - BIOS PXE DISCOVER (broadcast to 67) -> proxy OFFER from 198.18.0.1:67: yiaddr 0, 60
#     PXEClient, siaddr + 67 pxelinux.0, 43 = 06 01 08 ff (no boot-server discovery).
#   - UEFI PXE DISCOVER -> proxy OFFER with no boot file (the client is to ask port 4011).
#   - UEFI REQUEST to 198.18.0.1:4011 from 198.18.0.2:4011 -> ACK from port 4011 back to
#     198.18.0.2:4011 with 67 snponly.efi and the xid echoed.
#   - A non-PXE client (udhcpc's vendor class, or none) gets nothing, on 67 or 4011; a REQUEST
#     naming another DHCP server gets nothing.
# Then: no lease on record, start-up errors for --proxy with --dhcp-range, and dhcp.mode =
# "proxy" in a config file.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || die "python3 is missing (scripts/setup.sh test)"
sys_setup
client_static_ip

start_pxed_with --proxy --interface vs --root "$ROOT" --lease-db "$WORK/leases.db"
expect_log "pxed: ready: ProxyDHCP on vs \(ports 67 and 4011"

cat >"$WORK/client.py" <<'PY'
import socket, struct, sys

SERVER, ME, IFACE = "198.18.0.1", "198.18.0.2", b"vc"
MAC = bytes.fromhex("525400e2e001")
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)

def packet(xid, flags, ciaddr, options):
    head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, flags,
                       socket.inet_aton(ciaddr), bytes(4), bytes(4), bytes(4),
                       MAC + bytes(10), b"", b"")
    body = b"".join(bytes([c, len(v)]) + v for c, v in options)
    return head + bytes.fromhex("63825363") + body + b"\xff"

def parse(data):
    r = {"op": data[0], "xid": struct.unpack("!I", data[4:8])[0],
         "ciaddr": socket.inet_ntoa(data[12:16]), "yiaddr": socket.inet_ntoa(data[16:20]),
         "siaddr": socket.inet_ntoa(data[20:24]), "file": data[108:236].split(b"\0")[0],
         "opts": {}}
    i = 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        r["opts"][data[i]] = data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    return r

def sock(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IFACE)
    s.bind((addr, port))
    return s

def exchange(s, data, to, xid, wait=1.5):
    """Sends, then returns (reply, source) of the first reply with this xid, or (None, None)."""
    s.settimeout(wait)
    s.sendto(data, to)
    try:
        while True:
            got, src = s.recvfrom(2048)
            r = parse(got)
            if r["op"] == 2 and r["xid"] == xid:
                return r, src
    except socket.timeout:
        return None, None

c68 = sock("", 68)
bcast = ("255.255.255.255", 67)
pxe_bios = b"PXEClient:Arch:00000:UNDI:002001"
pxe_efi = b"PXEClient:Arch:00007:UNDI:003000"
uuid = bytes(range(17))
prl = bytes([1, 3, 6, 43, 60, 66, 67])

# 1. BIOS PXE DISCOVER.
r, src = exchange(c68, packet(0x1001, 0, "0.0.0.0",
                              [(53, b"\x01"), (93, b"\x00\x00"), (60, pxe_bios), (97, uuid),
                               (55, prl)]), bcast, 0x1001)
check(r is not None, "BIOS DISCOVER: no proxy offer")
if r:
    check(src == (SERVER, 67), f"BIOS offer came from {src}")
    check(r["opts"].get(53) == b"\x02", "BIOS: not an OFFER")
    check(r["yiaddr"] == "0.0.0.0", f"BIOS offer has an address: {r['yiaddr']}")
    check(r["siaddr"] == SERVER, f"BIOS offer siaddr {r['siaddr']}")
    check(r["opts"].get(54) == socket.inet_aton(SERVER), "BIOS offer: server id")
    check(r["opts"].get(60) == b"PXEClient", f"BIOS offer: 60 = {r['opts'].get(60)}")
    check(r["opts"].get(67) == b"pxelinux.0", f"BIOS offer: 67 = {r['opts'].get(67)}")
    check(r["file"] == b"pxelinux.0", f"BIOS offer: file = {r['file']}")
    check(r["opts"].get(43) == bytes([6, 1, 8, 255]), f"BIOS offer: 43 = {r['opts'].get(43)}")
    check(r["opts"].get(97) == uuid, "BIOS offer: 97 not echoed")
    check(51 not in r["opts"] and 1 not in r["opts"], "BIOS offer carries lease options")

# 2. UEFI PXE DISCOVER: no boot file in the offer.
r, src = exchange(c68, packet(0x1002, 0x8000, "0.0.0.0",
                              [(53, b"\x01"), (93, b"\x00\x07"), (60, pxe_efi), (55, prl)]),
                  bcast, 0x1002)
check(r is not None, "UEFI DISCOVER: no proxy offer")
if r:
    check(r["yiaddr"] == "0.0.0.0", "UEFI offer has an address")
    check(67 not in r["opts"] and r["file"] == b"", "UEFI offer names a boot file")
    check(43 not in r["opts"], "UEFI offer has PXE vendor options")
    check(r["opts"].get(60) == b"PXEClient", "UEFI offer: 60")

# 3. UEFI REQUEST to port 4011 from port 4011 (edk2 listens there).
c4011 = sock(ME, 4011)
r, src = exchange(c4011, packet(0x1003, 0, ME,
                                [(53, b"\x03"), (93, b"\x00\x07"), (60, pxe_efi), (97, uuid),
                                 (57, b"\xff\x00"), (55, prl)]), (SERVER, 4011), 0x1003)
check(r is not None, "REQUEST to 4011: no ACK")
if r:
    check(src == (SERVER, 4011), f"4011 ACK came from {src}, not {SERVER}:4011")
    check(r["opts"].get(53) == b"\x05", "4011: not an ACK")
    check(r["ciaddr"] == ME and r["yiaddr"] == "0.0.0.0", f"4011 ACK: {r['ciaddr']} {r['yiaddr']}")
    check(r["siaddr"] == SERVER, "4011 ACK: siaddr")
    check(r["opts"].get(67) == b"snponly.efi", f"4011 ACK: 67 = {r['opts'].get(67)}")

# 4. Not PXE clients: silence, on both ports; a REQUEST for another server: silence.
r, _ = exchange(c68, packet(0x1004, 0, "0.0.0.0",
                            [(53, b"\x01"), (60, b"udhcp 1.35.0"), (55, bytes([1, 3, 6]))]),
                bcast, 0x1004)
check(r is None, "udhcpc's DISCOVER was answered")
r, _ = exchange(c68, packet(0x1005, 0, "0.0.0.0", [(53, b"\x01")]), bcast, 0x1005)
check(r is None, "a DISCOVER without vendor class was answered")
r, _ = exchange(c4011, packet(0x1006, 0, ME, [(53, b"\x03")]), (SERVER, 4011), 0x1006)
check(r is None, "a non-PXE REQUEST to 4011 was answered")
r, _ = exchange(c68, packet(0x1007, 0, "0.0.0.0",
                            [(53, b"\x03"), (60, pxe_bios), (50, socket.inet_aton("198.18.0.77")),
                             (54, socket.inet_aton("198.18.0.254"))]), bcast, 0x1007)
check(r is None, "a REQUEST for another DHCP server was answered")

sys.exit(1 if failures else 0)
PY
in_cli timeout 60 python3 "$WORK/client.py" || die "the proxy answers were not as expected"

expect_log "dhcp: 52:54:00:e2:e0:01 arch=0 \(BIOS\) DISCOVER -> OFFER file=pxelinux\.0 \(proxy: boot information only\)"
expect_log "dhcp: 52:54:00:e2:e0:01 arch=7 \(x64 UEFI\) REQUEST -> ACK file=snponly\.efi \(proxy, port 4011, to 198\.18\.0\.2:4011\)"
expect_log "DISCOVER -> no reply: proxy: not a PXE client \(vendor class 'udhcp 1\.35\.0'\)"
expect_log "REQUEST -> no reply: proxy: a REQUEST for server 198\.18\.0\.254"
grep -qE -- "-> (OFFER|ACK) [0-9]" "$PXED_LOG" && die "pxed handed out an address in proxy mode"
stop_pxed
if [[ -e "$WORK/leases.db" ]]; then
  leases=$("$PXED" leases --lease-db "$WORK/leases.db" --json) || die "pxed leases failed"
  [[ "$(tr -d '[:space:]' <<<"$leases")" == "[]" ]] || die "leases recorded in proxy mode: $leases"
fi

# Start-up errors and the config file's dhcp.mode.
set +e
out=$(in_srv "$PXED" serve --proxy --interface vs --root "$ROOT" --dhcp-range 198.18.0.100-198.18.0.150 \
  --lease-db "$WORK/leases.db" 2>&1)
status=$?
set -e
[[ $status -eq 2 && "$out" == *"--dhcp-range has no use in proxy mode"* ]] ||
  die "--proxy with --dhcp-range: status $status, output: $out"
cat >"$WORK/proxy.toml" <<EOF
interfaces = ["vs"]
root = "$ROOT"
[dhcp]
mode = "proxy"
lease-db = "$WORK/leases.db"
EOF
"$PXED" check --config "$WORK/proxy.toml" >/dev/null || die "pxed check refused dhcp.mode = \"proxy\""
start_pxed_with --config "$WORK/proxy.toml"
stop_pxed
[[ $(grep -c "pxed: ready: ProxyDHCP on vs" "$PXED_LOG") -eq 2 ]] ||
  die "the config file's dhcp.mode = \"proxy\" did not start ProxyDHCP"
log PASS
