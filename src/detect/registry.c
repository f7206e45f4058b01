#include "detect.h"

extern const struct detector detector_dcache;
extern const struct detector detector_lookups;
extern const struct detector detector_reclaim;
extern const struct detector detector_kswapd;
extern const struct detector detector_vma;
extern const struct detector detector_mmap_churn;
extern const struct detector detector_irq;
extern const struct detector detector_irq_live;
extern const struct detector detector_writeback;
extern const struct detector detector_mmap_lock;

const struct detector *const detectors[] = {
	&detector_dcache,
	&detector_lookups,
	&detector_reclaim,
	&detector_kswapd,
	&detector_vma,
	&detector_mmap_churn,
	&detector_irq,
	&detector_irq_live,
	&detector_writeback,
	&detector_mmap_lock,
};
const size_t ndetectors = ARRAY_SIZE(detectors);

void detect_all(const struct inputs *in, unsigned have, struct findings *out, struct skips *skips)
{
	if (in->traced)
		have |= NEED_BPF;
	for (size_t i = 0; i < ndetectors; i++) {
		const struct detector *d = detectors[i];
		unsigned missing = d->needs & ~have;

		if (missing) {
			for (const char *const *id = d->ids; *id; id++)
				skips_add(skips, *id, "%s",
					  missing & NEED_BPF ? "needs live tracing: run `kstall watch` (or plain `kstall`) as root"
							     : "needs root");
			continue;
		}
		d->run(in, out, skips);
	}
	findings_sort(out);
}

/* The groups an id lacks to be served; for a note_of line, its group if
 * it runs. */
static unsigned trace_lacks(const struct detector_trace *dt, unsigned groups)
{
	unsigned lacks = dt->groups_all & ~groups;
	if (dt->note_of)
		return dt->note_of & groups;
	if (dt->groups_any && !(dt->groups_any & groups))
		lacks |= dt->groups_any;
	return lacks;
}

/* The note an id's skip (or a note_of line's text) comes from: the first
 * about a group it lacks (about its group, running, for note_of); -1 if
 * it lacks none, or nothing was said. */
static ssize_t trace_note(const struct detector_trace *dt, unsigned groups, const struct tg_notes *notes)
{
	unsigned lacks = trace_lacks(dt, groups);
	bool running = dt->note_of != 0;
	for (size_t i = 0; lacks && i < notes->n; i++)
		if ((notes->v[i].group & lacks) && notes->v[i].running == running)
			return (ssize_t)i;
	return -1;
}

/* Last, an id whose groups the tracer switched off without a word. */
static void trace_unsaid(const struct detector_trace *dt, unsigned groups, struct skips *skips)
{
	struct buf b = {0};
	tg_names(trace_lacks(dt, groups), ", ", &b);
	skips_add(skips, dt->id, "live tracing ran without the %s programs it needs", b.data);
	buf_free(&b);
}

void detect_trace_skips(unsigned groups, const struct tg_notes *notes, struct skips *skips)
{
	for (size_t n = 0; n <= notes->n; n++)
		for (size_t i = 0; i < ndetectors; i++)
			for (const struct detector_trace *dt = detectors[i]->traces; dt && dt->id; dt++) {
				ssize_t k = trace_note(dt, groups, notes);
				if (n < notes->n && k == (ssize_t)n)
					skips_add(skips, dt->id, "%s%s%s", notes->v[n].reason, dt->note_then ? "; " : "",
						  dt->note_then ? dt->note_then : "");
				else if (n == notes->n && k < 0 && !dt->note_of && trace_lacks(dt, groups))
					trace_unsaid(dt, groups, skips);
			}
}

void src_reason(const struct src *s, const char *what, char *out, size_t n)
{
	if (s->why[0])
		snprintf(out, n, "%s", s->why);
	else
		snprintf(out, n, "%s was not read", s->path[0] ? s->path : what);
}

bool window_src_ok(const struct inputs *in, size_t off, char *why, size_t n)
{
	const struct src *c = (const struct src *)((const char *)&in->cur + off);
	if (c->state != SRC_OK) {
		src_reason(c, "a file of the later sample", why, n);
		return false;
	}
	if (in->mode != WINDOW_INTERVAL)
		return true;
	if (!in->prev) {
		snprintf(why, n, "no earlier sample to take the difference from");
		return false;
	}
	const struct src *p = (const struct src *)((const char *)in->prev + off);
	if (p->state != SRC_OK) {
		src_reason(p, "a file of the earlier sample", why, n);
		return false;
	}
	return true;
}

double window_seconds(const struct inputs *in, char *why, size_t n)
{
	if (in->mode == WINDOW_INTERVAL) {
		if (in->interval_s > 0)
			return in->interval_s;
		snprintf(why, n, "the window between the samples is empty");
		return -1;
	}
	const struct src *u = &in->cur.s_uptime;
	if (u->state == SRC_OK && in->cur.uptime_s > 0)
		return in->cur.uptime_s;
	if (u->state == SRC_OK)
		snprintf(why, n, "%s reads 0 s since boot", u->path);
	else
		src_reason(u, "proc/uptime", why, n);
	return -1;
}

static bool id_skipped(const struct skips *skips, const char *id)
{
	for (size_t i = 0; i < skips->n; i++)
		if (!strcmp(skips->v[i].detector, id))
			return true;
	return false;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Distinct pids in v[0..n-1] (sorted in place). */
static size_t distinct(int *v, size_t n)
{
	size_t k = 0;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_int);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			k++;
	return k;
}

void detect_coverage(const struct inputs *in, unsigned have, const struct skips *skips, struct skips *partial)
{
	bool unprivileged = in->live && !(have & NEED_ROOT);
	int *denied = xcalloc(in->nunreadable + 1, sizeof(*denied));
	int *other = xcalloc(in->nunreadable + 1, sizeof(*other));

	for (size_t i = 0; i < ndetectors; i++)
		for (const struct detector_proc_file *pf = detectors[i]->proc_files; pf && pf->id; pf++) {
			size_t nd = 0, no = 0;
			const char *why = NULL;
			if (id_skipped(skips, pf->id))
				continue;
			for (size_t k = 0; k < in->nunreadable; k++) {
				const struct unreadable *u = &in->unreadable[k];
				if (strcmp(u->file, pf->file))
					continue;
				if (u->err == -EACCES || u->err == -EPERM) {
					denied[nd++] = u->pid;
				} else {
					other[no++] = u->pid;
					why = u->reason;
				}
			}
			nd = distinct(denied, nd);
			no = distinct(other, no);
			if (!nd && !no)
				continue;
			struct buf b = {0};
			if (nd && unprivileged)
				buf_printf(&b, "covered only your own processes: the %s of %zu process%s could not be read "
					       "(permission denied, not root); run as root to cover every process",
					   pf->file, nd, nd == 1 ? "" : "es");
			else if (nd)
				buf_printf(&b, "covered all but %zu process%s, whose %s could not be read (permission "
					       "denied)", nd, nd == 1 ? "" : "es", pf->file);
			if (no)
				buf_printf(&b, "%s%zu process%s not covered: %s%s could not be read (%s)", nd ? "; " : "",
					   no, no == 1 ? "" : "es", no == 1 ? "its " : "their ", pf->file, why);
			buf_reserve(&b, 0);
			skips_add(partial, pf->id, "%s", b.data);
			buf_free(&b);
		}
	free(denied);
	free(other);
}

double window_rate(const struct inputs *in, uint64_t prev, uint64_t cur)
{
	if (in->mode == WINDOW_INTERVAL)
		return rate_u64(prev, cur, in->interval_s);
	if (in->cur.s_uptime.state == SRC_OK && in->cur.uptime_s > 0)
		return (double)cur / in->cur.uptime_s;
	return -1;
}

bool irq_col_delta(const struct inputs *in, const struct irq_table *cur, const struct irq_table *prev,
		   const struct irq_row *r, const struct irq_row *p, size_t col, uint64_t *ret)
{
	if (col >= r->ncounts || col >= cur->ncols)
		return false;
	uint64_t before = 0;
	if (in->mode == WINDOW_INTERVAL) {
		if (!prev || !p)
			return false;
		/* the same CPU's column in the earlier sample */
		size_t pc = 0;
		while (pc < prev->ncols && prev->cpu_of_col[pc] != cur->cpu_of_col[col])
			pc++;
		if (pc >= prev->ncols || pc >= p->ncounts)
			return false;
		before = p->counts[pc];
	}
	if (r->counts[col] < before)
		return false;
	*ret = r->counts[col] - before;
	return true;
}

double irq_col_rate(const struct inputs *in, const struct irq_table *cur, const struct irq_table *prev,
		    const struct irq_row *r, const struct irq_row *p, size_t col)
{
	uint64_t d;
	if (!irq_col_delta(in, cur, prev, r, p, col, &d))
		return -1;
	/* since boot the delta is the counter itself */
	return in->mode == WINDOW_INTERVAL ? rate_u64(0, d, in->interval_s) : window_rate(in, 0, d);
}

bool cpu_window_delta(const struct inputs *in, const struct cpu_times *c, struct cpu_times *d)
{
	const struct sample *p = in->mode == WINDOW_INTERVAL ? in->prev : NULL;
	const struct cpu_times *pc = NULL;
	if (in->mode == WINDOW_INTERVAL && (!p || p->s_stat.state != SRC_OK))
		return false;
	for (size_t j = 0; p && j < p->stat.ncpus && !pc; j++)
		if (p->stat.cpus[j].cpu == c->cpu)
			pc = &p->stat.cpus[j];
	if (p && !pc)
		return false; /* came online in the window */
	*d = *c;
	if (pc)
		for (int k = 0; k < CPUT_MAX; k++)
			d->t[k] = c->t[k] >= pc->t[k] ? c->t[k] - pc->t[k] : 0;
	return true;
}

double rate_u64(uint64_t prev, uint64_t cur, double interval_s)
{
	if (interval_s <= 0 || cur < prev)
		return -1;
	return (double)(cur - prev) / interval_s;
}

double proc_cpu_share(const struct inputs *in, const struct proc_entry *p)
{
	double hz = in->host.user_hz ? in->host.user_hz : 100;
	uint64_t ticks = p->stat.utime + p->stat.stime;

	if (in->mode == WINDOW_INTERVAL && in->prev) {
		const struct proc_entry *q = sample_proc(in->prev, p->stat.pid);
		if (!q || q->stat.starttime != p->stat.starttime)
			return -1;
		uint64_t t0 = q->stat.utime + q->stat.stime;
		double r = rate_u64(t0, ticks, in->interval_s);
		return r < 0 ? -1 : r / hz;
	}
	/* Since boot: average over the process's life. */
	if (in->cur.s_uptime.state != SRC_OK)
		return -1;
	double life = in->cur.uptime_s - (double)p->stat.starttime / hz;
	return life > 1 ? (double)ticks / hz / life : -1;
}

bool dentry_growth(const struct inputs *in, double *ret_growth, double *ret_negative)
{
	if (in->mode != WINDOW_INTERVAL || !in->prev || in->interval_s <= 0 || in->prev->s_dentry.state != SRC_OK ||
	    in->cur.s_dentry.state != SRC_OK)
		return false;
	*ret_growth = ((double)in->cur.dentry.nr_dentry - (double)in->prev->dentry.nr_dentry) / in->interval_s;
	*ret_negative = ((double)in->cur.dentry.nr_negative - (double)in->prev->dentry.nr_negative) / in->interval_s;
	return true;
}

bool comm_is_kswapd(const char *comm)
{
	return str_starts_with(comm, "kswapd") && comm[6] >= '0' && comm[6] <= '9';
}
