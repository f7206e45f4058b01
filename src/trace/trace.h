/* The live tracing engine: loads kstall.bpf.c, probing first so that only
 * what the running kernel has is loaded, polls its ring buffer and reads
 * its maps into a struct traced. Each mechanism describes itself in
 * src/trace/NAME.c (mechanism.h); this file is the engine's interface.
 * It knows trace groups (src/model/groups.h), not finding ids: what it
 * says about the groups that do not run becomes skips in
 * detect_trace_skips(). */
#ifndef KSTALL_TRACE_H
#define KSTALL_TRACE_H

#include "../collect/traced.h"
#include "../lib/sysroot.h"
#include "../model/groups.h"

struct trace_opts {
	double threshold_ms;   /* outliers at or above go to user space */
	const int *pids;       /* -p: watch these processes (and their children) */
	size_t npids;
	const char *cgroup;    /* -c: a cgroup directory (v1 or v2) */
	struct sysroot *root;  /* the live root: kallsyms, cgroup.procs */
	bool syscall_tracepoints; /* tracefs is there: attach per-syscall events */
	bool ml_contention;    /* use lock:contention_* for mmap_lock even where the
				* mmap_lock tracepoints exist (KSTALL_ML_CONTENTION=1, tests) */
	double budget_pct;     /* --budget: shed groups over this % of one CPU; 0: none */
	bool ml_full;          /* time every mmap_lock wait and write hold, as kernels
				* without lock:contention_* must (KSTALL_ML_FULL=1, tests) */
};

struct tracer;

/* Why tracing cannot run at all here, or NULL if it can (root or
 * CAP_BPF+CAP_PERFMON, and kernel BTF). */
const char *tracer_unavailable(struct sysroot *r);

/* Which groups can run, given which tracepoints the kernel has; why each
 * of the others cannot goes to notes. Pure. */
unsigned tracer_plan(bool (*has)(void *ctx, const char *tracepoint), void *ctx, struct tg_notes *notes);

/* Why the kernel's own interrupts-off tracers are not used, given its
 * available_tracers line (NULL: tracefs unreadable): the tracer's note on
 * TG_TIMER_LATE. Pure. */
void tracer_irqsoff_note(const char *available, char *buf, size_t len);

/* Load and attach. Programs whose tracepoint this kernel lacks are left
 * out, and tracer_notes() says why. 0, or -errno with a reason in why. */
int tracer_start(const struct trace_opts *o, struct tracer **ret, char *why, size_t whylen);
/* Consume ring-buffer events for up to timeout_ms. */
int tracer_poll(struct tracer *t, int timeout_ms);
/* Everything since start, into out (freed with traced_free). */
int tracer_read(struct tracer *t, struct traced *out);
/* The groups that run, and why the others do not (in the order decided). */
unsigned tracer_groups(const struct tracer *t);
const struct tg_notes *tracer_notes(const struct tracer *t);
/* Detach and free. After this (or any exit, even SIGKILL) nothing of
 * kstall stays attached: links are held by file descriptors only. */
void tracer_stop(struct tracer *t);

#endif
