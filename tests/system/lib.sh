# Shared set-up for system tests: the real pxed in a server namespace, real clients in a client
# namespace, joined by a veth pair on 198.18.0.0/24 with no route out. Everything is torn down
# on exit, also on Ctrl-C. Source it, then call sys_setup.
set -euo pipefail

PXED=${1:?usage: $0 PATH_TO_PXED}
PXED=$(readlink -f "$PXED")
SYS_ID="pxs$$"
SRV_NS="${SYS_ID}-srv"
CLI_NS="${SYS_ID}-cli"
SERVER_IP=198.18.0.1
CLIENT_IP=198.18.0.2
WORK=$(mktemp -d /tmp/pxed-system.XXXXXX)
ROOT="$WORK/root"
PXED_PID=""
PXED_LOG="$WORK/pxed.log"
SERVER_PREFIX=${SERVER_PREFIX:-24}
DHCP_RANGE=${DHCP_RANGE:-198.18.0.100-198.18.0.150}

log() { printf '%s: %s\n' "$(basename "$0" .sh)" "$*"; }
die() {
  log "FAIL: $*"
  if [[ -f "$PXED_LOG" ]]; then
    echo "--- pxed log (last 40 lines) ---"
    tail -n 40 "$PXED_LOG" || true
  fi
  exit 1
}

sys_cleanup() {
  set +e
  if [[ -n "$PXED_PID" ]]; then kill -TERM "$PXED_PID" 2>/dev/null; wait "$PXED_PID" 2>/dev/null; fi
  for ns in "$SRV_NS" "$CLI_NS" ${EXTRA_NS:-}; do
    if [[ -e "/run/netns/$ns" ]]; then  # not `ip netns list | grep -q`: under pipefail an early grep exit (SIGPIPE) skipped the teardown
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
      ip netns del "$ns"
    fi
  done
  rm -rf "$WORK"
}
trap sys_cleanup EXIT
trap 'exit 130' INT TERM

sys_setup() {
  [[ $(id -u) -eq 0 ]] || { log "needs root (network namespaces)"; exit 1; }
  ip netns add "$SRV_NS"
  ip netns add "$CLI_NS"
  ip -n "$SRV_NS" link set lo up
  ip -n "$CLI_NS" link set lo up
  ip link add "${SYS_ID}s" type veth peer name "${SYS_ID}c"
  ip link set "${SYS_ID}s" netns "$SRV_NS"
  ip link set "${SYS_ID}c" netns "$CLI_NS"
  ip -n "$SRV_NS" link set "${SYS_ID}s" name vs
  ip -n "$CLI_NS" link set "${SYS_ID}c" name vc
  ip -n "$SRV_NS" addr add "$SERVER_IP/$SERVER_PREFIX" dev vs
  ip -n "$SRV_NS" link set vs up
  ip -n "$CLI_NS" link set vc up
  mkdir -p "$ROOT"
}

# Gives the client a static address, for TFTP and HTTP tests that do not need DHCP first.
client_static_ip() { ip -n "$CLI_NS" addr add "$CLIENT_IP/$SERVER_PREFIX" dev vc; }

in_srv() { ip netns exec "$SRV_NS" "$@"; }
in_cli() { ip netns exec "$CLI_NS" "$@"; }

# start_pxed [extra serve flags...]: starts pxed on vs and waits (at most 10 s) until it is ready.
start_pxed() {
  start_pxed_with --interface vs --root "$ROOT" --dhcp-range "$DHCP_RANGE" \
    --lease-db "$WORK/leases.db" "$@"
}

# start_pxed_with SERVE_ARGS...: `pxed serve SERVE_ARGS...` (e.g. --config FILE), then waits as above.
start_pxed_with() {
  # Not through in_srv: $! must be pxed itself (ip netns exec execs it), not a subshell.
  # Only this run's lines count: the log may hold an earlier run's "ready".
  local skip=0
  [[ -f "$PXED_LOG" ]] && skip=$(wc -l <"$PXED_LOG")
  ip netns exec "$SRV_NS" "$PXED" serve "$@" >>"$PXED_LOG" 2>&1 &
  PXED_PID=$!
  local i
  for i in $(seq 1 100); do
    tail -n +"$((skip + 1))" "$PXED_LOG" 2>/dev/null | grep -q "pxed: ready" && return 0
    kill -0 "$PXED_PID" 2>/dev/null || die "pxed exited during start-up"
    sleep 0.1
  done
  die "pxed not ready within 10 s"
}

stop_pxed() {
  [[ -n "$PXED_PID" ]] || return 0
  kill -TERM "$PXED_PID"
  local status=0
  wait "$PXED_PID" || status=$?
  PXED_PID=""
  [[ $status -eq 0 ]] || die "pxed exited with status $status after SIGTERM"
  grep -q "pxed: stopped" "$PXED_LOG" || die "pxed did not log a clean stop"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

expect_log() {
  grep -qE "$1" "$PXED_LOG" || die "pxed log has no line matching: $1"
}
