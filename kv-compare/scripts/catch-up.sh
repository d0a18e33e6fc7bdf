#!/usr/bin/env bash
# A fresh follower's catch-up (issue 9's target 6) from a leader of KEYS stored keys, one tree or
# another, in interleaved rounds:
#   kv-compare/scripts/catch-up.sh ROUNDS TREE_A TREE_B ...
# e.g. catch-up.sh 6 /path/to/checkout-before .
# Each TREE is a checkout with its jars built (./kv build). First a leader of the first tree stores
# KEYS (default 1,000,000) keys of 100 random bytes with ./kv bench, once; its data dir is kept as a
# template. Then each run copies the template, starts a leader on it (sync, R=1, -Xmx256m
# -XX:+UseSerialGC as ./kv compare --scale does; 127.0.0.1, ports 24601-24610, temp data dirs),
# lets it settle for SETTLE seconds (default 5: the start-up's compactions), starts a follower on an
# empty data dir and waits until it logs every shard live. The time is taken from the follower's
# log: from its first "synced with leader" line (the welcome that answers its hello) to its last
# "live at" line, so that nothing polls either process while it works. ./kv compare times the same
# from the leader's Cluster.Status instead, polled every 20 ms. Ends with each tree's median.
# Used for docs/PERFORMANCE.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=$1; shift
trees=("$@")
keys=${KEYS:-1000000}
settle=${SETTLE:-5}
java=${JAVA:-java}
work=$(mktemp -d)
pids=()
cleanup() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

wait_for_port() {
  local i
  for i in $(seq 1 400); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "port $1 did not open; logs in $work" >&2; exit 1
}
start() { # tree module log args...
  local jar="$1/kv-$2/target/kv-$2.jar" log=$3; shift 3
  "$java" -Xmx256m -XX:+UseSerialGC -jar "$jar" "$@" >"$log" 2>&1 &
  pids+=($!)
}
stop_all() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=(); }
start_leader() { # tree data-dir
  start "$1" leader "$2.log" --host 127.0.0.1 --grpc-port 24601 --pub-port 24602 --control-port 24603 \
    --metrics-port 24604 --data-dir "$2" --durability sync --replication-factor 1
  wait_for_port 24601
}
# Milliseconds since the epoch of a log line's ISO timestamp (its first field).
ms_of() { date -d "$(cut -d' ' -f1 <<<"$1")" +%s%3N; }

echo "catch-up: storing $keys keys in a leader of ${trees[0]}" >&2
start_leader "${trees[0]}" "$work/template"
"$root/kv" --leader 127.0.0.1:24601 bench --workload load --keys "$keys" --ops "$keys" --value-bytes 100 \
  --clients 32 >"$work/load.txt" 2>&1
stop_all

declare -A seconds
for round in $(seq 1 "$rounds"); do
  for tree in "${trees[@]}"; do
    run="$work/run"
    rm -rf "$run" && mkdir -p "$run" && cp -r "$work/template" "$run/leader"
    start_leader "$tree" "$run/leader"
    sleep "$settle"
    start "$tree" follower "$run/follower.log" --host 127.0.0.1 --leader 127.0.0.1 --leader-pub-port 24602 \
      --leader-control-port 24603 --id follower-1 --grpc-port 24605 --advertise 127.0.0.1:24605 \
      --metrics-port 24606 --data-dir "$run/follower"
    shards=""
    for _ in $(seq 1 6000); do # at most 10 min
      shards=${shards:-$(grep -o 'synced with leader .* (\([0-9]*\) shards' "$run/follower.log" 2>/dev/null |
        sed 's/.*(\([0-9]*\) shards/\1/' || true)}
      [ -n "$shards" ] && [ "$(grep -c ': live at seq' "$run/follower.log")" -ge "$shards" ] && break
      sleep 0.1
    done
    [ -n "$shards" ] && [ "$(grep -c ': live at seq' "$run/follower.log")" -ge "$shards" ] ||
      { echo "the follower did not catch up; logs in $work" >&2; trap - EXIT; stop_all; exit 1; }
    from=$(ms_of "$(grep -m1 'synced with leader' "$run/follower.log")")
    to=$(ms_of "$(grep ': live at seq' "$run/follower.log" | tail -1)")
    stop_all
    s=$(awk -v ms=$((to - from)) 'BEGIN {printf "%.2f", ms / 1000}')
    seconds[$tree]="${seconds[$tree]:-} $s"
    awk -v t="$tree" -v r="$round" -v s="$s" -v k="$keys" \
      'BEGIN {printf "catch-up: round %d, %s: %s s = %.0f keys/s\n", r, t, s, k / s}'
  done
done
for tree in "${trees[@]}"; do
  # shellcheck disable=SC2086
  printf '%s\n' ${seconds[$tree]} | sort -n | awk -v t="$tree" -v k="$keys" \
    '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
      printf "catch-up: %s: median %.2f s = %.0f keys/s over %d run(s)\n", t, m, k / m, NR}'
done
