#!/bin/bash
# Two kstall builds' programs, per run, under one workload, both attached
# at once: what a change costs or saves, by the kernel's BPF run-time
# statistics, in one run.
#
#   bench/builds.sh OLD NEW [ROUNDS] -- WORKLOAD...
#   e.g. bench/builds.sh /tmp/kstall-old ./kstall 2 -- \
#        taskset -c 1 stress-ng --mmapmany 1 -t 4
#
# Of two programs on one tracepoint, the one attached second runs about
# 15% cheaper (the first warms the caches: the same build twice gave
# 148-155 ns first and 124-131 ns second). So each round runs the
# workload twice, OLD attached first and then NEW first, and a program's
# ratio is the geometric mean of the two orders' new/old ratios; the
# median over ROUNDS (default 2) rounds is printed, with each order's ns
# per run. Programs that ran under 1,000 times are left out.
#
# kernel.bpf_stats_enabled is switched on for each workload run and
# restored on every exit. A build's programs are told apart from the
# other's by their ids: each watch's new programs, listed once it has
# attached. Root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 4 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
OLD=$1 NEW=$2
shift 2
ROUNDS=2
if [ "$1" != -- ]; then ROUNDS=$1; shift; fi
[ "$1" = -- ] || { echo "bench/builds.sh: -- before the workload" >&2; exit 2; }
shift
case $ROUNDS in '' | *[!0-9]* | 0) echo "bench/builds.sh: ROUNDS is a count, not '$ROUNDS'" >&2; exit 2 ;; esac
for k in "$OLD" "$NEW"; do [ -x "$k" ] || { echo "bench/builds.sh: $k is not an executable" >&2; exit 2; }; done
[ "$(id -u)" = 0 ] || { echo "bench/builds.sh: needs root (BPF, bpf_stats_enabled)" >&2; exit 1; }
command -v bpftool > /dev/null || ./tools/deps.sh bpftool
. bench/lib.sh
tmp=$(mktemp -d)
stats_was=$(cat /proc/sys/kernel/bpf_stats_enabled)
on_exit 'echo "$stats_was" > /proc/sys/kernel/bpf_stats_enabled; rm -rf "$tmp"'

# One workload run with FIRST's programs attached before SECOND's; the
# ns per run of each program into $tmp/ORDER.tsv (build, name, runs, ns).
measure() {
	local first=$1 second=$2 out=$3 a b
	shift 3
	bpftool -j prog show > "$tmp/base.json"
	"$first" watch --budget 0 --interval 2 --duration 600 > "$tmp/first.out" 2>&1 &
	a=$!
	started $a
	sleep 2.5
	bpftool -j prog show > "$tmp/firstset.json"
	"$second" watch --budget 0 --interval 2 --duration 600 > "$tmp/second.out" 2>&1 &
	b=$!
	started $b
	sleep 2.5
	echo 1 > /proc/sys/kernel/bpf_stats_enabled
	bpftool -j prog show > "$tmp/p0.json"
	"$@" > /dev/null 2>&1 || echo "bench/builds.sh: the workload exited with $?" >&2
	bpftool -j prog show > "$tmp/p1.json"
	echo "$stats_was" > /proc/sys/kernel/bpf_stats_enabled
	stop_started
	python3 - "$tmp" "$first" "$second" > "$out" <<'PY'
import json, sys
d, first, second = sys.argv[1:4]
load = lambda n: json.load(open(f"{d}/{n}.json"))
base = {p["id"] for p in load("base")}
firstset = {p["id"] for p in load("firstset")} - base
before = {p["id"]: p for p in load("p0")}
for p in load("p1"):
    if p["id"] in base or p["id"] not in before:
        continue
    runs = p.get("run_cnt", 0) - before[p["id"]].get("run_cnt", 0)
    ns = p.get("run_time_ns", 0) - before[p["id"]].get("run_time_ns", 0)
    if runs >= 1000:
        print("\t".join([first if p["id"] in firstset else second, p["name"], str(runs), f"{ns / runs:.1f}"]))
PY
}

for r in $(seq "$ROUNDS"); do
	measure "$OLD" "$NEW" "$tmp/r$r-oldfirst.tsv" "$@"
	measure "$NEW" "$OLD" "$tmp/r$r-newfirst.tsv" "$@"
done
python3 - "$tmp" "$OLD" "$NEW" "$ROUNDS" <<'PY'
import math, statistics, sys
d, old, new, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def read(path):
    t = {}
    for line in open(path):
        build, name, runs, ns = line.rstrip("\n").split("\t")
        t.setdefault(name, {})[build] = float(ns)
    return t
rows = {}
for r in range(1, rounds + 1):
    a, b = read(f"{d}/r{r}-oldfirst.tsv"), read(f"{d}/r{r}-newfirst.tsv")
    for name in set(a) & set(b):
        if all(k in a[name] and k in b[name] for k in (old, new)):
            g = math.sqrt(a[name][new] / a[name][old] * b[name][new] / b[name][old])
            rows.setdefault(name, []).append((g, a[name][old], b[name][old], a[name][new], b[name][new]))
print(f"{'program':22s} {'old ns (first / second)':>24s} {'new ns (second / first)':>24s} {'new/old':>8s}")
for name in sorted(rows):
    v = rows[name]
    med = statistics.median(x[0] for x in v)
    o = "; ".join(f"{x[1]:.0f} / {x[2]:.0f}" for x in v)
    n = "; ".join(f"{x[3]:.0f} / {x[4]:.0f}" for x in v)
    print(f"{name:22s} {o:>24s} {n:>24s} {med:8.2f}")
PY
