#!/bin/bash
# Reclaim stalls in a memory cgroup (seed 002, live): kstall beside its
# peers on the same run. A 64 MB memory cgroup; the NSS-like producer fills
# it with dentries, so its allocations reclaim and reclaim shrinks the
# dentry cache. Running at once:
#   kstall watch        (memcg/direct reclaim stalls, shrinkers by name)
#   drsnoop             (libbpf-tools: direct reclaim latency per task)
#   bpftrace            (the same vmscan tracepoints: memcg reclaim and
#                        shrink_slab count, total, max)
# and the kernel's slabs_scanned (vmstat) as ground truth for scans.
# Everything the script changes (the cgroup, tracefs in a private mount
# namespace) is undone on exit.
#
#   bench/reclaim-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make -s kstall build/tests/helpers/nss_probe
command -v bpftrace >/dev/null && [ -x /usr/sbin/drsnoop ] || ./tools/deps.sh bpftrace libbpf-tools
. bench/lib.sh
tmp=$(mktemp -d)
if [ -e /sys/fs/cgroup/memory/cgroup.procs ]; then
	cg=/sys/fs/cgroup/memory/kstall-bench-$$; lim=memory.limit_in_bytes
else
	cg=/sys/fs/cgroup/kstall-bench-$$; lim=memory.max
fi
# The cgroup is this script's own (kstall-bench-PID): what is in it, the
# script put there.
cleanup() {
	for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
	sleep 0.5; rmdir "$cg" 2>/dev/null || true
	rm -rf "$tmp"
}
on_exit cleanup
mkdir "$cg"; echo $((64 << 20)) > "$cg/$lim"; mkdir "$tmp/nssdb"

unshare -m sh -c "{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec bpftrace -q -e '
tracepoint:vmscan:mm_vmscan_memcg_reclaim_begin { @rs[tid] = nsecs; }
tracepoint:vmscan:mm_vmscan_memcg_reclaim_end /@rs[tid]/ { \$d = nsecs - @rs[tid]; @reclaim_n = count(); @reclaim_total_ns = sum(\$d); @reclaim_max_ns = max(\$d); delete(@rs[tid]); }
tracepoint:vmscan:mm_shrink_slab_start { @ss[tid] = nsecs; @scan0[tid] = args->total_scan; }
tracepoint:vmscan:mm_shrink_slab_end /@ss[tid]/ { \$d = nsecs - @ss[tid]; @shrink_n = count(); @shrink_total_ns = sum(\$d); @shrink_max_ns = max(\$d); @scanned = sum(@scan0[tid] - args->total_scan); delete(@ss[tid]); delete(@scan0[tid]); }'" > "$tmp/bt.out" 2>/dev/null &
bt=$!
/usr/sbin/drsnoop > "$tmp/dr.out" 2>/dev/null &
dr=$!
./kstall watch --duration 9 --interval 9 --format json > "$tmp/k.json" &
ks=$!
started $bt $dr $ks
sleep 3
s0=$(awk '/^slabs_scanned/ {print $2}' /proc/vmstat)
sh -c "echo \$\$ > $cg/cgroup.procs && exec build/tests/helpers/nss_probe $tmp/nssdb 4" > "$tmp/p.out"
s1=$(awk '/^slabs_scanned/ {print $2}' /proc/vmstat)
wait $ks; reaped $ks
kill -INT $bt $dr; wait $bt $dr 2>/dev/null || true; reaped $bt $dr

python3 - "$tmp" "$((s1 - s0))" <<'PY'
import json, re, sys
tmp, scanned = sys.argv[1], int(sys.argv[2])
k = json.load(open(f"{tmp}/k.json"))
bt = {m.group(1): int(m.group(2)) for m in re.finditer(r"@(\w+): (\d+)", open(f"{tmp}/bt.out").read())}
dr = [l for l in open(f"{tmp}/dr.out") if "nss_probe" in l]
rec = [w for w in k["traced"]["waits"] if w["kind"] in ("memcg_reclaim", "direct_reclaim")]
shr = [w for w in k["traced"]["waits"] if w["kind"] == "shrinker"]
def agg(ws, key): return sum(w[key] for w in ws)
print("memcg reclaim in a 64 MB cgroup, same run")
print(f"{'':24}{'kstall':>14}{'bpftrace':>14}{'drsnoop':>10}")
print(f"{'reclaim stalls':24}{agg(rec,'count'):>14}{bt.get('reclaim_n',0):>14}{len(dr):>10}")
print(f"{'reclaim total ms':24}{agg(rec,'total_s')*1e3:>14.1f}{bt.get('reclaim_total_ns',0)/1e6:>14.1f}{'-':>10}")
print(f"{'reclaim worst ms':24}{max([w['max_s'] for w in rec] or [0])*1e3:>14.1f}{bt.get('reclaim_max_ns',0)/1e6:>14.1f}{'-':>10}")
print(f"{'shrinker calls':24}{agg(shr,'count'):>14}{bt.get('shrink_n',0):>14}{'-':>10}")
print(f"{'shrinker worst ms':24}{max([w['max_s'] for w in shr] or [0])*1e3:>14.1f}{bt.get('shrink_max_ns',0)/1e6:>14.1f}{'-':>10}")
print(f"{'objects scanned':24}{agg(shr,'objects_scanned'):>14}{bt.get('scanned',0):>14}{'-':>10}   kernel slabs_scanned: {scanned}")
names = sorted({w.get('detail','?') for w in shr})
print("shrinkers named by kstall:", ", ".join(names))
print("findings:", ", ".join(f"{f['severity']} {f['id']}" for f in k["findings"]))
PY
