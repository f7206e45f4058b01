#!/bin/bash
# How long does a read of /proc/PID/cmdline block while PID forks?
# (seed 000: fork() holds mmap_lock for writing while it copies the page
# tables; cmdline, maps, smaps and environ reads wait for it.) This sets
# kstall's --deadline-ms default.
#
#   bench/proc-read-block.sh [SIZE_MB ...]     (default: 1024 4096 8192)
#
# For each size: a process touches SIZE_MB of 4 KB pages and forks every
# 300 ms for 8 s, while another reads its cmdline in a loop for 6 s.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/tests/helpers/bigfork build/tests/helpers/readlat
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1024 4096 8192)
. bench/lib.sh
out=$(mktemp)
on_exit 'rm -f "$out"'
printf '%8s  %10s  %12s  %12s  %10s\n' size_mb fork_max_ms read_max_ms read_p99_ms read_p50_ms
for mb in "${sizes[@]}"; do
	build/tests/helpers/bigfork "$mb" 300 8 > "$out" &
	bf=$!
	started $bf
	for _ in $(seq 600); do grep -q ready "$out" && break; sleep 0.1; done
	pid=$(awk '/ready/ {print $2}' "$out")
	r=$(build/tests/helpers/readlat "/proc/$pid/cmdline" 6)
	wait "$bf"; reaped "$bf"
	f=$(awk '/forks/ {print $4}' "$out")
	echo "$r" | awk -v mb="$mb" -v f="$f" '{printf "%8s  %10s  %12s  %12s  %10s\n", mb, f, $4, $6, $8}'
done
