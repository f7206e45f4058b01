/* The reclaim detectors (reclaim.*) on fixture trees. The live ones
 * (reclaim.direct_reclaim_stall, reclaim.shrinker_slow) need the tracer:
 * test_watch runs them on the real kernel, test_trace plans them. */
#include "detectutil.h"

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
	findings_free(&f);
	skips_free(&s);
	free(t.hists);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degrade_kswapd_without_vmstat),
		cmocka_unit_test(test_shrinker_figures),
	};
	return cmocka_run_group_tests_name("reclaim", tests, NULL, NULL);
}
