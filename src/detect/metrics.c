/* Metrics: the figures behind findings, for programs (JSON, and later
 * Prometheus). Rates are per second over the window; in since-boot mode,
 * averages since boot. Every delta and share comes from the view
 * (in->view), as the detectors' do, so a metric and a finding agree. */
#include "detect.h"

static void add_rate(struct metrics *m, const char *name, double r)
{
	if (r >= 0)
		metrics_add(m, name, r, U_PER_S);
}

/* Each CPU's share of its ticks in column col over the window: one value
 * per CPU with ticks in it. */
static void cpu_share_breakdown(const struct view *v, int col, struct metric_cpu *out, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < v->ncpus; i++) {
		const struct view_cpu *c = &v->cpus[i];
		if ((unsigned)col < c->ncols && c->has_time)
			out[(*n)++] = (struct metric_cpu){c->cpu, c->share[col]};
	}
}

static void cpu_metrics(const struct inputs *in, struct metrics *m)
{
	static const char *const names[] = {"user", "nice", "system", "idle", "iowait",
					    "irq", "softirq", "steal"};
	const struct view *v = &in->view;

	if (!v->has_stat || !v->total.has_time)
		return;
	struct metric_cpu *pc = xcalloc(v->ncpus + 1, sizeof(*pc));
	for (size_t i = 0; i < ARRAY_SIZE(names) && i < v->total.ncols; i++) {
		size_t n;
		metrics_addf(m, v->total.share[i], U_RATIO, "cpu.%s_share", names[i]);
		cpu_share_breakdown(v, (int)i, pc, &n);
		metrics_set_per_cpu(m, pc, n);
	}
	free(pc);
	metrics_add(m, "cpu.count_in_stat", (double)in->cur.stat.ncpus, U_COUNT);
	add_rate(m, "cpu.context_switches", v->ctxt_rate);
}

/* Every row of an irq table as a rate with its per-CPU breakdown. Rows
 * with no events in the window are left out unless always lists them
 * (the IPIs, so that programs can rely on them); so are CPUs with none.
 * keep_zero keeps every row and CPU (softirqs: ten rows). A label the table has
 * twice (ppc's two LOC rows) gets .2 on the second. */
static void table_metrics(const struct view *v, const struct view_table *vt, const char *prefix,
			  const char *const *always, bool keep_zero, struct metrics *m)
{
	const struct irq_table *t = vt->t;
	struct metric_cpu *pc = xcalloc(t->ncols + 1, sizeof(*pc));
	for (size_t i = 0; i < vt->nrows; i++) {
		const struct view_row *vr = &vt->rows[i];
		const struct irq_row *r = vr->row;
		if (!vr->matched)
			continue;
		double rate = vr->has_sum ? view_rate(v, vr->sum) : -1;
		bool listed = false;
		for (const char *const *a = always; a && *a; a++)
			listed |= !strcmp(*a, r->label);
		if (rate < 0 || (rate == 0 && !listed && !keep_zero))
			continue;
		size_t n = 0;
		for (size_t c = 0; c < r->ncounts && c < t->ncols; c++) {
			double x = vr->has[c] ? view_rate(v, vr->n[c]) : -1;
			if (x > 0 || (x == 0 && keep_zero))
				pc[n++] = (struct metric_cpu){t->cpu_of_col[c], x};
		}
		if (vr->nth)
			metrics_addf(m, rate, U_PER_S, "%s.%s.%u", prefix, r->label, vr->nth + 1);
		else
			metrics_addf(m, rate, U_PER_S, "%s.%s", prefix, r->label);
		metrics_set_per_cpu(m, pc, n);
		metrics_set_desc(m, r->desc);
	}
	free(pc);
}

/* Rates per CPU of softnet_stat's counters, and their totals. */
static void softnet_metrics(const struct inputs *in, struct metrics *m)
{
	static const char *const n[] = {"softnet.processed", "softnet.dropped",
					"softnet.time_squeeze", "softnet.received_rps"};
	const struct view *v = &in->view;
	const struct view_softnet *sn = &v->softnet;
	struct metric_cpu *pc = xcalloc(sn->n + 1, sizeof(*pc));

	for (int k = 0; k < (sn->has_received ? 4 : 3); k++) {
		double total = 0;
		size_t npc = 0;
		bool ok = true;
		for (size_t i = 0; i < sn->n && ok; i++) {
			const struct view_softnet_cpu *c = &sn->cpus[i];
			uint64_t d[] = {c->processed, c->dropped, c->squeezed, c->received_rps};
			double x = view_rate(v, d[k]);
			ok = x >= 0;
			total += x;
			pc[npc++] = (struct metric_cpu){c->cpu, x};
		}
		if (!ok || (in->mode == WINDOW_INTERVAL && v->secs <= 0))
			continue;
		metrics_add(m, n[k], total, U_PER_S);
		metrics_set_per_cpu(m, pc, npc);
	}
	free(pc);
}

static void irq_metrics(const struct inputs *in, struct metrics *m)
{
	const struct view *v = &in->view;
	if (v->softirqs.ok)
		table_metrics(v, &v->softirqs, "softirq", NULL, true, m);
	if (v->interrupts.ok) {
		static const char *const ipis[] = {"CAL", "RES", "TLB", "LOC", "NMI", NULL};
		add_rate(m, "interrupts.all", v->interrupts.has_all ? view_rate(v, v->interrupts.all) : -1);
		table_metrics(v, &v->interrupts, "interrupts", ipis, false, m);
	}
	if (v->softnet.ok)
		softnet_metrics(in, m);
}

/* Host facts and the later sample's levels: CPUs, memory, dentries,
 * load and pressure. */
static void host_metrics(const struct inputs *in, struct metrics *m)
{
	const struct host *h = &in->host;
	static const char *const mem[] = {"MemTotal", "MemAvailable", "MemFree", "Cached", "Slab",
					  "SReclaimable", "Dirty", "Writeback", "WritebackTmp"};
	uint64_t v;

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
		if (in->view.has_dentry_growth)
			metrics_add(m, "dentry.growth", in->view.dentry_growth, U_PER_S);
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
}

/* Receive queues, and how many steer with RPS. */
static void net_metrics(const struct inputs *in, struct metrics *m)
{
	const struct host *h = &in->host;
	unsigned rps = 0, nrx = 0;

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
}

/* Each mounted bdi's dirty limit, and the global ones. */
static void writeback_metrics(const struct inputs *in, struct metrics *m)
{
	const struct host *h = &in->host;
	unsigned strict = 0;
	bool strict_known = true;
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
	if (t->has_bpf_map_bytes)
		metrics_add(m, "kstall.bpf_map_bytes", (double)t->bpf_map_bytes, U_BYTES);
}

void metrics_collect(const struct inputs *in, struct metrics *m)
{
	cpu_metrics(in, m);
	host_metrics(in, m);
	irq_metrics(in, m);
	net_metrics(in, m);
	writeback_metrics(in, m);

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

void metrics_self(struct metrics *m, double rss_peak_bytes)
{
	if (rss_peak_bytes >= 0)
		metrics_add(m, "kstall.rss_peak", rss_peak_bytes, U_BYTES);
}
