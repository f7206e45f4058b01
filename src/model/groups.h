/* Trace groups: the sets of BPF programs the tracer switches on or off
 * together, by what the kernel has. The tracer (src/trace) decides which
 * run and says why the others do not; a detector names the groups each of
 * its finding ids needs (struct detector_trace, src/detect/detect.h), and
 * the dispatcher turns the tracer's reasons into skips. Defined once here,
 * so that neither side includes the other. */
#ifndef KSTALL_GROUPS_H
#define KSTALL_GROUPS_H

#include "../lib/util.h"

/* X(NAME, bit, "name"): TG_NAME = 1 << bit. A group's bit is recorded
 * (traced.groups in a recording): never renumber one. */
#define TG_LIST(X)                                                                                      \
	X(RECLAIM, 0, "reclaim")             /* direct reclaim */                                     \
	X(SHRINKER, 1, "shrinker")           /* slab shrinker calls */                                \
	X(KSWAPD, 2, "kswapd")               /* kswapd awake */                                       \
	X(LOOKUPS, 3, "lookups")             /* failed path lookups */                                \
	X(MEMCG, 4, "memcg")                 /* memcg reclaim */                                      \
	X(VMA, 5, "vma")                     /* mmap and munmap calls */                              \
	X(VMA_SEARCH, 6, "vma_search")       /* searches for room (mmap:vm_unmapped_area) */          \
	X(SOFTIRQ, 7, "softirq")             /* softirq handler durations and raise-to-run latency */ \
	X(HARDIRQ, 8, "hardirq")             /* hardirq handler durations */                          \
	X(KSOFTIRQD, 9, "ksoftirqd")         /* woken ksoftirqd threads waiting for their CPU */      \
	X(TIMER_LATE, 10, "timer_late")      /* hard hrtimers run late: interrupts kept off */        \
	X(WRITEBACK, 11, "writeback")        /* balance_dirty_pages pauses, until the writer wakes */ \
	X(WB_WAIT, 12, "wb_wait")            /* waits for pages under writeback */                    \
	X(MMAP_LOCK, 13, "mmap_lock")        /* mmap_lock waits and write holds */                    \
	X(FAULT_ADDR, 14, "fault_addr")      /* page-fault addresses for mmap_lock waits (x86) */     \
	X(ML_CONTENTION, 15, "ml_contention") /* mmap_lock waits from lock:contention_* (no holds) */

enum {
#define TG_ENUM(name, bit, str) TG_##name = 1 << (bit),
	TG_LIST(TG_ENUM)
#undef TG_ENUM
};

/* Every group bit. */
#define TG_ENUM_OR(name, bit, str) | TG_##name
#define TG_ALL (0 TG_LIST(TG_ENUM_OR))

/* "reclaim" for TG_RECLAIM; NULL for anything but one group bit. */
const char *tg_name(unsigned group);
/* The names of the groups in a mask, in bit order, joined by sep. */
void tg_names(unsigned groups, const char *sep, struct buf *out);

/* What the tracer says about a group: why it does not run (running
 * false), or a note about it while it runs. In the order it decided them:
 * the skips derived from them come out in that order. */
struct tg_note {
	unsigned group; /* one TG_* bit */
	bool running;
	char *reason;
};
struct tg_notes {
	struct tg_note *v;
	size_t n, cap;
};
void tg_notes_add(struct tg_notes *n, unsigned group, bool running, const char *fmt, ...) PRINTF_FMT(4, 5);
void tg_notes_free(struct tg_notes *n);

#endif
