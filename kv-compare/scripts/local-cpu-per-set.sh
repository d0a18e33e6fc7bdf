#!/usr/bin/env bash
# CPU per HTTP POST /set (or GET /get: REQUEST=get) of each process of the ./kv local topology, under one set of extra JVM
# flags or another, in interleaved rounds:
#   kv-compare/scripts/local-cpu-per-set.sh ROUNDS "FLAGS A" "FLAGS B" ...
# e.g. local-cpu-per-set.sh 3 "" "-Dio.netty.leakDetection.level=disabled"
# An argument "TREE::FLAGS" runs the jars built in another checkout TREE (a before/after of a change).
# Each run starts a leader, two followers and the gateway as ./kv local does (sync, R=1, the
# servers' -Xmx512m -XX:+UseSerialGC plus the flags; 127.0.0.1, ports 24451-24500, temp data dirs),
# runs wrk (2 threads, 16 connections, docs/wrk/set.lua) for a warm-up of WARMUP seconds (default
# 60: on 2 cores the rate keeps rising for about a minute while the JIT compiles), then a measured
# 10 s, and prints the measured run's rate and p99 and each process's user+system CPU per request
# (from /proc), its context switches per 100 requests, and the leader's writes per committed batch
# (from its /metrics); PER_THREAD=1 adds the leader's switches by thread name. REQUEST=get measures
# GET /get instead (docs/wrk/get.lua, after storing its 1,000 keys with docs/wrk/load-keys.lua).
# SLICE=S runs every topology at once (the Nth on ports 100*N higher) and, after each one's warm-up,
# loads them in turn for S seconds each, ROUNDS times: on a shared, noisy host, short alternating
# slices compare two trees better than one long run after another. It ends with each one's
# medians over the slices and the median ratio of each slice's rate to the first one's.
# Needs wrk (Debian's package). Used for docs/PERFORMANCE.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=$1; shift
java=${JAVA:-java}
tick=$(getconf CLK_TCK)
work=$(mktemp -d)
pids=() every=()
cleanup() { kill -TERM "${every[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Context switches of all the process's threads (voluntary: it waited, woken later; or preempted).
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/{n += $2} END {print n}'; }
# The same by thread name, one "NAME COUNT" line per name (threads of one name summed).
switches_by_thread() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v name="$(cat "$t/comm" 2>/dev/null)" '/ctxt_switches/{n += $2} END {print name, n}' "$t/status" 2>/dev/null
  done | awk '{n[$1] += $2} END {for (k in n) print k, n[k]}' | sort
}
wait_for_port() {
  local i
  for i in $(seq 1 400); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "port $1 did not open; logs in $work" >&2; exit 1
}
start() { # name jar-module flags args...
  local name=$1 jar="$tree/kv-$2/target/kv-$2.jar" flags=$3; shift 3
  # shellcheck disable=SC2086
  "$java" -Xmx512m -XX:+UseSerialGC $flags -jar "$jar" "$@" >"$dir/$name.log" 2>&1 &
  pids+=($!) every+=($!)
}
warmup=${WARMUP:-60}
# The leader's committed batches and the writes in them so far: "COUNT SUM" of kvdb_write_batch_size.
batches() {
  curl -sf "http://127.0.0.1:$((24490 + off))/metrics" |
    awk '/^kvdb_write_batch_size_count/{c = $2} /^kvdb_write_batch_size_sum/{s = $2} END {print c + 0, s + 0}'
}
request=${REQUEST:-set}
wrk_load() { wrk -t2 -c16 -d"${1:-10}s" --latency -s "$root/docs/wrk/$request.lua" "http://127.0.0.1:$((24480 + off))"; }
# get.lua's keys, k0 to k999: load-keys.lua stores them in turn, until the last one reads back.
store_keys() {
  local i
  for i in $(seq 1 30); do
    wrk -t1 -c4 -d2s -s "$root/docs/wrk/load-keys.lua" "http://127.0.0.1:$((24480 + off))" >/dev/null
    curl -sf "http://127.0.0.1:$((24480 + off))/get/k999" >/dev/null && return 0
  done
  echo "k999 was not stored; logs in $work" >&2; exit 1
}

# up FLAGS: starts a topology on ports $off higher, its data in a new $dir; its pids in $pids.
up() {
  local flags=$1
  tree=$root
  if [[ $flags == *::* ]]; then tree=${flags%%::*}; flags=${flags#*::}; fi
  dir=$(mktemp -d "$work/run.XXXX"); pids=()
  start leader leader "$flags" --host 127.0.0.1 --grpc-port $((24451 + off)) --pub-port $((24455 + off)) \
    --control-port $((24456 + off)) --metrics-port $((24490 + off)) --data-dir "$dir/leader"
  wait_for_port $((24451 + off))
  local i
  for i in 1 2; do
    start "follower-$i" follower "$flags" --host 127.0.0.1 --leader 127.0.0.1 --leader-pub-port $((24455 + off)) \
      --leader-control-port $((24456 + off)) --id "follower-$i" --data-dir "$dir/follower-$i" \
      --grpc-port $((24460 + i + off)) --metrics-port $((24490 + i + off))
  done
  start gateway http-gateway "$flags" --host 127.0.0.1 --port $((24480 + off)) --leader 127.0.0.1:$((24451 + off)) \
    --followers 127.0.0.1:$((24461 + off)),127.0.0.1:$((24462 + off))
  wait_for_port $((24480 + off))
  if [ "$request" = get ]; then store_keys; fi
  wrk_load "$warmup" >/dev/null
}

# measure LABEL SECONDS: loads the topology of $pids (ports $off higher) and prints one line.
measure() {
  local label=$1 seconds=$2
  local before=() after=() cs_before=() cs_after=() out p
  for p in "${pids[@]}"; do before+=("$(cpu_ticks "$p")"); cs_before+=("$(switches "$p")"); done
  [ -n "${PER_THREAD:-}" ] && switches_by_thread "${pids[0]}" >"$dir/threads.before"
  local batches_before batches_after
  batches_before=$(batches)
  out=$(wrk_load "$seconds")
  batches_after=$(batches)
  for p in "${pids[@]}"; do after+=("$(cpu_ticks "$p")"); cs_after+=("$(switches "$p")"); done
  [ -n "${PER_THREAD:-}" ] && switches_by_thread "${pids[0]}" >"$dir/threads.after"
  local requests rate p99
  requests=$(awk '/requests in/{print $1}' <<<"$out")
  rate=$(awk '/Requests\/sec/{printf "%d", $2}' <<<"$out")
  p99=$(awk '$1 == "99%"{print $2}' <<<"$out")
  # CPU per request in microseconds: ticks * (1e6 / tick) / requests.
  per() { echo $(( (after[$1] - before[$1]) * 1000000 / tick / requests )); }
  # Context switches per 100 requests.
  cs() { echo $(( (cs_after[$1] - cs_before[$1]) * 100 / requests )); }
  printf '%s\n  /%s %6s/s p99 %-8s CPU us/request: leader %4d, gateway %4d, followers %4d + %4d;' \
    "$label" "$request" "$rate" "$p99" "$(per 0)" "$(per 3)" "$(per 1)" "$(per 2)"
  printf ' context switches per 100 requests: leader %4d, gateway %4d, followers %4d + %4d;' \
    "$(cs 0)" "$(cs 3)" "$(cs 1)" "$(cs 2)"
  # Writes per committed batch over the measured run: how much group commit gathered.
  awk -v b="$batches_before" -v a="$batches_after" 'BEGIN {
    split(b, x, " "); split(a, y, " "); n = y[1] - x[1]
    if (n > 0) printf " %.2f writes per batch\n", (y[2] - x[2]) / n; else print ""
  }'
  if [ -n "${PER_THREAD:-}" ]; then
    echo "  the leader's context switches per 100 requests, by thread:"
    join -a 2 -e 0 -o 0,1.2,2.2 "$dir/threads.before" "$dir/threads.after" |
      awk -v r="$requests" '{d = ($3 - $2) * 100 / r; if (d >= 1) printf "    %-24s %5.0f\n", $1, d}'
  fi
}

down() { kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true; pids=(); }

median() { sort -n | awk '{a[NR] = $1} END {print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# slice_values FILE I F: field F of the second line measure printed for each slice of topology I
# ("/get RATE/s p99 P CPU us/request: leader L, gateway G, followers F1 + F2; ..."), as a number.
slice_values() {
  awk -v i="$2" -v f="$3" '$1 ~ /^\[/ {which = substr($1, 2)} $1 ~ /^\// && which == i {print $f + 0}' "$1"
}
# slice_medians FILE ARGS...: per argument, the medians of its slices' rate and CPU per request, and
# of its rate over the first argument's in the same slice.
slice_medians() {
  local file=$1 i; shift
  local args=("$@")
  echo "medians over the slices:"
  for i in "${!args[@]}"; do
    printf '  [%s] %s/s; CPU us/request: leader %s, gateway %s, followers %s + %s' "${args[$i]}" \
      "$(slice_values "$file" "$i" 2 | median)" "$(slice_values "$file" "$i" 8 | median)" \
      "$(slice_values "$file" "$i" 10 | median)" "$(slice_values "$file" "$i" 12 | median)" \
      "$(slice_values "$file" "$i" 14 | median)"
    if [ "$i" -gt 0 ]; then
      paste <(slice_values "$file" 0 2) <(slice_values "$file" "$i" 2) | awk '{print $2 / $1}' | median |
        awk '{printf "; rate %.3f times the first one'"'"'s", $1}'
    fi
    echo
  done
}

if [ -n "${SLICE:-}" ]; then
  args=("$@") all=()
  for i in "${!args[@]}"; do
    off=$((100 * i)); up "${args[$i]}"
    all+=("$off ${pids[*]} $dir")
  done
  for round in $(seq 1 "$rounds"); do
    for i in "${!all[@]}"; do
      read -r off p0 p1 p2 p3 dir <<<"${all[$i]}"; pids=("$p0" "$p1" "$p2" "$p3")
      measure "[$i ${args[$i]:-(no flags)}] slice $round" "$SLICE"
    done
  done | tee "$work/slices"
  slice_medians "$work/slices" "$@"
  exit 0
fi

off=0
for round in $(seq 1 "$rounds"); do
  echo "round $round"
  for flags in "$@"; do
    up "$flags"
    measure "[${tree}${flags:+ ${flags#*::}}]" 10
    down
  done
done
