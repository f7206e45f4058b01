/* Detectors: pure functions from what was read and traced to
 * findings.
 *
 * Adding a finding, the checklist. Everything about a mechanism M
 * (dcache, reclaim, vma, irq, writeback, mmap_lock, ...) lives in files
 * named after it; the numbered steps are all the places there are.
 *
 * Files named after M:
 *  1. src/detect/M.c: the finding's code, and its id in the detector's
 *     `ids` (a new mechanism: a `const struct detector detector_M`, and
 *     one line in detectors[] in src/detect/registry.c, whose order is the
 *     order of the report's skips). It reads only `const struct inputs *`:
 *     it never prints, never opens a file, never looks at the clock
 *     (`make check-deps` keeps sysroot, collect and trace out of reach). A
 *     figure derived from the samples (a delta, rate or share) it reads
 *     from in->view: a new one is added to the view (src/model/view.c),
 *     once, for metrics and renderers to share.
 *     - `needs`: the inputs without which it cannot run (the dispatcher
 *       skips it). Degrade, do not drop: when one source of several is
 *       absent or malformed, raise the finding from the others and mark
 *       the figures it cannot compute with finding_unknown(); severity
 *       only from what was measured. Skip an id (skips_add, the reason
 *       naming the file) only when an input essential to it is missing.
 *       Never treat a missing value as zero.
 *     - `traces`, if the id needs live tracing: the trace groups it needs
 *       (all of, or one of); where the tracer could not run them, the id
 *       is skipped with the tracer's reason. No finding id is written
 *       anywhere else in src/ but this file and the kb entry.
 *     - `proc_files`, if the id reads a /proc/PID file of every process
 *       (maps, stack): where some could not be read, the report says the
 *       id covered only the others.
 *  2. src/kb/M.c: its knowledge-base entry (`kstall explain ID`; the tests
 *     check every id has one). A new mechanism's table: declared in
 *     src/kb/kb.h, one line in kb.c's list.
 *  3. tests/unit/test_M.c (test_M_detect.c beside a live scenario suite;
 *     helpers in detectutil.h; trees in tests/fixtures/M-*): a tree that
 *     must raise it and one that must not; test_detect.c checks the
 *     healthy and real trees raise nothing.
 * If it is traced:
 *  4. src/bpf/M.bpf.h: its programs (and maps), with the shared wait
 *     mechanism of common.bpf.h (a new mechanism: one #include line in
 *     kstall.bpf.c).
 *  5. src/trace/M.c: its descriptor, `const struct tr_mechanism tr_M`:
 *     for each group the tracepoints it needs and the programs that serve
 *     it, and its hooks (configure, seed, attach, read); a new mechanism:
 *     one line in tr_mechanisms[] (src/trace/registry.c).
 * The shared lists, one line each, whose values recordings keep:
 *  6. src/bpf/kinds.h: a new kind of wait or count (KS_KIND): the BPF
 *     side's KS_*, user space's TR_*, the kind's name and its family (per
 *     process, per CPU, per device, ...: how it is keyed, shown and filed
 *     in JSON, tr_kind_family()) come from it.
 *  7. src/model/groups.h: a new trace group (TG_LIST): its bit and name.
 *  8. src/bpf/stats.h and TRACED_COUNTERS (src/collect/traced.h): a new
 *     loss counter, if its maps can fill; it then reaches recordings,
 *     diffs and the kstall.* metrics by itself.
 * Documentation:
 *  9. A line in README.md's findings table, and its thresholds and why in
 *     docs/findings.md.
 * What is not on this list does not need an edit: the tracer's plan,
 * autoload and skips, recordings and the diff follow the lists above.
 * The JSON of a traced histogram (src/render/json.c hist_json) names a
 * kind's detail and extra fields; a kind whose fields mean something new
 * adds them there.
 */
#ifndef KSTALL_DETECT_H
#define KSTALL_DETECT_H

#include "../model/inputs.h"
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

/* Metrics for the report: shares, rates and totals, read from the view
 * (in->view) and inputs. */
void metrics_collect(const struct inputs *in, struct metrics *m);
/* kstall's own peak memory (VmHWM), which the command measures, as
 * kstall.rss_peak: bytes, or below 0 when unknown, and then absent. */
void metrics_self(struct metrics *m, double rss_peak_bytes);

/* Shared helpers. The reasons for finding_unknown() and skips_add()
 * (checklist item 1, `needs`) come from src_reason(), window_src_ok() and
 * window_seconds() (src/model/inputs.h); every figure derived from the
 * samples (deltas, time and CPU shares, growth) from the view, in->view
 * (src/model/view.h), never from the samples themselves. */
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
/* "kswapd0", or "kswapd0:1" (node:zone) on some kernels. */
bool comm_is_kswapd(const char *comm);

#endif
