/* Types shared by kstall.bpf.c and user space. Only __u32/__u64, and no
 * includes but the lists beside it (kinds.h, stats.h): both sides include
 * it after their own type headers. */
#ifndef KSTALL_BPF_H
#define KSTALL_BPF_H

#define KS_COMM_LEN 16
#define KS_PATH_LEN 256
#define KS_HIST_SLOTS 32 /* log2 buckets of microseconds: [2^i, 2^(i+1)) us */
#define KS_NR_SOFTIRQS 10 /* HI .. RCU */
/* Interrupt-side times at least this long have the hypervisor's steal
 * taken out (irq.bpf.h); shorter ones cannot make a finding. */
#define KS_STEAL_FLOOR_NS 500000ull
/* path_syscalls values: the path argument (1 or 2), or'ed with this for
 * the syscalls that open a file. */
#define KS_PATH_OPENS 0x100

/* Kinds of wait, tracked by the same per-thread records: the list is
 * kinds.h, which user space compiles too (TR_* in src/collect/traced.h). */
enum ks_kind {
#define KS_KIND(id, value, name, family, what) KS_##id = value,
#include "kinds.h"
#undef KS_KIND
	KS_KIND_MAX, /* one past the last */
};

/* Counters of what kstall itself could not keep: the list is stats.h. */
enum ks_stat {
#define KS_STAT(id, field, what) KS_STAT_##id,
#include "stats.h"
#undef KS_STAT
	KS_STAT_MAX,
};

/* mmap_lock "where": the syscall number in the low 32 bits (KS_ML_NOSYS
 * outside a syscall), KS_ML_FAULT set when a page fault took the lock,
 * KS_ML_REMOTE when the lock was another address space's (a /proc/PID
 * read, process_vm_readv, ptrace, or a kernel thread). */
#define KS_ML_NOSYS 0xffffffffULL
#define KS_ML_FAULT (1ULL << 32)
#define KS_ML_REMOTE (1ULL << 33)

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

/* A CPU's ksoftirqd thread and when it was woken (0: not waiting). */
struct ks_ksd {
	__u32 pid;
	__u32 pad;
	__u64 woken_ns;
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
	__u64 untimed; /* of count, calls counted but not timed (mmap/munmap
			* calls not sampled): slots, sum_ns and max_ns are
			* the others' */
	__u32 max_tid;
	__u32 pad;
	char comm[KS_COMM_LEN];
};

/* Per CPU (irq_cpu): when each softirq vector was raised (first raise
 * since it last ran) and when it entered; when the running hardirq
 * entered; the histograms of the CPU's softirq runs and raise-to-run
 * waits by vector, its hard timers' lateness and its ksoftirqd's waits. */
struct ks_irq_cpu {
	__u64 raised[KS_NR_SOFTIRQS];
	__u64 entered[KS_NR_SOFTIRQS];
	__u64 hard_entered;
	/* This CPU's steal clock (ns the hypervisor did not run it; KVM
	 * guests, else 0) at the last hard timer, and that reading as it was
	 * when the softirq and the hardirq running now began and when each
	 * vector pending now was raised. A stretch at least KS_STEAL_FLOOR_NS
	 * long reads the clock again: what was stolen since is not the
	 * kernel's and is taken out (with the steal of up to a tick before
	 * the stretch began). */
	__u64 soft_steal, hard_steal, timer_steal;
	__u64 timer_steal_prev, timer_read_ns; /* the interrupt before's reading; when read */
	__u64 raise_steal[KS_NR_SOFTIRQS];
	struct ks_hist run[KS_NR_SOFTIRQS];
	struct ks_hist lat[KS_NR_SOFTIRQS];
	struct ks_hist late;
	struct ks_hist ksd;
};

/* The path syscalls of one process (map lookups, by tgid), or of the
 * exited processes of one parent and name, folded together as each exits
 * (lookup_groups, by struct ks_lookup_group): a shell loop's thousand
 * processes that each fail a few lookups, or open /proc/slabinfo once,
 * are one culprit, not a thousand harmless ones. Times are
 * bpf_ktime_get_ns(), 0 before the first. */
struct ks_lookup {
	__u64 failed;          /* ENOENT returns */
	__u64 calls;           /* all watched path syscalls */
	__u64 first_ns;        /* the first ENOENT */
	__u64 last_ns;         /* the latest */
	__u64 slab_opens;      /* successful opens of /proc/slabinfo */
	__u64 slab_first_ns;
	__u64 slab_last_ns;
	__u64 slab_gap_max_ns; /* the longest time between two of them */
	__u64 last_jiffies;    /* the tick last_ns was read in */
	__u32 tgid;            /* a group's: the last process folded in */
	__u32 ppid;            /* the parent's tgid at the first path syscall */
	__u32 procs;           /* processes: 1, or a group's */
	__u32 slab_procs;      /* of them, those that opened /proc/slabinfo */
	char comm[KS_COMM_LEN];
	char pcomm[KS_COMM_LEN]; /* the parent's name then */
};

struct ks_lookup_group {
	__u32 ppid;
	__u32 pad;
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

/* No implicit padding: the BPF target and user space must lay these out
 * alike, field for field, whatever their alignment rules. */
_Static_assert(sizeof(struct ks_hist_key) == 16, "struct ks_hist_key has padding");
_Static_assert(sizeof(struct ks_hist) == (KS_HIST_SLOTS + 6) * 8 + 8 + KS_COMM_LEN, "struct ks_hist has padding");
_Static_assert(sizeof(struct ks_lookup) == 9 * 8 + 4 * 4 + 2 * KS_COMM_LEN, "struct ks_lookup has padding");
_Static_assert(sizeof(struct ks_lookup_group) == 8 + KS_COMM_LEN, "struct ks_lookup_group has padding");
_Static_assert(sizeof(struct ks_ml_info) == 8 + 5 * 8 + KS_COMM_LEN, "struct ks_ml_info has padding");
_Static_assert(sizeof(struct ks_event) == 16 + 5 * 8 + KS_COMM_LEN + KS_PATH_LEN, "struct ks_event has padding");
/* An mmap_lock event carries its holder in place of the path. */
_Static_assert(sizeof(struct ks_ml_info) <= KS_PATH_LEN, "struct ks_ml_info does not fit in ks_event.path");

#endif
