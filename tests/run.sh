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
# A bounded fuzz of every target (tests/fuzz/fuzz_*.c), each one verdict.
for f in build/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	t=$(basename "$f")
	if ./tests/fuzz/run.sh "$t"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); broken="$broken $t"
	fi
done
[ -n "$broken" ] && echo "broken suites:$broken"
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
