#!/bin/sh
# Seeds for fuzz_tree: every fixture tree (tests/fixtures/*/ and the real
# captures' trees/*/) as a plain tar (first byte 0) and as a tar.gz
# (first byte 1), as GNU tar writes them.
# Usage: seed-tree.sh REAL_FIXTURES OUT
set -eu
real=${1:?real fixtures dir}; out=${2:?corpus dir}
mkdir -p "$out"
cd "$(dirname "$0")/../.."
i=0
for d in tests/fixtures/*/ "$real"/trees/*/; do
	[ -d "$d" ] || continue
	i=$((i + 1))
	{ printf '\000'; tar -cf - -C "$d" . 2>/dev/null; } > "$out/tar-$i"
	{ printf '\001'; tar -czf - -C "$d" . 2>/dev/null; } > "$out/tgz-$i"
done
