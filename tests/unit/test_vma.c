/* Address-space analysis (seed 001): the seed's layout makes a 516 KB
 * mapping walk thousands of regions on a pre-3.8 kernel, a dozen steps on
 * a later one. Then the vma.* detectors on it, through the data path
 * (tests/fixtures/vma-seed001-tree.sh), and on tracer data built by hand. */
#include "detectutil.h"
#include "model/vma.h"
#include "trace/trace.h"

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

/* ---- the detectors (vma.*), through the data path ---- */

/* Seed 001 as a tree: a 2.6.32 host (the rhel6 tree) plus the seed's
 * process, pid 4242, with the seed's maps. */
static char *seed001_tree(const char *release, const char *max_map_count)
{
	_cleanup_free_ char *tmpl = xasprintf("%s/seed001-XXXXXX", tmpdir);
	assert_non_null(mkdtemp(tmpl));
	_cleanup_free_ char *cmd =
		xasprintf("tests/fixtures/vma-seed001-tree.sh '%s' '%s' '%s'", tmpl, release, max_map_count);
	assert_int_equal(system(cmd), 0);
	return xstrdup(tmpl);
}

static void drop_tree(char *dir)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static void test_seed001_fragmentation(void **state UNUSED)
{
	struct run r;
	char *dir = seed001_tree("2.6.32-431.el6.x86_64", "65530");
	run_tree(dir, &r);
	const struct finding *f = find(&r, "vma.fragmentation");
	assert_non_null(f);
	/* Before 3.8: the linear walk, thousands of find_vma steps. */
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_int_equal(f->nsubj, 1);
	assert_int_equal(f->subj[0].pid, 4242);
	assert_string_equal(f->subj[0].comm, "mysqld");
	assert_true(ev(f, "vmas") == 9053);
	assert_true(ev(f, "search_size") == 528384);
	assert_true(ev(f, "linear_search_steps") > 4000);
	assert_true(ev(f, "max_map_count_share") > 0.13 && ev(f, "max_map_count_share") < 0.14);
	assert_non_null(strstr(f->summary, "before 3.8"));
	assert_non_null(strstr(finding_evidence(f, "region_sizes")->str, "516 KiB x 2885"));
	assert_null(find(&r, "vma.map_count_near_limit"));
	run_free(&r);
	drop_tree(dir);

	/* The same process on 6.18: a gap tree. The count is information
	 * (issue 16: a warning is harm a user would notice, and FIELD-NOTES
	 * measured no cost from 9,000 unmergeable regions on 6.18; it was a
	 * warning from 5,000 regions, which every large JVM or browser has). */
	dir = seed001_tree("6.18.44", "65530");
	run_tree(dir, &r);
	f = find(&r, "vma.fragmentation");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_null(finding_evidence(f, "linear_search_steps"));
	assert_true(ev(f, "tree_search_steps") > 13 && ev(f, "tree_search_steps") < 14);
	assert_non_null(strstr(f->summary, "gap-augmented tree"));
	/* that they are mallocs is a guess from their size, and said as one */
	assert_non_null(strstr(f->summary, "2885 regions of 516 KiB, the size glibc maps for a 512 KiB malloc if "
					   "that is where they come from"));
	run_free(&r);
	drop_tree(dir);
}

static void test_map_count_limit(void **state UNUSED)
{
	static const struct {
		const char *limit;
		bool found;
		enum severity sev;
	} cases[] = {{"11400", false, 0}, {"11200", true, SEV_WARNING}, {"9500", true, SEV_CRITICAL}};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct run r;
		char *dir = seed001_tree("6.18.44", cases[i].limit);
		run_tree(dir, &r);
		const struct finding *f = find(&r, "vma.map_count_near_limit");
		if (!cases[i].found) {
			assert_null(f); /* 9053 / 11400 = 79% */
		} else {
			assert_non_null(f);
			assert_int_equal(f->severity, cases[i].sev);
			assert_true(ev(f, "max_map_count") == atof(cases[i].limit));
			assert_int_equal(f->subj[0].pid, 4242);
		}
		run_free(&r);
		drop_tree(dir);
	}
}

/* mmap churn from tracer data built by hand: pairs of one size above the
 * rate threshold are named; scattered sizes or a reused buffer are not. */
static void add_vmop(struct traced *t, unsigned kind, uint32_t tgid, uint64_t len, uint64_t count, uint64_t ns_each)
{
	ARRAY_GROW(t->hists, t->nhists, t->caphists);
	struct tr_hist *h = &t->hists[t->nhists++];
	*h = (struct tr_hist){.tgid = tgid, .kind = kind, .detail = len, .count = count, .sum_ns = count * ns_each,
			      .max_ns = ns_each * 3, .extra2 = kind == TR_MMAP ? count : 0};
	snprintf(h->comm, sizeof(h->comm), "server");
	h->slots[2] = count;
}

static const struct finding *churn_of(struct traced *t, struct findings *f)
{
	struct inputs in = {0};
	struct skips s = {0};
	in.traced = t;
	t->groups = TG_VMA | TG_VMA_SEARCH;
	view_update(&in);
	detect_all(&in, 0, f, &s);
	skips_free(&s);
	inputs_free(&in);
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, "vma.mmap_churn"))
			return &f->v[i];
	return NULL;
}

static void test_mmap_churn_thresholds(void **state UNUSED)
{
	struct traced t = {.duration_s = 10};
	struct findings f = {0};

	/* 40 pairs/s of 516 KiB: below the threshold. */
	add_vmop(&t, TR_MMAP, 77, 528384, 400, 3000);
	add_vmop(&t, TR_MUNMAP, 77, 528384, 400, 3000);
	assert_null(churn_of(&t, &f));
	findings_free(&f);
	traced_free(&t);

	/* 2,000 pairs/s: a warning naming the size, the malloc behind it, the rate. */
	t = (struct traced){.duration_s = 10};
	add_vmop(&t, TR_MMAP, 77, 528384, 20000, 3000);
	add_vmop(&t, TR_MUNMAP, 77, 528384, 20000, 4000);
	add_vmop(&t, TR_MMAP, 77, 4096, 30000, 1000); /* mapped, never unmapped */
	add_vmop(&t, TR_UNMAPPED_AREA, 77, 528384, 20000, 0);
	/* before it exec'd, under its launcher's name: an early munmap, and
	 * the searches entry (one per process, the busiest of all) */
	add_vmop(&t, TR_MUNMAP, 77, 8192, 3, 1000);
	snprintf(t.hists[t.nhists - 1].comm, sizeof(t.hists[0].comm), "taskset");
	add_vmop(&t, TR_UNMAPPED_AREA, 77, 0, 90000, 0);
	snprintf(t.hists[t.nhists - 1].comm, sizeof(t.hists[0].comm), "taskset");
	const struct finding *c = churn_of(&t, &f);
	assert_non_null(c);
	assert_string_equal(c->subj[0].comm, "server"); /* gone: the name from its busiest histogram */
	assert_int_equal(c->severity, SEV_WARNING);
	assert_int_equal(c->subj[0].pid, 77);
	assert_true(ev(c, "pattern_size") == 528384);
	assert_true(ev(c, "pattern_rate") == 2000);
	assert_true(ev(c, "mmap_rate") == 5000);
	assert_true(fabs(ev(c, "munmap_rate") - 2000.3) < 1e-9);
	assert_true(ev(c, "unmapped_area_searches") == 11000);
	/* (20000 * 3 + 20000 * 4 + 30000 * 1 + 3 * 1) us in 10 s: 1.7% of a CPU */
	assert_true(fabs(ev(c, "syscall_cpu_share") - 0.0170003) < 1e-9);
	assert_non_null(strstr(c->title, "516 KiB"));
	assert_non_null(strstr(c->summary, "512 KiB malloc"));
	/* The call site is not known: that it is malloc is a guess, said as one. */
	assert_non_null(strstr(c->summary, "If these come from malloc, 516 KiB is what glibc maps"));
	assert_null(strstr(c->title, "malloc/free"));
	assert_true(ev(c, "pair_rate") == 2000);
	findings_free(&f);
	traced_free(&t);

	/* A quarter of a CPU in the two syscalls: critical. */
	t = (struct traced){.duration_s = 1};
	add_vmop(&t, TR_MMAP, 78, 1 << 20, 30000, 5000);
	add_vmop(&t, TR_MUNMAP, 78, 1 << 20, 30000, 5000);
	c = churn_of(&t, &f);
	assert_non_null(c);
	assert_int_equal(c->severity, SEV_CRITICAL);
	assert_null(strstr(c->summary, "malloc")); /* 1 MiB exactly is not a malloc's mmap */
	findings_free(&f);
	traced_free(&t);
}

/* The tracer times one call in 8 and counts the rest: the time in all of
 * them is estimated from the timed ones, and said to be. */
static void test_mmap_churn_from_timed_calls(void **state UNUSED)
{
	struct traced t = {.duration_s = 1};
	struct findings f = {0};
	add_vmop(&t, TR_MMAP, 78, 1 << 20, 30000, 5000);
	add_vmop(&t, TR_MUNMAP, 78, 1 << 20, 30000, 5000);
	for (size_t i = 0; i < t.nhists; i++) { /* 3,750 of each timed, at 5 us */
		t.hists[i].untimed = 26250;
		t.hists[i].sum_ns = 3750 * 5000;
		t.hists[i].slots[2] = 3750;
	}
	const struct finding *c = churn_of(&t, &f);
	assert_non_null(c);
	assert_int_equal(c->severity, SEV_CRITICAL); /* 0.3 s of the 1 s window, as if all were timed */
	assert_true(fabs(ev(c, "syscall_cpu_share") - 0.3) < 1e-9);
	assert_true(fabs(ev(c, "syscall_time") - 0.3) < 1e-9);
	assert_true(fabs(ev(c, "mmap_mean") - 5e-6) < 1e-15);
	assert_true(ev(c, "calls_timed") == 7500);
	assert_true(ev(c, "mmap_rate") == 30000); /* counts are every call */
	findings_free(&f);
	traced_free(&t);

	/* 60 pairs/s with 15 calls timed, one of them 80 ms (a large
	 * munmap): estimated, 8 times that would be 5.3% of the CPU, a
	 * warning; measured, 0.67%. Too few timed calls to scale a level:
	 * information. */
	t = (struct traced){.duration_s = 10};
	add_vmop(&t, TR_MMAP, 79, 528384, 600, 0);
	add_vmop(&t, TR_MUNMAP, 79, 528384, 600, 0);
	t.hists[0].untimed = 592, t.hists[0].sum_ns = 8 * 50000;
	t.hists[1].untimed = 593, t.hists[1].sum_ns = 80000000 + 6 * 50000;
	c = churn_of(&t, &f);
	assert_non_null(c);
	assert_true(ev(c, "syscall_cpu_share") > 0.05);
	assert_int_equal(c->severity, SEV_INFO);
	findings_free(&f);
	traced_free(&t);

	/* All timed: no calls_timed, the plain sum. */
	t = (struct traced){.duration_s = 1};
	add_vmop(&t, TR_MMAP, 78, 1 << 20, 30000, 5000);
	add_vmop(&t, TR_MUNMAP, 78, 1 << 20, 30000, 5000);
	c = churn_of(&t, &f);
	assert_non_null(c);
	assert_null(finding_evidence(c, "calls_timed"));
	assert_true(fabs(ev(c, "syscall_time") - 0.3) < 1e-9);
	findings_free(&f);
	traced_free(&t);
}

/* Churn spread over many sizes is rated as a whole (issue 16): stress-ng
 * --malloc makes about 1,000 mmap/munmap pairs/s of random sizes, 5/s of
 * each of 200, which its one largest size rated as nothing. */
static void test_mmap_churn_spread_sizes(void **state UNUSED)
{
	struct traced t = {.duration_s = 10};
	struct findings f = {0};
	for (uint64_t i = 0; i < 200; i++) {
		uint64_t len = 73728 + i * 8192; /* 72 KiB to 1664 KiB, none a malloc's size */
		add_vmop(&t, TR_MMAP, 26180, len, 50, 12000);
		add_vmop(&t, TR_MUNMAP, 26180, len, 50, 12000);
	}
	for (size_t i = 0; i < t.nhists; i++)
		snprintf(t.hists[i].comm, sizeof(t.hists[i].comm), "stress-ng-mallo");
	const struct finding *c = churn_of(&t, &f);
	assert_non_null(c);
	assert_int_equal(c->severity, SEV_WARNING); /* 1,000 pairs/s in all */
	assert_true(ev(c, "pair_rate") == 1000);
	assert_true(ev(c, "pairs") == 10000);
	assert_true(ev(c, "sizes_paired") == 200);
	assert_true(ev(c, "pattern_rate") == 5); /* the commonest size alone */
	assert_non_null(strstr(c->title, "200 sizes"));
	assert_null(strstr(c->summary, "malloc, "));   /* no size looks like one */
	/* the dominant sizes are still named, and the threshold must clear the largest */
	assert_non_null(strstr(finding_evidence(c, "sizes")->str, "KiB: 50 mmap / 50 munmap"));
	bool above = false;
	for (size_t i = 0; i < c->nremedy; i++)
		above |= strstr(c->remedy[i], "above 1664 KiB") != NULL;
	assert_true(above);
	findings_free(&f);
	traced_free(&t);
}

/* Churn over many sizes: the sizes evidence lists whole entries, the most
 * paired first, and says how many it left out (issue 16: "16 KiB:  mmap/
 * munmap", cut mid-entry); its figures are written as the summary's. */
static void test_mmap_churn_sizes_whole(void **state UNUSED)
{
	struct traced t = {.duration_s = 10};
	struct findings f = {0};

	add_vmop(&t, TR_MMAP, 79, 528384, 120008, 3000);
	add_vmop(&t, TR_MUNMAP, 79, 528384, 120001, 3000);
	for (uint64_t k = 1; k <= 8; k++) {
		add_vmop(&t, TR_MMAP, 79, k * 16384, 9 - k, 1000);
		add_vmop(&t, TR_MUNMAP, 79, k * 16384, 9 - k, 1000);
	}
	const struct finding *c = churn_of(&t, &f);
	assert_non_null(c);
	const char *sz = finding_evidence(c, "sizes")->str;
	assert_string_equal(sz, "516 KiB: 120.0 k mmap / 120.0 k munmap; 16 KiB: 8 mmap / 8 munmap; 32 KiB: 7 mmap / 7 "
				"munmap; 48 KiB: 6 mmap / 6 munmap; 64 KiB: 5 mmap / 5 munmap; +4 more");
	/* the pairs over all sizes (issue 16), the commonest named */
	assert_non_null(strstr(c->summary, "In 10 s server (pid 79) made 120.0 k mmap and 120.0 k munmap calls; "
					   "120.0 k regions were mapped and unmapped again at the same length (12.0 k "
					   "pairs/s), all but 36 of them 516 KiB."));
	findings_free(&f);
	traced_free(&t);
}

/* A culprit made of many short-lived processes of one command (a CGI
 * forked per request): 200 of them, 60 pairs of 516 KiB each in 10 s, 6/s
 * each, 1,200/s together. Found, by the command, with its parent named
 * when a member is still there; a member that qualifies alone keeps its
 * own finding and is not counted twice. */
static void test_mmap_churn_short_lived(void **state UNUSED)
{
	struct traced t = {.duration_s = 10, .groups = TG_VMA | TG_VMA_SEARCH};
	struct inputs in = {0};
	struct findings f;
	struct skips s;
	for (uint32_t p = 5000; p < 5200; p++) {
		add_vmop(&t, TR_MMAP, p, 528384, 60, 3000);
		add_vmop(&t, TR_MUNMAP, p, 528384, 60, 3000);
	}
	add_vmop(&t, TR_MMAP, 6000, 528384, 20000, 3000); /* one that churns on its own */
	add_vmop(&t, TR_MUNMAP, 6000, 528384, 20000, 3000);
	for (size_t i = 0; i < t.nhists; i++)
		snprintf(t.hists[i].comm, sizeof(t.hists[i].comm), "cgi");
	struct proc_entry p[2] = {{.stat = {.pid = 4000, .ppid = 1, .comm = "httpd", .state = 'S'}},
				  {.stat = {.pid = 5199, .ppid = 4000, .comm = "cgi", .state = 'R'}}};
	in.cur.procs = p;
	in.cur.nprocs = 2;
	in.cur.s_procs.state = SRC_OK;
	in.traced = &t;
	detect_inputs(&in, &f, &s);
	const struct finding *alone = NULL, *group = NULL;
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].id, "vma.mmap_churn"))
			*(f.v[i].subj[0].pid == 6000 ? &alone : &group) = &f.v[i];
	assert_non_null(alone);
	assert_true(ev(alone, "pair_rate") == 2000);
	assert_non_null(group);
	assert_int_equal(group->severity, SEV_WARNING);
	assert_true(ev(group, "processes") == 200);
	assert_true(ev(group, "pair_rate") == 1200);
	assert_string_equal(group->subj[0].comm, "cgi");
	assert_non_null(strstr(group->title, "200 processes"));
	bool parent = false;
	for (size_t i = 0; i < group->nsubj; i++)
		parent |= group->subj[i].pid == 4000 && !strcmp(group->subj[i].comm, "httpd");
	assert_true(parent);
	findings_free(&f);
	skips_free(&s);
	traced_free(&t);

	/* A build host's or a shell loop's thousands of short processes, each
	 * starting up with a pair or two (ld.so's cache): not churn. */
	t = (struct traced){.duration_s = 10, .groups = TG_VMA | TG_VMA_SEARCH};
	for (uint32_t q = 7000; q < 10000; q++) {
		add_vmop(&t, TR_MMAP, q, 45056, 1, 3000);
		add_vmop(&t, TR_MUNMAP, q, 45056, 1, 3000);
	}
	for (size_t i = 0; i < t.nhists; i++)
		snprintf(t.hists[i].comm, sizeof(t.hists[i].comm), "true");
	in.cur.nprocs = 0;
	detect_inputs(&in, &f, &s);
	assert_null(find_in(&f, "vma.mmap_churn")); /* 300 pairs/s, one per process */
	findings_free(&f);
	skips_free(&s);
	traced_free(&t);
}

/* ---- degrade, do not drop: one missing file costs one figure ---- */

static void test_degrade_near_limit_assumed(void **state UNUSED)
{
	struct inputs in = {0};
	struct findings f;
	struct skips s;
	struct perr e;
	struct proc_entry p = {.stat = {.pid = 4242, .comm = "mysqld", .state = 'S', .vsize = 1 << 30},
			       .vma = &(struct vma_summary){.nvmas = 64000}};

	/* 98% of the kernel's default limit: with the host's own limit not
	 * read, at most a warning (distributions raise it). */
	in.cur.procs = &p;
	in.cur.nprocs = 1;
	in.cur.s_procs.state = SRC_OK;
	assert_int_equal(kernel_release_parse("6.18.0", &in.host.kver, &e), 0);
	in.host.has_kver = true;
	detect_inputs(&in, &f, &s);
	const struct finding *x = find_in(&f, "vma.map_count_near_limit");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_true(ev(x, "max_map_count") == 65530);
	assert_non_null(strstr(x->summary, "at most a warning"));
	findings_free(&f);
	skips_free(&s);
	struct kv lim = {(char *)"vm.max_map_count", 65530};
	in.host.sysctl = (struct kvtab){.v = &lim, .n = 1};
	detect_inputs(&in, &f, &s);
	assert_int_equal(find_in(&f, "vma.map_count_near_limit")->severity, SEV_CRITICAL);
	findings_free(&f);
	skips_free(&s);
}

static void test_degrade_churn_without_maps(void **state UNUSED)
{
	struct inputs in = {0};
	struct findings f;
	struct skips s;
	struct perr e;
	const struct finding *x;
	struct proc_entry p = {.stat = {.pid = 4242, .comm = "mysqld", .state = 'S', .vsize = 1 << 30}};
	in.cur.procs = &p;
	in.cur.nprocs = 1;
	in.cur.s_procs.state = SRC_OK;
	in.host.has_kver = true;

	/* Churn on a pre-3.8 kernel by a process whose maps timed out: its
	 * layout is unknown, not "no regions". */
	struct traced t = {.duration_s = 10, .groups = TG_VMA | TG_VMA_SEARCH};
	add_vmop(&t, TR_MMAP, 4242, 528384, 20000, 3000);
	add_vmop(&t, TR_MUNMAP, 4242, 528384, 20000, 3000);
	assert_int_equal(kernel_release_parse("2.6.32-431.el6.x86_64", &in.host.kver, &e), 0);
	struct unreadable u = {.pid = 4242, .comm = "mysqld", .file = "maps",
			       .reason = "read did not finish within the deadline (the process may hold its mmap_lock)"};
	in.unreadable = &u;
	in.nunreadable = 1;
	in.traced = &t;
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "vma.mmap_churn");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING); /* 2,000 pairs/s */
	assert_true(ev(x, "pattern_rate") == 2000);
	assert_unknown(x, "vmas", "proc/4242/maps: read did not finish");
	assert_non_null(strstr(x->summary, "at most a warning"));
	findings_free(&f);
	skips_free(&s);
	traced_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed001_layout),
		cmocka_unit_test(test_holes_and_neighbours),
		cmocka_unit_test(test_real_maps),
		cmocka_unit_test(test_seed001_fragmentation),
		cmocka_unit_test(test_map_count_limit),
		cmocka_unit_test(test_mmap_churn_thresholds),
		cmocka_unit_test(test_mmap_churn_from_timed_calls),
		cmocka_unit_test(test_mmap_churn_spread_sizes),
		cmocka_unit_test(test_mmap_churn_short_lived),
		cmocka_unit_test(test_mmap_churn_sizes_whole),
		cmocka_unit_test(test_degrade_near_limit_assumed),
		cmocka_unit_test(test_degrade_churn_without_maps),
	};
	return cmocka_run_group_tests_name("vma", tests, group_setup, group_teardown);
}
