#!/bin/bash
# Failed path lookups (seed 002's producer): what kstall's tracing costs per
# event, against its peers doing the same measurement, in one run; and how
# their counts agree with the producer's own.
#
#   bench/lookups-peers.sh [SECONDS] [ROUNDS]      (default 5 s, 3 rounds)
#
# The producer (tests/helpers/nss_probe) looks up unique missing names in a
# loop, pinned to CPU 1; the tool under test runs pinned to CPU 0. Modes:
#   none       nothing attached
#   kstall     kstall watch (all its programs: reclaim, shrinkers, lookups)
#   bpftrace   count ENOENT returns by comm on sys_exit_access (the peer
#              doing kstall's count; no path sampling)
#   statsnoop  libbpf-tools statsnoop (stat(2): it does not see access(2),
#              so the producer uses stat in that mode and its own baseline)
# Classic tracepoints need tracefs, which this host does not mount: the
# peers run in a private mount namespace (unshare -m) where it is mounted,
# so nothing changes on the host. Reports medians of ROUNDS.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
ROUNDS=${2:-3}
make -s kstall build/tests/helpers/nss_probe
command -v bpftrace >/dev/null && [ -x /usr/sbin/statsnoop ] || ./tools/deps.sh bpftrace libbpf-tools
. bench/lib.sh
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
P=build/tests/helpers/nss_probe

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
tracefs() { unshare -m sh -c "{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec $*"; }

# run MODE SYSCALL: prints "rate tool_count" for one round (in this shell,
# not a subshell, so that the exit trap knows the tool's PID)
run() {
	local mode=$1 sc=$2 dir="$tmp/d$RANDOM" pid=""
	mkdir -p "$dir"
	case $mode in
	kstall)
		taskset -c 0 ./kstall watch --duration $((SECS + 3)) --interval 1 --format json > "$tmp/k.json" &
		pid=$!; sleep 1.5 ;;
	bpftrace)
		taskset -c 0 unshare -m sh -c "{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec bpftrace -q -e \
			'tracepoint:syscalls:sys_exit_access /args->ret == -2/ { @[comm] = count(); }'" > "$tmp/b.out" &
		pid=$!; sleep 3 ;;
	statsnoop)
		taskset -c 0 unshare -m sh -c "{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec /usr/sbin/statsnoop -x" \
			> "$tmp/s.out" 2>/dev/null &
		pid=$!; sleep 3 ;;
	esac
	[ -z "$pid" ] || started $pid
	taskset -c 1 $P "$dir" "$SECS" "$sc" > "$tmp/p.out"
	local rate count=""
	rate=$(awk '/rate/ {print $6}' "$tmp/p.out")
	case $mode in
	kstall)
		kill -INT $pid; wait $pid || true; reaped $pid
		count=$(python3 -c "import json,sys; d=json.load(open('$tmp/k.json'));
print(sum(l['failed'] for l in d['traced']['failed_lookups'] if l['comm']=='nss_probe'))") ;;
	bpftrace)
		kill -INT $pid; wait $pid || true; reaped $pid
		count=$(awk '/nss_probe/ {print $2}' "$tmp/b.out") ;;
	statsnoop)
		kill -INT $pid; wait $pid || true; reaped $pid
		count=$(grep -c nss_probe "$tmp/s.out" || true) ;;
	esac
	rm -rf "$dir"
	echo "$rate ${count:-0} $(awk '/enoent/ {print $4}' "$tmp/p.out")"
}

printf 'failed-lookup loop, %s s x %s rounds, kernel %s\n' "$SECS" "$ROUNDS" "$(uname -r)"
printf '%-10s %-7s %14s %9s %14s %14s\n' mode syscall "lookups/s" "vs none" "tool count" "probe count"
for sc in access stat; do
	base=""
	for mode in none kstall bpftrace statsnoop; do
		[ "$sc" = access ] && [ "$mode" = statsnoop ] && continue
		[ "$sc" = stat ] && [ "$mode" = bpftrace ] && continue
		: > "$tmp/rates"; : > "$tmp/counts"; : > "$tmp/truth"
		for r in $(seq "$ROUNDS"); do
			run $mode $sc > "$tmp/round"
			read -r rate count truth < "$tmp/round"
			echo "$rate" >> "$tmp/rates"; echo "$count" >> "$tmp/counts"; echo "$truth" >> "$tmp/truth"
		done
		rate=$(median < "$tmp/rates"); count=$(median < "$tmp/counts"); truth=$(median < "$tmp/truth")
		[ -z "$base" ] && base=$rate
		printf '%-10s %-7s %14.0f %8.1f%% %14s %14s\n' $mode $sc "$rate" \
			"$(awk -v a="$rate" -v b="$base" 'BEGIN {print (a / b - 1) * 100}')" \
			"$([ $mode = none ] && echo - || echo "$count")" "$truth"
	done
done
