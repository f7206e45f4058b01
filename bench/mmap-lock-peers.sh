#!/bin/bash
# Seed 000, measured: what kstall and its peers show of one mmap_lock stall
# caused by a fork, all attached to the same run, and what kstall costs
# the server's request throughput.
#
#   bench/mmap-lock-peers.sh [ROUNDS]     (default 3)
#
# The workload is tests/helpers/forkstall: 4 GB of 4 KB pages, an accept()
# thread that faults in copy_to_user, a thread that fork()+execs every
# 300 ms, a loopback client.
#   part 1  one run with kstall watch, perf lock record (then perf lock
#           contention), libbpf-tools offcputime and wakeuptime (minimum
#           block 10 ms), and a bpftrace script on the mmap_lock
#           tracepoints; an excerpt of each, to see which names the holder
#           and what it was doing
#   part 2  the client back to back (-r) for 3 s: requests with nothing
#           attached and with kstall watch; medians of ROUNDS
# Tools that need tracefs get a private mount of it (unshare): nothing on
# the host changes.
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
make -s kstall build/tests/helpers/forkstall
[ -x /usr/sbin/offcputime ] || ./tools/deps.sh libbpf-tools
command -v bpftrace > /dev/null || ./tools/deps.sh bpftrace
command -v perf > /dev/null || ./tools/deps.sh linux-perf
. bench/lib.sh
tmp=$(mktemp -d)
on_exit '[ -n "${KEEP:-}" ] || rm -rf "$tmp"'
F=build/tests/helpers/forkstall
tfs() { unshare -m --propagation private sh -c "{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec $*"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

cat > "$tmp/ml.bt" <<'BT'
tracepoint:mmap_lock:mmap_lock_start_locking { @s[tid] = nsecs; }
tracepoint:mmap_lock:mmap_lock_acquire_returned /@s[tid]/ { @wait_max_us[comm, args->write] = max((nsecs - @s[tid]) / 1000); delete(@s[tid]); }
tracepoint:mmap_lock:mmap_lock_acquire_returned /args->write && args->success/ { @h[tid] = nsecs; }
tracepoint:mmap_lock:mmap_lock_released /args->write && @h[tid]/ { @hold_max_us[comm] = max((nsecs - @h[tid]) / 1000); delete(@h[tid]); }
BT

echo "== part 1: one run, every tool attached"
# tfs execs (unshare, sh -c "... && exec"): $! is the tool itself
tfs bpftrace "$tmp/ml.bt" > "$tmp/bt.out" 2>&1 &
bt=$!
tfs perf lock record -a -o "$tmp/perf.data" -- sleep 22 > "$tmp/perf.rec" 2>&1 &
pr=$!
/usr/sbin/offcputime -m 10000 --stack-storage-size=65536 22 > "$tmp/offcpu.out" 2>&1 &
oc=$!
/usr/sbin/wakeuptime -m 10000 22 > "$tmp/wakeup.out" 2>&1 &
wk=$!
started $bt $pr $oc $wk
sleep 4
./kstall watch --duration 17 > "$tmp/kstall.out" 2>&1 &
kp=$!
started $kp
sleep 1
$F -m 4096 -s fork -i 300 -t 4 | tee "$tmp/f.out"
wait $kp; reaped $kp
sleep 2
kill -INT $bt 2>/dev/null || true
wait $bt $pr $oc $wk || true
reaped $bt $pr $oc $wk
echo "-- kstall"
grep -B1 -A5 -E "^ +mmap_lock\.(contention|fork_stall)$" "$tmp/kstall.out" | head -16
echo "-- perf lock contention (top 5)"
perf lock contention -i "$tmp/perf.data" 2>&1 | head -7
echo "-- offcputime: ET_NET 0's blocked stacks (the longest first)"
awk 'BEGIN {RS = ""} /- +ET_NET 0 / {print $0 "\n"}' "$tmp/offcpu.out" | head -24
echo "-- wakeuptime: who woke ET_NET 0"
awk 'BEGIN {RS = ""} /target: +ET_NET 0/ {print $0 "\n"}' "$tmp/wakeup.out" | head -24
echo "-- bpftrace on the mmap_lock tracepoints"
grep -E "ET_NET 0|plugin|forkstall" "$tmp/bt.out" | head -8

[ -z "${PART1_ONLY:-}" ] || exit 0
echo "== part 2: throughput, client back to back for 3 s (1 GB process)"
for r in $(seq "$ROUNDS"); do
	$F -m 1024 -s fork -i 300 -t 3 -r | awk '/client/ {print $3}' >> "$tmp/none"
	./kstall watch --duration 8 > /dev/null 2>&1 & kp=$!
	started $kp
	sleep 1.5
	$F -m 1024 -s fork -i 300 -t 3 -r | awk '/client/ {print $3}' >> "$tmp/kstall"
	wait $kp; reaped $kp
done
n=$(median < "$tmp/none"); k=$(median < "$tmp/kstall")
echo "requests in 3 s (median of $ROUNDS): none $n, kstall $k; ratio $(awk -v a="$k" -v b="$n" 'BEGIN {printf "%.3f", a / b}')"
