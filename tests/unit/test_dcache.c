/* The dentry-cache detectors (dcache.*): the seed-002 host (tests/fixtures/
 * dcache-seed002-centos6), thresholds on inputs built by hand, and what
 * each finding does when one of its files is missing. */
#include "detectutil.h"
#include "render/render.h"
#include "trace/trace.h"

#include <math.h>

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

/* ---- thresholds on built inputs ---- */

/* kswapd at 60% of a CPU over its life: reclaim at work, so the size
 * thresholds decide (a cache with kswapd idle is information:
 * test_bloat_is_a_risk_until_reclaim_works). */
static struct proc_entry busy_kswapd = {.stat = {.pid = 373, .comm = "kswapd0", .state = 'R', .stime = 59940,
						 .starttime = 100}};

/* The same kswapd in an earlier sample interval_s before. */
static void busy_before(struct sample *prev, double interval_s)
{
	static struct proc_entry k;
	k = busy_kswapd;
	k.stat.stime -= (uint64_t)(0.6 * interval_s * 100);
	prev->procs = &k;
	prev->nprocs = 1;
	prev->s_procs.state = SRC_OK;
}

static void build(struct inputs *in, uint64_t memtotal_kb, uint64_t nr, uint64_t neg, const char *release)
{
	struct perr e;
	memset(in, 0, sizeof(*in));
	in->cur.procs = &busy_kswapd;
	in->cur.nprocs = 1;
	in->cur.s_procs.state = SRC_OK;
	in->cur.s_uptime.state = SRC_OK;
	in->cur.uptime_s = 1000;
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
	view_update(in);
	detect_all(in, 0, &f, &s);
	view_free(&in->view);
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

/* A big cache with kswapd idle harms no one yet (issue 16: a warning
 * means harm): 30% of 16 GiB in dentries with kswapd at 1% of a CPU is
 * information that says so; with kswapd at 60% the size decides.
 * Negative dentries alike. */
static void test_bloat_is_a_risk_until_reclaim_works(void **state UNUSED)
{
	struct inputs in;
	bool found;
	const uint64_t mem = 16ull << 20;
	uint64_t per_pct = (uint64_t)((double)mem * 1024 / 192 / 100);
	uint64_t busy = busy_kswapd.stat.stime;
	busy_kswapd.stat.stime = 999; /* 1% over its 999 s */
	build(&in, mem, 30 * per_pct, 0, "6.1.0");
	assert_int_equal(sev_of(&in, "dcache.bloat", &found), SEV_INFO);
	assert_true(found);
	build(&in, 64ull << 20, 3000000, 2000000, "5.15.0");
	assert_int_equal(sev_of(&in, "dcache.negative_dentries", &found), SEV_INFO);
	assert_true(found);
	struct findings f;
	struct skips s;
	build(&in, mem, 30 * per_pct, 0, "6.1.0");
	detect_inputs(&in, &f, &s);
	assert_non_null(strstr(find_in(&f, "dcache.bloat")->summary, "a risk, not yet harm"));
	findings_free(&f);
	skips_free(&s);
	kvtab_free(&in.cur.meminfo);
	busy_kswapd.stat.stime = busy; /* 60%: spinning, so 30% is critical and 20% a warning */
	build(&in, mem, 30 * per_pct, 0, "6.1.0");
	assert_int_equal(sev_of(&in, "dcache.bloat", &found), SEV_CRITICAL);
	build(&in, mem, 20 * per_pct, 0, "6.1.0");
	assert_int_equal(sev_of(&in, "dcache.bloat", &found), SEV_WARNING);
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
	busy_before(&prev, 10);
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
	view_update(&in);
	detect_all(&in, 0, &f, &s);
	view_free(&in.view);
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

/* ---- degrade, do not drop: one missing file costs one figure ---- */

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
	busy_before(&prev, 1);
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
	 * sample without uptime cannot say whether reclaim is at work at all:
	 * a risk, information, saying so. */
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
	assert_int_equal(x->severity, SEV_INFO);
	assert_unknown(x, "kswapd0_cpu_share", "proc/uptime");
	assert_non_null(strstr(x->summary, "Whether reclaim is at work on it is unknown"));
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

/* Seed 002 without its earlier sample and uptime: the dentry figures
 * stand and kswapd's CPU share is unknown. */
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
	/* 80% of memory, but whether kswapd is at work is unknown: a risk,
	 * information (with the earlier sample, critical:
	 * test_seed002_is_critical). */
	assert_int_equal(f->severity, SEV_INFO);
	assert_non_null(strstr(f->summary, "unknown"));
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
	 * earlier dentry-state, whether they leave anything is unknown:
	 * information that says why. */
	absent(&prev.s_dentry, "kstall/sample0/proc/sys/fs/dentry-state");
	detect_inputs(&in, &f, &s);
	const struct finding *x = find_in(&f, "dcache.negative_dentry_producers");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_INFO);
	assert_true(ev(x, "failed_lookups_rate") == 20000);
	assert_unknown(x, "nr_dentry_growth", "kstall/sample0/proc/sys/fs/dentry-state");
	assert_non_null(strstr(x->summary, "so this is information"));
	findings_free(&f);
	skips_free(&s);
	/* with it: growing 10,000/s, critical */
	prev.s_dentry.state = SRC_OK;
	prev.dentry.nr_dentry = 2000000 - 100000;
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "dcache.negative_dentry_producers");
	assert_int_equal(x->severity, SEV_CRITICAL);
	assert_true(ev(x, "nr_dentry_growth") == 10000);
	assert_non_null(strstr(x->title, "the dentry cache grows by 10.0 k/s"));
	findings_free(&f);
	skips_free(&s);
	/* The producer removed its directory: 6 dentries left in 10 s. Say
	 * what was left, not that each failure left one (issue 16); it left
	 * nothing to speak of, so it is a fact, not yet harm. */
	prev.dentry.nr_dentry = 2000000 - 6;
	detect_inputs(&in, &f, &s);
	x = find_in(&f, "dcache.negative_dentry_producers");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_INFO);
	assert_non_null(strstr(x->summary, "a fact, not yet harm"));
	assert_null(strstr(x->title, "each leaving"));
	assert_null(strstr(x->title, "grows"));
	assert_non_null(strstr(x->summary, "few of the negative dentries stayed"));
	findings_free(&f);
	skips_free(&s);
	free(t.lookups);
}

static struct tr_lookup *add_lookup(struct traced *t, uint32_t tgid, bool group, uint32_t ppid, const char *comm,
				     uint64_t procs, uint64_t failed, double first_s, double last_s)
{
	ARRAY_GROW(t->lookups, t->nlookups, t->caplookups);
	struct tr_lookup *l = &t->lookups[t->nlookups++];
	*l = (struct tr_lookup){.tgid = tgid, .known = true, .group = group, .ppid = ppid, .procs = procs,
				.failed = failed, .calls = failed * 3, .first_s = first_s, .last_s = last_s};
	snprintf(l->comm, sizeof(l->comm), "%s", comm);
	snprintf(l->pcomm, sizeof(l->pcomm), "bash");
	return l;
}

/* Inputs for the producers over an 8 s window, the dentry cache growing
 * by 600/s (the loop's unique names). */
static void producers_inputs(struct inputs *in, struct sample *prev, struct traced *t)
{
	*in = (struct inputs){0};
	*prev = (struct sample){0};
	t->duration_s = 8;
	t->groups = TG_LOOKUPS;
	in->traced = t;
	in->mode = WINDOW_INTERVAL;
	in->interval_s = 8;
	in->prev = prev;
	in->cur.s_dentry.state = prev->s_dentry.state = SRC_OK;
	in->cur.dentry.nr_dentry = 200000;
	prev->dentry.nr_dentry = 200000 - 8 * 1200; /* the failures leave dentries: 1,200/s */
}

static const struct finding *producer_for(const struct findings *f, int pid)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, "dcache.negative_dentry_producers") && f->v[i].nsubj && f->v[i].subj[0].pid == pid)
			return &f->v[i];
	return NULL;
}

/* A shell loop running `stat /nonexistent-$i` (bash, pid 999): 3,500
 * processes, each failing 24 lookups (its locale files, then the path)
 * in a few ms. None passes 1,000/s on its own; together they fail
 * 10.5 k/s and bash, which starts them, is named. A process with its own
 * parent failing as few is not added to them. */
static void test_producers_short_lived_loop(void **state UNUSED)
{
	struct inputs in;
	struct sample prev;
	struct traced t = {0};
	struct findings f;
	struct skips s;
	producers_inputs(&in, &prev, &t);
	add_lookup(&t, 4998, true, 999, "stat", 3499, 3499 * 24, 0.1, 7.95);
	pattern_set_add(&t.lookups[0].patterns, "/nonexistent-123", 40);
	pattern_set_add(&t.lookups[0].patterns, "/usr/share/locale/C.UTF-8/LC_MESSAGES/libc.mo", 120);
	add_lookup(&t, 4999, false, 999, "stat", 1, 24, 7.97, 7.98); /* the one running now */
	pattern_set_add(&t.lookups[1].patterns, "/nonexistent-124", 1);
	add_lookup(&t, 300, false, 1, "stat", 1, 24, 3, 3.01);	      /* another parent's */
	detect_inputs(&in, &f, &s);
	const struct finding *x = producer_for(&f, 999);
	if (!x)
		fail_msg("no producer named for the loop's parent (%zu findings)", f.n);
	assert_int_equal(x->severity, SEV_WARNING);
	assert_string_equal(x->subj[0].comm, "bash");
	assert_string_equal(x->subj[0].role, "parent of the producers");
	assert_int_equal(x->subj[1].pid, 4999); /* the latest of them */
	assert_true(ev(x, "processes") == 3500);
	assert_true(ev(x, "failed_lookups") == 3500 * 24);
	assert_true(ev(x, "failed_lookups_rate") == 10500);
	assert_non_null(strstr(x->title, "bash (pid 999) starts stat processes that fail 10.5 k path lookups/s"));
	assert_non_null(strstr(x->summary, "3500 stat processes started by bash (pid 999)"));
	assert_non_null(strstr(x->summary, "Mostly /usr/share/locale/C.UTF-N/LC_MESSAGES/libc.mo"));
	assert_null(producer_for(&f, 300));
	assert_int_equal(f.n, 1);
	findings_free(&f);
	skips_free(&s);

	/* A recording of format 2 has each process alone, with no parent:
	 * each stays below the threshold (and the name alone does not make
	 * one culprit of a host's every stat). */
	traced_free(&t);
	producers_inputs(&in, &prev, &t);
	for (uint32_t i = 0; i < 400; i++)
		add_lookup(&t, 5000 + i, false, 0, "stat", 1, 24, 0, 0)->known = false;
	detect_inputs(&in, &f, &s);
	assert_null(find_in(&f, "dcache.negative_dentry_producers"));
	findings_free(&f);
	skips_free(&s);
	traced_free(&t);
}

/* A burst: a shell loop in one process failed 300 k lookups at 260 k/s
 * for 1.15 s of an 8 s window (issue 16: kstall said 37.5 k/s, its rate
 * over the window, as if it were the producer's). Both are said. */
static void test_producer_burst(void **state UNUSED)
{
	struct inputs in;
	struct sample prev;
	struct traced t = {0};
	struct findings f;
	struct skips s;
	producers_inputs(&in, &prev, &t);
	add_lookup(&t, 4242, false, 999, "bash", 1, 300000, 2.0, 2.0 + 300000.0 / 260000);
	detect_inputs(&in, &f, &s);
	const struct finding *x = producer_for(&f, 4242);
	assert_non_null(x);
	assert_non_null(strstr(x->title, "bash (pid 4242) fails path lookups at 260.0 k/s for 1.15 s (37.5 k/s over the "
					 "whole window)"));
	assert_non_null(strstr(x->summary, "in 8 s, at 260.0 k/s for 1.15 s (37.5 k/s over the whole window)"));
	assert_true(fabs(ev(x, "burst_duration") - 300000.0 / 260000) < 1e-9);
	assert_true(fabs(ev(x, "burst_rate") - 260000) < 1e-6);
	assert_true(ev(x, "failed_lookups_rate") == 37500);
	findings_free(&f);
	skips_free(&s);

	/* Failing steadily over the window: one rate, no burst. */
	t.lookups[0].first_s = 0.1, t.lookups[0].last_s = 7.9;
	detect_inputs(&in, &f, &s);
	x = producer_for(&f, 4242);
	assert_non_null(strstr(x->title, "bash (pid 4242) fails 37.5 k path lookups/s"));
	assert_null(strstr(x->summary, "whole window"));
	findings_free(&f);
	skips_free(&s);

	/* 300 k failures within 0.1 s: their times are kept to a tick, so
	 * no burst rate (it would be off by up to 10%), and it says why. */
	t.lookups[0].first_s = 2.0, t.lookups[0].last_s = 2.1;
	detect_inputs(&in, &f, &s);
	x = producer_for(&f, 4242);
	assert_non_null(x);
	assert_null(strstr(x->summary, "whole window"));
	assert_unknown(x, "burst_duration", "kept to a tick");
	assert_null(finding_evidence(x, "burst_rate"));
	findings_free(&f);
	skips_free(&s);

	/* From a recording of format 2: when they failed is unknown. */
	t.lookups[0].known = false;
	detect_inputs(&in, &f, &s);
	x = producer_for(&f, 4242);
	assert_unknown(x, "burst_duration", "format 2 or older");
	assert_non_null(strstr(x->title, "fails 37.5 k path lookups/s"));
	findings_free(&f);
	skips_free(&s);
	traced_free(&t);
}

/* A producer's rate, written once (issue 16: "3634.24 path lookups/s"
 * beside "37.5 k/s"): the title, the summary and the text evidence give
 * the same figure. */
static void test_producer_rate_one_format(void **state UNUSED)
{
	struct inputs in = {0};
	struct traced t = {.duration_s = 8, .groups = TG_LOOKUPS};
	struct findings f;
	struct skips s;
	char *out = NULL;
	size_t len = 0;

	ARRAY_GROW(t.lookups, t.nlookups, t.caplookups);
	t.lookups[t.nlookups++] = (struct tr_lookup){.tgid = 4100, .comm = "sh", .failed = 29074, .calls = 30000};
	in.traced = &t;
	in.mode = WINDOW_SINCE_BOOT;
	detect_inputs(&in, &f, &s);
	const struct finding *x = find_in(&f, "dcache.negative_dentry_producers");
	assert_non_null(x);
	assert_non_null(strstr(x->title, "sh (pid 4100) fails 3634 path lookups/s"));
	assert_non_null(strstr(x->summary, "looked up 29.1 k paths that do not exist in 8 s (3634/s, 97% of its path "
					   "lookups)"));
	struct report r = {.in = &in, .findings = f};
	FILE *o = open_memstream(&out, &len);
	assert_int_equal(render_text(o, &r, false), 0);
	fclose(o);
	assert_non_null(strstr(out, "failed_lookups_rate  3634/s "));
	assert_non_null(strstr(out, "failed_lookups       29.1 k "));
	assert_null(strstr(out, "3634.2"));
	free(out);
	findings_free(&f);
	skips_free(&s);
	free(t.lookups);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed002_is_critical),
		cmocka_unit_test(test_bloat_thresholds),
		cmocka_unit_test(test_bloat_is_a_risk_until_reclaim_works),
		cmocka_unit_test(test_growth_alone_warns),
		cmocka_unit_test(test_negative_thresholds),
		cmocka_unit_test(test_degrade_negative_without_meminfo),
		cmocka_unit_test(test_degrade_bloat_without_earlier_dentry),
		cmocka_unit_test(test_degrade_bloat_without_uptime),
		cmocka_unit_test(test_degrade_seed002_without_uptime),
		cmocka_unit_test(test_degrade_lookups),
		cmocka_unit_test(test_producers_short_lived_loop),
		cmocka_unit_test(test_producer_burst),
		cmocka_unit_test(test_producer_rate_one_format),
	};
	return cmocka_run_group_tests_name("dcache", tests, group_setup, group_teardown);
}
