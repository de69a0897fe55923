#!/usr/bin/env bash
# The atftp client (Debian's atftp 0.8.0) fetches files from pxed byte for byte: plain RFC 1350,
# blksize 1468 with an RFC 7440 window of 8, a window larger than pxed grants, and a windowed
# transfer whose block number rolls over past 65535 with a window straddling the wrap.
#
# atftp spells options as --option "NAME VALUE": --option "blksize 1468", --option "windowsize 8"
# (atftp 0.8.0 supports windowsize; "windowsize disable" turns it off). Without --option it sends
# no options at all. Beware: --option "tsize enable" makes 0.8.0 send the literal value "enable"
# instead of RFC 2349's "0"; pxed ignores a non-numeric tsize, so it is not used here.
source "$(dirname "$0")/lib.sh"
if ! command -v atftp >/dev/null; then
  log "installing atftp"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends atftp >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends atftp >/dev/null; } ||
    die "atftp is missing and could not be installed (scripts/setup.sh test installs it)"
fi
sys_setup
client_static_ip
head -c $((8 * 1024 * 1024)) /dev/urandom >"$ROOT/f.bin"
# 33 MiB at 512 bytes a block is 67,584 blocks: the block number wraps to 0 once. With a window
# of 7 (65536 is no multiple of 7) one window holds blocks 65534, 65535, 0, 1, ...
head -c $((33 * 1024 * 1024)) /dev/urandom >"$ROOT/wrap.bin"
start_pxed
cd "$WORK"

# transfer_line SKIP FILE: sets $line to the first "RRQ FILE ... -> ..." line after line SKIP of
# the pxed log (logged when the last ACK arrives, which may be just after the client has exited).
transfer_line() {
  local skip=$1 file=$2 i
  for i in $(seq 1 50); do
    line=$(tail -n +"$((skip + 1))" "$PXED_LOG" | grep -m1 -F " RRQ $file " || true)
    [[ -n "$line" ]] && return 0
    sleep 0.1
  done
  die "no pxed log line for the transfer of $file"
}

# fetch NAME FILE [atftp options...]: fetches FILE byte-exact; sets $line to pxed's line for it.
fetch() {
  local name=$1 file=$2 skip
  shift 2
  skip=$(wc -l <"$PXED_LOG")
  rm -f got
  in_cli timeout 60 atftp "$@" -g -r "$file" -l got "$SERVER_IP" >atftp.out 2>&1 ||
    die "$name: atftp failed: $(head -c 2000 atftp.out)"
  [[ -f got ]] || die "$name: atftp wrote no file"
  [[ $(sha got) == $(sha "$ROOT/$file") ]] || die "$name: $file differs"
  transfer_line "$skip" "$file"
  [[ "$line" == *"-> sent $(stat -c %s "$ROOT/$file") bytes in "* ]] ||
    die "$name: pxed did not log a complete transfer: $line"
  log "$name: byte-exact; pxed: ${line#*tftp: }"
}

fetch "plain" f.bin
[[ "$line" == *" RRQ f.bin -> sent "* ]] || die "plain atftp sent no options, yet pxed granted some: $line"

fetch "blksize 1468 windowsize 8" f.bin --option "blksize 1468" --option "windowsize 8"
[[ "$line" == *"(blksize=1468 windowsize=8)"* ]] || die "pxed did not grant blksize 1468 and windowsize 8: $line"

# RFC 7440 lets the server answer a smaller window (pxed's default cap is 64); atftp must follow.
fetch "windowsize 100" f.bin --option "blksize 1468" --option "windowsize 100"
[[ "$line" =~ windowsize=([0-9]+) ]] || die "pxed granted no windowsize: $line"
((BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] <= 100)) || die "asked windowsize 100, granted ${BASH_REMATCH[1]}"
log "windowsize 100 requested, ${BASH_REMATCH[1]} granted"

fetch "blksize 512 windowsize 7, 67584 blocks, wraps once" wrap.bin \
  --option "blksize 512" --option "windowsize 7"
[[ "$line" == *"blksize=512 windowsize=7"* ]] || die "pxed did not grant blksize 512 and windowsize 7: $line"

# A missing file: atftp fails at once (no 5 s timeouts) and keeps no file.
rm -f got
start=$SECONDS
if in_cli timeout 20 atftp --option "blksize 1468" --option "windowsize 8" -g -r nope.bin -l got \
  "$SERVER_IP" >atftp.out 2>&1; then
  die "atftp got nope.bin"
fi
((SECONDS - start <= 4)) || die "missing file took $((SECONDS - start)) s to be refused"
grep -q "file not found" atftp.out || die "atftp was not told 'file not found': $(cat atftp.out)"
[[ ! -s got ]] || die "atftp wrote data for a missing file"
expect_log "tftp: 198\.18\.0\.2:[0-9]+ RRQ nope\.bin -> not found"
log "missing file: refused"

stop_pxed
log PASS
