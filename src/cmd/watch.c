/* kstall watch: trace live. Every --interval: a refreshed view on a
 * terminal (current findings, then the top waits per kind per process),
 * or one plain line when stdout is not a terminal. At the end (--duration,
 * SIGINT or SIGTERM): the report for the whole window, in text or JSON,
 * from the same detectors as check. */
#include "cmd.h"
#include "../detect/detect.h"
#include "../trace/trace.h"
#include "../record/recfile.h"
#include "../lib/tracefs.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <signal.h>

/* How often watch reads every process's maps (and at the end). */
#define MAPS_EVERY_S 30.0

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig UNUSED)
{
	stop_requested = 1;
}

static int cmp_hist_sum(const void *a, const void *b)
{
	const struct tr_hist *x = *(const struct tr_hist *const *)a, *y = *(const struct tr_hist *const *)b;
	return (x->sum_ns < y->sum_ns) - (x->sum_ns > y->sum_ns);
}

/* The live view on a terminal. */
static void show_screen(const struct report *rep, const struct traced *t)
{
	char a[32], b[32], c[32];

	printf("\033[H\033[2J");
	printf("kstall watch  %.0f s traced  (Ctrl-C for the full report)\n\n", t->duration_s);
	if (!rep->findings.n)
		printf("no findings so far\n");
	for (size_t i = 0; i < rep->findings.n; i++) {
		char *title = sanitize_tty(rep->findings.v[i].title ? rep->findings.v[i].title : "");
		printf("%-8s %-34s %s\n", severity_name(rep->findings.v[i].severity), rep->findings.v[i].id, title);
		free(title);
	}
	const struct tr_hist **v = xcalloc(t->nhists + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < t->nhists; i++)
		if (!tr_kind_is_irq(t->hists[i].kind)) /* per CPU, not per process */
			v[n++] = &t->hists[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_hist_sum);
	printf("\n%-16s %8s %-16s %-24s %8s %10s %10s\n", "WAIT", "PID", "COMM", "DETAIL", "COUNT", "TOTAL", "WORST");
	for (size_t i = 0; i < n && i < 15; i++) {
		char *comm = sanitize_tty(v[i]->comm), len[32];
		if (tr_kind_is_vmop(v[i]->kind))
			fmt_bytes((double)v[i]->detail, len, sizeof(len));
		/* 24 columns, cut between escapes and characters, not in one */
		char *detail = sanitize_tty_max(tr_kind_is_vmop(v[i]->kind) ? len : v[i]->name, 24);
		printf("%-16s %8u %-16s %-24s %8s %10s %10s\n", tr_kind_name(v[i]->kind), v[i]->tgid, comm,
		       detail, fmt_count((double)v[i]->count, a, sizeof(a)),
		       fmt_duration((double)v[i]->sum_ns / 1e9, b, sizeof(b)),
		       fmt_duration((double)v[i]->max_ns / 1e9, c, sizeof(c)));
		free(detail);
		free(comm);
	}
	free(v);
	printf("\n%-16s %8s %-16s %12s %12s\n", "FAILED LOOKUPS", "PID", "COMM", "ENOENT/s", "TOTAL");
	const struct tr_lookup **lv = xcalloc(t->nlookups + 1, sizeof(*lv));
	for (size_t i = 0; i < t->nlookups; i++)
		lv[i] = &t->lookups[i];
	if (t->nlookups > 1)
		qsort(lv, t->nlookups, sizeof(*lv), tr_lookup_cmp_failed);
	for (size_t i = 0, shown = 0; i < t->nlookups && shown < 8; i++) {
		const struct tr_lookup *l = lv[i];
		if (!l->failed)
			continue;
		char *comm = sanitize_tty(l->comm);
		printf("%-16s %8u %-16s %12s %12s\n", "", l->tgid, comm,
		       fmt_count((double)l->failed / t->duration_s, a, sizeof(a)),
		       fmt_count((double)l->failed, b, sizeof(b)));
		free(comm);
		shown++;
	}
	free(lv);
	if (t->ringbuf_lost || t->hist_full || t->waits_full || t->lookups_full || t->vmops_full)
		printf("\nlost: %" PRIu64 " events (ring buffer full), %" PRIu64 " waits (maps full)\n", t->ringbuf_lost,
		       t->hist_full + t->waits_full + t->lookups_full + t->vmops_full);
	fflush(stdout);
}

/* One line per interval when stdout is not a terminal. */
static void show_line(const struct report *rep, const struct traced *t)
{
	unsigned crit = 0, warn = 0;
	uint64_t stalls = 0, stall_max = 0, failed = 0;

	for (size_t i = 0; i < rep->findings.n; i++) {
		crit += rep->findings.v[i].severity == SEV_CRITICAL;
		warn += rep->findings.v[i].severity == SEV_WARNING;
	}
	for (size_t i = 0; i < t->nhists; i++)
		if (t->hists[i].kind == TR_DIRECT_RECLAIM || t->hists[i].kind == TR_MEMCG_RECLAIM) {
			stalls += t->hists[i].count;
			if (t->hists[i].max_ns > stall_max)
				stall_max = t->hists[i].max_ns;
		}
	for (size_t i = 0; i < t->nlookups; i++)
		failed += t->lookups[i].failed;
	printf("t=%.0fs findings=%zu critical=%u warning=%u reclaim_stalls=%" PRIu64 " worst_ms=%.1f "
	       "failed_lookups=%" PRIu64 " lost=%" PRIu64,
	       t->duration_s, rep->findings.n, crit, warn, stalls, (double)stall_max / 1e6, failed,
	       t->ringbuf_lost + t->hist_full + t->waits_full + t->lookups_full + t->vmops_full);
	for (size_t i = 0; i < rep->findings.n && i < 3; i++)
		printf(" [%s]", rep->findings.v[i].id);
	printf("\n");
	fflush(stdout);
}

/* A frame per interval: the files read since the last frame (the first
 * also carries the host files, read once) and the tracer's cumulative
 * state. */
static int record_frame(int fd, struct sysroot *r, size_t host_files, const struct sample *s,
			const struct traced *t, bool first)
{
	const struct capture_entry *e;
	size_t n = sysroot_captured(r, &e);
	char *files = files_to_json(e, n, first ? host_files : 0);
	char *host = first ? files_to_json(e, host_files, 0) : xstrdup("{}");
	char *tj = traced_to_json(t);
	char *frame = xasprintf("{\"t_mono\":%.9f,\"t_real\":%.6f,\"host_files\":%s,\"files\":%s,\"traced\":%s}",
				s->t_mono, s->t_real, host, files, tj);
	int rc = rec_write_frame(fd, REC_INTERVAL, frame);
	free(files);
	free(host);
	free(tj);
	free(frame);
	sysroot_capture_clear(r);
	return rc;
}

/* Trace for o->duration_s (0: until a signal), then report. With
 * live_view false nothing is printed until the report (plain `kstall`).
 * With record_fd >= 0, also write a recording frame per interval. */
int watch_run(const struct check_opts *o, bool live_view, int record_fd)
{
	struct sysroot *r = NULL;
	struct tracer *t = NULL;
	struct inputs in = {0};
	struct sample *first = NULL;
	struct skips tskips = {0};
	struct traced tr = {0};
	char why[512];
	int exit_code = EXIT_CANNOT_RUN;
	bool record_failed = false;

	/* The live host only: no table that calls this takes --root, and
	 * plain kstall with --root runs check instead. */
	/* First, while kstall is one thread: tracefs in a mount namespace of
	 * its own, for per-syscall events. Without it, raw syscall tracing
	 * (KSTALL_RAW_SYSCALLS=1 forces that path, for tests and benches). */
	bool syscall_events = geteuid() == 0 && !getenv("KSTALL_RAW_SYSCALLS") && tracefs_prepare() == 0;
	if (sysroot_open("/", &r) < 0)
		return EXIT_CANNOT_RUN;
	sysroot_set_deadline_ms(r, o->deadline_ms);
	sysroot_capture(r, record_fd >= 0);
	struct collect_opts co = {.interval_s = o->interval_s, .pids = o->pids, .npids = o->npids};
	if (collect_host(r, &co, &in) < 0) {
		fprintf(stderr, "kstall: no /proc here\n");
		goto out;
	}
	/* Handlers first: a signal that arrives once the programs are
	 * attached must end in a clean detach and a report. */
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct trace_opts to = {.threshold_ms = o->threshold_ms, .pids = o->pids, .npids = o->npids,
				.cgroup = o->cgroup, .root = r, .syscall_tracepoints = syscall_events,
				.ml_contention = getenv("KSTALL_ML_CONTENTION") != NULL};
	if (tracer_start(&to, &t, why, sizeof(why)) < 0) {
		fprintf(stderr, "kstall: cannot trace: %s\n", why);
		goto out;
	}
	detect_trace_skips(tracer_groups(t), tracer_notes(t), &tskips);

	const struct capture_entry *ce;
	size_t host_files = sysroot_captured(r, &ce);
	first = xcalloc(1, sizeof(*first));
	collect_sample(r, &in, first, 0);
	if (record_fd >= 0) {
		char *hdr = xasprintf("{\"format\":%d,\"kstall_version\":\"%s\",\"interval_s\":%.9f,\"threshold_ms\":%.3f,"
				      "\"user_hz\":%u,\"t_real\":%.6f}",
				      REC_FORMAT, KSTALL_VERSION, o->interval_s, o->threshold_ms, in.host.user_hz, first->t_real);
		struct traced zero = {.threshold_ms = o->threshold_ms, .groups = tracer_groups(t)};
		int wrc = rec_write_frame(record_fd, REC_HEADER, hdr);
		if (wrc == 0)
			wrc = record_frame(record_fd, r, host_files, first, &zero, true);
		free(hdr);
		if (wrc < 0) {
			fprintf(stderr, "kstall: writing the recording failed: %s\n", strerror(-wrc));
			goto out;
		}
	}
	in.prev = first;
	in.mode = WINDOW_INTERVAL;
	in.window_source = "live";
	bool tty = live_view && isatty(STDOUT_FILENO) && o->format == FORMAT_TEXT;
	bool lines = live_view && !tty && o->format == FORMAT_TEXT;
	double start = first->t_mono, next = start + o->interval_s;
	double end = o->duration_s > 0 ? start + o->duration_s : 0;
	bool have_cur = false;
	double maps_at = start;
	struct report rep = {0};

	for (;;) {
		double now = now_monotonic();
		bool last = stop_requested || (end && now >= end);
		double until = end && end < next ? end : next;
		if (!last && now < until) {
			int ms = (int)((until - now) * 1000) + 1;
			tracer_poll(t, ms > 200 ? 200 : ms);
			continue;
		}
		/* An interval (or the end): sample, read the tracer, detect. */
		if (have_cur) {
			report_free(&rep);
			sample_free(&in.cur);
			traced_free(&tr);
		}
		/* Every process's maps takes its mmap_lock: read them at the
		 * end and every MAPS_EVERY_S, not at every interval. */
		bool maps = last || now - maps_at >= MAPS_EVERY_S;
		collect_sample(r, &in, &in.cur, SAMPLE_DETAILS | (maps ? SAMPLE_MAPS : 0));
		if (maps)
			maps_at = now;
		have_cur = true;
		in.interval_s = in.cur.t_mono - first->t_mono;
		tracer_read(t, &tr);
		traced_name_from_sample(&tr, &in.cur);
		in.traced = &tr;
		report_build(r, &in, &rep);
		for (size_t i = 0; i < tskips.n; i++)
			skips_add(&rep.skips, tskips.v[i].detector, "%s", tskips.v[i].reason);
		if (record_fd >= 0) {
			int wrc = record_frame(record_fd, r, 0, &in.cur, &tr, false);
			if (wrc < 0) {
				/* A full disk ends the recording, not the report:
				 * what was written stays readable. */
				fprintf(stderr, "kstall: recording stopped: %s\n", strerror(-wrc));
				record_fd = -1;
				record_failed = true;
				sysroot_capture(r, false);
			}
		}
		if (last)
			break;
		if (tty)
			show_screen(&rep, &tr);
		else if (lines)
			show_line(&rep, &tr);
		next += o->interval_s;
	}
	/* The tracer is stopped before the report: nothing stays attached
	 * while kstall formats and writes. */
	tracer_stop(t);
	t = NULL;
	if (tty)
		printf("\033[H\033[2J");
	exit_code = report_render(o, &rep);
	/* The report is printed, but the output asked for is not whole. */
	if (record_failed && exit_code == EXIT_RAN)
		exit_code = EXIT_CANNOT_RUN;
	report_free(&rep);
out:
	tracer_stop(t);
	traced_free(&tr);
	skips_free(&tskips);
	in.traced = NULL;
	inputs_free(&in); /* frees first (as prev) and cur */
	sysroot_free(r);
	return exit_code;
}

int cmd_watch(int argc, char **argv)
{
	struct check_opts o;
	int rc = check_opts_parse(argc, argv, &o, VERB_WATCH);
	if (rc == 0)
		rc = watch_run(&o, true, -1);
	check_opts_free(&o);
	return finish_output(rc);
}

int cmd_default(int argc, char **argv)
{
	struct check_opts o;
	int rc = check_opts_parse(argc, argv, &o, VERB_DEFAULT);
	struct sysroot *live = NULL;
	const char *no = sysroot_open("/", &live) == 0 ? tracer_unavailable(live) : "cannot open /";

	if (rc == 0) {
		if (strcmp(o.root, "/") || no) {
			if (!strcmp(o.root, "/") && o.format == FORMAT_TEXT)
				fprintf(stderr, "kstall: running check only: %s. Live tracing would add who produces "
						"negative dentries, reclaim stalls per process, slow shrinkers and mmap churn.\n", no);
			rc = run_check(&o, NULL, NULL);
		} else {
			if (o.duration_s <= 0)
				o.duration_s = 10;
			if (!o.interval_set)
				o.interval_s = o.duration_s;
			if (o.format == FORMAT_TEXT && isatty(STDERR_FILENO))
				fprintf(stderr, "kstall: checking and tracing for %.0f s...\n", o.duration_s);
			rc = watch_run(&o, false, -1);
		}
	}
	sysroot_free(live);
	check_opts_free(&o);
	return finish_output(rc);
}

int cmd_record(int argc, char **argv)
{
	struct check_opts o;
	int rc = check_opts_parse(argc, argv, &o, VERB_RECORD);

	/* -o the option table requires; --root it does not take. */
	/* Whether tracing can work, before there is a file to leave behind. */
	if (rc == 0) {
		struct sysroot *live = NULL;
		const char *no = sysroot_open("/", &live) == 0 ? tracer_unavailable(live) : "cannot open /";
		if (no) {
			fprintf(stderr, "kstall: cannot record: %s\n", no);
			rc = EXIT_CANNOT_RUN;
		}
		sysroot_free(live);
	}
	if (rc == 0) {
		if (!o.interval_set)
			o.interval_s = 10;
		/* Appendable: a new header starts a new segment. */
		bool created = false;
		struct stat st;
		int fd = rec_open_append(o.output, &created);
		if (fd < 0) {
			if (fd == -ELOOP)
				fprintf(stderr, "kstall: %s is a symbolic link: a recording is not written through one\n",
					o.output);
			else if (fd == -EINVAL)
				fprintf(stderr, "kstall: %s is not a regular file (a FIFO, a device or a socket): a recording "
						"is a regular file\n", o.output);
			else if (fd == -EISDIR)
				fprintf(stderr, "kstall: %s is a directory: record -o takes a file\n", o.output);
			else if (fd == -EEXIST)
				fprintf(stderr, "kstall: %s exists and is not a kstall recording: not appending to it\n",
					o.output);
			else if (fd == -EBUSY)
				fprintf(stderr, "kstall: %s is being recorded to by another kstall: two recorders would "
						"interleave their frames\n", o.output);
			else
				fprintf(stderr, "kstall: cannot open %s: %s\n", o.output, strerror(-fd));
			rc = EXIT_CANNOT_RUN;
		} else {
			if (o.format == FORMAT_TEXT && isatty(STDERR_FILENO))
				fprintf(stderr, "kstall: recording to %s every %.0f s%s\n", o.output, o.interval_s,
					o.duration_s > 0 ? "" : " until Ctrl-C");
			/* The report at the end goes to stdout as for watch. */
			rc = watch_run(&o, false, fd);
			if (fsync(fd) < 0 && errno != EINVAL)
				fprintf(stderr, "kstall: %s: %s\n", o.output, strerror(errno));
			/* A file this run made and wrote nothing to (tracing
			 * failed to start) is not left behind; the name is
			 * removed only if it is still the file kstall made. */
			struct stat now;
			if (created && fstat(fd, &st) == 0 && st.st_size == 0 && lstat(o.output, &now) == 0 &&
			    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
				unlink(o.output);
			close(fd);
		}
	}
	check_opts_free(&o);
	return finish_output(rc);
}
