#!/bin/sh
# Run every test binary; print a closing "N passed, N failed, N skipped".
# Each binary is a cmocka suite built with ASan+UBSan.
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0 skipped=0 broken=""
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "=== $name"
	log=$(mktemp)
	timeout 900 "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skipped=$((skipped + ${s:-0}))
	# A crash, sanitizer report or timeout with no cmocka verdict still fails.
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		fail=$((fail + 1)); broken="$broken $name(exit $rc)"
	fi
	rm -f "$log"
done
# A bounded fuzz of every parser, seeded from the real captures.
if [ -x build/fuzz/fuzz_parsers ]; then
	echo "=== fuzz_parsers (${FUZZ_SECONDS:-20} s)"
	rm -rf build/fuzz/corpus
	if ./tests/fuzz/seed-corpus.sh "${REAL_FIXTURES:-../shared/fixtures/real}" build/fuzz/corpus &&
	   build/fuzz/fuzz_parsers -max_total_time="${FUZZ_SECONDS:-20}" -timeout=5 -print_final_stats=0 \
		build/fuzz/corpus >build/fuzz/log 2>&1; then
		tail -1 build/fuzz/log
		pass=$((pass + 1))
	else
		tail -40 build/fuzz/log
		fail=$((fail + 1)); broken="$broken fuzz_parsers"
	fi
fi
[ -n "$broken" ] && echo "broken suites:$broken"
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
