#!/usr/bin/env bash
# CPU per HTTP POST /set of each process of the ./kv local topology, under one set of extra JVM
# flags or another, in interleaved rounds:
#   kv-compare/scripts/local-cpu-per-set.sh ROUNDS "FLAGS A" "FLAGS B" ...
# e.g. local-cpu-per-set.sh 3 "" "-Dio.netty.leakDetection.level=disabled"
# An argument "TREE::FLAGS" runs the jars built in another checkout TREE (a before/after of a change).
# Each run starts a leader, two followers and the gateway as ./kv local does (sync, R=1, the
# servers' -Xmx512m -XX:+UseSerialGC plus the flags; 127.0.0.1, ports 24451-24500, temp data dirs),
# runs wrk (2 threads, 16 connections, docs/wrk/set.lua) for a warm-up of WARMUP seconds (default
# 60: on 2 cores the rate keeps rising for about a minute while the JIT compiles), then a measured
# 10 s, and prints the measured run's rate and p99 and each process's user+system CPU per request
# (from /proc). Needs wrk (Debian's package). Used for docs/PERFORMANCE.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=$1; shift
java=${JAVA:-java}
tick=$(getconf CLK_TCK)
work=$(mktemp -d)
pids=()
cleanup() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Context switches of all the process's threads (voluntary: it waited, woken later; or preempted).
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/{n += $2} END {print n}'; }
wait_for_port() {
  local i
  for i in $(seq 1 400); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "port $1 did not open; logs in $work" >&2; exit 1
}
start() { # name jar-module flags args...
  local name=$1 jar="$tree/kv-$2/target/kv-$2.jar" flags=$3; shift 3
  # shellcheck disable=SC2086
  "$java" -Xmx512m -XX:+UseSerialGC $flags -jar "$jar" "$@" >"$dir/$name.log" 2>&1 &
  pids+=($!)
}
warmup=${WARMUP:-60}
wrk_set() { wrk -t2 -c16 -d"${1:-10}s" --latency -s "$root/docs/wrk/set.lua" http://127.0.0.1:24480; }

one_run() {
  local flags=$1 tree=$root
  if [[ $flags == *::* ]]; then tree=${flags%%::*}; flags=${flags#*::}; fi
  dir=$(mktemp -d "$work/run.XXXX"); pids=()
  start leader leader "$flags" --host 127.0.0.1 --grpc-port 24451 --pub-port 24455 --control-port 24456 \
    --metrics-port 24490 --data-dir "$dir/leader"
  wait_for_port 24451
  local i
  for i in 1 2; do
    start "follower-$i" follower "$flags" --host 127.0.0.1 --leader 127.0.0.1 --leader-pub-port 24455 \
      --leader-control-port 24456 --id "follower-$i" --data-dir "$dir/follower-$i" \
      --grpc-port $((24460 + i)) --metrics-port $((24490 + i))
  done
  start gateway http-gateway "$flags" --host 127.0.0.1 --port 24480 --leader 127.0.0.1:24451 \
    --followers 127.0.0.1:24461,127.0.0.1:24462
  wait_for_port 24480
  wrk_set "$warmup" >/dev/null
  local before=() after=() cs_before=() cs_after=() out p
  for p in "${pids[@]}"; do before+=("$(cpu_ticks "$p")"); cs_before+=("$(switches "$p")"); done
  out=$(wrk_set)
  for p in "${pids[@]}"; do after+=("$(cpu_ticks "$p")"); cs_after+=("$(switches "$p")"); done
  kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true; pids=()
  local requests rate p99
  requests=$(awk '/requests in/{print $1}' <<<"$out")
  rate=$(awk '/Requests\/sec/{printf "%d", $2}' <<<"$out")
  p99=$(awk '$1 == "99%"{print $2}' <<<"$out")
  # CPU per request in microseconds: ticks * (1e6 / tick) / requests.
  per() { echo $(( (after[$1] - before[$1]) * 1000000 / tick / requests )); }
  # Context switches per 100 requests.
  cs() { echo $(( (cs_after[$1] - cs_before[$1]) * 100 / requests )); }
  printf '%s\n  /set %6s/s p99 %-8s CPU us/request: leader %4d, gateway %4d, followers %4d + %4d;' \
    "[${tree}${flags:+ $flags}]" "$rate" "$p99" "$(per 0)" "$(per 3)" "$(per 1)" "$(per 2)"
  printf ' context switches per 100 requests: leader %4d, gateway %4d, followers %4d + %4d\n' \
    "$(cs 0)" "$(cs 3)" "$(cs 1)" "$(cs 2)"
}

for round in $(seq 1 "$rounds"); do
  echo "round $round"
  for flags in "$@"; do one_run "$flags"; done
done
