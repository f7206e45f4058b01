#!/bin/bash
# Seed 004, measured: kstall's dirty-throttling figures against a bpftrace
# one-liner on the same tracepoint (writeback:balance_dirty_pages), in the
# same run, and what each costs the writer.
#
#   bench/writeback-peers.sh [ROUNDS]     (default 3)
#
# A slow FUSE file system (tests/helpers/slowfs, 100 MB/s) is mounted here
# and unmounted on exit (trap); a writer (tests/helpers/mmapwriter) mmaps a
# 128 MB file on it and writes it 5 times. Per round:
#   agreement  kstall watch and bpftrace both attached: pauses counted and
#              planned pause time (the tracepoint's pause field), kstall's
#              measured throttled time against the writer's blocked time
#              (off CPU less its run-queue wait, from its schedstat)
#   overhead   the writer's wall time with nothing attached, with kstall
#              watch, and with the bpftrace one-liner
# Medians of ROUNDS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
make -s kstall build/tests/helpers/slowfs build/tests/helpers/mmapwriter
command -v bpftrace > /dev/null || ./tools/deps.sh bpftrace
. bench/lib.sh
tmp=$(mktemp -d)
mnt=$tmp/mnt
mkdir "$mnt"
# bpftrace and kstall are stopped first (on_exit), then the file system
# is unmounted, which ends slowfs (a started process too).
cleanup() {
	umount -l "$mnt" 2>/dev/null || true
	rm -rf "$tmp"
}
on_exit cleanup
build/tests/helpers/slowfs "$mnt" 100 600 2> /dev/null &
fspid=$!
started $fspid
for _ in $(seq 50); do mountpoint -q "$mnt" && break; sleep 0.1; done
W="build/tests/helpers/mmapwriter $mnt/f 128 5"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
cat > "$tmp/bdp.bt" <<'BT'
tracepoint:writeback:balance_dirty_pages /comm == "mmapwriter" && args->pause > 0/ { @n = count(); @ms = sum(args->pause); }
BT
# unshare and sh -c "... && exec" exec in turn: $! is bpftrace itself
bt_start() {
	unshare -m --propagation private sh -c "{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec bpftrace $tmp/bdp.bt" \
		> "$tmp/bt.out" 2>&1 &
	btpid=$!
	started $btpid
	sleep 4 # bpftrace attaches
}
bt_stop() { kill -INT "$btpid"; wait "$btpid" || true; reaped "$btpid"; }

for r in $(seq "$ROUNDS"); do
	$W | awk '{print $4}' >> "$tmp/none"
	./kstall watch --duration 6 --format json > "$tmp/k.json" & kp=$!
	started $kp
	sleep 1.5; $W | awk '{print $4}' >> "$tmp/kstall"; wait $kp; reaped $kp
	bt_start; $W | awk '{print $4}' >> "$tmp/bpftrace"; bt_stop
	# agreement: both attached to the same writer
	bt_start
	./kstall watch --duration 6 --format json > "$tmp/k.json" & kp=$!
	started $kp
	sleep 1.5; $W > "$tmp/w.out"; wait $kp; reaped $kp; bt_stop
	python3 - "$tmp/k.json" "$tmp/bt.out" "$tmp/w.out" >> "$tmp/agree" <<'P'
import json, re, sys
d = json.load(open(sys.argv[1])); bt = open(sys.argv[2]).read(); w = open(sys.argv[3]).read().split()
pid, off, runq = int(w[1]), float(w[7]), float(w[9])
f = [x for x in d["findings"] if x["id"] == "writeback.throttle" and any(s.get("pid") == pid for s in x["subjects"])][0]
ev = {e["name"]: e["value"] for e in f["evidence"]}
n = int(re.search(r"@n: (\d+)", bt).group(1)); ms = int(re.search(r"@ms: (\d+)", bt).group(1))
print(ev["pauses"], n, ev["pause_planned_total"] * 1000, ms, ev["throttled_total"], off - runq if runq >= 0 else off)
P
done
echo "writer wall time (s), median of $ROUNDS: none $(median < "$tmp/none"), kstall $(median < "$tmp/kstall"), bpftrace $(median < "$tmp/bpftrace")"
awk -v n="$(median < "$tmp/none")" -v k="$(median < "$tmp/kstall")" -v b="$(median < "$tmp/bpftrace")" \
	'BEGIN {printf "ratios to none: kstall %.3f, bpftrace %.3f\n", k / n, b / n}'
echo "per round: kstall pauses, bpftrace pauses, kstall planned ms, bpftrace planned ms, kstall throttled s, writer blocked s"
cat "$tmp/agree"
awk '{p += $1 / $2; m += $3 / $4; t += $5 / $6} END {printf "mean ratios kstall/bpftrace: pauses %.3f, planned %.3f; kstall throttled / writer blocked %.3f\n", p / NR, m / NR, t / NR}' "$tmp/agree"
