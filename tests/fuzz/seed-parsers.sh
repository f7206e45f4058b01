#!/bin/sh
# Build the fuzz corpus from the real captures: one file per (parser, file),
# the first byte selecting the parser as fuzz_parsers.c numbers them.
set -eu
real=${1:?real fixtures dir}; out=${2:?corpus dir}
mkdir -p "$out"
seed() { # index file
	printf "\\$(printf '%03o' "$1")" > "$out/$1-$(basename "$2")"
	cat "$2" >> "$out/$1-$(basename "$2")"
}
for f in "$real"/files/meminfo/*; do seed 0 "$f"; done
for f in "$real"/files/vmstat/*; do seed 1 "$f"; done
for f in "$real"/files/stat/*; do case $f in *__stat_*) seed 9 "$f";; *) seed 2 "$f";; esac; done
for f in "$real"/files/loadavg/*; do seed 3 "$f"; done
for f in "$real"/files/pressure/*; do seed 4 "$f"; done
for f in "$real"/files/dentry-state/*; do seed 5 "$f"; done
for f in "$real"/files/interrupts/*; do seed 6 "$f"; done
for f in "$real"/files/softirqs/*; do seed 7 "$f"; done
for f in "$real"/files/softnet_stat/*; do seed 8 "$f"; done
for f in "$real"/files/status/*; do seed 10 "$f"; done
for f in "$real"/files/maps/*; do seed 12 "$f"; done
for f in "$real"/files/mountinfo/*; do seed 13 "$f"; done
for f in "$real"/files/netqueues/*; do case $f in *list*) seed 15 "$f";; *) seed 14 "$f";; esac; done
for f in "$real"/files/version/*; do seed 16 "$f"; done
printf '\021%s' '6.18.44-fc-v657' > "$out/17-release"
printf '\013%s\n%s\n' '[<0>] balance_dirty_pages+0x2f0/0xd40' '[<0>] do_syscall_64+0x5b/0x80' > "$out/11-stack"
