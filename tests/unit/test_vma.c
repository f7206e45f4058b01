/* Address-space analysis (seed 001): the seed's layout makes a 516 KB
 * mapping walk thousands of regions on a pre-3.8 kernel, a dozen steps on
 * a later one. */
#include "testutil.h"
#include "detect/vma.h"

static void load(const char *path, struct maps *m)
{
	_cleanup_free_ char *t = slurp(path, NULL);
	struct perr e = {0};
	assert_non_null(t);
	if (proc_maps_parse(t, m, &e) < 0)
		fail_msg("%s:%u: %s", path, e.line, e.msg);
}

static void test_seed001_layout(void **state UNUSED)
{
	struct maps m = {0};
	struct vma_stats s;
	load("tests/fixtures/seed001-maps/maps", &m);
	assert_int_equal(vma_analyze(&m, &s), 0);
	assert_int_equal(s.nvmas, 9053);
	assert_true(s.top_sizes[0].size == 516 * 1024);
	assert_int_equal(s.top_sizes[0].count, 2885);
	assert_true(s.nholes >= 4400);
	assert_true(s.mmap_base == 0x7f3a5c000000ULL);
	/* A 512 KB malloc is a 516 KB (528,384-byte) mmap. */
	struct search_cost c = vma_search_cost(&m, s.mmap_base, 528384);
	assert_true(c.found);
	print_message("516 KB search: %zu find_vma steps before 3.8, ~%.1f after\n", c.linear_steps, c.tree_steps);
	assert_true(c.linear_steps > 4000);
	assert_true(c.tree_steps > 13 && c.tree_steps < 14);
	/* A small mapping fits the first hole. */
	c = vma_search_cost(&m, s.mmap_base, 4096);
	assert_true(c.found);
	assert_true(c.linear_steps <= 2);
	maps_free(&m);
}

static void test_real_maps(void **state UNUSED)
{
	struct maps m = {0};
	struct vma_stats s;
	_cleanup_free_ char *p = real_path("files/maps/rust-scan-rules__maps_x86_64_ubuntu1404_bash_vsyscall_rxp");
	load(p, &m);
	assert_int_equal(vma_analyze(&m, &s), 0);
	assert_int_equal(s.nvmas, m.n);
	assert_true(s.mmap_base > 0);
	struct search_cost c = vma_search_cost(&m, s.mmap_base, 1 << 20);
	assert_true(c.found);
	assert_true(c.linear_steps < 20); /* an ordinary process: room at once */
	maps_free(&m);

	/* Every real maps file analyses, and the walk always ends. */
	_cleanup_free_ char *dir = real_path("files/maps");
	char **files = list_dir(dir);
	for (char **f = files; f && *f; f++) {
		_cleanup_free_ char *fp = xasprintf("%s/%s", dir, *f);
		load(fp, &m);
		assert_int_equal(vma_analyze(&m, &s), 0);
		c = vma_search_cost(&m, s.mmap_base, 528384);
		assert_true(c.linear_steps <= m.n + 2);
		maps_free(&m);
	}
	free_list(files);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed001_layout),
		cmocka_unit_test(test_real_maps),
	};
	return cmocka_run_group_tests_name("vma", tests, NULL, NULL);
}
