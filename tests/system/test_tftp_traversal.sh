#!/usr/bin/env bash
# Traversal battery against pxed's TFTP server: every name that would leave the root, or that is
# not a regular file, gets a TFTP ERROR (the client fails and keeps no data) and a pxed log line
# naming the client and the reason; the legitimate files next to them are still served after.
#
# Clients: tftp-hpa sends the name byte for byte (-l: no special meaning for ':'); it exits 0
# even on an ERROR, prints "Error code N: ..." and leaves an empty local file, so that is what
# is checked. curl needs --path-as-is to send "..", and URL-decodes the path before sending it
# (so %2e%2e reaches the server as ".."; %252e%252e reaches it as "%2e%2e"). curl refuses names
# that do not fit a 512-byte request ("TFTP file name too long", exit 71, nothing sent) and
# tftp-hpa's requests are meant to fit one too, so the near-64 KiB name is a crafted datagram
# written in one piece by dd to bash's /dev/udp; tcpdump in the client namespace sees what
# comes back (from a new port, which the connected /dev/udp socket would not accept).
source "$(dirname "$0")/lib.sh"
sys_setup
client_static_ip
echo "legit file" >"$ROOT/ok.txt"
mkdir -p "$ROOT/subdir"
echo "legit file in subdir" >"$ROOT/subdir/ok.txt"
ln -s ok.txt "$ROOT/alias"  # a symlink that stays inside the root is fine
# $WORK is the parent of $ROOT: subdir/../../secret names $WORK/secret.
echo "TOP SECRET outside the root" >"$WORK/secret"
mkdir -p "$WORK/outside"
echo "TOP SECRET in a directory outside the root" >"$WORK/outside/secret"
ln -s "$WORK/secret" "$ROOT/escape"    # symlinked file pointing outside
ln -s "$WORK/outside" "$ROOT/outdir"   # symlinked directory pointing outside
mknod "$ROOT/dev0" c 1 3               # /dev/null's numbers
mkfifo "$ROOT/fifo"                    # opening it for reading must not hang the server
start_pxed
cd "$WORK"
mkdir got

# await_line SKIP LOGGED_NAME: sets $line to the first "RRQ LOGGED_NAME -> " line of the pxed
# log after line SKIP. pxed logs a refusal just after sending the ERROR, so wait a little.
await_line() {
  local skip=$1 name=$2 i
  for i in $(seq 1 30); do
    line=$(tail -n +"$((skip + 1))" "$PXED_LOG" | grep -m1 -F " RRQ $name -> " || true)
    [[ -n "$line" ]] && return 0
    sleep 0.1
  done
  die "pxed logged nothing for RRQ $name"
}

# check_log SKIP LOGGED_NAME OUTCOME_REGEX: pxed's line names the client and matches the outcome.
check_log() {
  await_line "$1" "$2"
  [[ "$line" =~ tftp:\ 198\.18\.0\.2:[0-9]+\ RRQ ]] || die "log line does not name the client: $line"
  [[ "${line#* -> }" =~ ^($3) ]] || die "RRQ $2: expected '$3', pxed said: ${line#* -> }"
}

outcome_regex() {  # not-found | refused | error (either)
  case $1 in
    not-found) echo "not found" ;;
    refused) echo "refused: access violation" ;;
    error) echo "not found|refused: |cannot open: " ;;
  esac
}

# hpa_refused NAME KIND [LOGGED_NAME]: tftp-hpa asks for NAME and must get an ERROR, no data.
hpa_refused() {
  local name=$1 kind=$2 logged=${3:-$1} skip out=got/hpa rc=0
  skip=$(wc -l <"$PXED_LOG")
  rm -f "$out"
  in_cli timeout 20 tftp -l "$SERVER_IP" -m binary -c get "$name" "$out" >hpa.out 2>&1 || rc=$?
  ((rc != 124)) || die "tftp-hpa $logged: no answer within 20 s"
  case $kind in
    not-found) grep -q "^Error code 1: " hpa.out || die "tftp-hpa $logged: not 'file not found': $(cat hpa.out)" ;;
    refused) grep -q "^Error code 2: " hpa.out || die "tftp-hpa $logged: not 'access violation': $(cat hpa.out)" ;;
    error) grep -q "^Error code [0-9]: " hpa.out || die "tftp-hpa $logged: no TFTP error: $(cat hpa.out)" ;;
  esac
  [[ ! -s "$out" ]] || die "tftp-hpa $logged: got $(stat -c %s "$out") bytes"
  check_log "$skip" "$logged" "$(outcome_regex "$kind")"
  log "tftp-hpa $(printf '%.60s' "$logged"): $(head -n1 hpa.out)"
}

# curl_refused URLPATH KIND LOGGED_NAME: curl asks for URLPATH and must fail with a TFTP error.
curl_refused() {
  local path=$1 kind=$2 logged=$3 skip out=got/curl rc=0
  skip=$(wc -l <"$PXED_LOG")
  rm -f "$out"
  in_cli timeout 20 curl -sS --path-as-is -o "$out" "tftp://$SERVER_IP/$path" 2>curl.err || rc=$?
  # curl: 68 = TFTP file not found, 69 = TFTP access violation, 71 = other TFTP error.
  case $kind in
    not-found) ((rc == 68)) || die "curl $logged: exit $rc, expected 68: $(cat curl.err)" ;;
    refused) ((rc == 69)) || die "curl $logged: exit $rc, expected 69: $(cat curl.err)" ;;
    error) ((rc == 68 || rc == 69 || rc == 71)) || die "curl $logged: exit $rc: $(cat curl.err)" ;;
  esac
  [[ ! -s "$out" ]] || die "curl $logged: got $(stat -c %s "$out") bytes"
  check_log "$skip" "$logged" "$(outcome_regex "$kind")"
  log "curl $(printf '%.60s' "$logged"): exit $rc"
}

# .. in all its forms.
for name in "../etc/passwd" "../../../../etc/passwd" "subdir/../../secret" "subdir/../../../etc/passwd"; do
  hpa_refused "$name" refused
  curl_refused "$name" refused "$name"
done
expect_log "RRQ \.\./etc/passwd -> refused: access violation \(path contains '\.\.'\)"
# Backslashes count as separators (pxed turns them into '/'); the log shows them as \x5c.
hpa_refused '..\..\etc\passwd' refused '..\x5c..\x5cetc\x5cpasswd'
hpa_refused 'subdir\..\..\secret' refused 'subdir\x5c..\x5c..\x5csecret'
# A leading '/' is stripped (GRUB sends one): this is $ROOT/etc/passwd, which does not exist.
hpa_refused "/etc/passwd" not-found
curl_refused "/etc/passwd" not-found "/etc/passwd"
hpa_refused "//etc/passwd" not-found
# Symlinks leading out of the root, to a file and through a directory.
hpa_refused "escape" refused
curl_refused "escape" refused "escape"
hpa_refused "outdir/secret" refused
curl_refused "outdir/secret" refused "outdir/secret"
expect_log "RRQ escape -> refused: access violation \(path leaves the root\)"
expect_log "RRQ outdir/secret -> refused: access violation \(path leaves the root\)"
# TFTP names are not URL-encoded: "%2e%2e" is a plain (missing) directory name.
hpa_refused "%2e%2e/secret" not-found
hpa_refused "%2e%2e%2fsecret" not-found
hpa_refused "subdir/%2e%2e/%2e%2e/secret" not-found
curl_refused "%252e%252e/secret" not-found "%2e%2e/secret"
curl_refused "%2e%2e/secret" refused "../secret"  # curl itself decodes this one
# Not regular files.
hpa_refused "dev0" refused
curl_refused "dev0" refused "dev0"
hpa_refused "fifo" refused
curl_refused "fifo" refused "fifo"
hpa_refused "subdir" refused
curl_refused "subdir" refused "subdir"
hpa_refused "." not-found
expect_log "RRQ dev0 -> refused: access violation \(not a regular file\)"
expect_log "RRQ subdir -> refused: access violation \(not a regular file\)"

# Long names: 400 characters as one component (over NAME_MAX) and as 200 components.
long=$(head -c 400 /dev/zero | tr '\0' a)
deep=$(for _ in $(seq 200); do printf 'a/'; done)secret
logged_long="$(head -c 200 <<<"$long")..."  # pxed cuts logged names at 200 characters
hpa_refused "$long" error "$logged_long"
curl_refused "$long" error "$logged_long"
hpa_refused "$deep" not-found "$(head -c 200 <<<"$deep")..."

# A near-64 KiB name: one RRQ datagram of 65,009 bytes (the UDP maximum is 65,507).
# Not through in_cli: $! must be tcpdump itself, to stop it by PID (it flushes on SIGINT).
ip netns exec "$CLI_NS" tcpdump --immediate-mode -n -i vc -U -w probe.pcap \
  'udp and src host 198.18.0.1' 2>tcpdump.err &
tcpdump_pid=$!
for _ in $(seq 1 50); do grep -q "listening on" tcpdump.err && break; sleep 0.1; done
grep -q "listening on" tcpdump.err || die "tcpdump did not start: $(cat tcpdump.err)"
huge=$(head -c 65000 /dev/zero | tr '\0' b)
{ printf '\0\001%s\0octet\0' "$huge"; } >rrq.bin
[[ $(stat -c %s rrq.bin) -eq 65009 ]] || die "crafted RRQ is $(stat -c %s rrq.bin) bytes"
skip=$(wc -l <"$PXED_LOG")
in_cli timeout 5 bash -c "exec 3<>/dev/udp/$SERVER_IP/69 && dd if=rrq.bin bs=65009 count=1 iflag=fullblock status=none >&3" ||
  die "could not send the crafted RRQ"
check_log "$skip" "$(head -c 200 <<<"$huge")..." "$(outcome_regex error)"
sleep 0.5
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null || true
errors=$(tcpdump -n -r probe.pcap 'udp[8:2] = 5' 2>/dev/null | wc -l)
data=$(tcpdump -n -r probe.pcap 'udp[8:2] = 3' 2>/dev/null | wc -l)
((errors >= 1)) || die "65000-byte name: no TFTP ERROR came back"
((data == 0)) || die "65000-byte name: $data DATA packets came back"
log "65000-byte name: TFTP ERROR, no data; pxed: ${line#* -> }"

# Nothing from outside the root reached the client.
if grep -rlE "TOP SECRET|^root:" got/ >/dev/null 2>&1; then die "a secret leaked into got/"; fi

# The legitimate files are still served, by both clients.
for name in ok.txt subdir/ok.txt /subdir/ok.txt alias; do
  rm -f got/ok
  in_cli timeout 10 tftp -l "$SERVER_IP" -m binary -c get "$name" got/ok >hpa.out 2>&1 ||
    die "tftp-hpa $name failed"
  src=$ROOT/${name#/}
  cmp -s got/ok "$src" || die "tftp-hpa $name: wrong content ($(cat hpa.out))"
  rm -f got/ok
  in_cli timeout 10 curl -sS -o got/ok "tftp://$SERVER_IP/$name" || die "curl $name failed"
  cmp -s got/ok "$src" || die "curl $name: wrong content"
done
log "ok.txt, subdir/ok.txt and an in-root symlink still served"
stop_pxed
log PASS
