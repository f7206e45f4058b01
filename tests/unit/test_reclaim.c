/* The reclaim detectors (reclaim.*) on fixture trees. The live ones
 * (reclaim.direct_reclaim_stall, reclaim.shrinker_slow) need the tracer:
 * test_watch runs them on the real kernel, test_trace plans them. */
#include "detectutil.h"

#include <math.h>

/* Seed 002: the capture has no proc/vmstat. */
static void test_degrade_kswapd_without_vmstat(void **state UNUSED)
{
	struct run r;
	run_tree("tests/fixtures/dcache-seed002-centos6", &r);
	/* kswapd's reclaim rates are unknown, its CPU share is not. */
	const struct finding *f = find(&r, "reclaim.kswapd_busy");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_unknown(f, "pgscan_kswapd_rate", "proc/vmstat");
	run_free(&r);
}

/* No share of the window above 100% (issue 16: "316% of the window"):
 * a process's threads stalled 25.3 s in all in 8 s. The summary says
 * "threads in all" and gives the share per thread; the figures it writes
 * are the evidence's. Severity is the same (critical by its share). */
static void test_threads_stall_in_all(void **state UNUSED)
{
	struct inputs in = {0};
	struct findings f;
	struct skips s;
	struct proc_entry p = {.stat = {.pid = 2100, .comm = "java", .state = 'S', .num_threads = 8}};
	struct traced t = {.duration_s = 8, .groups = TG_RECLAIM};

	in.cur.procs = &p;
	in.cur.nprocs = 1;
	in.cur.s_procs.state = SRC_OK;
	in.traced = &t;
	ARRAY_GROW(t.hists, t.nhists, t.caphists);
	t.hists[t.nhists++] = (struct tr_hist){.tgid = 2100, .kind = TR_DIRECT_RECLAIM, .count = 4000,
					       .sum_ns = 25300000000ull, .max_ns = 120000000, .max_tid = 2107,
					       .extra1 = 100000, .comm = "java"};
	t.hists[0].slots[23] = 4000;
	detect_inputs(&in, &f, &s);
	const struct finding *x = find_in(&f, "reclaim.direct_reclaim_stall");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_CRITICAL);
	if (strstr(x->summary, "316%"))
		fail_msg("a sum over threads as a share of the window: %s", x->summary);
	assert_non_null(strstr(x->title, "stalled 25.3 s in reclaim, threads in all, worst 120 ms"));
	assert_non_null(strstr(x->summary, "25.3 s in total (threads in all: 3.16 times the window; 40% of it per "
					   "thread over its 8 threads), worst 120 ms (thread 2107)"));
	assert_non_null(strstr(x->summary, "4000 times in 8 s"));
	assert_true(fabs(ev(x, "stall_share_of_window") - 25.3 / 8) < 1e-9); /* JSON keeps its figure */
	assert_true(fabs(ev(x, "stall_share_per_thread") - 25.3 / 8 / 8) < 1e-9);
	assert_true(ev(x, "threads") == 8);
	findings_free(&f);
	skips_free(&s);

	/* One thread, 0.52 s of 8: a share of the window, as before. */
	p.stat.num_threads = 1;
	t.hists[0].sum_ns = 520000000;
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "reclaim.direct_reclaim_stall");
	assert_non_null(x);
	assert_non_null(strstr(x->summary, "520 ms in total (6.5% of the window)"));
	assert_null(strstr(x->title, "threads in all"));
	assert_null(finding_evidence(x, "stall_share_per_thread"));
	findings_free(&f);
	skips_free(&s);
	free(t.hists);
}

/* The shrinker's summary gave its call count for the objects it freed
 * (one buffer for both figures). */
static void test_shrinker_figures(void **state UNUSED)
{
	struct inputs in = {0};
	struct findings f;
	struct skips s;
	struct traced t = {.duration_s = 10, .groups = TG_SHRINKER};

	in.traced = &t;
	ARRAY_GROW(t.hists, t.nhists, t.caphists);
	t.hists[t.nhists++] = (struct tr_hist){.tgid = 77, .kind = TR_SHRINKER, .detail = 0xffffffff81234567, .count = 12,
					       .sum_ns = 480000000, .max_ns = 62500000, .extra1 = 30000, .extra2 = 2500000,
					       .name = "super_cache_scan", .comm = "kswapd0"};
	detect_inputs(&in, &f, &s);
	const struct finding *x = find_in(&f, "reclaim.shrinker_slow");
	assert_non_null(x);
	assert_non_null(strstr(x->title, "takes up to 62.5 ms per call"));
	assert_non_null(strstr(x->summary, "ran 12 times in 10 s, 480 ms in total, worst 62.5 ms"));
	assert_non_null(strstr(x->summary, "scanned 2.5 M objects and freed 30.0 k"));
	/* kswapd alone paid: no task waited on the calls, a fact. */
	assert_int_equal(x->severity, SEV_INFO);
	findings_free(&f);
	skips_free(&s);
	/* A task reclaiming directly through it for 20 ms: a warning. */
	ARRAY_GROW(t.hists, t.nhists, t.caphists);
	t.hists[t.nhists++] = (struct tr_hist){.tgid = 4100, .kind = TR_SHRINKER, .detail = 0xffffffff81234567, .count = 2,
					       .sum_ns = 30000000, .max_ns = 20000000, .name = "super_cache_scan",
					       .comm = "postgres"};
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "reclaim.shrinker_slow");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	findings_free(&f);
	skips_free(&s);
	free(t.hists);
}

static const struct finding *stall_run(struct traced *t, struct findings *f)
{
	struct inputs in = {0};
	struct skips s = {0};
	in.traced = t;
	t->groups = TG_RECLAIM;
	t->duration_s = 10;
	view_update(&in);
	detect_all(&in, 0, f, &s);
	skips_free(&s);
	inputs_free(&in);
	return find_in(f, "reclaim.direct_reclaim_stall");
}

static void add_stall(struct traced *t, uint32_t tgid, const char *comm, uint64_t count, double total_s, double max_s)
{
	ARRAY_GROW(t->hists, t->nhists, t->caphists);
	struct tr_hist *h = &t->hists[t->nhists++];
	*h = (struct tr_hist){.tgid = tgid, .kind = TR_DIRECT_RECLAIM, .count = count, .sum_ns = (uint64_t)(total_s * 1e9),
			      .max_ns = (uint64_t)(max_s * 1e9), .extra1 = count * 32, .max_tid = tgid};
	h->slots[11] = count; /* 2-4 ms */
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
}

/* A CGI's short-lived processes under memory pressure: 60 php-cgi, each
 * stalled 2 ms in direct reclaim, 3 ms at worst. None reaches 1% of the
 * window (or 10 ms at once) alone: together they lost 120 ms of 10 s,
 * and are one finding, named by their command. Two processes of other
 * names as small stay below. */
static void test_short_lived_reclaimers_add_up(void **state UNUSED)
{
	struct traced t = {0};
	struct findings f = {0};
	for (uint32_t i = 0; i < 60; i++)
		add_stall(&t, 5000 + i, "php-cgi", 1, 0.002, i == 7 ? 0.003 : 0.002);
	add_stall(&t, 300, "cron", 1, 0.002, 0.002);
	add_stall(&t, 301, "sshd", 1, 0.002, 0.002);
	const struct finding *x = stall_run(&t, &f);
	if (!x)
		fail_msg("no reclaim.direct_reclaim_stall for 60 short-lived processes");
	assert_int_equal(x->severity, SEV_WARNING);
	assert_true(ev(x, "processes") == 60);
	assert_true(fabs(ev(x, "total_stall") - 0.120) < 1e-9);
	assert_true(fabs(ev(x, "stall_share_of_window") - 0.012) < 1e-9);
	assert_int_equal(x->subj[0].pid, 5007);
	assert_non_null(strstr(x->title, "60 php-cgi processes stalled 120 ms in reclaim"));
	assert_int_equal(f.n, 1);
	findings_free(&f);

	/* One process of them alone is nothing, as before. */
	t.nhists = 1;
	assert_null(stall_run(&t, &f));
	findings_free(&f);
	traced_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degrade_kswapd_without_vmstat),
		cmocka_unit_test(test_threads_stall_in_all),
		cmocka_unit_test(test_shrinker_figures),
		cmocka_unit_test(test_short_lived_reclaimers_add_up),
	};
	return cmocka_run_group_tests_name("reclaim", tests, NULL, NULL);
}
