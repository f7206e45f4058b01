# Sourced by bench/run: the tools under test, attached once per round and
# mode, every workload run under them.

# kstall's tracepoints, from a short kstall watch: $tmp/kstall.tps (all
# names), $tmp/kstall.btf (those it attaches tp_btf/raw: the floor is
# build/bench/floor's empty tp_btf program on each) and $tmp/floor.bt (an
# empty bpftrace program on each it attaches as a classic tracepoint, the
# syscall events: the same kind again).
discover_tracepoints() {
	./kstall watch --interval 1 > "$tmp/discover.out" 2>&1 &
	local kp=$!
	started $kp
	wait_attached $kp "kstall watch"
	bpftool -j perf show > "$tmp/discover.json"
	stop_tools $kp
	python3 -c 'import json, sys
for e in json.load(open(sys.argv[1])):
    if e["pid"] == int(sys.argv[2]) and e.get("tracepoint"): print(e["fd_type"], e["tracepoint"])' \
		"$tmp/discover.json" "$kp" | sort -u > "$tmp/kstall.kinds"
	awk '{print $2}' "$tmp/kstall.kinds" | sort -u > "$tmp/kstall.tps"
	awk '$1 == "raw_tracepoint" {print $2}' "$tmp/kstall.kinds" > "$tmp/kstall.btf"
	awk '$1 == "tracepoint" {print $2}' "$tmp/kstall.kinds" > "$tmp/kstall.classic"
	[ -s "$tmp/kstall.tps" ] || { echo "bench/run: kstall attached no tracepoint" >&2; exit 1; }
	# shellcheck disable=SC2046
	(tfs sh -c 'for n; do
		d=$(ls -d /sys/kernel/tracing/events/*/"$n" 2> /dev/null | head -1)
		if [ -n "$d" ]; then c=${d%/*}; echo "tracepoint:${c##*/}:$n { }"; else echo "// no classic event: $n"; fi
	done' sh $(cat "$tmp/kstall.classic")) > "$tmp/floor.bt"
}

# Stop the given tools (SIGINT, SIGTERM after 5 s), by PID.
stop_tools() {
	local p i
	for p in "$@"; do kill -INT "$p" 2> /dev/null || true; done
	for p in "$@"; do
		for i in $(seq 50); do alive "$p" || break; sleep 0.1; done
		! alive "$p" || kill -TERM "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
		reaped "$p"
	done
}

# How many programs tool PID (output $O.*) will attach, where it says:
# bpftrace before it attaches, build/bench/floor one per tracepoint named.
expected() {
	local pid=$1 o=$2 f want="" i
	case $(ps -o comm= -p "$pid") in
	bpftrace) f=$o.out ;;
	floor) wc -l < "$tmp/kstall.btf"; return ;;
	*) return ;;
	esac
	for i in $(seq 300); do
		want=$(sed -n 's/^Attaching \([0-9]*\) probes.*/\1/p' "$f")
		[ -z "$want" ] || break
		alive "$pid" || break
		sleep 0.1
	done
	[ -n "$want" ] || { echo "bench/run: bpftrace did not start:" >&2; cat "$f" >&2; exit 1; }
	echo "$want"
}

# Start MODE's tools for round R: their PIDs in tool_pids.
start_mode() {
	local r=$1 mode=$2 o="$tmp/out/$1.$2"
	tool_pids=""
	case $mode in
	none) return 0 ;;
	floor)
		# shellcheck disable=SC2046
		build/bench/floor $(cat "$tmp/kstall.btf") > "$o.btf" 2>&1 & tool_pids=$!
		if grep -q '^tracepoint' "$tmp/floor.bt"; then
			(tfs bpftrace "$tmp/floor.bt") > "$o.out" 2>&1 & tool_pids="$tool_pids $!"
		fi ;;
	bpftrace) (tfs bpftrace bench/peer.bt) > "$o.out" 2>&1 & tool_pids=$! ;;
	libbpf)
		/usr/sbin/runqlat > "$o.runqlat" 2>&1 & tool_pids=$!
		/usr/sbin/softirqs > "$o.softirqs" 2>&1 & tool_pids="$tool_pids $!" ;;
	kstall) ./kstall watch --budget 0 --interval 1 > "$o.out" 2>&1 & tool_pids=$! ;;
	esac
	# shellcheck disable=SC2086
	started $tool_pids
	local p
	for p in $tool_pids; do wait_attached "$p" "$mode" "$(expected "$p" "$o")" || exit 1; done
	sleep 0.5
}

# Workload W again for about a second with the run-time statistics on:
# each program's run_time_ns/run_cnt before and after, in S.W.{0,1}.json.
stats_pass() {
	local w=$1 s=$2 secs=$SECS n=${REDIS_N:-0}
	SECS=1
	[ "$n" = 0 ] || REDIS_N=$((n / secs > 2000 ? n / secs : 2000))
	echo 1 > /proc/sys/kernel/bpf_stats_enabled
	bpftool -j prog show > "$s.$w.0.json"
	run_$w > /dev/null
	bpftool -j prog show > "$s.$w.1.json"
	echo 0 > /proc/sys/kernel/bpf_stats_enabled
	SECS=$secs
	[ "$n" = 0 ] || REDIS_N=$n
}

# One round of one mode: attach, every workload (its throughput, then its
# programs' statistics), record, detach.
run_cycle() {
	local r=$1 mode=$2 w v s="$tmp/stats/$1.$2"
	start_mode "$r" "$mode"
	[ -z "$tool_pids" ] || bpftool -j perf show > "$s.perf.json"
	echo "$tool_pids" > "$s.pids"
	for w in $WORKLOADS; do
		[ "$mode" != libbpf ] || libbpf_applies "$w" || continue
		v=$(run_$w)
		[ -n "$v" ] || { echo "bench/run: $w gave no throughput under $mode" >&2; exit 1; }
		[ -z "$tool_pids" ] || stats_pass "$w" "$s"
		printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$mode" "$w" throughput "$v" >> "$tmp/raw.tsv"
	done
	if [ "$mode" = kstall ]; then
		bpftool -j map show > "$s.maps.json"
		v=$(awk '/^VmHWM/ {print $2}' "/proc/$tool_pids/status")
		printf '%s\t%s\t-\trss_kb\t%s\n' "$r" "$mode" "$v" >> "$tmp/raw.tsv"
	fi
	# shellcheck disable=SC2086
	[ -z "$tool_pids" ] || stop_tools $tool_pids
}
