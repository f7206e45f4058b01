/* kstall check: instant diagnosis from /proc and /sys. */
#include "cmd.h"
#include "../lib/memtree.h"
#include "../lib/tar.h"
#include "../detect/detect.h"

#include <sys/resource.h>

int finish_output(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "kstall: writing output failed: %s\n", strerror(errno));
		return EXIT_CANNOT_RUN;
	}
	return rc;
}

static double self_cpu_seconds(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* kstall's own peak RSS in bytes (VmHWM), on the live host; -1 elsewhere
 * (a tree's proc/self is not kstall) or when the kernel does not say. */
static double self_rss_peak(struct sysroot *r)
{
	struct buf b = {0};
	uint64_t kb;
	int rc = sysroot_read_self(r, "proc/self/status", &b);
	if (rc == 0)
		rc = proc_field_u64(b.data, "VmHWM", &kb, NULL);
	buf_free(&b);
	return rc == 0 ? (double)kb * 1024 : -1;
}

/* Open the root named by the options: a directory, or a .tar.gz snapshot
 * read into memory (nothing from it is written to disk). */
static int open_root(const char *root, struct sysroot **ret)
{
	int rc;

	if (path_is_tar_gz(root)) {
		struct memtree t = {0};
		char why[512] = "";
		rc = tar_gz_read(root, &t, why, sizeof(why));
		if (rc < 0) {
			_cleanup_free_ char *w = sanitize_tty(why);
			fprintf(stderr, "kstall: cannot read snapshot %s: %s\n", root, w);
			return rc;
		}
		return sysroot_open_mem(&t, root, ret);
	}
	rc = sysroot_open(root, ret);
	if (rc < 0)
		fprintf(stderr, "kstall: cannot open root %s: %s\n", root, strerror(-rc));
	return rc;
}

/* The processes the findings name, so that their command lines are read. */
static void read_subject_cmdlines(struct sysroot *r, struct inputs *in, const struct findings *f)
{
	int *pids = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < f->v[i].nsubj; j++)
			if (f->v[i].subj[j].kind == SUBJ_PROCESS) {
				ARRAY_GROW(pids, n, cap);
				pids[n++] = f->v[i].subj[j].pid;
			}
	collect_cmdlines(r, in, pids, n);
	free(pids);
}

void report_build(struct sysroot *r, struct inputs *in, struct report *rep)
{
	unsigned have = (sysroot_is_live(r) && geteuid() == 0) ? NEED_ROOT : 0;

	*rep = (struct report){.in = in};
	detect_all(in, have, &rep->findings, &rep->skips);
	detect_coverage(in, have, &rep->skips, &rep->partial);
	rep->unprivileged = in->live && !(have & NEED_ROOT);
	read_subject_cmdlines(r, in, &rep->findings);
	metrics_collect(in, &rep->metrics);
	metrics_self(&rep->metrics, self_rss_peak(r));
	for (size_t i = 0; i < ndetectors; i++)
		for (const char *const *id = detectors[i]->ids; *id; id++)
			rep->nchecks++;
	rep->nchecks = rep->nchecks > rep->skips.n ? rep->nchecks - rep->skips.n : 0;
	rep->kstall_cpu_s = self_cpu_seconds();
}

void report_free(struct report *rep)
{
	findings_free(&rep->findings);
	skips_free(&rep->skips);
	skips_free(&rep->partial);
	metrics_free(&rep->metrics);
}

int report_render(const struct check_opts *o, const struct report *rep)
{
	bool color = o->color == 1 || (o->color == -1 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	int rc = o->format == FORMAT_JSON ? render_json(stdout, rep) : render_text(stdout, rep, color);
	if (rc < 0)
		return EXIT_CANNOT_RUN;
	bool any;
	enum severity max = findings_max(&rep->findings, &any);
	return o->fail_on_set && any && max >= o->fail_on ? EXIT_FAIL_ON : EXIT_RAN;
}

int run_check(const struct check_opts *o, struct sysroot *given, struct run_window *ret_window)
{
	struct sysroot *r = given;
	struct inputs in = {0};
	struct report rep = {0};
	int exit_code = EXIT_CANNOT_RUN;

	if (!r && open_root(o->root, &r) < 0)
		goto out;
	sysroot_set_deadline_ms(r, o->deadline_ms);

	struct collect_opts co = {.interval_s = o->interval_s, .pids = o->pids, .npids = o->npids};
	int crc = collect(r, &co, &in);
	if (crc == -EBADMSG) {
		const struct errnote *e = in.nerrors ? &in.errors[in.nerrors - 1] : NULL;
		_cleanup_free_ char *msg = sanitize_tty(e ? e->msg : "");
		fprintf(stderr, "kstall: %s: incomplete or malformed snapshot (%s: %s): a snapshot writes kstall/meta "
				"last, so without a whole one it was cut short; take it again\n", o->root, SNAPSHOT_META, msg);
		goto out;
	} else if (crc < 0) {
		fprintf(stderr, "kstall: %s has no proc/ directory: not a live root, snapshot or captured tree\n",
			o->root);
		goto out;
	}
	report_build(r, &in, &rep);
	if (ret_window) {
		ret_window->interval_s = in.mode == WINDOW_INTERVAL ? in.interval_s : 0;
		ret_window->t0 = in.prev ? in.prev->t_real : 0;
		ret_window->t1 = in.cur.t_real;
		ret_window->user_hz = in.host.user_hz;
	}
	exit_code = report_render(o, &rep);
out:
	report_free(&rep);
	inputs_free(&in);
	if (!given)
		sysroot_free(r);
	return exit_code;
}

int cmd_check(struct check_opts *o)
{
	return run_check(o, NULL, NULL);
}
