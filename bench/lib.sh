# Sourced by bench/*.sh. A bench stops only what it started: the PIDs $!
# gave it, never processes found by name or pattern (another user's
# bpftrace or perf, a test's kstall, are not ours to stop).
#
#   cmd & started $!      remember a background process
#   wait $p; reaped $p    forget it once waited for (its PID may be reused)
#   on_exit 'CLEANUP'     on every exit (also INT, TERM): stop what is
#                         still remembered, then run CLEANUP
#   stop_started          the same stop, by hand (a tool's round is over)
#   (tfs TOOL ARGS) &     run a tool that needs tracefs (see below)

bench_pids=""
bench_cleanup=""

started() { bench_pids="$bench_pids $*"; }

reaped() {
	local p
	for p in "$@"; do
		bench_pids=$(echo " $bench_pids " | sed "s/ $p / /g")
	done
}

# SIGINT first (every tool here writes its results on it), then SIGTERM
# after 3 s for what ignores it: background jobs of a script start with
# SIGINT ignored unless the program sets its own handler.
stop_started() {
	local p i alive
	[ -n "${bench_pids// /}" ] || return 0
	for p in $bench_pids; do kill -INT "$p" 2>/dev/null || true; done
	for i in $(seq 30); do
		alive=""
		for p in $bench_pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
		[ -n "$alive" ] || break
		sleep 0.1
	done
	for p in $alive; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $bench_pids; do wait "$p" 2>/dev/null || true; done
	bench_pids=""
}

on_exit() {
	bench_cleanup=$1
	trap 'stop_started; eval "$bench_cleanup"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# Classic tracepoints need tracefs: where the host has not mounted it, the
# tool runs in a private mount namespace that has (the host is unchanged);
# where it has, mounting it again would fail, and is not needed. Each step
# execs, so $! of `(tfs TOOL) &` is the tool itself.
tfs() {
	if [ -d /sys/kernel/tracing/events ]; then exec "$@"; fi
	exec unshare -m --propagation private sh -c '{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec "$@"' sh "$@"
}
