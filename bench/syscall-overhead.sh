#!/bin/bash
# What kstall watch costs every syscall on the host. It hooks the raw
# sys_enter/sys_exit tracepoints (for failed path lookups), so every
# syscall runs its two programs, and the kernel takes the syscall slow path
# while anything is attached there.
#
#   bench/syscall-overhead.sh [ROUNDS]     (default 5)
#
# perf bench syscall basic (getppid in a loop, pinned to CPU 1) with nothing
# attached and with kstall watch running (pinned to CPU 0); medians.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
make -s kstall
command -v perf >/dev/null || ./tools/deps.sh linux-perf
. bench/lib.sh
on_exit 'rm -f /tmp/kstall-so.none /tmp/kstall-so.kstall'
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ops() { taskset -c 1 perf bench syscall basic -l 5000000 2>/dev/null | awk '/ops\/sec/ {print $1}'; }
: > /tmp/kstall-so.none; : > /tmp/kstall-so.kstall
for r in $(seq "$ROUNDS"); do
	ops >> /tmp/kstall-so.none
	taskset -c 0 ./kstall watch --duration 60 --interval 5 > /dev/null &
	kp=$!
	started $kp
	sleep 1.5
	ops >> /tmp/kstall-so.kstall
	kill -INT $kp; wait $kp || true; reaped $kp
done
n=$(median < /tmp/kstall-so.none); k=$(median < /tmp/kstall-so.kstall)
rm -f /tmp/kstall-so.none /tmp/kstall-so.kstall
awk -v n="$n" -v k="$k" 'BEGIN {
	printf "getppid loop, medians of rounds\n"
	printf "  nothing attached  %10.0f syscalls/s  %6.0f ns each\n", n, 1e9 / n
	printf "  kstall watch      %10.0f syscalls/s  %6.0f ns each\n", k, 1e9 / k
	printf "  kstall adds %.0f ns per syscall (throughput ratio %.2f)\n", 1e9 / k - 1e9 / n, k / n }'
