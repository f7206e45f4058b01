/* Text for people: findings first, most severe first; then what could not
 * be checked and why. */
#include "render.h"

/* Sanitized copies for printing, from a small ring so that call sites stay
 * one-liners; tty_release() frees them at the end of a render. */
#define TTY_RING 16
static char *tty_ring[TTY_RING];
static unsigned tty_next;

static const char *tty(const char *s)
{
	unsigned i = tty_next++ % TTY_RING;
	free(tty_ring[i]);
	tty_ring[i] = sanitize_tty(s ? s : "");
	return tty_ring[i];
}

static void tty_release(void)
{
	for (unsigned i = 0; i < TTY_RING; i++) {
		free(tty_ring[i]);
		tty_ring[i] = NULL;
	}
}

struct style {
	const char *bold, *red, *yellow, *dim, *reset;
};

/* A string value is returned escaped and whole (a fixed buffer could cut
 * it inside an escape or a character); a number is formatted into out by
 * the formatter of its kind (src/lib/util.h), the one the detectors use in
 * titles and summaries, so a figure reads the same in both. */
static const char *value_text(const struct evidence *e, char *out, size_t n)
{
	char c[32];
	if (!e->is_num)
		return tty(e->str);
	if (!strcmp(e->unit, U_BYTES))
		fmt_bytes(e->num, out, n);
	else if (!strcmp(e->unit, U_RATIO))
		fmt_pct(e->num, out, n);
	else if (!strcmp(e->unit, U_PER_S))
		snprintf(out, n, "%s/s", fmt_rate(e->num, c, sizeof(c)));
	else if (!strcmp(e->unit, U_BYTES_PER_S))
		snprintf(out, n, "%s/s", fmt_bytes(e->num, c, sizeof(c)));
	else if (!strcmp(e->unit, U_SECONDS))
		fmt_duration(e->num, out, n);
	else if (!strcmp(e->unit, U_ID) && e->num >= 0 && e->num < 9e15)
		snprintf(out, n, "%llu", (unsigned long long)e->num); /* a name, never scaled */
	else
		fmt_count(e->num, out, n);
	return out;
}

/* Host text, escaped, from column col, wrapped at width. */
static void wrapped(FILE *out, const char *text, int col, int indent, int width)
{
	char *s = sanitize_tty(text);
	fput_wrapped(out, s, col, indent, width);
	free(s);
}

/* A -p target's address space, in two lines. */
static void layout_text(FILE *out, const struct inputs *in, const struct vma_summary *v)
{
	bool linear = in->host.has_kver && vma_linear_search(&in->host.kver);
	uint64_t limit = in->view.max_map_count;
	char a[32], b[32], c[32];
	fprintf(out, "  layout   %s regions (%s of vm.max_map_count), %s mapped; most common:",
		fmt_count((double)v->nvmas, c, sizeof(c)), fmt_pct((double)v->nvmas / (double)limit, a, sizeof(a)),
		fmt_bytes((double)v->mapped_bytes, b, sizeof(b)));
	for (size_t k = 0; k < v->ntop && k < 4; k++) {
		fprintf(out, "%s %s x %s", k ? "," : "", fmt_bytes((double)v->top_sizes[k].size, a, sizeof(a)),
			fmt_count((double)v->top_sizes[k].count, b, sizeof(b)));
		if (linear)
			fprintf(out, " (%s search steps)", fmt_count((double)v->top_sizes[k].linear_steps, c, sizeof(c)));
	}
	fprintf(out, "\n           %s holes (%s of 16 KiB or less), %s unmerged neighbours; room for a "
		     "mapping: %s\n", fmt_count((double)v->nholes, a, sizeof(a)),
		fmt_count((double)v->hole_buckets[0], b, sizeof(b)), fmt_count((double)v->unmerged_neighbours, c, sizeof(c)),
		linear ? "a linear walk (before 3.8)" : "a tree search");
}

static void finding_text(FILE *out, const struct inputs *in, const struct finding *f, const struct style *st)
{
	const char *sc = f->severity == SEV_CRITICAL ? st->red : f->severity == SEV_WARNING ? st->yellow : "";
	fprintf(out, "%s%s%-8s%s %s%s%s\n", st->bold, sc, severity_name(f->severity), st->reset, st->bold,
		tty(f->title), st->reset);
	fprintf(out, "         %s%s%s\n", st->dim, tty(f->id), st->reset);
	if (f->summary) {
		fprintf(out, "%9s", "");
		wrapped(out, f->summary, 9, 9, 100);
	}
	if (f->nev) {
		size_t w = 0;
		fprintf(out, "\n         evidence:\n");
		for (size_t i = 0; i < f->nev; i++)
			if (strlen(tty(f->ev[i].name)) > w)
				w = strlen(tty(f->ev[i].name));
		for (size_t i = 0; i < f->nev; i++) {
			char v[128];
			const char *name = tty(f->ev[i].name), *val = value_text(&f->ev[i], v, sizeof(v));
			fprintf(out, "           %-*s  %-14s %s%s%s\n", (int)w, name, val, st->dim,
				tty(f->ev[i].source), st->reset);
		}
	}
	if (f->nsubj) {
		fprintf(out, "\n         subjects:\n");
		for (size_t i = 0; i < f->nsubj; i++) {
			const struct subject *s = &f->subj[i];
			const char *c = tty(s->comm ? s->comm : s->name);
			if (s->kind == SUBJ_PROCESS) {
				const struct proc_entry *p = sample_proc(&in->cur, s->pid);
				fprintf(out, "           process %s (pid %d)%s%s\n", c, s->pid, s->role ? ", " : "",
					tty(s->role));
				if (p && p->cmdline && *p->cmdline)
					fprintf(out, "             %s%s%s\n", st->dim, tty(p->cmdline), st->reset);
			}
			else
				fprintf(out, "           %s %s\n", subject_kind_name(s->kind), c);
		}
	}
	if (f->nremedy) {
		fprintf(out, "\n         remedy:\n");
		for (size_t i = 0; i < f->nremedy; i++) {
			fprintf(out, "          %2zu. ", i + 1);
			wrapped(out, f->remedy[i], 14, 14, 100);
		}
	}
	fprintf(out, "\n         more: kstall explain %s\n\n", tty(f->id));
}

static bool err_is_permission(int err)
{
	return err == -EACCES || err == -EPERM;
}

/* Two entries of unreadable say the same thing about different
 * processes: one line for them all. */
static bool same_cause(const struct unreadable *a, const struct unreadable *b)
{
	if (strcmp(a->file, b->file))
		return false;
	if (err_is_permission(a->err) || err_is_permission(b->err))
		return err_is_permission(a->err) && err_is_permission(b->err);
	return !strcmp(a->reason, b->reason);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

#define UNREADABLE_NAMED 6

/* One line per file and cause: "maps of 17 processes: permission denied
 * (not root)". A permission error is the same for every process it hits
 * and the processes are listed in JSON; any other cause (a deadline
 * passed: the process may hold its mmap_lock) names the first few. */
static void unreadable_text(FILE *out, const struct report *r, const struct style *st)
{
	const struct inputs *in = r->in;
	bool *done = xcalloc(in->nunreadable + 1, sizeof(*done));
	int *pids = xcalloc(in->nunreadable + 1, sizeof(*pids));
	const struct unreadable **named = xcalloc(in->nunreadable + 1, sizeof(*named));

	fprintf(out, "%sunreadable%s\n", st->bold, st->reset);
	for (size_t i = 0; i < in->nunreadable; i++) {
		const struct unreadable *u = &in->unreadable[i];
		size_t n = 0, nprocs = 0, nnamed = 0;
		if (done[i])
			continue;
		for (size_t k = i; k < in->nunreadable; k++)
			if (!done[k] && same_cause(u, &in->unreadable[k])) {
				done[k] = true;
				pids[n++] = in->unreadable[k].pid;
			}
		if (n > 1)
			qsort(pids, n, sizeof(*pids), cmp_int);
		for (size_t k = 0; k < n; k++)
			nprocs += k == 0 || pids[k] != pids[k - 1];
		bool perm = err_is_permission(u->err);
		const char *why = perm ? (r->unprivileged ? "permission denied (not root)" : "permission denied")
				       : tty(u->reason);
		if (nprocs == 1) {
			fprintf(out, "  pid %d (%s) %s: %s\n", u->pid, tty(u->comm), tty(u->file), why);
			continue;
		}
		fprintf(out, "  %s of %zu processes: %s", tty(u->file), nprocs, why);
		if (perm) {
			fprintf(out, "; --format json lists them\n");
			continue;
		}
		/* The first few, in the order read, each once. */
		for (size_t k = i; k < in->nunreadable && nnamed < UNREADABLE_NAMED; k++) {
			const struct unreadable *x = &in->unreadable[k];
			bool seen = !same_cause(u, x);
			for (size_t j = 0; j < nnamed && !seen; j++)
				seen = named[j]->pid == x->pid;
			if (!seen)
				named[nnamed++] = x;
		}
		for (size_t j = 0; j < nnamed; j++)
			fprintf(out, "%s%d (%s)", j ? ", " : ": pids ", named[j]->pid, tty(named[j]->comm));
		if (nprocs > nnamed)
			fprintf(out, " and %zu more", nprocs - nnamed);
		fputc('\n', out);
	}
	fputc('\n', out);
	free(done);
	free(pids);
	free(named);
}

/* A section of ids and why: what was not checked, or checked in part. */
static void skips_text(FILE *out, const char *heading, const struct skips *k, const struct style *st)
{
	if (!k->n)
		return;
	fprintf(out, "%s%s%s\n", st->bold, heading, st->reset);
	for (size_t i = 0; i < k->n; i++) {
		fprintf(out, "  %s: ", tty(k->v[i].detector));
		wrapped(out, k->v[i].reason, 4 + (int)strlen(k->v[i].detector), 4, 100);
	}
	fputc('\n', out);
}

int render_text(FILE *out, const struct report *r, bool color)
{
	static const struct style plain = {"", "", "", "", ""};
	static const struct style ansi = {"\033[1m", "\033[31m", "\033[33m", "\033[2m", "\033[0m"};
	const struct style *st = color ? &ansi : &plain;
	const struct inputs *in = r->in;
	const struct host *h = &in->host;
	char mem[32] = "?", ts[40], w[32], pct[32];
	uint64_t mt;
	int ncpu = h->s_online.state == SRC_OK ? (int)cpuset_count(&h->online) : (int)in->cur.stat.ncpus;

	if (meminfo_bytes(&in->cur, "MemTotal", &mt) == 0)
		fmt_bytes((double)mt, mem, sizeof(mem));
	fprintf(out, "%skstall %s%s  host %s, kernel %s, %d CPUs, %s\n", st->bold, KSTALL_VERSION, st->reset,
		tty(h->hostname), h->has_kver ? tty(h->kver.release) : "unknown", ncpu, mem);
	if (in->mode == WINDOW_INTERVAL) {
		format_utc(in->cur.t_real, ts, sizeof(ts));
		fprintf(out, "window   %s between two samples (%s), ending %s\n\n",
			fmt_duration(in->interval_s, w, sizeof(w)), in->window_source,
			in->cur.t_real > 0 ? ts : "at an unknown time");
	} else {
		fprintf(out, "window   since boot: one sample of %s, rates are averages since boot\n\n",
			in->window_source);
	}

	if (!r->findings.n && !r->nchecks)
		fprintf(out, "No check could run: see \"not checked\" below.\n\n");
	else if (!r->findings.n && r->partial.n)
		fprintf(out, "No problems found (%zu check%s ran, %zu of them over only part of the processes: see "
			     "\"checked in part\" below).\n\n", r->nchecks, r->nchecks == 1 ? "" : "s", r->partial.n);
	else if (!r->findings.n)
		fprintf(out, "No problems found (%zu check%s ran).\n\n", r->nchecks, r->nchecks == 1 ? "" : "s");
	for (size_t i = 0; i < r->findings.n; i++)
		finding_text(out, in, &r->findings.v[i], st);

	for (size_t i = 0; i < in->npids; i++) {
		const struct proc_entry *p = sample_proc(&in->cur, in->pids[i]);
		if (!p) {
			fprintf(out, "%sprocess %d%s: no such process\n\n", st->bold, in->pids[i], st->reset);
			continue;
		}
		const char *c = tty(p->stat.comm), *cl = tty(p->cmdline ? p->cmdline : "?");
		char rss[32] = "?";
		double share = view_cpu_share(&in->view, p->stat.pid);
		if (p->status && p->status->has_vm)
			fmt_bytes((double)p->status->vm_rss_kb * 1024, rss, sizeof(rss));
		fprintf(out, "%sprocess %d (%s)%s  state %c, %" PRId64 " threads, RSS %s", st->bold, p->stat.pid,
			c, st->reset, p->stat.state, p->stat.num_threads, rss);
		if (p->vma)
			fprintf(out, ", %" PRIu32 " VMAs", p->vma->nvmas);
		if (share >= 0)
			fprintf(out, ", %s of a CPU", fmt_pct(share, pct, sizeof(pct)));
		fprintf(out, "\n  cmdline  %s\n", cl);
		if (p->vma)
			layout_text(out, in, p->vma);
		if (p->wchan && *p->wchan)
			fprintf(out, "  wchan    %s\n", tty(p->wchan));
		for (size_t k = 0; k < p->stack.n; k++)
			fprintf(out, "  %s %s\n", k ? "        " : "stack   ", tty(p->stack.funcs[k]));
		fputc('\n', out);
	}

	skips_text(out, "not checked", &r->skips, st);
	skips_text(out, "checked in part", &r->partial, st);
	if (in->nunreadable)
		unreadable_text(out, r, st);
	if (in->nerrors) {
		fprintf(out, "%smalformed files%s\n", st->bold, st->reset);
		for (size_t i = 0; i < in->nerrors; i++) {
			const struct errnote *e = &in->errors[i];
			if (e->line)
				fprintf(out, "  %s:%u: %s\n", tty(e->file), e->line, tty(e->msg));
			else
				fprintf(out, "  %s: %s\n", tty(e->file), tty(e->msg));
		}
		fputc('\n', out);
	}
	tty_release();
	return ferror(out) ? -EIO : 0;
}
