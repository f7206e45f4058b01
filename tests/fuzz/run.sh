#!/bin/sh
# Run libFuzzer targets for a bounded time, each from a fresh corpus:
# build/fuzz/fuzz_NAME seeded by tests/fuzz/seed-NAME.sh REAL_FIXTURES DIR
# (when there is one). One verdict line per target; the exit status is
# the number of targets that failed. Used by `make fuzz` and tests/run.sh.
#   tests/fuzz/run.sh fuzz_parsers fuzz_recording   (env: FUZZ_SECONDS, REAL_FIXTURES)
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-20}
real=${REAL_FIXTURES:-../shared/fixtures/real}
failed=0
for t in "$@"; do
	name=${t#fuzz_}
	corpus=build/fuzz/corpus-$name
	log=build/fuzz/$t.log
	echo "=== $t ($secs s)"
	rm -rf "$corpus"
	mkdir -p "$corpus"
	if [ -x "tests/fuzz/seed-$name.sh" ] && ! "tests/fuzz/seed-$name.sh" "$real" "$corpus" >"$log" 2>&1; then
		tail -20 "$log"
		echo "$t: seeding the corpus failed"
		failed=$((failed + 1))
		continue
	fi
	if "build/fuzz/$t" -max_total_time="$secs" -timeout=5 -print_final_stats=0 \
		-artifact_prefix="build/fuzz/$t-" "$corpus" >"$log" 2>&1; then
		tail -1 "$log"
	else
		tail -40 "$log"
		echo "$t: failed (log: $log)"
		failed=$((failed + 1))
	fi
done
exit "$failed"
