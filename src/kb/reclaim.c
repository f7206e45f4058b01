/* Knowledge base, memory reclaim: direct reclaim stalls, slow shrinkers, kswapd. */
#include "kb.h"
#include "../lib/util.h"

static const struct kb_entry entries[] = {
{
	.id = "reclaim.direct_reclaim_stall",
	.title = "A task stalls reclaiming memory itself",
	.mechanism =
	"When an allocation finds free memory below the min watermark (global direct reclaim), or its "
	"memory cgroup at its limit (memcg reclaim), the allocating task reclaims pages itself before "
	"it can continue: it scans LRU lists and calls the slab shrinkers. kstall times each episode "
	"with the vmscan tracepoints mm_vmscan_direct_reclaim_begin/end and "
	"mm_vmscan_memcg_reclaim_begin/end.",
	.harm =
	"The task is stopped for the whole episode: milliseconds normally, seconds when what must be "
	"reclaimed is slow (a huge dentry cache, dirty pages under writeback). Request latency spikes "
	"follow memory pressure, often with no CPU or I/O saturation to explain them.",
	.confirm =
	"grep -E 'allocstall|pgscan_direct|pgsteal_direct' /proc/vmstat twice; memory.stat of the cgroup "
	"(v1) or memory.events (v2); drsnoop from libbpf-tools shows per-task direct reclaim latency.",
	.fix =
	"Global: keep more memory free so kswapd reclaims in the background (vm.min_free_kbytes, "
	"vm.watermark_scale_factor), find what fills memory, and shrink it. Memcg: raise the cgroup's "
	"limit or reduce what it holds (its page cache counts). Slow shrinkers: see reclaim.shrinker_slow.",
	.seen_in = "seed 002: processes stuck in shrink_slab under dcache_lock while kswapd could not keep up.",
},
{
	.id = "reclaim.shrinker_slow",
	.title = "A slab shrinker takes long per call",
	.mechanism =
	"Reclaim asks each registered shrinker to free objects from its cache (super_cache_scan for "
	"the dentry and inode caches of each file system, others for THP splitting, zswap, and so on). "
	"kstall times every call with mm_shrink_slab_start/end, names the shrinker by its scan "
	"function (resolved with /proc/kallsyms), and counts objects scanned and freed.",
	.harm =
	"A slow shrinker holds up every reclaim pass: kswapd falls behind, and tasks in direct reclaim "
	"wait for it. On 2.6.32 the dcache shrinker ran under the global dcache_lock, stalling path "
	"lookups everywhere.",
	.confirm =
	"With tracefs mounted: the vmscan:mm_shrink_slab_start/end events; perf record -g during a stall "
	"shows the shrinker's function in the profile.",
	.fix =
	"Stop whatever fills the cache (dcache.negative_dentry_producers), and shrink it earlier and in "
	"smaller steps (vm.vfs_cache_pressure for dentries and inodes, at the cost of more "
	"re-lookups).",
	.seen_in = "seed 002: kswapd0/1 in __shrink_dcache_sb for seconds per pass.",
},
{
	.id = "reclaim.kswapd_busy",
	.title = "kswapd, the background reclaimer, is busy for most of a CPU",
	.mechanism =
	"kswapd (one per NUMA node) wakes when free memory falls below the low watermark and reclaims "
	"until the high watermark is reached. Its CPU time shows how hard reclaim is working; tracing "
	"mm_vmscan_kswapd_wake/sleep shows how long it stays awake.",
	.harm =
	"A busy kswapd means memory is short for long stretches or reclaim is slow; when it cannot keep "
	"up, allocating tasks reclaim directly and stall (reclaim.direct_reclaim_stall).",
	.confirm =
	"top shows kswapdN; /proc/vmstat pgscan_kswapd, pgsteal_kswapd and slabs_scanned rates; "
	"and the memory pressure file /proc/pressure/memory on 4.20+.",
	.fix =
	"Find what fills memory (slab: dcache.bloat; page cache; anonymous). Raise "
	"vm.watermark_scale_factor so reclaim starts earlier and runs in smaller steps (that much "
	"more memory kept free). Add memory or lower the footprint.",
	.seen_in = "seed 002: kswapd0 and kswapd1 at 100% CPU during the 15 s freezes.",
}
};

const struct kb_table kb_reclaim = {entries, ARRAY_SIZE(entries)};
