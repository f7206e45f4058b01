/* Detectors through the real data path, on what is not one mechanism's:
 * the healthy and real trees raise nothing, a malformed tree names its
 * files and lines, metrics not read are left out, every finding id has a
 * knowledge-base entry. Each mechanism's own tests are in
 * tests/unit/test_<mechanism>.c. */
#include "detectutil.h"
#include "kb/kb.h"

static void test_healthy_trees_raise_nothing(void **state UNUSED)
{
	static const char *const trees[] = {"tests/fixtures/healthy-6.18-vm", "tests/fixtures/rhel6-2.6.32-era",
					    "tests/fixtures/many-cpu-1152"};
	for (size_t i = 0; i < ARRAY_SIZE(trees); i++) {
		struct run r;
		run_tree(trees[i], &r);
		assert_no_warning(&r, trees[i]);
		if (r.in.nerrors)
			fail_msg("%s: %s: %s", trees[i], r.in.errors[0].file, r.in.errors[0].msg);
		run_free(&r);
	}
}

static void test_healthy_capture_metrics(void **state UNUSED)
{
	struct run r;
	run_tree("tests/fixtures/healthy-6.18-vm", &r);
	assert_int_equal(r.in.mode, WINDOW_INTERVAL);
	assert_string_equal(r.in.window_source, "snapshot");
	assert_true(metric(&r, "cpu.online") == 2);
	assert_true(metric(&r, "cpu.idle_share") > 0.5);
	assert_true(metric(&r, "memory.MemTotal") > 20e9);
	assert_true(metric(&r, "dentry.nr_dentry") > 1000);
	assert_true(metric(&r, "processes.count") > 10);
	/* 6.18 counts negative dentries: the detector ran and found nothing. */
	assert_null(skipped(&r, "dcache.negative_dentries"));
	run_free(&r);

	run_tree("tests/fixtures/many-cpu-1152", &r);
	assert_true(metric(&r, "cpu.online") == 1152);
	assert_int_equal(r.in.cur.softirqs.ncols, 1152);
	assert_int_equal(r.in.mode, WINDOW_SINCE_BOOT);
	run_free(&r);
}

static void test_real_trees_parse_cleanly(void **state UNUSED)
{
	_cleanup_free_ char *dir = real_path("trees");
	char **trees = list_dir(dir);
	unsigned n = 0;
	assert_non_null(trees);
	for (char **t = trees; *t; t++, n++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, *t);
		struct run r;
		run_tree(p, &r);
		if (r.in.nerrors)
			fail_msg("%s: %s:%u: %s", *t, r.in.errors[0].file, r.in.errors[0].line, r.in.errors[0].msg);
		assert_no_warning(&r, *t);
		run_free(&r);
	}
	free_list(trees);
	assert_int_equal(n, 13);
}

static void test_malformed_tree_names_file_and_line(void **state UNUSED)
{
	struct run r;
	run_tree("tests/fixtures/malformed", &r);
	static const struct {
		const char *file;
		unsigned line;
	} want[] = {
		{"proc/meminfo", 2}, {"proc/sys/fs/dentry-state", 1}, {"proc/stat", 1},
		{"proc/interrupts", 4}, {"proc/softirqs", 3}, {"proc/42/stat", 1},
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		bool hit = false;
		for (size_t j = 0; j < r.in.nerrors; j++)
			hit |= !strcmp(r.in.errors[j].file, want[i].file) && r.in.errors[j].line == want[i].line;
		if (!hit)
			fail_msg("no error for %s line %u", want[i].file, want[i].line);
	}
	/* Not read as zero: the detectors say why they could not run. */
	assert_int_equal(r.f.n, 0);
	const struct skip *s = skipped(&r, "dcache.bloat");
	assert_non_null(s);
	assert_non_null(strstr(s->reason, "dentry-state"));
	assert_non_null(strstr(s->reason, "line 1"));
	run_free(&r);
}

/* Counts of what was not read are left out, not 0. */
static void test_degrade_metrics_not_read(void **state UNUSED)
{
	struct run r;
	run_tree("tests/fixtures/rhel6-2.6.32-era", &r); /* no sys/ at all */
	assert_false(has_metric(&r, "net.rx_queues"));
	assert_false(has_metric(&r, "net.rx_queues_with_rps"));
	assert_false(has_metric(&r, "bdi.count"));
	assert_false(has_metric(&r, "bdi.strict_limit"));
	assert_true(metric(&r, "processes.count") >= 1);
	run_free(&r);
}

static void test_every_id_has_kb_entry(void **state UNUSED)
{
	for (size_t i = 0; i < ndetectors; i++)
		for (const char *const *id = detectors[i]->ids; *id; id++) {
			const struct kb_entry *e = kb_find(*id);
			if (!e)
				fail_msg("no knowledge-base entry for %s", *id);
			assert_true(strlen(e->mechanism) > 100 && strlen(e->fix) > 100 && strlen(e->confirm) > 50);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_trees_raise_nothing),
		cmocka_unit_test(test_healthy_capture_metrics),
		cmocka_unit_test(test_real_trees_parse_cleanly),
		cmocka_unit_test(test_malformed_tree_names_file_and_line),
		cmocka_unit_test(test_degrade_metrics_not_read),
		cmocka_unit_test(test_every_id_has_kb_entry),
	};
	return cmocka_run_group_tests_name("detect", tests, NULL, NULL);
}
