/* The live run (live.h): trace, sample every interval, detect; the
 * verbs' hooks do the rest. */
#include "live.h"
#include "../detect/detect.h"
#include "../trace/trace.h"
#include "../lib/tracefs.h"

#include <signal.h>

/* How often a live run reads every process's maps (and at the end). */
#define MAPS_EVERY_S 30.0

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig UNUSED)
{
	stop_requested = 1;
}

const char *live_trace_unavailable(void)
{
	struct sysroot *live = NULL;
	const char *no = sysroot_open("/", &live) == 0 ? tracer_unavailable(live) : "cannot open /";
	sysroot_free(live);
	return no;
}

/* The tracer's skips, from its notes: at the start, and again whenever
 * --budget has shed a group since. */
static void refresh_trace_skips(struct live *l)
{
	if (tracer_notes(l->t)->n == l->tnotes)
		return;
	skips_free(&l->tskips);
	detect_trace_skips(tracer_groups(l->t), tracer_notes(l->t), &l->tskips);
	l->tnotes = tracer_notes(l->t)->n;
}

/* The host, the tracer, and the first sample: 0, or -1 after saying why
 * (or, for a root that cannot be opened, not). */
static int live_start(struct live *l, bool capture)
{
	const struct check_opts *o = l->o;
	char why[512];

	/* The live host only: no table whose verb traces takes --root other
	 * than plain kstall's, which then runs check instead. */
	/* First, while kstall is one thread: tracefs in a mount namespace of
	 * its own, for per-syscall events. Without it, raw syscall tracing
	 * (KSTALL_RAW_SYSCALLS=1 forces that path, for tests and benches). */
	bool syscall_events = geteuid() == 0 && !getenv("KSTALL_RAW_SYSCALLS") && tracefs_prepare() == 0;
	if (sysroot_open("/", &l->r) < 0)
		return -1;
	sysroot_set_deadline_ms(l->r, o->deadline_ms);
	sysroot_capture(l->r, capture);
	struct collect_opts co = {.interval_s = o->interval_s, .pids = o->pids, .npids = o->npids};
	if (collect_host(l->r, &co, &l->in) < 0) {
		fprintf(stderr, "kstall: no /proc here\n");
		return -1;
	}
	/* Handlers first: a signal that arrives once the programs are
	 * attached must end in a clean detach and a report. */
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct trace_opts to = {.threshold_ms = o->threshold_ms, .pids = o->pids, .npids = o->npids,
				.cgroup = o->cgroup, .root = l->r, .syscall_tracepoints = syscall_events,
				.ml_contention = getenv("KSTALL_ML_CONTENTION") != NULL,
				.ml_full = getenv("KSTALL_ML_FULL") != NULL, .budget_pct = o->budget_pct};
	if (tracer_start(&to, &l->t, why, sizeof(why)) < 0) {
		fprintf(stderr, "kstall: cannot trace: %s\n", why);
		return -1;
	}
	l->tnotes = SIZE_MAX; /* none made yet */
	refresh_trace_skips(l);
	const struct capture_entry *ce;
	l->host_files = sysroot_captured(l->r, &ce);
	l->in.prev = xcalloc(1, sizeof(*l->in.prev));
	collect_sample(l->r, &l->in, l->in.prev, 0);
	l->in.mode = WINDOW_INTERVAL;
	l->in.window_source = "live";
	return 0;
}

/* An interval (or the end): sample, read the tracer, detect. */
static void live_sample(struct live *l, bool maps)
{
	collect_sample(l->r, &l->in, &l->in.cur, SAMPLE_DETAILS | (maps ? SAMPLE_MAPS : 0));
	l->in.interval_s = l->in.cur.t_mono - l->in.prev->t_mono;
	view_update(&l->in);
	tracer_read(l->t, &l->tr);
	traced_name_from_sample(&l->tr, &l->in.cur);
	l->in.traced = &l->tr;
	report_build(l->r, &l->in, &l->rep);
	refresh_trace_skips(l);
	for (size_t i = 0; i < l->tskips.n; i++)
		skips_add(&l->rep.skips, l->tskips.v[i].detector, "%s", l->tskips.v[i].reason);
}

/* Poll the tracer between intervals, and sample at each, until the end. */
static void live_loop(struct live *l, const struct live_hooks *h)
{
	const struct check_opts *o = l->o;
	double start = l->in.prev->t_mono, next = start + o->interval_s;
	double end = o->duration_s > 0 ? start + o->duration_s : 0;
	double maps_at = start;
	bool have_cur = false;

	for (;;) {
		double now = now_monotonic();
		bool last = stop_requested || (end && now >= end);
		double until = end && end < next ? end : next;
		if (!last && now < until) {
			int ms = (int)((until - now) * 1000) + 1;
			tracer_poll(l->t, ms > 200 ? 200 : ms);
			continue;
		}
		if (have_cur) {
			report_free(&l->rep);
			sample_free(&l->in.cur);
			traced_free(&l->tr);
		}
		/* Every process's maps takes its mmap_lock: read them at the
		 * end and every MAPS_EVERY_S, not at every interval. */
		bool maps = last || now - maps_at >= MAPS_EVERY_S;
		live_sample(l, maps);
		if (maps)
			maps_at = now;
		have_cur = true;
		if (h->interval)
			h->interval(h->ctx, l, last);
		if (last)
			break;
		next += o->interval_s;
	}
}

int live_run(const struct check_opts *o, const struct live_hooks *h)
{
	static const struct live_hooks none = {0};
	struct live l = {.o = o};
	int exit_code = EXIT_CANNOT_RUN;

	if (!h)
		h = &none;
	if (live_start(&l, h->capture) == 0 && (!h->start || h->start(h->ctx, &l) == 0)) {
		live_loop(&l, h);
		/* The tracer is stopped before the report: nothing stays
		 * attached while kstall formats and writes. */
		tracer_stop(l.t);
		l.t = NULL;
		if (h->end)
			h->end(h->ctx);
		exit_code = report_render(o, &l.rep);
		report_free(&l.rep);
	}
	tracer_stop(l.t);
	traced_free(&l.tr);
	skips_free(&l.tskips);
	l.in.traced = NULL;
	inputs_free(&l.in); /* frees the first sample (as prev) and cur */
	sysroot_free(l.r);
	return exit_code;
}
