// SPDX-License-Identifier: GPL-2.0
/* kstall's kernel side: one BPF object, one skeleton (build/kstall.skel.h),
 * loaded at once, whose parts are one file per mechanism:
 *
 *   common.bpf.h      the settings, the process filter, the per-thread wait
 *                     records, histograms, ring buffer and loss counters
 *                     every mechanism shares, and wait_open/wait_close
 *   reclaim.bpf.h     direct and memcg reclaim, shrinkers, kswapd
 *   vma.bpf.h         mmap and munmap calls, searches for room
 *   dcache.bpf.h      failed path lookups; opens of /proc/slabinfo
 *   irq.bpf.h         softirqs, hardirqs, ksoftirqd, hard timers run late
 *   writeback.bpf.h   balance_dirty_pages pauses, waits for writeback
 *   mmap_lock.bpf.h   mmap_lock waits and write holds
 *
 * and here, what serves more than one of them. The wait kinds are listed
 * in kinds.h, shared with user space through kstall.h.
 *
 * Every program is tp_btf (no tracefs, no kprobes) but the syscalls' own
 * tracepoints and balance_dirty_pages. User space switches off the ones
 * whose tracepoint the running kernel lacks. */
#include "common.bpf.h"
#include "reclaim.bpf.h"
#include "vma.bpf.h"
#include "dcache.bpf.h"
#include "irq.bpf.h"
#include "writeback.bpf.h"
#include "mmap_lock.bpf.h"

/* Raw sys_enter/sys_exit, for failed lookups and mmap/munmap at once:
 * every syscall on the host comes through here. Used only when the
 * per-syscall tracepoints cannot be attached. */
SEC("tp_btf/sys_enter")
int BPF_PROG(path_sys_enter, struct pt_regs *regs, long nr)
{
	if (nr < 0 || nr >= 512)
		return 0;
	if (raw_vma && (nr == mmap_nr || nr == munmap_nr)) {
		vma_enter(vma_kind(nr), (__u64)PT_REGS_PARM2_CORE_SYSCALL(regs), (__u64)PT_REGS_PARM4_CORE_SYSCALL(regs));
		return 0;
	}
	if (raw_lookups)
		path_enter(nr, (__u64)PT_REGS_PARM1_CORE_SYSCALL(regs), (__u64)PT_REGS_PARM2_CORE_SYSCALL(regs));
	return 0;
}

/* The syscall number at exit, to skip the per-thread map for syscalls
 * that take no path. */
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
	if (nr >= 0 && !path_argn(nr))
		return 0;
	path_exit(ret);
	return 0;
}

/* What the shared programs below run: set by user space from the groups
 * that run (one program per tracepoint, whatever serves it). */
const volatile bool wake_ksoftirqd = false, wake_writeback = false, exit_lookups = false;

/* Every wakeup on the host: a woken ksoftirqd starts its wait for the CPU
 * (irq), a paused writer's wait ends (writeback). */
SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *p)
{
	if (wake_ksoftirqd)
		ksoftirqd_woken(p);
	if (wake_writeback)
		wb_woken(p);
	return 0;
}

/* With -p/-c, follow the watched processes' children: the filter every
 * mechanism's wanted() reads. */
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

/* A process has exited (its last thread): its failed lookups leave their
 * map (dcache), and with -p/-c it leaves the filter, which so stays
 * bounded by the processes alive (a forking server's 4,096th child was
 * not followed), and a reused pid is not taken for a watched process. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	if (BPF_CORE_READ(p, signal, live.counter) > 0)
		return 0; /* other threads of the process still run */
	__u32 tgid = BPF_CORE_READ(p, tgid);
	if (exit_lookups)
		lookups_exit(tgid);
	if (filter_pids)
		bpf_map_delete_elem(&pids, &tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
