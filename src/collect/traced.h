/* What live tracing saw over a window: plain data, so that live tracing
 * and recordings feed the same detectors. Filled by src/trace, read back
 * from recordings by src/record. */
#ifndef KSTALL_TRACED_H
#define KSTALL_TRACED_H

#include "../lib/util.h"
#include "../model/pattern.h"

#define TR_HIST_SLOTS 32 /* log2 buckets of microseconds */

/* The kinds of wait: KS_* on the BPF side, one list for both,
 * src/bpf/kinds.h (what detail, extra1 and extra2 hold for each). */
enum tr_kind {
#define KS_KIND(id, value, name, family, what) TR_##id = value,
#include "../bpf/kinds.h"
#undef KS_KIND
	TR_KIND_END, /* one past the last */
};
/* "direct_reclaim", ...: the kind's name in JSON and recordings;
 * "unknown" for a value not in the list. */
const char *tr_kind_name(unsigned kind);
/* A kind's shape, from its FAMILY in src/bpf/kinds.h. */
enum tr_family { TR_FAMILY_NONE, TR_FAMILY_WAIT, TR_FAMILY_VMOP, TR_FAMILY_CPU, TR_FAMILY_WRITEBACK, TR_FAMILY_MMAP_LOCK };
static inline enum tr_family tr_kind_family(unsigned kind)
{
	switch (kind) {
#define KS_KIND(id, value, name, family, what) \
	case TR_##id:                          \
		return TR_FAMILY_##family;
#include "../bpf/kinds.h"
#undef KS_KIND
	default:
		return TR_FAMILY_NONE;
	}
}
/* mmap, munmap or a search for room: address-space operations, not waits. */
static inline bool tr_kind_is_vmop(unsigned kind) { return tr_kind_family(kind) == TR_FAMILY_VMOP; }
/* Dirty throttling: histograms per process and device. */
static inline bool tr_kind_is_writeback(unsigned kind) { return tr_kind_family(kind) == TR_FAMILY_WRITEBACK; }

static inline unsigned tr_dev_major(uint64_t dev) { return (unsigned)(dev >> 20); }
static inline unsigned tr_dev_minor(uint64_t dev) { return (unsigned)(dev & 0xfffff); }

/* "accept", "page fault in accept", "page fault", "syscall 999"... */
const char *tr_ml_where(uint64_t where, char *out, size_t n);
/* The name of syscall nr on this build's architecture, or NULL. */
const char *tr_syscall_name(long nr);

static inline bool tr_kind_is_mmap_lock(unsigned kind) { return tr_kind_family(kind) == TR_FAMILY_MMAP_LOCK; }
/* Interrupt work: histograms per CPU (the key's tgid holds the CPU). */
static inline bool tr_kind_is_irq(unsigned kind) { return tr_kind_family(kind) == TR_FAMILY_CPU; }
/* "NET_RX" for a softirq vector number, "?" past the known ones. */
const char *tr_softirq_name(uint64_t vec);
/* Softirq vectors by the kernel's fixed numbering (as tr_softirq_name). */
enum { TR_SOFTIRQ_SCHED = 7, TR_SOFTIRQ_RCU = 9 };

struct tr_hist {
	uint32_t tgid;
	unsigned kind;
	uint64_t detail;   /* shrinker: scan function address; kswapd: node; mmap: length */
	char name[96];     /* detail resolved: shrinker symbol; "" if none */
	char comm[16];
	uint64_t slots[TR_HIST_SLOTS];
	uint64_t count, sum_ns, max_ns, extra1, extra2;
	/* Of count, the calls not timed: none but for mmap and munmap, of
	 * which the tracer times one in 8 and counts the rest. slots, sum_ns
	 * and max_ns are the timed calls'. */
	uint64_t untimed;
	uint32_t max_tid;
};

/* Of count calls, untimed of them not timed: how many were. */
static inline uint64_t tr_timed(uint64_t count, uint64_t untimed)
{
	return untimed < count ? count - untimed : 0;
}

/* The time in all count calls, from timed_ns in the timed ones where not
 * all were (0 when none was). */
static inline double tr_scaled_ns(uint64_t timed_ns, uint64_t count, uint64_t untimed)
{
	if (!untimed)
		return (double)timed_ns;
	uint64_t timed = tr_timed(count, untimed);
	return timed ? (double)timed_ns * (double)count / (double)timed : 0;
}

static inline double tr_hist_total_s(const struct tr_hist *h)
{
	return tr_scaled_ns(h->sum_ns, h->count, h->untimed) / 1e9;
}

/* The path syscalls of one process, or of the exited processes of one
 * parent and name (group: folded as each exited, so that a shell loop's
 * thousand short-lived processes add up to one culprit). */
struct tr_lookup {
	uint32_t tgid; /* a group's: the last process folded in */
	char comm[16];
	uint64_t failed, calls;
	struct pattern_set patterns; /* from sampled paths */
	/* The rest is known (known) from live tracing and recordings of
	 * format 3 on; older recordings hold none of it. */
	bool known;
	bool group;
	uint32_t ppid;     /* the parent at the process's first path syscall */
	char pcomm[16];    /* its name then */
	uint64_t procs;    /* 1, or a group's processes */
	/* The first and latest failed lookup (when failed), in seconds since
	 * the window began; a first before the window is at its start (0). */
	double first_s, last_s;
	/* Successful opens of /proc/slabinfo, by how many of the processes,
	 * the first and latest (as first_s), the longest gap between two (< 0:
	 * unknown, as in a window of a recording where it did not grow). */
	uint64_t slab_opens, slab_procs;
	double slab_first_s, slab_last_s, slab_gap_max_s;
};

/* where: the syscall number in the low 32 bits (TR_ML_NOSYS outside a
 * syscall); TR_ML_FAULT when a page fault took the lock; TR_ML_REMOTE
 * when the lock was another process's (a /proc/PID read, ptrace,
 * process_vm_readv, a kernel thread). */
#define TR_ML_NOSYS 0xffffffffULL
#define TR_ML_FAULT (1ULL << 32)
#define TR_ML_REMOTE (1ULL << 33)

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

/* The tracer's counters and settings: one list, from which struct
 * traced's fields, the recording's JSON (by name, each one required:
 * src/record/recfile.c), the window's difference (traced_diff) and the
 * kstall.* metrics (src/detect/metrics.c) are made. A new one is a row
 * here, the line of the tracer that fills it (src/trace), and a new
 * recording format (REC_FORMAT, docs/record-format.md), whose reader
 * says what the older formats, which lack it, mean by that.
 *
 * X(type, name, diff, v1, metric, unit, gate): one per row.
 *   type    U64, DBL, UINT or BOOL
 *   diff    over a window from a to b: SUB b - a, 0 if b is not more;
 *           DELTA b - a; KEEP b's
 *   v1      where recordings of format 1 hold it: TOP, a key of its own,
 *           or its index in their "stats" array
 *   metric  its kstall.* metric (NULL: none), in U_<unit>
 *   gate    ALWAYS, or BPF_STATS: only when has_bpf_stats (the kernel's
 *           run-time statistics could be read)
 * The metrics come out in this order. */
#define TRACED_COUNTERS(X) \
	X(DBL, duration_s, DELTA, TOP, "kstall.tracing_duration", SECONDS, ALWAYS) \
	X(DBL, threshold_ms, KEEP, TOP, NULL, NONE, ALWAYS) /* waits this long are events */ \
	X(UINT, groups, KEEP, TOP, NULL, NONE, ALWAYS) /* TG_* bits of src/model/groups.h: what ran */ \
	X(UINT, nattached, KEEP, TOP, "kstall.bpf_programs", COUNT, ALWAYS) /* BPF programs loaded */ \
	X(BOOL, has_bpf_stats, KEEP, TOP, NULL, NONE, ALWAYS) \
	/* kstall's own cost. Estimated: the kernel's statistics are on 1 s \
	 * in 10 (they cost more than kstall's programs), for this long: */ \
	X(DBL, bpf_stats_sampled_s, KEEP, TOP, "kstall.bpf_stats_sampled", SECONDS, BPF_STATS) \
	X(DBL, bpf_run_s, SUB, TOP, "kstall.bpf_run_time", SECONDS, BPF_STATS) /* whole window */ \
	X(U64, bpf_run_cnt, SUB, 8, "kstall.bpf_run_count", COUNT, BPF_STATS) /* whole window */ \
	X(DBL, user_cpu_s, DELTA, TOP, NULL, SECONDS, ALWAYS) /* kstall's own CPU time */ \
	/* What kstall could not keep: never silent. Kernel side, by enum \
	 * ks_stat, but for events_not_kept and paths_not_kept. */ \
	X(U64, ringbuf_lost, SUB, 0, "kstall.lost_events", COUNT, ALWAYS) \
	X(U64, events_not_kept, SUB, 7, "kstall.events_not_kept", COUNT, ALWAYS) /* past TR_MAX_EVENTS */ \
	X(U64, hist_full, SUB, 1, "kstall.map_full_hist", COUNT, ALWAYS) \
	X(U64, waits_full, SUB, 2, "kstall.map_full_waits", COUNT, ALWAYS) \
	X(U64, lookups_full, SUB, 3, "kstall.map_full_lookups", COUNT, ALWAYS) \
	X(U64, vmops_full, SUB, 9, "kstall.map_full_vmops", COUNT, ALWAYS) \
	/* mmap/munmap calls of exited processes not kept (few each) */ \
	X(U64, vmops_pruned, SUB, 10, "kstall.vmops_pruned", COUNT, ALWAYS) \
	X(U64, irqs_full, SUB, 11, "kstall.map_full_irqs", COUNT, ALWAYS) /* interrupt histograms */ \
	X(U64, paths_sampled, SUB, 4, "kstall.paths_sampled", COUNT, ALWAYS) \
	X(U64, paths_unsampled, SUB, 5, "kstall.paths_unsampled", COUNT, ALWAYS) \
	/* path samples of processes past the user-side cap */ \
	X(U64, paths_not_kept, SUB, 6, NULL, COUNT, ALWAYS)

#define TRC_CTYPE_U64 uint64_t
#define TRC_CTYPE_DBL double
#define TRC_CTYPE_UINT unsigned
#define TRC_CTYPE_BOOL bool

struct traced {
#define TRC_FIELD(type, name, ...) TRC_CTYPE_##type name;
	TRACED_COUNTERS(TRC_FIELD)
#undef TRC_FIELD
	struct tr_hist *hists;
	size_t nhists, caphists;
	struct tr_lookup *lookups;
	size_t nlookups, caplookups;
	struct tr_event *events; /* outliers, the first TR_MAX_EVENTS */
	size_t nevents, capevents;
	/* The memory of the BPF maps, live only (a recording does not hold
	 * it, nor does a window's difference): the kernel's figure for each
	 * map, per-CPU copies included. */
	bool has_bpf_map_bytes;
	uint64_t bpf_map_bytes;
};

void traced_free(struct traced *t);
/* qsort comparator for arrays of const struct tr_lookup *: most failures first. */
int tr_lookup_cmp_failed(const void *a, const void *b);
/* Percentile (0..1) of a log2-µs histogram, in seconds (upper bucket edge). */
double tr_hist_quantile(const struct tr_hist *h, double q);
/* A percentile a threshold may be compared with: with at least
 * TR_QUANTILE_MIN_SAMPLES in the histogram, the lower edge of the bucket
 * it falls in (what it is at least: a bucket edge is not a measurement),
 * never above the maximum seen; -1 with fewer, when a percentile means
 * nothing and only the measured maximum counts. */
#define TR_QUANTILE_MIN_SAMPLES 100
double tr_hist_quantile_floor(const struct tr_hist *h, double q);
/* b minus a: the window between two cumulative states (each counter as
 * its row in TRACED_COUNTERS says; histograms, lookups and their pattern
 * samples subtract); the events after a's duration. */
void traced_diff(const struct traced *a, const struct traced *b, struct traced *ret);

#endif
