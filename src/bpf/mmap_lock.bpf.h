/* mmap_lock (seed 000), per process.
 *
 * Two ways, by what the kernel has:
 *
 * Cheap (ml_cheap: the mmap_lock tracepoints and lock:contention_begin/end,
 * 5.19+). Nearly every acquisition is uncontended and costs one compare:
 * a thread's wait for its own process's lock comes from contention_begin/
 * end, which the kernel fires only when the waiter is about to sleep. A
 * write hold is measured only where it can matter: a fork's (dup_mmap
 * write-locks the parent's lock, then the child's new mm: a thread in
 * clone/fork/vfork that takes another mm's lock for writing holds its
 * own; an acquisition of one's own lock costs one compare, for writing
 * too), and one that a thread
 * sleeps behind (its owner read from the rwsem at contention_begin; the
 * hold is then measured from the first wait, a lower bound). While no hold is open, a release or a read
 * acquisition costs one more load (ml_nholds). A wait for another
 * process's lock (a /proc reader's) is timed from start_locking to
 * acquire_returned, as those are rare.
 *
 * Full (5.12 to 5.18: the mmap_lock tracepoints only). Every wait is timed
 * from start_locking to acquire_returned, every write hold from
 * acquire_returned to released (or to a downgrade).
 *
 * Either way a wait goes into a per-process histogram only when it is
 * long enough to have slept (ML_SLEPT_NS), and a hold only when it is a
 * fork's, was waited for, or (the full way) was that long: a loop
 * of short-lived processes, each taking its lock a few hundred times
 * uncontended, filled the histogram map and blinded the rest. A wait that
 * ends names the thread that held the lock across it (ml_last). Where the
 * mmap_lock tracepoints are missing, lock:contention_begin/end alone
 * give the waits (no holders then). */
#ifndef KSTALL_MMAP_LOCK_BPF_H
#define KSTALL_MMAP_LOCK_BPF_H

#include "common.bpf.h"

/* Which syscalls create a process or thread here. */
const volatile long clone_nr = -1, clone3_nr = -1, fork_nr = -1, vfork_nr = -1;

#define KS_CLONE_VM 0x100
#define KS_CLONE_VFORK 0x4000

/* See the top: set by user space where contention_begin/end run beside
 * the mmap_lock tracepoints. */
const volatile bool ml_cheap = false;

/* Waits and holds shorter than this never slept behind another holder
 * (the detector's ML_CONTENDED_SLOT): they make no histogram. */
#define ML_SLEPT_NS 64000ULL

#define ML_EEXIST 17 /* EEXIST: vmlinux.h has no errno values */

/* Hold records open (cheap way): none, and a release costs one load. */
__s64 ml_nholds = 0;

struct ml_wait_rec {
	__u64 start_ns;
	__u64 where;
	__u64 fault_addr;
	__u32 write; /* contention_begin path: the waiter wants to write */
	__u32 pad;
};

struct ml_hold_rec {
	__u64 start_ns;
	__u32 tid, tgid; /* the holder */
	__u32 waiter;    /* the thread whose wait opened it (cheap way), or 0 */
	__u32 fork;      /* opened by a fork's dup_mmap */
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
	__u64 jiffies; /* cheaper than the clock; the window is a tick */
	__u64 user_ip; /* where user space was: the fault's, or its syscall's */
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fault_rec);
} fault_cpu SEC(".maps");

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

/* This CPU's last fault: which thread, where, when, from where in user
 * space (the faulting instruction; for a fault in the kernel, the
 * syscall's return address). */
static __always_inline void fault_seen(unsigned long address, __u64 user_ip)
{
	__u32 zero = 0;
	struct fault_rec *f = bpf_map_lookup_elem(&fault_cpu, &zero);
	if (f) {
		f->tid = (__u32)bpf_get_current_pid_tgid();
		f->addr = address;
		f->jiffies = bpf_jiffies64();
		f->user_ip = user_ip;
	}
}

/* Where the current thread's user space is (its entry frame). */
static __always_inline __u64 current_user_ip(void)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return PT_REGS_IP_CORE(regs);
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(ml_fault_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	fault_seen(address, PT_REGS_IP(regs));
	return 0;
}

SEC("tp_btf/page_fault_kernel")
int BPF_PROG(ml_fault_kernel, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	fault_seen(address, current_user_ip());
	return 0;
}

/* A fault can take the lock more than once (a retry after the per-VMA
 * lock or a first attempt failed): the record is not consumed, but must
 * be this thread's, of this tick or the one before, and from where its
 * user space still is: a syscall right after a fault (mincore after a
 * touch) is elsewhere. */
#define ML_FAULT_WINDOW_JIFFIES 1

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
	struct ml_wait_rec r = {.start_ns = bpf_ktime_get_ns(), .where = current_syscall(), .write = write};
	if (remote)
		r.where |= KS_ML_REMOTE;
	struct fault_rec *f = bpf_map_lookup_elem(&fault_cpu, &zero);
	if (!write && !remote && f && f->tid == tid && bpf_jiffies64() - f->jiffies <= ML_FAULT_WINDOW_JIFFIES &&
	    f->user_ip == current_user_ip()) {
		r.where |= KS_ML_FAULT;
		r.fault_addr = f->addr;
	}
	if (bpf_map_update_elem(&ml_waits, &tid, &r, BPF_ANY))
		stat_inc(KS_STAT_WAITS_FULL);
}

/* Close it: a wait that slept into the process's histogram, an outlier
 * with the mm's last writer (if it released during the wait) to user
 * space. */
static __always_inline void ml_wait_close(__u64 key, bool success)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct ml_wait_rec *r = bpf_map_lookup_elem(&ml_waits, &tid);
	if (!r)
		return;
	__u64 wait = now - r->start_ns, where = r->where, addr = r->fault_addr, start = r->start_ns;
	__u32 kind = r->write ? KS_ML_WAIT_WRITE : KS_ML_WAIT_READ;
	bpf_map_delete_elem(&ml_waits, &tid);
	if (!success || wait < ML_SLEPT_NS)
		return;
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

/* Open a write hold of mm by (tid, tgid), counted if the map is full.
 * Only one thread holds the lock for writing: a record of mm that names
 * another holder is stale (its end was missed, or its mm was freed and
 * the address reused) and is replaced, or it would keep this hold, a
 * fork's too, from ever closing. One naming this holder keeps its start
 * (a later waiter finds the hold measured already). */
static __always_inline void ml_hold_open(__u64 key, __u32 tid, __u32 tgid, __u32 waiter, bool fork)
{
	struct ml_hold_rec h = {.start_ns = bpf_ktime_get_ns(), .tid = tid, .tgid = tgid, .waiter = waiter,
				.fork = fork};
	if (ml_cheap) {
		struct ml_hold_rec *o = bpf_map_lookup_elem(&ml_holds, &key);
		if (o && o->tid == tid) {
			o->fork |= fork;
			return;
		}
		if (o) {
			*o = h;
			return;
		}
	}
	long err = bpf_map_update_elem(&ml_holds, &key, &h, ml_cheap ? BPF_NOEXIST : BPF_ANY);
	if (!err && ml_cheap)
		__sync_fetch_and_add(&ml_nholds, 1);
	else if (err && err != -ML_EEXIST)
		stat_inc(KS_STAT_WAITS_FULL);
}

static __always_inline void ml_hold_drop(__u64 key)
{
	if (!bpf_map_delete_elem(&ml_holds, &key) && ml_cheap)
		__sync_fetch_and_add(&ml_nholds, -1);
}

/* The current thread's write hold on mm ends (released, or downgraded to
 * a read hold): into the holder's histogram if it is a fork's, was
 * waited for, or (the full way) was long enough to be; the mm's last
 * writer for waits that overlapped it; an outlier to user space. */
static __always_inline void ml_hold_close(struct mm_struct *mm, __u64 key, struct ml_hold_rec *h)
{
	__u64 now = bpf_ktime_get_ns(), hold = now - h->start_ns, where = current_syscall();
	bool fork = h->fork;
	struct ml_last_rec last = {.release_ns = now};
	last.info.holder_tid = h->tid;
	last.info.holder_tgid = h->tgid;
	last.info.holder_where = where;
	last.info.holder_hold_ns = hold;
	last.info.holder_flags = current_clone_flags(where);
	last.info.map_count = BPF_CORE_READ(mm, map_count);
	last.info.total_vm = BPF_CORE_READ(mm, total_vm);
	bpf_get_current_comm(last.info.holder_comm, sizeof(last.info.holder_comm));
	ml_hold_drop(key);
	bpf_map_update_elem(&ml_last, &key, &last, BPF_ANY);
	if (!ml_cheap)
		fork = last.info.holder_flags && !(last.info.holder_flags & KS_CLONE_VM);
	/* the cheap way opens no other hold than a fork's or one waited for */
	if (!fork && !ml_cheap && hold < ML_SLEPT_NS)
		return;
	struct ks_hist *hh = proc_hist(last.info.holder_tgid, KS_ML_HOLD, where);
	if (hh)
		hist_add(hh, hold, last.info.holder_tid, fork, last.info.map_count);
	if (hold < threshold_ns)
		return;
	struct ks_event *e = event_new(KS_EV_WAIT, KS_ML_HOLD, hold, where, last.info.holder_flags, 0);
	if (!e)
		return;
	__builtin_memcpy(e->path, &last.info, sizeof(last.info));
	bpf_ringbuf_submit(e, 0);
}

/* A thread is about to sleep for mm's lock (cheap way): if a writer
 * holds it, its hold is measured from now, unless it is measured
 * already. The owner is the rwsem's (count bit 0: held for writing). */
static __always_inline void ml_hold_waited(struct mm_struct *mm, __u32 waiter)
{
	if (!(BPF_CORE_READ(mm, mmap_lock.count.counter) & 1))
		return; /* held for reading: nobody to name */
	struct task_struct *o = (struct task_struct *)(BPF_CORE_READ(mm, mmap_lock.owner.counter) & ~7L);
	__u32 tid = BPF_CORE_READ(o, pid), tgid = BPF_CORE_READ(o, tgid);
	if (tid && wanted(tgid))
		ml_hold_open((__u64)mm, tid, tgid, waiter, false);
}

/* The thread's wait is over: a hold it opened that its holder never
 * closed (the owner released between the test and the record) goes. */
static __always_inline void ml_hold_unwaited(__u64 key, __u32 waiter)
{
	struct ml_hold_rec *h = bpf_map_lookup_elem(&ml_holds, &key);
	if (h && h->waiter == waiter)
		ml_hold_drop(key);
}

/* A wait for mm's lock begins (start_locking for another process's lock,
 * contention_begin for one's own) and ends (acquire_returned,
 * contention_end): the thread's record, and the cheap way's hold of the
 * writer it waits behind. */
static __always_inline void ml_wait_begin(struct mm_struct *mm, bool write, bool remote)
{
	ml_wait_open(write, remote);
	if (ml_cheap)
		ml_hold_waited(mm, (__u32)bpf_get_current_pid_tgid());
}

static __always_inline void ml_wait_end(__u64 key, bool success)
{
	ml_wait_close(key, success);
	if (ml_cheap)
		ml_hold_unwaited(key, (__u32)bpf_get_current_pid_tgid());
}

SEC("tp_btf/mmap_lock_start_locking")
int BPF_PROG(ml_start, struct mm_struct *mm, bool write)
{
	struct task_struct *task = bpf_get_current_task_btf();
	bool remote = mm != task->mm;
	if (ml_cheap && !remote)
		return 0; /* contention_begin says if it waits */
	ml_wait_begin(mm, write, remote);
	return 0;
}

/* Cheap way, another mm's lock taken for writing: in clone, fork or vfork
 * that is dup_mmap locking the child's new mm, right after it locked the
 * parent's (nothing runs between but a cache flush and uprobes' copy), so
 * the fork's hold of the parent's lock is timed from here. Opening it at
 * the parent's own write acquisition instead cost every write acquisition
 * (mmap, munmap, brk) the syscall number: 118 ns against 66 for an empty
 * program under mmap/munmap churn. (Forks the test once found missing
 * came after its watch had ended.) Another remote write acquisition
 * (exec's new mm, in execve) costs the syscall number; it is rare. */
static __always_inline void ml_fork_hold(struct mm_struct *own)
{
	__u64 id = bpf_get_current_pid_tgid();
	if (own && current_clone_flags(current_syscall()) && wanted(id >> 32))
		ml_hold_open((__u64)own, (__u32)id, id >> 32, 0, true);
}

SEC("tp_btf/mmap_lock_acquire_returned")
int BPF_PROG(ml_acquired, struct mm_struct *mm, bool write, bool success)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 key = (__u64)mm;
	if (ml_cheap && mm != task->mm) {
		ml_wait_end(key, success); /* a remote wait */
		if (write && success)
			ml_fork_hold(task->mm);
		return 0;
	}
	if (ml_cheap && write)
		return 0;
	if (ml_cheap && ml_nholds <= 0)
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
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
	if (ml_cheap)
		return 0;
	/* Only a hold of the task's own address space: fork's dup_mmap also
	 * write-locks the child's new mm, which nobody can wait for yet, and
	 * counting it too booked every fork twice to the parent. */
	if (write && success && mm == task->mm && wanted(tgid))
		ml_hold_open(key, tid, tgid, 0, false);
	ml_wait_close(key, success);
	return 0;
}

/* lock:contention_begin/end: a contended rwsem is this process's
 * mmap_lock if its address is &current->mm->mmap_lock, as perf lock
 * contention tells. Only waits that sleep, for one's own process. The
 * cheap way's waits, and where the mmap_lock tracepoints are missing
 * (5.19 to 5.x) the only ones, with no holder then. */
#define LCB_F_SPIN (1U << 0)
#define LCB_F_WRITE (1U << 2)
#define LCB_F_RT (1U << 3)
#define LCB_F_PERCPU (1U << 4)
#define LCB_F_MUTEX (1U << 5)

/* The current process's mm if lock is its mmap_lock, else NULL. */
static __always_inline struct mm_struct *own_lock_mm(void *lock)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm;
	return mm && lock == &mm->mmap_lock ? mm : NULL;
}

SEC("tp_btf/contention_begin")
int BPF_PROG(ml_cbegin, void *lock, unsigned int flags)
{
	if (flags & (LCB_F_SPIN | LCB_F_RT | LCB_F_PERCPU | LCB_F_MUTEX))
		return 0; /* not an rwsem */
	struct mm_struct *mm = own_lock_mm(lock);
	if (mm)
		ml_wait_begin(mm, flags & LCB_F_WRITE, false);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(ml_cend, void *lock, int ret)
{
	struct mm_struct *mm = own_lock_mm(lock);
	if (mm)
		ml_wait_end((__u64)mm, ret == 0);
	return 0;
}

SEC("tp_btf/mmap_lock_released")
int BPF_PROG(ml_released, struct mm_struct *mm, bool write)
{
	if (!write || (ml_cheap && ml_nholds <= 0))
		return 0;
	__u64 key = (__u64)mm;
	struct ml_hold_rec *h = bpf_map_lookup_elem(&ml_holds, &key);
	if (h && h->tid == (__u32)bpf_get_current_pid_tgid())
		ml_hold_close(mm, key, h);
	return 0;
}

#endif
