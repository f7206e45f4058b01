#!/bin/bash
# What does `kstall check` cost, compared with simply reading the same
# files with cat? Run as root on the host to measure (not in CI).
#
#   bench/check-cost.sh [RUNS] [NPROC]
#
# 0. With NPROC (default 0), NPROC extra idle processes are started
#    first (tests/helpers/sleepers) and stopped on every exit. If
#    kernel.pid_max leaves no room for them it is raised for the run and
#    restored on every exit; kernel.threads-max is only checked.
# 1. `kstall snapshot` records exactly which files check reads (both
#    samples); the same list is then read with cat, twice for the files
#    that check samples twice.
# 2. Each is run RUNS times (default 30), interleaved; medians are
#    reported. kstall's wall time includes its 0.05 s --interval, which
#    overlaps the reading of the first sample, so CPU time is the fair
#    comparison.
# CPU is perf's task-clock (children included: cat's xargs too), wall
# its duration_time; peak memory is GNU time's maximum RSS (the largest
# over the runs). The last line is for scripts (bench/run):
#   check-cost nproc=N cat_cpu_s=.. kstall_cpu_s=.. ratio=.. rss_kb=..
#     cat_cpu_min_s=.. cat_cpu_max_s=.. kstall_cpu_min_s=.. kstall_cpu_max_s=..
# where nproc is the number of extra processes asked for, and min and max
# are over the runs (bench/run's spread rule).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${1:-30}
NPROC=${2:-0}
K=./kstall
SLEEPERS=build/tests/helpers/sleepers
TIME=/usr/bin/time
case "$RUNS$NPROC" in *[!0-9]*) echo "usage: $0 [RUNS] [NPROC]" >&2; exit 2 ;; esac
[ -x "$K" ] || make -s kstall
[ -x "$SLEEPERS" ] || make -s "$SLEEPERS"
[ -x "$TIME" ] || ./tools/deps.sh time
command -v perf >/dev/null || ./tools/deps.sh linux-perf
tmp=$(mktemp -d)
# Globs, not ls | wc -l: a task that exits between the glob and ls makes
# ls fail, and pipefail the script (bench/run's smoke run ended there,
# 3,000 sleepers being reaped beside it).
count() { echo $#; }
pid_max_was=""
restore() {
	[ -z "$pid_max_was" ] || echo "$pid_max_was" > /proc/sys/kernel/pid_max
	rm -rf "$tmp"
}
on_exit restore

# Room for NPROC more: pid_max bounds the pids, threads-max the tasks.
if [ "$NPROC" -gt 0 ]; then
	ntasks=$(count /proc/[0-9]*/task/[0-9]*)
	need=$(( ntasks + NPROC + 4096 ))
	if [ "$need" -gt "$(cat /proc/sys/kernel/threads-max)" ]; then
		echo "kernel.threads-max is $(cat /proc/sys/kernel/threads-max): too low for $NPROC more" >&2
		exit 1
	fi
	cur=$(cat /proc/sys/kernel/pid_max)
	if [ "$need" -gt "$cur" ]; then
		pid_max_was=$cur
		echo "$need" > /proc/sys/kernel/pid_max
	fi
	"$SLEEPERS" "$NPROC" 3600 > "$tmp/sleepers" &
	started $!
	until grep -q '^ready' "$tmp/sleepers" 2>/dev/null; do
		kill -0 $! 2>/dev/null || { echo "sleepers could not start $NPROC processes" >&2; exit 1; }
		sleep 0.2
	done
fi

$K snapshot -o "$tmp/snap" --interval 0.05 >/dev/null 2>&1
( cd "$tmp/snap" && find . -type f ! -path './kstall/*' | sed 's|^\.||' ) > "$tmp/files1"
( cd "$tmp/snap/kstall/sample0" 2>/dev/null && find . -type f | sed 's|^\.||' ) > "$tmp/files0" || true
cat "$tmp/files0" "$tmp/files1" > "$tmp/files"
nfiles=$(wc -l < "$tmp/files")

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# perf stat: task-clock (ms of CPU) and duration_time (ns of wall)
measure() {
	perf stat -x, -e task-clock,duration_time -o "$tmp/p" -- "$@" >/dev/null 2>&1 || true
	awk -F, '/task-clock/ {c=$1} /duration_time/ {w=$1} END {printf "%f %f\n", w/1e9, c/1e3}' "$tmp/p"
}
# xargs: tens of thousands of paths do not fit one command line.
for i in $(seq "$RUNS"); do
	measure sh -c "xargs -d '\n' cat < $tmp/files >/dev/null 2>&1" >> "$tmp/cat"
	measure $K check --interval 0.05 --format json >> "$tmp/kstall"
	$TIME -f '%M' -o "$tmp/t" $K check --interval 0.05 --format json >/dev/null
	cat "$tmp/t" >> "$tmp/rss"
done

cat_wall=$(awk '{print $1}' "$tmp/cat" | median)
cat_cpu=$(awk '{print $2}' "$tmp/cat" | median)
k_wall=$(awk '{print $1}' "$tmp/kstall" | median)
k_cpu=$(awk '{print $2}' "$tmp/kstall" | median)
k_rss=$(sort -n "$tmp/rss" | tail -1)
nprocs=$(count /proc/[0-9]*)
ratio=$(awk -v c="$k_cpu" -v d="$cat_cpu" 'BEGIN { printf "%.2f", c / d }')

printf 'kstall check cost on %s (%s CPUs, %s processes, %s of them extra), %s runs, medians\n' \
	"$(uname -r)" "$(nproc)" "$nprocs" "$NPROC" "$RUNS"
printf '  files read per check (both samples): %s\n' "$nfiles"
printf '  %-28s wall %7.4f s   cpu %7.4f s\n' "cat of the same files" "$cat_wall" "$cat_cpu"
printf '  %-28s wall %7.4f s   cpu %7.4f s   (wall includes the interval)\n' "kstall check --interval 0.05" "$k_wall" "$k_cpu"
printf '  ratio kstall/cat, CPU time: %sx\n' "$ratio"
printf '  kstall peak RSS: %s kB\n' "$k_rss"
range() { awk '{print $2}' "$1" | sort -g | awk 'NR == 1 {a = $1} {b = $1} END {printf "%.4f %.4f\n", a, b}'; }
read -r cat_min cat_max < <(range "$tmp/cat")
read -r k_min k_max < <(range "$tmp/kstall")
printf 'check-cost nproc=%s cat_cpu_s=%.4f kstall_cpu_s=%.4f ratio=%s rss_kb=%s' \
	"$NPROC" "$cat_cpu" "$k_cpu" "$ratio" "$k_rss"
printf ' cat_cpu_min_s=%s cat_cpu_max_s=%s kstall_cpu_min_s=%s kstall_cpu_max_s=%s\n' \
	"$cat_min" "$cat_max" "$k_min" "$k_max"
