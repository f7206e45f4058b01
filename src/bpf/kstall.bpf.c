// SPDX-License-Identifier: GPL-2.0
/* kstall's kernel side: one mechanism for waits.
 *
 * A tracepoint pair opens and closes a per-thread record "thread T waits
 * for KIND since S" (keyed by (tid, kind), so nested waits such as a
 * shrinker inside direct reclaim work). On close the wait is added to a
 * log2 histogram per (process, kind, detail) in the kernel; a wait at or
 * above the threshold also goes to user space through a ring buffer with
 * its context. Failed path lookups (ENOENT) are counted per process, with
 * a sampled few paths per period for pattern analysis.
 *
 * Every program is tp_btf: no tracefs, no kprobes. User space switches
 * off the ones whose tracepoint the running kernel lacks. All maps are
 * bounded; whatever does not fit is counted in `stats`. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kstall.h"

#define ENOENT 2

const volatile __u64 threshold_ns = 10 * 1000 * 1000ULL;
const volatile bool filter_pids = false;
const volatile __u32 path_samples_per_doubling = 32;
const volatile __u32 self_tgid = 0;
/* mmap/munmap (seed 001): their numbers on this architecture, and
 * whether the raw sys_enter/sys_exit programs handle them. */
const volatile long mmap_nr = -1;
const volatile long munmap_nr = -1;
const volatile bool raw_vma = false;
const volatile bool raw_lookups = false;
/* mmap_lock holders: which syscalls create a process or thread here. */
const volatile long clone_nr = -1, clone3_nr = -1, fork_nr = -1, vfork_nr = -1;

/* Which syscalls take a path, and in which argument (1-based); 0: not. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u32);
} path_syscalls SEC(".maps");

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

/* Per-thread records of mmap and munmap calls in progress: a plain hash,
 * cheaper per call than the LRU that waits uses (this runs on every mmap
 * and munmap). A call always returns through sys_exit, even when its
 * thread is being killed, so records do not leak in practice; if the map
 * ever filled, the calls that did not fit are counted in waits_full. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct wait_key);
	__type(value, struct wait_rec);
} vma_waits SEC(".maps");

/* mmap, munmap and searches for room, per (process, kind, length):
 * apart from hists, so a process mapping many sizes cannot crowd out
 * the reclaim histograms. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ks_hist_key);
	__type(value, struct ks_hist);
} vmops SEC(".maps");

/* Interrupt work per (CPU, kind, vector or irq). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ks_hist_key);
	__type(value, struct ks_hist);
} irqh SEC(".maps");

/* Per CPU: when each softirq vector was raised (first raise since it last
 * ran) and when it entered; when the running hardirq entered. Handlers
 * of one kind do not nest on a CPU, so one slot each is enough. */
struct irq_cpu {
	__u64 raised[KS_NR_SOFTIRQS];
	__u64 entered[KS_NR_SOFTIRQS];
	__u64 hard_entered;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct irq_cpu);
} irq_cpu SEC(".maps");

/* ksoftirqd threads (pid -> when woken, 0 when not waiting), filled by
 * user space from /proc at start: they are per CPU and live for ever. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} ksoftirqd SEC(".maps");

struct path_rec {
	__u64 path;
	__u32 nr;
	__u32 argn; /* the path_syscalls value */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct path_rec);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ks_lookup);
} lookups SEC(".maps");

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

/* The histogram for hk in map (hists or vmops), created empty if new;
 * NULL (counted under full_stat) if the map is full. */
/* comm: the name a new histogram gets, a kernel string (a task's comm);
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

/* vma: the record goes to vma_waits (see there) rather than waits. */
static __always_inline void wait_open_in(__u32 kind, __u64 detail, __u64 extra2, bool vma)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return;
	struct wait_key k = {.tid = (__u32)id, .kind = kind};
	struct wait_rec r = {.start_ns = bpf_ktime_get_ns(), .detail = detail, .extra2 = extra2};
	if (bpf_map_update_elem(vma ? (void *)&vma_waits : (void *)&waits, &k, &r, BPF_ANY))
		stat_inc(KS_STAT_WAITS_FULL);
}

static __always_inline void wait_open(__u32 kind, __u64 detail, __u64 extra2)
{
	wait_open_in(kind, detail, extra2, false);
}

/* extra2_end: subtracted from the extra2 recorded at open (the shrinker's
 * total_scan shrinks by what it scanned, as slabs_scanned counts it).
 * vma: aggregate into vmops rather than hists. */
static __always_inline void wait_close_in(__u32 kind, __u64 extra1, __u64 extra2_end, bool vma)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct wait_key k = {.tid = tid, .kind = kind};
	void *wm = vma ? (void *)&vma_waits : (void *)&waits;
	struct wait_rec *r = bpf_map_lookup_elem(wm, &k);
	if (!r)
		return;
	__u64 dur = bpf_ktime_get_ns() - r->start_ns;
	__u64 detail = r->detail, extra2 = r->extra2 > extra2_end ? r->extra2 - extra2_end : 0;
	bpf_map_delete_elem(wm, &k);

	struct ks_hist_key hk = {.tgid = tgid, .kind = kind, .detail = detail};
	struct ks_hist *h = vma ? hist_get_in(&vmops, &hk, KS_STAT_VMOPS_FULL) : hist_get(&hk);
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
	wait_close_in(kind, extra1, extra2_end, false);
}

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

/* mmap and munmap (seed 001): each call is a short wait of its own kind,
 * keyed by its length, so that the same size mapped and unmapped over and
 * over shows as a pair of histograms with the same detail. */
#define KS_MAP_ANONYMOUS 0x20 /* the same on every architecture kstall builds for */
#define KS_PAGE_ROUND(x) (((x) + 4095) & ~4095ULL)

static __always_inline void vma_enter(long nr, __u64 len, __u64 flags)
{
	if (nr == mmap_nr)
		wait_open_in(KS_MMAP, KS_PAGE_ROUND(len), (flags & KS_MAP_ANONYMOUS) ? 1 : 0, true);
	else if (nr == munmap_nr)
		wait_open_in(KS_MUNMAP, KS_PAGE_ROUND(len), 0, true);
}

static __always_inline void vma_exit(long nr, long ret)
{
	__u64 failed = ret < 0 && ret > -4096 ? 1 : 0;
	if (nr == mmap_nr)
		wait_close_in(KS_MMAP, failed, 0, true);
	else if (nr == munmap_nr)
		wait_close_in(KS_MUNMAP, failed, 0, true);
}

SEC("tracepoint")
int vma_tp_enter(struct syscall_trace_enter *ctx)
{
	/* The context is the event record: nr and the length (args[1]) are
	 * read directly. Not args[3]: munmap's record has two arguments, and
	 * the kernel refuses to attach a program that reads past an event's
	 * record (EACCES); mmap's flags go through a probe read. */
	long nr = ctx->nr;
	__u64 len = ctx->args[1];
	vma_enter(nr, len, nr == mmap_nr ? BPF_CORE_READ(ctx, args[3]) : 0);
	return 0;
}

SEC("tracepoint")
int vma_tp_exit(struct syscall_trace_exit *ctx)
{
	vma_exit(ctx->nr, ctx->ret);
	return 0;
}

/* Each search for room in an address space (get_unmapped_area), counted
 * by the length searched for; extra1 counts searches that found none. */
SEC("tp_btf/vm_unmapped_area")
int BPF_PROG(unmapped_area, unsigned long addr, struct vm_unmapped_area_info *info)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return 0;
	/* Per process, not per length: every short-lived process searches a
	 * few times, and an entry per length would fill vmops on a busy host. */
	struct ks_hist_key hk = {.tgid = id >> 32, .kind = KS_UNMAPPED_AREA, .detail = 0};
	struct ks_hist *h = hist_get_in(&vmops, &hk, KS_STAT_VMOPS_FULL);
	if (!h)
		return 0;
	/* A count, not a wait: no histogram, no time. */
	__sync_fetch_and_add(&h->count, 1);
	if (addr >= (unsigned long)-4095)
		__sync_fetch_and_add(&h->extra1, 1);
	return 0;
}

/* ---- interrupts and softirqs (seed 003) ---- */
static __always_inline struct irq_cpu *irq_state(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&irq_cpu, &zero);
}

static __always_inline struct ks_hist *irq_hist(__u32 kind, __u64 detail)
{
	struct ks_hist_key hk = {.tgid = bpf_get_smp_processor_id(), .kind = kind, .detail = detail};
	return hist_get_in(&irqh, &hk, KS_STAT_IRQS_FULL);
}

/* An interrupt-side duration at or above the threshold, to user space. */
static __always_inline void irq_outlier(__u32 kind, __u64 detail, __u64 dur)
{
	if (dur < threshold_ns)
		return;
	/* comm: what it interrupted, or ksoftirqd */
	struct ks_event *e = event_new(KS_EV_WAIT, kind, dur, detail, bpf_get_smp_processor_id(), 0);
	if (e)
		bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/softirq_raise")
int BPF_PROG(softirq_raise, unsigned int vec)
{
	struct irq_cpu *s = irq_state();
	if (s && vec < KS_NR_SOFTIRQS && !s->raised[vec])
		s->raised[vec] = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec)
{
	struct irq_cpu *s = irq_state();
	if (!s || vec >= KS_NR_SOFTIRQS)
		return 0;
	__u64 now = bpf_ktime_get_ns(), raised = s->raised[vec];
	s->entered[vec] = now;
	s->raised[vec] = 0;
	if (!raised)
		return 0; /* raised before tracing started */
	struct ks_hist *h = irq_hist(KS_SOFTIRQ_LAT, vec);
	if (h)
		hist_add(h, now - raised, 0, 0, 0);
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(softirq_exit, unsigned int vec)
{
	struct irq_cpu *s = irq_state();
	if (!s || vec >= KS_NR_SOFTIRQS || !s->entered[vec])
		return 0;
	__u64 dur = bpf_ktime_get_ns() - s->entered[vec];
	s->entered[vec] = 0;
	struct ks_hist *h = irq_hist(KS_SOFTIRQ, vec);
	if (h)
		hist_add(h, dur, (__u32)bpf_get_current_pid_tgid(), 0, 0);
	irq_outlier(KS_SOFTIRQ, vec, dur);
	return 0;
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(hardirq_entry, int irq, struct irqaction *action)
{
	struct irq_cpu *s = irq_state();
	if (s)
		s->hard_entered = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(hardirq_exit, int irq, struct irqaction *action, int ret)
{
	struct irq_cpu *s = irq_state();
	if (!s || !s->hard_entered)
		return 0;
	__u64 dur = bpf_ktime_get_ns() - s->hard_entered;
	s->hard_entered = 0;
	struct ks_hist *h = irq_hist(KS_HARDIRQ, (__u64)irq);
	if (!h)
		return 0;
	if (!h->count) /* first time: the handler's name instead of a task's */
		bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), BPF_CORE_READ(action, name));
	hist_add(h, dur, 0, 0, 0);
	irq_outlier(KS_HARDIRQ, (__u64)irq, dur);
	return 0;
}

/* Interrupts kept off: a hard hrtimer runs from the timer interrupt, so
 * how late it runs after its expiry time bounds how long this CPU could
 * not take that interrupt (interrupts off, a long handler before it, or
 * the hypervisor not running the vCPU). The task it interrupted is the
 * likely one that kept them off: when interrupts come back on, the
 * pending timer interrupt runs at once, in that task's context. */
SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(timer_expire, struct hrtimer *timer, ktime_t *now)
{
	if (timer->is_soft) /* run from softirq: softirq latency, measured there */
		return 0;
	__s64 nowv = 0, exp = timer->node.expires;
	if (bpf_probe_read_kernel(&nowv, sizeof(nowv), now) < 0)
		return 0;
	__u64 late = nowv > exp ? (__u64)(nowv - exp) : 0;
	struct ks_hist *h = irq_hist(KS_TIMER_LATE, 0);
	if (h)
		hist_add(h, late, (__u32)bpf_get_current_pid_tgid(), 0, 0);
	irq_outlier(KS_TIMER_LATE, 0, late);
	return 0;
}

/* ksoftirqd: from wakeup to running. Every context switch comes through
 * sched_switch: one hash lookup of the incoming pid, nothing more. */
SEC("tp_btf/sched_wakeup")
int BPF_PROG(ksoftirqd_wakeup, struct task_struct *p)
{
	__u32 pid = p->pid; /* tp_btf: a BTF pointer, read directly */
	__u64 *woken = bpf_map_lookup_elem(&ksoftirqd, &pid);
	if (woken && !*woken)
		*woken = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ksoftirqd_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 pid = next->pid;
	__u64 *woken = bpf_map_lookup_elem(&ksoftirqd, &pid);
	if (!woken || !*woken)
		return 0;
	__u64 wait = bpf_ktime_get_ns() - *woken;
	*woken = 0;
	struct ks_hist *h = irq_hist(KS_KSOFTIRQD, 0);
	if (h)
		hist_add(h, wait, pid, 0, 0);
	if (wait < threshold_ns)
		return 0;
	/* an outlier: name the thread it got the CPU from */
	struct ks_event *e = event_new(KS_EV_WAIT, KS_KSOFTIRQD, wait, 0, bpf_get_smp_processor_id(), pid);
	if (!e)
		return 0;
	/* sched_switch runs in prev's context: current is prev */
	e->tid = BPF_CORE_READ(prev, pid);
	e->tgid = BPF_CORE_READ(prev, tgid);
	BPF_CORE_READ_STR_INTO(&e->comm, prev, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Failed path lookups: remember the path argument at entry... */
static __always_inline void path_enter(long nr, __u64 arg1, __u64 arg2)
{
	if (nr < 0 || nr >= 512)
		return;
	__u32 k = (__u32)nr;
	__u32 *argn = bpf_map_lookup_elem(&path_syscalls, &k);
	if (!argn || !*argn)
		return;
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return;
	struct path_rec r = {.nr = k, .argn = *argn, .path = (*argn & 0xff) == 1 ? arg1 : arg2};
	__u32 tid = (__u32)id;
	bpf_map_update_elem(&inflight, &tid, &r, BPF_ANY);
}

/* Raw sys_enter: every syscall on the host comes through here. Used only
 * when the per-syscall tracepoints below cannot be attached. */
SEC("tp_btf/sys_enter")
int BPF_PROG(path_sys_enter, struct pt_regs *regs, long nr)
{
	if (nr < 0 || nr >= 512)
		return 0;
	if (raw_vma && (nr == mmap_nr || nr == munmap_nr)) {
		vma_enter(nr, (__u64)PT_REGS_PARM2_CORE_SYSCALL(regs), (__u64)PT_REGS_PARM4_CORE_SYSCALL(regs));
		return 0;
	}
	if (raw_lookups)
		path_enter(nr, (__u64)PT_REGS_PARM1_CORE_SYSCALL(regs), (__u64)PT_REGS_PARM2_CORE_SYSCALL(regs));
	return 0;
}

/* The path syscalls' own tracepoints (syscalls:sys_enter_openat, ...),
 * attached one by one by user space: other syscalls pay almost nothing. */
SEC("tracepoint")
int path_tp_enter(struct syscall_trace_enter *ctx)
{
	/* Per-syscall events lay out an int nr then the arguments (not the
	 * raw_syscalls layout with a long id). */
	path_enter(ctx->nr, BPF_CORE_READ(ctx, args[0]), BPF_CORE_READ(ctx, args[1]));
	return 0;
}

/* The syscall number at exit, to skip the per-thread map for syscalls
 * that take no path: every syscall on the host comes through here. */
static __always_inline long exit_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ((struct user_pt_regs *)regs, regs[8]);
#else
	return -1; /* unknown: fall through to the map */
#endif
}

/* Periodic readers of /proc/slabinfo (seed 003): SLUB counts each cache's
 * partial slabs with interrupts off. A successful open of that absolute
 * path is counted per process, with the time since its previous one; the
 * path is compared as two 8-byte words, not read as a string. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} slabinfo_last SEC(".maps");

static __always_inline void slabinfo_open(__u64 path, __u32 tid, __u32 tgid)
{
	__u64 w[2] = {};
	if (bpf_probe_read_user(w, 15, (const void *)path) < 0)
		return;
	/* "/proc/sl" "abinfo\0", little- or big-endian alike */
	const char want[16] = "/proc/slabinfo";
	__u64 want0, want1 = 0;
	__builtin_memcpy(&want0, want, 8);
	__builtin_memcpy(&want1, want + 8, 7);
	if (w[0] != want0 || w[1] != want1)
		return;
	__u64 now = bpf_ktime_get_ns(), gap = 0;
	__u64 *last = bpf_map_lookup_elem(&slabinfo_last, &tgid);
	if (last) {
		gap = now - *last;
		*last = now;
	} else {
		bpf_map_update_elem(&slabinfo_last, &tgid, &now, BPF_ANY);
	}
	struct ks_hist_key hk = {.tgid = tgid, .kind = KS_SLABINFO};
	struct ks_hist *h = hist_get(&hk);
	if (h)
		hist_add(h, gap, tid, !last, 0); /* extra1: opens with no earlier one */
}

static __always_inline void path_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct path_rec *r = bpf_map_lookup_elem(&inflight, &tid);
	if (!r)
		return;
	__u64 path = r->path;
	__u32 argn = r->argn;
	bpf_map_delete_elem(&inflight, &tid);
	if (ret >= 0 && (argn & KS_PATH_OPENS))
		slabinfo_open(path, tid, tgid);

	struct ks_lookup *l = bpf_map_lookup_elem(&lookups, &tgid);
	if (!l) {
		struct ks_lookup zero = {};
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		bpf_map_update_elem(&lookups, &tgid, &zero, BPF_NOEXIST);
		l = bpf_map_lookup_elem(&lookups, &tgid);
		if (!l) {
			stat_inc(KS_STAT_LOOKUPS_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&l->calls, 1);
	if (ret != -ENOENT)
		return;
	__sync_fetch_and_add(&l->failed, 1);

	/* Sample about path_samples_per_doubling failures per doubling of the
	 * count: every failure at first, then every 2nd, 4th, ... spread
	 * evenly over the run, whatever the rate. */
	__u64 n = l->failed, stride = 1;
	for (int i = 0; i < 40 && (n >> i) > (__u64)path_samples_per_doubling; i++)
		stride <<= 1;
	if (n & (stride - 1)) {
		stat_inc(KS_STAT_PATHS_UNSAMPLED);
		return;
	}
	/* The name it has now (it may have exec'd since the first lookup). */
	bpf_get_current_comm(l->comm, sizeof(l->comm));
	struct ks_event *e = event_new(KS_EV_PATH, 0, 0, 0, 0, 0);
	if (!e)
		return;
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), (const void *)path) < 0)
		e->path[0] = 0;
	stat_inc(KS_STAT_PATHS_SAMPLED);
	bpf_ringbuf_submit(e, 0);
	return;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(path_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = exit_nr(regs);
	if (raw_vma && nr >= 0 && (nr == mmap_nr || nr == munmap_nr)) {
		vma_exit(nr, ret);
		return 0;
	}
	if (!raw_lookups)
		return 0;
	if (nr >= 0) {
		if (nr >= 512)
			return 0;
		__u32 k = (__u32)nr;
		__u32 *argn = bpf_map_lookup_elem(&path_syscalls, &k);
		if (!argn || !*argn)
			return 0;
	}
	path_exit(ret);
	return 0;
}

SEC("tracepoint")
int path_tp_exit(struct syscall_trace_exit *ctx)
{
	path_exit(ctx->ret);
	return 0;
}

/* ---- dirty throttling (seed 004) ----
 * A writer paused in balance_dirty_pages, or waiting for a page under
 * writeback, sleeps until woken: the tracepoint opens a record for the
 * thread, its next sched_wakeup closes it. The pause is measured, not
 * taken from the kernel's plan (the sleep runs longer, by jiffy rounding
 * and timer slack: 626 ms slept against 488 ms planned in one run here). */
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

/* A per-process histogram named after the process (its group leader),
 * not the thread that happened to create it. */
static __always_inline struct ks_hist *proc_hist(__u32 tgid, __u32 kind, __u64 detail)
{
	struct ks_hist_key hk = {.tgid = tgid, .kind = kind, .detail = detail};
	struct task_struct *task = bpf_get_current_task_btf();
	return hist_get_named(&hists, &hk, KS_STAT_HIST_FULL, task->group_leader->comm);
}

static __always_inline struct ks_hist *wb_hist(__u32 tgid, __u32 kind, __u64 dev)
{
	struct ks_hist_key hk = {.tgid = tgid, .kind = kind, .detail = dev};
	return hist_get(&hk);
}

SEC("tracepoint/writeback/balance_dirty_pages")
int bdp(struct trace_event_raw_balance_dirty_pages *ctx)
{
	long pause = BPF_CORE_READ(ctx, pause);
	if (pause <= 0) /* a short pause it did not take */
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return 0;
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
	if (bpf_map_update_elem(&wb_waits, &tid, &r, BPF_ANY))
		stat_inc(KS_STAT_WAITS_FULL);
	/* the plan, with the global state behind it (pause is in ms here) */
	struct ks_hist *h = wb_hist(id >> 32, KS_BDP_PLAN, r.dev);
	if (h)
		hist_add(h, (__u64)pause * 1000000, tid, BPF_CORE_READ(ctx, dirty), BPF_CORE_READ(ctx, limit));
	return 0;
}

SEC("tp_btf/folio_wait_writeback")
int BPF_PROG(wb_wait, struct folio *folio, struct address_space *mapping)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!mapping || !wanted(id >> 32))
		return 0;
	__u32 dev = BPF_CORE_READ(mapping, host, i_sb, s_dev);
	struct wbw_rec r = {.start_ns = bpf_ktime_get_ns(), .dev = dev, .kind = KS_WB_WAIT};
	__u32 tid = (__u32)id;
	if (bpf_map_update_elem(&wb_waits, &tid, &r, BPF_ANY))
		stat_inc(KS_STAT_WAITS_FULL);
	return 0;
}

/* The waiter woken: close its record. Runs in the waker's context, so
 * the process and its name come from p. */
SEC("tp_btf/sched_wakeup")
int BPF_PROG(wb_wakeup, struct task_struct *p)
{
	__u32 tid = p->pid;
	struct wbw_rec *r = bpf_map_lookup_elem(&wb_waits, &tid);
	if (!r)
		return 0;
	__u64 dur = bpf_ktime_get_ns() - r->start_ns;
	__u32 kind = r->kind, tgid = p->tgid;
	__u64 dev = r->dev, d1 = r->wb_dirty, d2 = r->wb_setpoint;
	bpf_map_delete_elem(&wb_waits, &tid);
	struct ks_hist_key hk = {.tgid = tgid, .kind = kind, .detail = dev};
	struct ks_hist *h = hist_get_named(&hists, &hk, KS_STAT_HIST_FULL, p->comm);
	if (!h)
		return 0;
	hist_add(h, dur, tid, d1, d2);
	if (dur < threshold_ns)
		return 0;
	struct ks_event *e = event_new(KS_EV_WAIT, kind, dur, dev, d1, d2);
	if (!e)
		return 0;
	e->tid = tid;
	e->tgid = tgid;
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* ---- mmap_lock (seed 000) ----
 * Waits: start_locking opens a per-thread record, acquire_returned closes
 * it. Holds for writing: acquire_returned (write, success) stamps the mm,
 * released (write) measures the hold and keeps it as the mm's last writer,
 * so that a wait that ends can name the thread that held the lock across
 * it, its syscall, its clone flags and the process's size. */
#define KS_CLONE_VM 0x100
#define KS_CLONE_VFORK 0x4000

struct ml_wait_rec {
	__u64 start_ns;
	__u64 where;
	__u64 fault_addr;
	__u32 write; /* contention_begin path: the waiter wants to write */
	__u32 pad;
};

struct ml_hold_rec {
	__u64 start_ns;
	__u64 where;
	__u64 flags;
	__u32 tid, tgid;
};

struct ml_last_rec {
	__u64 release_ns;
	struct ks_ml_info info;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ml_wait_rec);
} ml_waits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* mm */
	__type(value, struct ml_hold_rec);
} ml_holds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* mm */
	__type(value, struct ml_last_rec);
} ml_last SEC(".maps");

/* The last page fault per CPU (x86 exceptions tracepoints): the lock is
 * taken right after, on the same CPU, by the same thread. */
struct fault_rec {
	__u32 tid;
	__u32 pad;
	__u64 addr;
	__u64 ts_ns;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fault_rec);
} fault_cpu SEC(".maps");

/* The syscall the current thread is in, or KS_ML_NOSYS. */
static __always_inline __u64 current_syscall(void)
{
#if defined(__TARGET_ARCH_x86) || defined(__TARGET_ARCH_arm64)
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
#if defined(__TARGET_ARCH_x86)
	long nr = BPF_CORE_READ(regs, orig_ax);
#else
	long nr = BPF_CORE_READ((struct user_pt_regs *)regs, regs[8]);
#endif
	return nr >= 0 && nr < 4096 ? (__u64)nr : KS_ML_NOSYS;
#else
	return KS_ML_NOSYS;
#endif
}

/* The clone flags of a thread in clone/clone3/fork/vfork; 0 otherwise. */
static __always_inline __u64 current_clone_flags(__u64 nr)
{
#if defined(__TARGET_ARCH_x86) || defined(__TARGET_ARCH_arm64)
	if ((long)nr == fork_nr)
		return 17; /* SIGCHLD: a plain fork */
	if ((long)nr == vfork_nr)
		return KS_CLONE_VM | KS_CLONE_VFORK | 17;
	if ((long)nr != clone_nr && (long)nr != clone3_nr)
		return 0;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 a0 = PT_REGS_PARM1_CORE_SYSCALL(regs);
	if ((long)nr == clone_nr)
		return a0;
	__u64 flags = 0;
	bpf_probe_read_user(&flags, sizeof(flags), (const void *)a0); /* clone_args.flags */
	return flags;
#else
	return 0;
#endif
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(ml_fault_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	__u32 zero = 0;
	struct fault_rec *f = bpf_map_lookup_elem(&fault_cpu, &zero);
	if (f) {
		f->tid = (__u32)bpf_get_current_pid_tgid();
		f->addr = address;
		f->ts_ns = bpf_ktime_get_ns();
	}
	return 0;
}

SEC("tp_btf/page_fault_kernel")
int BPF_PROG(ml_fault_kernel, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	__u32 zero = 0;
	struct fault_rec *f = bpf_map_lookup_elem(&fault_cpu, &zero);
	if (f) {
		f->tid = (__u32)bpf_get_current_pid_tgid();
		f->addr = address;
		f->ts_ns = bpf_ktime_get_ns();
	}
	return 0;
}

/* A fault can take the lock more than once (a retry after the per-VMA
 * lock or a first attempt failed): the record is not consumed, but must
 * be this thread's and recent. */
#define ML_FAULT_WINDOW_NS 1000000

/* Open a wait record for the current thread: where it is, and whether a
 * page fault of its own just asked for the lock. */
static __always_inline void ml_wait_open(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return;
	__u32 tid = (__u32)id, zero = 0;
	struct ml_wait_rec r = {.start_ns = bpf_ktime_get_ns(), .where = current_syscall()};
	struct fault_rec *f = bpf_map_lookup_elem(&fault_cpu, &zero);
	if (f && f->tid == tid && r.start_ns - f->ts_ns < ML_FAULT_WINDOW_NS) {
		r.where |= KS_ML_FAULT;
		r.fault_addr = f->addr;
	}
	if (bpf_map_update_elem(&ml_waits, &tid, &r, BPF_ANY))
		stat_inc(KS_STAT_WAITS_FULL);
}

/* Close it: the wait into the process's histogram, an outlier with the
 * mm's last writer (if it released during the wait) to user space. */
static __always_inline void ml_wait_close(__u64 key, bool write, bool success)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct ml_wait_rec *r = bpf_map_lookup_elem(&ml_waits, &tid);
	if (!r)
		return;
	__u64 wait = now - r->start_ns, where = r->where, addr = r->fault_addr, start = r->start_ns;
	bpf_map_delete_elem(&ml_waits, &tid);
	if (!success)
		return;
	__u32 kind = write ? KS_ML_WAIT_WRITE : KS_ML_WAIT_READ;
	struct ks_hist *hh = proc_hist(tgid, kind, where);
	if (hh)
		hist_add(hh, wait, tid, 0, 0);
	if (wait < threshold_ns)
		return;
	struct ks_event *e = event_new(KS_EV_WAIT, kind, wait, where, addr, 0);
	if (!e)
		return;
	struct ks_ml_info *info = (struct ks_ml_info *)e->path;
	__builtin_memset(info, 0, sizeof(*info));
	struct ml_last_rec *last = bpf_map_lookup_elem(&ml_last, &key);
	if (last && last->release_ns >= start)
		__builtin_memcpy(info, &last->info, sizeof(*info));
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/mmap_lock_start_locking")
int BPF_PROG(ml_start, struct mm_struct *mm, bool write)
{
	ml_wait_open();
	return 0;
}

SEC("tp_btf/mmap_lock_acquire_returned")
int BPF_PROG(ml_acquired, struct mm_struct *mm, bool write, bool success)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	__u64 key = (__u64)mm;
	if (write && success && wanted(tgid)) {
		__u64 where = current_syscall();
		struct ml_hold_rec h = {.start_ns = bpf_ktime_get_ns(), .where = where,
					.flags = current_clone_flags(where), .tid = tid, .tgid = tgid};
		bpf_map_update_elem(&ml_holds, &key, &h, BPF_ANY);
	}
	ml_wait_close(key, write, success);
	return 0;
}

/* Kernels with lock:contention_begin/end but no mmap_lock tracepoints
 * (5.19 to 5.x): a contended rwsem is this process's mmap_lock if its
 * address is &current->mm->mmap_lock, as perf lock contention tells. Only
 * waits that sleep, for one's own process, and no holder. */
#define LCB_F_SPIN (1U << 0)
#define LCB_F_WRITE (1U << 2)
#define LCB_F_RT (1U << 3)
#define LCB_F_PERCPU (1U << 4)
#define LCB_F_MUTEX (1U << 5)

static __always_inline __u64 own_mmap_lock(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	if (!mm)
		return 0;
	return (__u64)&mm->mmap_lock;
}

SEC("tp_btf/contention_begin")
int BPF_PROG(ml_cbegin, void *lock, unsigned int flags)
{
	if (flags & (LCB_F_SPIN | LCB_F_RT | LCB_F_PERCPU | LCB_F_MUTEX))
		return 0; /* not an rwsem */
	if ((__u64)lock != own_mmap_lock())
		return 0;
	ml_wait_open();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ml_wait_rec *r = bpf_map_lookup_elem(&ml_waits, &tid);
	if (r)
		r->write = !!(flags & LCB_F_WRITE);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(ml_cend, void *lock, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ml_wait_rec *r = bpf_map_lookup_elem(&ml_waits, &tid);
	if (!r || (__u64)lock != own_mmap_lock())
		return 0;
	ml_wait_close(0, r->write, ret == 0);
	return 0;
}

SEC("tp_btf/mmap_lock_released")
int BPF_PROG(ml_released, struct mm_struct *mm, bool write)
{
	if (!write)
		return 0;
	__u64 key = (__u64)mm;
	struct ml_hold_rec *h = bpf_map_lookup_elem(&ml_holds, &key);
	if (!h)
		return 0;
	__u64 now = bpf_ktime_get_ns(), hold = now - h->start_ns;
	struct ml_last_rec last = {.release_ns = now};
	last.info.holder_tid = h->tid;
	last.info.holder_tgid = h->tgid;
	last.info.holder_where = h->where;
	last.info.holder_hold_ns = hold;
	last.info.holder_flags = h->flags;
	last.info.map_count = BPF_CORE_READ(mm, map_count);
	last.info.total_vm = BPF_CORE_READ(mm, total_vm);
	bpf_get_current_comm(last.info.holder_comm, sizeof(last.info.holder_comm));
	bpf_map_delete_elem(&ml_holds, &key);
	bpf_map_update_elem(&ml_last, &key, &last, BPF_ANY);
	bool fork = last.info.holder_flags && !(last.info.holder_flags & KS_CLONE_VM);
	struct ks_hist *hh = proc_hist(last.info.holder_tgid, KS_ML_HOLD, last.info.holder_where);
	if (hh)
		hist_add(hh, hold, last.info.holder_tid, fork, last.info.map_count);
	if (hold < threshold_ns)
		return 0;
	struct ks_event *e = event_new(KS_EV_WAIT, KS_ML_HOLD, hold, last.info.holder_where, last.info.holder_flags, 0);
	if (!e)
		return 0;
	__builtin_memcpy(e->path, &last.info, sizeof(last.info));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* With -p/-c, follow the watched processes' children. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(follow_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!filter_pids)
		return 0;
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	if (ptgid == ctgid || !bpf_map_lookup_elem(&pids, &ptgid))
		return 0;
	__u8 one = 1;
	bpf_map_update_elem(&pids, &ctgid, &one, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
