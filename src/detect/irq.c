/* Interrupts and softirqs (seed 003), from samples of /proc/stat,
 * /proc/softirqs, /proc/interrupts and /proc/net/softnet_stat: where CPU
 * time goes before it reaches the application, and when RPS hurts.
 *
 * Each CPU gets its figures over the window from the view (its time
 * shares, softirq and IPI counts, softnet counters: src/model/view.h);
 * the findings compare CPUs and interfaces. In since-boot mode (one
 * sample) they are averages since boot, and the findings say so.
 *
 * Each source gives what it can on its own: the time shares need only
 * /proc/stat, the event counts only their table, and only the per-second
 * rates need the window's length (proc/uptime on a one-sample tree). A
 * figure that cannot be had is marked unknown in the finding, with the
 * file it needed, and severity is decided from what was measured. */
#include "detect.h"

#include <ctype.h>
#include <math.h>

/* irq.rps_on_busy_host: severity follows what the steering measurably
 * costs the application on CPUs without headroom (docs/findings.md). In
 * seed 003 turning RPS on raised softirq time from 5.9% to 11.2% of 4
 * CPUs for about 22,000 extra IPIs/s: about 10 us of CPU per RPS IPI, so
 * 2,000 IPIs/s on a CPU is about 2% of it and 5,000/s (the seed's 5,500)
 * about 5%. */
#define RPS_BUSY_IDLE 0.10      /* target CPUs' idle share below this */
#define RPS_CRIT_IDLE 0.05
#define RPS_WARN_IPIS 2000.0    /* RPS IPIs/s received per target CPU (softnet_stat received_rps) */
#define RPS_CRIT_IPIS 5000.0
#define RPS_WARN_SOFTIRQ 0.10   /* target CPUs' softirq share, taken from the application */
#define RPS_CRIT_SOFTIRQ 0.10
#define RPS_CRIT_PER_PACKET 0.25 /* RPS IPIs per packet: batches of 4 packets or fewer, the seed's regime */
#define RPS_IPI_COST_S 10e-6     /* the seed's extra CPU per RPS IPI, for the estimate shown */
/* irq.softirq_hotspot */
#define HOT_WARN_SHARE 0.20     /* of that CPU's time in softirq */
#define HOT_CRIT_SHARE 0.50
#define HOT_CONCENTRATION 0.50  /* of all softirq time, on that one CPU */
#define HOT_IMBALANCE 2.0       /* x the mean softirq share of the other CPUs */
/* irq.ipi_storm: function-call + TLB IPIs on one CPU. Each takes at least
 * about a microsecond (entry, handler, exit; more in a guest, where it
 * may exit to the host), so 20,000/s is at least 2% of the CPU: taken
 * from work only where the CPU has no idle time to give. A block device
 * completing 20 k reads/s on the submitting CPU sends as many, and costs
 * nothing a user notices on a CPU with headroom. */
#define IPI_INFO_PER_S 20000.0
#define IPI_WARN_PER_S 50000.0  /* at least 5% of the CPU, idle time or not */
#define IPI_BUSY_IDLE 0.10      /* 20,000/s on a CPU under 10% idle is a warning */
#define IPI_CRIT_PER_S 100000.0
#define IPI_COST_S 1e-6         /* a lower bound of one IPI's cost, for the share shown */
/* irq.softnet_drops */
#define DROPS_CRIT_PER_S 100.0
#define DROPS_WARN_PER_S 1.0 /* a drop now and then is retransmitted unnoticed */
#define SQUEEZE_INFO_PER_S 10.0

static const char *const ids[] = {"irq.rps_on_busy_host", "irq.softirq_hotspot", "irq.ipi_storm",
				  "irq.softnet_drops", NULL};

/* Per-CPU event counts taken from /proc/softirqs and /proc/interrupts. */
enum { F_NET_RX, F_NET_TX, F_TIMER, F_SCHED, F_CAL, F_TLB, F_RES, F_N };
static const struct {
	const char *label;
	bool softirq; /* else proc/interrupts */
} fields[F_N] = {
	[F_NET_RX] = {"NET_RX", true}, [F_NET_TX] = {"NET_TX", true}, [F_TIMER] = {"TIMER", true},
	[F_SCHED] = {"SCHED", true},   [F_CAL] = {"CAL", false},      [F_TLB] = {"TLB", false},
	[F_RES] = {"RES", false},
};

#define WHY 256

/* One CPU's figures over the window, joined from the view's sources. */
struct cpuview {
	int cpu;
	bool has_time;
	double idle, user, system, irq, softirq; /* shares of this CPU's time */
	unsigned has;                             /* bit k: n[k] was counted */
	double n[F_N];                            /* events over the window (since boot) */
	bool has_softnet;
	double processed, dropped, squeezed, rps_received; /* over the window (since boot) */
};

/* Every CPU that any of the sources names, in the order they name it
 * (proc/stat first): what the findings compare. */
struct cpus {
	struct cpuview *v;
	size_t n, cap;
	bool since_boot;
	double secs; /* the window's length, for rates; -1 when unknown */
	bool has_received; /* softnet_stat has the received_rps column */
	/* why each part is missing; "" when it was had */
	char secs_why[WHY], time_why[WHY], softnet_why[WHY], received_why[WHY], why[F_N][WHY];
};

static struct cpuview *cpu_get(struct cpus *w, int cpu, bool add)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].cpu == cpu)
			return &w->v[i];
	if (!add)
		return NULL;
	ARRAY_GROW(w->v, w->n, w->cap);
	w->v[w->n] = (struct cpuview){.cpu = cpu};
	return &w->v[w->n++];
}

/* The time shares of each CPU of proc/stat. */
static void gather_time(const struct inputs *in, struct cpus *w)
{
	const struct view *vw = &in->view;

	if (!vw->has_stat) {
		snprintf(w->time_why, WHY, "%s", vw->stat_why);
		return;
	}
	if (!in->cur.stat.ncpus)
		snprintf(w->time_why, WHY, "%s has no per-CPU lines", in->cur.s_stat.path);
	bool any = false;
	for (size_t i = 0; i < vw->ncpus; i++) {
		const struct view_cpu *c = &vw->cpus[i];
		struct cpuview *v = cpu_get(w, c->cpu, true);
		if (!c->has_time)
			continue; /* came online in the window */
		any = v->has_time = true;
		v->idle = c->idle;
		v->user = c->user;
		v->system = c->share[CPUT_SYSTEM];
		v->irq = c->share[CPUT_IRQ];
		v->softirq = c->share[CPUT_SOFTIRQ];
	}
	if (!any && !w->time_why[0])
		snprintf(w->time_why, WHY, "no CPU of %s has ticks in both samples", in->cur.s_stat.path);
}

/* Events of field k's row per CPU over the window. */
static void gather_counts(const struct view_table *vt, const char *cur_path, const char *prev_path, int k,
			  struct cpus *w)
{
	if (!vt->ok) {
		snprintf(w->why[k], WHY, "%s", vt->why);
		return;
	}
	const struct view_row *r = view_table_row(vt, fields[k].label);
	if (!r || !r->matched) {
		snprintf(w->why[k], WHY, "%s has no %s row", !r ? cur_path : prev_path, fields[k].label);
		return;
	}
	for (size_t c = 0; c < r->row->ncounts && c < vt->t->ncols; c++) {
		if (!r->has[c])
			continue;
		struct cpuview *v = cpu_get(w, vt->t->cpu_of_col[c], true);
		v->n[k] = (double)r->n[c];
		v->has |= 1u << k;
	}
}

static void gather_softnet(const struct inputs *in, struct cpus *w)
{
	const struct view_softnet *sn = &in->view.softnet;

	if (!sn->ok) {
		snprintf(w->softnet_why, WHY, "%s", sn->why);
		return;
	}
	/* A CPU missing from the earlier sample leaves the total incomplete. */
	w->has_received = sn->has_received && !sn->cpu_missing;
	for (size_t i = 0; i < sn->n; i++) {
		struct cpuview *v = cpu_get(w, sn->cpus[i].cpu, true);
		v->has_softnet = true;
		v->processed = (double)sn->cpus[i].processed;
		v->dropped = (double)sn->cpus[i].dropped;
		v->squeezed = (double)sn->cpus[i].squeezed;
		v->rps_received = (double)sn->cpus[i].received_rps;
	}
	if (!w->has_received)
		snprintf(w->received_why, WHY, "%s has no received_rps column (Linux 2.6.35+) on every CPU",
			 in->cur.s_softnet.path);
}

/* The window's per-CPU figures, from the view, with what could not be had
 * and why. */
static void gather(const struct inputs *in, struct cpus *w)
{
	const struct sample *s = &in->cur, *p = in->mode == WINDOW_INTERVAL ? in->prev : NULL;

	*w = (struct cpus){.since_boot = in->view.since_boot, .secs = in->view.secs};
	snprintf(w->secs_why, WHY, "%s", in->view.secs_why);
	gather_time(in, w);
	for (int k = 0; k < F_N; k++) {
		if (fields[k].softirq)
			gather_counts(&in->view.softirqs, s->s_softirqs.path, p ? p->s_softirqs.path : "", k, w);
		else
			gather_counts(&in->view.interrupts, s->s_interrupts.path, p ? p->s_interrupts.path : "", k, w);
	}
	gather_softnet(in, w);
}

static const char *window_words(const struct cpus *w)
{
	return w->since_boot ? "averaged since boot (one sample)" : "over the window";
}

/* A sum of field k over the CPUs with time in mask (every CPU when mask
 * is NULL), per second; false with why when a CPU lacks it or the
 * window's length is unknown. */
static bool field_rate(const struct cpus *w, const struct cpuset *mask, int k, double *ret, const char **why)
{
	double sum = 0;
	if (w->why[k][0]) {
		*why = w->why[k];
		return false;
	}
	for (size_t i = 0; i < w->n; i++) {
		const struct cpuview *v = &w->v[i];
		if (mask && (!v->has_time || !cpuset_test(mask, (unsigned)v->cpu)))
			continue;
		if (!(v->has & (1u << k))) {
			*why = "a CPU is missing from its table in one of the samples";
			return false;
		}
		sum += v->n[k];
	}
	if (w->secs <= 0) {
		*why = w->secs_why;
		return false;
	}
	*ret = sum / w->secs;
	return true;
}

/* RPS IPIs received per second, all CPUs. */
static bool received_rate(const struct cpus *w, double *ret, const char **why)
{
	double sum = 0;
	if (w->softnet_why[0] || !w->has_received) {
		*why = w->softnet_why[0] ? w->softnet_why : w->received_why;
		return false;
	}
	for (size_t i = 0; i < w->n; i++)
		sum += w->v[i].has_softnet ? w->v[i].rps_received : 0;
	if (w->secs <= 0) {
		*why = w->secs_why;
		return false;
	}
	*ret = sum / w->secs;
	return true;
}

static void num_or_unknown(struct finding *f, const char *name, bool known, double v, const char *unit,
			   const char *source, const char *why)
{
	if (known)
		finding_num(f, name, v, unit, source);
	else
		finding_unknown(f, name, unit, source, "%s", why);
}

/* ---- irq.rps_on_busy_host ---- */
/* One interface with RPS on, and the CPUs it steers to. */
struct rps {
	const char *iface;
	struct cpuset mask; /* the union of its rx queues' RPS masks */
	unsigned nrx, nrps;
	unsigned ntargets;  /* target CPUs with time shares */
	double idle, soft;  /* the target CPUs' mean shares */
	double cal, received;
	bool has_cal, has_recv;
	const char *cal_why, *recv_why;
	double per_cpu;     /* RPS IPIs/s received per target CPU */
	double per_packet;  /* RPS IPIs per packet processed on the target CPUs */
	bool has_per_cpu, has_per_packet;
	const char *pp_why;
	enum severity sev;
	const char *undecided; /* the figure the next level needs, NULL if none */
};

/* Interface queues[i]'s rx queues, from i on (i is its first). */
static void rps_mask(const struct host *h, size_t i, struct rps *r)
{
	*r = (struct rps){.iface = h->queues[i].iface};
	for (size_t j = i; j < h->nqueues; j++) {
		const struct netqueue *q = &h->queues[j];
		if (strcmp(q->iface, r->iface) || !str_starts_with(q->queue, "rx-"))
			continue;
		r->nrx++;
		if (!q->has_mask || !cpuset_count(&q->mask))
			continue;
		r->nrps++;
		for (size_t k = 0; k < ARRAY_SIZE(r->mask.bits); k++)
			r->mask.bits[k] |= q->mask.bits[k];
		if (q->mask.highest > r->mask.highest)
			r->mask.highest = q->mask.highest;
	}
}

/* The target CPUs' mean idle and softirq shares; false when none has
 * time shares. */
static bool rps_targets(const struct cpus *w, struct rps *r)
{
	unsigned n = 0;
	for (size_t k = 0; k < w->n; k++)
		if (w->v[k].has_time && cpuset_test(&r->mask, (unsigned)w->v[k].cpu)) {
			r->idle += w->v[k].idle;
			r->soft += w->v[k].softirq;
			n++;
		}
	if (!n)
		return false;
	r->idle /= n;
	r->soft /= n;
	r->ntargets = n;
	return true;
}

/* RPS's own IPIs on the target CPUs: per second and CPU (needs the
 * window's length), and per packet processed there (a ratio of counts,
 * since boot too). */
static void rps_ipis(const struct cpus *w, struct rps *r)
{
	double recv = 0, processed = 0;
	unsigned n = 0;
	if (w->softnet_why[0] || !w->has_received) {
		r->pp_why = w->softnet_why[0] ? w->softnet_why : w->received_why;
		return;
	}
	for (size_t k = 0; k < w->n; k++)
		if (w->v[k].has_softnet && cpuset_test(&r->mask, (unsigned)w->v[k].cpu)) {
			recv += w->v[k].rps_received;
			processed += w->v[k].processed;
			n++;
		}
	if (!n || processed <= 0) {
		r->pp_why = "no packet was processed on the target CPUs (proc/net/softnet_stat)";
		return;
	}
	r->has_per_packet = true;
	r->per_packet = recv / processed;
	r->has_per_cpu = w->secs > 0;
	r->per_cpu = r->has_per_cpu ? recv / w->secs / n : -1;
}

/* Severity from the measured cost: critical needs batches of a few
 * packets each costing an IPI on CPUs with no headroom, and that cost
 * large (IPIs or softirq time); info needs the cost measured small. */
static void rps_severity(struct rps *r)
{
	bool pp = r->has_per_packet && r->per_packet >= RPS_CRIT_PER_PACKET;
	bool crit_cost = r->soft >= RPS_CRIT_SOFTIRQ || (r->has_per_cpu && r->per_cpu >= RPS_CRIT_IPIS);
	bool warn_cost = r->soft >= RPS_WARN_SOFTIRQ || (r->has_per_cpu && r->per_cpu >= RPS_WARN_IPIS);
	r->undecided = NULL;
	if (r->idle < RPS_CRIT_IDLE && pp && crit_cost) {
		r->sev = SEV_CRITICAL;
		return;
	}
	if (warn_cost) {
		r->sev = SEV_WARNING;
	} else if (!r->has_per_cpu) {
		r->sev = SEV_WARNING; /* not measured small: the busy CPUs decide */
		r->undecided = "RPS's IPI rate";
		return;
	} else {
		r->sev = SEV_INFO;
	}
	if (r->idle < RPS_CRIT_IDLE && crit_cost && !r->has_per_packet)
		r->undecided = "RPS's IPIs per packet";
}

/* What the steering costs, as measured, and what the level rests on. */
static void rps_cost_said(struct buf *s, const struct rps *r)
{
	char a[32], b[32];
	if (r->has_per_packet && r->has_per_cpu)
		buf_printf(s, " The target CPUs received %s RPS IPIs/s each on average, %.2f per packet they "
			       "processed", fmt_rate(r->per_cpu, a, sizeof(a)), r->per_packet);
	else if (r->has_per_packet)
		buf_printf(s, " The target CPUs received %.2f RPS IPIs per packet they processed", r->per_packet);
	if (r->has_per_packet)
		buf_printf(s, r->per_packet >= RPS_CRIT_PER_PACKET ? ": batches of a few packets, each paying "
								      "an interrupt (seed 003's regime)."
								    : ": the steering is batched, its interrupts "
								      "amortised over many packets.");
	if (r->has_per_cpu)
		buf_printf(s, " At seed 003's cost of about 10 us of CPU per RPS IPI (the interrupt and the "
			       "batch it hands over), that is about %s of each target CPU.",
			   fmt_pct(r->per_cpu * RPS_IPI_COST_S, b, sizeof(b)));
	if (r->sev == SEV_INFO)
		buf_printf(s, " Little for the application now; worth knowing, since more traffic is paid from "
			       "CPUs with none to spare.");
	if (r->undecided)
		buf_printf(s, " %s is unknown (%s): the level rests on the figures measured, so this is at "
			       "most a %s.", r->undecided, r->pp_why ? r->pp_why : r->recv_why, severity_name(r->sev));
}

static void rps_summary(struct finding *f, const struct cpus *w, const struct rps *r, const char *list)
{
	char a[32], b[32], c[32], d[32];
	struct buf s = {0};
	buf_printf(&s, "Receive packet steering is on for %u of %s's %u receive queues and sends their packets to "
		       "CPUs %s, which were %s idle %s. Steering costs an inter-processor interrupt (function "
		       "call) and a softirq on the target CPU per batch: on CPUs with no headroom that time is "
		       "taken from the application (seed 003: QPS fell when RPS was turned on at over 90%% CPU). "
		       "The target CPUs spent %s in softirqs",
		   r->nrps, r->iface, r->nrx, list, fmt_pct(r->idle, a, sizeof(a)), window_words(w),
		   fmt_pct(r->soft, b, sizeof(b)));
	if (r->has_cal)
		buf_printf(&s, " and took %s function-call IPIs/s", fmt_rate(r->cal, c, sizeof(c)));
	if (r->has_recv)
		buf_printf(&s, r->has_cal ? ", %s of them RPS's (softnet_stat received_rps)."
					  : ", with %s RPS IPIs/s received (softnet_stat received_rps).",
			   fmt_rate(r->received, d, sizeof(d)));
	else
		buf_printf(&s, ".");
	if (!r->has_cal)
		buf_printf(&s, " Their function-call IPI rate is unknown: %s.", r->cal_why);
	if (!r->has_recv)
		buf_printf(&s, " RPS's own IPI rate is unknown: %s.", r->recv_why);
	rps_cost_said(&s, r);
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

static void rps_emit(const struct cpus *w, const struct rps *r, struct findings *out)
{
	char a[32], list[256];
	struct finding *f = findings_add(out, "irq.rps_on_busy_host", r->sev);
	cpuset_format(&r->mask, list, sizeof(list));
	finding_title(f, "RPS on %s steers packets to CPUs %s, which are %s idle", r->iface, list,
		      fmt_pct(r->idle, a, sizeof(a)));
	rps_summary(f, w, r, list);
	finding_str(f, "interface", r->iface, "sys/class/net");
	finding_num(f, "rps_queues", r->nrps, U_COUNT, "sys/class/net/IF/queues/rx-N/rps_cpus");
	finding_num(f, "rx_queues", r->nrx, U_COUNT, "sys/class/net/IF/queues");
	finding_str(f, "rps_cpus", list, "rps_cpus, all rx queues");
	finding_num(f, "target_idle_share", r->idle, U_RATIO, "proc/stat");
	finding_num(f, "target_softirq_share", r->soft, U_RATIO, "proc/stat");
	num_or_unknown(f, "target_cal_ipis", r->has_cal, r->cal, U_PER_S, "proc/interrupts CAL", r->cal_why);
	num_or_unknown(f, "rps_received", r->has_recv, r->received, U_PER_S,
		       "proc/net/softnet_stat column 10 (RPS IPIs received)", r->recv_why);
	num_or_unknown(f, "rps_ipis_per_target_cpu", r->has_per_cpu, r->per_cpu, U_PER_S,
		       "proc/net/softnet_stat received_rps, target CPUs", r->pp_why ? r->pp_why : w->secs_why);
	num_or_unknown(f, "rps_ipis_per_packet", r->has_per_packet, r->per_packet, U_RATIO,
		       "proc/net/softnet_stat received_rps / processed, target CPUs", r->pp_why);
	finding_subject(f, SUBJ_INTERFACE, r->iface);
	finding_remedy(f, "Turn RPS off on %s while the host has no headroom: echo 0 into each "
			  "/sys/class/net/%s/queues/rx-*/rps_cpus (cheap, and undone the same way). The cost: "
			  "the receive work goes back to the CPU that takes the interrupt, which RPS may have "
			  "been turned on to relieve; irq.softirq_hotspot then says so.", r->iface, r->iface);
	finding_remedy(f, "Or steer only to CPUs with idle time (keep the application off them), or use the "
			  "NIC's own queues (RSS: ethtool -L %s combined N) so the hardware spreads the "
			  "interrupts without IPIs.", r->iface);
	finding_ref(f, "kstall explain irq.rps_on_busy_host");
	finding_ref(f, "Documentation/networking/scaling.rst (RPS, RFS, XPS)");
}

static void rps_on_busy_host(const struct inputs *in, struct cpus *w, struct findings *out, struct skips *skips)
{
	const struct host *h = &in->host;

	if (!h->nqueues) {
		skips_add(skips, "irq.rps_on_busy_host", "no network queue was read (sys/class/net/IF/queues/rx-N/rps_cpus): "
			  "whether RPS is on is unknown");
		return;
	}
	for (size_t i = 0; i < h->nqueues; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(h->queues[j].iface, h->queues[i].iface);
		if (seen)
			continue;
		struct rps r;
		rps_mask(h, i, &r);
		if (!r.nrps || !rps_targets(w, &r) || r.idle >= RPS_BUSY_IDLE)
			continue;
		r.has_cal = field_rate(w, &r.mask, F_CAL, &r.cal, &r.cal_why);
		r.has_recv = received_rate(w, &r.received, &r.recv_why);
		rps_ipis(w, &r);
		rps_severity(&r);
		rps_emit(w, &r, out);
	}
}

/* ---- irq.softirq_hotspot ---- */
/* The CPU that takes most of the softirq time, and what lands on it. */
struct hotspot {
	const struct cpuview *hot;
	double total;         /* all CPUs' softirq shares */
	unsigned n;           /* CPUs with time shares */
	int vec;              /* its busiest vector (F_*), -1 unknown */
	const char *vec_why;
	double vrate;         /* its events/s, -1 unknown */
	const struct irq_row *best; /* its busiest interrupt line, NULL unknown */
	double best_rate;
	bool intr;            /* proc/interrupts has its column */
	char iwhy[WHY];
};

/* Its busiest vector among those counted on it, by events (no uptime
 * needed to compare them). */
static void hot_vector(const struct cpus *w, struct hotspot *h)
{
	static const int vecs[] = {F_NET_RX, F_NET_TX, F_TIMER};
	h->vec = -1;
	for (size_t k = 0; k < ARRAY_SIZE(vecs); k++) {
		if (!(h->hot->has & (1u << vecs[k]))) {
			if (!h->vec_why)
				h->vec_why = w->why[vecs[k]][0] ? w->why[vecs[k]] : "this CPU has no column in proc/softirqs";
		} else if (h->vec < 0 || h->hot->n[vecs[k]] > h->hot->n[h->vec]) {
			h->vec = vecs[k];
		}
	}
	h->vrate = h->vec >= 0 && w->secs > 0 ? h->hot->n[h->vec] / w->secs : -1;
}

/* The interrupt line that lands on that CPU most. */
static void hot_line(const struct inputs *in, const struct cpus *w, struct hotspot *h)
{
	const struct view_table *vt = &in->view.interrupts;
	size_t col = 0;
	uint64_t best_n = 0;

	h->intr = vt->ok;
	if (!h->intr)
		snprintf(h->iwhy, sizeof(h->iwhy), "%s", vt->why);
	while (h->intr && col < vt->t->ncols && vt->t->cpu_of_col[col] != h->hot->cpu)
		col++;
	if (h->intr && col >= vt->t->ncols) {
		h->intr = false;
		snprintf(h->iwhy, sizeof(h->iwhy), "CPU %d has no column in %s", h->hot->cpu, in->cur.s_interrupts.path);
	}
	for (size_t r = 0; h->intr && r < vt->nrows; r++) {
		const struct view_row *vr = &vt->rows[r];
		const struct irq_row *row = vr->row;
		if (!row->label[0] || !isdigit((unsigned char)row->label[0]))
			continue;
		if (!vr->matched || col >= row->ncounts || !vr->has[col])
			continue;
		if (vr->n[col] > best_n) {
			best_n = vr->n[col];
			h->best = row;
		}
	}
	h->best_rate = h->best && w->secs > 0 ? (double)best_n / w->secs : -1;
}

static void hot_summary(struct finding *f, const struct cpus *w, const struct hotspot *h)
{
	const struct irq_row *best = h->best;
	char a[32], b[32], c[32];
	struct buf s = {0};
	buf_printf(&s, "CPU %d spent %s of its time in softirqs %s, while the %u CPUs together spent %s of one "
		       "CPU's worth; ", h->hot->cpu, fmt_pct(h->hot->softirq, a, sizeof(a)), window_words(w), h->n,
		   fmt_pct(h->total, b, sizeof(b)));
	if (h->vec < 0)
		buf_printf(&s, "its busiest vector is unknown (%s).", h->vec_why);
	else if (h->vrate < 0)
		buf_printf(&s, "its busiest vector is %s (rate unknown: %s).", fields[h->vec].label, w->secs_why);
	else
		buf_printf(&s, "its busiest vector is %s (%s/s).", fields[h->vec].label, fmt_rate(h->vrate, c, sizeof(c)));
	if (best && h->best_rate >= 0)
		buf_printf(&s, " Its busiest interrupt line is %s (%s, %s/s on this CPU)", best->label,
			   best->desc && best->desc[0] ? best->desc : "no description", fmt_rate(h->best_rate, a, sizeof(a)));
	else if (best)
		buf_printf(&s, " Its busiest interrupt line is %s (%s; rate unknown: %s)", best->label,
			   best->desc && best->desc[0] ? best->desc : "no description", w->secs_why);
	if (best)
		buf_printf(&s, ": a device whose interrupts all land here brings its softirq work with it.");
	else if (!h->intr)
		buf_printf(&s, " Which interrupt line lands here is unknown: %s.", h->iwhy);
	buf_printf(&s, " Whatever runs on CPU %d gets what is left.", h->hot->cpu);
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

static void hot_evidence(const struct inputs *in, struct finding *f, const struct cpus *w, const struct hotspot *h)
{
	const struct irq_row *best = h->best;
	finding_num(f, "cpu", h->hot->cpu, U_ID, "proc/stat");
	finding_num(f, "softirq_share", h->hot->softirq, U_RATIO, "proc/stat");
	finding_num(f, "share_of_all_softirq", h->hot->softirq / h->total, U_RATIO, "proc/stat");
	finding_num(f, "idle_share", h->hot->idle, U_RATIO, "proc/stat");
	if (h->vec >= 0)
		finding_str(f, "top_vector", fields[h->vec].label, "proc/softirqs");
	else
		finding_unknown(f, "top_vector", U_NONE, "proc/softirqs", "%s", h->vec_why);
	num_or_unknown(f, "top_vector_rate", h->vrate >= 0, h->vrate, U_PER_S, "proc/softirqs",
		       h->vec < 0 ? h->vec_why : w->secs_why);
	if (!best) {
		if (!h->intr)
			finding_unknown(f, "top_irq_line", U_NONE, "proc/interrupts", "%s", h->iwhy);
		return;
	}
	finding_str(f, "top_irq_line", best->label, "proc/interrupts");
	finding_str(f, "top_irq_desc", best->desc ? best->desc : "", "proc/interrupts");
	num_or_unknown(f, "top_irq_rate", h->best_rate >= 0, h->best_rate, U_PER_S, "proc/interrupts", w->secs_why);
	bool aff = false;
	for (size_t k = 0; k < in->host.nirqs; k++)
		if (in->host.irqs[k].irq == (unsigned)atoi(best->label)) {
			char list[256];
			cpuset_format(&in->host.irqs[k].mask, list, sizeof(list));
			finding_str(f, "top_irq_affinity", list, "proc/irq/N/smp_affinity");
			aff = true;
		}
	if (!aff)
		finding_unknown(f, "top_irq_affinity", U_NONE, "proc/irq/N/smp_affinity",
				"proc/irq/%s/smp_affinity was not read", best->label);
}

static void softirq_hotspot(const struct inputs *in, struct cpus *w, struct findings *out)
{
	struct hotspot h = {0};
	char a[32], b[32];

	for (size_t i = 0; i < w->n; i++) {
		if (!w->v[i].has_time)
			continue;
		h.n++;
		h.total += w->v[i].softirq;
		if (!h.hot || w->v[i].softirq > h.hot->softirq)
			h.hot = &w->v[i];
	}
	if (h.n < 2 || !h.hot || h.hot->softirq < HOT_WARN_SHARE || h.hot->softirq < HOT_CONCENTRATION * h.total)
		return;
	/* A hotspot is an imbalance: on 2 CPUs one always has half of the
	 * softirq time, and an even 24% and 24% (loopback traffic) is load,
	 * not a hot CPU. */
	double others = (h.total - h.hot->softirq) / (h.n - 1);
	if (h.hot->softirq < HOT_IMBALANCE * others)
		return;
	hot_vector(w, &h);
	hot_line(in, w, &h);
	struct finding *f = findings_add(out, "irq.softirq_hotspot",
					 h.hot->softirq >= HOT_CRIT_SHARE ? SEV_CRITICAL : SEV_WARNING);
	finding_title(f, "CPU %d spends %s of its time in softirqs, %s of all softirq time", h.hot->cpu,
		      fmt_pct(h.hot->softirq, a, sizeof(a)), fmt_pct(h.hot->softirq / h.total, b, sizeof(b)));
	hot_summary(f, w, &h);
	hot_evidence(in, f, w, &h);
	char cpu[16];
	snprintf(cpu, sizeof(cpu), "%d", h.hot->cpu);
	finding_subject(f, SUBJ_CPU, cpu);
	finding_remedy(f, "Spread the device's interrupts: more hardware queues (RSS: ethtool -L DEV combined N) "
			  "with their IRQs on different CPUs (/proc/irq/N/smp_affinity, or irqbalance).");
	finding_remedy(f, "For a single-queue device, RPS spreads the protocol work to other CPUs, at the cost of an "
			  "IPI and a softirq on the target per batch: only to CPUs with headroom (see "
			  "irq.rps_on_busy_host).");
	finding_remedy(f, "Or keep latency-sensitive threads off CPU %d (taskset, cpusets).", h.hot->cpu);
	finding_ref(f, "kstall explain irq.softirq_hotspot");
}

/* ---- irq.ipi_storm ---- */
/* Field k of one CPU, 0 where it was not counted (a row the table lacks). */
static double counted(const struct cpuview *v, int k)
{
	return v->has & (1u << k) ? v->n[k] : 0;
}

static void ipi_storm(const struct inputs *in UNUSED, struct cpus *w, struct findings *out, struct skips *skips)
{
	struct cpuview *top = NULL;
	double cal = 0, tlb = 0, res = 0, received = 0;
	char a[32], b[32], c[32];
	bool has_cal = !w->why[F_CAL][0], has_tlb = !w->why[F_TLB][0], has_res = !w->why[F_RES][0];

	/* Its thresholds are rates: without the window's length, or without
	 * both IPI rows, it cannot be decided. */
	if (w->secs <= 0 || (!has_cal && !has_tlb)) {
		skips_add(skips, "irq.ipi_storm", "its thresholds are IPI rates: %s", w->secs <= 0 ? w->secs_why : w->why[F_CAL]);
		return;
	}
	for (size_t i = 0; i < w->n; i++) {
		struct cpuview *v = &w->v[i];
		cal += counted(v, F_CAL), tlb += counted(v, F_TLB), res += counted(v, F_RES);
		if (!top || counted(v, F_CAL) + counted(v, F_TLB) > counted(top, F_CAL) + counted(top, F_TLB))
			top = v;
	}
	if (!top)
		return;
	double top_ipis = (counted(top, F_CAL) + counted(top, F_TLB)) / w->secs;
	cal /= w->secs, tlb /= w->secs, res /= w->secs;
	if (top_ipis < IPI_INFO_PER_S)
		return;
	const char *recv_why = NULL;
	bool has_recv = received_rate(w, &received, &recv_why);
	bool busy = top->has_time && top->idle < IPI_BUSY_IDLE;
	char idle_why[WHY];
	snprintf(idle_why, WHY, "%s", w->time_why[0] ? w->time_why : "it has no ticks in both samples of proc/stat");
	enum severity sev = top_ipis >= IPI_CRIT_PER_S ? SEV_CRITICAL
			    : top_ipis >= IPI_WARN_PER_S || busy ? SEV_WARNING
								 : SEV_INFO;
	struct finding *f = findings_add(out, "irq.ipi_storm", sev);
	finding_title(f, "CPU %d takes %s function-call and TLB-shootdown IPIs/s", top->cpu, fmt_rate(top_ipis, a, sizeof(a)));
	const char *source;
	if (has_recv && received > 0 && received >= 0.3 * cal && cal >= tlb)
		source = "RPS: its IPIs (softnet_stat's received_rps) are a large part of the function-call IPIs";
	else if (tlb > cal)
		source = "TLB shootdowns: a multi-threaded process unmapping or changing protections "
			 "(munmap, mprotect, madvise); live, vma.mmap_churn names processes that unmap over and over";
	else if (!has_recv)
		source = "function calls between CPUs (smp_call_function), RPS's among them or not: its own IPI "
			 "count (softnet_stat received_rps) is unknown. Block I/O completed on the CPU that "
			 "submitted it sends one per request";
	else
		source = "function calls between CPUs (smp_call_function), such as block I/O completed on the CPU "
			 "that submitted it (one per request); live tracing of csd:csd_queue_cpu names the "
			 "function (a later kstall)";
	struct buf s = {0};
	buf_printf(&s, "Across the CPUs, ");
	if (has_cal)
		buf_printf(&s, "%s function-call IPIs/s (CAL), ", fmt_rate(cal, a, sizeof(a)));
	if (has_tlb)
		buf_printf(&s, "%s TLB-shootdown IPIs/s (TLB), ", fmt_rate(tlb, b, sizeof(b)));
	if (has_res)
		buf_printf(&s, "%s rescheduling IPIs/s (RES) ", fmt_rate(res, c, sizeof(c)));
	buf_printf(&s, "%s; CPU %d takes the most. Each interrupts whatever runs there", window_words(w), top->cpu);
	buf_printf(&s, ": at a microsecond or more each (more in a guest), at least %s of CPU %d",
		   fmt_pct(top_ipis * IPI_COST_S, a, sizeof(a)), top->cpu);
	if (top->has_time)
		buf_printf(&s, ", which was %s idle", fmt_pct(top->idle, b, sizeof(b)));
	else
		buf_printf(&s, ", whose idle time is unknown (%s)", idle_why);
	if (sev == SEV_INFO)
		buf_printf(&s, ". %s: a warning needs %s/s, or %s/s on a CPU under %s idle",
			   top->has_time ? "Taken from idle time, not from work" : "Not shown to take from work",
			   fmt_rate(IPI_WARN_PER_S, b, sizeof(b)), fmt_rate(IPI_INFO_PER_S, c, sizeof(c)),
			   fmt_pct(IPI_BUSY_IDLE, a, sizeof(a)));
	buf_printf(&s, ". Likely source: %s.", source);
	for (int k = F_CAL; k <= F_RES; k++)
		if (w->why[k][0])
			buf_printf(&s, " %s IPIs are not counted: %s.", fields[k].label, w->why[k]);
	finding_summary(f, "%s", s.data);
	buf_free(&s);
	num_or_unknown(f, "cal_ipis", has_cal, cal, U_PER_S, "proc/interrupts CAL, all CPUs", w->why[F_CAL]);
	num_or_unknown(f, "tlb_ipis", has_tlb, tlb, U_PER_S, "proc/interrupts TLB, all CPUs", w->why[F_TLB]);
	num_or_unknown(f, "res_ipis", has_res, res, U_PER_S, "proc/interrupts RES, all CPUs", w->why[F_RES]);
	finding_num(f, "top_cpu", top->cpu, U_ID, "proc/interrupts");
	finding_num(f, "top_cpu_ipis", top_ipis, U_PER_S, "proc/interrupts CAL + TLB");
	num_or_unknown(f, "top_cpu_idle_share", top->has_time, top->idle, U_RATIO, "proc/stat", idle_why);
	finding_num(f, "top_cpu_ipi_share_min", top_ipis * IPI_COST_S, U_RATIO,
		    "top_cpu_ipis at 1 us each (a lower bound)");
	num_or_unknown(f, "rps_received", has_recv, received, U_PER_S, "proc/net/softnet_stat column 10", recv_why);
	char cpu[16];
	snprintf(cpu, sizeof(cpu), "%d", top->cpu);
	finding_subject(f, SUBJ_CPU, cpu);
	finding_remedy(f, "RPS: turn it off, or steer to fewer CPUs with headroom (irq.rps_on_busy_host).");
	finding_remedy(f, "TLB shootdowns: reuse memory instead of unmapping it (vma.mmap_churn), fewer threads "
			  "touching one address space, or madvise(MADV_FREE) instead of MADV_DONTNEED (the cost: "
			  "freed pages stay in RSS until memory is short).");
	finding_ref(f, "kstall explain irq.ipi_storm");
}

/* ---- irq.softnet_drops ---- */
/* Drops and time squeezes over the CPUs in softnet_stat. */
struct drops {
	double dropped, squeezed, processed;
	bool rates; /* the window's length is known */
	double drop_rate, sq_rate;
	const struct cpuview *worst;
};

static void drops_summary(struct finding *f, const struct cpus *w, const struct drops *d)
{
	char a[32], b[32], c[32], e[32];
	if (d->dropped > 0 && d->rates)
		finding_title(f, "%s packets/s dropped at the per-CPU backlog (CPU %d most)",
			      fmt_rate(d->drop_rate, a, sizeof(a)), d->worst->cpu);
	else if (d->dropped > 0)
		finding_title(f, "%s packets dropped at the per-CPU backlog %s (CPU %d most)",
			      fmt_count(d->dropped, a, sizeof(a)), w->since_boot ? "since boot" : "in the window",
			      d->worst->cpu);
	else
		finding_title(f, "Packet processing runs out of budget %s times/s (time squeeze)",
			      fmt_rate(d->sq_rate, a, sizeof(a)));
	struct buf s = {0};
	if (d->rates)
		buf_printf(&s, "%s, the CPUs dropped %s packets/s because their input backlog was full "
			       "(net.core.netdev_max_backlog) and ran out of budget %s times/s with packets still "
			       "waiting (time squeeze: net.core.netdev_budget, netdev_budget_usecs), of %s packets/s "
			       "processed.",
			   w->since_boot ? "Averaged since boot" : "Over the window", fmt_rate(d->drop_rate, a, sizeof(a)),
			   fmt_rate(d->sq_rate, b, sizeof(b)), fmt_rate(d->processed / w->secs, c, sizeof(c)));
	else
		buf_printf(&s, "%s, the CPUs dropped %s packets because their input backlog was full "
			       "(net.core.netdev_max_backlog) and ran out of budget %s times with packets still waiting "
			       "(time squeeze), of %s packets processed. The rates are unknown (%s): dropping at all "
			       "makes this a warning; critical needs the rate (%s/s).",
			   w->since_boot ? "Since boot" : "In the window", fmt_count(d->dropped, a, sizeof(a)),
			   fmt_count(d->squeezed, b, sizeof(b)), fmt_count(d->processed, c, sizeof(c)), w->secs_why,
			   fmt_rate(DROPS_CRIT_PER_S, e, sizeof(e)));
	buf_printf(&s, " Drops are lost packets (retransmits, latency); squeezes mean receive work spills into later "
		       "softirq rounds or ksoftirqd.");
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

static void drops_evidence(const struct inputs *in, struct finding *f, const struct cpus *w, const struct drops *d)
{
	uint64_t backlog = 0, budget = 0, usecs = 0;
	bool has_backlog = kv_get(&in->host.sysctl, "net.core.netdev_max_backlog", &backlog) == 0;
	bool has_budget = kv_get(&in->host.sysctl, "net.core.netdev_budget", &budget) == 0;
	bool has_usecs = kv_get(&in->host.sysctl, "net.core.netdev_budget_usecs", &usecs) == 0;
	num_or_unknown(f, "dropped", d->rates, d->drop_rate, U_PER_S, "proc/net/softnet_stat column 2", w->secs_why);
	num_or_unknown(f, "time_squeeze", d->rates, d->sq_rate, U_PER_S, "proc/net/softnet_stat column 3", w->secs_why);
	num_or_unknown(f, "processed", d->rates, d->rates ? d->processed / w->secs : -1, U_PER_S,
		       "proc/net/softnet_stat column 1", w->secs_why);
	finding_num(f, "dropped_packets", d->dropped, U_COUNT,
		    w->since_boot ? "proc/net/softnet_stat column 2, since boot" : "proc/net/softnet_stat column 2, in the window");
	finding_num(f, "worst_cpu", d->worst->cpu, U_ID, "proc/net/softnet_stat");
	num_or_unknown(f, "netdev_max_backlog", has_backlog, (double)backlog, U_COUNT,
		       "proc/sys/net/core/netdev_max_backlog", "proc/sys/net/core/netdev_max_backlog was not read");
	num_or_unknown(f, "netdev_budget", has_budget, (double)budget, U_COUNT, "proc/sys/net/core/netdev_budget",
		       "proc/sys/net/core/netdev_budget was not read");
	/* netdev_budget_usecs is 4.12+: absent before, not unknown */
	if (has_usecs || !in->host.has_kver || kver_at_least(&in->host.kver, 4, 12))
		num_or_unknown(f, "netdev_budget_usecs", has_usecs, (double)usecs, U_COUNT,
			       "proc/sys/net/core/netdev_budget_usecs", "proc/sys/net/core/netdev_budget_usecs was not read");
	char cpu[16];
	snprintf(cpu, sizeof(cpu), "%d", d->worst->cpu);
	finding_subject(f, SUBJ_CPU, cpu);
	if (d->dropped > 0)
		finding_remedy(f, "Raise net.core.netdev_max_backlog (e.g. to %" PRIu64 ") so bursts fit (the cost: "
				  "packets wait longer in the queue instead of being dropped), and find why CPU %d "
				  "cannot keep up (irq.softirq_hotspot, a busy CPU).",
			       has_backlog && backlog ? backlog * 4 : 4000, d->worst->cpu);
	finding_remedy(f, "Spread receive work over more CPUs (RSS queues, or RPS to CPUs with headroom).");
	finding_remedy(f, "Time squeezes alone: raise net.core.netdev_budget / netdev_budget_usecs a little; it "
			  "trades application latency for receive throughput.");
}

static void softnet_drops(const struct inputs *in, struct cpus *w, struct findings *out, struct skips *skips)
{
	struct drops d = {0};
	bool any = false;

	if (w->softnet_why[0]) {
		skips_add(skips, "irq.softnet_drops", "%s", w->softnet_why);
		return;
	}
	for (size_t i = 0; i < w->n; i++) {
		const struct cpuview *v = &w->v[i];
		if (!v->has_softnet)
			continue;
		any = true;
		d.dropped += v->dropped, d.squeezed += v->squeezed, d.processed += v->processed;
		if (!d.worst || v->dropped + v->squeezed > d.worst->dropped + d.worst->squeezed)
			d.worst = v;
	}
	if (!any || (d.dropped <= 0 && d.squeezed <= 0))
		return;
	/* Without the window's length the counts still say whether packets
	 * were dropped (a warning), not at what rate (critical), nor whether
	 * squeezes reach the information line. */
	d.rates = w->secs > 0;
	if (!d.rates && d.dropped <= 0) {
		char r[32];
		skips_add(skips, "irq.softnet_drops", "no drops %s; whether time squeezes reach %s/s needs the window's "
			  "length: %s", w->since_boot ? "since boot" : "in the window",
			  fmt_rate(SQUEEZE_INFO_PER_S, r, sizeof(r)), w->secs_why);
		return;
	}
	d.drop_rate = d.rates ? d.dropped / w->secs : -1, d.sq_rate = d.rates ? d.squeezed / w->secs : -1;
	if (d.rates && d.dropped <= 0 && d.sq_rate < SQUEEZE_INFO_PER_S)
		return;
	/* Drops are lost packets, but a few are retransmitted unnoticed, and
	 * drops at an unknown rate (no window length) may be months old. */
	enum severity sev = d.dropped <= 0 || !d.rates	    ? SEV_INFO
			    : d.drop_rate >= DROPS_CRIT_PER_S ? SEV_CRITICAL
			    : d.drop_rate >= DROPS_WARN_PER_S ? SEV_WARNING
							      : SEV_INFO;
	struct finding *f = findings_add(out, "irq.softnet_drops", sev);
	drops_summary(f, w, &d);
	drops_evidence(in, f, w, &d);
	finding_ref(f, "kstall explain irq.softnet_drops");
}

static int run(const struct inputs *in, struct findings *out, struct skips *skips)
{
	struct cpus w;

	gather(in, &w);
	if (w.time_why[0]) {
		/* Both compare CPUs' time shares: nothing stands in for them. */
		skips_add(skips, "irq.rps_on_busy_host", "%s", w.time_why);
		skips_add(skips, "irq.softirq_hotspot", "%s", w.time_why);
	} else {
		rps_on_busy_host(in, &w, out, skips);
		softirq_hotspot(in, &w, out);
	}
	ipi_storm(in, &w, out, skips);
	softnet_drops(in, &w, out, skips);
	free(w.v);
	return DETECT_RAN;
}

const struct detector detector_irq = {
	.name = "irq",
	.ids = ids,
	.needs = NEED_NONE,
	.run = run,
};

/* ---- live: handler durations (irq.softirq_long, irq.hardirq_long) ---- */

#define SOFT_INFO_P99_S 0.002   /* a softirq round's budget (MAX_SOFTIRQ_TIME): information */
#define SOFT_WARN_MAX_S 0.010
#define SOFT_CRIT_MAX_S 0.050
#define SOFT_LAT_WARN_S 0.020   /* raised to run: deferred to ksoftirqd and waiting */
#define SOFT_LAT_CRIT_S 0.100
#define HARD_INFO_P99_S 0.001   /* information: a warning needs a run of HARD_WARN_MAX_S */
#define HARD_WARN_MAX_S 0.010
#define HARD_CRIT_MAX_S 0.050
#define KSD_WARN_P99_S 0.002    /* woken ksoftirqd waiting for its CPU: raised (as info) */
#define KSD_WARN_MAX_S 0.010    /* the severity is the deferred softirqs' own wait */

#define LATE_INFO_P99_S 0.002   /* hard timers run late: interrupts off on that CPU (info) */
#define LATE_WARN_MAX_S 0.010
#define LATE_CRIT_MAX_S 0.050
#define LATE_STEAL_INFO 0.10    /* steal share: the hypervisor is the likelier cause */
#define SLABINFO_MIN_OPENS 2    /* periodic: opened more than once in the window */

static const char *const live_ids[] = {"irq.softirq_long", "irq.hardirq_long", "irq.ksoftirqd_latency",
				       "irq.irqs_off", "irq.slabinfo_reader", NULL};

/* Runs of softirq vec at least SOFT_WARN_MAX_S long, on any CPU, from
 * the outlier events; -1 when they cannot tell (the threshold above that,
 * events lost or not kept, or none where the histogram has one). */
static int long_softirq_runs(const struct traced *t, uint64_t vec)
{
	if (t->threshold_ms > SOFT_WARN_MAX_S * 1e3 || t->ringbuf_lost || t->events_not_kept)
		return -1;
	int n = 0;
	for (size_t k = 0; k < t->nevents; k++) {
		const struct tr_event *e = &t->events[k];
		n += e->kind == TR_SOFTIRQ && e->detail == vec && (double)e->dur_ns >= SOFT_WARN_MAX_S * 1e9;
	}
	return n ? n : -1;
}

static void softirq_long(const struct traced *t, struct findings *out)
{
	char a[32], b[32], c[32], d[32], w[32];
	for (uint64_t vec = 0; vec < 10; vec++) {
		/* the worst CPU for this vector, by run time, then by latency */
		const struct tr_hist *run = NULL, *lat = NULL;
		for (size_t i = 0; i < t->nhists; i++) {
			const struct tr_hist *h = &t->hists[i];
			if (h->detail != vec)
				continue;
			if (h->kind == TR_SOFTIRQ && (!run || h->max_ns > run->max_ns))
				run = h;
			if (h->kind == TR_SOFTIRQ_LAT && (!lat || h->max_ns > lat->max_ns))
				lat = h;
		}
		/* p99 is a log2 bucket's upper edge: never above the maximum seen */
		double rmax = run ? (double)run->max_ns / 1e9 : 0, rp99 = run ? fmin(tr_hist_quantile(run, 0.99), rmax) : 0;
		double lmax = lat ? (double)lat->max_ns / 1e9 : 0, lp99 = lat ? fmin(tr_hist_quantile(lat, 0.99), lmax) : 0;
		bool long_run = (run && tr_hist_quantile_floor(run, 0.99) >= SOFT_INFO_P99_S) || rmax >= SOFT_WARN_MAX_S;
		bool long_wait = lmax >= SOFT_LAT_WARN_S;
		if (!long_run && !long_wait)
			continue;
		/* A p99 of a few ms with no run of 10 ms is a fact, not harm a
		 * user notices (a busy compile on this VM: TIMER p99 3.8 ms). */
		/* One run of 10 ms in the window, with none near it, is a blip
		 * (as one late-timer stretch is for irq.irqs_off): beside fio on
		 * this VM, one BLOCK run of 12.5 ms among runs of p99 32 us. */
		int nlong = run && rmax >= SOFT_WARN_MAX_S ? long_softirq_runs(t, vec) : 0;
		bool runs_harm = rmax >= SOFT_WARN_MAX_S && nlong != 1;
		enum severity sev = rmax >= SOFT_CRIT_MAX_S || lmax >= SOFT_LAT_CRIT_S ? SEV_CRITICAL
				    : runs_harm || long_wait			       ? SEV_WARNING
										       : SEV_INFO;
		const char *name = tr_softirq_name(vec);
		uint32_t cpu = long_run ? run->tgid : lat->tgid;
		struct finding *f = findings_add(out, "irq.softirq_long", sev);
		if (long_run)
			finding_title(f, "%s softirqs on CPU %u run up to %s (p99 %s)", name, cpu,
				      fmt_duration(rmax, a, sizeof(a)), fmt_duration(rp99, b, sizeof(b)));
		else
			finding_title(f, "%s softirqs on CPU %u wait up to %s between raise and run", name, cpu,
				      fmt_duration(lmax, a, sizeof(a)));
		finding_summary(f, "Over %s, %s handler runs took up to %s (p99 %s) on CPU %u; from being raised "
				   "to running, %s softirqs waited up to %s (p99 %s) on CPU %u. A handler run is time "
				   "taken from the task it interrupted (softirqs run before returning to it); a long "
				   "wait means the work was deferred to ksoftirqd, which queues behind ordinary "
				   "threads: packets and timers are late (seed 003's ping latency).",
				fmt_duration(t->duration_s, w, sizeof(w)), name, fmt_duration(rmax, a, sizeof(a)),
				fmt_duration(rp99, b, sizeof(b)),
				run ? run->tgid : 0, name, fmt_duration(lmax, c, sizeof(c)), fmt_duration(lp99, d, sizeof(d)),
				lat ? lat->tgid : 0);
		finding_str(f, "vector", name, "irq:softirq_entry/exit (BPF)");
		if (run) {
			finding_num(f, "runs", (double)run->count, U_COUNT, "irq:softirq_entry/exit, worst CPU");
			finding_num(f, "run_max", rmax, U_SECONDS, "irq:softirq_entry/exit");
			finding_num(f, "run_p99", rp99, U_SECONDS, "irq:softirq_entry/exit (log2 bucket edge)");
			finding_num(f, "run_time_share", (double)run->sum_ns / 1e9 / t->duration_s, U_RATIO,
				    "time in this vector's handlers / window, worst CPU");
			if (nlong > 0)
				finding_num(f, "runs_over_10ms", nlong, U_COUNT, "outlier events, every CPU");
		}
		if (lat) {
			finding_num(f, "wait_max", lmax, U_SECONDS, "irq:softirq_raise to softirq_entry");
			finding_num(f, "wait_p99", lp99, U_SECONDS, "irq:softirq_raise to softirq_entry");
		}
		char cs[16];
		snprintf(cs, sizeof(cs), "%u", cpu);
		finding_subject(f, SUBJ_CPU, cs);
		finding_remedy(f, "NET_RX: spread receive work (RSS queues, RPS to CPUs with headroom), or lower "
				  "net.core.netdev_budget_usecs to bound a round (the cost: more of the work is left to "
				  "ksoftirqd, and receive throughput can drop); TIMER/HRTIMER: fewer timers (high timer "
				  "churn in an application); RCU: see rcu_nocbs / rcutree settings.");
		finding_remedy(f, "Long waits: keep CPU-bound threads off the CPUs that take the device's interrupts, or "
				  "give ksoftirqd a real-time priority (chrt) on those CPUs. The cost of chrt: under a "
				  "flood the deferred work then runs ahead of every ordinary thread there, the "
				  "application included.");
		finding_ref(f, "kstall explain irq.softirq_long");
	}
}

static void hardirq_long(const struct traced *t, struct findings *out)
{
	char a[32], b[32], c[32], w[32];
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (h->kind != TR_HARDIRQ)
			continue;
		double max = (double)h->max_ns / 1e9, p99 = fmin(tr_hist_quantile(h, 0.99), max);
		if (tr_hist_quantile_floor(h, 0.99) < HARD_INFO_P99_S && max < HARD_WARN_MAX_S)
			continue;
		struct finding *f = findings_add(out, "irq.hardirq_long", max >= HARD_CRIT_MAX_S   ? SEV_CRITICAL
									   : max >= HARD_WARN_MAX_S ? SEV_WARNING
												    : SEV_INFO);
		finding_title(f, "IRQ %" PRIu64 " (%s) handler runs up to %s on CPU %u", h->detail, h->comm,
			      fmt_duration(max, a, sizeof(a)), h->tgid);
		finding_summary(f, "The handler of IRQ %" PRIu64 " (%s) ran %s times on CPU %u in %s, up "
				   "to %s (p99 %s), with interrupts off on that CPU meanwhile: everything else "
				   "there, including other interrupts and the scheduler tick, waited.",
				h->detail, h->comm, fmt_count((double)h->count, c, sizeof(c)), h->tgid,
				fmt_duration(t->duration_s, w, sizeof(w)), fmt_duration(max, a, sizeof(a)),
				fmt_duration(p99, b, sizeof(b)));
		finding_num(f, "irq", (double)h->detail, U_ID, "irq:irq_handler_entry/exit (BPF)");
		finding_str(f, "handler", h->comm, "irqaction name");
		finding_num(f, "runs", (double)h->count, U_COUNT, "irq:irq_handler_entry/exit");
		finding_num(f, "run_max", max, U_SECONDS, "irq:irq_handler_entry/exit");
		finding_num(f, "run_p99", p99, U_SECONDS, "irq:irq_handler_entry/exit (log2 bucket edge)");
		char cs[16];
		snprintf(cs, sizeof(cs), "%u", h->tgid);
		finding_subject(f, SUBJ_CPU, cs);
		finding_remedy(f, "A slow handler is a driver or device problem: update the driver or firmware, check "
				  "the device's interrupt moderation (ethtool -C), and move the IRQ away from "
				  "latency-sensitive CPUs (/proc/irq/%" PRIu64 "/smp_affinity).", h->detail);
		finding_ref(f, "kstall explain irq.hardirq_long");
	}
}

/* The longest a softirq that users wait for (not SCHED's load balancing
 * nor RCU's deferred frees) waited on this CPU from being raised to
 * running, and which (*ret_vec); -1 when softirqs were not traced. */
static double deferred_wait(const struct traced *t, uint32_t cpu, uint64_t *ret_vec)
{
	if (!(t->groups & TG_SOFTIRQ))
		return -1;
	double worst = 0;
	*ret_vec = UINT64_MAX;
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (h->kind != TR_SOFTIRQ_LAT || h->tgid != cpu || h->detail == TR_SOFTIRQ_SCHED ||
		    h->detail == TR_SOFTIRQ_RCU)
			continue;
		if ((double)h->max_ns / 1e9 > worst) {
			worst = (double)h->max_ns / 1e9;
			*ret_vec = h->detail;
		}
	}
	return worst;
}

/* A woken ksoftirqd that waits harms no one by itself: softirqs raised
 * meanwhile still run on interrupt exit and bh enable (on a loopback
 * benchmark here ksoftirqd waited 236 ms while no softirq waited over
 * 1.2 ms). The severity is what the deferred work measurably waited;
 * unmeasured, only a p99 wait that long. */
static enum severity ksoftirqd_severity(const struct tr_hist *h, double deferred)
{
	double wait = deferred >= 0 ? deferred : tr_hist_quantile_floor(h, 0.99);
	return wait >= SOFT_LAT_CRIT_S ? SEV_CRITICAL : wait >= SOFT_LAT_WARN_S ? SEV_WARNING : SEV_INFO;
}

static void ksoftirqd_latency(const struct traced *t, struct findings *out)
{
	char a[32], b[32], c[32], w[32];
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (h->kind != TR_KSOFTIRQD)
			continue;
		double max = (double)h->max_ns / 1e9, p99 = fmin(tr_hist_quantile(h, 0.99), max);
		if (tr_hist_quantile_floor(h, 0.99) < KSD_WARN_P99_S && max < KSD_WARN_MAX_S)
			continue;
		uint64_t vec = UINT64_MAX;
		double deferred = deferred_wait(t, h->tgid, &vec);
		struct finding *f = findings_add(out, "irq.ksoftirqd_latency", ksoftirqd_severity(h, deferred));
		finding_title(f, "ksoftirqd on CPU %u waits up to %s to run once woken", h->tgid,
			      fmt_duration(max, a, sizeof(a)));
		/* Who it waited behind: the threads it took the CPU from, in the
		 * outlier events. */
		const char *behind[3] = {0};
		unsigned counts[3] = {0};
		for (size_t k = 0; k < t->nevents; k++) {
			const struct tr_event *e = &t->events[k];
			if (e->kind != TR_KSOFTIRQD || e->extra1 != h->tgid)
				continue;
			size_t j = 0;
			while (j < 3 && behind[j] && strcmp(behind[j], e->comm))
				j++;
			if (j < 3) {
				behind[j] = e->comm;
				counts[j]++;
			}
		}
		struct buf s = {0};
		buf_printf(&s, "When softirq work is more than a round can take, the rest goes to ksoftirqd/%u, an "
			       "ordinary thread: woken %s times in %s, it waited up to %s (p99 %s) for CPU "
			       "%u while other threads ran, and packets, timers and RCU callbacks waited with it "
			       "(seed 003: ping latency on a busy host).",
			   h->tgid, fmt_count((double)h->count, c, sizeof(c)), fmt_duration(t->duration_s, w, sizeof(w)),
			   fmt_duration(max, a, sizeof(a)),
			   fmt_duration(p99, b, sizeof(b)), h->tgid);
		if (behind[0]) {
			buf_printf(&s, " It got the CPU from:");
			for (size_t j = 0; j < 3 && behind[j]; j++)
				buf_printf(&s, "%s %s (%u time%s)", j ? "," : "", behind[j], counts[j], counts[j] == 1 ? "" : "s");
			buf_printf(&s, ".");
		}
		if (deferred < 0)
			buf_printf(&s, " How long the deferred softirqs themselves waited is unknown (softirqs not traced).");
		else if (vec == UINT64_MAX)
			buf_printf(&s, " No softirq but SCHED and RCU was raised on CPU %u meanwhile.", h->tgid);
		else
			buf_printf(&s, " Meanwhile no softirq on CPU %u (SCHED and RCU aside) waited more than %s from "
				       "being raised to running (%s)%s", h->tgid, fmt_duration(deferred, a, sizeof(a)),
				   tr_softirq_name(vec),
				   deferred < SOFT_LAT_WARN_S ? ": they ran on interrupt exit instead, and nothing was late."
							      : ".");
		finding_summary(f, "%s", s.data);
		buf_free(&s);
		finding_num(f, "wakeups", (double)h->count, U_COUNT, "sched:sched_wakeup of ksoftirqd (BPF)");
		finding_num(f, "wait_max", max, U_SECONDS, "sched_wakeup to sched_switch");
		finding_num(f, "wait_p99", p99, U_SECONDS, "sched_wakeup to sched_switch (log2 bucket edge)");
		finding_num(f, "wait_total", (double)h->sum_ns / 1e9, U_SECONDS, "sched_wakeup to sched_switch");
		if (deferred >= 0 && vec != UINT64_MAX)
			finding_num(f, "softirq_wait_max", deferred, U_SECONDS,
				    "irq:softirq_raise to softirq_entry, this CPU, worst vector but SCHED and RCU");
		if (behind[0])
			finding_str(f, "ran_before_it", behind[0], "sched_switch prev, waits over --threshold");
		char cs[16];
		snprintf(cs, sizeof(cs), "%u", h->tgid);
		finding_subject(f, SUBJ_CPU, cs);
		finding_remedy(f, "Keep CPU-bound threads off the CPUs that take the device's interrupts (taskset, "
				  "cpusets), or give ksoftirqd/%u a real-time priority (chrt -f -p 1 PID) so deferred "
				  "softirqs run ahead of ordinary threads. The cost of chrt: under a packet flood "
				  "ksoftirqd then takes that CPU from the application, which is why it is an ordinary "
				  "thread.", h->tgid);
		finding_remedy(f, "Reduce the softirq load that spills over (irq.softirq_hotspot, RPS to CPUs with "
				  "headroom).");
		finding_ref(f, "kstall explain irq.ksoftirqd_latency");
	}
}

/* The name of what reads /proc/slabinfo periodically, if anything does,
 * with this pid or comm (one process, or a group of exited ones of that
 * name; recordings before format 3, a histogram per process): for the
 * irqs-off finding to name it. */
static const char *slabinfo_reader_named(const struct traced *t, uint32_t pid, const char *comm)
{
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (h->kind == TR_SLABINFO && h->count >= SLABINFO_MIN_OPENS && (h->tgid == pid || !strcmp(h->comm, comm)))
			return h->comm;
	}
	for (size_t i = 0; i < t->nlookups; i++) {
		const struct tr_lookup *l = &t->lookups[i];
		if (l->known && l->slab_opens >= SLABINFO_MIN_OPENS && ((!l->group && l->tgid == pid) || !strcmp(l->comm, comm)))
			return l->comm;
	}
	return NULL;
}

/* Steal share of one CPU over the window, or -1. */
static double cpu_steal(const struct inputs *in, int cpu)
{
	for (size_t i = 0; i < in->view.ncpus; i++) {
		const struct view_cpu *c = &in->view.cpus[i];
		if (c->cpu == cpu && c->ncols > CPUT_STEAL && c->has_time)
			return c->share[CPUT_STEAL];
	}
	return -1;
}

/* What ran when CPU cpu's late timers fired: the task that turned
 * interrupts back on (the latest one's, NULL if none), or the idle task
 * (then the delay was not the kernel's: the hypervisor, or a deep
 * C-state). How many fired late, and how many of them while idle. */
struct late_timers {
	unsigned late, idle; /* at or above --threshold; of them, with the CPU idle */
	unsigned stretches;  /* of those in tasks, distinct stretches: timers late
			      * together (one interrupt ran them all) count once */
	double in_tasks_s;   /* how long those stretches were, together */
};

struct span {
	double from, to;
};

static int by_from(const void *a, const void *b)
{
	double x = ((const struct span *)a)->from, y = ((const struct span *)b)->from;
	return x < y ? -1 : x > y;
}

/* Each late timer in a task covers [fired - lateness, fired]: overlapping
 * ones are one stretch with interrupts off. */
static void late_stretches(struct span *v, size_t n, struct late_timers *ret)
{
	qsort(v, n, sizeof(*v), by_from);
	for (size_t i = 0; i < n;) {
		double from = v[i].from, to = v[i].to;
		for (i++; i < n && v[i].from <= to; i++)
			to = fmax(to, v[i].to);
		ret->stretches++;
		ret->in_tasks_s += to - from;
	}
}

static const struct tr_event *late_timer_task(const struct traced *t, uint32_t cpu, struct late_timers *ret)
{
	const struct tr_event *worst = NULL;
	struct span *v = xcalloc(t->nevents + 1, sizeof(*v));
	size_t n = 0;
	*ret = (struct late_timers){0};
	for (size_t k = 0; k < t->nevents; k++) {
		const struct tr_event *e = &t->events[k];
		if (e->kind != TR_TIMER_LATE || e->extra1 != cpu)
			continue;
		ret->late++;
		if (e->tgid == 0) {
			ret->idle++;
			continue;
		}
		v[n++] = (struct span){e->t_s - (double)e->dur_ns / 1e9, e->t_s};
		if (!worst || e->dur_ns > worst->dur_ns)
			worst = e;
	}
	late_stretches(v, n, ret);
	free(v);
	return worst;
}

static void irqs_off(const struct inputs *in, const struct traced *t, struct findings *out)
{
	char a[32], b[32], c[32], w[32];
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (h->kind != TR_TIMER_LATE)
			continue;
		double max = (double)h->max_ns / 1e9, p99 = fmin(tr_hist_quantile(h, 0.99), max);
		bool p99_high = tr_hist_quantile_floor(h, 0.99) >= LATE_INFO_P99_S;
		if (!p99_high && max < LATE_WARN_MAX_S)
			continue;
		struct late_timers lt;
		const struct tr_event *worst = late_timer_task(t, h->tgid, &lt);
		unsigned late = lt.late, idle = lt.idle;
		/* Warnings for stretches that recur (a p99 that high, or two or
		 * more in tasks): one blip, or delays only while idle or with
		 * steal time, are information. Steal covers them when the
		 * hypervisor kept this vCPU from running at least as long as the
		 * late stretches in tasks add up to (a CPU-bound load on a VM
		 * here: 5 stretches up to 15 ms, 60 ms of steal). */
		bool all_idle = late > 0 && idle == late;
		double steal = cpu_steal(in, (int)h->tgid);
		bool steal_covers = steal >= 0 && lt.in_tasks_s > 0 && steal * t->duration_s >= lt.in_tasks_s && !p99_high;
		bool recurs = p99_high || lt.stretches >= 2;
		/* ... and stretches under 10 ms are information too: an idle
		 * FUSE mount beside the quiet suite gave a p99 of 2.67 ms. */
		enum severity sev = all_idle || steal >= LATE_STEAL_INFO || steal_covers || !recurs || max < LATE_WARN_MAX_S
					    ? SEV_INFO
				    : max >= LATE_CRIT_MAX_S			      ? SEV_CRITICAL
										      : SEV_WARNING;
		struct finding *f = findings_add(out, "irq.irqs_off", sev);
		finding_title(f, "Timer interrupts on CPU %u ran up to %s late: interrupts were off%s", h->tgid,
			      fmt_duration(max, a, sizeof(a)), worst ? "" : all_idle ? " or the vCPU was not running" : "");
		struct buf s = {0};
		buf_printf(&s, "Of %s hard timers that expired on CPU %u in %s, the latest ran %s after "
			       "its expiry time (p99 %s). A hard timer runs from the timer interrupt, so for that "
			       "long the CPU took no interrupts: they were disabled, or a handler ran that long, or "
			       "the hypervisor did not run this vCPU. Packets, the scheduler tick and wakeups on that "
			       "CPU waited as long (seed 003: interrupts kept off make ping latency jump).",
			   fmt_count((double)h->count, c, sizeof(c)), h->tgid, fmt_duration(t->duration_s, w, sizeof(w)),
			   fmt_duration(max, a, sizeof(a)), fmt_duration(p99, b, sizeof(b)));
		const char *reader = worst ? slabinfo_reader_named(t, worst->tgid, worst->comm) : NULL;
		if (worst)
			buf_printf(&s, " The late timer interrupt came in %s (pid %u, tid %u), the likely one that kept "
				       "interrupts off: a pending interrupt runs as soon as they are turned back on, in "
				       "the task that did it.%s",
				   worst->comm, worst->tgid, worst->tid,
				   reader ? " That process reads /proc/slabinfo periodically (irq.slabinfo_reader), "
					    "which counts slab caches with interrupts off." : "");
		else if (all_idle)
			buf_printf(&s, " Every late timer found the CPU idle: no task kept interrupts off; the "
				       "hypervisor (steal) or a deep C-state's exit delayed it.");
		if (steal_covers)
			buf_printf(&s, " The hypervisor did not run this vCPU for %s of the window (steal), more than "
				       "the %s the late timers in tasks add up to: it explains them.",
				   fmt_duration(steal * t->duration_s, a, sizeof(a)),
				   fmt_duration(lt.in_tasks_s, b, sizeof(b)));
		else if (steal >= 0.01)
			buf_printf(&s, " This CPU's steal time was %s of the window: part of the delay may be the "
				       "hypervisor's.", fmt_pct(steal, c, sizeof(c)));
		finding_summary(f, "%s", s.data);
		buf_free(&s);
		finding_num(f, "timers", (double)h->count, U_COUNT, "timer:hrtimer_expire_entry, hard timers (BPF)");
		finding_num(f, "lateness_max", max, U_SECONDS, "hrtimer_expire_entry now - expires");
		finding_num(f, "lateness_p99", p99, U_SECONDS, "hrtimer_expire_entry (log2 bucket edge)");
		finding_num(f, "late_over_threshold", late, U_COUNT, "outlier events at or above --threshold");
		finding_num(f, "stretches", lt.stretches, U_COUNT, "late timers in tasks, overlapping ones counted once");
		if (steal >= 0)
			finding_num(f, "steal_share", steal, U_RATIO, "proc/stat, this CPU");
		char cs[16];
		snprintf(cs, sizeof(cs), "%u", h->tgid);
		finding_subject(f, SUBJ_CPU, cs);
		if (worst)
			finding_process(f, (int)worst->tgid, worst->comm, "running when the late timer fired");
		if (reader)
			finding_remedy(f, "Stop %s reading /proc/slabinfo periodically: take Slab, SReclaimable and SUnreclaim "
					  "from /proc/meminfo instead (see irq.slabinfo_reader).", reader);
		finding_remedy(f, "Find what keeps interrupts off: the task named above and its syscalls (perf trace -p "
				  "PID), long hardirq handlers (irq.hardirq_long), or, on a kernel with the irqsoff "
				  "tracer, a short ftrace irqsoff run outside peak hours.");
		if (all_idle || steal >= 0.01 || steal_covers)
			finding_remedy(f, "Delays with the CPU idle or with steal time come from below the kernel: give the VM "
					  "dedicated CPUs, or limit deep C-states (the cpuidle max_cstate settings) on bare metal.");
		finding_ref(f, "kstall explain irq.irqs_off");
	}
}

/* What reads /proc/slabinfo: one process that opens it again and again
 * (an agent), the processes one parent starts that open it once each (a
 * shell loop of slabtop, a cron job of cat), or, when each comes from a
 * parent of its own, the processes of one name. */
enum slab_by { SLAB_PROCESS, SLAB_PARENT, SLAB_COMMAND };

struct slab_reader {
	enum slab_by by;
	uint32_t pid;          /* the process; of many, the one that opened it last */
	const char *comm;
	uint32_t ppid;         /* SLAB_PARENT */
	const char *pcomm;
	uint64_t opens, procs;
	double period, gap_max; /* mean and longest time between opens; < 0: unknown */
	bool parents_known;    /* SLAB_COMMAND: false from recordings before format 3 */
	char cmds[96];         /* SLAB_PARENT: the names of its processes */
};

static void slab_cost(const struct inputs *in, struct buf *s)
{
	bool bounded = in->host.has_kver && kver_at_least(&in->host.kver, 6, 10);
	buf_printf(s, " To fill it the kernel counts every slab cache's objects, taking each cache's list lock with "
		      "interrupts off on that CPU; with many slabs those stretches delay packets and timers (seed "
		      "003: a monitoring agent's slabinfo reads made ping and request latency jump). %s",
		   !in->host.has_kver ? "The kernel version is unknown, so how long each count runs is too."
		   : bounded ? "This kernel (6.10+) bounds each count at 10,000 partial slabs per node, so the cost "
			       "is capped but not gone."
			     : "This kernel walks each cache's whole partial list (SLUB before 6.10) or every list "
			       "(SLAB): the stretch grows with the slab.");
}

static void slab_text(const struct inputs *in, const struct slab_reader *r, double stretch, struct finding *f)
{
	char a[32], b[32], c[32], d[32], w[32], how[64];
	struct buf s = {0};
	const char *opens = fmt_count((double)r->opens, d, sizeof(d)), *dur = fmt_duration(in->traced->duration_s, w, sizeof(w));
	/* "every 633 ms", or, when no gap was measured, how many */
	if (r->period >= 0)
		snprintf(how, sizeof(how), "every %s", fmt_duration(r->period, a, sizeof(a)));
	else
		snprintf(how, sizeof(how), "%s times in %s", opens, dur);
	if (r->by == SLAB_PROCESS) {
		finding_title(f, "%s (pid %u) reads /proc/slabinfo %s", r->comm, r->pid, how);
		buf_printf(&s, "%s (pid %u) opened /proc/slabinfo %s times in %s", r->comm, r->pid, opens, dur);
	} else if (r->by == SLAB_PARENT) {
		finding_title(f, "%s (pid %u) starts processes that read /proc/slabinfo %s", r->pcomm, r->ppid, how);
		buf_printf(&s, "%s processes started by %s (pid %u: %s) opened /proc/slabinfo %s times in %s",
			   fmt_count((double)r->procs, b, sizeof(b)), r->pcomm, r->ppid, r->cmds, opens, dur);
	} else {
		finding_title(f, "%s processes read /proc/slabinfo %s", r->comm, how);
		buf_printf(&s, "%s %s processes, %s, opened /proc/slabinfo %s times in %s",
			   fmt_count((double)r->procs, b, sizeof(b)), r->comm,
			   r->parents_known ? "started by different parents"
					    : "whose parents are unknown (a recording before format 3)",
			   opens, dur);
	}
	if (r->period >= 0)
		buf_printf(&s, ", on average every %s", fmt_duration(r->period, a, sizeof(a)));
	if (r->gap_max >= 0)
		buf_printf(&s, " (longest gap %s)", fmt_duration(r->gap_max, c, sizeof(c)));
	buf_printf(&s, ".");
	if (r->by != SLAB_PROCESS)
		buf_printf(&s, " Each opened it once or a few times and exited, so none is a periodic reader alone; "
			       "what starts %s is.", r->by == SLAB_PARENT ? "them" : r->comm);
	slab_cost(in, &s);
	if (stretch > 0)
		buf_printf(&s, " A timer interrupt fired %s late in %s: interrupts were off about that long.",
			   fmt_duration(stretch, a, sizeof(a)), r->by == SLAB_PROCESS ? "it" : "one of them");
	else if (stretch == 0)
		buf_printf(&s, " No timer fired late in %s: no stretch with interrupts off was measured.",
			   r->by == SLAB_PROCESS ? "it" : "them");
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

/* Whether a name is the reader's, or one of its group's ("a, b"). */
static bool slab_name_is(const struct slab_reader *r, const char *comm)
{
	if (!strcmp(comm, r->comm))
		return true;
	if (r->by != SLAB_PARENT)
		return false;
	size_t n = strlen(comm);
	for (const char *p = r->cmds; (p = strstr(p, comm)); p += n)
		if ((p == r->cmds || p[-1] == ' ') && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

/* The longest interrupts-off stretch measured in the reader (a late timer
 * that fired in it), -1 when late timers were not traced. */
static double slab_stretch(const struct traced *t, const struct slab_reader *r)
{
	if (!(t->groups & TG_TIMER_LATE))
		return -1;
	double worst = 0;
	for (size_t k = 0; k < t->nevents; k++) {
		const struct tr_event *e = &t->events[k];
		if (e->kind == TR_TIMER_LATE && e->tgid && (e->tgid == r->pid || slab_name_is(r, e->comm)))
			worst = fmax(worst, (double)e->dur_ns / 1e9);
	}
	return worst;
}

static void slab_finding(const struct inputs *in, const struct slab_reader *r, struct findings *out)
{
	/* The opens are the cause; the harm is the stretch with interrupts
	 * off, which the late timers in the reader measure. Before 6.10 the
	 * walk is unbounded, and a stretch of 10 ms in the reader is a
	 * warning; otherwise, a fact. */
	bool bounded = in->host.has_kver && kver_at_least(&in->host.kver, 6, 10);
	double stretch = slab_stretch(in->traced, r);
	struct finding *f = findings_add(out, "irq.slabinfo_reader",
					 !bounded && stretch >= LATE_WARN_MAX_S ? SEV_WARNING : SEV_INFO);
	char role[64], a[32];
	slab_text(in, r, stretch, f);
	if (stretch >= 0)
		finding_num(f, "irqs_off_in_reader_max", stretch, U_SECONDS,
			    "timer:hrtimer_expire_entry lateness, late timers that fired in the reader (BPF)");
	else
		finding_unknown(f, "irqs_off_in_reader_max", U_SECONDS, "timer:hrtimer_expire_entry",
				"late timers were not traced");
	finding_num(f, "opens", (double)r->opens, U_COUNT, "syscalls:sys_exit_openat of /proc/slabinfo (BPF)");
	if (r->by != SLAB_PROCESS) {
		finding_num(f, "processes", (double)r->procs, U_COUNT, "processes that opened it (BPF)");
		if (r->by == SLAB_PARENT)
			finding_str(f, "commands", r->cmds, "their names (comm)");
	}
	if (r->period >= 0)
		finding_num(f, "period_mean", r->period, U_SECONDS, "time between opens");
	if (r->gap_max >= 0)
		finding_num(f, "period_max", r->gap_max, U_SECONDS, "time between opens");
	uint64_t slab;
	if (meminfo_bytes(&in->cur, "Slab", &slab) == 0)
		finding_num(f, "slab_bytes", (double)slab, U_BYTES, "proc/meminfo Slab");
	if (r->by == SLAB_PARENT)
		finding_process(f, (int)r->ppid, r->pcomm, "parent of the readers");
	if (r->by == SLAB_PROCESS) {
		finding_process(f, (int)r->pid, r->comm, "reader");
	} else {
		snprintf(role, sizeof(role), "reader, the latest of %s", fmt_count((double)r->procs, a, sizeof(a)));
		finding_process(f, (int)r->pid, r->comm, role);
	}
	if (r->by == SLAB_PARENT)
		finding_remedy(f, "Find what %s (pid %u) runs (its script, crontab or agent settings; `ps --ppid %u`) "
				  "and have it take Slab, SReclaimable and SUnreclaim from /proc/meminfo instead of "
				  "running %s.", r->pcomm, r->ppid, r->ppid, r->cmds);
	else if (r->by == SLAB_COMMAND)
		finding_remedy(f, "Find what runs %s (its parents differ: a cron job or a wrapper script) and have it "
				  "read /proc/meminfo instead.", r->comm);
	finding_remedy(f, "Collect Slab, SReclaimable and SUnreclaim from /proc/meminfo instead: they are kept "
			  "as counters and cost nothing to read.");
	finding_remedy(f, "If per-cache figures are needed, read them rarely (minutes apart, not seconds), and "
			  "never from every host at once; on 2.6.32-era kernels slabinfo is readable by every "
			  "user (mode 0644; later 0400), so unprivileged agents can do this too.");
	finding_ref(f, "kstall explain irq.slabinfo_reader");
}

/* What one process counted: an entry of the lookups (live tracing,
 * recordings of format 3 on: its parent and times known; a group of
 * exited processes, too), or a histogram per process of the times
 * between its opens (older recordings; extra1: opens with no earlier
 * one). */
struct slab_src {
	uint32_t pid, ppid;
	const char *comm, *pcomm;
	bool has_parent; /* ppid, pcomm, first and last known */
	uint64_t opens, procs;
	double first, last, period, gap_max; /* period, gap_max < 0: unknown */
	bool claimed;
};

static struct slab_src slab_src_lookup(const struct tr_lookup *l)
{
	return (struct slab_src){.pid = l->tgid, .ppid = l->ppid, .comm = l->comm, .pcomm = l->pcomm[0] ? l->pcomm : "?",
				 .has_parent = true, .opens = l->slab_opens, .procs = l->slab_procs,
				 .first = l->slab_first_s, .last = l->slab_last_s, .gap_max = l->slab_gap_max_s,
				 .period = l->slab_opens > 1 ? (l->slab_last_s - l->slab_first_s) / (double)(l->slab_opens - 1)
							     : -1};
}

static struct slab_src slab_src_hist(const struct tr_hist *h)
{
	uint64_t gaps = h->count > h->extra1 ? h->count - h->extra1 : 0;
	return (struct slab_src){.pid = h->tgid, .comm = h->comm, .opens = h->count, .procs = 1,
				 .period = gaps ? (double)h->sum_ns / 1e9 / (double)gaps : -1,
				 .gap_max = gaps ? (double)h->max_ns / 1e9 : -1};
}

static int slab_by_parent(const void *x, const void *y)
{
	const struct slab_src *a = x, *b = y;
	if (a->has_parent != b->has_parent)
		return a->has_parent ? -1 : 1;
	return (a->ppid > b->ppid) - (a->ppid < b->ppid);
}

static int slab_by_name(const void *x, const void *y)
{
	return strncmp(((const struct slab_src *)x)->comm, ((const struct slab_src *)y)->comm, 16);
}

/* The unclaimed sources c[0..n) of one key, together: a reader (and
 * claimed) if two or more processes opened it SLABINFO_MIN_OPENS times. */
static void slab_many(const struct inputs *in, struct slab_src *c, size_t n, enum slab_by by, struct findings *out)
{
	struct slab_reader r = {.by = by, .gap_max = -1, .ppid = c[0].ppid, .pcomm = c[0].pcomm};
	double first = -1, last = -1;
	bool times = true;
	for (size_t i = 0; i < n; i++) {
		const struct slab_src *x = &c[i];
		if (x->claimed || (by == SLAB_PARENT && !x->has_parent))
			continue;
		r.opens += x->opens, r.procs += x->procs, times &= x->has_parent;
		if (first < 0 || x->first < first)
			first = x->first;
		if (x->last >= last || !r.comm)
			last = x->last, r.pid = x->pid, r.comm = x->comm;
		if (by == SLAB_PARENT && !strstr(r.cmds, x->comm) && strlen(r.cmds) + strlen(x->comm) + 3 < sizeof(r.cmds))
			snprintf(r.cmds + strlen(r.cmds), sizeof(r.cmds) - strlen(r.cmds), "%s%s", r.cmds[0] ? ", " : "", x->comm);
	}
	if (r.procs < 2 || r.opens < SLABINFO_MIN_OPENS)
		return;
	for (size_t i = 0; i < n; i++)
		c[i].claimed = c[i].claimed || by != SLAB_PARENT || c[i].has_parent;
	r.period = times ? (last - first) / (double)(r.opens - 1) : -1;
	r.parents_known = times;
	slab_finding(in, &r, out);
}

/* Sorted by cmp, each run of one key as slab_many. */
static void slab_groups(const struct inputs *in, struct slab_src *c, size_t n, int (*cmp)(const void *, const void *),
			enum slab_by by, struct findings *out)
{
	if (n > 1)
		qsort(c, n, sizeof(*c), cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && !cmp(&c[i], &c[j]); j++)
			;
		slab_many(in, c + i, j - i, by, out);
	}
}

static void slabinfo_reader(const struct inputs *in, const struct traced *t, struct findings *out)
{
	struct slab_src *c = xcalloc(t->nlookups + t->nhists + 1, sizeof(*c));
	size_t n = 0;
	for (size_t i = 0; i < t->nhists; i++)
		if (t->hists[i].kind == TR_SLABINFO)
			c[n++] = slab_src_hist(&t->hists[i]);
	for (size_t i = 0; i < t->nlookups; i++)
		if (t->lookups[i].known && t->lookups[i].slab_opens)
			c[n++] = slab_src_lookup(&t->lookups[i]);
	/* One process (or a group of one that exited) opening it again and
	 * again is the reader itself. */
	for (size_t i = 0; i < n; i++) {
		if (c[i].procs > 1 || c[i].opens < SLABINFO_MIN_OPENS)
			continue;
		struct slab_reader r = {.by = SLAB_PROCESS, .pid = c[i].pid, .comm = c[i].comm, .opens = c[i].opens,
					.procs = 1, .period = c[i].period, .gap_max = c[i].gap_max};
		slab_finding(in, &r, out);
		c[i].claimed = true;
	}
	/* The rest, by the parent that starts them, then by name. */
	slab_groups(in, c, n, slab_by_parent, SLAB_PARENT, out);
	slab_groups(in, c, n, slab_by_name, SLAB_COMMAND, out);
	free(c);
}

static int run_live(const struct inputs *in, struct findings *out, struct skips *skips UNUSED)
{
	const struct traced *t = in->traced;
	if (t->duration_s <= 0)
		return DETECT_SKIPPED;
	if (t->groups & TG_SOFTIRQ)
		softirq_long(t, out);
	if (t->groups & TG_HARDIRQ)
		hardirq_long(t, out);
	if (t->groups & TG_KSOFTIRQD)
		ksoftirqd_latency(t, out);
	if (t->groups & TG_TIMER_LATE)
		irqs_off(in, t, out);
	if (t->groups & TG_LOOKUPS)
		slabinfo_reader(in, t, out);
	return DETECT_RAN;
}

const struct detector detector_irq_live = {
	.name = "irq_live",
	.ids = live_ids,
	.needs = NEED_BPF,
	.run = run_live,
	.traces = (const struct detector_trace[]){
		{"irq.softirq_long", .groups_all = TG_SOFTIRQ},
		{"irq.hardirq_long", .groups_all = TG_HARDIRQ},
		{"irq.ksoftirqd_latency", .groups_all = TG_KSOFTIRQD},
		{"irq.irqs_off", .groups_all = TG_TIMER_LATE},
		/* Its opens come through the failed-lookup programs. */
		{"irq.slabinfo_reader", .groups_all = TG_LOOKUPS},
		/* Not a finding: why the kernel's own irqsoff tracers are not used. */
		{"irq.irqs_off_tracers", .note_of = TG_TIMER_LATE,
		 .note_then = "irq.irqs_off measures interrupts-off stretches from hard-timer lateness instead"},
		/* Not a finding either: steal left in the interrupt times. */
		{"irq.interrupt_steal", .note_of = TG_SOFTIRQ | TG_HARDIRQ,
		 .note_then = "irq.softirq_long and irq.hardirq_long may then name the hypervisor's delay"},
		{0},
	},
};
