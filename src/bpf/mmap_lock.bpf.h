/* mmap_lock (seed 000), per process.
 * Waits: start_locking opens a per-thread record, acquire_returned closes
 * it. Holds for writing: acquire_returned (write, success) stamps the mm,
 * released (write) measures the hold and keeps it as the mm's last writer,
 * so that a wait that ends can name the thread that held the lock across
 * it, its syscall, its clone flags and the process's size. Where the
 * mmap_lock tracepoints are missing, lock:contention_begin/end stand in
 * for the waits (no holders then). */
#ifndef KSTALL_MMAP_LOCK_BPF_H
#define KSTALL_MMAP_LOCK_BPF_H

#include "common.bpf.h"

/* Which syscalls create a process or thread here. */
const volatile long clone_nr = -1, clone3_nr = -1, fork_nr = -1, vfork_nr = -1;

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

/* Plain hashes, not LRU: an LRU hash evicts its oldest entries when a
 * CPU finds no free node, even with the map far from full, and under
 * the lock churn of a fork (the child's exec maps and unmaps) the oldest
 * entry was the fork's own hold, or the faulting thread's wait, 100 ms
 * old: forks went uncounted (3 of 8) and a seed-000 stall unseen. Every
 * entry is deleted when its wait or hold ends (a wait ends at
 * acquire_returned, success or not; a hold at its release or
 * downgrade); what cannot be stored is counted in stats. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ml_wait_rec);
} ml_waits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
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

/* This CPU's last fault: which thread, where, when. */
static __always_inline void fault_seen(unsigned long address)
{
	__u32 zero = 0;
	struct fault_rec *f = bpf_map_lookup_elem(&fault_cpu, &zero);
	if (f) {
		f->tid = (__u32)bpf_get_current_pid_tgid();
		f->addr = address;
		f->ts_ns = bpf_ktime_get_ns();
	}
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(ml_fault_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	fault_seen(address);
	return 0;
}

SEC("tp_btf/page_fault_kernel")
int BPF_PROG(ml_fault_kernel, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	fault_seen(address);
	return 0;
}

/* A fault can take the lock more than once (a retry after the per-VMA
 * lock or a first attempt failed): the record is not consumed, but must
 * be this thread's and recent. */
#define ML_FAULT_WINDOW_NS 1000000

/* Open a wait record for the current thread: where it is, and whether a
 * page fault of its own just asked for the lock. A fault takes it for
 * reading: a request for writing within the window (mmap, munmap right
 * after touching memory) is its syscall's, not a fault's. */
static __always_inline void ml_wait_open(bool write, bool remote)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return;
	__u32 tid = (__u32)id, zero = 0;
	struct ml_wait_rec r = {.start_ns = bpf_ktime_get_ns(), .where = current_syscall()};
	if (remote)
		r.where |= KS_ML_REMOTE;
	struct fault_rec *f = bpf_map_lookup_elem(&fault_cpu, &zero);
	if (!write && !remote && f && f->tid == tid && r.start_ns - f->ts_ns < ML_FAULT_WINDOW_NS) {
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
	struct task_struct *task = bpf_get_current_task_btf();
	ml_wait_open(write, mm != task->mm);
	return 0;
}

/* The write hold on mm ends (released, or downgraded to a read hold):
 * into the holder's histogram, the mm's last writer for waits that
 * overlapped it, an outlier to user space. */
static __always_inline void ml_hold_close(struct mm_struct *mm, __u64 key, struct ml_hold_rec *h)
{
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
		return;
	struct ks_event *e = event_new(KS_EV_WAIT, KS_ML_HOLD, hold, last.info.holder_where, last.info.holder_flags, 0);
	if (!e)
		return;
	__builtin_memcpy(e->path, &last.info, sizeof(last.info));
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/mmap_lock_acquire_returned")
int BPF_PROG(ml_acquired, struct mm_struct *mm, bool write, bool success)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	__u64 key = (__u64)mm;
	/* Only a hold of the task's own address space: fork's dup_mmap also
	 * write-locks the child's new mm, which nobody can wait for yet, and
	 * counting it too booked every fork twice to the parent. */
	struct task_struct *task = bpf_get_current_task_btf();
	if (!write && success) {
		/* mmap_write_downgrade (munmap, mremap, brk): a read hold
		 * acquired with no wait, by the writer itself; its write hold
		 * ends here, and no write release will come. */
		struct ml_hold_rec *h = bpf_map_lookup_elem(&ml_holds, &key);
		if (h && h->tid == tid) {
			ml_hold_close(mm, key, h);
			return 0;
		}
	}
	if (write && success && mm == task->mm && wanted(tgid)) {
		__u64 where = current_syscall();
		struct ml_hold_rec h = {.start_ns = bpf_ktime_get_ns(), .where = where,
					.flags = current_clone_flags(where), .tid = tid, .tgid = tgid};
		if (bpf_map_update_elem(&ml_holds, &key, &h, BPF_ANY))
			stat_inc(KS_STAT_WAITS_FULL);
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
	ml_wait_open(flags & LCB_F_WRITE, false);
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
	if (h)
		ml_hold_close(mm, key, h);
	return 0;
}

#endif
