/* The interrupt detectors (irq.*): the seed-003 host as a snapshot tree
 * built by hand, live findings from tracer data built by hand, and what
 * each finding does when one of its files is missing. The seed-003
 * scenario on the real kernel is test_rps.c (root, network namespaces). */
#include "detectutil.h"
#include "render/render.h"
#include "trace/trace.h"

#include <json-c/json.h>

/* Seed 003 as a snapshot tree built by hand: two samples 1 s apart of a
 * 2-CPU host. cpu0/cpu1 spend `idle` ticks of 100 idle, cpu0 25 and cpu1
 * 8 in softirq; 30,000 function-call IPIs/s each, 20,000 of them RPS's
 * (received_rps), and `drops`/s are dropped on cpu0. */
static void irq_sample(const char *dir, const char *pre, int k, int idle, unsigned drops, const char *rps)
{
	char rel[256];
	_cleanup_free_ char *stat = xasprintf(
		"cpu  %d 0 %d %d 0 0 %d 0 0 0\n"
		"cpu0 %d 0 %d %d 0 0 %d 0 0 0\n"
		"cpu1 %d 0 %d %d 0 0 %d 0 0 0\n",
		k * (170 - 2 * idle), k * 20, k * 2 * idle, k * 33,
		k * (65 - idle), k * 10, k * idle, k * 25, k * (82 - idle), k * 10, k * idle, k * 8);
	_cleanup_free_ char *softirqs = xasprintf(
		"                    CPU0       CPU1\n"
		"       TIMER:       %d       %d\n"
		"      NET_RX:       %d       %d\n", k * 1000, k * 1000, k * 40000, k * 9000);
	_cleanup_free_ char *interrupts = xasprintf(
		"           CPU0       CPU1\n"
		" 24:       %d          0   PCI-MSI 1-edge      eth0-rx-0\n"
		"RES:       %d       %d   Rescheduling interrupts\n"
		"CAL:       %d       %d   Function call interrupts\n"
		"TLB:       %d       %d   TLB shootdowns\n",
		k * 20000, k * 100, k * 100, k * 30000, k * 30000, k * 10, k * 10);
	_cleanup_free_ char *softnet = xasprintf(
		"%08x %08x %08x 00000000 00000000 00000000 00000000 00000000 00000000 %08x 00000000 00000000 00000000\n"
		"%08x 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 %08x 00000000 00000000 00000001\n",
		(unsigned)(k * 60000), (unsigned)k * drops, (unsigned)(k * 50), (unsigned)(k * 20000),
		(unsigned)(k * 20000), (unsigned)(k * 20000));
	_cleanup_free_ char *uptime = xasprintf("%d.00 1.00\n", 1000 + k);
	const char *files[][2] = {{"proc/stat", stat}, {"proc/softirqs", softirqs}, {"proc/interrupts", interrupts},
				  {"proc/net/softnet_stat", softnet}, {"proc/uptime", uptime}};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(rel, sizeof(rel), "%s%s", pre, files[i][0]);
		put(dir, rel, files[i][1]);
	}
	if (!*pre) {
		put(dir, "sys/class/net/eth0/queues/rx-0/rps_cpus", rps);
		put(dir, "sys/class/net/eth0/queues/tx-0/xps_cpus", "0\n");
		put(dir, "proc/sys/net/core/netdev_max_backlog", "1000\n");
		put(dir, "proc/irq/24/smp_affinity", "1\n");
	}
}

static void irq_files(const char *dir, int idle, unsigned drops, const char *rps)
{
	irq_sample(dir, "kstall/sample0/", 1000, idle, drops, rps);
	irq_sample(dir, "", 1001, idle, drops, rps);
	put(dir, "kstall/meta", "kstall_snapshot_version=1\ninterval_s=1\nt0=1000\nt1=1001\nuser_hz=100\n");
}

static void irq_tree(const char *dir, int idle, unsigned drops, const char *rps, struct run *r)
{
	irq_files(dir, idle, drops, rps);
	run_tree(dir, r);
	if (r->in.nerrors)
		fail_msg("%s: %s", r->in.errors[0].file, r->in.errors[0].msg);
}

/* A metric's value on one CPU; -1 if that CPU is not listed. */
static double on_cpu(const struct metric *m, int cpu)
{
	for (size_t i = 0; i < m->nper_cpu; i++)
		if (m->per_cpu[i].cpu == cpu)
			return m->per_cpu[i].v;
	return -1;
}

/* The per-CPU breakdowns of the seed-003 tree, and the queue and IRQ
 * settings in the JSON document. */
static void check_irq_breakdowns(struct run *r)
{
	const struct metric *m = metric_of(r, "softirq.NET_RX");
	assert_true(m->value == 49000 && on_cpu(m, 0) == 40000 && on_cpu(m, 1) == 9000);
	m = metric_of(r, "softirq.TIMER");
	assert_true(on_cpu(m, 0) == 1000 && on_cpu(m, 1) == 1000);
	m = metric_of(r, "interrupts.24");
	assert_true(m->value == 20000 && on_cpu(m, 0) == 20000);
	assert_true(on_cpu(m, 1) == -1); /* no events there: not listed */
	assert_string_equal(m->desc, "PCI-MSI 1-edge eth0-rx-0");
	m = metric_of(r, "interrupts.CAL");
	assert_true(on_cpu(m, 0) == 30000 && on_cpu(m, 1) == 30000);
	m = metric_of(r, "cpu.softirq_share");
	assert_true(fabs(on_cpu(m, 0) - 0.25) < 1e-9 && fabs(on_cpu(m, 1) - 0.08) < 1e-9);
	m = metric_of(r, "cpu.idle_share");
	assert_true(fabs(on_cpu(m, 0) - 0.02) < 1e-9);
	m = metric_of(r, "softnet.received_rps");
	assert_true(m->value == 40000 && on_cpu(m, 0) == 20000 && on_cpu(m, 1) == 20000);

	struct report rep = {.in = &r->in, .findings = r->f, .skips = r->s, .metrics = r->m};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(render_json(f, &rep), 0);
	fclose(f);
	json_object *doc = json_tokener_parse(buf), *host = json_object_object_get(doc, "host");
	assert_non_null(doc);
	json_object *q = json_object_array_get_idx(json_object_object_get(host, "net_queues"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(q, "interface")), "eth0");
	assert_string_equal(json_object_get_string(json_object_object_get(q, "queue")), "rx-0");
	assert_string_equal(json_object_get_string(json_object_object_get(q, "rps_cpus")), "0-1");
	q = json_object_array_get_idx(json_object_object_get(host, "net_queues"), 1);
	assert_string_equal(json_object_get_string(json_object_object_get(q, "xps_cpus")), ""); /* mask 0 */
	json_object *a = json_object_array_get_idx(json_object_object_get(host, "irq_affinity"), 0);
	assert_int_equal(json_object_get_int(json_object_object_get(a, "irq")), 24);
	assert_string_equal(json_object_get_string(json_object_object_get(a, "cpus")), "0");
	assert_string_equal(json_object_get_string(json_object_object_get(a, "device")), "PCI-MSI 1-edge eth0-rx-0");
	json_object *pc = json_object_object_get(json_object_object_get(json_object_object_get(doc, "metrics"),
									    "softirq.NET_RX"), "per_cpu");
	assert_true(json_object_get_double(json_object_object_get(pc, "0")) == 40000);
	json_object_put(doc);
	free(buf);
}

/* A hotspot is an imbalance (issue 16): redis-benchmark on loopback had
 * both CPUs at 24% in softirqs, an even split, and on 2 CPUs one of them
 * always holds half of all softirq time: nothing. The seed's 25% against
 * 8% stays one (test_seed003_irq). */
static void test_even_softirq_split_is_no_hotspot(void **state UNUSED)
{
	struct run r;
	_cleanup_free_ char *dir = xasprintf("%s/irq-even", tmpdir);
	irq_files(dir, 20, 0, "0\n");
	for (int k = 1000; k <= 1001; k++) {
		_cleanup_free_ char *stat = xasprintf("cpu  %d 0 %d %d 0 0 %d 0 0 0\n"
						      "cpu0 %d 0 %d %d 0 0 %d 0 0 0\n"
						      "cpu1 %d 0 %d %d 0 0 %d 0 0 0\n",
						      k * 92, k * 20, k * 40, k * 48, k * 46, k * 10, k * 20, k * 24,
						      k * 46, k * 10, k * 20, k * 24);
		put(dir, k == 1000 ? "kstall/sample0/proc/stat" : "proc/stat", stat);
	}
	run_tree(dir, &r);
	const struct metric *m = metric_of(&r, "cpu.softirq_share");
	assert_non_null(m);
	assert_true(fabs(on_cpu(m, 0) - 0.24) < 1e-9 && fabs(on_cpu(m, 1) - 0.24) < 1e-9);
	assert_null(find(&r, "irq.softirq_hotspot"));
	run_free(&r);
}

static void test_seed003_irq(void **state UNUSED)
{
	struct run r;
	_cleanup_free_ char *busy = xasprintf("%s/irq-busy", tmpdir);
	irq_tree(busy, 2, 200, "3\n", &r);
	assert_int_equal(r.in.mode, WINDOW_INTERVAL);
	const struct finding *f = find(&r, "irq.rps_on_busy_host");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL); /* 2% idle, 40,000 RPS IPIs/s */
	assert_string_equal(finding_evidence(f, "interface")->str, "eth0");
	assert_string_equal(finding_evidence(f, "rps_cpus")->str, "0-1");
	assert_true(fabs(ev(f, "target_idle_share") - 0.02) < 1e-9);
	assert_true(ev(f, "target_cal_ipis") == 60000);
	assert_true(ev(f, "rps_received") == 40000);
	assert_int_equal(f->subj[0].kind, SUBJ_INTERFACE);

	f = find(&r, "irq.softirq_hotspot");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING); /* cpu0: 25% of its time, 76% of all softirq time */
	assert_true(ev(f, "cpu") == 0);
	assert_string_equal(finding_evidence(f, "top_vector")->str, "NET_RX");
	assert_string_equal(finding_evidence(f, "top_irq_line")->str, "24");
	assert_string_equal(finding_evidence(f, "top_irq_affinity")->str, "0");

	f = find(&r, "irq.ipi_storm");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING); /* 30,010/s on a CPU 2% idle */
	assert_non_null(strstr(f->summary, "RPS"));
	assert_true(fabs(ev(f, "top_cpu_idle_share") - 0.02) < 1e-9);
	assert_true(fabs(ev(f, "top_cpu_ipi_share_min") - 0.03001) < 1e-9);

	f = find(&r, "irq.softnet_drops");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL); /* 200 drops/s */
	assert_true(ev(f, "dropped") == 200);
	assert_true(ev(f, "netdev_max_backlog") == 1000);
	check_irq_breakdowns(&r);
	run_free(&r);

	/* RPS off: no RPS finding (the rest stays). */
	_cleanup_free_ char *off = xasprintf("%s/irq-off", tmpdir);
	irq_tree(off, 2, 0, "0\n", &r);
	assert_null(find(&r, "irq.rps_on_busy_host"));
	f = find(&r, "irq.softnet_drops"); /* no drops, 50 squeezes/s: info */
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_true(ev(f, "time_squeeze") == 50);
	run_free(&r);

	/* RPS on, CPUs with headroom (45% idle): fine. */
	_cleanup_free_ char *idle = xasprintf("%s/irq-idle", tmpdir);
	irq_tree(idle, 45, 0, "3\n", &r);
	assert_null(find(&r, "irq.rps_on_busy_host"));
	/* 30,000 IPIs/s on a CPU 45% idle took idle time, not work: a fact. */
	f = find(&r, "irq.ipi_storm");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_true(fabs(ev(f, "top_cpu_idle_share") - 0.45) < 1e-9);
	assert_non_null(strstr(f->summary, "Taken from idle time, not from work"));
	run_free(&r);
}

/* irq.ipi_storm's level follows what the IPIs can take from work: a
 * 2-CPU host whose cpu0 is `idle` percent idle and takes `cal`
 * function-call IPIs/s, two samples 1 s apart. */
static void ipi_tree(const char *dir, int idle, unsigned cal, struct run *r)
{
	for (int k = 1; k <= 2; k++) {
		const char *pre = k == 1 ? "kstall/sample0/" : "";
		_cleanup_free_ char *stat = xasprintf("cpu  %d 0 0 %d 0 0 0 0 0 0\n"
						      "cpu0 %d 0 0 %d 0 0 0 0 0 0\n"
						      "cpu1 %d 0 0 %d 0 0 0 0 0 0\n",
						      k * (200 - idle - 50), k * (idle + 50), k * (100 - idle), k * idle,
						      k * 50, k * 50);
		_cleanup_free_ char *intr = xasprintf("           CPU0       CPU1\n"
						      "CAL:       %u       %u   Function call interrupts\n"
						      "TLB:       0          0   TLB shootdowns\n",
						      k * cal, k * 100);
		const char *files[][2] = {
			{"proc/stat", stat}, {"proc/interrupts", intr}, {"proc/uptime", k == 1 ? "1000.00 1.00\n" : "1001.00 1.00\n"}};
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			_cleanup_free_ char *rel = xasprintf("%s%s", pre, files[i][0]);
			put(dir, rel, files[i][1]);
		}
	}
	put(dir, "kstall/meta", "kstall_snapshot_version=1\ninterval_s=1\nt0=1000\nt1=1001\nuser_hz=100\n");
	run_tree(dir, r);
	if (r->in.nerrors)
		fail_msg("%s: %s", r->in.errors[0].file, r->in.errors[0].msg);
}

static void test_ipi_storm_severity_follows_headroom(void **state UNUSED)
{
	static const struct {
		int idle;
		unsigned cal;
		int sev; /* -1: no finding */
	} cases[] = {
		/* fio's 4 KiB random reads on a virtio disk here: 21.2 k
		 * completion IPIs/s to the submitting CPU, which had idle time
		 * (iowait): raised as a warning on ordinary load, a fact now. */
		{40, 21200, SEV_INFO},
		{40, 19000, -1},
		{5, 19000, -1},
		{5, 21200, SEV_WARNING},  /* at least 2% of a CPU with no idle to give */
		{40, 55000, SEV_WARNING}, /* at least 5% of the CPU, idle or not */
		{40, 120000, SEV_CRITICAL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct run r;
		_cleanup_free_ char *d = xasprintf("%s/ipi-%zu", tmpdir, i);
		ipi_tree(d, cases[i].idle, cases[i].cal, &r);
		const struct finding *f = find(&r, "irq.ipi_storm");
		if (cases[i].sev < 0) {
			assert_null(f);
		} else {
			assert_non_null(f);
			if ((int)f->severity != cases[i].sev)
				fail_msg("case %zu: %u IPIs/s, %d%% idle: severity %d, want %d", i, cases[i].cal,
					 cases[i].idle, f->severity, cases[i].sev);
			assert_true(ev(f, "top_cpu") == 0);
			assert_true(fabs(ev(f, "top_cpu_idle_share") - cases[i].idle / 100.0) < 1e-9);
		}
		run_free(&r);
	}
}

/* irq.rps_on_busy_host's severity follows RPS's measured cost (issue 16):
 * a host described per CPU by its time shares (in hundredths of a
 * percent), the RPS IPIs it received and the packets it processed per
 * second, RPS on eth0 to every CPU, two samples 1 s apart. */
struct rps_cpu {
	int user, system, softirq, idle; /* 1/100 % of the CPU's time */
	unsigned received, processed;    /* per second */
};

static void rps_tree(const char *dir, const struct rps_cpu *c, size_t n, struct run *r)
{
	for (int k = 1; k <= 2; k++) {
		const char *pre = k == 1 ? "kstall/sample0/" : "";
		struct buf stat = {0}, net = {0}, rel = {0};
		int all[4] = {0};
		for (size_t i = 0; i < n; i++)
			all[0] += c[i].user, all[1] += c[i].system, all[2] += c[i].softirq, all[3] += c[i].idle;
		buf_printf(&stat, "cpu  %d 0 %d %d 0 0 %d 0 0 0\n", k * all[0], k * all[1], k * all[3], k * all[2]);
		for (size_t i = 0; i < n; i++) {
			buf_printf(&stat, "cpu%zu %d 0 %d %d 0 0 %d 0 0 0\n", i, k * c[i].user, k * c[i].system,
				   k * c[i].idle, k * c[i].softirq);
			buf_printf(&net, "%08x 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
					 "%08x 00000000 00000000 %08zx\n", k * c[i].processed, k * c[i].received, i);
		}
		buf_printf(&rel, "%sproc/stat", pre);
		put(dir, rel.data, stat.data);
		rel.len = 0;
		buf_printf(&rel, "%sproc/net/softnet_stat", pre);
		put(dir, rel.data, net.data);
		rel.len = 0;
		buf_printf(&rel, "%sproc/uptime", pre);
		put(dir, rel.data, k == 1 ? "1000.00 1.00\n" : "1001.00 1.00\n");
		buf_free(&stat), buf_free(&net), buf_free(&rel);
	}
	put(dir, "sys/class/net/eth0/queues/rx-0/rps_cpus", n == 2 ? "3\n" : "f\n");
	put(dir, "kstall/meta", "kstall_snapshot_version=1\ninterval_s=1\nt0=1000\nt1=1001\nuser_hz=100\n");
	run_tree(dir, r);
	if (r->in.nerrors)
		fail_msg("%s: %s", r->in.errors[0].file, r->in.errors[0].msg);
}

static void test_rps_severity_follows_cost(void **state UNUSED)
{
	struct run r;
	const struct finding *f;

	/* Measured here (udpflood over a veth into a namespace, both CPUs
	 * busy, RPS to both): 0% idle, 28.5% and 13% softirq, 13,652 RPS
	 * IPIs/s for 67,408 packets/s (0.20 per packet, batched); the
	 * receiver got 44.6 k datagrams/s against 43.9 k without RPS, a few
	 * percent. It was critical (softirq >= 10% on CPUs under 5% idle): a
	 * warning now, RPS's batches amortising its interrupts. */
	_cleanup_free_ char *d1 = xasprintf("%s/rps-batched", tmpdir);
	const struct rps_cpu batched[] = {{6600, 550, 2850, 0, 13652, 67407}, {6800, 1900, 1300, 0, 0, 1}};
	rps_tree(d1, batched, 2, &r);
	f = find(&r, "irq.rps_on_busy_host");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_true(fabs(ev(f, "rps_ipis_per_packet") - 13652.0 / 67408) < 1e-9);
	assert_true(ev(f, "rps_ipis_per_target_cpu") == 13652.0 / 2);
	assert_non_null(strstr(f->summary, "batched"));
	run_free(&r);

	/* The same host with little steering (417 IPIs/s, 6% softirq): a fact
	 * worth knowing, not harm. */
	_cleanup_free_ char *d2 = xasprintf("%s/rps-cheap", tmpdir);
	const struct rps_cpu cheap[] = {{7400, 1500, 1100, 0, 417, 76051}, {9050, 850, 100, 0, 0, 1}};
	rps_tree(d2, cheap, 2, &r);
	f = find(&r, "irq.rps_on_busy_host");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_non_null(strstr(f->summary, "Little for the application now"));
	assert_true(fabs(ev(f, "rps_ipis_per_target_cpu") - 208.5) < 1e-9);
	run_free(&r);

	/* Seed 003 after RPS was turned on (its mpstat: 4.9% idle, 11.2%
	 * softirq over 4 CPUs; dstat: 22 k more interrupts/s; 7.1 MB/s
	 * received, about 30 k packets/s at ~240 bytes, an estimate: the seed
	 * gives bytes): critical. */
	_cleanup_free_ char *d3 = xasprintf("%s/rps-seed", tmpdir);
	const struct rps_cpu seed[] = {{6817, 1833, 767, 583, 5500, 7500},
				       {6057, 1581, 2080, 282, 5500, 7500},
				       {6995, 1920, 701, 384, 5500, 7500},
				       {6639, 1764, 899, 698, 5500, 7500}};
	rps_tree(d3, seed, 4, &r);
	f = find(&r, "irq.rps_on_busy_host");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_true(ev(f, "target_idle_share") < 0.05);
	assert_true(ev(f, "rps_ipis_per_target_cpu") == 5500);
	assert_true(fabs(ev(f, "rps_ipis_per_packet") - 5500.0 / 7500) < 1e-9);
	run_free(&r);
}

/* Live interrupt findings from tracer data built by hand: per CPU
 * histograms of softirq runs, raise-to-run waits and hardirq runs. */
static void add_irq(struct traced *t, unsigned kind, uint32_t cpu, uint64_t detail, uint64_t count, uint64_t max_ns)
{
	ARRAY_GROW(t->hists, t->nhists, t->caphists);
	struct tr_hist *h = &t->hists[t->nhists++];
	*h = (struct tr_hist){.tgid = cpu, .kind = kind, .detail = detail, .count = count, .sum_ns = count * 10000,
			      .max_ns = max_ns};
	h->slots[3] = count; /* 8-16 us: p99 there */
	snprintf(h->comm, sizeof(h->comm), "virtio0-input");
}

static const struct finding *live_irq(struct traced *t, const char *id, struct findings *f)
{
	struct inputs in = {0};
	struct skips s = {0};
	in.traced = t;
	t->groups = TG_SOFTIRQ | TG_HARDIRQ | TG_KSOFTIRQD;
	t->duration_s = 5;
	view_update(&in);
	detect_all(&in, 0, f, &s);
	skips_free(&s);
	inputs_free(&in);
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, id))
			return &f->v[i];
	return NULL;
}

static void test_live_irq_thresholds(void **state UNUSED)
{
	struct traced t = {0};
	struct findings f = {0};

	/* A normal flood (FIELD-NOTES-sized): 217 us at worst. Nothing. */
	add_irq(&t, TR_SOFTIRQ, 1, 3, 143041, 217400);
	add_irq(&t, TR_SOFTIRQ_LAT, 1, 3, 143041, 1054400);
	add_irq(&t, TR_HARDIRQ, 0, 42, 5000, 12000);
	assert_null(live_irq(&t, "irq.softirq_long", &f));
	for (size_t i = 0; i < f.n; i++)
		assert_string_not_equal(f.v[i].id, "irq.hardirq_long");
	findings_free(&f);
	traced_free(&t);

	/* NET_RX runs of 12 ms on CPU 1: warning; a TIMER softirq waiting
	 * 150 ms: critical; a hardirq handler of 60 ms: critical. */
	t = (struct traced){0};
	add_irq(&t, TR_SOFTIRQ, 1, 3, 1000, 12000000);
	add_irq(&t, TR_SOFTIRQ_LAT, 0, 1, 500, 150000000);
	add_irq(&t, TR_HARDIRQ, 0, 42, 50, 60000000);
	const struct finding *x = live_irq(&t, "irq.softirq_long", &f);
	assert_non_null(x);
	size_t nsoft = 0;
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].id, "irq.softirq_long")) {
			nsoft++;
			const char *vec = finding_evidence(&f.v[i], "vector")->str;
			if (!strcmp(vec, "NET_RX")) {
				assert_int_equal(f.v[i].severity, SEV_WARNING);
				assert_true(fabs(ev(&f.v[i], "run_max") - 0.012) < 1e-12);
				assert_true(ev(&f.v[i], "run_p99") <= ev(&f.v[i], "run_max"));
				assert_string_equal(f.v[i].subj[0].name, "1");
			} else {
				assert_string_equal(vec, "TIMER");
				assert_int_equal(f.v[i].severity, SEV_CRITICAL);
				assert_true(fabs(ev(&f.v[i], "wait_max") - 0.150) < 1e-12);
			}
		}
	assert_int_equal(nsoft, 2);
	x = NULL;
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].id, "irq.hardirq_long"))
			x = &f.v[i];
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_CRITICAL);
	assert_string_equal(finding_evidence(x, "handler")->str, "virtio0-input");
	findings_free(&f);
	traced_free(&t);

	/* ksoftirqd/1 woken and waiting 30 ms behind a busy loop while a
	 * NET_RX softirq there waited 25 ms to run: a warning naming what ran
	 * before it; 87 us (a flood here): nothing. */
	t = (struct traced){0};
	add_irq(&t, TR_KSOFTIRQD, 1, 0, 62, 30000000);
	add_irq(&t, TR_KSOFTIRQD, 0, 0, 40, 87000);
	add_irq(&t, TR_SOFTIRQ_LAT, 1, 3, 900, 25000000);
	ARRAY_GROW(t.events, t.nevents, t.capevents);
	t.events[t.nevents++] = (struct tr_event){.kind = TR_KSOFTIRQD, .tid = 900, .tgid = 900, .dur_ns = 30000000,
						  .extra1 = 1, .extra2 = 22};
	snprintf(t.events[0].comm, sizeof(t.events[0].comm), "busyloop");
	x = live_irq(&t, "irq.ksoftirqd_latency", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_string_equal(x->subj[0].name, "1");
	assert_true(finding_evidence(x, "softirq_wait_max")->num == 0.025);
	assert_string_equal(finding_evidence(x, "ran_before_it")->str, "busyloop");
	assert_non_null(strstr(x->summary, "busyloop (1 time)"));
	size_t nk = 0;
	for (size_t i = 0; i < f.n; i++)
		nk += !strcmp(f.v[i].id, "irq.ksoftirqd_latency");
	assert_int_equal(nk, 1);
	findings_free(&f);
	traced_free(&t);
}

/* One softirq run of 12 ms among short ones, told by its outlier event,
 * is a blip (beside fio on this VM: one BLOCK run of 12.5 ms, p99 32
 * us): information. Two such runs are a warning, on one CPU or on two;
 * so is one the events cannot confirm alone (lost events). */
static void test_live_one_long_softirq_is_a_blip(void **state UNUSED)
{
	for (int runs = 1; runs <= 3; runs++) {
		struct traced t = {.threshold_ms = 10, .duration_s = 8};
		struct findings f = {0};
		add_irq(&t, TR_SOFTIRQ, 1, 4, 5000, 12500000); /* BLOCK on CPU 1 */
		for (int k = 0; k < (runs == 3 ? 1 : runs); k++) {
			ARRAY_GROW(t.events, t.nevents, t.capevents);
			t.events[t.nevents++] = (struct tr_event){.kind = TR_SOFTIRQ, .dur_ns = 12500000 - k,
								  .detail = 4, .extra1 = 1, .t_s = k};
		}
		/* an event of another vector, or a shorter one, counts for nothing */
		ARRAY_GROW(t.events, t.nevents, t.capevents);
		t.events[t.nevents++] = (struct tr_event){.kind = TR_SOFTIRQ, .dur_ns = 20000000, .detail = 3, .extra1 = 1};
		ARRAY_GROW(t.events, t.nevents, t.capevents);
		t.events[t.nevents++] = (struct tr_event){.kind = TR_SOFTIRQ, .dur_ns = 9000000, .detail = 4, .extra1 = 1};
		if (runs == 3)
			t.ringbuf_lost = 1;
		const struct finding *x = live_irq(&t, "irq.softirq_long", &f);
		assert_non_null(x);
		assert_int_equal(x->severity, runs == 1 ? SEV_INFO : SEV_WARNING);
		if (runs < 3)
			assert_true(ev(x, "runs_over_10ms") == runs);
		findings_free(&f);
		traced_free(&t);
	}
	/* One such run on each of two CPUs: two, a warning. */
	struct traced t = {.threshold_ms = 10, .duration_s = 8};
	struct findings f = {0};
	add_irq(&t, TR_SOFTIRQ, 0, 4, 5000, 40000000);
	add_irq(&t, TR_SOFTIRQ, 1, 4, 5000, 40000000);
	for (uint64_t cpu = 0; cpu < 2; cpu++) {
		ARRAY_GROW(t.events, t.nevents, t.capevents);
		t.events[t.nevents++] = (struct tr_event){.kind = TR_SOFTIRQ, .dur_ns = 40000000, .detail = 4, .extra1 = cpu};
	}
	const struct finding *x = live_irq(&t, "irq.softirq_long", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	findings_free(&f);
	traced_free(&t);
}

/* A histogram of count runs all in the log2 bucket of us microseconds. */
static void add_irq_at(struct traced *t, unsigned kind, uint64_t count, unsigned slot, uint64_t max_ns)
{
	add_irq(t, kind, 1, kind == TR_HARDIRQ ? 42 : 3, count, max_ns);
	struct tr_hist *h = &t->hists[t->nhists - 1];
	h->slots[3] = 0;
	h->slots[slot] = count;
}

/* A percentile needs its samples, and a bucket edge is not a
 * measurement (issue 16's false alarms): 2 hardirq runs of 1 ms, 3
 * ksoftirqd wakeups of up to 3 ms, 30 softirq runs of 2 ms, each with its
 * p99 at the maximum, raise nothing; 200 runs whose p99 bucket starts at
 * the threshold do, as information: runs of 2 or 3 ms are not harm a user
 * notices (a warning needs one of 10 ms). */
static void test_live_irq_percentile_needs_samples(void **state UNUSED)
{
	static const struct {
		unsigned kind;
		const char *id;
		unsigned slot; /* 2^slot us: the bucket at the id's p99 threshold */
		uint64_t max_ns;
		enum severity sev; /* with no softirq late meanwhile */
	} cases[] = {
		{TR_HARDIRQ, "irq.hardirq_long", 10, 1000000, SEV_INFO}, /* 1,024-2,048 us, 1 ms threshold */
		{TR_KSOFTIRQD, "irq.ksoftirqd_latency", 11, 3000000, SEV_INFO}, /* 2,048-4,096 us, 2 ms */
		{TR_SOFTIRQ, "irq.softirq_long", 11, 2000000, SEV_INFO},
	};
	static const uint64_t few[] = {2, 3, 30};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct traced t = {0};
		struct findings f = {0};
		add_irq_at(&t, cases[i].kind, few[i], cases[i].slot, cases[i].max_ns);
		if (live_irq(&t, cases[i].id, &f))
			fail_msg("%s raised from %" PRIu64 " samples", cases[i].id, few[i]);
		findings_free(&f);
		traced_free(&t);

		t = (struct traced){0};
		add_irq_at(&t, cases[i].kind, 200, cases[i].slot, cases[i].max_ns + 1000000);
		const struct finding *x = live_irq(&t, cases[i].id, &f);
		if (!x)
			fail_msg("%s not raised from 200 samples with p99 at its threshold", cases[i].id);
		assert_int_equal(x->severity, cases[i].sev);
		findings_free(&f);
		traced_free(&t);

		/* the same with one run of 12 ms: a warning (ksoftirqd's level
		 * is its deferred softirqs' wait, none here) */
		t = (struct traced){0};
		add_irq_at(&t, cases[i].kind, 200, cases[i].slot, 12000000);
		x = live_irq(&t, cases[i].id, &f);
		assert_non_null(x);
		assert_int_equal(x->severity, cases[i].kind == TR_KSOFTIRQD ? SEV_INFO : SEV_WARNING);
		findings_free(&f);
		traced_free(&t);
	}
}

/* A woken ksoftirqd that waits is harm only if the softirqs it would
 * run waited too (issue 16: 17 warnings on ordinary load). The figures
 * of redis-benchmark on loopback here: ksoftirqd/1 woken 248 times and
 * waiting up to 236 ms (p99 bucket 64 ms) while NET_RX, raised 356,926
 * times, waited at most 1.2 ms and RCU 0.5 ms: information. With the
 * softirqs not traced, the wait's own p99 decides. */
static void test_live_ksoftirqd_harm_is_the_deferred_wait(void **state UNUSED)
{
	struct traced t = {0};
	struct findings f = {0};
	add_irq_at(&t, TR_KSOFTIRQD, 248, 16, 236111688); /* 65-131 ms */
	t.hists[0].slots[16] = 2;
	t.hists[0].slots[4] = 246;
	add_irq(&t, TR_SOFTIRQ_LAT, 1, 3, 356926, 1200000);
	add_irq(&t, TR_SOFTIRQ_LAT, 1, TR_SOFTIRQ_RCU, 1996, 60000000); /* RCU late: no one waits for it */
	const struct finding *x = live_irq(&t, "irq.ksoftirqd_latency", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_INFO);
	assert_true(finding_evidence(x, "softirq_wait_max")->num == 0.0012);
	assert_non_null(strstr(x->summary, "nothing was late"));
	findings_free(&f);

	/* NET_RX late by 120 ms behind it: critical. */
	t.hists[1].max_ns = 120000000;
	x = live_irq(&t, "irq.ksoftirqd_latency", &f);
	assert_int_equal(x->severity, SEV_CRITICAL);
	findings_free(&f);
	traced_free(&t);

	/* Not traced: 30 ms once is information; a p99 bucket from 32 ms, a warning. */
	struct inputs in = {0};
	struct skips sk = {0};
	t = (struct traced){0};
	add_irq_at(&t, TR_KSOFTIRQD, 150, 6, 30000000);
	t.hists[0].slots[6] = 149;
	t.hists[0].slots[14] = 1;
	in.traced = &t;
	t.groups = TG_KSOFTIRQD;
	t.duration_s = 5;
	view_update(&in);
	detect_all(&in, 0, &f, &sk);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].severity, SEV_INFO);
	assert_non_null(strstr(f.v[0].summary, "unknown (softirqs not traced)"));
	findings_free(&f);
	skips_free(&sk);
	t.hists[0].slots[6] = 0;
	t.hists[0].slots[15] = 149; /* 32-65 ms */
	t.hists[0].max_ns = 40000000;
	detect_all(&in, 0, &f, &sk);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].severity, SEV_WARNING);
	findings_free(&f);
	skips_free(&sk);
	inputs_free(&in);
	traced_free(&t);
}

/* The irqs-off and slabinfo findings, on a given kernel version. */
static const struct finding *live_irq2(struct traced *t, const char *release, const char *id, struct findings *f)
{
	struct inputs in = {0};
	struct skips s = {0};
	struct perr e;
	in.traced = t;
	in.host.has_kver = kernel_release_parse(release, &in.host.kver, &e) == 0;
	assert_true(in.host.has_kver);
	t->groups = TG_TIMER_LATE | TG_LOOKUPS;
	t->duration_s = 10;
	view_update(&in);
	detect_all(&in, 0, f, &s);
	skips_free(&s);
	inputs_free(&in);
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, id))
			return &f->v[i];
	return NULL;
}

static void add_event(struct traced *t, unsigned kind, uint32_t tgid, const char *comm, uint64_t dur_ns, uint64_t cpu)
{
	ARRAY_GROW(t->events, t->nevents, t->capevents);
	struct tr_event *e = &t->events[t->nevents++];
	/* a second apart: each its own stretch */
	*e = (struct tr_event){.kind = kind, .tid = tgid, .tgid = tgid, .dur_ns = dur_ns, .extra1 = cpu,
			       .t_s = (double)t->nevents};
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
}

/* A CPU-bound load on this VM (issue 16's quiet suite): 5 timers late in
 * stress-ng, up to 15 ms, 52 ms in all, while the hypervisor stole 0.75%
 * of CPU 0 (60 ms of 8 s): steal explains them, information. With no
 * steal, the same is a warning. */
static void test_live_irqs_off_explained_by_steal(void **state UNUSED)
{
	static const double steals[] = {0.0075, 0};
	static const enum severity want[] = {SEV_INFO, SEV_WARNING};
	for (size_t k = 0; k < 2; k++) {
		struct traced t = {0};
		struct findings f = {0};
		struct skips sk = {0};
		struct inputs in = {0};
		add_irq(&t, TR_TIMER_LATE, 0, 0, 5775, 14745861);
		static const uint64_t late_ms[] = {15, 11, 10, 8, 8};
		for (size_t i = 0; i < ARRAY_SIZE(late_ms); i++)
			add_event(&t, TR_TIMER_LATE, 17989, "stress-ng-cpu", late_ms[i] * 1000000, 0);
		in.traced = &t;
		t.groups = TG_TIMER_LATE;
		t.duration_s = 8;
		view_update(&in);
		free(in.view.cpus);
		in.view.cpus = xcalloc(1, sizeof(*in.view.cpus));
		in.view.ncpus = 1;
		in.view.cpus[0] = (struct view_cpu){.cpu = 0, .has_time = true, .ncols = CPUT_STEAL + 1};
		in.view.cpus[0].share[CPUT_STEAL] = steals[k];
		detect_all(&in, 0, &f, &sk);
		assert_int_equal(f.n, 1);
		assert_string_equal(f.v[0].id, "irq.irqs_off");
		assert_int_equal(f.v[0].severity, want[k]);
		if (k == 0)
			assert_non_null(strstr(f.v[0].summary, "it explains them"));
		findings_free(&f);
		skips_free(&sk);
		inputs_free(&in);
		traced_free(&t);
	}
}

/* Timers late together are one stretch (an idle FUSE mount beside a
 * compile here: 4 timers on CPU 0 ran 21 ms late in cc1 within 50 us
 * of each other, one interrupt running them all, and it was a warning:
 * "recurs"). One stretch is information; the same 4 seconds apart
 * recur, a warning. */
static void test_live_irqs_off_one_stretch_is_one(void **state UNUSED)
{
	static const double at[] = {6.776400, 6.776434, 6.776438, 6.776450};
	static const uint64_t late_ns[] = {21247480, 21224685, 20921913, 20731910};
	for (int apart = 0; apart < 2; apart++) {
		struct traced t = {0};
		struct findings f = {0};
		add_irq(&t, TR_TIMER_LATE, 0, 0, 2434, 21247480);
		for (size_t i = 0; i < ARRAY_SIZE(at); i++) {
			add_event(&t, TR_TIMER_LATE, 4551, "cc1", late_ns[i], 0);
			t.events[i].t_s = at[i] + (apart ? (double)i : 0);
		}
		const struct finding *x = live_irq2(&t, "6.18.0", "irq.irqs_off", &f);
		assert_non_null(x);
		assert_int_equal(x->severity, apart ? SEV_WARNING : SEV_INFO);
		assert_true(finding_evidence(x, "stretches")->num == (apart ? 4 : 1));
		findings_free(&f);
		traced_free(&t);
	}
}

static void test_live_irqs_off_and_slabinfo(void **state UNUSED)
{
	struct traced t = {0};
	struct findings f = {0};
	const struct finding *x;

	/* Timers 90 us late at worst (this VM, idle): nothing. One open of
	 * slabinfo (a person running cat once): nothing. */
	add_irq(&t, TR_TIMER_LATE, 1, 0, 169, 112000);
	add_irq(&t, TR_SLABINFO, 4242, 0, 1, 0);
	t.hists[1].extra1 = 1;
	assert_null(live_irq2(&t, "6.18.0", "irq.irqs_off", &f));
	assert_null(live_irq2(&t, "6.18.0", "irq.slabinfo_reader", &f));
	findings_free(&f);
	traced_free(&t);

	/* 200 timers with a p99 and a maximum of 2.67 ms (an idle FUSE
	 * mount beside the quiet suite, on a busy day): a fact, not harm a
	 * user notices: information. */
	t = (struct traced){0};
	add_irq(&t, TR_TIMER_LATE, 0, 0, 200, 2670000);
	t.hists[0].slots[3] = 0;
	t.hists[0].slots[11] = 200; /* 2,048-4,096 us */
	add_event(&t, TR_TIMER_LATE, 4242, "agent", 2670000, 0);
	x = live_irq2(&t, "6.18.0", "irq.irqs_off", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_INFO);
	findings_free(&f);
	traced_free(&t);

	/* A 20 ms stretch on CPU 1, the late timer landing in an agent that
	 * opened slabinfo 6 times 5 s apart: the irqs-off warning names it
	 * and links the two; slabinfo reading is a warning before 6.10 and
	 * information from 6.10 on (the count is bounded there). */
	t = (struct traced){0};
	add_irq(&t, TR_TIMER_LATE, 1, 0, 5000, 20000000);
	add_irq(&t, TR_SLABINFO, 4242, 0, 6, 5100000000);
	t.hists[1].sum_ns = 25000000000; /* 5 gaps of 5 s */
	t.hists[1].extra1 = 1;
	snprintf(t.hists[1].comm, sizeof(t.hists[1].comm), "agent");
	add_event(&t, TR_TIMER_LATE, 0, "swapper/1", 12000000, 1);
	add_event(&t, TR_TIMER_LATE, 4242, "agent", 20000000, 1);
	add_event(&t, TR_TIMER_LATE, 4242, "agent", 15000000, 1);
	add_event(&t, TR_TIMER_LATE, 777, "other", 30000000, 0); /* another CPU */
	x = live_irq2(&t, "5.10.0", "irq.irqs_off", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_string_equal(x->subj[0].name, "1");
	assert_int_equal(x->subj[1].pid, 4242);
	assert_true(fabs(ev(x, "lateness_max") - 0.020) < 1e-12);
	assert_true(ev(x, "late_over_threshold") == 3);
	assert_non_null(strstr(x->summary, "agent (pid 4242"));
	assert_non_null(strstr(x->summary, "irq.slabinfo_reader"));
	x = live_irq2(&t, "5.10.0", "irq.slabinfo_reader", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_true(ev(x, "opens") == 6);
	assert_true(fabs(ev(x, "period_mean") - 5.0) < 1e-9);
	assert_int_equal(x->subj[0].pid, 4242);
	findings_free(&f);
	x = live_irq2(&t, "6.18.0", "irq.slabinfo_reader", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_INFO);
	assert_non_null(strstr(x->summary, "6.10+"));
	findings_free(&f);

	/* One stretch of 20 ms (a blip on a VM): information only. */
	t.nevents = 2;
	x = live_irq2(&t, "6.18.0", "irq.irqs_off", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_INFO);
	findings_free(&f);
	traced_free(&t);

	/* 60 ms late, twice: critical. Late only while idle (the hypervisor,
	 * not a task): information, saying so. */
	t = (struct traced){0};
	add_irq(&t, TR_TIMER_LATE, 0, 0, 5000, 60000000);
	add_irq(&t, TR_TIMER_LATE, 1, 0, 5000, 60000000);
	add_event(&t, TR_TIMER_LATE, 555, "spinner", 60000000, 0);
	add_event(&t, TR_TIMER_LATE, 555, "spinner", 40000000, 0);
	add_event(&t, TR_TIMER_LATE, 0, "swapper/1", 60000000, 1);
	size_t ncrit = 0, ninfo = 0;
	live_irq2(&t, "6.18.0", "irq.irqs_off", &f);
	for (size_t i = 0; i < f.n; i++) {
		if (strcmp(f.v[i].id, "irq.irqs_off"))
			continue;
		if (!strcmp(f.v[i].subj[0].name, "0")) {
			assert_int_equal(f.v[i].severity, SEV_CRITICAL);
			ncrit++;
		} else {
			assert_int_equal(f.v[i].severity, SEV_INFO);
			assert_non_null(strstr(f.v[i].summary, "found the CPU idle"));
			ninfo++;
		}
	}
	assert_int_equal(ncrit + ninfo, 2);
	assert_int_equal(ncrit, 1);
	findings_free(&f);
	traced_free(&t);
}

/* ---- degrade, do not drop: one missing file costs one figure ---- */

/* The seed-003 host captured as one sample (since boot), run with and
 * without proc/uptime: the idle and softirq shares need no uptime, only
 * the rates do. */
static char *irq_one_sample(const char *name, struct run *full, struct run *r)
{
	char *dir = xasprintf("%s/%s", tmpdir, name);
	irq_sample(dir, "", 1001, 2, 200, "3\n");
	run_tree(dir, full);
	rm_path(dir, "proc/uptime");
	run_tree(dir, r);
	return dir;
}

static void test_degrade_rps_without_uptime(void **state UNUSED)
{
	struct run full, r;
	_cleanup_free_ char *dir = irq_one_sample("irq-one-rps", &full, &r);
	assert_int_equal(full.in.mode, WINDOW_SINCE_BOOT);
	const struct finding *f0 = find(&full, "irq.rps_on_busy_host");
	assert_non_null(f0);
	assert_int_equal(f0->severity, SEV_CRITICAL);
	assert_true(ev(f0, "rps_received") > 1000);
	const struct finding *f = find(&r, "irq.rps_on_busy_host");
	assert_non_null(f);
	/* 16.5% softirq on the targets is measured: critical still. */
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_true(ev(f, "target_idle_share") == ev(f0, "target_idle_share"));
	assert_true(fabs(ev(f, "target_idle_share") - 0.02) < 1e-9);
	assert_true(ev(f, "target_softirq_share") == ev(f0, "target_softirq_share"));
	assert_true(ev(f, "rps_queues") == 1 && ev(f, "rx_queues") == 1);
	assert_string_equal(finding_evidence(f, "interface")->str, "eth0");
	assert_string_equal(finding_evidence(f, "rps_cpus")->str, "0-1");
	assert_unknown(f, "target_cal_ipis", "proc/uptime");
	assert_unknown(f, "rps_received", "proc/uptime");
	assert_null(strstr(f->summary, " 0 function-call"));
	run_free(&r);
	run_free(&full);
}

static void test_degrade_hotspot_and_drops_without_uptime(void **state UNUSED)
{
	struct run full, r;
	_cleanup_free_ char *dir = irq_one_sample("irq-one-hot", &full, &r);
	const struct finding *f;

	/* The hotspot: shares and which vector and line are counts; their
	 * rates are unknown. */
	f = find(&r, "irq.softirq_hotspot");
	assert_non_null(f);
	assert_int_equal(f->severity, find(&full, "irq.softirq_hotspot")->severity);
	assert_string_equal(finding_evidence(f, "top_vector")->str, "NET_RX");
	assert_unknown(f, "top_vector_rate", "proc/uptime");
	assert_string_equal(finding_evidence(f, "top_irq_line")->str, "24");
	assert_unknown(f, "top_irq_rate", "proc/uptime");
	assert_string_equal(finding_evidence(f, "top_irq_affinity")->str, "0");

	/* IPI storms are a rate: skipped, naming the file. */
	assert_null(find(&r, "irq.ipi_storm"));
	assert_skip_names(&r, "irq.ipi_storm", "proc/uptime");
	/* Drops at no known rate may be months old: a fact, information
	 * (with the window's length, 200/s, critical). */
	assert_int_equal(find(&full, "irq.softnet_drops")->severity, SEV_CRITICAL);
	f = find(&r, "irq.softnet_drops");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_unknown(f, "dropped", "proc/uptime");
	assert_true(ev(f, "dropped_packets") == 200200);
	assert_true(ev(f, "netdev_max_backlog") == 1000);
	run_free(&r);
	run_free(&full);
}

static void test_degrade_rps_severity_without_uptime(void **state UNUSED)
{
	struct run r;
	const struct finding *f;
	_cleanup_free_ char *dir = xasprintf("%s/irq-one-sev", tmpdir);
	irq_sample(dir, "", 1001, 2, 200, "3\n");
	rm_path(dir, "proc/uptime");

	/* Targets at 2.5% softirq: critical only by RPS's IPIs, which need the
	 * uptime; without it a warning that says why. */
	put(dir, "proc/stat",
	    "cpu  168168 0 20020 4004 0 0 5005 0 0 0\n"
	    "cpu0 85085 0 10010 2002 0 0 3003 0 0 0\n"
	    "cpu1 86086 0 10010 2002 0 0 2002 0 0 0\n");
	run_tree(dir, &r);
	f = find(&r, "irq.rps_on_busy_host");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_true(fabs(ev(f, "target_softirq_share") - 0.025) < 1e-9);
	assert_unknown(f, "rps_received", "proc/uptime");
	assert_non_null(strstr(f->summary, "at most a warning"));
	run_free(&r);
	put(dir, "proc/uptime", "2001.00 1.00\n");
	run_tree(dir, &r);
	assert_int_equal(find(&r, "irq.rps_on_busy_host")->severity, SEV_CRITICAL); /* 20,010 RPS IPIs/s */
	run_free(&r);
}

static void test_degrade_softnet_without_received_rps(void **state UNUSED)
{
	struct run r;
	const struct finding *f;
	_cleanup_free_ char *dir = xasprintf("%s/irq-one-2632", tmpdir);
	irq_sample(dir, "", 1001, 2, 200, "3\n");

	/* 2.6.32's softnet_stat has no received_rps column: unknown, not 0. */
	put(dir, "proc/net/softnet_stat",
	    "00010000 00000010 00000002 00000000 00000000 00000000 00000000 00000000 00000000\n"
	    "00010000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n");
	run_tree(dir, &r);
	f = find(&r, "irq.rps_on_busy_host");
	assert_non_null(f);
	assert_unknown(f, "rps_received", "received_rps");
	assert_false(has_metric(&r, "softnet.received_rps"));
	assert_true(has_metric(&r, "softnet.dropped"));
	run_free(&r);
}

/* The seed-003 snapshot, one file of several missing at a time. */
static void test_degrade_irq_without_interrupts(void **state UNUSED)
{
	struct run r;
	const struct finding *f;

	/* No proc/interrupts: the IPI figures are unknown, the rest stands. */
	_cleanup_free_ char *d1 = xasprintf("%s/irq-nointr", tmpdir);
	irq_files(d1, 2, 200, "3\n");
	rm_path(d1, "proc/interrupts");
	run_tree(d1, &r);
	f = find(&r, "irq.rps_on_busy_host");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_unknown(f, "target_cal_ipis", "proc/interrupts");
	assert_true(ev(f, "rps_received") == 40000);
	assert_true(fabs(ev(f, "target_idle_share") - 0.02) < 1e-9);
	f = find(&r, "irq.softirq_hotspot");
	assert_non_null(f);
	assert_string_equal(finding_evidence(f, "top_vector")->str, "NET_RX");
	assert_true(ev(f, "top_vector_rate") == 40000);
	assert_unknown(f, "top_irq_line", "proc/interrupts");
	assert_null(find(&r, "irq.ipi_storm"));
	assert_skip_names(&r, "irq.ipi_storm", "proc/interrupts");
	assert_int_equal(find(&r, "irq.softnet_drops")->severity, SEV_CRITICAL);
	run_free(&r);
}

static void test_degrade_irq_without_softnet(void **state UNUSED)
{
	struct run r;
	const struct finding *f;

	/* No softnet_stat: RPS's IPIs unknown, drops not checked (and said). */
	_cleanup_free_ char *d2 = xasprintf("%s/irq-nosoftnet", tmpdir);
	irq_files(d2, 2, 200, "3\n");
	rm_path(d2, "proc/net/softnet_stat");
	run_tree(d2, &r);
	f = find(&r, "irq.rps_on_busy_host");
	assert_non_null(f);
	/* Critical needs RPS's own cost measured (issue 16): the softirq share
	 * alone does not say the steering put it there, and without
	 * softnet_stat its IPIs per packet are unknown. At most a warning. */
	assert_int_equal(f->severity, SEV_WARNING);
	assert_non_null(strstr(f->summary, "at most a warning"));
	assert_unknown(f, "rps_received", "proc/net/softnet_stat");
	assert_unknown(f, "rps_ipis_per_packet", "proc/net/softnet_stat");
	assert_true(ev(f, "target_cal_ipis") == 60000);
	f = find(&r, "irq.ipi_storm");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_true(ev(f, "top_cpu_ipis") == 30010);
	assert_unknown(f, "rps_received", "proc/net/softnet_stat");
	assert_null(find(&r, "irq.softnet_drops"));
	assert_skip_names(&r, "irq.softnet_drops", "proc/net/softnet_stat");
	run_free(&r);
}

static void test_degrade_irq_without_earlier_softirqs(void **state UNUSED)
{
	struct run r;
	const struct finding *f;

	/* The earlier sample without softirqs: no vector to name. */
	_cleanup_free_ char *d3 = xasprintf("%s/irq-nosoftirqs0", tmpdir);
	irq_files(d3, 2, 200, "3\n");
	rm_path(d3, "kstall/sample0/proc/softirqs");
	run_tree(d3, &r);
	f = find(&r, "irq.softirq_hotspot");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_true(fabs(ev(f, "softirq_share") - 0.25) < 1e-9);
	assert_unknown(f, "top_vector", "kstall/sample0/proc/softirqs");
	assert_unknown(f, "top_vector_rate", "kstall/sample0/proc/softirqs");
	assert_string_equal(finding_evidence(f, "top_irq_line")->str, "24");
	assert_true(ev(f, "top_irq_rate") == 20000);
	run_free(&r);
}

static void test_degrade_irq_without_stat(void **state UNUSED)
{
	struct run r;
	const struct finding *f;

	/* No proc/stat: the shares are gone (so are the two findings on
	 * them, named in skipped); the IPIs and drops need no shares. */
	_cleanup_free_ char *d4 = xasprintf("%s/irq-nostat", tmpdir);
	irq_files(d4, 2, 200, "3\n");
	rm_path(d4, "proc/stat");
	run_tree(d4, &r);
	assert_null(find(&r, "irq.rps_on_busy_host"));
	assert_skip_names(&r, "irq.rps_on_busy_host", "proc/stat");
	assert_skip_names(&r, "irq.softirq_hotspot", "proc/stat");
	/* 30,010 IPIs/s on a CPU whose idle time is unknown: not shown to
	 * take from work, so a fact, with the unknown named. */
	f = find(&r, "irq.ipi_storm");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_true(ev(f, "cal_ipis") == 60000);
	assert_unknown(f, "top_cpu_idle_share", "proc/stat");
	assert_non_null(strstr(f->summary, "Not shown to take from work"));
	f = find(&r, "irq.softnet_drops");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_true(ev(f, "dropped") == 200);
	run_free(&r);
}

static void test_degrade_irq_without_net(void **state UNUSED)
{
	struct run r;

	/* No sys/class/net: whether RPS is on is unknown, not "off". */
	_cleanup_free_ char *d5 = xasprintf("%s/irq-nonet", tmpdir);
	irq_files(d5, 2, 200, "3\n");
	rm_path(d5, "sys/class/net");
	run_tree(d5, &r);
	assert_null(find(&r, "irq.rps_on_busy_host"));
	assert_skip_names(&r, "irq.rps_on_busy_host", "sys/class/net");
	assert_false(has_metric(&r, "net.rx_queues"));
	assert_non_null(find(&r, "irq.softirq_hotspot"));
	run_free(&r);
}

/* The drops finding without netdev_max_backlog: the setting is unknown
 * (and the remedy's suggestion falls back), the drops unchanged. */
static void test_degrade_softnet_without_backlog_sysctl(void **state UNUSED)
{
	struct run r;
	_cleanup_free_ char *dir = xasprintf("%s/irq-nobacklog", tmpdir);
	irq_files(dir, 2, 200, "3\n");
	rm_path(dir, "proc/sys/net/core/netdev_max_backlog");
	run_tree(dir, &r);
	const struct finding *f = find(&r, "irq.softnet_drops");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_true(ev(f, "dropped") == 200);
	assert_unknown(f, "netdev_max_backlog", "proc/sys/net/core/netdev_max_backlog");
	run_free(&r);
}

static struct tr_lookup *add_reader(struct traced *t, uint32_t tgid, bool group, uint32_t ppid, const char *comm,
				     uint64_t procs, uint64_t opens, double first_s, double last_s)
{
	ARRAY_GROW(t->lookups, t->nlookups, t->caplookups);
	struct tr_lookup *l = &t->lookups[t->nlookups++];
	*l = (struct tr_lookup){.tgid = tgid, .known = true, .group = group, .ppid = ppid, .procs = procs,
				.calls = opens * 20, .slab_opens = opens, .slab_procs = procs, .slab_first_s = first_s,
				.slab_last_s = last_s, .slab_gap_max_s = group ? 0.7 : 0};
	snprintf(l->comm, sizeof(l->comm), "%s", comm);
	snprintf(l->pcomm, sizeof(l->pcomm), "sh");
	return l;
}

static size_t count_id(const struct findings *f, const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += !strcmp(f->v[i].id, id);
	return n;
}

/* A monitoring loop (sh, pid 999) running slabtop -o and vmstat -m in
 * turn, 16 runs in 10 s: each process opens /proc/slabinfo once and
 * exits (issue 16: no finding). The parent that starts them is the
 * reader, named with their commands and the period across them; a
 * person's one cat of it from another shell adds nothing. */
static void test_slabinfo_short_lived_readers(void **state UNUSED)
{
	struct traced t = {0};
	struct findings f = {0};
	add_reader(&t, 2014, true, 999, "slabtop", 7, 7, 0.4, 8.8);
	add_reader(&t, 2015, true, 999, "vmstat", 8, 8, 1.0, 9.4);
	add_reader(&t, 2016, false, 999, "slabtop", 1, 1, 9.9, 9.9); /* running now */
	add_reader(&t, 3000, true, 400, "cat", 1, 1, 5, 5);
	const struct finding *x = live_irq2(&t, "5.10.0", "irq.slabinfo_reader", &f);
	if (!x)
		fail_msg("no irq.slabinfo_reader for 16 short-lived readers");
	assert_int_equal(count_id(&f, "irq.slabinfo_reader"), 1);
	/* No late timer in any of them: the cause, not yet measured harm. */
	assert_int_equal(x->severity, SEV_INFO);
	assert_non_null(strstr(x->summary, "no stretch with interrupts off was measured"));
	findings_free(&f);
	/* A timer 15 ms late in one slabtop (before 6.10): a warning. */
	add_event(&t, TR_TIMER_LATE, 2014, "slabtop", 15000000, 0);
	x = live_irq2(&t, "5.10.0", "irq.slabinfo_reader", &f);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_true(ev(x, "irqs_off_in_reader_max") == 0.015);
	t.nevents = 0;
	assert_int_equal(x->subj[0].pid, 999);
	assert_string_equal(x->subj[0].comm, "sh");
	assert_string_equal(x->subj[0].role, "parent of the readers");
	assert_int_equal(x->subj[1].pid, 2016);
	assert_true(ev(x, "opens") == 16);
	assert_true(ev(x, "processes") == 16);
	assert_true(fabs(ev(x, "period_mean") - 9.5 / 15) < 1e-9);
	assert_string_equal(finding_evidence(x, "commands")->str, "slabtop, vmstat");
	assert_non_null(strstr(x->title, "sh (pid 999) starts processes that read /proc/slabinfo every 633 ms"));
	assert_non_null(strstr(x->summary, "16 processes started by sh (pid 999: slabtop, vmstat)"));
	findings_free(&f);

	/* An agent of the same parent that opens it itself, again and again,
	 * is its own reader, and not one of the loop's. */
	add_reader(&t, 2500, false, 999, "agent", 1, 5, 0, 8);
	live_irq2(&t, "5.10.0", "irq.slabinfo_reader", &f);
	assert_int_equal(count_id(&f, "irq.slabinfo_reader"), 2);
	for (size_t i = 0; i < f.n; i++) {
		if (strcmp(f.v[i].id, "irq.slabinfo_reader"))
			continue;
		if (f.v[i].subj[0].pid == 2500)
			assert_true(ev(&f.v[i], "opens") == 5 && fabs(ev(&f.v[i], "period_mean") - 2) < 1e-9);
		else
			assert_true(f.v[i].subj[0].pid == 999 && ev(&f.v[i], "opens") == 16);
	}
	findings_free(&f);
	traced_free(&t);
}

/* A recording of format 2 holds a histogram per process: the loop's 16
 * one-open processes there, without their parent, are still one reader
 * by their name. */
static void test_slabinfo_short_lived_readers_in_old_recordings(void **state UNUSED)
{
	struct traced t = {0};
	struct findings f = {0};
	for (uint32_t i = 0; i < 16; i++) {
		add_irq(&t, TR_SLABINFO, 2000 + i, 0, 1, 0);
		t.hists[i].sum_ns = 0;
		t.hists[i].extra1 = 1; /* no earlier open */
		snprintf(t.hists[i].comm, sizeof(t.hists[i].comm), "%s", i % 2 ? "vmstat" : "slabtop");
	}
	live_irq2(&t, "5.10.0", "irq.slabinfo_reader", &f);
	assert_int_equal(count_id(&f, "irq.slabinfo_reader"), 2);
	const struct finding *x = find_in(&f, "irq.slabinfo_reader");
	assert_true(ev(x, "opens") == 8 && ev(x, "processes") == 8);
	assert_null(finding_evidence(x, "period_mean")); /* no times: unknown, not 0 */
	assert_non_null(strstr(x->title, "processes read /proc/slabinfo 8 times in 10 s"));
	assert_non_null(strstr(x->summary, "whose parents are unknown"));
	findings_free(&f);
	traced_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed003_irq),
		cmocka_unit_test(test_even_softirq_split_is_no_hotspot),
		cmocka_unit_test(test_live_irq_thresholds),
		cmocka_unit_test(test_live_one_long_softirq_is_a_blip),
		cmocka_unit_test(test_live_irq_percentile_needs_samples),
		cmocka_unit_test(test_live_ksoftirqd_harm_is_the_deferred_wait),
		cmocka_unit_test(test_live_irqs_off_and_slabinfo),
		cmocka_unit_test(test_slabinfo_short_lived_readers),
		cmocka_unit_test(test_slabinfo_short_lived_readers_in_old_recordings),
		cmocka_unit_test(test_live_irqs_off_explained_by_steal),
		cmocka_unit_test(test_live_irqs_off_one_stretch_is_one),
		cmocka_unit_test(test_ipi_storm_severity_follows_headroom),
		cmocka_unit_test(test_rps_severity_follows_cost),
		cmocka_unit_test(test_degrade_rps_without_uptime),
		cmocka_unit_test(test_degrade_hotspot_and_drops_without_uptime),
		cmocka_unit_test(test_degrade_rps_severity_without_uptime),
		cmocka_unit_test(test_degrade_softnet_without_received_rps),
		cmocka_unit_test(test_degrade_irq_without_interrupts),
		cmocka_unit_test(test_degrade_irq_without_softnet),
		cmocka_unit_test(test_degrade_irq_without_earlier_softirqs),
		cmocka_unit_test(test_degrade_irq_without_stat),
		cmocka_unit_test(test_degrade_irq_without_net),
		cmocka_unit_test(test_degrade_softnet_without_backlog_sysctl),
	};
	return cmocka_run_group_tests_name("irq", tests, group_setup, group_teardown);
}
