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
	for (size_t i = 0; i < ARRAY_SIZE(names) && i < d.ncols; i++)
		metrics_addf(m, (double)d.t[i] / tot, U_RATIO, "cpu.%s_share", names[i]);
	metrics_add(m, "cpu.count_in_stat", (double)in->cur.stat.ncpus, U_COUNT);
	if (in->cur.stat.has_ctxt)
		add_rate(m, "cpu.context_switches",
			 window_rate(in, in->prev ? in->prev->stat.ctxt : 0, in->cur.stat.ctxt));
}

static void irq_metrics(const struct inputs *in, struct metrics *m)
{
	const struct irq_table *t = &in->cur.softirqs;
	if (in->cur.s_softirqs.state == SRC_OK && prev_ok(in, offsetof(struct sample, s_softirqs)))
		for (size_t i = 0; i < t->nrows; i++) {
			const struct irq_row *p = in->prev ? irq_table_row(&in->prev->softirqs, t->rows[i].label, 0) : NULL;
			if (in->mode == WINDOW_INTERVAL && !p)
				continue;
			char name[96];
			snprintf(name, sizeof(name), "softirq.%s", t->rows[i].label);
			add_rate(m, name, window_rate(in, p ? p->sum : 0, t->rows[i].sum));
		}
	t = &in->cur.interrupts;
	if (in->cur.s_interrupts.state == SRC_OK && prev_ok(in, offsetof(struct sample, s_interrupts))) {
		static const char *const ipis[] = {"CAL", "RES", "TLB", "LOC", "NMI"};
		uint64_t sum = 0, psum = 0;
		for (size_t i = 0; i < t->nrows; i++)
			sum += t->rows[i].sum;
		if (in->prev)
			for (size_t i = 0; i < in->prev->interrupts.nrows; i++)
				psum += in->prev->interrupts.rows[i].sum;
		add_rate(m, "interrupts.all", window_rate(in, psum, sum));
		for (size_t i = 0; i < ARRAY_SIZE(ipis); i++) {
			const struct irq_row *r = irq_table_row(t, ipis[i], 0);
			const struct irq_row *p = in->prev ? irq_table_row(&in->prev->interrupts, ipis[i], 0) : NULL;
			char name[64];
			if (!r || (in->mode == WINDOW_INTERVAL && !p))
				continue;
			snprintf(name, sizeof(name), "interrupts.%s", ipis[i]);
			add_rate(m, name, window_rate(in, p ? p->sum : 0, r->sum));
		}
	}
	if (in->cur.s_softnet.state == SRC_OK && prev_ok(in, offsetof(struct sample, s_softnet))) {
		uint64_t c[4] = {0}, p[4] = {0};
		static const char *const n[] = {"softnet.processed", "softnet.dropped",
						"softnet.time_squeeze", "softnet.received_rps"};
		for (size_t i = 0; i < in->cur.softnet.n; i++) {
			const struct softnet_row *r = &in->cur.softnet.rows[i];
			c[0] += r->processed, c[1] += r->dropped, c[2] += r->time_squeeze, c[3] += r->received_rps;
		}
		if (in->prev)
			for (size_t i = 0; i < in->prev->softnet.n; i++) {
				const struct softnet_row *r = &in->prev->softnet.rows[i];
				p[0] += r->processed, p[1] += r->dropped, p[2] += r->time_squeeze, p[3] += r->received_rps;
			}
		for (int i = 0; i < 4; i++)
			add_rate(m, n[i], window_rate(in, p[i], c[i]));
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
	for (size_t i = 0; i < h->nqueues; i++)
		if (str_starts_with(h->queues[i].queue, "rx-")) {
			nrx++;
			rps += h->queues[i].has_mask && cpuset_count(&h->queues[i].mask) > 0;
		}
	metrics_add(m, "net.rx_queues", nrx, U_COUNT);
	metrics_add(m, "net.rx_queues_with_rps", rps, U_COUNT);
	for (size_t i = 0; i < h->nbdis; i++)
		strict += h->bdis[i].strict_limit == 1;
	metrics_add(m, "bdi.count", (double)h->nbdis, U_COUNT);
	metrics_add(m, "bdi.strict_limit", strict, U_COUNT);

	unsigned dstate = 0;
	for (size_t i = 0; i < in->cur.nprocs; i++)
		dstate += in->cur.procs[i].stat.state == 'D';
	metrics_add(m, "processes.count", (double)in->cur.nprocs, U_COUNT);
	metrics_add(m, "processes.uninterruptible", dstate, U_COUNT);
	const struct traced *t = in->traced;
	if (t) {
		/* What kstall could not keep, and what tracing cost: never silent. */
		metrics_add(m, "kstall.tracing_duration", t->duration_s, U_SECONDS);
		metrics_add(m, "kstall.bpf_programs", t->nattached, U_COUNT);
		if (t->has_bpf_stats) {
			/* Estimated: statistics are on 1 s in 10 (they cost more
			 * than kstall's programs); sampled says for how long. */
			metrics_add(m, "kstall.bpf_stats_sampled", t->bpf_stats_sampled_s, U_SECONDS);
			metrics_add(m, "kstall.bpf_run_time", t->bpf_run_s, U_SECONDS);
			metrics_add(m, "kstall.bpf_run_count", (double)t->bpf_run_cnt, U_COUNT);
			if (t->duration_s > 0)
				metrics_add(m, "kstall.bpf_cpu_share", t->bpf_run_s / t->duration_s, U_RATIO);
		}
		metrics_add(m, "kstall.lost_events", (double)t->ringbuf_lost, U_COUNT);
		metrics_add(m, "kstall.events_not_kept", (double)t->events_not_kept, U_COUNT);
		metrics_add(m, "kstall.map_full_hist", (double)t->hist_full, U_COUNT);
		metrics_add(m, "kstall.map_full_waits", (double)t->waits_full, U_COUNT);
		metrics_add(m, "kstall.map_full_lookups", (double)t->lookups_full, U_COUNT);
		metrics_add(m, "kstall.map_full_vmops", (double)t->vmops_full, U_COUNT);
		metrics_add(m, "kstall.vmops_pruned", (double)t->vmops_pruned, U_COUNT);
		metrics_add(m, "kstall.map_full_irqs", (double)t->irqs_full, U_COUNT);
		metrics_add(m, "kstall.paths_sampled", (double)t->paths_sampled, U_COUNT);
		metrics_add(m, "kstall.paths_unsampled", (double)t->paths_unsampled, U_COUNT);
	}
	metrics_add(m, "kstall.unreadable_files", (double)in->nunreadable, U_COUNT);
	metrics_add(m, "kstall.malformed_files", (double)in->nerrors, U_COUNT);
}
