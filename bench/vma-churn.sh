#!/bin/bash
# Seed 001, measured: what mmap churn costs per operation on this kernel,
# with and without a fragmented address space; what kstall's tracing of it
# costs against its peers doing the same count, in one run, and how their
# counts agree with the program's own; and what reading a 65,000-region
# process's maps adds to `kstall check`.
#
#   bench/vma-churn.sh [SECONDS] [ROUNDS]      (default 3 s, 3 rounds)
#
# The workload (tests/helpers/vmachurn) runs pinned to CPU 1, tools pinned
# to CPU 0. Part 1, per iteration:
#   churn   malloc(512 KiB), write 2 pages, free: with glibc's threshold
#           fixed, a 516 KiB mmap, 2 faults and a munmap
#   reuse   the same writes into one buffer allocated once
# each with 0 and with 9,000 / 60,000 one-page regions and holes.
# Part 2, churn with 9,000 regions, under:
#   none      nothing attached
#   kstall    kstall watch (all its programs)
#   bpftrace  count mmap and munmap by (comm, len): the peer doing kstall's
#             pair count (no latency, no searches)
#   perf      perf stat counting the two syscall tracepoints (no sizes)
# Peers need tracefs, which this host does not mount: they run in a private
# mount namespace (unshare -m), so nothing changes on the host.
# Part 3: wall time of `kstall check` with and without a 65,000-region
# process present, against `cat` of that process's maps. Medians of ROUNDS.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-3}
ROUNDS=${2:-3}
make -s kstall build/tests/helpers/vmachurn
command -v bpftrace >/dev/null && command -v perf >/dev/null || ./tools/deps.sh bpftrace linux-perf
. bench/lib.sh
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
V=build/tests/helpers/vmachurn

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ns_of() { awk '/iterations/ {print $6}' "$1"; }
iters_of() { awk '/iterations/ {print $2}' "$1"; }

printf 'mmap churn, %s s x %s rounds, kernel %s, glibc %s\n\n' "$SECS" "$ROUNDS" "$(uname -r)" \
	"$(ldd --version | awk 'NR==1 {print $NF}')"
printf 'part 1: cost per iteration (ns), nothing attached\n'
printf '%-8s %10s %10s %10s\n' mode "0 regions" "9000" "60000"
declare -A cost
for mode in churn reuse; do
	row=""
	for f in 0 9000 60000; do
		: > "$tmp/r"
		for r in $(seq "$ROUNDS"); do
			taskset -c 1 $V -f $f -m $mode -t "$SECS" > "$tmp/o"
			ns_of "$tmp/o" >> "$tmp/r"
		done
		cost[$mode,$f]=$(median < "$tmp/r")
		row+=$(printf ' %10.1f' "${cost[$mode,$f]}")
	done
	printf '%-8s%s\n' $mode "$row"
done
awk -v c0="${cost[churn,0]}" -v c9="${cost[churn,9000]}" -v c6="${cost[churn,60000]}" -v r0="${cost[reuse,0]}" \
	'BEGIN { printf "churn / reuse: %.0fx; churn with 9000 regions / without: %.2f; with 60000: %.2f\n\n",
	         c0 / r0, c9 / c0, c6 / c0 }'

printf 'part 2: churn with 9000 regions under each tool\n'
printf '%-9s %12s %9s %14s %14s\n' mode "ns/iter" "vs none" "tool pairs" "program iters"
base=""
for mode in none kstall bpftrace perf; do
	: > "$tmp/rates"; : > "$tmp/counts"; : > "$tmp/truth"
	for r in $(seq "$ROUNDS"); do
		pid=""
		case $mode in
		kstall)
			taskset -c 0 ./kstall watch --duration 999 --interval 1 --format json > "$tmp/k.json" &
			pid=$!; sleep 1.5 ;;
		bpftrace)
			taskset -c 0 unshare -m sh -c "{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec bpftrace -q -e \
				'tracepoint:syscalls:sys_enter_mmap { @m[comm, args->len] = count(); }
				 tracepoint:syscalls:sys_enter_munmap { @u[comm, args->len] = count(); }'" > "$tmp/b.out" &
			pid=$!; sleep 3 ;;
		perf)
			taskset -c 0 unshare -m sh -c "{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec perf stat -a -x, \
				-e syscalls:sys_enter_mmap -e syscalls:sys_enter_munmap" 2> "$tmp/p.out" &
			pid=$!; sleep 2 ;;
		esac
		[ -z "$pid" ] || started $pid
		taskset -c 1 $V -f 9000 -m churn -t "$SECS" > "$tmp/o"
		count=0
		case $mode in
		kstall)
			kill -INT $pid; wait $pid || true; reaped $pid
			count=$(python3 -c "import json; d=json.load(open('$tmp/k.json'))
f=[f for f in d['findings'] if f['id']=='vma.mmap_churn' and f['subjects'][0]['comm']=='vmachurn']
import sys
if not f: sys.stderr.write('kstall raised no vma.mmap_churn for vmachurn; skipped: %s\n' % d['skipped'])
print(int([e['value'] for e in f[0]['evidence'] if e['name']=='pattern_pairs'][0]) if f else 0)") ;;
		bpftrace)
			kill -INT $pid; wait $pid || true; reaped $pid
			count=$(awk '/@m\[vmachurn, 528384\]/ {print $NF}' "$tmp/b.out") ;;
		perf)
			# taskset, unshare and sh -c "... && exec" exec in turn:
			# $pid is perf stat itself, which prints its counts on SIGINT
			kill -INT $pid; wait $pid || true; reaped $pid
			count=$(awk -F, '/sys_enter_munmap/ {print $1}' "$tmp/p.out") ;;
		esac
		ns_of "$tmp/o" >> "$tmp/rates"; echo "${count:-0}" >> "$tmp/counts"; iters_of "$tmp/o" >> "$tmp/truth"
	done
	rate=$(median < "$tmp/rates"); count=$(median < "$tmp/counts"); truth=$(median < "$tmp/truth")
	[ -z "$base" ] && base=$rate
	printf '%-9s %12.1f %8.2fx %14s %14s\n' $mode "$rate" "$(awk -v a="$rate" -v b="$base" 'BEGIN {print a / b}')" \
		"$([ $mode = none ] && echo - || echo "$count")" "$truth"
done
printf '(perf counts every munmap on the host, not per process or size)\n\n'

printf 'part 3: a 65,000-region process and kstall check (ms, wall)\n'
checktime() { /usr/bin/time -f %e ./kstall check --interval 0.05 > /dev/null 2>> "$tmp/t" || true; tail -1 "$tmp/t"; }
: > "$tmp/t"; : > "$tmp/a"
for r in $(seq 5); do checktime >> "$tmp/a"; done
$V -f 65000 -m reuse -n 1 -l 600 > "$tmp/h" &
holder=$!
started $holder
for i in $(seq 50); do grep -q ready "$tmp/h" 2>/dev/null && break; sleep 0.1; done
nv=$(wc -l < /proc/$holder/maps)
: > "$tmp/b"; : > "$tmp/c"
for r in $(seq 5); do checktime >> "$tmp/b"; done
for r in $(seq 5); do /usr/bin/time -f %e cat /proc/$holder/maps > /dev/null 2>> "$tmp/c"; done
kill $holder; wait $holder || true; reaped $holder
without=$(median < "$tmp/a"); with=$(median < "$tmp/b"); cat_s=$(median < "$tmp/c")
awk -v a="$without" -v b="$with" -v c="$cat_s" -v n="$nv" 'BEGIN {
	printf "regions %d: check without it %.0f ms, with it %.0f ms (+%.0f ms); cat of its maps %.0f ms\n",
	       n, a * 1000, b * 1000, (b - a) * 1000, c * 1000 }'
