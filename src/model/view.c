/* The view stage: struct inputs -> struct view (see view.h). Every
 * difference between two samples that kstall reports is taken here. */
#include "inputs.h"

#define NO_COL SIZE_MAX

/* The earlier sample of an interval; NULL since boot. */
static const struct sample *earlier(const struct inputs *in)
{
	return in->mode == WINDOW_INTERVAL ? in->prev : NULL;
}

/* ---- proc/stat ---- */

/* Shares of c's ticks since pc (since boot without pc). */
static void cpu_shares(const struct cpu_times *c, const struct cpu_times *pc, struct view_cpu *ret)
{
	struct cpu_times dt = *c;
	double d[CPUT_MAX];

	*ret = (struct view_cpu){.cpu = c->cpu, .ncols = c->ncols};
	if (pc)
		for (int k = 0; k < CPUT_MAX; k++)
			dt.t[k] = c->t[k] >= pc->t[k] ? c->t[k] - pc->t[k] : 0;
	double tot = (double)cpu_times_total(&dt);
	if (tot <= 0)
		return;
	for (int k = 0; k < CPUT_MAX; k++)
		d[k] = k < (int)c->ncols ? (double)dt.t[k] : 0;
	ret->has_time = true;
	for (int k = 0; k < CPUT_MAX; k++)
		ret->share[k] = d[k] / tot;
	ret->idle = (d[CPUT_IDLE] + d[CPUT_IOWAIT]) / tot;
	ret->user = (d[CPUT_USER] + d[CPUT_NICE]) / tot;
}

/* CPU cpu's line in s (i: where it usually is), or NULL. */
static const struct cpu_times *stat_cpu(const struct proc_stat *s, size_t i, int cpu)
{
	if (i < s->ncpus && s->cpus[i].cpu == cpu)
		return &s->cpus[i];
	for (size_t j = 0; j < s->ncpus; j++)
		if (s->cpus[j].cpu == cpu)
			return &s->cpus[j];
	return NULL;
}

static void stat_build(const struct inputs *in, struct view *v)
{
	const struct sample *s = &in->cur, *p = earlier(in);

	v->ctxt_rate = -1;
	v->has_stat = window_src_ok(in, offsetof(struct sample, s_stat), v->stat_why, VIEW_WHY);
	if (!v->has_stat)
		return;
	cpu_shares(&s->stat.total, p ? &p->stat.total : NULL, &v->total);
	v->cpus = xcalloc(s->stat.ncpus + 1, sizeof(*v->cpus));
	v->ncpus = s->stat.ncpus;
	for (size_t i = 0; i < s->stat.ncpus; i++) {
		const struct cpu_times *c = &s->stat.cpus[i], *pc = p ? stat_cpu(&p->stat, i, c->cpu) : NULL;
		if (p && !pc) /* came online in the window */
			v->cpus[i] = (struct view_cpu){.cpu = c->cpu, .ncols = c->ncols};
		else
			cpu_shares(c, pc, &v->cpus[i]);
	}
	if (!s->stat.has_ctxt)
		return;
	if (p)
		v->ctxt_rate = in->interval_s > 0 && s->stat.ctxt >= p->stat.ctxt
				       ? (double)(s->stat.ctxt - p->stat.ctxt) / in->interval_s : -1;
	else
		v->ctxt_rate = view_rate(v, s->stat.ctxt);
}

/* ---- proc/softirqs, proc/interrupts ---- */

/* For each column of t, the column of the same CPU in pt (NO_COL). */
static size_t *column_map(const struct irq_table *t, const struct irq_table *pt)
{
	size_t *map = xcalloc(t->ncols + 1, sizeof(*map));
	for (size_t c = 0; c < t->ncols; c++) {
		map[c] = NO_COL;
		if (c < pt->ncols && pt->cpu_of_col[c] == t->cpu_of_col[c])
			map[c] = c;
		for (size_t pc = 0; pc < pt->ncols && map[c] == NO_COL; pc++)
			if (pt->cpu_of_col[pc] == t->cpu_of_col[c])
				map[c] = pc;
	}
	return map;
}

/* Row r's events per column since p (since boot: its counts). */
static void row_build(const struct irq_table *t, const struct irq_row *r, const struct irq_row *p, const size_t *map,
		      struct view_row *ret)
{
	ret->has = xcalloc(r->ncounts + 1, sizeof(*ret->has));
	ret->n = xcalloc(r->ncounts + 1, sizeof(*ret->n));
	ret->has_sum = !p || r->sum >= p->sum;
	ret->sum = !p ? r->sum : ret->has_sum ? r->sum - p->sum : 0;
	for (size_t c = 0; c < r->ncounts && c < t->ncols; c++) {
		uint64_t before = 0;
		if (p) {
			if (map[c] == NO_COL || map[c] >= p->ncounts)
				continue;
			before = p->counts[map[c]];
		}
		if (r->counts[c] < before)
			continue;
		ret->has[c] = true;
		ret->n[c] = r->counts[c] - before;
	}
}

static void table_build(const struct inputs *in, size_t off, const struct irq_table *t, const struct irq_table *pt,
			struct view_table *ret)
{
	uint64_t all = 0, pall = 0;

	ret->ok = window_src_ok(in, off, ret->why, VIEW_WHY);
	if (!ret->ok)
		return;
	size_t *map = pt ? column_map(t, pt) : NULL;
	ret->t = t;
	ret->rows = xcalloc(t->nrows + 1, sizeof(*ret->rows));
	ret->nrows = t->nrows;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct irq_row *r = &t->rows[i];
		struct view_row *vr = &ret->rows[i];
		vr->row = r;
		for (size_t j = 0; j < i; j++)
			vr->nth += !strcmp(t->rows[j].label, r->label);
		const struct irq_row *p = pt ? irq_table_row(pt, r->label, vr->nth) : NULL;
		vr->matched = !pt || p;
		if (vr->matched)
			row_build(t, r, p, map, vr);
		all += r->sum;
	}
	for (size_t i = 0; pt && i < pt->nrows; i++)
		pall += pt->rows[i].sum;
	ret->has_all = all >= pall;
	ret->all = all - (ret->has_all ? pall : 0);
	free(map);
}

/* ---- softnet_stat ---- */

/* A 32-bit counter's increase from p to c: modulo 2^32, one lap. */
static uint64_t delta32(uint32_t p, uint32_t c)
{
	return (uint32_t)(c - p);
}

static const struct softnet_row *softnet_cpu(const struct softnet *s, size_t i, int cpu)
{
	if (i < s->n && s->rows[i].cpu == cpu)
		return &s->rows[i];
	for (size_t j = 0; j < s->n; j++)
		if (s->rows[j].cpu == cpu)
			return &s->rows[j];
	return NULL;
}

static void softnet_build(const struct inputs *in, struct view_softnet *ret)
{
	const struct softnet *s = &in->cur.softnet;
	const struct sample *p = earlier(in);

	ret->ok = window_src_ok(in, offsetof(struct sample, s_softnet), ret->why, VIEW_WHY);
	if (!ret->ok)
		return;
	/* received_rps is column 10, from 2.6.35: shorter rows lack it */
	ret->has_received = true;
	for (size_t i = 0; i < s->n; i++)
		ret->has_received &= s->rows[i].ncols >= 10;
	for (size_t i = 0; p && i < p->softnet.n; i++)
		ret->has_received &= p->softnet.rows[i].ncols >= 10;
	ret->cpus = xcalloc(s->n + 1, sizeof(*ret->cpus));
	for (size_t i = 0; i < s->n; i++) {
		const struct softnet_row *r = &s->rows[i], *q = p ? softnet_cpu(&p->softnet, i, r->cpu) : NULL;
		static const struct softnet_row zero;
		if (p && !q) {
			ret->cpu_missing = true;
			continue;
		}
		if (!q)
			q = &zero;
		ret->cpus[ret->n++] = (struct view_softnet_cpu){
			.cpu = r->cpu,
			.processed = delta32(q->processed, r->processed),
			.dropped = delta32(q->dropped, r->dropped),
			.squeezed = delta32(q->time_squeeze, r->time_squeeze),
			.received_rps = delta32(q->received_rps, r->received_rps),
		};
	}
}

/* ---- vmstat, dentry-state ---- */

static void vmstat_build(const struct inputs *in, struct view *v)
{
	const struct kvtab *c = &in->cur.vmstat;

	v->has_vmstat = window_src_ok(in, offsetof(struct sample, s_vmstat), v->vmstat_why, VIEW_WHY);
	if (!v->has_vmstat || in->mode != WINDOW_INTERVAL)
		return;
	v->vmstat = xcalloc(c->n + 1, sizeof(*v->vmstat));
	for (size_t i = 0; i < c->n; i++) {
		uint64_t p;
		if (kv_get(&in->prev->vmstat, c->v[i].key, &p) < 0)
			continue; /* a counter the earlier sample lacks */
		double r = in->interval_s > 0 && c->v[i].val >= p ? (double)(c->v[i].val - p) / in->interval_s : -1;
		v->vmstat[v->nvmstat++] = (struct view_counter){c->v[i].key, r};
	}
}

static void dentry_build(const struct inputs *in, struct view *v)
{
	const struct sample *s = &in->cur, *p = in->prev;
	if (in->mode != WINDOW_INTERVAL || !p || in->interval_s <= 0 || p->s_dentry.state != SRC_OK ||
	    s->s_dentry.state != SRC_OK)
		return;
	v->has_dentry_growth = true;
	v->dentry_growth = ((double)s->dentry.nr_dentry - (double)p->dentry.nr_dentry) / in->interval_s;
	v->negative_growth = ((double)s->dentry.nr_negative - (double)p->dentry.nr_negative) / in->interval_s;
}

/* ---- processes ---- */

/* CPU share of a process over the window (0..n), or -1 if unknown: the
 * same pid and start time in both samples; since boot, its CPU time over
 * its life. */
static double proc_share(const struct inputs *in, const struct proc_entry *p)
{
	double hz = in->host.user_hz ? in->host.user_hz : 100;
	uint64_t ticks = p->stat.utime + p->stat.stime;

	if (in->mode == WINDOW_INTERVAL && in->prev) {
		const struct proc_entry *q = sample_proc(in->prev, p->stat.pid);
		if (!q || q->stat.starttime != p->stat.starttime)
			return -1;
		uint64_t t0 = q->stat.utime + q->stat.stime;
		if (in->interval_s <= 0 || ticks < t0)
			return -1;
		return (double)(ticks - t0) / in->interval_s / hz;
	}
	if (in->cur.s_uptime.state != SRC_OK)
		return -1;
	double life = in->cur.uptime_s - (double)p->stat.starttime / hz;
	return life > 1 ? (double)ticks / hz / life : -1;
}

static void procs_build(const struct inputs *in, struct view *v)
{
	v->procs = xcalloc(in->cur.nprocs + 1, sizeof(*v->procs));
	v->nprocs = in->cur.nprocs;
	for (size_t i = 0; i < in->cur.nprocs; i++)
		v->procs[i] = (struct view_proc){in->cur.procs[i].stat.pid, proc_share(in, &in->cur.procs[i])};
}

void view_build(const struct inputs *in, struct view *ret)
{
	const struct sample *p = earlier(in);
	struct view *v = ret;
	uint64_t mmc;

	*v = (struct view){.since_boot = in->mode != WINDOW_INTERVAL};
	v->secs = window_seconds(in, v->secs_why, VIEW_WHY);
	stat_build(in, v);
	table_build(in, offsetof(struct sample, s_softirqs), &in->cur.softirqs, p ? &p->softirqs : NULL, &v->softirqs);
	table_build(in, offsetof(struct sample, s_interrupts), &in->cur.interrupts, p ? &p->interrupts : NULL,
		    &v->interrupts);
	softnet_build(in, &v->softnet);
	vmstat_build(in, v);
	dentry_build(in, v);
	procs_build(in, v);
	v->max_map_count_assumed = kv_get(&in->host.sysctl, "vm.max_map_count", &mmc) < 0 || mmc == 0;
	v->max_map_count = v->max_map_count_assumed ? 65530 /* DEFAULT_MAX_MAP_COUNT, since 2.6.5 */ : mmc;
}

static void table_free(struct view_table *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		free(t->rows[i].has);
		free(t->rows[i].n);
	}
	free(t->rows);
}

void view_free(struct view *v)
{
	free(v->cpus);
	table_free(&v->softirqs);
	table_free(&v->interrupts);
	free(v->softnet.cpus);
	free(v->vmstat);
	free(v->procs);
	*v = (struct view){0};
}

void view_update(struct inputs *in)
{
	struct view v;
	view_build(in, &v);
	view_free(&in->view);
	in->view = v;
}

double view_cpu_share(const struct view *v, int pid)
{
	size_t lo = 0, hi = v->nprocs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v->procs[mid].pid < pid)
			lo = mid + 1;
		else if (v->procs[mid].pid > pid)
			hi = mid;
		else
			return v->procs[mid].cpu_share;
	}
	return -1;
}

const struct view_row *view_table_row(const struct view_table *t, const char *label)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].row->label, label))
			return &t->rows[i];
	return NULL;
}

const struct view_counter *view_vmstat(const struct view *v, const char *key)
{
	for (size_t i = 0; i < v->nvmstat; i++)
		if (!strcmp(v->vmstat[i].key, key))
			return &v->vmstat[i];
	return NULL;
}

double view_rate(const struct view *v, uint64_t events)
{
	return v->secs > 0 ? (double)events / v->secs : -1;
}
