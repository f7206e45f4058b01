/* The view stage (src/model/view.c): the figures derived from two samples
 * are taken once, with one rule per kind of counter, and the detectors and
 * metrics that read them agree. */
#include "testutil.h"
#include "detect/detect.h"

#include <math.h>

/* A softnet_stat row of CPU cpu (13 columns: the CPU is the last). */
static char *softnet_row(uint32_t processed, uint32_t dropped, uint32_t received, int cpu)
{
	return xasprintf("%08x %08x 00000000 00000000 00000000 00000000 00000000 00000000 00000000 %08x "
			 "00000000 00000000 %08x\n", processed, dropped, received, cpu);
}

static void parse_softnet(struct sample *s, const char *text)
{
	struct perr e;
	assert_int_equal(proc_softnet_parse(text, &s->softnet, &e), 0);
	s->s_softnet = (struct src){.state = SRC_OK, .path = "proc/net/softnet_stat"};
}

static void parse_interrupts(struct sample *s, const char *text)
{
	struct perr e;
	assert_int_equal(proc_interrupts_parse(text, &s->interrupts, &e), 0);
	s->s_interrupts = (struct src){.state = SRC_OK, .path = "proc/interrupts"};
}

/* Two samples one second apart; prev is owned by in. */
static void two_samples(struct inputs *in)
{
	memset(in, 0, sizeof(*in));
	in->prev = xcalloc(1, sizeof(*in->prev));
	in->mode = WINDOW_INTERVAL;
	in->interval_s = 1;
	in->host.user_hz = 100;
	in->window_source = "snapshot";
}

static void inputs_done(struct inputs *in)
{
	softnet_free(&in->cur.softnet);
	softnet_free(&in->prev->softnet);
	irq_table_free(&in->cur.interrupts);
	irq_table_free(&in->prev->interrupts);
	free(in->cur.procs);
	free(in->prev->procs);
	free(in->prev);
	view_free(&in->view);
}

static const struct metric *metric_named(const struct metrics *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return &m->v[i];
	return NULL;
}

static double evidence(const struct finding *f, const char *name)
{
	for (size_t i = 0; i < f->nev; i++)
		if (!strcmp(f->ev[i].name, name) && f->ev[i].is_num)
			return f->ev[i].num;
	fail_msg("%s has no number %s", f->id, name);
	return -1;
}

/* CPU 1's drop counter wraps in the window: 0xfffffff0 -> 0x10 is 32
 * drops (one lap modulo 2^32), and both the finding and the metric say
 * 32/s; a CPU whose counter went backwards is not left out of either. */
static void test_softnet_wrap_is_one_lap(void **state UNUSED)
{
	struct inputs in;
	two_samples(&in);
	_cleanup_free_ char *p0 = softnet_row(1000, 0, 0, 0), *p1 = softnet_row(0xffffff00u, 0xfffffff0u, 5, 1);
	_cleanup_free_ char *c0 = softnet_row(3000, 0, 0, 0), *c1 = softnet_row(0x100, 0x10, 5, 1);
	_cleanup_free_ char *prev = xasprintf("%s%s", p0, p1), *cur = xasprintf("%s%s", c0, c1);
	parse_softnet(in.prev, prev);
	parse_softnet(&in.cur, cur);
	view_update(&in);

	const struct view_softnet *sn = &in.view.softnet;
	assert_true(sn->ok && sn->has_received && !sn->cpu_missing);
	assert_int_equal(sn->n, 2);
	assert_int_equal(sn->cpus[1].cpu, 1);
	assert_int_equal(sn->cpus[1].processed, 0x200);
	assert_int_equal(sn->cpus[1].dropped, 32);

	struct metrics m = {0};
	metrics_collect(&in, &m);
	const struct metric *md = metric_named(&m, "softnet.dropped"), *mp = metric_named(&m, "softnet.processed");
	assert_non_null(md);
	assert_non_null(mp);
	assert_true(md->value == 32);
	assert_true(mp->value == 2000 + 0x200);

	struct findings f = {0};
	struct skips s = {0};
	detect_all(&in, 0, &f, &s);
	const struct finding *drops = NULL;
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].id, "irq.softnet_drops"))
			drops = &f.v[i];
	assert_non_null(drops);
	assert_int_equal(drops->severity, SEV_WARNING);
	assert_true(evidence(drops, "dropped") == md->value);
	assert_true(evidence(drops, "worst_cpu") == 1);
	findings_free(&f);
	skips_free(&s);
	metrics_free(&m);
	inputs_done(&in);
}

/* A per-CPU interrupt count that went backwards (its IRQ requested again)
 * is unknown, not a wrap: that CPU is left out, the other counted. */
static void test_irq_count_backwards_is_unknown(void **state UNUSED)
{
	struct inputs in;
	two_samples(&in);
	parse_interrupts(in.prev, "           CPU0       CPU1\n 24:       5000       9000   PCI-MSI  eth0\n");
	parse_interrupts(&in.cur, "           CPU0       CPU1\n 24:       7000        100   PCI-MSI  eth0\n");
	view_update(&in);

	const struct view_row *r = view_table_row(&in.view.interrupts, "24");
	assert_non_null(r);
	assert_true(r->matched);
	assert_true(r->has[0] && r->n[0] == 2000);
	assert_false(r->has[1]);
	assert_false(r->has_sum); /* 14000 -> 7100 */

	struct metrics m = {0};
	metrics_collect(&in, &m);
	assert_null(metric_named(&m, "interrupts.24")); /* its rate is unknown */
	metrics_free(&m);
	inputs_done(&in);
}

/* A process's CPU share: the same pid and start time in both samples; a
 * pid reused by a new process is unknown. view_update() derives it again
 * when the window changes (watch, every interval). */
static void test_proc_share_and_update(void **state UNUSED)
{
	struct inputs in;
	two_samples(&in);
	in.prev->procs = xcalloc(2, sizeof(struct proc_entry));
	in.cur.procs = xcalloc(2, sizeof(struct proc_entry));
	in.prev->nprocs = in.cur.nprocs = 2;
	in.prev->procs[0].stat = (struct pid_stat){.pid = 10, .starttime = 5, .utime = 100, .stime = 0};
	in.cur.procs[0].stat = (struct pid_stat){.pid = 10, .starttime = 5, .utime = 150, .stime = 0};
	in.prev->procs[1].stat = (struct pid_stat){.pid = 11, .starttime = 5, .utime = 10};
	in.cur.procs[1].stat = (struct pid_stat){.pid = 11, .starttime = 90, .utime = 20};
	view_update(&in);
	assert_true(fabs(view_cpu_share(&in.view, 10) - 0.5) < 1e-12);
	assert_true(view_cpu_share(&in.view, 11) < 0);
	assert_true(view_cpu_share(&in.view, 12) < 0); /* no such process */

	in.interval_s = 2;
	view_update(&in);
	assert_true(fabs(view_cpu_share(&in.view, 10) - 0.25) < 1e-12);
	inputs_done(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_softnet_wrap_is_one_lap),
		cmocka_unit_test(test_irq_count_backwards_is_unknown),
		cmocka_unit_test(test_proc_share_and_update),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
