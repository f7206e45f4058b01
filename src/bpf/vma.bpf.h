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

#define KS_MAP_ANONYMOUS 0x20 /* the same on every architecture kstall builds for */
#define KS_PAGE_ROUND(x) (((x) + 4095) & ~4095ULL)

static __always_inline void vma_enter(long nr, __u64 len, __u64 flags)
{
	if (nr == mmap_nr)
		wait_open_in(&vma_waits, KS_MMAP, KS_PAGE_ROUND(len), (flags & KS_MAP_ANONYMOUS) ? 1 : 0);
	else if (nr == munmap_nr)
		wait_open_in(&vma_waits, KS_MUNMAP, KS_PAGE_ROUND(len), 0);
}

static __always_inline void vma_exit(long nr, long ret)
{
	__u64 failed = ret < 0 && ret > -4096 ? 1 : 0;
	if (nr == mmap_nr)
		wait_close_in(&vma_waits, &vmops, KS_STAT_VMOPS_FULL, KS_MMAP, failed, 0);
	else if (nr == munmap_nr)
		wait_close_in(&vma_waits, &vmops, KS_STAT_VMOPS_FULL, KS_MUNMAP, failed, 0);
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
