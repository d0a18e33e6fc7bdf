#!/usr/bin/env bash
# The leader's CPU per operation under one JVM setting or another, in interleaved rounds:
#   kv-compare/scripts/leader-cpu-per-op.sh ROUNDS "FLAGS A" "FLAGS B" ...
# e.g. leader-cpu-per-op.sh 3 "-XX:+UseG1GC" "-XX:+UseParallelGC" "-XX:+UseSerialGC"
# (JAVA=/path/to/java picks another JDK). Each run starts a leader alone (-Xmx512m plus the flags,
# on 127.0.0.1, ports 24351-24400, a temp data dir), runs `kv bench --workload update --keys 10000
# --ops 60000 --clients 32 --value-bytes 100` against it, and prints the leader's user+system CPU
# over the whole bench (its 10,000 stored keys included), the bench's rate, and the leader's young
# GC pauses (median and maximum, from -Xlog:gc). Used for docs/PERFORMANCE.md, "JVM settings".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=$1; shift
java=${JAVA:-java}
tick=$(getconf CLK_TCK)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

one_run() {
  local flags=$1 dir; dir=$(mktemp -d "$work/run.XXXX")
  # shellcheck disable=SC2086
  "$java" -Xmx512m $flags -Xlog:gc:file="$dir/gc.log" -jar "$root/kv-leader/target/kv-leader.jar" \
    --host 127.0.0.1 --grpc-port 24351 --pub-port 24355 --control-port 24356 --metrics-port 24400 \
    --data-dir "$dir/data" >"$dir/leader.log" 2>&1 &
  local pid=$! i
  for i in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/24351) 2>/dev/null && break; sleep 0.05; done
  local before after rate pauses
  before=$(cpu_ticks "$pid")
  rate=$("$java" -Xmx512m -jar "$root/kv-cli/target/kv-cli.jar" --leader 127.0.0.1:24351 bench --workload update \
    --keys 10000 --ops 60000 --clients 32 --value-bytes 100 2>&1 | awk '/^all /{print $3}')
  after=$(cpu_ticks "$pid")
  kill -TERM "$pid"; wait "$pid" || true
  pauses=$(grep -oE 'Pause Young.* [0-9.]+ms$' "$dir/gc.log" | awk '{print $NF}' | tr -d 'ms' | sort -n |
    awk '{a[NR] = $1} END {if (NR) printf "young GCs %d, median %.1f ms, max %.1f ms", NR, a[int((NR + 1) / 2)], a[NR]}')
  printf '%-28s leader CPU %6d ms  bench %6s ops/s  %s\n' "[$flags]" $(( (after - before) * 1000 / tick )) "$rate" "$pauses"
}

for round in $(seq 1 "$rounds"); do
  echo "round $round"
  for flags in "$@"; do one_run "$flags"; done
done
