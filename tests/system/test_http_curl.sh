#!/usr/bin/env bash
# curl fetches files over HTTP from pxed: GET, HEAD, keep-alive, Range, 404, confinement, and a
# matrix of the HTTP/1.1 details: ETag, If-None-Match, If-Modified-Since, If-Range, multipart
# byte ranges, oversized headers (431), then with a config: the per-connection request limit and
# the header timeout (408).
source "$(dirname "$0")/lib.sh"
sys_setup
client_static_ip
head -c 5000000 /dev/urandom >"$ROOT/rootfs.img"
echo '#!ipxe' >"$ROOT/boot.ipxe"
echo secret >"$WORK/secret.txt"
ln -s "$WORK/secret.txt" "$ROOT/escape"
start_pxed --http-port 8080
base="http://$SERVER_IP:8080"
cd "$WORK"

in_cli timeout 30 curl -sS -f -o got.img "$base/rootfs.img" || die "GET failed"
[[ $(sha got.img) == $(sha "$ROOT/rootfs.img") ]] || die "GET body differs"
log "GET ok"

in_cli timeout 10 curl -sS -I "$base/rootfs.img" >head.txt || die "HEAD failed"
grep -qi "^content-length: 5000000" head.txt || { cat head.txt; die "HEAD without the right Content-Length"; }

code=$(in_cli timeout 10 curl -s -o /dev/null -w '%{http_code}' "$base/nope.img")
[[ "$code" == 404 ]] || die "missing file gave $code"

for bad in "/../../etc/passwd" "/escape" "/%2e%2e/%2e%2e/etc/passwd"; do
  code=$(in_cli timeout 10 curl -s --path-as-is -o leak -w '%{http_code}' "$base$bad")
  [[ "$code" == 403 || "$code" == 404 || "$code" == 400 ]] || die "$bad gave $code"
  ! grep -q secret leak 2>/dev/null || die "$bad leaked the file"
done
log "escapes refused"

# Two requests on one connection.
in_cli timeout 10 curl -sS -v -o /dev/null -o /dev/null "$base/boot.ipxe" "$base/boot.ipxe" 2>verbose.txt ||
  die "keep-alive requests failed"
grep -qi "re-using existing connection" verbose.txt || die "connection was not kept alive"
log "keep-alive ok"

in_cli timeout 10 curl -sS -r 100-199 -o part "$base/rootfs.img" || die "range request failed"
[[ $(stat -c %s part) == 100 ]] || die "range returned $(stat -c %s part) bytes"
cmp -s part <(tail -c +101 "$ROOT/rootfs.img" | head -c 100) || die "range content differs"
log "range ok"
expect_log "http: 198\.18\.0\.2:[0-9]+ \"GET /rootfs.img\" 200"
expect_log "\"GET /nope.img\" 404"

# --- ETag, stable across requests.
field() { tr -d '\r' <"$1" | sed -n "s/^$2: //Ip" | head -n 1; }
# ask [curl args...] URL: "STATUS BODY_BYTES" of one request (curl -o leaves no file behind for a
# response without a body, so the bytes are counted); the body in ./body, the head in ./h.txt.
ask() { in_cli timeout 10 curl -sS -D h.txt -o body -w '%{http_code} %{size_download}' "$@"; }
img="$base/rootfs.img"
in_cli timeout 10 curl -sS -I "$base/rootfs.img" >h1.txt || die "HEAD 1 failed"
in_cli timeout 10 curl -sS -D h2.txt -o /dev/null "$img" || die "GET for the ETag failed"
etag=$(field h1.txt etag)
lm=$(field h1.txt last-modified)
[[ "$etag" =~ ^\"[0-9a-f]+-[0-9a-f]+\"$ ]] || { cat h1.txt; die "no strong ETag: '$etag'"; }
[[ "$(field h2.txt etag)" == "$etag" ]] || die "ETag changed: $etag, $(field h2.txt etag)"
[[ -n "$lm" ]] || die "no Last-Modified"
log "ETag $etag stable"

# --- If-None-Match and If-Modified-Since: 304 without a body.
got=$(ask -H "If-None-Match: $etag" "$img")
[[ "$got" == "304 0" ]] || die "If-None-Match gave $got (status, body bytes)"
[[ "$(field h.txt etag)" == "$etag" ]] || die "304 without the ETag"
got=$(ask -H 'If-None-Match: "x", W/'"$etag" "$img")
[[ "$got" == "304 0" ]] || die "If-None-Match with a list and a weak tag gave $got"
got=$(ask -H 'If-None-Match: "stale"' "$img")
[[ "$got" == "200 5000000" ]] || die "a stale If-None-Match gave $got"
got=$(ask -H "If-Modified-Since: $lm" "$img")
[[ "$got" == "304 0" ]] || die "If-Modified-Since gave $got"
got=$(ask -H "If-Modified-Since: Mon, 01 Jan 1990 00:00:00 GMT" "$img")
[[ "$got" == "200 5000000" ]] || die "an old If-Modified-Since gave $got"
log "conditional GETs ok"

# --- If-Range: the range with the current ETag, the whole file with a stale one.
got=$(ask -r 100-199 -H "If-Range: $etag" "$img")
[[ "$got" == "206 100" ]] || die "If-Range with the ETag gave $got"
cmp -s body <(tail -c +101 "$ROOT/rootfs.img" | head -c 100) || die "If-Range range content differs"
got=$(ask -r 100-199 -H 'If-Range: "stale"' "$img")
[[ "$got" == "200 5000000" ]] || die "If-Range with a stale ETag gave $got"
cmp -s body "$ROOT/rootfs.img" || die "If-Range with a stale ETag did not give the whole file"
got=$(ask -r 0-9 -H "If-Range: $lm" "$img")
[[ "$got" == "206 10" ]] || die "If-Range with Last-Modified gave $got"
log "If-Range ok"

# --- Several ranges: 206 multipart/byteranges whose parts are the file's bytes.
in_cli timeout 10 curl -sS -D mh.txt -o multi -r 0-99,200-299,4999990- "$base/rootfs.img" ||
  die "multi-range request failed"
grep -q "^HTTP/1.1 206" mh.txt || { cat mh.txt; die "multi-range was not 206"; }
[[ "$(field mh.txt content-length)" == "$(stat -c %s multi)" ]] ||
  die "multipart Content-Length is not the body size"
python3 - "$(field mh.txt content-type)" multi "$ROOT/rootfs.img" <<'PY' ||
  die "multipart body is wrong"
import re, sys
ctype, body, data = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
m = re.fullmatch(r"multipart/byteranges; boundary=(\S+)", ctype)
assert m, ctype
b = m.group(1).encode()
assert body.endswith(b"\r\n--" + b + b"--\r\n"), body[-80:]
parts = body[: -len(b"--" + b + b"--\r\n")].split(b"--" + b + b"\r\n")
assert parts[0] == b"", parts[0]
want = [(0, 99), (200, 299), (4999990, 4999999)]
assert len(parts) - 1 == len(want), len(parts)
for part, (first, last) in zip(parts[1:], want):
    head, content = part.split(b"\r\n\r\n", 1)
    assert content.endswith(b"\r\n")
    content = content[:-2]
    assert b"Content-Type: application/octet-stream" in head, head
    assert b"Content-Range: bytes %d-%d/%d" % (first, last, len(data)) in head, head
    assert content == data[first:last + 1], (first, last)
print("multipart: %d parts match" % len(want))
PY
log "multi-range ok"

# --- Keep-alive: several requests, one connection.
in_cli timeout 10 curl -sS -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects}\n' \
  "$base/boot.ipxe" "$img" "$base/boot.ipxe" >connects.txt || die "keep-alive run failed"
connects=$(tr '\n' ' ' <connects.txt)
[[ "$connects" == "1 0 0 " ]] || die "new connections per request: $connects"
log "three requests on one connection"

# --- An oversized header: 431, and the server goes on answering.
cookie=$(head -c 20000 /dev/zero | tr '\0' c)
code=$(in_cli timeout 10 curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$img")
[[ "$code" == 431 ]] || die "a 20 KB header gave $code"
long_name=$(head -c 9000 /dev/zero | tr '\0' a)
code=$(in_cli timeout 10 curl -s -o /dev/null -w '%{http_code}' "$base/$long_name")
[[ "$code" == 414 ]] || die "a 9 KB request line gave $code"
code=$(in_cli timeout 10 curl -s -o /dev/null -w '%{http_code}' "$base/boot.ipxe")
[[ "$code" == 200 ]] || die "after the oversized requests the next client got $code"
expect_log "\"-\" 431 request headers over the size limit"
log "oversized requests refused, others served"
stop_pxed

# --- With a config: at most 2 requests per connection, headers within 1 s.
cat >"$WORK/pxed.toml" <<TOML
interfaces = ["vs"]
root = "$ROOT"
[dhcp]
lease-db = "$WORK/leases.db"
[[dhcp.subnet]]
network = "198.18.0.0/24"
interfaces = ["vs"]
pools = ["$DHCP_RANGE"]
[http]
port = 8080
max-requests-per-connection = 2
header-timeout = 1
TOML
start_pxed_with --config "$WORK/pxed.toml"
in_cli timeout 10 curl -sS -D lim.txt -o /dev/null -o /dev/null -o /dev/null \
  -w '%{num_connects}\n' \
  "$base/boot.ipxe" "$base/boot.ipxe" "$base/boot.ipxe" >connects.txt || die "limited run failed"
connects=$(tr '\n' ' ' <connects.txt)
[[ "$connects" == "1 0 1 " ]] || die "new connections per request with a limit of 2: $connects"
closes=$(grep -ci "^connection: close" lim.txt || true)
[[ "$closes" == 1 ]] || { cat lim.txt; die "$closes answers said Connection: close, not 1"; }
log "request limit honoured"

in_cli timeout 10 python3 - "$SERVER_IP" <<'PY' || die "no 408 for slow headers"
import socket, sys, time
s = socket.create_connection((sys.argv[1], 8080), timeout=5)
s.sendall(b"GET /boot.ipxe HTTP/1.1\r\nHost: x\r\n")  # never finished
t = time.monotonic()
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
took = time.monotonic() - t
assert data.startswith(b"HTTP/1.1 408 "), data[:60]
assert took < 4, took
print("408 after %.1f s" % took)
PY
code=$(in_cli timeout 10 curl -s -o /dev/null -w '%{http_code}' "$base/boot.ipxe")
[[ "$code" == 200 ]] || die "after the 408 the next client got $code"
log "header timeout answered with 408"
stop_pxed
log PASS
