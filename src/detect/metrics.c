/* Metrics: the figures behind findings, for programs (JSON, and later
 * Prometheus). Rates are per second over the window; in since-boot mode,
 * averages since boot. */
#include "detect.h"

static void add_rate(struct metrics *m, const char *name, double r)
{
	if (r >= 0)
		metrics_add(m, name, r, U_PER_S);
}

static bool prev_ok(const struct inputs *in, size_t off)
{
	/* off: offset of a struct src in struct sample */
	if (in->mode != WINDOW_INTERVAL || !in->prev)
		return in->mode == WINDOW_SINCE_BOOT;
	return ((const struct src *)((const char *)in->prev + off))->state == SRC_OK;
}

/* Time shares of each CPU's ticks over the window: one value per CPU
 * present in both samples. */
static void cpu_share_breakdown(const struct inputs *in, int col, struct metric_cpu *out, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < in->cur.stat.ncpus; i++) {
		const struct cpu_times *c = &in->cur.stat.cpus[i];
		struct cpu_times d;
		if ((unsigned)col >= c->ncols || !cpu_window_delta(in, c, &d))
			continue;
		double tot = (double)cpu_times_total(&d);
		if (tot > 0)
			out[(*n)++] = (struct metric_cpu){c->cpu, (double)d.t[col] / tot};
	}
}

static void cpu_metrics(const struct inputs *in, struct metrics *m)
{
	static const char *const names[] = {"user", "nice", "system", "idle", "iowait",
					    "irq", "softirq", "steal"};
	const struct cpu_times *c = &in->cur.stat.total;
	struct cpu_times d = *c;

	if (in->cur.s_stat.state != SRC_OK || !prev_ok(in, offsetof(struct sample, s_stat)))
		return;
	if (in->mode == WINDOW_INTERVAL)
		for (int i = 0; i < CPUT_MAX; i++)
			d.t[i] = c->t[i] >= in->prev->stat.total.t[i] ? c->t[i] - in->prev->stat.total.t[i] : 0;
	double tot = (double)cpu_times_total(&d);
	if (tot <= 0)
		return;
	struct metric_cpu *pc = xcalloc(in->cur.stat.ncpus + 1, sizeof(*pc));
	for (size_t i = 0; i < ARRAY_SIZE(names) && i < d.ncols; i++) {
		size_t n;
		metrics_addf(m, (double)d.t[i] / tot, U_RATIO, "cpu.%s_share", names[i]);
		cpu_share_breakdown(in, (int)i, pc, &n);
		metrics_set_per_cpu(m, pc, n);
	}
	free(pc);
	metrics_add(m, "cpu.count_in_stat", (double)in->cur.stat.ncpus, U_COUNT);
	if (in->cur.stat.has_ctxt)
		add_rate(m, "cpu.context_switches",
			 window_rate(in, in->prev ? in->prev->stat.ctxt : 0, in->cur.stat.ctxt));
}

/* Every row of an irq table as a rate with its per-CPU breakdown. Rows
 * with no events in the window are left out unless always lists them
 * (the IPIs, so that programs can rely on them); so are CPUs with none.
 * keep_zero keeps every row and CPU (softirqs: ten rows). A label the table has
 * twice (ppc's two LOC rows) gets .2 on the second. */
static void table_metrics(const struct inputs *in, const struct irq_table *t, const struct irq_table *pt,
			  const char *prefix, const char *const *always, bool keep_zero, struct metrics *m)
{
	struct metric_cpu *pc = xcalloc(t->ncols + 1, sizeof(*pc));
	for (size_t i = 0; i < t->nrows; i++) {
		const struct irq_row *r = &t->rows[i];
		unsigned nth = 0;
		for (size_t j = 0; j < i; j++)
			nth += !strcmp(t->rows[j].label, r->label);
		const struct irq_row *p = pt ? irq_table_row(pt, r->label, nth) : NULL;
		if (in->mode == WINDOW_INTERVAL && !p)
			continue;
		double rate = window_rate(in, p ? p->sum : 0, r->sum);
		bool listed = false;
		for (const char *const *a = always; a && *a; a++)
			listed |= !strcmp(*a, r->label);
		if (rate < 0 || (rate == 0 && !listed && !keep_zero))
			continue;
		size_t n = 0;
		for (size_t c = 0; c < r->ncounts && c < t->ncols; c++) {
			double v = irq_col_rate(in, t, pt, r, p, c);
			if (v > 0 || (v == 0 && keep_zero))
				pc[n++] = (struct metric_cpu){t->cpu_of_col[c], v};
		}
		if (nth)
			metrics_addf(m, rate, U_PER_S, "%s.%s.%u", prefix, r->label, nth + 1);
		else
			metrics_addf(m, rate, U_PER_S, "%s.%s", prefix, r->label);
		metrics_set_per_cpu(m, pc, n);
		metrics_set_desc(m, r->desc);
	}
	free(pc);
}

static void irq_metrics(const struct inputs *in, struct metrics *m)
{
	const struct sample *p = in->mode == WINDOW_INTERVAL ? in->prev : NULL;
	if (in->cur.s_softirqs.state == SRC_OK && prev_ok(in, offsetof(struct sample, s_softirqs)))
		table_metrics(in, &in->cur.softirqs, p ? &p->softirqs : NULL, "softirq", NULL, true, m);
	const struct irq_table *t = &in->cur.interrupts;
	if (in->cur.s_interrupts.state == SRC_OK && prev_ok(in, offsetof(struct sample, s_interrupts))) {
		static const char *const ipis[] = {"CAL", "RES", "TLB", "LOC", "NMI", NULL};
		uint64_t sum = 0, psum = 0;
		for (size_t i = 0; i < t->nrows; i++)
			sum += t->rows[i].sum;
		if (p)
			for (size_t i = 0; i < p->interrupts.nrows; i++)
				psum += p->interrupts.rows[i].sum;
		add_rate(m, "interrupts.all", window_rate(in, psum, sum));
		table_metrics(in, t, p ? &p->interrupts : NULL, "interrupts", ipis, false, m);
	}
	if (in->cur.s_softnet.state == SRC_OK && prev_ok(in, offsetof(struct sample, s_softnet))) {
		static const char *const n[] = {"softnet.processed", "softnet.dropped",
						"softnet.time_squeeze", "softnet.received_rps"};
		size_t ncpu = in->cur.softnet.n;
		struct metric_cpu *pc = xcalloc(ncpu + 1, sizeof(*pc));
		/* received_rps is column 10, from 2.6.35: shorter rows lack it */
		bool has_rps = true;
		for (size_t i = 0; i < ncpu; i++)
			has_rps &= in->cur.softnet.rows[i].ncols >= 10;
		for (size_t i = 0; p && i < p->softnet.n; i++)
			has_rps &= p->softnet.rows[i].ncols >= 10;
		for (int k = 0; k < (has_rps ? 4 : 3); k++) {
			double total = 0;
			size_t npc = 0;
			bool ok = true;
			for (size_t i = 0; i < ncpu; i++) {
				const struct softnet_row *r = &in->cur.softnet.rows[i], *q = NULL;
				for (size_t j = 0; p && j < p->softnet.n && !q; j++)
					if (p->softnet.rows[j].cpu == r->cpu)
						q = &p->softnet.rows[j];
				if (p && !q)
					continue;
				uint32_t cv[] = {r->processed, r->dropped, r->time_squeeze, r->received_rps};
				uint32_t pv[] = {q ? q->processed : 0, q ? q->dropped : 0, q ? q->time_squeeze : 0,
						 q ? q->received_rps : 0};
				/* 32-bit counters: a wrap in the window is one lap */
				double v = p ? (double)(uint32_t)(cv[k] - pv[k]) / in->interval_s : window_rate(in, 0, cv[k]);
				if (v < 0) {
					ok = false;
					break;
				}
				total += v;
				pc[npc++] = (struct metric_cpu){r->cpu, v};
			}
			if (!ok || (p && in->interval_s <= 0))
				continue;
			metrics_add(m, n[k], total, U_PER_S);
			metrics_set_per_cpu(m, pc, npc);
		}
		free(pc);
	}
}

/* What kstall could not keep, and what tracing cost: never silent. One
 * metric per row of TRACED_COUNTERS that names one, in its order. */
static void kstall_metrics(const struct traced *t, struct metrics *m)
{
#define TRC_METRIC(type, name, diff, v1, metric, unit, gate) {metric, U_##unit, TRC_##gate, (double)t->name},
	enum { TRC_ALWAYS, TRC_BPF_STATS };
	const struct {
		const char *name, *unit;
		int gate;
		double value;
	} rows[] = {TRACED_COUNTERS(TRC_METRIC)};
#undef TRC_METRIC

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		if (!rows[i].name || (rows[i].gate == TRC_BPF_STATS && !t->has_bpf_stats))
			continue;
		metrics_add(m, rows[i].name, rows[i].value, rows[i].unit);
		/* The share of a CPU follows the run-time figures it is made of. */
		bool last_bpf = rows[i].gate == TRC_BPF_STATS &&
				(i + 1 == ARRAY_SIZE(rows) || rows[i + 1].gate != TRC_BPF_STATS);
		if (last_bpf && t->duration_s > 0)
			metrics_add(m, "kstall.bpf_cpu_share", t->bpf_run_s / t->duration_s, U_RATIO);
	}
}

void metrics_collect(const struct inputs *in, struct metrics *m)
{
	const struct host *h = &in->host;
	static const char *const mem[] = {"MemTotal", "MemAvailable", "MemFree", "Cached", "Slab",
					  "SReclaimable", "Dirty", "Writeback", "WritebackTmp"};
	uint64_t v;

	cpu_metrics(in, m);
	if (h->s_online.state == SRC_OK)
		metrics_add(m, "cpu.online", cpuset_count(&h->online), U_COUNT);
	if (h->s_possible.state == SRC_OK)
		metrics_add(m, "cpu.possible", cpuset_count(&h->possible), U_COUNT);
	for (size_t i = 0; i < ARRAY_SIZE(mem); i++)
		if (meminfo_bytes(&in->cur, mem[i], &v) == 0)
			metrics_addf(m, (double)v, U_BYTES, "memory.%s", mem[i]);
	if (in->cur.s_dentry.state == SRC_OK) {
		metrics_add(m, "dentry.nr_dentry", (double)in->cur.dentry.nr_dentry, U_COUNT);
		metrics_add(m, "dentry.nr_unused", (double)in->cur.dentry.nr_unused, U_COUNT);
		metrics_add(m, "dentry.nr_negative_field", (double)in->cur.dentry.nr_negative, U_COUNT);
		double g, ng;
		if (dentry_growth(in, &g, &ng))
			metrics_add(m, "dentry.growth", g, U_PER_S);
	}
	if (h->s_loadavg.state == SRC_OK) {
		metrics_add(m, "loadavg.1m", h->loadavg.avg1, U_COUNT);
		metrics_add(m, "loadavg.5m", h->loadavg.avg5, U_COUNT);
		metrics_add(m, "loadavg.15m", h->loadavg.avg15, U_COUNT);
	}
	for (int i = 0; i < 4; i++) {
		if (h->s_psi[i].state != SRC_OK)
			continue;
		if (h->psi[i].some.present)
			metrics_addf(m, h->psi[i].some.avg10 / 100, U_RATIO, "pressure.%s.some_avg10", psi_names[i]);
		if (h->psi[i].full.present)
			metrics_addf(m, h->psi[i].full.avg10 / 100, U_RATIO, "pressure.%s.full_avg10", psi_names[i]);
	}
	irq_metrics(in, m);

	unsigned rps = 0, nrx = 0, strict = 0;
	bool strict_known = true;
	for (size_t i = 0; i < h->nqueues; i++)
		if (str_starts_with(h->queues[i].queue, "rx-")) {
			nrx++;
			rps += h->queues[i].has_mask && cpuset_count(&h->queues[i].mask) > 0;
		}
	/* None read is not none there: every host has lo's rx-0. */
	if (h->nqueues) {
		metrics_add(m, "net.rx_queues", nrx, U_COUNT);
		metrics_add(m, "net.rx_queues_with_rps", rps, U_COUNT);
	}
	struct dirty_limits dl = writeback_limits(in);
	for (size_t i = 0; i < h->nbdis; i++) {
		strict += h->bdis[i].strict_limit == 1;
		strict_known &= h->bdis[i].strict_limit >= 0; /* the file is 6.2+ */
		/* each mounted bdi's own limit, described by its mount */
		unsigned n;
		const struct mount *mt = host_mount_of_bdi(h, &h->bdis[i], &n);
		double lim = writeback_bdi_limit(&h->bdis[i], &dl);
		if (!mt || lim < 0)
			continue;
		metrics_addf(m, lim, U_BYTES, "bdi.%s.limit", h->bdis[i].name);
		_cleanup_free_ char *desc = xasprintf("%s %s strict_limit=%" PRId64 " max_ratio=%" PRId64, mt->mountpoint,
						      mt->fstype, h->bdis[i].strict_limit, h->bdis[i].max_ratio);
		metrics_set_desc(m, desc);
	}
	if (h->nbdis) {
		metrics_add(m, "bdi.count", (double)h->nbdis, U_COUNT);
		if (strict_known)
			metrics_add(m, "bdi.strict_limit", strict, U_COUNT);
	}
	if (dl.ok) {
		metrics_add(m, "writeback.global_limit", dl.thresh, U_BYTES);
		if (dl.bg_ok)
			metrics_add(m, "writeback.background_limit", dl.bg_thresh, U_BYTES);
		metrics_add(m, "writeback.dirtyable_memory", dl.dirtyable, U_BYTES);
	}

	unsigned dstate = 0;
	for (size_t i = 0; i < in->cur.nprocs; i++)
		dstate += in->cur.procs[i].stat.state == 'D';
	if (in->cur.s_procs.state == SRC_OK) {
		metrics_add(m, "processes.count", (double)in->cur.nprocs, U_COUNT);
		metrics_add(m, "processes.uninterruptible", dstate, U_COUNT);
	}
	if (in->traced)
		kstall_metrics(in->traced, m);
	metrics_add(m, "kstall.unreadable_files", (double)in->nunreadable, U_COUNT);
	metrics_add(m, "kstall.malformed_files", (double)in->nerrors, U_COUNT);
}
