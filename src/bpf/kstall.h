/* Types shared by kstall.bpf.c and user space. Only __u32/__u64, no
 * includes: both sides include it after their own type headers. */
#ifndef KSTALL_BPF_H
#define KSTALL_BPF_H

#define KS_COMM_LEN 16
#define KS_PATH_LEN 256
#define KS_HIST_SLOTS 32
#define KS_NR_SOFTIRQS 10 /* HI .. RCU */ /* log2 buckets of microseconds: [2^i, 2^(i+1)) us */
/* path_syscalls values: the path argument (1 or 2), or'ed with this for
 * the syscalls that open a file. */
#define KS_PATH_OPENS 0x100

/* Kinds of wait; later issues add mmap_lock, dirty throttling, softirq,
 * run queue here, tracked by the same per-thread records. */
enum ks_kind {
	KS_DIRECT_RECLAIM = 1, /* a task reclaiming memory itself (global) */
	KS_MEMCG_RECLAIM = 2,  /* ... because its memory cgroup is at its limit */
	KS_SHRINKER = 3,       /* one slab shrinker call; detail = scan function */
	KS_KSWAPD = 4,         /* kswapd awake (wake .. sleep); detail = node */
	KS_MMAP = 5,           /* one mmap(2) call; detail = length (page-rounded) */
	KS_MUNMAP = 6,         /* one munmap(2) call; detail = length */
	KS_UNMAPPED_AREA = 7,  /* searches for room (vm_unmapped_area), per process; detail = 0 */
	/* Interrupt work, per CPU: the histogram key's tgid holds the CPU. */
	KS_SOFTIRQ = 8,        /* one softirq handler run; detail = vector */
	KS_SOFTIRQ_LAT = 9,    /* raise to run of a softirq vector; detail = vector */
	KS_HARDIRQ = 10,       /* one hardirq handler; detail = irq; comm = handler name */
	KS_KSOFTIRQD = 11,     /* a woken ksoftirqd waiting for its CPU; detail = 0 */
	KS_TIMER_LATE = 12,    /* a hard hrtimer run after its expiry time; detail = 0 */
	/* Per process again. */
	KS_SLABINFO = 13,      /* opens of /proc/slabinfo; duration = time since the previous one */
	/* Dirty throttling (seed 004), per process and device (detail: the
	 * superblock's or bdi's dev_t, major << 20 | minor). */
	KS_BDP = 14,           /* a balance_dirty_pages pause, tracepoint to wakeup;
				* extra1/extra2: sums of the bdi's dirty pages and setpoint */
	KS_BDP_PLAN = 15,      /* the same pauses as the kernel planned them: duration =
				* planned pause; extra1/extra2: sums of global dirty and limit */
	KS_WB_WAIT = 16,       /* a wait for a page under writeback (folio_wait_writeback to wakeup) */
	/* mmap_lock (seed 000), per process; detail: where (KS_ML_* below). */
	KS_ML_WAIT_READ = 17,  /* a wait to take a process's mmap_lock for reading */
	KS_ML_WAIT_WRITE = 18, /* ... for writing */
	KS_ML_HOLD = 19,       /* the lock held for writing; extra1: holds by a clone
				* without CLONE_VM (a fork); extra2: sum of map_count */
	KS_KIND_MAX = 20,
};

/* Counters of what kstall itself could not keep: never silent. */
enum ks_stat {
	KS_STAT_RINGBUF_LOST = 0,  /* outlier or path events dropped: ring full */
	KS_STAT_HIST_FULL,         /* histogram map full: a wait not aggregated */
	KS_STAT_WAITS_FULL,        /* per-thread record map full */
	KS_STAT_LOOKUPS_FULL,      /* failed-lookup map full */
	KS_STAT_PATHS_SAMPLED,     /* paths sent for pattern analysis */
	KS_STAT_PATHS_UNSAMPLED,   /* failed lookups counted but not sampled (budget) */
	KS_STAT_VMOPS_FULL,        /* mmap/munmap map full: a call not aggregated */
	KS_STAT_IRQS_FULL,         /* per-CPU irq histogram map full */
	KS_STAT_MAX,
};

/* mmap_lock "where": the syscall number in the low 32 bits (KS_ML_NOSYS
 * outside a syscall), KS_ML_FAULT set when a page fault took the lock. */
#define KS_ML_NOSYS 0xffffffffULL
#define KS_ML_FAULT (1ULL << 32)

/* In a KS_EV_WAIT event of kind KS_ML_WAIT_* or KS_ML_HOLD, in place of
 * the path: the thread that held the lock for writing across the wait
 * (holder_tid 0 if none was seen), or, for a hold, the process's size. */
struct ks_ml_info {
	__u32 holder_tid, holder_tgid;
	__u64 holder_where;   /* as detail */
	__u64 holder_hold_ns;
	__u64 holder_flags;   /* clone flags when the holder was cloning */
	__u64 map_count;      /* the process's VMAs when the holder released */
	__u64 total_vm;       /* pages mapped then */
	char holder_comm[KS_COMM_LEN];
};

struct ks_hist_key {
	__u32 tgid;
	__u32 kind;
	__u64 detail;
};

struct ks_hist {
	__u64 slots[KS_HIST_SLOTS];
	__u64 count;
	__u64 sum_ns;
	__u64 max_ns;
	__u64 extra1; /* reclaim: pages reclaimed; shrinker: objects freed;
		       * mmap/munmap/search: calls that failed */
	__u64 extra2; /* shrinker: objects scanned; mmap: anonymous mappings */
	__u32 max_tid;
	__u32 pad;
	char comm[KS_COMM_LEN];
};

struct ks_lookup {
	__u64 failed;   /* ENOENT returns */
	__u64 calls;    /* all watched path syscalls */
	char comm[KS_COMM_LEN];
};

enum ks_event_type { KS_EV_WAIT = 1, KS_EV_PATH = 2 };

struct ks_event {
	__u32 type;
	__u32 kind;
	__u32 tid;
	__u32 tgid;
	__u64 ts_ns;
	__u64 dur_ns;
	__u64 detail;
	__u64 extra1;
	__u64 extra2;
	char comm[KS_COMM_LEN];
	char path[KS_PATH_LEN]; /* KS_EV_PATH only */
};

#endif
