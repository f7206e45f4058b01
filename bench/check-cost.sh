#!/bin/bash
# What does `kstall check` cost, compared with simply reading the same
# files with cat? Run as root on the host to measure (not in CI).
#
#   bench/check-cost.sh [RUNS] [NPROC]
#
# NPROC (default 0): extra sleeping processes present meanwhile
# (tests/helpers/sleepers, stopped by PID on exit); kernel.pid_max must
# leave room for them (bench/run raises it for the run, and restores it).
# The last line is for bench/run (medians, and the runs' min and max):
#   check-cost nproc=N extra=NPROC cat_cpu_s=.. kstall_cpu_s=.. ratio=.. rss_kb=..
#     runs=.. cat_cpu_min_s=.. cat_cpu_max_s=.. kstall_cpu_min_s=.. kstall_cpu_max_s=..
#
# 1. `kstall snapshot` records exactly which files check reads (both
#    samples); the same list is then read with cat, twice for the files
#    that check samples twice.
# 2. Each is run RUNS times (default 30); medians are reported. kstall's
#    wall time includes its 0.05 s --interval, which overlaps the reading
#    of the first sample, so CPU time is the fair comparison.
# CPU is perf's task-clock, wall its duration_time; peak memory is GNU
# time's maximum RSS. cat reads the list through xargs: with tens of
# thousands of processes it is longer than one command line may be.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
NPROC=${2:-0}
K=./kstall
TIME=/usr/bin/time
[ -x "$K" ] || make -s kstall
[ "$NPROC" -eq 0 ] || [ -x build/tests/helpers/sleepers ] || make -s build/tests/helpers/sleepers
[ -x "$TIME" ] || ./tools/deps.sh time
command -v perf >/dev/null || ./tools/deps.sh linux-perf
. bench/lib.sh
tmp=$(mktemp -d)
# A glob, not ls: a process that exits between the glob and ls would make
# ls fail, and pipefail the script.
nprocs() { local p=(/proc/[0-9]*); echo ${#p[@]}; }
on_exit 'rm -rf "$tmp"'

if [ "$NPROC" -gt 0 ]; then
	room=$(( $(cat /proc/sys/kernel/pid_max) - $(nprocs) - 1000 ))
	[ "$NPROC" -le "$room" ] || {
		echo "check-cost: $NPROC more processes do not fit under kernel.pid_max ($(cat /proc/sys/kernel/pid_max)); raise it" >&2
		exit 1
	}
	build/tests/helpers/sleepers "$NPROC" > "$tmp/sleepers" &
	sp=$!
	started $sp
	for _ in $(seq 1200); do grep -q ready "$tmp/sleepers" && break; kill -0 $sp 2>/dev/null || break; sleep 0.1; done
	grep -q ready "$tmp/sleepers" || { echo "check-cost: sleepers did not start $NPROC processes" >&2; exit 1; }
fi

$K snapshot -o "$tmp/snap" --interval 0.05 >/dev/null 2>&1
( cd "$tmp/snap" && find . -type f ! -path './kstall/*' | sed 's|^\.||' ) > "$tmp/files1"
( cd "$tmp/snap/kstall/sample0" 2>/dev/null && find . -type f | sed 's|^\.||' ) > "$tmp/files0" || true
nfiles=$(( $(wc -l < "$tmp/files1") + $(wc -l < "$tmp/files0") ))

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# perf stat: task-clock (ms of CPU) and duration_time (ns of wall)
measure() {
	perf stat -x, -e task-clock,duration_time -o "$tmp/p" -- "$@" >/dev/null 2>&1 || true
	awk -F, '/task-clock/ {c=$1} /duration_time/ {w=$1} END {printf "%f %f\n", w/1e9, c/1e3}' "$tmp/p"
}
for i in $(seq "$RUNS"); do
	measure sh -c "cat $tmp/files0 $tmp/files1 | xargs cat >/dev/null 2>&1" >> "$tmp/cat"
	measure $K check --interval 0.05 --format json >> "$tmp/kstall"
	$TIME -f '%M' -o "$tmp/t" $K check --interval 0.05 --format json >/dev/null
	cat "$tmp/t" >> "$tmp/rss"
done

cat_wall=$(awk '{print $1}' "$tmp/cat" | median)
cat_cpu=$(awk '{print $2}' "$tmp/cat" | median)
k_wall=$(awk '{print $1}' "$tmp/kstall" | median)
k_cpu=$(awk '{print $2}' "$tmp/kstall" | median)
k_rss=$(sort -n "$tmp/rss" | tail -1)
nproc=$(nprocs)

printf 'kstall check cost on %s (%s CPUs, %s processes), %s runs, medians\n' \
	"$(uname -r)" "$(nproc)" "$nproc" "$RUNS"
printf '  files read per check (both samples): %s\n' "$nfiles"
printf '  %-28s wall %7.4f s   cpu %7.4f s\n' "cat of the same files" "$cat_wall" "$cat_cpu"
printf '  %-28s wall %7.4f s   cpu %7.4f s   (wall includes the interval)\n' "kstall check --interval 0.05" "$k_wall" "$k_cpu"
awk -v a="$k_wall" -v b="$cat_wall" -v c="$k_cpu" -v d="$cat_cpu" 'BEGIN {
	printf "  ratio kstall/cat, CPU time: %.2fx\n", c / d }'
printf '  kstall peak RSS: %s kB\n' "$k_rss"
range() { awk '{print $2}' "$1" | sort -g | awk 'NR == 1 {a = $1} {b = $1} END {printf "%.6f %.6f\n", a, b}'; }
read -r cat_min cat_max < <(range "$tmp/cat")
read -r k_min k_max < <(range "$tmp/kstall")
awk -v n="$nproc" -v x="$NPROC" -v c="$cat_cpu" -v k="$k_cpu" -v r="$k_rss" -v runs="$RUNS" \
	-v c0="$cat_min" -v c1="$cat_max" -v k0="$k_min" -v k1="$k_max" 'BEGIN {
	printf "check-cost nproc=%d extra=%d cat_cpu_s=%.6f kstall_cpu_s=%.6f ratio=%.3f rss_kb=%d", n, x, c, k, k / c, r
	printf " runs=%d cat_cpu_min_s=%s cat_cpu_max_s=%s kstall_cpu_min_s=%s kstall_cpu_max_s=%s\n", runs, c0, c1, k0, k1 }'
