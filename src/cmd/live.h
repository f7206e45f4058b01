/* A live run, shared by the verbs that trace (watch, record, plain
 * kstall): the host read once, tracing started, then every --interval a
 * sample, the tracer's state and the detectors over the window so far;
 * at the end (--duration, SIGINT or SIGTERM) the tracer is detached and
 * the window's report printed. What a verb adds (watch's view, record's
 * frames) it gives as hooks, in its own file. */
#ifndef KSTALL_CMD_LIVE_H
#define KSTALL_CMD_LIVE_H

#include "cmd.h"

struct tracer;

struct live {
	const struct check_opts *o;
	struct sysroot *r;  /* the live host */
	struct tracer *t;
	struct inputs in;   /* in.prev: the first sample; in.cur: the latest */
	size_t host_files;  /* capturing: the first host_files entries are the host files, read once */
	struct skips tskips; /* what the tracer cannot trace on this kernel, or shed */
	size_t tnotes;       /* the tracer's notes tskips was made from */
	struct traced tr;   /* the tracer's state at in.cur */
	struct report rep;  /* the window from in.prev to in.cur */
};

struct live_hooks {
	void *ctx;
	bool capture; /* keep a copy of what is read (sysroot_capture) */
	/* Once tracing runs and the first sample is taken: 0, or -errno
	 * after saying why, which ends the run (exit 1). */
	int (*start)(void *ctx, struct live *l);
	/* Every interval, the last one included, once l->rep is built. */
	void (*interval)(void *ctx, struct live *l, bool last);
	/* The tracer is detached; the report comes next. */
	void (*end)(void *ctx);
};

/* Run live on o (o->duration_s 0: until a signal); h may be NULL.
 * Returns the exit code of the report. */
int live_run(const struct check_opts *o, const struct live_hooks *h);

/* Why live tracing cannot run on this host (root, BTF), or NULL. */
const char *live_trace_unavailable(void);

#endif
