#!/bin/sh
# Seeds for fuzz_recording: recordings and payloads made by kstall's own
# writer (build/fuzz/seed_recording, from tests/fuzz/seed_recording.c).
# Usage: seed-recording.sh REAL_FIXTURES OUT (REAL_FIXTURES is unused).
set -eu
out=${2:?corpus dir}
mkdir -p "$out"
exec "$(dirname "$0")/../../build/fuzz/seed_recording" "$out"
