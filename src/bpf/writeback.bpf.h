/* Dirty throttling (seed 004): a writer paused in balance_dirty_pages,
 * or waiting for a page under writeback, sleeps until woken: the
 * tracepoint opens a record for the thread, its next sched_wakeup closes
 * it. The pause is measured, not taken from the kernel's plan (the sleep
 * runs longer, by jiffy rounding and timer slack: 626 ms slept against
 * 488 ms planned in one run here). Histograms per process and device. */
#ifndef KSTALL_WRITEBACK_BPF_H
#define KSTALL_WRITEBACK_BPF_H

#include "common.bpf.h"

struct wbw_rec {
	__u64 start_ns;
	__u64 dev;
	__u32 kind;
	__u32 pad;
	__u64 wb_dirty, wb_setpoint;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct wbw_rec);
} wb_waits SEC(".maps");

/* Records in wb_waits (at least: an LRU eviction is not counted down):
 * while none, a wakeup costs one load. */
__s64 wb_nwaits = 0;

static __always_inline void wb_wait_open(__u32 tid, struct wbw_rec *r)
{
	if (!bpf_map_update_elem(&wb_waits, &tid, r, BPF_NOEXIST))
		__sync_fetch_and_add(&wb_nwaits, 1);
	else if (bpf_map_update_elem(&wb_waits, &tid, r, BPF_ANY))
		stat_inc(KS_STAT_WAITS_FULL);
}

/* Older kernels name the bdi's fields bdi_*. */
struct trace_event_raw_balance_dirty_pages___old {
	unsigned long bdi_setpoint;
	unsigned long bdi_dirty;
} __attribute__((preserve_access_index));

/* "MAJ:MIN" as the kernel's dev_t (major << 20 | minor); 0 if not that. */
static __always_inline __u64 parse_dev(const char *s)
{
	__u64 major = 0, minor = 0;
	bool colon = false, digits = false;
	for (int i = 0; i < 24; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (colon)
				minor = minor * 10 + (__u64)(c - '0');
			else
				major = major * 10 + (__u64)(c - '0');
			digits = true;
		} else if (c == ':' && !colon && digits) {
			colon = true;
		} else {
			break;
		}
	}
	return colon ? (major << 20) | minor : 0;
}

static __always_inline struct ks_hist *wb_hist(__u32 tgid, __u32 kind, __u64 dev)
{
	struct ks_hist_key hk = {.tgid = tgid, .kind = kind, .detail = dev};
	return hist_get(&hk);
}

static __always_inline void bdp_pause(struct trace_event_raw_balance_dirty_pages *ctx)
{
	long pause = BPF_CORE_READ(ctx, pause);
	if (pause <= 0) /* a short pause it did not take */
		return;
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return;
	char name[32];
	BPF_CORE_READ_STR_INTO(&name, ctx, bdi);
	struct wbw_rec r = {.start_ns = bpf_ktime_get_ns(), .dev = parse_dev(name), .kind = KS_BDP};
	if (bpf_core_field_exists(ctx->wb_dirty)) {
		r.wb_dirty = BPF_CORE_READ(ctx, wb_dirty);
		r.wb_setpoint = BPF_CORE_READ(ctx, wb_setpoint);
	} else {
		struct trace_event_raw_balance_dirty_pages___old *o = (void *)ctx;
		r.wb_dirty = BPF_CORE_READ(o, bdi_dirty);
		r.wb_setpoint = BPF_CORE_READ(o, bdi_setpoint);
	}
	__u32 tid = (__u32)id;
	wb_wait_open(tid, &r);
	/* the plan, with the global state behind it (pause is in ms here) */
	struct ks_hist *h = wb_hist(id >> 32, KS_BDP_PLAN, r.dev);
	if (h)
		hist_add(h, (__u64)pause * 1000000, tid, BPF_CORE_READ(ctx, dirty), BPF_CORE_READ(ctx, limit));
}

SEC("tracepoint/writeback/balance_dirty_pages")
int bdp(struct trace_event_raw_balance_dirty_pages *ctx)
{
	bdp_pause(ctx);
	return TP_PASS;
}

#define KS_PF_KTHREAD 0x00200000

/* The sync family (sync, syncfs, fsync, fdatasync, sync_file_range,
 * msync), by number, set by user space (-1: none on this arch). Their
 * callers wait for writeback because they asked to: the data is being
 * made safe, no writer is held back (the quiet suite's dd then sync
 * waited 421 ms once, as a "paused writer"). */
const volatile long sync_nrs[6] = {-1, -1, -1, -1, -1, -1};

static __always_inline bool in_sync_syscall(void)
{
	long nr = (long)current_syscall();
	for (unsigned i = 0; i < sizeof(sync_nrs) / sizeof(sync_nrs[0]); i++)
		if (nr == sync_nrs[i])
			return true;
	return false;
}

/* A kernel thread's wait is not counted: a flusher or journal thread
 * waiting for a page already under writeback is writeback doing its own
 * work (the quiet suite's dd onto ext4 once showed a kworker "paused
 * 1.24 s" on the root disk); the harm is in the tasks that wait on it,
 * each measured in its own right. */
SEC("tp_btf/folio_wait_writeback")
int BPF_PROG(wb_wait, struct folio *folio, struct address_space *mapping)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!mapping || !wanted(id >> 32) || (bpf_get_current_task_btf()->flags & KS_PF_KTHREAD) ||
	    in_sync_syscall())
		return 0;
	__u32 dev = BPF_CORE_READ(mapping, host, i_sb, s_dev);
	struct wbw_rec r = {.start_ns = bpf_ktime_get_ns(), .dev = dev, .kind = KS_WB_WAIT};
	wb_wait_open((__u32)id, &r);
	return 0;
}

/* The waiter woken (see on_wakeup): close its record. Runs in the
 * waker's context, so the process and its name come from p. */
static __always_inline void wb_woken(struct task_struct *p)
{
	if (wb_nwaits <= 0)
		return;
	__u32 tid = p->pid;
	struct wbw_rec *r = bpf_map_lookup_elem(&wb_waits, &tid);
	if (!r)
		return;
	__u64 dur = bpf_ktime_get_ns() - r->start_ns;
	__u32 kind = r->kind, tgid = p->tgid;
	__u64 dev = r->dev, d1 = r->wb_dirty, d2 = r->wb_setpoint;
	if (!bpf_map_delete_elem(&wb_waits, &tid))
		__sync_fetch_and_add(&wb_nwaits, -1);
	struct ks_hist_key hk = {.tgid = tgid, .kind = kind, .detail = dev};
	struct ks_hist *h = hist_get_named(&hists, &hk, KS_STAT_HIST_FULL, p->comm);
	if (!h)
		return;
	hist_add(h, dur, tid, d1, d2);
	if (dur < threshold_ns)
		return;
	struct ks_event *e = event_new(KS_EV_WAIT, kind, dur, dev, d1, d2);
	if (!e)
		return;
	e->tid = tid;
	e->tgid = tgid;
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);
	bpf_ringbuf_submit(e, 0);
}

#endif
