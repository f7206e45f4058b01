/* The built binary, end to end: exit codes, one JSON document, snapshot
 * round trips, and no hang on a read that never returns. Runs the
 * sanitizer build (KSTALL_BIN overrides). */
#include "clirun.h"

static char tmpl[] = "/tmp/kstall-test-cli-XXXXXX";

#define RUN(timeout, ...) \
	kstall_run(&(struct run_opts){.dir = tmpl, .timeout_s = (timeout)}, (char *const[]){__VA_ARGS__, NULL})
#define get jget

static int setup(void **state UNUSED)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

static int teardown(void **state UNUSED)
{
	stuckfs_cleanup();
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_seed002_json(void **state UNUSED)
{
	struct res r = RUN(30, "check", "--root", "tests/fixtures/dcache-seed002-centos6", "--format", "json");
	assert_int_equal(r.status, 0);
	json_object *o = parse_json(&r);
	static const char *const keys[] = {"kstall_version", "host", "window", "findings", "skipped", "metrics"};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		assert_non_null(json_object_object_get(o, keys[i]));
	assert_string_equal(json_object_get_string(get(o, "findings.0.id")), "dcache.bloat");
	assert_string_equal(json_object_get_string(get(o, "findings.0.severity")), "critical");
	assert_string_equal(json_object_get_string(get(o, "host.kernel")), "2.6.32-754.3.5.el6.x86_64");
	assert_int_equal(json_object_get_int(get(o, "host.cpus.online")), 24);
	assert_string_equal(json_object_get_string(get(o, "window.mode")), "interval");
	assert_true(json_object_get_double(get(o, "window.duration_s")) == 2.0);
	json_object *ev = get(o, "findings.0.evidence");
	bool seen = false;
	for (size_t i = 0; i < json_object_array_length(ev); i++) {
		json_object *e = json_object_array_get_idx(ev, i);
		if (!strcmp(json_object_get_string(get(e, "name")), "nr_dentry")) {
			assert_int_equal(json_object_get_int64(get(e, "value")), 280626228);
			assert_string_equal(json_object_get_string(get(e, "unit")), "count");
			seen = true;
		}
	}
	assert_true(seen);
	json_object_put(o);
	res_free(&r);
}

/* -p on the seed-001 process (a 2.6.32 tree with the seed's maps): its
 * layout in JSON and text, with the search the kernel does. */
static void test_seed001_process_layout(void **state UNUSED)
{
	_cleanup_free_ char *dir = xasprintf("%s/seed001", tmpl);
	_cleanup_free_ char *cmd = xasprintf("tests/fixtures/vma-seed001-tree.sh '%s'", dir);
	assert_int_equal(system(cmd), 0);
	struct res r = RUN(30, "check", "--root", dir, "-p", "4242", "--format", "json");
	assert_int_equal(r.status, 0);
	json_object *o = parse_json(&r);
	json_object *a = get(o, "processes.0.address_space");
	assert_non_null(a);
	assert_int_equal(json_object_get_int(get(a, "vmas")), 9053);
	assert_false(json_object_get_boolean(get(a, "max_map_count_assumed")));
	assert_string_equal(json_object_get_string(get(a, "search_model")), "linear");
	assert_int_equal(json_object_get_int(get(a, "region_sizes.0.size_bytes")), 528384);
	assert_int_equal(json_object_get_int(get(a, "region_sizes.0.count")), 2885);
	assert_int_equal(json_object_get_int(get(a, "region_sizes.0.search_steps")), 4265);
	assert_int_equal(json_object_get_int(get(a, "hole_sizes.0.count")), 4400);
	assert_string_equal(json_object_get_string(get(o, "findings.0.id")), "vma.fragmentation");
	assert_string_equal(json_object_get_string(get(o, "findings.0.severity")), "critical");
	json_object_put(o);
	res_free(&r);

	r = RUN(30, "check", "--root", dir, "-p", "4242");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "layout   9053 regions (14% of vm.max_map_count)"));
	assert_non_null(strstr(r.out, "516 KiB x 2885 (4265 search steps)"));
	assert_non_null(strstr(r.out, "a linear walk (before 3.8)"));
	res_free(&r);
}

static void test_exit_codes(void **state UNUSED)
{
	struct res r = RUN(30, "check", "--root", "tests/fixtures/dcache-seed002-centos6", "--fail-on", "warning");
	assert_int_equal(r.status, 3);
	res_free(&r);
	r = RUN(30, "check", "--root", "tests/fixtures/dcache-seed002-centos6", "--fail-on", "critical");
	assert_int_equal(r.status, 3);
	res_free(&r);
	r = RUN(30, "check", "--root", "tests/fixtures/healthy-6.18-vm", "--fail-on", "warning");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "No problems found"));
	res_free(&r);
	r = RUN(30, "check", "--format", "yaml");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--format"));
	res_free(&r);
	r = RUN(30, "frobnicate");
	assert_int_equal(r.status, 2);
	res_free(&r);
	r = RUN(30, "check", "-p", "notapid");
	assert_int_equal(r.status, 2);
	res_free(&r);
	r = RUN(30, "check", "--root", "/nonexistent/kstall");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "/nonexistent/kstall"));
	res_free(&r);
	r = RUN(30, "check", "--root", "tests");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "no proc/"));
	res_free(&r);
	r = RUN(30, "check", "--root", "tests/fixtures/malformed");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "No check could run"));
	res_free(&r);
	r = RUN(30, "snapshot");
	assert_int_equal(r.status, 2);
	res_free(&r);
	/* A failed write is a failure, not a silent success. */
	r = kstall_run(&(struct run_opts){.dir = tmpl, .stdout_path = "/dev/full"},
		       (char *const[]){"check", "--root", "tests/fixtures/dcache-seed002-centos6", NULL});
	assert_int_equal(r.status, 1);
	res_free(&r);
}

static void test_text_output_and_explain(void **state UNUSED)
{
	struct res r = RUN(30, "check", "--root", "tests/fixtures/dcache-seed002-centos6");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "critical"));
	assert_non_null(strstr(r.out, "dcache.bloat"));
	assert_non_null(strstr(r.out, "kswapd0 (pid 373)"));
	assert_null(strchr(r.out, '\033')); /* no colour when not a terminal */
	res_free(&r);
	r = RUN(30, "check", "--root", "tests/fixtures/dcache-seed002-centos6", "--color", "always");
	assert_non_null(strchr(r.out, '\033'));
	res_free(&r);
	r = RUN(30, "explain", "dcache.bloat");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "How to fix"));
	assert_non_null(strstr(r.out, "dcache_lock"));
	res_free(&r);
	r = RUN(30, "explain", "no.such.finding");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "dcache.bloat"));
	res_free(&r);
	r = RUN(30, "explain");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "dcache.negative_dentries"));
	res_free(&r);
}

static void test_every_tree_gives_one_json_document(void **state UNUSED)
{
	_cleanup_free_ char *dir = real_path("trees");
	char **trees = list_dir(dir);
	static const char *const ours[] = {"tests/fixtures/healthy-6.18-vm", "tests/fixtures/rhel6-2.6.32-era",
					   "tests/fixtures/many-cpu-1152", "tests/fixtures/malformed",
					   "tests/fixtures/dcache-seed002-centos6"};
	size_t n = 0;
	for (char **t = trees; t && *t; t++)
		n++;
	for (size_t i = 0; i < n + ARRAY_SIZE(ours); i++) {
		_cleanup_free_ char *p = i < n ? xasprintf("%s/%s", dir, trees[i]) : xstrdup(ours[i - n]);
		struct res r = RUN(30, "check", "--root", p, "--format", "json");
		if (r.status != 0)
			fail_msg("%s: exit %d: %s", p, r.status, r.err);
		assert_true(r.secs < 3); /* the project's own check: 3 s per tree */
		json_object *o = parse_json(&r);
		assert_true(json_object_is_type(get(o, "findings"), json_type_array));
		assert_true(json_object_is_type(get(o, "skipped"), json_type_array));
		json_object_put(o);
		res_free(&r);
	}
	free_list(trees);
}

/* A proc/PID/cmdline that never returns (a regular file whose read blocks,
 * as a live one does while a fork holds the process's mmap_lock) must not
 * hang check: it finishes within its deadline and names the process.
 * (check reads command lines only of the processes it reports on: -p.) */
static void test_stuck_read_cannot_hang_check(void **state UNUSED)
{
	REQUIRE_OR_SKIP(stuckfs_possible(), "a stuck read needs root, /dev/fuse and build/tests/helpers/stuckfs");
	_cleanup_free_ char *tree = xasprintf("%s/stuck", tmpl);
	_cleanup_free_ char *pid_dir = xasprintf("%s/proc/4242", tree);
	_cleanup_free_ char *cmd = xasprintf("cp -r tests/fixtures/healthy-6.18-vm '%s' && mkdir -p '%s'", tree, pid_dir);
	assert_int_equal(system(cmd), 0);
	pid_t fs = stuckfs_mount(pid_dir, 30, "cmdline",
				 (char *[]){"stat=4242 (cache-server) S 1 4242 4242 0 -1 0 0 0 0 0 10 10 0 0 20 0 "
					    "9 0 100 1000000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\\n",
					    "comm=cache-srv-main\\n", NULL});
	assert_true(fs > 0);
	struct res r = RUN(20, "check", "--root", tree, "--format", "json", "--deadline-ms", "300", "-p", "4242");
	stuckfs_unmount(pid_dir, fs);
	assert_int_equal(r.status, 0);
	assert_true(r.secs < 5);
	json_object *o = parse_json(&r);
	json_object *u = get(o, "unreadable");
	assert_int_equal(json_object_array_length(u), 1);
	assert_int_equal(json_object_get_int(get(u, "0.pid")), 4242);
	assert_string_equal(json_object_get_string(get(u, "0.comm")), "cache-srv-main"); /* from comm */
	assert_int_equal(json_object_get_int(get(o, "processes.0.pid")), 4242);
	assert_null(get(o, "processes.0.cmdline")); /* unreadable, not "" */
	assert_string_equal(json_object_get_string(get(u, "0.file")), "cmdline");
	assert_non_null(strstr(json_object_get_string(get(u, "0.reason")), "deadline"));
	json_object_put(o);
	res_free(&r);
}

/* Everything but kstall's own accounting must match. */
static void assert_same_report(json_object *a, json_object *b)
{
	const char *fa = json_object_to_json_string(get(a, "findings"));
	const char *fb = json_object_to_json_string(get(b, "findings"));
	if (strcmp(fa, fb))
		fail_msg("findings differ:\n%s\n%s", fa, fb);
	json_object *ma = get(a, "metrics"), *mb = get(b, "metrics");
	unsigned n = 0;
	json_object_object_foreach(ma, k, v) {
		if (str_starts_with(k, "kstall."))
			continue;
		json_object *w = json_object_object_get(mb, k);
		if (!w)
			fail_msg("metric %s missing from the snapshot's report", k);
		const char *va = json_object_to_json_string(v), *vb = json_object_to_json_string(w);
		if (strcmp(va, vb))
			fail_msg("metric %s: live %s, snapshot %s", k, va, vb);
		n++;
	}
	assert_true(n > 20);
	assert_true(json_object_get_double(get(a, "window.duration_s")) ==
		    json_object_get_double(get(b, "window.duration_s")));
	assert_string_equal(json_object_get_string(get(a, "host.kernel")), json_object_get_string(get(b, "host.kernel")));
}

static void test_snapshot_round_trip_live(void **state UNUSED)
{
	_cleanup_free_ char *dir = xasprintf("%s/snap", tmpl);
	struct res live = RUN(60, "snapshot", "-o", dir, "--format", "json", "--interval", "0.5");
	assert_int_equal(live.status, 0);
	assert_non_null(strstr(live.err, "snapshot of"));
	json_object *a = parse_json(&live);
	assert_string_equal(json_object_get_string(get(a, "window.source")), "live");

	struct res back = RUN(60, "check", "--root", dir, "--format", "json");
	assert_int_equal(back.status, 0);
	json_object *b = parse_json(&back);
	assert_string_equal(json_object_get_string(get(b, "window.source")), "snapshot");
	assert_same_report(a, b);
	json_object_put(b);
	res_free(&back);

	/* Refuses to overwrite. */
	struct res again = RUN(60, "snapshot", "-o", dir);
	assert_int_equal(again.status, 1);
	res_free(&again);
	json_object_put(a);
	res_free(&live);
}

static void test_snapshot_tar_gz_round_trip(void **state UNUSED)
{
	_cleanup_free_ char *tgz = xasprintf("%s/snap.tar.gz", tmpl);
	_cleanup_free_ char *x = xasprintf("%s/x", tmpl);
	struct res live = RUN(60, "snapshot", "-o", tgz, "--format", "json", "--interval", "0.3");
	assert_int_equal(live.status, 0);
	json_object *a = parse_json(&live);
	struct res back = RUN(60, "check", "--root", tgz, "--format", "json");
	assert_int_equal(back.status, 0);
	json_object *b = parse_json(&back);
	assert_same_report(a, b);
	/* A standard tar reads it too. */
	_cleanup_free_ char *cmd = xasprintf("mkdir -p '%s' && tar -xzf '%s' -C '%s' && test -s '%s/proc/meminfo' "
					     "&& test -s '%s/kstall/sample0/proc/stat' && test -s '%s/kstall/meta'",
					     x, tgz, x, x, x, x);
	assert_int_equal(system(cmd), 0);
	json_object_put(a);
	json_object_put(b);
	res_free(&live);
	res_free(&back);
}

static void test_live_check_samples_twice(void **state UNUSED)
{
	struct res r = RUN(30, "check", "--format", "json", "--interval", "0.3");
	assert_int_equal(r.status, 0);
	json_object *o = parse_json(&r);
	assert_string_equal(json_object_get_string(get(o, "window.mode")), "interval");
	double d = json_object_get_double(get(o, "window.duration_s"));
	assert_true(d >= 0.3 && d < 2);
	assert_true(r.secs >= 0.3);
	assert_non_null(json_object_object_get(get(o, "metrics"), "cpu.idle_share"));
	json_object_put(o);
	res_free(&r);
}

/* The seed-000 situation, live: a 4 GB process of 4 KB pages forking back
 * to back (children reaped asynchronously) holds its mmap_lock for writing
 * ~90 ms per fork, nearly all the time, so reads of its cmdline and maps
 * block. check must stay bounded and name it. */
static void test_live_forking_process_cannot_hang_check(void **state UNUSED)
{
	_cleanup_free_ char *out = xasprintf("%s/bigfork.out", tmpl);
	pid_t bf = fork();
	assert_true(bf >= 0);
	if (bf == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		execl("build/tests/helpers/bigfork", "bigfork", "4096", "0", "60", (char *)NULL);
		_exit(127);
	}
	int pid = 0;
	for (int i = 0; i < 300 && !pid; i++) {
		_cleanup_free_ char *t = slurp(out, NULL);
		if (t && sscanf(t, "ready %d", &pid) != 1)
			pid = 0;
		if (!pid)
			usleep(100000);
	}
	assert_true(pid > 0);
	char pidstr[16];
	snprintf(pidstr, sizeof(pidstr), "%d", pid);

	bool named = false;
	for (int attempt = 0; attempt < 8 && !named; attempt++) {
		struct res r = RUN(30, "check", "-p", pidstr, "--deadline-ms", "10", "--interval", "0.2",
				   "--format", "json");
		assert_int_equal(r.status, 0);
		assert_true(r.secs < 5);
		json_object *o = parse_json(&r);
		json_object *u = get(o, "unreadable");
		for (size_t i = 0; i < json_object_array_length(u); i++) {
			json_object *e = json_object_array_get_idx(u, i);
			if (json_object_get_int(get(e, "pid")) == pid &&
			    strstr(json_object_get_string(get(e, "reason")), "deadline"))
				named = true;
		}
		json_object_put(o);
		res_free(&r);
	}
	kill(bf, SIGKILL);
	waitpid(bf, NULL, 0);
	assert_true(named);
}

/* kstall never reads /proc/slabinfo (it disables interrupts while it walks
 * every slab). A snapshot holds exactly what check read: one made from a
 * tree that has a slabinfo must not contain it. */
static void test_never_reads_slabinfo(void **state UNUSED)
{
	_cleanup_free_ char *src = real_path("trees/numa-5.4-2node");
	_cleanup_free_ char *has = xasprintf("%s/proc/slabinfo", src);
	assert_int_equal(access(has, F_OK), 0);
	_cleanup_free_ char *dir = xasprintf("%s/numa-snap", tmpl);
	struct res r = RUN(30, "snapshot", "--root", src, "-o", dir);
	assert_int_equal(r.status, 0);
	res_free(&r);
	_cleanup_free_ char *meminfo = xasprintf("%s/proc/meminfo", dir);
	_cleanup_free_ char *slab = xasprintf("%s/proc/slabinfo", dir);
	assert_int_equal(access(meminfo, F_OK), 0);
	assert_int_equal(access(slab, F_OK), -1);
}

/* A snapshot archive is input from elsewhere: entries that would land
 * outside the extraction directory are refused, and nothing is written. */
static void test_tar_gz_refuses_path_traversal(void **state UNUSED)
{
	char name[64];
	snprintf(name, sizeof(name), "kstall-escape-%d", getpid());
	_cleanup_free_ char *evil = xasprintf("%s/evil.tar.gz", tmpl);
	_cleanup_free_ char *cmd = xasprintf("mkdir -p '%s/e/a/b' && echo x > '%s/e/a/%s' && cd '%s/e/a/b' && "
					     "tar -czPf '%s' ../%s", tmpl, tmpl, name, tmpl, evil, name);
	assert_int_equal(system(cmd), 0);
	struct res r = RUN(30, "check", "--root", evil);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "cannot read snapshot"));
	res_free(&r);
	_cleanup_free_ char *escaped = xasprintf("/tmp/%s", name);
	assert_int_equal(access(escaped, F_OK), -1);
}

static void test_make_install(void **state UNUSED)
{
	_cleanup_free_ char *cmd = xasprintf("make -s install DESTDIR='%s/inst' PREFIX=/opt/kstall >/dev/null 2>&1 && "
					     "'%s/inst/opt/kstall/bin/kstall' --version | grep -q '^kstall ' && "
					     "test -s '%s/inst/opt/kstall/share/doc/kstall/README.md' && "
					     "test -s '%s/inst/opt/kstall/share/doc/kstall/docs/findings.md'",
					     tmpl, tmpl, tmpl, tmpl);
	assert_int_equal(system(cmd), 0);
}

/* kstall's own peak RSS: measured on the live host, from its own status;
 * with --root there is no such figure (the tree's proc/self is not
 * kstall), and so no metric. */
static void test_own_rss_only_live(void **state UNUSED)
{
	struct res r = RUN(30, "check", "--format", "json", "--interval", "0.05");
	assert_int_equal(r.status, 0);
	json_object *o = parse_json(&r);
	json_object *m = json_object_object_get(get(o, "metrics"), "kstall.rss_peak");
	assert_non_null(m);
	double v = json_object_get_double(json_object_object_get(m, "value"));
	if (!(v >= 1 << 20 && v < 1 << 30))
		fail_msg("kstall.rss_peak is %g bytes", v);
	json_object_put(o);
	res_free(&r);
	r = RUN(30, "check", "--root", "tests/fixtures/healthy-6.18-vm", "--format", "json");
	assert_int_equal(r.status, 0);
	o = parse_json(&r);
	assert_null(json_object_object_get(get(o, "metrics"), "kstall.rss_peak"));
	json_object_put(o);
	res_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed002_json),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_seed001_process_layout),
		cmocka_unit_test(test_text_output_and_explain),
		cmocka_unit_test(test_every_tree_gives_one_json_document),
		cmocka_unit_test(test_stuck_read_cannot_hang_check),
		cmocka_unit_test(test_snapshot_round_trip_live),
		cmocka_unit_test(test_snapshot_tar_gz_round_trip),
		cmocka_unit_test(test_live_check_samples_twice),
		cmocka_unit_test(test_own_rss_only_live),
		cmocka_unit_test(test_live_forking_process_cannot_hang_check),
		cmocka_unit_test(test_never_reads_slabinfo),
		cmocka_unit_test(test_tar_gz_refuses_path_traversal),
		cmocka_unit_test(test_make_install),
	};
	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
