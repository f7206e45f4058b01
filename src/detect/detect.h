/* Detectors: pure functions from what was read and traced to
 * findings.
 *
 * Adding a detector, the checklist:
 *  1. src/detect/<area>.c with a `const struct detector detector_<area>`.
 *     It reads only `const struct inputs *`; it never prints, never opens
 *     a file, never looks at the clock.
 *  2. Name the inputs it needs in `needs` (so the dispatcher can skip it).
 *     Degrade, do not drop: when one source of several is absent or
 *     malformed, raise the finding from the others and mark the figures
 *     it cannot compute with finding_unknown(); severity only from what
 *     was measured. Skip a finding id (skips_add, the reason naming the
 *     file) only when an input essential to it is missing. Never treat a
 *     missing value as zero.
 *  3. List it in src/detect/registry.c.
 *  4. For every finding id it can emit, add a knowledge-base entry in
 *     src/kb/<mechanism>.c (`kstall explain ID` and the tests check there
 *     is one); a new mechanism's table is declared in kb.h, listed in kb.c.
 *  5. Fixture tests in tests/unit/test_<mechanism>.c (helpers in
 *     detectutil.h; its trees in tests/fixtures/<mechanism>-*): a tree
 *     that must raise it. test_detect.c checks the healthy trees do not.
 *  6. A line per finding id in README.md's findings table.
 *  7. If an id looks at a /proc/PID file of every process (maps, stack),
 *     list it in `proc_files`: where that file could not be read for some
 *     processes, the report says the id covered only the others.
 *  8. If an id needs live tracing, list in `traces` the trace groups it
 *     needs (src/model/groups.h): where the tracer could not run them, the
 *     id is skipped with the tracer's reason. A new group is a bit there
 *     and an entry in its mechanism's descriptor (src/trace/mechanism.h).
 */
#ifndef KSTALL_DETECT_H
#define KSTALL_DETECT_H

#include "../collect/collect.h"
#include "../model/finding.h"
#include "../model/groups.h"

enum {
	NEED_NONE = 0,
	NEED_BPF = 1 << 0,  /* live tracing ran: inputs->traced is set */
	NEED_ROOT = 1 << 1,
};

enum { DETECT_RAN = 0, DETECT_SKIPPED = 1 };

/* A finding id and the /proc/PID file it reads from every process. */
struct detector_proc_file {
	const char *id;
	const char *file; /* as in struct unreadable: "maps", "stack" */
};

/* A finding id and the trace groups (TG_*, src/model/groups.h) it needs:
 * all of groups_all and, if groups_any is set, one of groups_any. Where the
 * tracer did not run them, the id is skipped with the tracer's reason.
 * Or, with note_of: a line in `skipped` (not a finding) that gives the
 * tracer's note on that group while it runs, followed by note_then. */
struct detector_trace {
	const char *id;
	unsigned groups_all, groups_any;
	unsigned note_of;
	const char *note_then;
};

struct detector {
	const char *name;
	const char *const *ids; /* NULL-terminated finding ids it may emit */
	unsigned needs;
	/* Append findings to out and return DETECT_RAN, or write why it could
	 * not run into skip and return DETECT_SKIPPED. A detector that emits
	 * several ids may also skip some of them: it adds those to skips. */
	int (*run)(const struct inputs *in, struct findings *out, struct skips *skips);
	const struct detector_proc_file *proc_files; /* ends at a NULL id; may be NULL */
	const struct detector_trace *traces;         /* ends at a NULL id; may be NULL */
};

extern const struct detector *const detectors[];
extern const size_t ndetectors;

/* Run every detector; skipped ones land in skips. */
void detect_all(const struct inputs *in, unsigned have, struct findings *out, struct skips *skips);
/* The ids the live tracer cannot serve (their `traces`), given the groups
 * it runs and its notes: each with the reason of the first note about a
 * group it lacks, in the order of the notes, then of the registry. */
void detect_trace_skips(unsigned groups, const struct tg_notes *notes, struct skips *skips);
/* The ids that ran (not in skips) over only part of the processes: for
 * each id's proc_files, the processes whose copy of the file is in
 * in->unreadable. have as for detect_all: on a live host without
 * NEED_ROOT, a permission error means another user's process. */
void detect_coverage(const struct inputs *in, unsigned have, const struct skips *skips, struct skips *partial);

/* Metrics for the report: shares, rates and totals, computed from inputs. */
void metrics_collect(const struct inputs *in, struct metrics *m);

/* Shared helpers. The first three give the reasons for finding_unknown()
 * and skips_add() (checklist item 2). */
/* Why a source is not usable: its own reason ("proc/uptime: No such file
 * or directory", "...: malformed at line 3: ..."), or that it was not
 * read. */
void src_reason(const struct src *s, const char *what, char *out, size_t n);
/* A sample source usable over the window: read and parsed in the later
 * sample, and in the earlier one in interval mode. off is the offset of
 * the struct src in struct sample; why (if not) names the file. */
bool window_src_ok(const struct inputs *in, size_t off, char *why, size_t n);
/* The window's length in seconds: the interval, or the uptime since boot;
 * -1 (and why, naming proc/uptime) when it cannot be known. */
double window_seconds(const struct inputs *in, char *why, size_t n);
/* Rate of a counter between samples (per second), or -1 if unknown. */
double rate_u64(uint64_t prev, uint64_t cur, double interval_s);
/* A counter's rate over the window: between the samples, or since boot
 * (cur / uptime) with one sample; -1 when it cannot be known (a counter
 * that went backwards, no uptime). prev is ignored since boot. */
double window_rate(const struct inputs *in, uint64_t prev, uint64_t cur);
/* Rate of column col (a CPU) of row r of an irq table (interrupts or
 * softirqs) over the window; p is the same row in prev, the earlier
 * sample (matched by CPU number, not column). -1 if it cannot be had. */
/* One CPU's ticks over the window (since boot in that mode): false if the
 * earlier sample lacks it. */
bool cpu_window_delta(const struct inputs *in, const struct cpu_times *c, struct cpu_times *d);
/* The global dirty limits in bytes, as the kernel computes them
 * (writeback.c); ok is false without the sysctls or meminfo counts. */
struct dirty_limits {
	bool ok;
	char why[200]; /* when not ok: the file or counter missing */
	double dirtyable, thresh, bg_thresh; /* bytes */
	bool thresh_from_bytes, bg_from_bytes, bg_ok; /* bg_ok: a background sysctl was read */
	uint64_t ratio, bg_ratio;
};
struct dirty_limits writeback_limits(const struct inputs *in);
/* A bdi's own limit in bytes (max_bytes, else max_ratio of the global
 * limit); -1 if unknown. */
double writeback_bdi_limit(const struct bdi *b, const struct dirty_limits *l);
double irq_col_rate(const struct inputs *in, const struct irq_table *cur, const struct irq_table *prev,
		    const struct irq_row *r, const struct irq_row *p, size_t col);
/* Events of that column over the window (since boot in that mode), which
 * need no uptime: false if the earlier sample lacks the CPU or the counter
 * went backwards. */
bool irq_col_delta(const struct inputs *in, const struct irq_table *cur, const struct irq_table *prev,
		   const struct irq_row *r, const struct irq_row *p, size_t col, uint64_t *ret);
/* CPU share of a process over the window (0..n), or -1 if unknown. */
double proc_cpu_share(const struct inputs *in, const struct proc_entry *p);
/* Dentries (and negative dentries) per second between the two samples;
 * false when there is no interval or dentry-state is missing from one. */
bool dentry_growth(const struct inputs *in, double *ret_growth, double *ret_negative);
/* "kswapd0", or "kswapd0:1" (node:zone) on some kernels. */
bool comm_is_kswapd(const char *comm);

#endif
