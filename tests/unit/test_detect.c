/* Detectors through the real data path: fixture trees -> collect ->
 * detect. Plus threshold edges on inputs built by hand. */
#include "testutil.h"
#include "detect/detect.h"
#include "kb/kb.h"
#include "render/render.h"
#include "trace/trace.h"

#include <json-c/json.h>
#include <math.h>
#include <sys/syscall.h>

struct run {
	struct inputs in;
	struct findings f;
	struct skips s;
	struct metrics m;
};

static void run_tree(const char *path, struct run *r)
{
	struct sysroot *root;
	struct collect_opts o = {.interval_s = 1};

	memset(r, 0, sizeof(*r));
	if (sysroot_open(path, &root) < 0)
		fail_msg("cannot open %s", path);
	assert_int_equal(collect(root, &o, &r->in), 0);
	detect_all(&r->in, 0, &r->f, &r->s);
	metrics_collect(&r->in, &r->m);
	sysroot_free(root);
}

static void run_free(struct run *r)
{
	findings_free(&r->f);
	skips_free(&r->s);
	metrics_free(&r->m);
	inputs_free(&r->in);
}

static const struct finding *find(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->f.n; i++)
		if (!strcmp(r->f.v[i].id, id))
			return &r->f.v[i];
	return NULL;
}

static const struct skip *skipped(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->s.n; i++)
		if (!strcmp(r->s.v[i].detector, id))
			return &r->s.v[i];
	return NULL;
}

static double ev(const struct finding *f, const char *name)
{
	const struct evidence *e = finding_evidence(f, name);
	if (!e || !e->is_num)
		fail_msg("%s: no numeric evidence %s", f->id, name);
	return e->num;
}

static double metric(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->m.n; i++)
		if (!strcmp(r->m.v[i].name, name))
			return r->m.v[i].value;
	fail_msg("no metric %s", name);
	return 0;
}

static void assert_no_warning(const struct run *r, const char *what)
{
	for (size_t i = 0; i < r->f.n; i++)
		if (r->f.v[i].severity >= SEV_WARNING)
			fail_msg("%s: unexpected %s %s", what, severity_name(r->f.v[i].severity), r->f.v[i].id);
}

static void test_seed002_is_critical(void **state UNUSED)
{
	struct run r;
	run_tree("tests/fixtures/dcache-seed002-centos6", &r);
	assert_int_equal(r.in.mode, WINDOW_INTERVAL);
	assert_true(r.in.interval_s == 2.0);
	const struct finding *f = find(&r, "dcache.bloat");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_true(ev(f, "nr_dentry") == 280626228.0);
	assert_true(ev(f, "dentry_share_of_memtotal") > 0.75);
	assert_true(ev(f, "slab") == 56620596.0 * 1024);
	assert_true(ev(f, "nr_dentry_growth") == (280626228.0 - 280500000.0) / 2);
	assert_true(ev(f, "kswapd0_cpu_share") > 0.99 && ev(f, "kswapd0_cpu_share") < 1.01);
	/* The reclaimers are named as subjects. */
	int kswapd = 0;
	for (size_t i = 0; i < f->nsubj; i++)
		if (f->subj[i].kind == SUBJ_PROCESS && (f->subj[i].pid == 373 || f->subj[i].pid == 374))
			kswapd++;
	assert_int_equal(kswapd, 2);
	assert_non_null(strstr(f->summary, "kswapd"));
	bool nss = false;
	for (size_t i = 0; i < f->nremedy; i++)
		nss |= strstr(f->remedy[i], "NSS_SDB_USE_CACHE") != NULL;
	assert_true(nss);
	/* 2.6.32 cannot count negative dentries: skipped, with the reason. */
	const struct skip *s = skipped(&r, "dcache.negative_dentries");
	assert_non_null(s);
	assert_non_null(strstr(s->reason, "2.6.32"));
	assert_int_equal(r.in.nerrors, 0);
	run_free(&r);
}

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

/* ---- thresholds on built inputs ---- */

static void build(struct inputs *in, uint64_t memtotal_kb, uint64_t nr, uint64_t neg, const char *release)
{
	struct perr e;
	memset(in, 0, sizeof(*in));
	char *mi = xasprintf("MemTotal: %" PRIu64 " kB\nSlab: %" PRIu64 " kB\n", memtotal_kb, nr * 192 / 1024);
	assert_int_equal(proc_meminfo_parse(mi, &in->cur.meminfo, &e), 0);
	free(mi);
	in->cur.s_meminfo.state = SRC_OK;
	in->cur.dentry = (struct dentry_state){nr, nr / 2, 45, 0, neg, 0};
	in->cur.s_dentry.state = SRC_OK;
	assert_int_equal(kernel_release_parse(release, &in->host.kver, &e), 0);
	in->host.has_kver = true;
	in->host.user_hz = 100;
	in->mode = WINDOW_SINCE_BOOT;
	snprintf(in->host.hostname, sizeof(in->host.hostname), "t");
}

static enum severity sev_of(struct inputs *in, const char *id, bool *found)
{
	struct findings f = {0};
	struct skips s = {0};
	enum severity sev = SEV_INFO;
	detect_all(in, 0, &f, &s);
	*found = false;
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].id, id)) {
			*found = true;
			sev = f.v[i].severity;
		}
	findings_free(&f);
	skips_free(&s);
	kvtab_free(&in->cur.meminfo);
	return sev;
}

static void test_bloat_thresholds(void **state UNUSED)
{
	struct inputs in;
	bool found;
	const uint64_t mem = 16ull << 20; /* 16 GiB in kB */
	uint64_t per_pct = (uint64_t)((double)mem * 1024 / 192 / 100); /* dentries per 1% */

	build(&in, mem, 14 * per_pct, 0, "6.1.0");
	sev_of(&in, "dcache.bloat", &found);
	assert_false(found); /* 14%: below the warning line */
	build(&in, mem, 16 * per_pct, 0, "6.1.0");
	assert_int_equal(sev_of(&in, "dcache.bloat", &found), SEV_WARNING);
	assert_true(found);
	build(&in, mem, 41 * per_pct, 0, "6.1.0");
	assert_int_equal(sev_of(&in, "dcache.bloat", &found), SEV_CRITICAL);
	/* A small machine: 40% of 512 MB is under the absolute floor of 10 M
	 * dentries, so it is a warning, not critical. */
	build(&in, 512 << 10, (uint64_t)(0.5 * (512 << 20) / 192), 0, "6.1.0");
	assert_int_equal(sev_of(&in, "dcache.bloat", &found), SEV_WARNING);
	/* A big share of a tiny cache is not a bloat: under 250 k dentries. */
	build(&in, 128 << 10, 200000, 0, "6.1.0");
	sev_of(&in, "dcache.bloat", &found);
	assert_false(found);
}

static void test_growth_alone_warns(void **state UNUSED)
{
	struct inputs in;
	struct sample prev = {0};
	bool found;
	const uint64_t mem = 16ull << 20;

	build(&in, mem, 1000000, 0, "6.1.0");
	prev.s_dentry.state = SRC_OK;
	prev.dentry.nr_dentry = 1000000 - 10 * 30000; /* 30 k/s over 10 s */
	in.prev = &prev;
	in.mode = WINDOW_INTERVAL;
	in.interval_s = 10;
	/* 30 k/s * 192 B * 3600 s = 20 GB within the hour: warn now. */
	assert_int_equal(sev_of(&in, "dcache.bloat", &found), SEV_WARNING);
	assert_true(found);
	build(&in, mem, 1000000, 0, "6.1.0");
	prev.dentry.nr_dentry = 1000000 - 10 * 100; /* 100/s: noise */
	in.prev = &prev;
	in.mode = WINDOW_INTERVAL;
	in.interval_s = 10;
	sev_of(&in, "dcache.bloat", &found);
	assert_false(found);
}

static void test_negative_thresholds(void **state UNUSED)
{
	struct inputs in;
	bool found;
	const uint64_t mem = 64ull << 20;

	build(&in, mem, 3000000, 2000000, "5.15.0");
	assert_int_equal(sev_of(&in, "dcache.negative_dentries", &found), SEV_WARNING);
	assert_true(found);
	build(&in, mem, 3000000, 900000, "5.15.0");
	sev_of(&in, "dcache.negative_dentries", &found);
	assert_false(found); /* under half of the cache */
	/* 100 M negative dentries = 19 GB of 64 GB: critical. */
	build(&in, mem, 110000000, 100000000, "5.15.0");
	assert_int_equal(sev_of(&in, "dcache.negative_dentries", &found), SEV_CRITICAL);
	/* RHEL 8's 4.18 prints a placeholder 0: unknown, not "none". */
	build(&in, mem, 3000000, 0, "4.18.0-80.el8");
	struct findings f = {0};
	struct skips s = {0};
	detect_all(&in, 0, &f, &s);
	bool sk = false;
	for (size_t i = 0; i < s.n; i++)
		sk |= !strcmp(s.v[i].detector, "dcache.negative_dentries");
	assert_true(sk);
	findings_free(&f);
	skips_free(&s);
	kvtab_free(&in.cur.meminfo);
	/* A backport that does count (non-zero on a < 5.0 kernel) is used. */
	build(&in, mem, 3000000, 2500000, "4.18.0-80.el8");
	assert_int_equal(sev_of(&in, "dcache.negative_dentries", &found), SEV_WARNING);
	assert_true(found);
}

/* Trees made by tests live here; the group's teardown removes it, even
 * after a failed assertion. */
static char tmpdir[] = "/tmp/kstall-test-detect-XXXXXX";
static int group_setup(void **state UNUSED) { return mkdtemp(tmpdir) ? 0 : -1; }
static int group_teardown(void **state UNUSED)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

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

	/* The same process on 6.18: a gap tree, a warning for the count. */
	dir = seed001_tree("6.18.44", "65530");
	run_tree(dir, &r);
	f = find(&r, "vma.fragmentation");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_null(finding_evidence(f, "linear_search_steps"));
	assert_true(ev(f, "tree_search_steps") > 13 && ev(f, "tree_search_steps") < 14);
	assert_non_null(strstr(f->summary, "gap-augmented tree"));
	assert_non_null(strstr(f->summary, "2885 regions of 516 KiB are what glibc maps for 512 KiB mallocs"));
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

/* Seed 003 as a snapshot tree built by hand: two samples 1 s apart of a
 * 2-CPU host. cpu0/cpu1 spend `idle` ticks of 100 idle, cpu0 25 and cpu1
 * 8 in softirq; 30,000 function-call IPIs/s each, 20,000 of them RPS's
 * (received_rps), and `drops`/s are dropped on cpu0. */
static void put(const char *dir, const char *rel, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, rel);
	_cleanup_free_ char *cmd = xasprintf("mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

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

static const struct metric *metric_of(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->m.n; i++)
		if (!strcmp(r->m.v[i].name, name))
			return &r->m.v[i];
	fail_msg("no metric %s", name);
	return NULL;
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
	assert_int_equal(f->severity, SEV_WARNING); /* 30,010/s on one CPU */
	assert_non_null(strstr(f->summary, "RPS"));

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

	/* ksoftirqd/1 woken and waiting 30 ms behind a busy loop: a warning
	 * naming what ran before it; 87 us (a flood here): nothing. */
	t = (struct traced){0};
	add_irq(&t, TR_KSOFTIRQD, 1, 0, 62, 30000000);
	add_irq(&t, TR_KSOFTIRQD, 0, 0, 40, 87000);
	ARRAY_GROW(t.events, t.nevents, t.capevents);
	t.events[t.nevents++] = (struct tr_event){.kind = TR_KSOFTIRQD, .tid = 900, .tgid = 900, .dur_ns = 30000000,
						  .extra1 = 1, .extra2 = 22};
	snprintf(t.events[0].comm, sizeof(t.events[0].comm), "busyloop");
	x = live_irq(&t, "irq.ksoftirqd_latency", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_string_equal(x->subj[0].name, "1");
	assert_string_equal(finding_evidence(x, "ran_before_it")->str, "busyloop");
	assert_non_null(strstr(x->summary, "busyloop (1 time)"));
	size_t nk = 0;
	for (size_t i = 0; i < f.n; i++)
		nk += !strcmp(f.v[i].id, "irq.ksoftirqd_latency");
	assert_int_equal(nk, 1);
	findings_free(&f);
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
	*e = (struct tr_event){.kind = kind, .tid = tgid, .tgid = tgid, .dur_ns = dur_ns, .extra1 = cpu};
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
}

static void test_live_irqs_off_and_slabinfo(void **state UNUSED)
{
	struct traced t = {0};
	struct findings f = {0};

	/* Timers 90 us late at worst (this VM, idle): nothing. One open of
	 * slabinfo (a person running cat once): nothing. */
	add_irq(&t, TR_TIMER_LATE, 1, 0, 169, 112000);
	add_irq(&t, TR_SLABINFO, 4242, 0, 1, 0);
	t.hists[1].extra1 = 1;
	assert_null(live_irq2(&t, "6.18.0", "irq.irqs_off", &f));
	assert_null(live_irq2(&t, "6.18.0", "irq.slabinfo_reader", &f));
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
	const struct finding *x = live_irq2(&t, "5.10.0", "irq.irqs_off", &f);
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

/* Seed 004's host as a tree: a FUSE mount with a strict 1% bdi beside an
 * ext4 disk, a writer caught in balance_dirty_pages, and the dirty
 * sysctls. release picks the kernel (6.18 has strict_limit and max_bytes
 * files; 5.4 does not). mem_gb sizes free + file memory. */
static void wb_files(const char *dir, const char *release, unsigned mem_gb, unsigned ratio, const char *dirty_bytes)
{
	bool new_files = release[0] == '6';
	_cleanup_free_ char *meminfo = xasprintf("MemTotal: %u kB\nMemFree: %u kB\nActive(file): %u kB\n"
						 "Inactive(file): %u kB\nDirty: 40960 kB\nWriteback: 8192 kB\n",
						 mem_gb * 1048576, mem_gb * 1048576 / 2, mem_gb * 1048576 / 4,
						 mem_gb * 1048576 / 4);
	_cleanup_free_ char *rel = xasprintf("%s\n", release), *rat = xasprintf("%u\n", ratio);
	put(dir, "proc/sys/kernel/osrelease", rel);
	put(dir, "proc/meminfo", meminfo);
	put(dir, "proc/sys/vm/dirty_ratio", rat);
	put(dir, "proc/sys/vm/dirty_bytes", dirty_bytes);
	put(dir, "proc/sys/vm/dirty_background_ratio", "10\n");
	put(dir, "proc/sys/vm/dirty_background_bytes", "0\n");
	put(dir, "proc/1/stat", "1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 24 1000000 100 "
				"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	put(dir, "proc/1/mountinfo",
	    "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
	    "40 22 0:53 / /mnt/video rw,nosuid,nodev,relatime - fuse.netstore netstore rw,user_id=0,group_id=0\n");
	put(dir, "proc/4242/stat", "4242 (videowriter) D 1 4242 4242 0 -1 4194560 0 0 0 0 50 20 0 0 20 0 1 0 500 "
				   "1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 "
				   "0 0 0 0\n");
	put(dir, "proc/4242/wchan", "balance_dirty_pages");
	put(dir, "sys/class/bdi/0:53/min_ratio", "0\n");
	put(dir, "sys/class/bdi/0:53/max_ratio", "1\n");
	put(dir, "sys/class/bdi/8:0/min_ratio", "0\n");
	put(dir, "sys/class/bdi/8:0/max_ratio", "100\n");
	if (new_files) {
		put(dir, "sys/class/bdi/0:53/max_bytes", "49786593\n");
		put(dir, "sys/class/bdi/0:53/strict_limit", "1\n");
		put(dir, "sys/class/bdi/8:0/max_bytes", "4978659328\n");
		put(dir, "sys/class/bdi/8:0/strict_limit", "0\n");
	}
}

static void wb_tree(const char *dir, const char *release, unsigned mem_gb, unsigned ratio, const char *dirty_bytes,
		    struct run *r)
{
	wb_files(dir, release, mem_gb, ratio, dirty_bytes);
	run_tree(dir, r);
	if (r->in.nerrors)
		fail_msg("%s: %s", r->in.errors[0].file, r->in.errors[0].msg);
}

static void add_wb(struct traced *t, unsigned kind, uint64_t count, double total_s, uint64_t e1, uint64_t e2)
{
	ARRAY_GROW(t->hists, t->nhists, t->caphists);
	struct tr_hist *h = &t->hists[t->nhists++];
	*h = (struct tr_hist){.tgid = 4242, .kind = kind, .detail = (0ull << 20) | 53, .count = count,
			      .sum_ns = (uint64_t)(total_s * 1e9), .max_ns = (uint64_t)(total_s * 1e9 / (double)count) * 2,
			      .extra1 = e1 * count, .extra2 = e2 * count};
	snprintf(h->comm, sizeof(h->comm), "videowriter");
}

/* Live findings on the seed-004 tree: the run's inputs with tracer data. */
static const struct finding *wb_live(struct run *r, struct traced *t, const char *id)
{
	findings_free(&r->f);
	skips_free(&r->s);
	t->groups = TG_WRITEBACK | TG_WB_WAIT;
	t->duration_s = 5;
	r->in.traced = t;
	detect_all(&r->in, 0, &r->f, &r->s);
	r->in.traced = NULL;
	return find(r, id);
}

/* host.bdis and host.dirty_settings of a run, as JSON. */
static json_object *host_of(struct run *r)
{
	struct report rep = {.in = &r->in, .findings = r->f, .skips = r->s, .metrics = r->m};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(render_json(f, &rep), 0);
	fclose(f);
	json_object *doc = json_tokener_parse(buf);
	free(buf);
	assert_non_null(doc);
	return doc;
}

static json_object *bdi_json(json_object *doc, const char *name)
{
	json_object *a = json_object_object_get(json_object_object_get(doc, "host"), "bdis");
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!strcmp(json_object_get_string(json_object_object_get(json_object_array_get_idx(a, i), "name")), name))
			return json_object_array_get_idx(a, i);
	fail_msg("no bdi %s", name);
	return NULL;
}

static void test_seed004_writeback(void **state UNUSED)
{
	struct run r;
	_cleanup_free_ char *d1 = xasprintf("%s/wb-618", tmpdir);
	wb_tree(d1, "6.18.0", 24, 20, "0\n", &r);
	/* The strict 1% FUSE bdi, with its mount; the ext4 disk is fine. */
	const struct finding *f = find(&r, "writeback.strict_limit_bdi");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_string_equal(finding_evidence(f, "bdi")->str, "0:53");
	assert_string_equal(finding_evidence(f, "mount")->str, "/mnt/video");
	assert_string_equal(finding_evidence(f, "fstype")->str, "fuse.netstore");
	assert_true(ev(f, "device_limit") == 49786593);
	/* 24 GB free + file, 20%: 4.8 GiB global */
	assert_true(fabs(ev(f, "global_limit") - 24.0 * 1073741824 * 0.2) < 1);
	size_t nstrict = 0;
	for (size_t i = 0; i < r.f.n; i++)
		nstrict += !strcmp(r.f.v[i].id, "writeback.strict_limit_bdi");
	assert_int_equal(nstrict, 1);
	/* The writer in balance_dirty_pages, from one sample: lower confidence. */
	f = find(&r, "writeback.throttle");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_int_equal(f->subj[0].pid, 4242);
	assert_non_null(strstr(finding_evidence(f, "confidence")->str, "low"));
	assert_null(find(&r, "writeback.dirty_limits_large"));
	/* Every bdi's settings and mount, the limits in bytes. */
	assert_true(fabs(metric(&r, "writeback.global_limit") - 24.0 * 1073741824 * 0.2) < 1);
	const struct metric *bm = metric_of(&r, "bdi.0:53.limit");
	assert_true(bm->value == 49786593);
	assert_string_equal(bm->desc, "/mnt/video fuse.netstore strict_limit=1 max_ratio=1");
	json_object *doc = host_of(&r), *b = bdi_json(doc, "0:53");
	assert_string_equal(json_object_get_string(json_object_object_get(b, "mount")), "/mnt/video");
	assert_int_equal(json_object_get_int(json_object_object_get(b, "strict_limit")), 1);
	b = bdi_json(doc, "8:0");
	assert_string_equal(json_object_get_string(json_object_object_get(b, "mount")), "/"); /* sda1 on sda */
	assert_int_equal(json_object_get_int(json_object_object_get(
				 json_object_object_get(json_object_object_get(doc, "host"), "dirty_settings"), "dirty_ratio")),
			 20);
	json_object_put(doc);

	/* Live: 70 pauses, 0.7 s, plus 35 ms of page waits in 5 s (15%),
	 * the device at its setpoint and the host at 1% of its limit: a
	 * warning naming the device's own limit; the bdi finding becomes
	 * critical and names the writer. */
	struct traced t = {0};
	add_wb(&t, TR_BDP, 70, 0.7, 9400, 10500);
	add_wb(&t, TR_BDP_PLAN, 70, 0.56, 10000, 1200000);
	add_wb(&t, TR_WB_WAIT, 25, 0.035, 0, 0);
	f = wb_live(&r, &t, "writeback.throttle");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_true(fabs(ev(f, "throttled_total") - 0.735) < 1e-9);
	assert_true(ev(f, "pauses") == 70);
	assert_string_equal(finding_evidence(f, "mount")->str, "/mnt/video");
	assert_true(ev(f, "strict_limit") == 1);
	assert_non_null(strstr(f->summary, "device's own limit"));
	f = find(&r, "writeback.strict_limit_bdi");
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_int_equal(f->subj[1].pid, 4242);
	traced_free(&t);

	/* 2 s of 5 paused at the global limit: critical, and it says so. */
	t = (struct traced){0};
	add_wb(&t, TR_BDP, 100, 2.0, 9000, 10000);
	add_wb(&t, TR_BDP_PLAN, 100, 1.8, 1190000, 1200000);
	f = wb_live(&r, &t, "writeback.throttle");
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_non_null(strstr(f->summary, "near the global limit"));
	traced_free(&t);

	/* 0.2 s: information; 50 ms: nothing (not even the sampled one:
	 * live data replaces it). */
	t = (struct traced){0};
	add_wb(&t, TR_BDP, 10, 0.2, 9000, 10000);
	f = wb_live(&r, &t, "writeback.throttle");
	assert_int_equal(f->severity, SEV_INFO);
	traced_free(&t);
	t = (struct traced){0};
	add_wb(&t, TR_BDP, 5, 0.05, 9000, 10000);
	assert_null(wb_live(&r, &t, "writeback.throttle"));
	traced_free(&t);
	run_free(&r);

	/* 5.4: no strict_limit or max_bytes files; FUSE is strict by
	 * construction, its limit 1% of the global one. */
	_cleanup_free_ char *d2 = xasprintf("%s/wb-54", tmpdir);
	wb_tree(d2, "5.4.0", 24, 20, "0\n", &r);
	f = find(&r, "writeback.strict_limit_bdi");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "by construction"));
	assert_true(fabs(ev(f, "device_limit") - 24.0 * 1073741824 * 0.2 * 0.01) < 1);
	doc = host_of(&r);
	assert_true(json_object_is_type(json_object_object_get(bdi_json(doc, "0:53"), "strict_limit"), json_type_null));
	json_object_put(doc);
	run_free(&r);

	/* 256 GB at 20%: 51 GB, over 4 minutes at 200 MB/s: warning; at 40%:
	 * critical; with dirty_bytes 1 GB: nothing. */
	_cleanup_free_ char *d3 = xasprintf("%s/wb-big", tmpdir);
	wb_tree(d3, "6.18.0", 256, 20, "0\n", &r);
	f = find(&r, "writeback.dirty_limits_large");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_true(ev(f, "flush_time_at_200MBps") > 240 && ev(f, "flush_time_at_200MBps") < 300);
	run_free(&r);
	wb_tree(d3, "6.18.0", 256, 40, "0\n", &r);
	assert_int_equal(find(&r, "writeback.dirty_limits_large")->severity, SEV_CRITICAL);
	run_free(&r);
	wb_tree(d3, "6.18.0", 256, 20, "1073741824\n", &r);
	assert_null(find(&r, "writeback.dirty_limits_large"));
	run_free(&r);
}

/* Seed 000 as tracer data: ET_NET 0 waits 622 ms in a page fault under
 * accept() while plugin holds the lock for 640 ms forking a 12 GB
 * process. */
#ifdef SYS_accept
#define ACCEPT_NR SYS_accept
#else
#define ACCEPT_NR SYS_accept4
#endif

static void add_ml(struct traced *t, unsigned kind, uint64_t where, uint64_t count, double sum_s, double max_s,
		   uint64_t forks)
{
	ARRAY_GROW(t->hists, t->nhists, t->caphists);
	struct tr_hist *h = &t->hists[t->nhists++];
	*h = (struct tr_hist){.tgid = 24100, .kind = kind, .detail = where, .count = count,
			      .sum_ns = (uint64_t)(sum_s * 1e9), .max_ns = (uint64_t)(max_s * 1e9), .extra1 = forks,
			      .extra2 = 9000 * count};
	h->slots[19] = count; /* ~0.5 s */
	snprintf(h->comm, sizeof(h->comm), "trafficserver");
}

static struct tr_event *add_ml_event(struct traced *t, unsigned kind, uint32_t tid, const char *comm, double dur_s,
				     uint64_t where)
{
	ARRAY_GROW(t->events, t->nevents, t->capevents);
	struct tr_event *e = &t->events[t->nevents++];
	*e = (struct tr_event){.kind = kind, .tid = tid, .tgid = 24100, .dur_ns = (uint64_t)(dur_s * 1e9), .detail = where};
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	return e;
}

static const struct finding *ml_find(struct traced *t, const char *id, struct findings *f)
{
	struct inputs in = {0};
	struct skips s = {0};
	in.traced = t;
	t->groups = TG_MMAP_LOCK | TG_FAULT_ADDR;
	t->duration_s = 10;
	detect_all(&in, 0, f, &s);
	skips_free(&s);
	inputs_free(&in);
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, id))
			return &f->v[i];
	return NULL;
}

static void test_seed000_mmap_lock(void **state UNUSED)
{
	struct traced t = {0};
	struct findings f = {0};
	uint64_t in_accept = (uint64_t)ACCEPT_NR | TR_ML_FAULT, clone = (uint64_t)SYS_clone;
	struct tr_ml_holder plugin = {.present = true, .tid = 24190, .tgid = 24100, .where = clone, .hold_ns = 640000000,
				      .flags = 17, .map_count = 9000, .total_vm = 12ull << 18};
	snprintf(plugin.comm, sizeof(plugin.comm), "plugin");
	add_ml(&t, TR_ML_WAIT_READ, in_accept, 40, 3.0, 0.622, 0);
	add_ml(&t, TR_ML_WAIT_WRITE, clone, 3, 0.0001, 0.00005, 0);
	t.hists[t.nhists - 1].tgid = 777; /* another process, quiet, between this one's histograms */
	add_ml(&t, TR_ML_HOLD, clone, 5, 3.1, 0.640, 5);
	add_ml(&t, TR_ML_WAIT_WRITE, (uint64_t)SYS_mmap, 2, 0.001, 0.0009, 0);
	struct tr_event *e = add_ml_event(&t, TR_ML_WAIT_READ, 24145, "ET_NET 0", 0.622, in_accept);
	e->extra1 = 0x7f0000001000;
	e->ml = plugin;
	add_ml_event(&t, TR_ML_HOLD, 24190, "plugin", 0.640, clone)->ml = plugin;

	const struct finding *x = ml_find(&t, "mmap_lock.contention", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_CRITICAL);
	assert_non_null(strstr(x->summary, "Thread ET_NET 0 (tid 24145) waited 622 ms for the mmap_lock of trafficserver "
					   "(pid 24100), for reading, in page fault in "));
	assert_non_null(strstr(x->summary, "(address 0x7f0000001000)"));
	assert_non_null(strstr(x->summary, "thread plugin (tid 24190) held it for writing for 640 ms in clone without "
					   "CLONE_VM, i.e. a fork (the address space is copied), with 12.0 GiB mapped"));
	assert_true(fabs(ev(x, "worst_wait") - 0.622) < 1e-9);
	assert_string_equal(finding_evidence(x, "worst_wait")->unit, U_SECONDS);
	assert_string_equal(finding_evidence(x, "holder")->str, "plugin");
	assert_true(ev(x, "holder_tid") == 24190);
	assert_true(ev(x, "address_space") == 12.0 * 1073741824);
	/* its waits for reading and writing, summed over both contexts; one finding */
	assert_true(ev(x, "waits_read") == 40 && ev(x, "waits_write") == 2);
	size_t ncont = 0;
	for (size_t i = 0; i < f.n; i++)
		ncont += !strcmp(f.v[i].id, "mmap_lock.contention");
	assert_int_equal(ncont, 1);
	findings_free(&f);
	x = ml_find(&t, "mmap_lock.fork_stall", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_CRITICAL);
	assert_true(ev(x, "forks") == 5);
	assert_true(ev(x, "stalled_waits") == 1);
	assert_true(ev(x, "vmas") == 9000);
	assert_non_null(strstr(finding_evidence(x, "child_made_by")->str, "without CLONE_VM"));
	findings_free(&f);
	traced_free(&t);

	/* posix_spawn: clone with CLONE_VM|CLONE_VFORK holds the lock a few
	 * microseconds, copies nothing; waits stay short. Nothing. */
	t = (struct traced){0};
	add_ml(&t, TR_ML_WAIT_READ, in_accept, 400, 0.001, 0.00005, 0);
	add_ml(&t, TR_ML_HOLD, clone, 10, 0.0001, 0.00002, 0);
	assert_null(ml_find(&t, "mmap_lock.contention", &f));
	assert_null(ml_find(&t, "mmap_lock.fork_stall", &f));
	findings_free(&f);
	traced_free(&t);

	/* A 50 ms fork that nobody waited for: information. */
	t = (struct traced){0};
	add_ml(&t, TR_ML_HOLD, clone, 2, 0.1, 0.05, 2);
	x = ml_find(&t, "mmap_lock.fork_stall", &f);
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_INFO);
	assert_null(ml_find(&t, "mmap_lock.contention", &f));
	findings_free(&f);
	traced_free(&t);
}

/* ---- degrade, do not drop: one missing file costs one figure ---- */

/* A figure marked unknown, with a reason naming why: a string in place
 * of the number, never 0. */
static void assert_unknown(const struct finding *f, const char *name, const char *why)
{
	const struct evidence *e = finding_evidence(f, name);
	if (!e)
		fail_msg("%s: no evidence %s", f->id, name);
	if (e->is_num)
		fail_msg("%s: %s is %g, expected unknown (%s)", f->id, name, e->num, why);
	if (!str_starts_with(e->str, "unknown: ") || !strstr(e->str, why))
		fail_msg("%s: %s is \"%s\", expected \"unknown: ...%s...\"", f->id, name, e->str, why);
}

static void assert_skip_names(const struct run *r, const char *id, const char *why)
{
	const struct skip *s = skipped(r, id);
	if (!s)
		fail_msg("%s is not in skipped", id);
	if (!strstr(s->reason, why))
		fail_msg("%s skipped for \"%s\", which does not name \"%s\"", id, s->reason, why);
}

static bool has_metric(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->m.n; i++)
		if (!strcmp(r->m.v[i].name, name))
			return true;
	return false;
}

static void rm_path(const char *dir, const char *rel)
{
	_cleanup_free_ char *cmd = xasprintf("rm -r '%s/%s'", dir, rel);
	assert_int_equal(system(cmd), 0);
}

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
	/* Drops since boot are drops: a warning (critical is a rate). */
	assert_int_equal(find(&full, "irq.softnet_drops")->severity, SEV_CRITICAL);
	f = find(&r, "irq.softnet_drops");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
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
	assert_int_equal(f->severity, SEV_CRITICAL); /* by the softirq share */
	assert_unknown(f, "rps_received", "proc/net/softnet_stat");
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
	f = find(&r, "irq.ipi_storm");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_true(ev(f, "cal_ipis") == 60000);
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

static void detect_inputs(const struct inputs *in, struct findings *f, struct skips *s)
{
	*f = (struct findings){0};
	*s = (struct skips){0};
	detect_all(in, 0, f, s);
}

static const struct finding *find_in(const struct findings *f, const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, id))
			return &f->v[i];
	return NULL;
}

static const struct skip *skip_in(const struct skips *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].detector, id))
			return &s->v[i];
	return NULL;
}

static void absent(struct src *s, const char *path)
{
	*s = (struct src){.state = SRC_ABSENT};
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(s->why, sizeof(s->why), "%s: No such file or directory", path);
}

static void test_degrade_negative_without_meminfo(void **state UNUSED)
{
	struct inputs in;
	struct findings f;
	struct skips s;
	const struct finding *x;
	const uint64_t mem = 64ull << 20;

	/* No meminfo: negative dentries are still counted against the cache;
	 * their share of memory (critical) is unknown. The bloat's thresholds
	 * are shares of memory: skipped, naming the file. */
	build(&in, mem, 3000000, 2000000, "5.15.0");
	kvtab_free(&in.cur.meminfo);
	absent(&in.cur.s_meminfo, "proc/meminfo");
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "dcache.negative_dentries");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_true(ev(x, "nr_negative") == 2000000 && ev(x, "nr_dentry") == 3000000);
	assert_true(fabs(ev(x, "negative_share") - 2.0 / 3) < 1e-9);
	assert_unknown(x, "memtotal", "proc/meminfo");
	assert_non_null(skip_in(&s, "dcache.bloat"));
	assert_non_null(strstr(skip_in(&s, "dcache.bloat")->reason, "proc/meminfo: No such file"));
	findings_free(&f);
	skips_free(&s);
	/* 100 M negative dentries is critical with 64 GB (test_negative_
	 * thresholds); without MemTotal, at most a warning that says why. */
	build(&in, mem, 110000000, 100000000, "5.15.0");
	kvtab_free(&in.cur.meminfo);
	absent(&in.cur.s_meminfo, "proc/meminfo");
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "dcache.negative_dentries");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_non_null(strstr(x->summary, "at most a warning"));
	findings_free(&f);
	skips_free(&s);
}

static void test_degrade_bloat_without_earlier_dentry(void **state UNUSED)
{
	struct inputs in;
	struct findings f;
	struct skips s;
	const struct finding *x;
	const uint64_t mem = 64ull << 20;

	/* A snapshot whose earlier sample lacks dentry-state: the share is
	 * there, the growth is unknown. */
	struct sample prev = {0};
	uint64_t per_pct = (uint64_t)((double)mem * 1024 / 192 / 100);
	build(&in, mem, 16 * per_pct, 0, "6.1.0");
	absent(&prev.s_dentry, "kstall/sample0/proc/sys/fs/dentry-state");
	in.prev = &prev;
	in.mode = WINDOW_INTERVAL;
	in.interval_s = 1;
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "dcache.bloat");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_true(ev(x, "nr_dentry") == 16.0 * per_pct);
	assert_unknown(x, "nr_dentry_growth", "kstall/sample0/proc/sys/fs/dentry-state");
	findings_free(&f);
	skips_free(&s);
	kvtab_free(&in.cur.meminfo);
}

static void test_degrade_bloat_without_uptime(void **state UNUSED)
{
	struct inputs in;
	struct findings f;
	struct skips s;
	const struct finding *x;
	const uint64_t mem = 64ull << 20;
	uint64_t per_pct = (uint64_t)((double)mem * 1024 / 192 / 100);

	/* 30% of memory in 100 M+ dentries is critical if kswapd spins; one
	 * sample without uptime cannot say: unknown, at most a warning. */
	struct proc_entry kp = {.stat = {.pid = 373, .comm = "kswapd0", .state = 'R', .utime = 0, .stime = 9000000,
					 .starttime = 100}};
	build(&in, mem, 30 * per_pct, 0, "6.1.0");
	in.cur.procs = &kp;
	in.cur.nprocs = 1;
	in.cur.s_procs.state = SRC_OK;
	absent(&in.cur.s_uptime, "proc/uptime");
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "dcache.bloat");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_unknown(x, "kswapd0_cpu_share", "proc/uptime");
	assert_non_null(strstr(x->summary, "at most a warning"));
	findings_free(&f);
	skips_free(&s);
	/* with the uptime: kswapd at 100% of a CPU, critical */
	in.cur.s_uptime.state = SRC_OK;
	in.cur.uptime_s = 90001;
	detect_inputs(&in, &f, &s);
	assert_int_equal(find_in(&f, "dcache.bloat")->severity, SEV_CRITICAL);
	findings_free(&f);
	skips_free(&s);
	kvtab_free(&in.cur.meminfo);
}

/* Seed 002: the capture has no proc/vmstat; without its earlier sample
 * and uptime the dentry figures stand and kswapd's CPU share is unknown. */
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

static void test_degrade_seed002_without_uptime(void **state UNUSED)
{
	struct run r;
	const struct finding *f;
	_cleanup_free_ char *dir = xasprintf("%s/seed002-one", tmpdir);
	_cleanup_free_ char *cmd = xasprintf("cp -r tests/fixtures/dcache-seed002-centos6 '%s'", dir);
	assert_int_equal(system(cmd), 0);
	rm_path(dir, "kstall");
	rm_path(dir, "proc/uptime");
	run_tree(dir, &r);
	assert_int_equal(r.in.mode, WINDOW_SINCE_BOOT);
	f = find(&r, "dcache.bloat");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_CRITICAL); /* 80% of memory */
	assert_true(ev(f, "nr_dentry") == 280626228.0);
	assert_true(ev(f, "slab") == 56620596.0 * 1024);
	assert_unknown(f, "kswapd0_cpu_share", "proc/uptime");
	assert_null(find(&r, "reclaim.kswapd_busy"));
	assert_skip_names(&r, "reclaim.kswapd_busy", "proc/uptime: No such file");
	run_free(&r);
}

static void test_degrade_lookups(void **state UNUSED)
{
	struct inputs in = {0};
	struct sample prev = {0};
	struct traced t = {.duration_s = 10, .groups = TG_LOOKUPS};
	struct findings f;
	struct skips s;

	ARRAY_GROW(t.lookups, t.nlookups, t.caplookups);
	t.lookups[t.nlookups++] = (struct tr_lookup){.tgid = 31196, .comm = "curl", .failed = 200000, .calls = 210000};
	in.traced = &t;
	in.mode = WINDOW_INTERVAL;
	in.interval_s = 10;
	in.prev = &prev;
	in.cur.s_dentry.state = SRC_OK;
	in.cur.dentry.nr_dentry = 2000000;
	/* 20,000 failures/s is critical while the cache grows: without the
	 * earlier dentry-state, a warning that says why. */
	absent(&prev.s_dentry, "kstall/sample0/proc/sys/fs/dentry-state");
	detect_inputs(&in, &f, &s);
	const struct finding *x = find_in(&f, "dcache.negative_dentry_producers");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_true(ev(x, "failed_lookups_rate") == 20000);
	assert_unknown(x, "nr_dentry_growth", "kstall/sample0/proc/sys/fs/dentry-state");
	assert_non_null(strstr(x->summary, "at most a warning"));
	findings_free(&f);
	skips_free(&s);
	/* with it: growing 10,000/s, critical */
	prev.s_dentry.state = SRC_OK;
	prev.dentry.nr_dentry = 2000000 - 100000;
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "dcache.negative_dentry_producers");
	assert_int_equal(x->severity, SEV_CRITICAL);
	assert_true(ev(x, "nr_dentry_growth") == 10000);
	findings_free(&f);
	skips_free(&s);
	free(t.lookups);
}

static void test_degrade_near_limit_assumed(void **state UNUSED)
{
	struct inputs in = {0};
	struct findings f;
	struct skips s;
	struct perr e;
	struct proc_entry p = {.stat = {.pid = 4242, .comm = "mysqld", .state = 'S', .vsize = 1 << 30},
			       .has_maps = true, .vma = {.nvmas = 64000}};

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

static void test_degrade_writeback_without_mountinfo(void **state UNUSED)
{
	struct run full, r;
	const struct finding *f, *f0;

	/* No mountinfo: a strict 1% bdi is one, mounted or not (FUSE bdis
	 * exist while mounted). */
	_cleanup_free_ char *d1 = xasprintf("%s/wb-nomounts", tmpdir);
	wb_tree(d1, "6.18.0", 24, 20, "0\n", &full);
	f0 = find(&full, "writeback.strict_limit_bdi");
	assert_non_null(f0);
	rm_path(d1, "proc/1/mountinfo");
	run_tree(d1, &r);
	f = find(&r, "writeback.strict_limit_bdi");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_string_equal(finding_evidence(f, "bdi")->str, "0:53");
	assert_unknown(f, "mount", "proc/1/mountinfo");
	assert_unknown(f, "fstype", "proc/1/mountinfo");
	assert_true(ev(f, "device_limit") == ev(f0, "device_limit"));
	assert_true(ev(f, "global_limit") == ev(f0, "global_limit"));
	assert_true(ev(f, "max_ratio") == 1);
	run_free(&r);
	run_free(&full);
}

static void test_degrade_writeback_without_dirty_ratio(void **state UNUSED)
{
	struct run r;
	const struct finding *f;

	/* No dirty_ratio (and dirty_bytes 0): the global limit is unknown;
	 * max_bytes still gives the device's. */
	_cleanup_free_ char *d2 = xasprintf("%s/wb-noratio", tmpdir);
	wb_files(d2, "6.18.0", 24, 20, "0\n");
	rm_path(d2, "proc/sys/vm/dirty_ratio");
	run_tree(d2, &r);
	f = find(&r, "writeback.strict_limit_bdi");
	assert_non_null(f);
	assert_true(ev(f, "device_limit") == 49786593);
	assert_unknown(f, "global_limit", "proc/sys/vm/dirty_ratio");
	assert_skip_names(&r, "writeback.dirty_limits_large", "proc/sys/vm/dirty_ratio");
	assert_non_null(find(&r, "writeback.throttle"));
	run_free(&r);
}

static void test_degrade_writeback_without_meminfo(void **state UNUSED)
{
	struct run r;
	const struct finding *f;

	/* No meminfo and no bdis: the writer caught in balance_dirty_pages is
	 * still seen; the two others are skipped, each naming its file. */
	_cleanup_free_ char *d3 = xasprintf("%s/wb-nomem", tmpdir);
	wb_files(d3, "6.18.0", 24, 20, "0\n");
	rm_path(d3, "proc/meminfo");
	rm_path(d3, "sys/class/bdi");
	run_tree(d3, &r);
	f = find(&r, "writeback.throttle");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_int_equal(f->subj[0].pid, 4242);
	assert_string_equal(finding_evidence(f, "where")->str, "balance_dirty_pages");
	assert_null(skipped(&r, "writeback.throttle"));
	assert_skip_names(&r, "writeback.dirty_limits_large", "proc/meminfo");
	assert_skip_names(&r, "writeback.strict_limit_bdi", "sys/class/bdi");
	assert_false(has_metric(&r, "bdi.count"));
	run_free(&r);
}

/* 5.4 has no strict_limit file: without mountinfo, whether the 1% bdi is
 * FUSE (strict by construction) is unknown, and skipped says so. */
static void test_degrade_writeback_old_kernel_without_mountinfo(void **state UNUSED)
{
	struct run r;
	_cleanup_free_ char *dir = xasprintf("%s/wb-54-nomounts", tmpdir);
	wb_files(dir, "5.4.0", 24, 20, "0\n");
	rm_path(dir, "proc/1/mountinfo");
	run_tree(dir, &r);
	assert_null(find(&r, "writeback.strict_limit_bdi"));
	assert_skip_names(&r, "writeback.strict_limit_bdi", "proc/1/mountinfo");
	assert_skip_names(&r, "writeback.strict_limit_bdi", "1 bdi with max_ratio");
	run_free(&r);
}

/* No background sysctls: the background limit is unknown, not 0. */
static void test_degrade_writeback_without_background(void **state UNUSED)
{
	struct run r;
	_cleanup_free_ char *dir = xasprintf("%s/wb-nobg", tmpdir);
	wb_files(dir, "6.18.0", 256, 20, "0\n");
	rm_path(dir, "proc/sys/vm/dirty_background_ratio");
	rm_path(dir, "proc/sys/vm/dirty_background_bytes");
	run_tree(dir, &r);
	const struct finding *f = find(&r, "writeback.dirty_limits_large");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_true(fabs(ev(f, "global_limit") - 256.0 * 1073741824 * 0.2) < 1);
	assert_unknown(f, "background_limit", "dirty_background_ratio");
	assert_false(has_metric(&r, "writeback.background_limit"));
	assert_true(has_metric(&r, "writeback.global_limit"));
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

static void test_degrade_metrics_strict_unknown(void **state UNUSED)
{
	struct run r;
	/* 5.4's bdis have no strict_limit file: how many are strict is unknown. */
	_cleanup_free_ char *dir = xasprintf("%s/wb-metrics-54", tmpdir);
	wb_tree(dir, "5.4.0", 24, 20, "0\n", &r);
	assert_true(metric(&r, "bdi.count") == 2);
	assert_false(has_metric(&r, "bdi.strict_limit"));
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
		cmocka_unit_test(test_seed002_is_critical),
		cmocka_unit_test(test_healthy_trees_raise_nothing),
		cmocka_unit_test(test_healthy_capture_metrics),
		cmocka_unit_test(test_real_trees_parse_cleanly),
		cmocka_unit_test(test_malformed_tree_names_file_and_line),
		cmocka_unit_test(test_bloat_thresholds),
		cmocka_unit_test(test_growth_alone_warns),
		cmocka_unit_test(test_negative_thresholds),
		cmocka_unit_test(test_seed001_fragmentation),
		cmocka_unit_test(test_map_count_limit),
		cmocka_unit_test(test_mmap_churn_thresholds),
		cmocka_unit_test(test_seed003_irq),
		cmocka_unit_test(test_live_irq_thresholds),
		cmocka_unit_test(test_live_irqs_off_and_slabinfo),
		cmocka_unit_test(test_seed004_writeback),
		cmocka_unit_test(test_seed000_mmap_lock),
		cmocka_unit_test(test_degrade_rps_without_uptime),
		cmocka_unit_test(test_degrade_hotspot_and_drops_without_uptime),
		cmocka_unit_test(test_degrade_rps_severity_without_uptime),
		cmocka_unit_test(test_degrade_softnet_without_received_rps),
		cmocka_unit_test(test_degrade_irq_without_interrupts),
		cmocka_unit_test(test_degrade_irq_without_softnet),
		cmocka_unit_test(test_degrade_irq_without_earlier_softirqs),
		cmocka_unit_test(test_degrade_irq_without_stat),
		cmocka_unit_test(test_degrade_irq_without_net),
		cmocka_unit_test(test_degrade_negative_without_meminfo),
		cmocka_unit_test(test_degrade_bloat_without_earlier_dentry),
		cmocka_unit_test(test_degrade_bloat_without_uptime),
		cmocka_unit_test(test_degrade_kswapd_without_vmstat),
		cmocka_unit_test(test_degrade_seed002_without_uptime),
		cmocka_unit_test(test_degrade_lookups),
		cmocka_unit_test(test_degrade_near_limit_assumed),
		cmocka_unit_test(test_degrade_churn_without_maps),
		cmocka_unit_test(test_degrade_writeback_without_mountinfo),
		cmocka_unit_test(test_degrade_writeback_without_dirty_ratio),
		cmocka_unit_test(test_degrade_writeback_without_meminfo),
		cmocka_unit_test(test_degrade_writeback_old_kernel_without_mountinfo),
		cmocka_unit_test(test_degrade_writeback_without_background),
		cmocka_unit_test(test_degrade_softnet_without_backlog_sysctl),
		cmocka_unit_test(test_degrade_metrics_not_read),
		cmocka_unit_test(test_degrade_metrics_strict_unknown),
		cmocka_unit_test(test_every_id_has_kb_entry),
	};
	return cmocka_run_group_tests_name("detect", tests, group_setup, group_teardown);
}
