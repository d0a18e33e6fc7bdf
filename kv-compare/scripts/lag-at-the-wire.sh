#!/usr/bin/env bash
# The follower's share of the replication lag, measured at the wire, for a running ./kv local:
#   kv-compare/scripts/lag-at-the-wire.sh [RATE] [SECONDS]
# Runs kv bench over HTTP (workload load, 16 clients, 16-byte values, --rate RATE, default 500) for
# SECONDS (default 20) while tcpdump (Debian's package; run as root) records the leader's PUB and
# control ports on loopback. Each PUB segment that carries events to a follower is then paired with
# that follower's next ack segment (connections matched to followers by process, from ss), and the
# time between them is printed per follower as percentiles. That time is the follower's part of
# kv_replication_lag_ms: its ZeroMQ I/O thread, its replication thread, the apply and the ack delay.
# The bench's report, printed first, has the leader's histogram of the whole lag. Segments of
# MAX_DATA_BYTES or more (default 2000) are taken for heartbeat rounds and left out: a round of 32
# shards' heartbeats is about 2,800 bytes, and it asks for no ack. PUB_PORT (5555), CONTROL_PORT
# (5556) and GATEWAY (127.0.0.1:3000) default to ./kv local's. Used for docs/PERFORMANCE.md, "Where
# the replication lag's tail comes from".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rate=${1:-500}
seconds=${2:-20}
pub=${PUB_PORT:-5555}
control=${CONTROL_PORT:-5556}
gateway=${GATEWAY:-127.0.0.1:3000}
max_data=${MAX_DATA_BYTES:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "PID PORT" for each follower connection to the PUB or the control port: the follower's process
# and its end's port.
ss -Htnp "( dport = :$pub or dport = :$control )" | awk '{
  n = split($4, local, ":")
  match($0, /pid=[0-9]+/)
  print substr($0, RSTART + 4, RLENGTH - 4), local[n]
}' >"$work/connections"
[ -s "$work/connections" ] || { echo "no follower is connected to ports $pub and $control" >&2; exit 1; }

timeout $((seconds + 10)) tcpdump -i lo -n -tt -l "tcp port $pub or tcp port $control" >"$work/capture" 2>/dev/null &
dump=$!
sleep 1
"$root/kv" bench --protocol http --target "$gateway" --workload load --clients 16 --value-bytes 16 \
  --duration "$seconds" --rate "$rate" 2>/dev/null
kill "$dump" 2>/dev/null || true
wait "$dump" 2>/dev/null || true

# Walks the capture in time order: a data segment to a follower waits for that follower's next ack.
awk -v pub="$pub" -v control="$control" -v max="$max_data" -v conns="$work/connections" '
  BEGIN { while ((getline line < conns) > 0) { split(line, f, " "); follower[f[2]] = f[1] } }
  {
    split($3, src, "."); sub(/:$/, "", $5); split($5, dst, ".")
    bytes = $NF + 0
    if (bytes == 0) next
    if (src[5] == pub && bytes < max && (dst[5] in follower)) { who = follower[dst[5]]; waiting[who] = waiting[who] " " $1 }
    else if (dst[5] == control && (src[5] in follower)) {
      who = follower[src[5]]; n = split(waiting[who], times, " ")
      for (i = 1; i <= n; i++) printf "%s %.3f\n", who, ($1 - times[i]) * 1000
      waiting[who] = ""
    }
  }' "$work/capture" | sort -k1,1 -k2,2n >"$work/deltas"

echo "PUB segment to the follower's next ack segment, ms (follower process: segments, p50, p90, p99, p99.9, max):"
awk '{ d[$1, ++n[$1]] = $2 }
  END {
    for (who in n) {
      c = n[who]
      printf "  pid %s: %d, p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f\n", who, c, d[who, int(c * 0.5) + 1],
        d[who, int(c * 0.9) + 1], d[who, int(c * 0.99) + 1], d[who, int(c * 0.999) + 1], d[who, c]
    }
  }' "$work/deltas"
