/* What live tracing saw over a window: plain data, so that live tracing
 * and (later) recordings feed the same detectors. Filled by src/trace. */
#ifndef KSTALL_TRACED_H
#define KSTALL_TRACED_H

#include "../lib/util.h"
#include "../model/pattern.h"

#define TR_HIST_SLOTS 32 /* log2 buckets of microseconds */

enum tr_kind {
	TR_DIRECT_RECLAIM = 1,
	TR_MEMCG_RECLAIM = 2,
	TR_SHRINKER = 3,
	TR_KSWAPD = 4,
	TR_MMAP = 5,          /* detail: length; extra1: failed; extra2: anonymous */
	TR_MUNMAP = 6,        /* detail: length; extra1: failed */
	TR_UNMAPPED_AREA = 7, /* searches for room, per process (detail 0); extra1: none found */
	/* Per CPU (tgid holds the CPU): */
	TR_SOFTIRQ = 8,       /* softirq handler runs; detail: vector */
	TR_SOFTIRQ_LAT = 9,   /* raise to run; detail: vector */
	TR_HARDIRQ = 10,      /* hardirq handler runs; detail: irq; comm: handler name */
	TR_KSOFTIRQD = 11,    /* woken ksoftirqd waiting for its CPU; max_tid: its pid */
	TR_TIMER_LATE = 12,   /* hard hrtimers run after their expiry: how late */
	/* Per process. */
	TR_SLABINFO = 13,     /* opens of /proc/slabinfo; duration: since the previous
			       * open; extra1: opens with no earlier one traced */
	/* Dirty throttling, per process and device (detail: dev_t, major <<
	 * 20 | minor, of the bdi or the file's superblock). */
	TR_BDP = 14,          /* balance_dirty_pages pauses as slept; extra1/extra2:
			       * sums of the bdi's dirty pages and setpoint */
	TR_BDP_PLAN = 15,     /* the same pauses as planned; extra1/extra2: sums of
			       * global dirty pages and the global limit */
	TR_WB_WAIT = 16,      /* waits for a page under writeback */
	/* mmap_lock, per process; detail: where (TR_ML_* below). */
	TR_ML_WAIT_READ = 17,
	TR_ML_WAIT_WRITE = 18,
	TR_ML_HOLD = 19,      /* held for writing; extra1: holds by a fork (clone
			       * without CLONE_VM); extra2: sum of map_count */
};
const char *tr_kind_name(unsigned kind);
/* mmap, munmap or a search for room: address-space operations, not waits. */
static inline bool tr_kind_is_vmop(unsigned kind)
{
	return kind == TR_MMAP || kind == TR_MUNMAP || kind == TR_UNMAPPED_AREA;
}
/* Interrupt work: histograms per CPU, not per process. */
static inline bool tr_kind_is_writeback(unsigned kind)
{
	return kind == TR_BDP || kind == TR_BDP_PLAN || kind == TR_WB_WAIT;
}

static inline unsigned tr_dev_major(uint64_t dev) { return (unsigned)(dev >> 20); }
static inline unsigned tr_dev_minor(uint64_t dev) { return (unsigned)(dev & 0xfffff); }

/* "accept", "page fault in accept", "page fault", "syscall 999"... */
const char *tr_ml_where(uint64_t where, char *out, size_t n);
/* The name of syscall nr on this build's architecture, or NULL. */
const char *tr_syscall_name(long nr);

static inline bool tr_kind_is_mmap_lock(unsigned kind)
{
	return kind == TR_ML_WAIT_READ || kind == TR_ML_WAIT_WRITE || kind == TR_ML_HOLD;
}

static inline bool tr_kind_is_irq(unsigned kind)
{
	return kind == TR_SOFTIRQ || kind == TR_SOFTIRQ_LAT || kind == TR_HARDIRQ || kind == TR_KSOFTIRQD ||
	       kind == TR_TIMER_LATE;
}
/* "NET_RX" for a softirq vector number, "?" past the known ones. */
const char *tr_softirq_name(uint64_t vec);

struct tr_hist {
	uint32_t tgid;
	unsigned kind;
	uint64_t detail;   /* shrinker: scan function address; kswapd: node; mmap: length */
	char name[96];     /* detail resolved: shrinker symbol; "" if none */
	char comm[16];
	uint64_t slots[TR_HIST_SLOTS];
	uint64_t count, sum_ns, max_ns, extra1, extra2;
	uint32_t max_tid;
};

struct tr_lookup {
	uint32_t tgid;
	char comm[16];
	uint64_t failed, calls;
	struct pattern_set patterns; /* from sampled paths */
};

/* where: the syscall number in the low 32 bits (TR_ML_NOSYS outside a
 * syscall); TR_ML_FAULT when a page fault took the lock. */
#define TR_ML_NOSYS 0xffffffffULL
#define TR_ML_FAULT (1ULL << 32)

/* An mmap_lock outlier's holder: the thread that held the lock for
 * writing across a wait (or, for a hold, the holder itself). */
struct tr_ml_holder {
	bool present;
	uint32_t tid, tgid;
	uint64_t where, hold_ns, flags, map_count, total_vm;
	char comm[16];
};

struct tr_event {
	unsigned kind;
	uint32_t tid, tgid;
	char comm[16];
	double t_s; /* seconds since the window started */
	uint64_t dur_ns, detail, extra1, extra2;
	char name[96];
	struct tr_ml_holder ml; /* mmap_lock kinds */
};

#define TR_MAX_EVENTS 4096

struct traced {
	double duration_s;
	double threshold_ms;
	struct tr_hist *hists;
	size_t nhists, caphists;
	struct tr_lookup *lookups;
	size_t nlookups, caplookups;
	struct tr_event *events; /* outliers, the first TR_MAX_EVENTS */
	size_t nevents, capevents;
	uint64_t events_not_kept; /* outliers past TR_MAX_EVENTS (counted) */
	/* kernel-side losses, by enum ks_stat */
	uint64_t ringbuf_lost, hist_full, waits_full, lookups_full, paths_sampled, paths_unsampled, vmops_full;
	/* kstall's own cost */
	bool has_bpf_stats;
	double bpf_run_s;   /* time in kstall's BPF programs, whole window (estimated) */
	uint64_t bpf_run_cnt; /* program runs, whole window (estimated) */
	double bpf_stats_sampled_s; /* seconds the kernel's statistics were on */
	double user_cpu_s;  /* kstall's own CPU time */
	uint64_t paths_not_kept;   /* path samples of processes past the user-side cap */
	uint64_t vmops_pruned;     /* mmap/munmap calls of exited processes not kept (few each) */
	uint64_t irqs_full;        /* interrupt histograms not kept: map full */
	/* what ran */
	unsigned groups;     /* TG_* bits of src/trace/trace.h */
	unsigned nattached;  /* BPF programs loaded */
};

void traced_free(struct traced *t);
/* qsort comparator for arrays of const struct tr_lookup *: most failures first. */
int tr_lookup_cmp_failed(const void *a, const void *b);
/* Percentile (0..1) of a log2-µs histogram, in seconds (upper bucket edge). */
double tr_hist_quantile(const struct tr_hist *h, double q);

#endif
