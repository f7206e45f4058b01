#!/bin/bash
# What the irqs-off and slabinfo programs cost, per run, from the kernel's
# BPF run-time statistics:
#   timer_expire   every hard hrtimer expiry on the host (irq.irqs_off)
#   path_tp_exit   every open/stat-family syscall exit; successful opens
#                  now also compare their path with /proc/slabinfo
#                  (irq.slabinfo_reader)
# Workloads, while kstall watch runs SECONDS: N successful opens of a small
# file (each compared with /proc/slabinfo), then N failed stats (no
# compare), timed with and without kstall; ratios of the two loops'
# wall times and ns per program run.
#
#   bench/irq-prog-cost.sh [SECONDS] [N]     (default 8 s, 200000)
#   KSTALL=/path/to/other/kstall bench/irq-prog-cost.sh   (compare a build)
#
# kernel.bpf_stats_enabled is switched on for the run and restored on
# exit (trap), even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-8}
N=${2:-200000}
KSTALL=${KSTALL:-./kstall}
[ "$KSTALL" != ./kstall ] || make -s kstall
command -v bpftool > /dev/null || ./tools/deps.sh bpftool
old=$(cat /proc/sys/kernel/bpf_stats_enabled)
. bench/lib.sh
tmp=$(mktemp -d)
cleanup() { echo "$old" > /proc/sys/kernel/bpf_stats_enabled; rm -rf "$tmp"; }
on_exit cleanup

cat > "$tmp/loop.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv)
{
	long n = atol(argv[1]);
	struct stat st;
	double t0 = now();
	for (long i = 0; i < n; i++) { int fd = open("/etc/hostname", O_RDONLY); if (fd >= 0) close(fd); }
	double t1 = now();
	for (long i = 0; i < n; i++) stat("/nonexistent/kstall-bench", &st);
	double t2 = now();
	printf("%.1f %.1f\n", (t1 - t0) / n * 1e9, (t2 - t1) / n * 1e9);
	return 0;
}
C
cc -O2 -o "$tmp/loop" "$tmp/loop.c"

echo 1 > /proc/sys/kernel/bpf_stats_enabled
read -r open0 stat0 < <(taskset -c 1 "$tmp/loop" "$N")
"$KSTALL" watch --duration "$SECS" --format json > "$tmp/w.json" &
kp=$!
started $kp
sleep 1.5
read -r open1 stat1 < <(taskset -c 1 "$tmp/loop" "$N")
bpftool -j prog show > "$tmp/progs.json"
wait $kp; reaped $kp
python3 - "$tmp/progs.json" "$open0" "$open1" "$stat0" "$stat1" <<'P'
import json, sys
progs = json.load(open(sys.argv[1]))
o0, o1, s0, s1 = map(float, sys.argv[2:])
print(f"open+close: {o0:.0f} ns without kstall, {o1:.0f} ns with ({o1 / o0:.3f}x)")
print(f"failed stat: {s0:.0f} ns without kstall, {s1:.0f} ns with ({s1 / s0:.3f}x)")
for p in progs:
    if p.get("name") in ("timer_expire", "path_tp_exit", "path_tp_enter") and p.get("run_cnt"):
        print(f"{p['name']}: {p['run_cnt']} runs, {p['run_time_ns'] / p['run_cnt']:.0f} ns per run")
P
