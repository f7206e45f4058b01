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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degrade_kswapd_without_vmstat),
	};
	return cmocka_run_group_tests_name("reclaim", tests, NULL, NULL);
}
