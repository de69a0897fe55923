#!/usr/bin/env bash
# The tftp-hpa client and curl fetch files from pxed's TFTP server byte for byte; missing files
# and paths leaving the root are refused.
source "$(dirname "$0")/lib.sh"
sys_setup
client_static_ip
head -c 3000000 /dev/urandom >"$ROOT/big.bin"
head -c 65536 /dev/urandom >"$ROOT/exact.bin"  # a multiple of 512 and of 1024
: >"$ROOT/empty.bin"
mkdir -p "$ROOT/pxelinux.cfg"
echo "DEFAULT linux" >"$ROOT/pxelinux.cfg/default"
echo secret >"$WORK/secret.txt"
ln -s "$WORK/secret.txt" "$ROOT/escape"
start_pxed
cd "$WORK"

for f in big.bin exact.bin empty.bin; do
  rm -f "got.$f"
  in_cli timeout 60 tftp "$SERVER_IP" -m binary -c get "$f" "got.$f" || die "tftp-hpa could not get $f"
  [[ $(sha "got.$f") == $(sha "$ROOT/$f") ]] || die "tftp-hpa: $f differs"
  log "tftp-hpa: $f ok"
done

for bs in 512 1468 8192; do
  for f in big.bin exact.bin; do
    rm -f "curl.$f"
    in_cli timeout 60 curl -sS --tftp-blksize "$bs" -o "curl.$f" "tftp://$SERVER_IP/$f" ||
      die "curl blksize $bs could not get $f"
    [[ $(sha "curl.$f") == $(sha "$ROOT/$f") ]] || die "curl blksize $bs: $f differs"
  done
  log "curl tftp blksize $bs: ok"
done

# netascii: tftp-hpa's ascii mode gets the text back exactly as it is on disk (pxed sends it
# converted to CR LF, the client converts it back).
printf 'DEFAULT linux\nLABEL linux\r\n  KERNEL vmlinuz\n' >"$ROOT/menu.txt"
rm -f got.menu
in_cli timeout 10 tftp "$SERVER_IP" -m ascii -c get menu.txt got.menu || die "tftp-hpa ascii mode failed"
cmp -s got.menu "$ROOT/menu.txt" || die "netascii round trip differs"
expect_log "RRQ menu.txt in netascii -> sent 48 bytes"
log "tftp-hpa netascii: ok"

# A leading slash is stripped and subdirectories work (GRUB asks for /grub/grub.cfg).
in_cli timeout 10 curl -sS -o cfg "tftp://$SERVER_IP//pxelinux.cfg/default" || die "leading slash refused"
grep -q "DEFAULT linux" cfg || die "wrong config content"

# Missing file: an immediate error, as pxelinux probes several per boot.
rc=0
in_cli timeout 10 curl -sS -o /dev/null "tftp://$SERVER_IP/pxelinux.cfg/01-52-54-00-12-34-56" 2>/dev/null || rc=$?
[[ $rc -eq 68 ]] || die "missing file: curl exit $rc, expected 68 (file not found)"
expect_log "RRQ pxelinux.cfg/01-52-54-00-12-34-56 .*not found"

# Escapes are refused and never served.
for bad in "../../../etc/passwd" "escape"; do
  rm -f leak
  rc=0
  in_cli timeout 10 curl -sS --path-as-is -o leak "tftp://$SERVER_IP/$bad" 2>/dev/null || rc=$?
  [[ $rc -ne 0 ]] || die "$bad was served"
  [[ ! -s leak ]] || die "$bad leaked data"
done
log "escapes refused"
expect_log "tftp: 198\.18\.0\.2:[0-9]+ RRQ big\.bin .*sent 3000000 bytes"
stop_pxed
log PASS
