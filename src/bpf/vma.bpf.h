/* Address-space operations (seed 001): each mmap and munmap call is a
 * short wait of its own kind, keyed by its length, so that the same size
 * mapped and unmapped over and over shows as a pair of histograms with
 * the same detail; searches for room (vm_unmapped_area) are counted per
 * process. The syscalls' own tracepoints call vma_enter/vma_exit, or the
 * raw sys_enter/sys_exit fallback in kstall.bpf.c does when raw_vma. */
#ifndef KSTALL_VMA_BPF_H
#define KSTALL_VMA_BPF_H

#include "common.bpf.h"

/* Their numbers on this architecture, and whether the raw
 * sys_enter/sys_exit programs handle them. */
const volatile long mmap_nr = -1;
const volatile long munmap_nr = -1;
const volatile bool raw_vma = false;
/* Task-local storage (5.11+; probed): the call in progress kept on the
 * thread itself. */
const volatile bool vma_ts = false;
/* One call in vma_time_mask + 1 on each CPU is timed; the others are
 * counted at their exit alone, their length and flags read from the
 * task's saved registers (bpf_task_pt_regs, 5.15+): two clock reads
 * cost more than the rest of the pair here (110 ns each). 0: every call
 * is timed (where the registers cannot be read, or KSTALL_VMA_TIME_ALL). */
const volatile __u32 vma_time_mask = 0;

/* The mmap or munmap call in progress, per thread: in task-local storage
 * where the kernel has it (a cached lookup on the task, no hashing, no
 * lock, nothing to delete: the record is marked done and freed with the
 * thread), else in a plain hash, cheaper per call than the LRU that waits
 * uses. The hash's entry, when it is used, is made at entry and deleted
 * at exit: a hash update and a lookup and delete per call cost 5 to 7
 * times an empty program here. A call always returns through sys_exit,
 * even when its thread is being killed, so hash records do not leak in
 * practice; if the map ever filled, the calls that did not fit are
 * counted in waits_full. */
struct vma_call {
	__u64 start_ns;
	__u64 len;
	__u32 kind; /* 0: no call in progress */
	__u32 anon;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vma_call);
} vma_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct vma_call);
} vma_waits SEC(".maps");

/* Per CPU: calls seen, for the 1-in-N choice of the timed ones. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} vma_tick SEC(".maps");

/* mmap, munmap and searches for room, per (process, kind, length):
 * apart from hists, so a process mapping many sizes cannot crowd out
 * the reclaim histograms. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ks_hist_key);
	__type(value, struct ks_hist);
} vmops SEC(".maps");

#define KS_MAP_ANONYMOUS 0x20 /* the same on every architecture kstall builds for */
#define KS_PAGE_ROUND(x) (((x) + 4095) & ~4095ULL)

static __always_inline __u32 vma_kind(long nr)
{
	return nr == mmap_nr ? KS_MMAP : nr == munmap_nr ? KS_MUNMAP : 0;
}

static __always_inline void vma_enter(__u32 kind, __u64 len, __u64 flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!kind || !wanted(id >> 32))
		return;
	if (vma_time_mask) {
		__u32 zero = 0, *n = bpf_map_lookup_elem(&vma_tick, &zero);
		if (n && (*n)++ & vma_time_mask)
			return; /* counted at its exit */
	}
	struct vma_call c = {.len = KS_PAGE_ROUND(len), .kind = kind,
			     .anon = kind == KS_MMAP && (flags & KS_MAP_ANONYMOUS) ? 1 : 0};
	if (vma_ts) {
		struct vma_call *r = bpf_task_storage_get(&vma_task, bpf_get_current_task_btf(), NULL,
							  BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!r) {
			stat_inc(KS_STAT_WAITS_FULL);
			return;
		}
		*r = c;
		r->start_ns = bpf_ktime_get_ns();
		return;
	}
	__u32 tid = (__u32)id;
	c.start_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&vma_waits, &tid, &c, BPF_ANY))
		stat_inc(KS_STAT_WAITS_FULL);
}

/* A return value that is an error (-4095 to -1). */
static __always_inline bool vma_failed(long ret)
{
	return ret < 0 && ret > -4096;
}

/* A call not timed: its length (the second argument of both) and, for
 * mmap, its flags (the fourth) from the registers the task entered the
 * kernel with, which the kernel leaves as user space set them. Also a
 * call already in progress when tracing began. */
static __always_inline void vma_count_untimed(__u32 kind, __u64 id, long ret)
{
	if (!wanted(id >> 32))
		return;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	struct ks_hist_key hk = {.tgid = id >> 32, .kind = kind, .detail = KS_PAGE_ROUND(PT_REGS_PARM2_SYSCALL(regs))};
	__u64 anon = kind == KS_MMAP && (PT_REGS_PARM4_SYSCALL(regs) & KS_MAP_ANONYMOUS) ? 1 : 0;
	struct ks_hist *h = hist_get_in(&vmops, &hk, KS_STAT_VMOPS_FULL);
	if (!h)
		return;
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->untimed, 1);
	if (vma_failed(ret))
		__sync_fetch_and_add(&h->extra1, 1);
	if (anon)
		__sync_fetch_and_add(&h->extra2, 1);
}

static __always_inline void vma_exit(long nr, long ret)
{
	__u32 kind = vma_kind(nr);
	if (!kind)
		return;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct vma_call *r = vma_ts ? bpf_task_storage_get(&vma_task, bpf_get_current_task_btf(), NULL, 0)
				    : bpf_map_lookup_elem(&vma_waits, &tid);
	if (!r || r->kind != kind) {
		if (vma_time_mask)
			vma_count_untimed(kind, id, ret);
		return;
	}
	__u64 dur = bpf_ktime_get_ns() - r->start_ns;
	struct ks_hist_key hk = {.tgid = id >> 32, .kind = kind, .detail = r->len};
	__u64 anon = r->anon;
	if (vma_ts)
		r->kind = 0;
	else
		bpf_map_delete_elem(&vma_waits, &tid);
	struct ks_hist *h = hist_get_in(&vmops, &hk, KS_STAT_VMOPS_FULL);
	if (h)
		hist_add(h, dur, tid, vma_failed(ret) ? 1 : 0, anon);
}

/* The context is the event record: the length (args[1]) and mmap's flags
 * (args[3]) are read directly, a program each: munmap's record has two
 * arguments, and the kernel refuses to attach a program that reads past
 * an event's record (EACCES). One program for both once read mmap's
 * flags through a probe read, 50 ns a call here. */
SEC("tracepoint")
int vma_tp_enter_mmap(struct syscall_trace_enter *ctx)
{
	vma_enter(KS_MMAP, ctx->args[1], ctx->args[3]);
	return TP_PASS;
}

SEC("tracepoint")
int vma_tp_enter_munmap(struct syscall_trace_enter *ctx)
{
	vma_enter(KS_MUNMAP, ctx->args[1], 0);
	return TP_PASS;
}

SEC("tracepoint")
int vma_tp_exit(struct syscall_trace_exit *ctx)
{
	vma_exit(ctx->nr, ctx->ret);
	return TP_PASS;
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

#endif
