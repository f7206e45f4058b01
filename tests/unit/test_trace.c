/* Probe before load: what runs on a kernel that lacks tracepoints, and
 * what it says about the rest. Pure: a fake kernel. */
#include "testutil.h"
#include "detect/detect.h"
#include "trace/trace.h"

static bool has_all_but(void *ctx, const char *tp)
{
	for (const char *const *m = ctx; *m; m++)
		if (!strcmp(*m, tp))
			return false;
	return true;
}

/* The plan on a fake kernel, and the skips the detectors' trace needs make
 * of what it says. */
static unsigned tracer_plan_skips(const char **missing, struct skips *s)
{
	struct tg_notes notes = {0};
	unsigned g = tracer_plan(has_all_but, missing, &notes);
	detect_trace_skips(g, &notes, s);
	tg_notes_free(&notes);
	return g;
}

static const char *reason(const struct skips *s, const char *id)
{
	const char *r = NULL;
	unsigned n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].detector, id)) {
			r = s->v[i].reason;
			n++;
		}
	if (n > 1)
		fail_msg("%s listed %u times", id, n);
	return r;
}

static void test_full_kernel_runs_everything(void **state UNUSED)
{
	const char *none[] = {NULL};
	struct skips s = {0};
	unsigned g = tracer_plan_skips(none, &s);
	/* Every group (src/model/groups.h) but the one fallback: contention_*
	 * is unused where the mmap_lock tracepoints are there. */
	assert_int_equal(g, TG_ALL & ~TG_ML_CONTENTION);
	assert_int_equal(s.n, 0);
}

static void test_missing_tracepoints_are_named(void **state UNUSED)
{
	/* Both shrinker tracepoints missing: one line, naming the first. */
	const char *m1[] = {"mm_shrink_slab_start", "mm_shrink_slab_end", NULL};
	struct skips s = {0};
	unsigned g = tracer_plan_skips(m1, &s);
	assert_false(g & TG_SHRINKER);
	assert_true(g & TG_RECLAIM);
	assert_string_equal(reason(&s, "reclaim.shrinker_slow"), "this kernel has no mm_shrink_slab_start tracepoint");
	assert_int_equal(s.n, 1);
	skips_free(&s);

	/* No memcg pair: reclaim stalls still run on the direct pair. */
	const char *m2[] = {"mm_vmscan_memcg_reclaim_begin", NULL};
	g = tracer_plan_skips(m2, &s);
	assert_false(g & TG_MEMCG);
	assert_true(g & TG_RECLAIM);
	assert_null(reason(&s, "reclaim.direct_reclaim_stall"));
	skips_free(&s);

	/* Neither pair: skipped, with the reason. */
	const char *m3[] = {"mm_vmscan_memcg_reclaim_end", "mm_vmscan_direct_reclaim_begin", NULL};
	g = tracer_plan_skips(m3, &s);
	assert_false(g & (TG_MEMCG | TG_RECLAIM));
	assert_non_null(strstr(reason(&s, "reclaim.direct_reclaim_stall"), "mm_vmscan_direct_reclaim_begin"));
	skips_free(&s);

	/* No raw syscall tracepoints: no producers, no mmap churn (nor its
	 * searches), the rest runs. */
	const char *m4[] = {"sys_exit", NULL};
	g = tracer_plan_skips(m4, &s);
	assert_false(g & (TG_LOOKUPS | TG_VMA | TG_VMA_SEARCH));
	assert_true(g & TG_SHRINKER);
	assert_non_null(reason(&s, "dcache.negative_dentry_producers"));
	assert_non_null(reason(&s, "irq.slabinfo_reader"));
	assert_non_null(strstr(reason(&s, "vma.mmap_churn"), "sys_exit"));
	assert_int_equal(s.n, 3);
	skips_free(&s);

	/* No vm_unmapped_area (before 5.x): churn runs, searches are not
	 * counted, and nothing is skipped (the finding says it). */
	const char *m5[] = {"vm_unmapped_area", NULL};
	g = tracer_plan_skips(m5, &s);
	assert_true(g & TG_VMA);
	assert_false(g & TG_VMA_SEARCH);
	assert_int_equal(s.n, 0);
	skips_free(&s);

	/* No softirq_raise: softirq durations are off and say why; hardirqs run. */
	const char *m6[] = {"softirq_raise", NULL};
	g = tracer_plan_skips(m6, &s);
	assert_false(g & TG_SOFTIRQ);
	assert_true(g & TG_HARDIRQ);
	assert_string_equal(reason(&s, "irq.softirq_long"), "this kernel has no softirq_raise tracepoint");
	skips_free(&s);
}

static void test_irqsoff_tracers_note(void **state UNUSED)
{
	char b[512];
	/* This VM's kernel: none of them. */
	tracer_irqsoff_note("blk function nop", b, sizeof(b));
	assert_non_null(strstr(b, "no irqsoff, osnoise or timerlat tracer (available_tracers: blk function nop)"));
	/* Present: named, and why kstall still does not switch to them. */
	tracer_irqsoff_note("timerlat osnoise irqsoff function nop", b, sizeof(b));
	assert_non_null(strstr(b, "has the irqsoff, osnoise, timerlat tracers"));
	assert_non_null(strstr(b, "current_tracer"));
	/* Whole words only: preemptirqsoff alone is not irqsoff. */
	tracer_irqsoff_note("preemptirqsoff nop", b, sizeof(b));
	assert_non_null(strstr(b, "has the preemptirqsoff tracer,"));
	tracer_irqsoff_note(NULL, b, sizeof(b));
	assert_non_null(strstr(b, "unknown"));
	tracer_irqsoff_note("", b, sizeof(b));
	assert_non_null(strstr(b, "available_tracers: none"));
}

static void test_timer_lateness_plan(void **state UNUSED)
{
	/* No hrtimer_expire_entry: irqs-off stretches skipped with the reason. */
	const char *m[] = {"hrtimer_expire_entry", NULL};
	struct skips s = {0};
	unsigned g = tracer_plan_skips(m, &s);
	assert_false(g & TG_TIMER_LATE);
	assert_true(g & TG_HARDIRQ);
	assert_string_equal(reason(&s, "irq.irqs_off"), "this kernel has no hrtimer_expire_entry tracepoint");
	assert_int_equal(s.n, 1);
	skips_free(&s);
}

static void test_writeback_plan(void **state UNUSED)
{
	/* No balance_dirty_pages: throttling skipped with the reason, and the
	 * page waits (closed by the same wakeup program) go with it. */
	const char *m[] = {"balance_dirty_pages", NULL};
	struct skips s = {0};
	unsigned g = tracer_plan_skips(m, &s);
	assert_false(g & (TG_WRITEBACK | TG_WB_WAIT));
	assert_string_equal(reason(&s, "writeback.throttle"), "this kernel has no balance_dirty_pages tracepoint");
	assert_int_equal(s.n, 1);
	skips_free(&s);
	/* No folio_wait_writeback (before 5.16): pauses only, nothing skipped. */
	const char *m2[] = {"folio_wait_writeback", NULL};
	g = tracer_plan_skips(m2, &s);
	assert_true(g & TG_WRITEBACK);
	assert_false(g & TG_WB_WAIT);
	assert_int_equal(s.n, 0);
	skips_free(&s);
}

static void test_mmap_lock_plan(void **state UNUSED)
{
	/* 5.19+ without mmap_lock tracepoints: waits from lock:contention_*,
	 * the fault programs with them; only the holds' finding is skipped. */
	const char *m0[] = {"mmap_lock_released", NULL};
	struct skips s0 = {0};
	unsigned g0 = tracer_plan_skips(m0, &s0);
	assert_false(g0 & TG_MMAP_LOCK);
	assert_true(g0 & TG_ML_CONTENTION);
	assert_true(g0 & TG_FAULT_ADDR);
	assert_null(reason(&s0, "mmap_lock.contention"));
	assert_non_null(strstr(reason(&s0, "mmap_lock.fork_stall"), "do not show holds"));
	assert_int_equal(s0.n, 1);
	skips_free(&s0);

	/* Before 5.12 (or 5.19 for lock:contention_*): both findings are
	 * skipped with the reason, and the fault programs are not loaded. */
	const char *m[] = {"mmap_lock_released", "contention_begin", NULL};
	struct skips s = {0};
	unsigned g = tracer_plan_skips(m, &s);
	assert_false(g & (TG_MMAP_LOCK | TG_FAULT_ADDR | TG_ML_CONTENTION));
	assert_string_equal(reason(&s, "mmap_lock.contention"), "this kernel has no mmap_lock_released tracepoint");
	assert_non_null(reason(&s, "mmap_lock.fork_stall"));
	assert_int_equal(s.n, 2);
	skips_free(&s);
	/* No x86 fault tracepoints (arm64): waits still traced, nothing skipped. */
	const char *m2[] = {"page_fault_user", "page_fault_kernel", NULL};
	g = tracer_plan_skips(m2, &s);
	assert_true(g & TG_MMAP_LOCK);
	assert_false(g & TG_FAULT_ADDR);
	assert_int_equal(s.n, 0);
	skips_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_kernel_runs_everything),
		cmocka_unit_test(test_missing_tracepoints_are_named),
		cmocka_unit_test(test_irqsoff_tracers_note),
		cmocka_unit_test(test_timer_lateness_plan),
		cmocka_unit_test(test_writeback_plan),
		cmocka_unit_test(test_mmap_lock_plan),
	};
	return cmocka_run_group_tests_name("trace plan", tests, NULL, NULL);
}
