/* Reclaim: direct and memcg reclaim and slab shrinker calls, as waits of
 * the thread that reclaims; kswapd awake, from the wakeup a waker fires
 * to kswapd going back to sleep, per node. */
#ifndef KSTALL_RECLAIM_BPF_H
#define KSTALL_RECLAIM_BPF_H

#include "common.bpf.h"

SEC("tp_btf/mm_vmscan_direct_reclaim_begin")
int BPF_PROG(direct_reclaim_begin, int order, gfp_t gfp)
{
	wait_open(KS_DIRECT_RECLAIM, (__u64)order, 0);
	return 0;
}

SEC("tp_btf/mm_vmscan_direct_reclaim_end")
int BPF_PROG(direct_reclaim_end, unsigned long nr_reclaimed)
{
	wait_close(KS_DIRECT_RECLAIM, nr_reclaimed, 0);
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(memcg_reclaim_begin, int order, gfp_t gfp)
{
	wait_open(KS_MEMCG_RECLAIM, (__u64)order, 0);
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(memcg_reclaim_end, unsigned long nr_reclaimed)
{
	wait_close(KS_MEMCG_RECLAIM, nr_reclaimed, 0);
	return 0;
}

SEC("tp_btf/mm_shrink_slab_start")
int BPF_PROG(shrink_slab_start, struct shrinker *shr, struct shrink_control *sc, long nr_to_shrink,
	     unsigned long cache_items, unsigned long long delta, unsigned long total_scan, int priority)
{
	__u64 fn = (__u64)BPF_CORE_READ(shr, scan_objects);
	wait_open(KS_SHRINKER, fn, total_scan);
	return 0;
}

SEC("tp_btf/mm_shrink_slab_end")
int BPF_PROG(shrink_slab_end, struct shrinker *shr, int nid, int freed, long unused, long new_scan, long total_scan)
{
	wait_close(KS_SHRINKER, freed > 0 ? (__u64)freed : 0, total_scan > 0 ? (__u64)total_scan : 0);
	return 0;
}

SEC("tp_btf/mm_vmscan_kswapd_wake")
int BPF_PROG(kswapd_wake, int nid, int zid, int order)
{
	/* Fired by the waker, not kswapd: key the record by node. */
	struct wait_key k = {.tid = 0x80000000u | (__u32)nid, .kind = KS_KSWAPD};
	struct wait_rec *old = bpf_map_lookup_elem(&waits, &k);
	if (old)
		return 0; /* already awake */
	struct wait_rec r = {.start_ns = bpf_ktime_get_ns(), .detail = (__u64)nid};
	if (bpf_map_update_elem(&waits, &k, &r, BPF_NOEXIST) == -12 /* -ENOMEM */)
		stat_inc(KS_STAT_WAITS_FULL);
	return 0;
}

SEC("tp_btf/mm_vmscan_kswapd_sleep")
int BPF_PROG(kswapd_sleep, int nid)
{
	struct wait_key k = {.tid = 0x80000000u | (__u32)nid, .kind = KS_KSWAPD};
	struct wait_rec *r = bpf_map_lookup_elem(&waits, &k);
	if (!r)
		return 0;
	__u64 dur = bpf_ktime_get_ns() - r->start_ns;
	bpf_map_delete_elem(&waits, &k);
	__u64 id = bpf_get_current_pid_tgid();
	struct ks_hist_key hk = {.tgid = id >> 32, .kind = KS_KSWAPD, .detail = (__u64)nid};
	struct ks_hist *h = hist_get(&hk);
	if (h)
		hist_add(h, dur, (__u32)id, 0, 0);
	return 0;
}

#endif
