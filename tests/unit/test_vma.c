/* Address-space analysis (seed 001): the seed's layout makes a 516 KB
 * mapping walk thousands of regions on a pre-3.8 kernel, a dozen steps on
 * a later one. */
#include "testutil.h"
#include "model/vma.h"

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
	struct vma_summary s;
	load("tests/fixtures/vma-seed001-maps/maps", &m);
	assert_int_equal(vma_summarize(&m, &s), 0);
	/* The seed's own figures. */
	assert_int_equal(s.nvmas, 9053);
	assert_true(s.top_sizes[0].size == 516 * 1024);
	assert_int_equal(s.top_sizes[0].count, 2885);
	static const struct {
		uint64_t kib;
		size_t count;
	} seed[] = {{516, 2885}, {1032, 783}, {1548, 589}, {132, 558}};
	for (size_t i = 0; i < ARRAY_SIZE(seed); i++) {
		size_t k = 0;
		while (k < s.ntop && s.top_sizes[k].size != seed[i].kib * 1024)
			k++;
		assert_true(k < s.ntop);
		assert_int_equal(s.top_sizes[k].count, seed[i].count);
	}
	assert_true(s.nholes >= 4400);
	assert_true(s.hole_buckets[0] >= 4400); /* small holes: 16 KiB or less */
	assert_true(s.mmap_base == 0x7f3a5c000000ULL);
	/* A 512 KB malloc is a 516 KB (528,384-byte) mmap: the seed's "4000+". */
	struct search_cost c = vma_search_cost(&m, s.mmap_base, 528384);
	assert_true(c.found);
	print_message("516 KB search: %zu find_vma steps before 3.8, ~%.1f after\n", c.linear_steps, s.tree_steps);
	assert_true(c.linear_steps > 4000);
	assert_int_equal(s.top_sizes[0].linear_steps, c.linear_steps);
	assert_true(s.tree_steps > 13 && s.tree_steps < 14);
	/* A small mapping fits the first hole. */
	c = vma_search_cost(&m, s.mmap_base, 4096);
	assert_true(c.found);
	assert_true(c.linear_steps <= 2);
	maps_free(&m);
}

static void test_holes_and_neighbours(void **state UNUSED)
{
	/* heap, the unused middle, then four regions below mmap_base: two
	 * anonymous rw neighbours that touch (unmerged), a 8 KiB hole, a
	 * 1 MiB hole; then the stack. */
	const char *text =
		"00600000-00621000 rw-p 00000000 00:00 0 [heap]\n"
		"7f0000000000-7f0000001000 rw-p 00000000 00:00 0\n"
		"7f0000001000-7f0000002000 rw-p 00000000 00:00 0\n"
		"7f0000004000-7f0000005000 r--p 00000000 08:01 12 /lib/x.so\n"
		"7f0000105000-7f0000106000 rw-p 00000000 00:00 0\n"
		"7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]\n";
	struct maps m = {0};
	struct perr e = {0};
	struct vma_summary s;
	assert_int_equal(proc_maps_parse(text, &m, &e), 0);
	assert_int_equal(vma_summarize(&m, &s), 0);
	assert_int_equal(s.nvmas, 6);
	assert_int_equal(s.unmerged_neighbours, 1);
	assert_int_equal(s.nholes, 2); /* the heap-to-mmap gap is not a hole */
	assert_true(s.hole_bytes == 0x2000 + 0x100000);
	assert_true(s.largest_hole == 0x100000);
	assert_int_equal(s.hole_buckets[0], 1);
	assert_int_equal(s.hole_buckets[2], 1);
	assert_true(s.mmap_base == 0x7f0000106000ULL);
	/* 16 KiB: no hole below mmap_base fits until below the 1 MiB one. */
	struct search_cost c = vma_search_cost(&m, s.mmap_base, 16384);
	assert_true(c.found);
	assert_int_equal(c.linear_steps, 2);
	maps_free(&m);
	/* Out of order: not a kernel's maps file. */
	assert_int_equal(proc_maps_parse("7f0000001000-7f0000002000 rw-p 0 00:00 0\n"
					 "7f0000000000-7f0000001000 rw-p 0 00:00 0\n", &m, &e), 0);
	assert_int_equal(vma_summarize(&m, &s), -EINVAL);
	maps_free(&m);
}

static void test_real_maps(void **state UNUSED)
{
	struct maps m = {0};
	struct vma_summary s;
	_cleanup_free_ char *p = real_path("files/maps/rust-scan-rules__maps_x86_64_ubuntu1404_bash_vsyscall_rxp");
	load(p, &m);
	assert_int_equal(vma_summarize(&m, &s), 0);
	assert_int_equal(s.nvmas, m.n);
	assert_true(s.mmap_base > 0);
	struct search_cost c = vma_search_cost(&m, s.mmap_base, 1 << 20);
	assert_true(c.found);
	assert_true(c.linear_steps < 20); /* an ordinary process: room at once */
	maps_free(&m);

	/* Every real maps file summarises, and the walk always ends. */
	_cleanup_free_ char *dir = real_path("files/maps");
	char **files = list_dir(dir);
	for (char **f = files; f && *f; f++) {
		_cleanup_free_ char *fp = xasprintf("%s/%s", dir, *f);
		load(fp, &m);
		assert_int_equal(vma_summarize(&m, &s), 0);
		for (size_t k = 0; k < s.ntop; k++)
			assert_true(s.top_sizes[k].linear_steps <= m.n + 2);
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
		cmocka_unit_test(test_holes_and_neighbours),
		cmocka_unit_test(test_real_maps),
	};
	return cmocka_run_group_tests_name("vma", tests, NULL, NULL);
}
