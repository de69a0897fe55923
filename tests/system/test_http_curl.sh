#!/usr/bin/env bash
# curl fetches files over HTTP from pxed: GET, HEAD, keep-alive, Range, 404, confinement.
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
stop_pxed
log PASS
