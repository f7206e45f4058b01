/* What every mechanism of kstall.bpf.c shares: the settings, the process
 * filter, the per-thread wait records, the histograms, the ring buffer of
 * outliers and the loss counters, and the helpers that fill them.
 *
 * One mechanism for waits: a tracepoint pair opens and closes a
 * per-thread record "thread T waits for KIND since S" (keyed by (tid,
 * kind), so nested waits such as a shrinker inside direct reclaim work).
 * On close the wait is added to a log2 histogram per (process, kind,
 * detail) in the kernel; a wait at or above the threshold also goes to
 * user space through the ring buffer with its context.
 *
 * All maps are bounded; whatever does not fit is counted in `stats`. */
#ifndef KSTALL_COMMON_BPF_H
#define KSTALL_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kstall.h"

/* What a classic tracepoint program (SEC("tracepoint")) returns: for such
 * programs the kernel hands the event on to the tracepoint's perf
 * listeners (perf stat, perf trace, perf record) only when the program
 * returns non-zero; 0 would hide every event from them while kstall runs. */
#define TP_PASS 1

const volatile __u64 threshold_ns = 10 * 1000 * 1000ULL;
const volatile bool filter_pids = false;
const volatile __u32 self_tgid = 0;

/* -p / -c: the tgids to watch (children are added as they fork). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

struct wait_key {
	__u32 tid;
	__u32 kind;
};

struct wait_rec {
	__u64 start_ns;
	__u64 detail;
	__u64 extra2;
};

/* LRU: a thread that dies inside a wait cannot leak an entry forever. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct wait_key);
	__type(value, struct wait_rec);
} waits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ks_hist_key);
	__type(value, struct ks_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KS_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);
	if (v)
		(*v)++;
}

/* A ring-buffer event with the common fields filled from the current
 * task and the clock; NULL (counted) when the ring is full. The caller
 * overrides what differs, then submits. */
static __always_inline struct ks_event *event_new(__u32 type, __u32 kind, __u64 dur, __u64 detail, __u64 extra1,
						  __u64 extra2)
{
	struct ks_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(KS_STAT_RINGBUF_LOST);
		return NULL;
	}
	__u64 id = bpf_get_current_pid_tgid();
	e->type = type;
	e->kind = kind;
	e->tid = (__u32)id;
	e->tgid = id >> 32;
	e->ts_ns = bpf_ktime_get_ns();
	e->dur_ns = dur;
	e->detail = detail;
	e->extra1 = extra1;
	e->extra2 = extra2;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->path[0] = 0;
	return e;
}

static __always_inline bool wanted(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (!filter_pids)
		return true;
	return bpf_map_lookup_elem(&pids, &tgid) != NULL;
}

static __always_inline __u32 log2_us(__u64 ns)
{
	__u64 us = ns / 1000;
	__u32 r = 0;
	/* bounded loop: at most KS_HIST_SLOTS - 1 steps */
	for (int i = 0; i < KS_HIST_SLOTS - 1; i++) {
		if (us <= 1)
			break;
		us >>= 1;
		r++;
	}
	return r;
}

/* The histogram for hk in map (hists, or a mechanism's own), created
 * empty if new; NULL (counted under full_stat) if the map is full.
 * comm: the name a new histogram gets, a kernel string (a task's comm);
 * NULL for the current thread's. */
static __always_inline struct ks_hist *hist_get_named(void *map, struct ks_hist_key *hk, __u32 full_stat,
						      const char *comm)
{
	struct ks_hist *h = bpf_map_lookup_elem(map, hk);
	if (h)
		return h;
	struct ks_hist zero = {};
	if (comm)
		bpf_probe_read_kernel_str(zero.comm, sizeof(zero.comm), comm);
	else
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
	/* NOEXIST fails either because the map is full or because another
	 * CPU created it meanwhile: the lookup tells which. */
	bpf_map_update_elem(map, hk, &zero, BPF_NOEXIST);
	h = bpf_map_lookup_elem(map, hk);
	if (!h)
		stat_inc(full_stat);
	return h;
}

static __always_inline struct ks_hist *hist_get_in(void *map, struct ks_hist_key *hk, __u32 full_stat)
{
	return hist_get_named(map, hk, full_stat, NULL);
}

static __always_inline struct ks_hist *hist_get(struct ks_hist_key *hk)
{
	return hist_get_in(&hists, hk, KS_STAT_HIST_FULL);
}

/* A per-process histogram named after the process (its group leader),
 * not the thread that happened to create it. */
static __always_inline struct ks_hist *proc_hist(__u32 tgid, __u32 kind, __u64 detail)
{
	struct ks_hist_key hk = {.tgid = tgid, .kind = kind, .detail = detail};
	struct task_struct *task = bpf_get_current_task_btf();
	return hist_get_named(&hists, &hk, KS_STAT_HIST_FULL, task->group_leader->comm);
}

static __always_inline void hist_add(struct ks_hist *h, __u64 dur, __u32 tid, __u64 extra1, __u64 extra2)
{
	__u32 slot = log2_us(dur);
	if (slot < KS_HIST_SLOTS)
		__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, dur);
	__sync_fetch_and_add(&h->extra1, extra1);
	__sync_fetch_and_add(&h->extra2, extra2);
	if (dur > h->max_ns) {
		h->max_ns = dur;
		h->max_tid = tid;
	}
}

/* Open the current thread's record of a wait in wmap (waits, or a
 * mechanism's own map of the same records). */
static __always_inline void wait_open_in(void *wmap, __u32 kind, __u64 detail, __u64 extra2)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return;
	struct wait_key k = {.tid = (__u32)id, .kind = kind};
	struct wait_rec r = {.start_ns = bpf_ktime_get_ns(), .detail = detail, .extra2 = extra2};
	if (bpf_map_update_elem(wmap, &k, &r, BPF_ANY))
		stat_inc(KS_STAT_WAITS_FULL);
}

static __always_inline void wait_open(__u32 kind, __u64 detail, __u64 extra2)
{
	wait_open_in(&waits, kind, detail, extra2);
}

/* Close it: the wait into its histogram in hmap (full_stat counts what
 * does not fit), an outlier to user space. extra2_end: subtracted from
 * the extra2 recorded at open (the shrinker's total_scan shrinks by what
 * it scanned, as slabs_scanned counts it). */
static __always_inline void wait_close_in(void *wmap, void *hmap, __u32 full_stat, __u32 kind, __u64 extra1,
					  __u64 extra2_end)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct wait_key k = {.tid = tid, .kind = kind};
	struct wait_rec *r = bpf_map_lookup_elem(wmap, &k);
	if (!r)
		return;
	__u64 dur = bpf_ktime_get_ns() - r->start_ns;
	__u64 detail = r->detail, extra2 = r->extra2 > extra2_end ? r->extra2 - extra2_end : 0;
	bpf_map_delete_elem(wmap, &k);

	struct ks_hist_key hk = {.tgid = tgid, .kind = kind, .detail = detail};
	struct ks_hist *h = hist_get_in(hmap, &hk, full_stat);
	if (!h)
		return;
	hist_add(h, dur, tid, extra1, extra2);

	if (dur < threshold_ns)
		return;
	struct ks_event *e = event_new(KS_EV_WAIT, kind, dur, detail, extra1, extra2);
	if (e)
		bpf_ringbuf_submit(e, 0);
}

static __always_inline void wait_close(__u32 kind, __u64 extra1, __u64 extra2_end)
{
	wait_close_in(&waits, &hists, KS_STAT_HIST_FULL, kind, extra1, extra2_end);
}

/* The syscall the current thread is in, or KS_ML_NOSYS. */
static __always_inline __u64 current_syscall(void)
{
#if defined(__TARGET_ARCH_x86) || defined(__TARGET_ARCH_arm64)
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
#if defined(__TARGET_ARCH_x86)
	long nr = regs->orig_ax; /* a BTF pointer: a load, not a probe read */
#else
	long nr = BPF_CORE_READ((struct user_pt_regs *)regs, regs[8]);
#endif
	return nr >= 0 && nr < 4096 ? (__u64)nr : KS_ML_NOSYS;
#else
	return KS_ML_NOSYS;
#endif
}

#endif
