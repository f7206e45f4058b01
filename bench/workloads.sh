# Sourced by bench/run: the workloads. Each run_W prints one throughput
# (per second) for about $SECS seconds of work, pinned (CPU 0 and 1).

REDIS_PORT=16380
PP=build/bench/pingpong
NSS=build/tests/helpers/nss_probe

# A private redis-server for the whole run: no snapshots, no AOF (a fork
# would be a workload of its own), its directory in $tmp.
redis_start() {
	if redis-cli -p $REDIS_PORT ping > /dev/null 2>&1; then
		echo "bench/run: something already answers on port $REDIS_PORT" >&2
		exit 1
	fi
	mkdir -p "$tmp/redis"
	taskset -c 1 redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$tmp/redis" --daemonize no > "$tmp/redis.log" 2>&1 &
	redis_pid=$!
	started $redis_pid
	local i
	for i in $(seq 100); do
		redis-cli -p $REDIS_PORT ping 2> /dev/null | grep -q PONG && break
		sleep 0.1
	done
	# Requests per test, so that SET and GET take about $SECS together.
	local rps
	REDIS_N=20000
	rps=$(redis_rps)
	REDIS_N=$(awk -v r="$rps" -v s="$SECS" 'BEGIN { n = int(r * s / 2); print n < 2000 ? 2000 : n }')
	say "redis-server on port $REDIS_PORT: $REDIS_N requests per test (calibrated at $rps/s)"
}

redis_stop() {
	redis-cli -p $REDIS_PORT shutdown nosave > /dev/null 2>&1 || true
	wait "$redis_pid" 2> /dev/null || true
	reaped "$redis_pid"
}

# SET and GET, REDIS_N each: their combined rate (total over total time).
redis_rps() {
	taskset -c 0 redis-benchmark -p $REDIS_PORT -q --csv -t set,get -n "$REDIS_N" -c 50 -r 100000 2> /dev/null |
		awk -F'"' '$2 == "SET" || $2 == "GET" { t += 1 / $4; n++ } END { if (n == 2) printf "%.1f\n", 2 / t }'
}

run_redis() { redis_rps; }
run_pp_cross() { $PP "$SECS" 0 1 | awk '{print $6}'; }
run_pp_pinned() { $PP "$SECS" 1 1 | awk '{print $6}'; }

# Unique missing names in a directory of its own, removed after (which
# prunes the negative dentries: every round starts from the same cache).
run_lookups() {
	local d
	d=$(mktemp -d "$tmp/lookups.XXXXXX")
	taskset -c 1 $NSS "$d" "$SECS" access | awk '/rate/ {print $6}'
	rm -rf "$d"
}

# stress-ng's bogo ops/s (real time), from --metrics-brief.
stressng() {
	local name=$1
	shift
	mkdir -p "$tmp/sng"
	(cd "$tmp/sng" && taskset -c 1 stress-ng "--$name" 1 "$@" -t "$SECS" --temp-path "$tmp/sng" --metrics-brief 2>&1) |
		awk -v n="$name" '$4 == n && $5 ~ /^[0-9]+$/ {print $9}'
}
# 4 MB a mapping, not the default 256 MB: a few bogo ops a second would be
# too coarse to compare
run_mmap() { stressng mmap --mmap-bytes 4M; }
run_mmapmany() { stressng mmapmany; }

# libbpf-tools peers exist for these only (statsnoop misses access(2);
# klockstat needs kprobes, which this kind of kernel lacks).
libbpf_applies() { case $1 in redis|pp_cross|pp_pinned) return 0 ;; esac; return 1; }
