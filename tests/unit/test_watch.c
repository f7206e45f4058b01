/* Live tracing, on the real kernel (root, BTF): the seed-002 producer is
 * named, a quiet machine raises nothing, and nothing stays attached after
 * kstall exits, however it exits. */
#include "testutil.h"

#include <json-c/json.h>
#include <math.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static char tmpl[] = "/tmp/kstall-test-watch-XXXXXX";
static char cgroup[256]; /* made by the memcg test; removed in teardown too */

static void cgroup_remove(void)
{
	if (!cgroup[0])
		return;
	/* Kill anything left in it, then remove it. */
	_cleanup_free_ char *cmd = xasprintf("for p in $(cat '%s/cgroup.procs' 2>/dev/null); do kill -9 $p; done; "
					     "for i in 1 2 3 4 5 6 7 8 9 10; do rmdir '%s' 2>/dev/null && break; sleep 0.2; done",
					     cgroup, cgroup);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", cgroup);
	cgroup[0] = '\0';
}

static int setup(void **state UNUSED) { return mkdtemp(tmpl) ? 0 : -1; }
static int teardown(void **state UNUSED)
{
	cgroup_remove();
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

static bool can_trace(void)
{
	return geteuid() == 0 && access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

/* Run a shell command, capturing stdout into a string. */
static char *sh(const char *cmd, int *status)
{
	_cleanup_free_ char *out = xasprintf("%s/sh.out", tmpl);
	_cleanup_free_ char *full = xasprintf("(%s) > '%s' 2>&1", cmd, out);
	int st = system(full);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return slurp(out, NULL);
}

static json_object *field(json_object *o, const char *k) { return json_object_object_get(o, k); }

static json_object *find_finding(json_object *doc, const char *id)
{
	json_object *fs = field(doc, "findings");
	for (size_t i = 0; i < json_object_array_length(fs); i++) {
		json_object *f = json_object_array_get_idx(fs, i);
		if (!strcmp(json_object_get_string(field(f, "id")), id))
			return f;
	}
	return NULL;
}

static double evidence(json_object *f, const char *name)
{
	json_object *ev = field(f, "evidence");
	for (size_t i = 0; i < json_object_array_length(ev); i++) {
		json_object *e = json_object_array_get_idx(ev, i);
		if (!strcmp(json_object_get_string(field(e, "name")), name))
			return json_object_get_double(field(e, "value"));
	}
	fail_msg("no evidence %s", name);
	return 0;
}

static bool has_evidence(json_object *f, const char *name)
{
	json_object *ev = field(f, "evidence");
	for (size_t i = 0; i < json_object_array_length(ev); i++)
		if (!strcmp(json_object_get_string(field(json_object_array_get_idx(ev, i), "name")), name))
			return true;
	return false;
}

/* The running kernel is major.minor or later. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;
	return uname(&u) == 0 && sscanf(u.release, "%d.%d", &a, &b) == 2 && (a > major || (a == major && b >= minor));
}

/* Remove a directory the producer filled with negative dentries: rmdir
 * prunes them at once, so the next test (a quiet machine must raise
 * nothing) does not find the dentry cache 96% negative. */
static void prune_dir(const char *dir)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		print_message("could not remove %s\n", dir);
}

/* BPF programs of kstall's object currently loaded anywhere. */
static int kstall_progs_loaded(void)
{
	int st;
	_cleanup_free_ char *out = sh("bpftool prog show 2>/dev/null | grep -cE 'path_sys_exit|path_tp_exit|on_exit|on_wakeup|vma_tp_exit|unmapped_area|direct_reclaim_|shrink_slab_|follow_fork' || true", &st);
	return atoi(out);
}

/* The kernel frees programs asynchronously after their last fd closes. */
static int wait_unloaded(void)
{
	int n;
	for (int i = 0; i < 50 && (n = kstall_progs_loaded()) > 0; i++)
		usleep(100000);
	return kstall_progs_loaded();
}

/* nss_probe in a directory of its own, what it counted, and the watch
 * around it. */
struct probe_run {
	char *dir; /* pruned by the caller (prune_dir) */
	int pid;
	unsigned long calls, enoent;
	double rate;
	json_object *doc;
};

/* nss_probe DIR SECS MODE, started 1 s into a watch of SECS + 2 s: the
 * producer starts after tracing does and stops before it ends. */
static void watch_nss_probe(const char *name, int secs, const char *mode, struct probe_run *r)
{
	*r = (struct probe_run){.dir = xasprintf("%s/%s", tmpl, name)};
	_cleanup_free_ char *probe_out = xasprintf("%s.out", r->dir);
	_cleanup_free_ char *json = xasprintf("%s.json", r->dir);
	assert_int_equal(mkdir(r->dir, 0755), 0);
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 1; exec build/tests/helpers/nss_probe '%s' %d %s > '%s') & "
		"build/kstall-asan watch --budget 0 --duration %d --interval 1 --format json > '%s'; wait",
		r->dir, secs, mode, probe_out, secs + 2, json);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *pout = slurp(probe_out, NULL);
	assert_non_null(pout);
	assert_int_equal(sscanf(pout, "ready %d calls %lu enoent %lu rate %lf", &r->pid, &r->calls, &r->enoent, &r->rate),
			 4);
	_cleanup_free_ char *text = slurp(json, NULL);
	r->doc = json_tokener_parse(text);
	assert_non_null(r->doc);
}

static void test_nss_producer_is_named(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	struct probe_run run;
	watch_nss_probe("nssdb", 3, "access", &run);
	_cleanup_free_ char *dir = run.dir;
	json_object *doc = run.doc;
	int pid = run.pid;
	unsigned long calls = run.calls, enoent = run.enoent;
	double rate = run.rate;
	assert_true(enoent > 100000 && rate > 0);
	json_object *f = find_finding(doc, "dcache.negative_dentry_producers");
	assert_non_null(f);
	json_object *subj = json_object_array_get_idx(field(f, "subjects"), 0);
	assert_int_equal(json_object_get_int(field(subj, "pid")), pid);
	assert_string_equal(json_object_get_string(field(subj, "comm")), "nss_probe");
	/* kstall's count agrees with the producer's own (it may also see a
	 * few lookups of its own start-up). */
	double failed = evidence(f, "failed_lookups");
	assert_true(failed >= (double)enoent && failed <= (double)enoent * 1.01 + 100);
	assert_true(evidence(f, "failed_lookups_rate") > 10000);
	assert_true(evidence(f, "nr_dentry_growth") > 10000);
	/* First to last failure, against the producer's own clock: the
	 * tracer keeps the latest time to a tick (4 ms at HZ 250). */
	double span = (double)calls / rate, burst = evidence(f, "burst_duration");
	if (burst < span - 0.03 || burst > span + 0.01)
		fail_msg("burst_duration %.4f s, the producer ran %.4f s", burst, span);
	json_object *ev = field(f, "evidence");
	bool pattern = false;
	for (size_t i = 0; i < json_object_array_length(ev); i++) {
		const char *v = json_object_get_string(field(json_object_array_get_idx(ev, i), "value"));
		pattern |= v && strstr(v, "/nssdb/.N_dOeSnotExist_.db (") != NULL;
	}
	assert_true(pattern);
	/* Nothing lost, and tracing's own cost is reported. */
	json_object *m = field(doc, "metrics");
	assert_int_equal(json_object_get_int(field(field(m, "kstall.lost_events"), "value")), 0);
	assert_non_null(field(m, "kstall.bpf_run_time"));
	json_object_put(doc);
	prune_dir(dir);
	assert_int_equal(wait_unloaded(), 0);
}

static json_object *finding_for_pid(json_object *doc, const char *id, int pid);

/* A process that has failed a lookup has its later successful ones
 * counted too (path_lookups): the kernel's test of whether a process has
 * an entry must not lose them. */
static void test_successful_lookups_after_a_failure(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	struct probe_run run;
	watch_nss_probe("mixed", 2, "mixed", &run);
	_cleanup_free_ char *dir = run.dir;
	json_object *doc = run.doc;
	unsigned long calls = run.calls, enoent = run.enoent;
	assert_true(enoent > 10000 && calls >= 2 * enoent - 1);
	json_object *f = finding_for_pid(doc, "dcache.negative_dentry_producers", run.pid);
	if (!f)
		fail_msg("no producer finding for pid %d", run.pid);
	double failed = evidence(f, "failed_lookups"), lookups = evidence(f, "path_lookups");
	/* from its first failure on; exit_group and its last write are not
	 * path syscalls */
	if (failed < (double)enoent || failed > (double)enoent + 100 || lookups < (double)calls ||
	    lookups > (double)calls + 100)
		fail_msg("kstall: %.0f failed of %.0f path lookups; the probe: %lu of %lu", failed, lookups, enoent,
			 calls);
	json_object_put(doc);
	prune_dir(dir);
	assert_int_equal(wait_unloaded(), 0);
}

static char *finding_list(json_object *doc)
{
	struct buf b = {0};
	json_object *fs = field(doc, "findings");
	for (size_t i = 0; i < json_object_array_length(fs); i++) {
		json_object *f = json_object_array_get_idx(fs, i);
		buf_printf(&b, "%s %s %s\n", json_object_get_string(field(f, "severity")),
			   json_object_get_string(field(f, "id")), json_object_get_string(field(f, "title")));
	}
	buf_reserve(&b, 0);
	return b.data;
}

/* On failure, what was raised: the findings alone (the whole document is
 * longer than a failure message holds). */
static char *raised(const char *json)
{
	json_object *doc = json ? json_tokener_parse(json) : NULL;
	char *r = doc ? finding_list(doc) : xstrdup(json ? json : "(no output)");
	json_object_put(doc);
	return r;
}

static void test_quiet_machine_raises_nothing(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	int st;
	_cleanup_free_ char *out = sh("build/kstall-asan watch --budget 0 --duration 2 --format json --fail-on warning", &st);
	if (st != 0) {
		_cleanup_free_ char *r = raised(out);
		fail_msg("exit %d:\n%s", st, r);
	}
}

/* Not a terminal: one plain line per interval, then the report. */
static void test_line_per_interval_when_not_a_tty(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	int st;
	_cleanup_free_ char *out = sh("build/kstall-asan watch --budget 0 --duration 3.5 --interval 1", &st);
	assert_int_equal(st, 0);
	unsigned lines = 0;
	for (char *p = out; (p = strstr(p, "t=")); p += 2)
		if (p == out || p[-1] == '\n')
			lines++;
	assert_int_equal(lines, 3);
	assert_non_null(strstr(out, "failed_lookups="));
	assert_non_null(strstr(out, "lost=0"));
	assert_null(strchr(out, '\033')); /* no screen control without a terminal */
	assert_non_null(strstr(out, "window   3."));
}

/* perf's counts of the tracepoints kstall attaches classic programs to
 * (the path and mmap syscall events), for a shell loop of 3,000 failed
 * stats and one munmap, or -1 if perf could not count. */
static long perf_count(const char *event)
{
	_cleanup_free_ char *out = xasprintf("%s/perf.out", tmpl);
	_cleanup_free_ char *cmd = xasprintf(
		"perf stat -x, -o '%s' -e %s -- sh -c 'i=0; while [ $i -lt 3000 ]; do test -e /kstall-nonexistent; "
		"i=$((i+1)); done' >/dev/null 2>&1", out, event);
	if (system(cmd) != 0)
		return -1;
	_cleanup_free_ char *text = slurp(out, NULL);
	const char *line = text ? strstr(text, event) : NULL;
	while (line && line > text && line[-1] != '\n')
		line--;
	return line && *line >= '0' && *line <= '9' ? strtol(line, NULL, 10) : -1;
}

/* kstall never hides a tracepoint's events from the host's other tools:
 * a classic tracepoint program that returns 0 drops the event for every
 * perf listener (perf counted 0 of 20,010 before). With kstall attached,
 * perf counts what it counts without. */
static void test_perf_still_sees_events(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	REQUIRE_OR_SKIP(system("perf --version >/dev/null 2>&1") == 0, "perf is not installed (make deps: linux-perf)");
	static const char *const events[] = {"syscalls:sys_exit_newfstatat", "syscalls:sys_enter_newfstatat"};
	long without[2], with[2];
	for (int i = 0; i < 2; i++) {
		without[i] = perf_count(events[i]);
		REQUIRE_OR_SKIP(without[i] >= 3000, "perf cannot count %s here (%ld)", events[i], without[i]);
	}
	assert_int_equal(wait_unloaded(), 0);
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("build/kstall-asan", "kstall", "watch", "--duration", "30", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && kstall_progs_loaded() == 0; i++)
		usleep(100000);
	usleep(500000); /* the per-syscall events are attached after the skeleton's */
	for (int i = 0; i < 2; i++)
		with[i] = perf_count(events[i]);
	kill(p, SIGINT);
	int st;
	waitpid(p, &st, 0);
	for (int i = 0; i < 2; i++) {
		print_message("%s: %ld without kstall, %ld with\n", events[i], without[i], with[i]);
		assert_true(with[i] >= 3000);
		assert_true(labs(with[i] - without[i]) <= without[i] / 50);
	}
	assert_int_equal(wait_unloaded(), 0);
}

static void test_nothing_attached_after_sigint_or_sigkill(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	for (int sig = 0; sig < 2; sig++) {
		/* A clean slate: earlier runs' programs are freed asynchronously. */
		assert_int_equal(wait_unloaded(), 0);
		pid_t p = fork();
		assert_true(p >= 0);
		if (p == 0) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			dup2(fd, 2);
			execl("build/kstall-asan", "kstall", "watch", "--interval", "0.5", (char *)NULL);
			_exit(127);
		}
		/* Wait until it has attached. */
		for (int i = 0; i < 100 && kstall_progs_loaded() == 0; i++)
			usleep(100000);
		assert_true(kstall_progs_loaded() > 0);
		kill(p, sig == 0 ? SIGINT : SIGKILL);
		int st;
		waitpid(p, &st, 0);
		if (sig == 0)
			assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* a clean exit with a report */
		assert_int_equal(wait_unloaded(), 0);
	}
}

static uint64_t vmstat(const char *key)
{
	_cleanup_free_ char *t = slurp("/proc/vmstat", NULL);
	size_t n = strlen(key);
	for (char *p = t; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
	fail_msg("no %s in /proc/vmstat", key);
	return 0;
}

/* Memory pressure inside a memory cgroup (64 MB): the NSS-like producer
 * fills it with dentries (charged to the cgroup), so its allocations must
 * reclaim, and reclaim must shrink the dentry cache. kstall names the
 * stalled process and the shrinker, and its scan count agrees with the
 * kernel's own slabs_scanned over the same window. */
static void test_memcg_reclaim_names_victim_and_shrinker(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	const char *limit_file;
	if (access("/sys/fs/cgroup/memory/cgroup.procs", F_OK) == 0) {
		snprintf(cgroup, sizeof(cgroup), "/sys/fs/cgroup/memory/kstall-test-%d", getpid());
		limit_file = "memory.limit_in_bytes";
	} else {
		snprintf(cgroup, sizeof(cgroup), "/sys/fs/cgroup/kstall-test-%d", getpid());
		limit_file = "memory.max";
	}
	REQUIRE_OR_SKIP(mkdir(cgroup, 0755) == 0, "cannot make a memory cgroup");
	_cleanup_free_ char *lim = xasprintf("%s/%s", cgroup, limit_file);
	FILE *f = fopen(lim, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", 64 << 20);
	assert_int_equal(fclose(f), 0);

	_cleanup_free_ char *dir = xasprintf("%s/nssdb-memcg", tmpl);
	_cleanup_free_ char *probe_out = xasprintf("%s/memcg-probe.out", tmpl);
	_cleanup_free_ char *json = xasprintf("%s/memcg.json", tmpl);
	assert_int_equal(mkdir(dir, 0755), 0);
	uint64_t scanned0 = vmstat("slabs_scanned");
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 1; sh -c 'echo $$ > \"%s/cgroup.procs\" && exec build/tests/helpers/nss_probe \"%s\" 4' > '%s') & "
		"build/kstall-asan watch --budget 0 --duration 6 --interval 3 --format json > '%s'; wait",
		cgroup, dir, probe_out, json);
	int st;
	free(sh(cmd, &st));
	uint64_t scanned = vmstat("slabs_scanned") - scanned0;
	cgroup_remove();
	assert_int_equal(st, 0);
	_cleanup_free_ char *pout = slurp(probe_out, NULL);
	int pid = 0;
	assert_int_equal(sscanf(pout, "ready %d", &pid), 1);

	_cleanup_free_ char *text = slurp(json, NULL);
	json_object *doc = json_tokener_parse(text);
	assert_non_null(doc);
	json_object *stall = find_finding(doc, "reclaim.direct_reclaim_stall");
	assert_non_null(stall);
	json_object *subj = json_object_array_get_idx(field(stall, "subjects"), 0);
	assert_int_equal(json_object_get_int(field(subj, "pid")), pid);
	assert_string_equal(json_object_get_string(field(subj, "role")), "victim");
	assert_true(evidence(stall, "stalls") >= 1);
	/* The shrinker, named, for that process; and kstall's scan count
	 * against the kernel's over the same window (nothing else on this
	 * machine is under memory pressure). */
	json_object *waits = field(field(doc, "traced"), "waits");
	double kscanned = 0;
	bool named = false;
	for (size_t i = 0; i < json_object_array_length(waits); i++) {
		json_object *w = json_object_array_get_idx(waits, i);
		if (strcmp(json_object_get_string(field(w, "kind")), "shrinker"))
			continue;
		kscanned += json_object_get_double(field(w, "objects_scanned"));
		named |= json_object_get_int(field(w, "pid")) == pid && field(w, "detail") &&
			 !strcmp(json_object_get_string(field(w, "detail")), "super_cache_scan");
	}
	assert_true(named);
	print_message("objects scanned: kstall %.0f, kernel slabs_scanned %" PRIu64 "\n", kscanned, scanned);
	assert_true(scanned > 100000);
	assert_true(kscanned >= 0.9 * (double)scanned && kscanned <= 1.1 * (double)scanned);
	json_object *slow = find_finding(doc, "reclaim.shrinker_slow");
	if (slow)
		assert_non_null(strstr(json_object_get_string(field(slow, "title")), "super_cache_scan"));
	json_object_put(doc);
}

/* A busy but healthy machine: a compile job (CPU-bound, and compilers
 * fail many lookups probing include paths) raises no warning. */
static void test_busy_compile_raises_nothing(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 0.5; for i in 1 2 3; do for f in src/*/*.c; do "
		"cc -std=gnu11 -O2 -D_GNU_SOURCE -Ibuild -I/usr/include/json-c -c $f -o '%s/x.o' 2>/dev/null; "
		"done; done) & build/kstall-asan watch --budget 0 --duration 5 --interval 5 --format json --fail-on warning > '%s/busy.json'; "
		"rc=$?; wait; exit $rc", tmpl, tmpl);
	int st;
	_cleanup_free_ char *out = sh(cmd, &st);
	_cleanup_free_ char *jp = xasprintf("%s/busy.json", tmpl);
	_cleanup_free_ char *json = slurp(jp, NULL);
	if (st != 0) {
		_cleanup_free_ char *r = raised(json ? json : out);
		fail_msg("a compile job raised a warning (exit %d):\n%s", st, r);
	}
	json_object *doc = json_tokener_parse(json);
	assert_non_null(doc);
	/* It was busy: the compilers did fail lookups, and used the CPU. */
	assert_true(json_object_array_length(field(field(doc, "traced"), "failed_lookups")) > 5);
	json_object_put(doc);
}

/* A producer in its own pid namespace (a container): the report gives its
 * host pid and, as nspid, the pid it has inside. */
static void test_producer_in_pid_namespace(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	_cleanup_free_ char *dir = xasprintf("%s/nssdb-ns", tmpl);
	assert_int_equal(mkdir(dir, 0755), 0);
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 1; unshare --pid --fork build/tests/helpers/nss_probe '%s' 5 > /dev/null) & "
		"build/kstall-asan watch --budget 0 --duration 4 --interval 4 --format json > '%s/ns.json'; wait", dir, tmpl);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *jp = xasprintf("%s/ns.json", tmpl);
	_cleanup_free_ char *text = slurp(jp, NULL);
	json_object *doc = json_tokener_parse(text);
	assert_non_null(doc);
	json_object *f = find_finding(doc, "dcache.negative_dentry_producers");
	assert_non_null(f);
	json_object *subj = json_object_array_get_idx(field(f, "subjects"), 0);
	assert_true(json_object_get_int(field(subj, "pid")) > 1);
	assert_non_null(field(subj, "nspid"));
	assert_int_equal(json_object_get_int(field(subj, "nspid")), 1);
	json_object_put(doc);
}

/* Without root, watch says why it cannot trace; plain kstall checks and
 * says what tracing would add. */
static void test_unprivileged_is_clear(void **state UNUSED)
{
	REQUIRE_OR_SKIP(geteuid() == 0, "needs root to drop to an unprivileged user");
	int st;
	_cleanup_free_ char *w = sh("setpriv --reuid=65534 --regid=65534 --clear-groups build/kstall-asan watch --budget 0 --duration 1", &st);
	assert_int_equal(st, 1);
	assert_non_null(strstr(w, "needs root"));
	assert_null(strstr(w, "libbpf")); /* a clear line, not a loader dump */
	_cleanup_free_ char *d = sh("setpriv --reuid=65534 --regid=65534 --clear-groups build/kstall-asan --interval 0.2", &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(d, "running check only"));
	assert_non_null(strstr(d, "needs live tracing"));
}


static json_object *report_json(const char *args, int *st, char **err)
{
	_cleanup_free_ char *cmd = xasprintf("build/kstall-asan report %s --format json 2> '%s/report.err'", args, tmpl);
	_cleanup_free_ char *out = sh(cmd, st);
	_cleanup_free_ char *ep = xasprintf("%s/report.err", tmpl);
	*err = slurp(ep, NULL);
	return json_tokener_parse(out);
}

/* record, then report: the same findings offline; --from/--to select a
 * window; a file cut anywhere reads up to its last whole frame; a second
 * recording appends a segment. */
static void test_record_and_report(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	_cleanup_free_ char *dir = xasprintf("%s/nssdb-rec", tmpl);
	_cleanup_free_ char *rec = xasprintf("%s/rec.ks", tmpl);
	assert_int_equal(mkdir(dir, 0755), 0);
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 2; exec build/tests/helpers/nss_probe '%s' 3 > /dev/null) & "
		"build/kstall-asan record --budget 0 -o '%s' --duration 8 --interval 2 --format json > '%s/live.json'; wait",
		dir, rec, tmpl);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *lp = xasprintf("%s/live.json", tmpl);
	_cleanup_free_ char *ltext = slurp(lp, NULL);
	json_object *live = json_tokener_parse(ltext);
	assert_non_null(live);
	assert_non_null(find_finding(live, "dcache.negative_dentry_producers"));

	char *err;
	_cleanup_free_ char *arg = xasprintf("'%s'", rec);
	json_object *back = report_json(arg, &st, &err);
	assert_int_equal(st, 0);
	assert_non_null(back);
	assert_string_equal(json_object_get_string(field(field(back, "window"), "source")), "recording");
	_cleanup_free_ char *fl = finding_list(live), *fb = finding_list(back);
	if (strcmp(fl, fb))
		fail_msg("live and report differ:\n%s---\n%s", fl, fb);
	json_object_put(back);
	free(err);

	/* After the producer stopped (it ran from about 2 s to 5 s). */
	_cleanup_free_ char *late = xasprintf("'%s' --from 6", rec);
	back = report_json(late, &st, &err);
	assert_int_equal(st, 0);
	assert_null(find_finding(back, "dcache.negative_dentry_producers"));
	json_object_put(back);
	free(err);

	/* Cut the file inside its last frame, as kill -9 or a full disk would. */
	struct stat sb;
	assert_int_equal(stat(rec, &sb), 0);
	_cleanup_free_ char *cut = xasprintf("%s/cut.ks", tmpl);
	_cleanup_free_ char *cpcmd = xasprintf("head -c %lld '%s' > '%s'", (long long)sb.st_size - 50, rec, cut);
	assert_int_equal(system(cpcmd), 0);
	_cleanup_free_ char *carg = xasprintf("'%s'", cut);
	back = report_json(carg, &st, &err);
	assert_int_equal(st, 0);
	assert_non_null(strstr(err, "ignored"));
	double d = json_object_get_double(field(field(back, "window"), "duration_s"));
	assert_true(d > 5 && d < 7); /* the last 2 s interval is gone */
	json_object_put(back);
	free(err);

	/* Not a recording at all. */
	_cleanup_free_ char *garb = xasprintf("'%s/live.json'", tmpl);
	back = report_json(garb, &st, &err);
	assert_int_equal(st, 1);
	assert_non_null(strstr(err, "not a kstall recording"));
	json_object_put(back);
	free(err);

	/* Appending a second recording: the report covers the last segment. */
	_cleanup_free_ char *again = xasprintf("build/kstall-asan record --budget 0 -o '%s' --duration 2 --interval 1 > /dev/null", rec);
	free(sh(again, &st));
	assert_int_equal(st, 0);
	back = report_json(arg, &st, &err);
	assert_int_equal(st, 0);
	d = json_object_get_double(field(field(back, "window"), "duration_s"));
	assert_true(d > 1.5 && d < 3);
	json_object_put(back);
	free(err);
	json_object_put(live);
}

/* -c CGROUP filters in the kernel: of two identical producers, only the
 * one in the cgroup (v1 or v2) is seen. Its children would be followed. */
static void test_cgroup_filter(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	const char *base = access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) == 0 ? "/sys/fs/cgroup/pids"
										: "/sys/fs/cgroup";
	snprintf(cgroup, sizeof(cgroup), "%s/kstall-test-c-%d", base, getpid());
	REQUIRE_OR_SKIP(mkdir(cgroup, 0755) == 0, "cannot make a cgroup");
	_cleanup_free_ char *in_dir = xasprintf("%s/nss-in", tmpl), *out_dir = xasprintf("%s/nss-out", tmpl);
	assert_int_equal(mkdir(in_dir, 0755), 0);
	assert_int_equal(mkdir(out_dir, 0755), 0);
	/* The inside producer joins before kstall starts: -c reads the members. */
	_cleanup_free_ char *cmd = xasprintf(
		"sh -c 'echo $$ > \"%s/cgroup.procs\" && sleep 1 && exec build/tests/helpers/nss_probe \"%s\" 3' > '%s/in.out' & "
		"(sleep 1; exec build/tests/helpers/nss_probe '%s' 3 > '%s/out.out') & sleep 0.3; "
		"build/kstall-asan watch --budget 0 -c '%s' --duration 5 --interval 5 --format json > '%s/c.json'; wait",
		cgroup, in_dir, tmpl, out_dir, tmpl, cgroup, tmpl);
	int st;
	free(sh(cmd, &st));
	cgroup_remove();
	assert_int_equal(st, 0);
	_cleanup_free_ char *ip = xasprintf("%s/in.out", tmpl), *op = xasprintf("%s/out.out", tmpl);
	_cleanup_free_ char *it = slurp(ip, NULL), *ot = slurp(op, NULL);
	int in_pid = 0, out_pid = 0;
	assert_int_equal(sscanf(it, "ready %d", &in_pid), 1);
	assert_int_equal(sscanf(ot, "ready %d", &out_pid), 1);
	_cleanup_free_ char *jp = xasprintf("%s/c.json", tmpl);
	_cleanup_free_ char *text = slurp(jp, NULL);
	json_object *doc = json_tokener_parse(text);
	assert_non_null(doc);
	json_object *fl = field(field(doc, "traced"), "failed_lookups");
	bool saw_in = false, saw_out = false;
	for (size_t i = 0; i < json_object_array_length(fl); i++) {
		int p = json_object_get_int(field(json_object_array_get_idx(fl, i), "pid"));
		saw_in |= p == in_pid;
		saw_out |= p == out_pid;
	}
	assert_true(saw_in);
	assert_false(saw_out);
	json_object_put(doc);
}

/* -p PID filters in the kernel: of two identical producers, only the named
 * one is seen. */
static void test_pid_filter(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	_cleanup_free_ char *a_dir = xasprintf("%s/nss-a", tmpl), *b_dir = xasprintf("%s/nss-b", tmpl);
	assert_int_equal(mkdir(a_dir, 0755), 0);
	assert_int_equal(mkdir(b_dir, 0755), 0);
	/* Both start after kstall has attached; A is given by pid. */
	_cleanup_free_ char *cmd = xasprintf(
		"sh -c 'sleep 1.5; exec build/tests/helpers/nss_probe \"%s\" 2' > '%s/a.out' & a=$!; "
		"sh -c 'sleep 1.5; exec build/tests/helpers/nss_probe \"%s\" 2' > '%s/b.out' & "
		"build/kstall-asan watch --budget 0 -p $a --duration 4 --interval 4 --format json > '%s/p.json'; wait",
		a_dir, tmpl, b_dir, tmpl, tmpl);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *ap = xasprintf("%s/a.out", tmpl), *bp = xasprintf("%s/b.out", tmpl);
	_cleanup_free_ char *at = slurp(ap, NULL), *bt = slurp(bp, NULL);
	int a = 0, b = 0;
	assert_int_equal(sscanf(at, "ready %d", &a), 1);
	assert_int_equal(sscanf(bt, "ready %d", &b), 1);
	_cleanup_free_ char *jp = xasprintf("%s/p.json", tmpl);
	_cleanup_free_ char *text = slurp(jp, NULL);
	json_object *doc = json_tokener_parse(text);
	assert_non_null(doc);
	json_object *fl = field(field(doc, "traced"), "failed_lookups");
	bool saw_a = false, saw_b = false;
	for (size_t i = 0; i < json_object_array_length(fl); i++) {
		int p = json_object_get_int(field(json_object_array_get_idx(fl, i), "pid"));
		saw_a |= p == a;
		saw_b |= p == b;
	}
	assert_true(saw_a);
	assert_false(saw_b);
	json_object_put(doc);
}

/* Plain `kstall` as root: check plus tracing, one report. */
/* With -p, children are followed and, once they exit, forgotten: a
 * watched shell that runs 300 short commands leaves the filter with the
 * living only (before, every child stayed until the map's 4,096 were
 * full, and later children were not followed). */
static void test_pid_filter_forgets_exited_children(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	_cleanup_free_ char *cmd = xasprintf(
		"sh -c 'sleep 1.5; i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done; sleep 2' & a=$!; "
		"build/kstall-asan watch --budget 0 -p $a --duration 4 --interval 4 --format json > '%s/f.json' & k=$!; "
		"sleep 3.2; id=$(bpftool map show name pids 2>/dev/null | sed -n 's/^\\([0-9]*\\):.*/\\1/p' | tail -1); "
		"bpftool map dump id $id 2>/dev/null | grep -c key; wait $k; wait",
		tmpl);
	int st;
	_cleanup_free_ char *out = sh(cmd, &st);
	assert_int_equal(st, 0);
	long n = strtol(out, NULL, 10);
	print_message("pid filter entries after 300 children exited: %ld\n", n);
	assert_true(n >= 1); /* the shell itself */
	assert_true(n <= 5);
}

/* Where the kernel lends a task's saved registers (bpf_task_pt_regs,
 * 5.15+), a path syscall costs one program, at its exit: the entry
 * programs are loaded but attached nowhere (the per-call cost fell from
 * 756 to 237 ns on a failed-access storm here). The exit program is
 * path_tp_exit_file where the kernel has bpf_rdonly_cast, else
 * path_tp_exit. */
static void test_path_syscalls_run_one_program(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	int st;
	_cleanup_free_ char *has = sh("bpftool feature probe kernel 2>/dev/null | grep -c bpf_task_pt_regs", &st);
	REQUIRE_OR_SKIP(has && atoi(has) > 0, "this kernel has no bpf_task_pt_regs: the entry programs run");
	_cleanup_free_ char *cmd = xasprintf(
		"build/kstall-asan watch --budget 0 --duration 3 --interval 3 --format json > '%s/one.json' & k=$!; sleep 2; "
		"links() { n=0; for id in $(bpftool prog show name $1 2>/dev/null | sed -n 's/^\\([0-9]*\\):.*/\\1/p'); do "
		"n=$((n + $(bpftool link show 2>/dev/null | grep -cE \"prog $id( |$)\"))); done; echo $n; }; "
		"echo enter $(links path_tp_enter) exit $(($(links path_tp_exit) + $(links path_tp_exit_file))); wait $k",
		tmpl);
	_cleanup_free_ char *out = sh(cmd, &st);
	assert_int_equal(st, 0);
	int enter = -1, ex = -1;
	assert_int_equal(sscanf(out, "enter %d exit %d", &enter, &ex), 2);
	print_message("path syscall links: %d at entry, %d at exit\n", enter, ex);
	assert_int_equal(enter, 0);
	assert_true(ex >= 8);
}

static void test_bare_kstall_checks_and_traces(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	int st;
	_cleanup_free_ char *out = sh("build/kstall-asan --duration 2 --format json", &st);
	assert_int_equal(st, 0);
	json_object *doc = json_tokener_parse(out);
	assert_non_null(doc);
	double d = json_object_get_double(field(field(doc, "window"), "duration_s"));
	assert_true(d >= 2 && d < 4);
	assert_non_null(field(doc, "traced"));
	/* No "needs live tracing" skips: tracing ran. */
	json_object *sk = field(doc, "skipped");
	for (size_t i = 0; i < json_object_array_length(sk); i++)
		assert_null(strstr(json_object_get_string(field(json_object_array_get_idx(sk, i), "reason")),
				   "needs live tracing"));
	json_object_put(doc);
}

static json_object *finding_for_pid(json_object *doc, const char *id, int pid)
{
	json_object *fs = field(doc, "findings");
	for (size_t i = 0; i < json_object_array_length(fs); i++) {
		json_object *f = json_object_array_get_idx(fs, i);
		json_object *subj = json_object_array_get_idx(field(f, "subjects"), 0);
		if (!strcmp(json_object_get_string(field(f, "id")), id) && json_object_get_int(field(subj, "pid")) == pid)
			return f;
	}
	return NULL;
}

/* Seed 001 on the real kernel: a process with 9,000 small regions and
 * holes allocates and frees a 512 KiB buffer per iteration (glibc's mmap
 * threshold fixed, so each is a 516 KiB mmap and munmap). kstall names it,
 * its region count, the size and the rate, and its count of pairs agrees
 * with the program's own. The same program reusing its buffer: no churn.
 * Each run: the program starts 1 s into a 5 s watch, churns 2.5 s, and is
 * still there (lingering) when the last sample reads its maps. */
static void run_vmachurn(const char *env, const char *mode, json_object **doc, int *pid, unsigned long *iterations)
{
	_cleanup_free_ char *out = xasprintf("%s/vmachurn-%s.out", tmpl, mode);
	_cleanup_free_ char *json = xasprintf("%s/vmachurn-%s.json", tmpl, mode);
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 1; exec build/tests/helpers/vmachurn -f 9000 -m %s -t 2.5 -l 3 > '%s') & "
		"%s build/kstall-asan watch --budget 0 --duration 5 --interval 1 --format json > '%s'; wait",
		mode, out, env, json);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *pout = slurp(out, NULL);
	long regions = 0;
	double secs = 0;
	assert_non_null(pout);
	assert_int_equal(sscanf(pout, "ready %d regions %ld iterations %lu seconds %lf", pid, &regions, iterations, &secs), 4);
	assert_int_equal(regions, 9000);
	_cleanup_free_ char *text = slurp(json, NULL);
	*doc = json_tokener_parse(text);
	assert_non_null(*doc);
}

static void test_seed001_churn_is_named(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	json_object *doc;
	int pid;
	unsigned long iterations;

	run_vmachurn("", "churn", &doc, &pid, &iterations);
	assert_true(iterations > 10000);
	json_object *f = finding_for_pid(doc, "vma.mmap_churn", pid);
	if (!f)
		fail_msg("no vma.mmap_churn for pid %d:\n%s", pid, json_object_to_json_string(doc));
	json_object *subj = json_object_array_get_idx(field(f, "subjects"), 0);
	assert_string_equal(json_object_get_string(field(subj, "comm")), "vmachurn");
	assert_true(evidence(f, "pattern_size") == 528384); /* a 512 KiB malloc's mmap */
	/* Every iteration is one pair; kstall saw them all (a pair cut by
	 * the window's edge at most). */
	double pairs = evidence(f, "pattern_pairs");
	if (pairs < (double)iterations - 1 || pairs > (double)iterations + 1)
		fail_msg("kstall counted %.0f pairs, the program made %lu", pairs, iterations);
	assert_true(evidence(f, "pattern_rate") > 1000);
	assert_true(evidence(f, "unmapped_area_searches") > 1000);
	assert_true(evidence(f, "vmas") >= 9000);
	assert_true(evidence(f, "anonymous_share") > 0.99);
	/* One call in 8 per CPU timed (where the kernel lends the saved
	 * registers, 5.15+); the counts above are every call's. */
	if (kernel_at_least(5, 15) && !has_evidence(f, "calls_timed"))
		fail_msg("5.15 or later, and every mmap and munmap call was timed");
	if (has_evidence(f, "calls_timed")) {
		double timed = evidence(f, "calls_timed"), calls = 2 * pairs;
		if (timed < calls / 8 * 0.75 || timed > calls / 8 * 1.25)
			fail_msg("%.0f of %.0f calls timed, not about one in 8", timed, calls);
	}
	assert_non_null(strstr(json_object_get_string(field(f, "title")), "516 KiB"));
	/* Its layout, from its maps at the end of the window. */
	json_object *frag = finding_for_pid(doc, "vma.fragmentation", pid);
	assert_non_null(frag);
	assert_true(evidence(frag, "vmas") >= 9000);
	assert_true(evidence(frag, "holes") >= 9000);
	assert_int_equal(json_object_get_int(field(field(field(doc, "metrics"), "kstall.lost_events"), "value")), 0);
	json_object_put(doc);

	run_vmachurn("", "reuse", &doc, &pid, &iterations);
	assert_true(iterations > 10000);
	assert_null(finding_for_pid(doc, "vma.mmap_churn", pid));
	assert_non_null(finding_for_pid(doc, "vma.fragmentation", pid)); /* still 9,000 regions */
	json_object_put(doc);
	assert_int_equal(wait_unloaded(), 0);
}

/* The time in mmap and munmap estimated from one call in 8 agrees with
 * the time of every call: two watches at once on one churner, one
 * timing them all (KSTALL_VMA_TIME_ALL). */
static void test_churn_time_from_sampled_calls(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	REQUIRE_OR_SKIP(kernel_at_least(5, 15), "mmap calls are sampled where the kernel lends saved registers (5.15+)");
	_cleanup_free_ char *out = xasprintf("%s/vmachurn-two.out", tmpl);
	_cleanup_free_ char *js = xasprintf("%s/vmachurn-sampled.json", tmpl);
	_cleanup_free_ char *ja = xasprintf("%s/vmachurn-all.json", tmpl);
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 1.5; exec build/tests/helpers/vmachurn -f 100 -t 2.5 -l 2 > '%s') & "
		"KSTALL_VMA_TIME_ALL=1 build/kstall-asan watch --budget 0 --duration 6 --interval 1 --format json > '%s' & "
		"build/kstall-asan watch --budget 0 --duration 6 --interval 1 --format json > '%s'; wait",
		out, ja, js);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *pout = slurp(out, NULL);
	int pid = 0;
	assert_non_null(pout);
	assert_int_equal(sscanf(pout, "ready %d", &pid), 1);
	_cleanup_free_ char *ts = slurp(js, NULL), *ta = slurp(ja, NULL);
	json_object *ds = json_tokener_parse(ts), *da = json_tokener_parse(ta);
	assert_non_null(ds);
	assert_non_null(da);
	json_object *fs = finding_for_pid(ds, "vma.mmap_churn", pid), *fa = finding_for_pid(da, "vma.mmap_churn", pid);
	if (!fs || !fa)
		fail_msg("vma.mmap_churn for pid %d: sampled %s, all timed %s", pid, fs ? "found" : "missing",
			 fa ? "found" : "missing");
	assert_true(has_evidence(fs, "calls_timed"));
	assert_false(has_evidence(fa, "calls_timed"));
	assert_true(evidence(fs, "pairs") == evidence(fa, "pairs"));
	double s = evidence(fs, "syscall_time"), a = evidence(fa, "syscall_time");
	if (s < a * 0.85 || s > a * 1.15)
		fail_msg("time in mmap and munmap: %.4f s from one call in 8, %.4f s from all", s, a);
	json_object_put(ds);
	json_object_put(da);
	assert_int_equal(wait_unloaded(), 0);
}

/* A build host: thousands of short-lived processes, each mapping a few
 * sizes, fill the per-(process, length) map within seconds. Entries of
 * exited processes leave it (counted), so a churner starting afterwards
 * is still seen. */
static void test_churn_seen_after_many_processes(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	_cleanup_free_ char *out = xasprintf("%s/vmachurn-late.out", tmpl);
	_cleanup_free_ char *json = xasprintf("%s/vmachurn-late.json", tmpl);
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 1; for i in $(seq 3000); do /bin/true; done; "
		"exec build/tests/helpers/vmachurn -f 100 -t 2 -l 3 > '%s') & "
		"build/kstall-asan watch --budget 0 --duration 12 --interval 1 --format json > '%s'; wait", out, json);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *pout = slurp(out, NULL);
	int pid = 0;
	assert_non_null(pout);
	assert_int_equal(sscanf(pout, "ready %d", &pid), 1);
	_cleanup_free_ char *text = slurp(json, NULL);
	json_object *doc = json_tokener_parse(text);
	assert_non_null(doc);
	if (!finding_for_pid(doc, "vma.mmap_churn", pid))
		fail_msg("no vma.mmap_churn for pid %d after 3000 processes:\n%s", pid, json_object_to_json_string(doc));
	json_object *m = field(doc, "metrics");
	/* The short-lived processes' entries were let go, and said to be. */
	assert_true(json_object_get_double(field(field(m, "kstall.vmops_pruned"), "value")) > 1000);
	json_object_put(doc);
	assert_int_equal(wait_unloaded(), 0);
}

/* Softirq runs counted in the kernel agree with /proc/softirqs over the
 * same window: a recording holds both at each interval, and a report of
 * the window between two frames compares them. */
static void test_softirq_counts_agree(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	_cleanup_free_ char *rec = xasprintf("%s/irq.rec", tmpl), *rep = xasprintf("%s/irq.json", tmpl);
	_cleanup_free_ char *cmd = xasprintf(
		"build/kstall-asan record --budget 0 -o '%s' --duration 4.5 --interval 1 > /dev/null && "
		"build/kstall-asan report '%s' --from 1 --to 4 --format json > '%s'", rec, rec, rep);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *text = slurp(rep, NULL);
	json_object *doc = json_tokener_parse(text);
	assert_non_null(doc);
	double secs = json_object_get_double(field(field(doc, "window"), "duration_s"));
	assert_true(secs > 2.5 && secs < 3.5);
	static const char *const vecs[] = {"TIMER", "RCU", "SCHED"};
	for (size_t k = 0; k < ARRAY_SIZE(vecs); k++) {
		double traced = 0;
		json_object *irqs = field(field(doc, "traced"), "irqs");
		for (size_t i = 0; i < json_object_array_length(irqs); i++) {
			json_object *x = json_object_array_get_idx(irqs, i);
			if (!strcmp(json_object_get_string(field(x, "kind")), "softirq") &&
			    !strcmp(json_object_get_string(field(x, "vector")), vecs[k]))
				traced += json_object_get_double(field(x, "count"));
		}
		char name[64];
		snprintf(name, sizeof(name), "softirq.%s", vecs[k]);
		double counted = json_object_get_double(field(field(field(doc, "metrics"), name), "value")) * secs;
		print_message("%s: kstall %.0f, /proc/softirqs %.0f in %.2f s\n", vecs[k], traced, counted, secs);
		if (fabs(traced - counted) > 0.10 * counted + 5)
			fail_msg("%s: kstall counted %.0f softirq runs, /proc/softirqs %.0f", vecs[k], traced, counted);
	}
	json_object_put(doc);
	assert_int_equal(wait_unloaded(), 0);
}

/* Each CPU's steal clock as the interrupt programs read it (through the
 * run queue, irq.bpf.h) is the steal /proc/stat shows for that CPU: the
 * per-CPU irq state is dumped (bpftool) while a watch runs, between two
 * reads of /proc/stat. Ticks are 1/USER_HZ s; a tick either side. */
static void test_steal_clock_read(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	int st;
	free(sh("bpftool btf dump file /sys/kernel/btf/vmlinux | grep -q \"STRUCT 'kvm_steal_time'\"", &st));
	if (st != 0) {
		print_message("[  SKIP    ] no KVM steal clock in this kernel's BTF: nothing to read\n");
		skip();
	}
	_cleanup_free_ char *out = xasprintf("%s/steal.out", tmpl), *wj = xasprintf("%s/steal.json", tmpl);
	_cleanup_free_ char *cmd = xasprintf(
		"build/kstall-asan watch --budget 0 --duration 5 --interval 5 --format json > '%s' & k=$!; "
		"i=0; until bpftool map show name irq_cpu > /dev/null 2>&1; do "
		"i=$((i+1)); [ $i -lt 300 ] || break; sleep 0.02; done; sleep 2; "
		"{ grep '^cpu[0-9]' /proc/stat; echo dump; "
		"bpftool map dump id $(bpftool map show name irq_cpu | sed -n 's/^\\([0-9]*\\):.*/\\1/p' | sort -n | tail -1) -j; "
		"echo; echo after; grep '^cpu[0-9]' /proc/stat; } > '%s'; wait $k",
		wj, out);
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	/* A kernel with the struct but no steal clock to reach: said, not read. */
	_cleanup_free_ char *with = slurp(wj, NULL);
	assert_non_null(with);
	if (strstr(with, "irq.interrupt_steal")) {
		print_message("[  SKIP    ] kstall found no steal clock to read here (irq.interrupt_steal)\n");
		skip();
	}
	_cleanup_free_ char *text = slurp(out, NULL);
	assert_non_null(text);
	char *dump = strstr(text, "\ndump\n"), *after = strstr(text, "\nafter\n");
	assert_non_null(dump);
	assert_non_null(after);
	*after = 0;
	json_object *doc = json_tokener_parse(dump + 6);
	if (!doc)
		fail_msg("bpftool's dump of irq_cpu is not JSON:\n%s", text);
	json_object *vals = field(field(json_object_array_get_idx(doc, 0), "formatted"), "values");
	assert_non_null(vals);
	double tick = 1e9 / (double)sysconf(_SC_CLK_TCK);
	size_t n = json_object_array_length(vals);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(vals, i);
		int cpu = json_object_get_int(field(v, "cpu"));
		double bpf = (double)json_object_get_uint64(field(field(v, "value"), "timer_steal"));
		char key[24];
		unsigned long long s0 = 0, s1 = 0;
		snprintf(key, sizeof(key), "cpu%d ", cpu);
		const char *l0 = strstr(text, key), *l1 = strstr(after + 1, key);
		if (!l0 || !l1)
			continue; /* possible, not online */
		assert_int_equal(sscanf(l0, "%*s %*u %*u %*u %*u %*u %*u %*u %llu", &s0), 1);
		assert_int_equal(sscanf(l1, "%*s %*u %*u %*u %*u %*u %*u %*u %llu", &s1), 1);
		print_message("cpu %d: steal clock %.3f s in BPF, /proc/stat %.2f to %.2f s\n", cpu, bpf / 1e9,
			      (double)s0 * tick / 1e9, (double)s1 * tick / 1e9);
		if (bpf < ((double)s0 - 1) * tick || bpf > ((double)s1 + 1) * tick)
			fail_msg("cpu %d: the programs read a steal clock of %.0f ns; /proc/stat says %llu to %llu ticks",
				 cpu, bpf, s0, s1);
	}
	json_object_put(doc);
	/* Read, the clock is not a skip; forced off, it is, on its own line:
	 * irq.irqs_off_tracers still says what it says. */
	_cleanup_free_ char *off = sh("KSTALL_NO_STEAL=1 build/kstall-asan watch --budget 0 --duration 1 --format json", &st);
	assert_int_equal(st, 0);
	doc = json_tokener_parse(off);
	assert_non_null(doc);
	json_object *sk = field(doc, "skipped");
	bool said = false, tracers = false;
	for (size_t i = 0; i < json_object_array_length(sk); i++) {
		json_object *x = json_object_array_get_idx(sk, i);
		const char *id = json_object_get_string(field(x, "detector")), *why = json_object_get_string(field(x, "reason"));
		said |= !strcmp(id, "irq.interrupt_steal") && strstr(why, "KSTALL_NO_STEAL");
		tracers |= !strcmp(id, "irq.irqs_off_tracers") && strstr(why, "tracer") && !strstr(why, "steal");
	}
	json_object_put(doc);
	assert_true(said);
	assert_true(tracers);
	assert_int_equal(wait_unloaded(), 0);
}

/* `slabopen ARGS` (it opens /proc/slabinfo n times) a second into a
 * `watch` of secs with ENV set: the helper's count checked, the report. */
static json_object *watch_slabopen(const char *env, const char *args, long n, int secs)
{
	_cleanup_free_ char *out = xasprintf("%s/slabopen.out", tmpl), *json = xasprintf("%s/slabopen.json", tmpl);
	_cleanup_free_ char *cmd =
		xasprintf("(sleep 1; exec build/tests/helpers/slabopen %s > '%s') & "
			  "%s build/kstall-asan watch --budget 0 --duration %d --interval 1 --format json > '%s'; wait",
			  args, out, env, secs, json);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *pout = slurp(out, NULL), *text = slurp(json, NULL);
	assert_non_null(pout);
	assert_int_equal(atol(pout), n);
	json_object *doc = json_tokener_parse(text);
	assert_non_null(doc);
	return doc;
}

/* Seed 003's monitoring agent, without its cost: a program opens
 * /proc/slabinfo 40 times 25 ms apart (never reading it), pinned to the
 * last CPU. kstall names it with the exact count and period; and each of
 * its sleeps is a hard timer on that CPU, which the timer-lateness
 * histogram must count (the measure behind irq.irqs_off). */
static void test_slabinfo_reader_and_timers(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	long cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	_cleanup_free_ char *args = xasprintf("40 25 %ld", cpu);
	json_object *doc = watch_slabopen("", args, 40, 4);
	json_object *f = find_finding(doc, "irq.slabinfo_reader");
	if (!f)
		fail_msg("no irq.slabinfo_reader:\n%s", json_object_to_json_string(doc));
	json_object *subj = json_object_array_get_idx(field(f, "subjects"), 0);
	assert_string_equal(json_object_get_string(field(subj, "comm")), "slabopen");
	assert_true(evidence(f, "opens") == 40);
	double period = evidence(f, "period_mean");
	print_message("slabinfo: 40 opens, mean period %.1f ms (asked 25)\n", period * 1e3);
	assert_true(period >= 0.025 && period < 0.040);
	double timers = 0;
	json_object *irqs = field(field(doc, "traced"), "irqs");
	for (size_t i = 0; i < json_object_array_length(irqs); i++) {
		json_object *x = json_object_array_get_idx(irqs, i);
		if (!strcmp(json_object_get_string(field(x, "kind")), "timer_lateness") &&
		    json_object_get_int(field(x, "cpu")) == cpu)
			timers += json_object_get_double(field(x, "count"));
	}
	print_message("hard timers on CPU %ld: %.0f (the helper slept 39 times there)\n", cpu, timers);
	assert_true(timers >= 39);
	json_object_put(doc);
	assert_int_equal(wait_unloaded(), 0);
}

/* The opens of /proc/slabinfo a run of kstall counted for the helper
 * (slabopen ARGS, 20 opens 25 ms apart), with ENV set. */
static double slabinfo_opens(const char *env, const char *flag)
{
	_cleanup_free_ char *args = xasprintf("%s 20 25", flag);
	json_object *doc = watch_slabopen(env, args, 20, 3);
	json_object *f = find_finding(doc, "irq.slabinfo_reader");
	double opens = f ? evidence(f, "opens") : 0;
	print_message("%s slabopen %s: kstall counted %.0f of 20 opens\n", *env ? env : "(default)", flag, opens);
	json_object_put(doc);
	assert_int_equal(wait_unloaded(), 0);
	return opens;
}

/* Where the kernel lends typed reads of its pointers (bpf_rdonly_cast,
 * 6.2+), an open of /proc/slabinfo is told by the file it returned, not
 * by reading its path from user memory (220 of the 484 ns a successful
 * open cost): by any path, a relative one too. Elsewhere, or with
 * KSTALL_SLABINFO_BY_PATH, the absolute path is compared, and a relative
 * open goes unseen (as the README says). */
static void test_slabinfo_open_by_file(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	REQUIRE_OR_SKIP(access("/sys/kernel/btf/vmlinux", R_OK) == 0 &&
				system("bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | "
				       "grep -q \"FUNC 'bpf_rdonly_cast'\"") == 0,
			"the kernel has no bpf_rdonly_cast (6.2+)");
	assert_true(slabinfo_opens("", "") == 20);
	assert_true(slabinfo_opens("", "-r") == 20);
	assert_true(slabinfo_opens("KSTALL_SLABINFO_BY_PATH=1", "") == 20);
	assert_true(slabinfo_opens("KSTALL_SLABINFO_BY_PATH=1", "-r") == 0);
}

static json_object *finding_for_parent(json_object *doc, const char *id, int ppid)
{
	json_object *fs = field(doc, "findings");
	for (size_t i = 0; i < json_object_array_length(fs); i++) {
		json_object *f = json_object_array_get_idx(fs, i), *subj = field(f, "subjects");
		if (!strcmp(json_object_get_string(field(f, "id")), id) && json_object_array_length(subj) &&
		    json_object_get_int(field(json_object_array_get_idx(subj, 0), "pid")) == ppid)
			return f;
	}
	return NULL;
}

/* Culprits made of short-lived processes (issue 16): a shell loop that
 * starts a fresh process 16 times, each opening /proc/slabinfo once (as
 * slabtop -o or vmstat -m would), and another running stat on 10 missing
 * paths at a time, up to 3,000 times. No process is a culprit alone;
 * each loop's shell is named as the parent of its readers or producers. */
static void test_short_lived_culprits_are_named(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	_cleanup_free_ char *dir = xasprintf("%s/neg", tmpl), *json = xasprintf("%s/loops.json", tmpl);
	_cleanup_free_ char *spid = xasprintf("%s/slab.pid", tmpl), *lpid = xasprintf("%s/stat.pid", tmpl);
	assert_int_equal(mkdir(dir, 0755), 0);
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 1; exec sh -c 'echo $$ > %s; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do "
		"build/tests/helpers/slabopen 1 0 > /dev/null; sleep 0.3; done') & "
		"(sleep 1; exec sh -c 'echo $$ > %s; i=0; while [ $i -lt 3000 ]; do d=%s/x$i; "
		"stat $d-0 $d-1 $d-2 $d-3 $d-4 $d-5 $d-6 $d-7 $d-8 $d-9 > /dev/null 2>&1; i=$((i+1)); done') & "
		"build/kstall-asan watch --budget 0 --duration 8 --interval 2 --format json > '%s'; wait",
		spid, lpid, dir, json);
	int st;
	free(sh(cmd, &st));
	prune_dir(dir);
	assert_int_equal(st, 0);
	_cleanup_free_ char *sp = slurp(spid, NULL), *lp = slurp(lpid, NULL), *text = slurp(json, NULL);
	assert_non_null(sp);
	assert_non_null(lp);
	json_object *doc = json_tokener_parse(text);
	assert_non_null(doc);

	json_object *f = finding_for_parent(doc, "irq.slabinfo_reader", atoi(sp));
	if (!f)
		fail_msg("no irq.slabinfo_reader naming the loop's shell (pid %d):\n%s", atoi(sp), text);
	json_object *subj = json_object_array_get_idx(field(f, "subjects"), 0);
	assert_string_equal(json_object_get_string(field(subj, "role")), "parent of the readers");
	assert_string_equal(json_object_get_string(field(subj, "comm")), "sh");
	double period = evidence(f, "period_mean");
	print_message("slabinfo loop: %.0f opens by %.0f processes, mean period %.0f ms (slept 300 between)\n",
		      evidence(f, "opens"), evidence(f, "processes"), period * 1e3);
	assert_true(evidence(f, "opens") == 16 && evidence(f, "processes") == 16);
	assert_true(period >= 0.300 && period < 0.500);

	f = finding_for_parent(doc, "dcache.negative_dentry_producers", atoi(lp));
	if (!f)
		fail_msg("no dcache.negative_dentry_producers naming the stat loop's shell (pid %d):\n%s", atoi(lp), text);
	double procs = evidence(f, "processes"), failed = evidence(f, "failed_lookups");
	print_message("stat loop: %.0f processes failed %.0f lookups (%.0f/s over the window)\n", procs, failed,
		      evidence(f, "failed_lookups_rate"));
	assert_true(procs >= 100 && failed >= 10 * procs);
	json_object_put(doc);
	assert_int_equal(wait_unloaded(), 0);
}

/* Where per-syscall events cannot be had, raw sys_enter/sys_exit: the
 * mmap and munmap arguments come from the registers; and where the kernel
 * has no task-local storage (before 5.11), the calls in progress are in a
 * hash. Each way, the count must agree just as well, and the time inside
 * the calls be measured. */
static void test_seed001_churn_other_paths(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	static const char *const envs[] = {"KSTALL_RAW_SYSCALLS=1", "KSTALL_VMA_HASH=1",
					   "KSTALL_RAW_SYSCALLS=1 KSTALL_VMA_HASH=1"};
	for (size_t i = 0; i < ARRAY_SIZE(envs); i++) {
		json_object *doc;
		int pid;
		unsigned long iterations;
		run_vmachurn(envs[i], "churn", &doc, &pid, &iterations);
		json_object *f = finding_for_pid(doc, "vma.mmap_churn", pid);
		if (!f)
			fail_msg("%s: no vma.mmap_churn for pid %d:\n%s", envs[i], pid, json_object_to_json_string(doc));
		assert_true(evidence(f, "pattern_size") == 528384);
		assert_true(evidence(f, "anonymous_share") > 0.99); /* flags: the 4th argument */
		double pairs = evidence(f, "pattern_pairs"), share = evidence(f, "syscall_cpu_share");
		print_message("%s: %.0f pairs (the program's %lu), %.1f%% of a CPU inside them\n", envs[i], pairs,
			      iterations, 100 * share);
		if (pairs < (double)iterations - 1 || pairs > (double)iterations + 1)
			fail_msg("%s: kstall counted %.0f pairs, the program made %lu", envs[i], pairs, iterations);
		assert_true(share > 0.01 && share < 1);
		json_object_put(doc);
		assert_int_equal(wait_unloaded(), 0);
	}
}

/* --budget: the default (1% of one CPU) cannot hold the tracing of
 * vmachurn's 90 k mmap/munmap pairs a second (about 11% for the vma
 * programs alone here). The first statistics period (2-3 s in) sheds the
 * most expensive groups: their syscall events are detached while kstall
 * still runs, and the findings that need them are skipped as shed, with
 * the budget and the cost, not reported as absent. */
static void test_budget_sheds_and_says_so(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");
	_cleanup_free_ char *json = xasprintf("%s/budget.json", tmpl), *perf = xasprintf("%s/perf.txt", tmpl);
	_cleanup_free_ char *cmd = xasprintf(
		"(sleep 0.5; exec build/tests/helpers/vmachurn -m churn -t 6 > /dev/null) & "
		"build/kstall-asan watch --budget 1 --duration 7 --interval 7 --format json > '%s' & k=$!; "
		"sleep 1.5; bpftool perf show | grep -c 'sys_enter_mmap' > '%s'; sleep 4; "
		"bpftool perf show | grep -c 'sys_enter_mmap' >> '%s'; wait $k; wait",
		json, perf, perf);
	int st;
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	_cleanup_free_ char *counts = slurp(perf, NULL);
	int before = -1, after = -1;
	assert_non_null(counts);
	assert_int_equal(sscanf(counts, "%d %d", &before, &after), 2);
	assert_true(before >= 1); /* kstall's own events on mmap, before the shedding */
	assert_int_equal(after, 0);
	_cleanup_free_ char *text = slurp(json, NULL);
	json_object *doc = json_tokener_parse(text);
	assert_non_null(doc);
	json_object *sk = json_object_object_get(doc, "skipped");
	const char *why = NULL;
	for (size_t i = 0; i < json_object_array_length(sk); i++) {
		json_object *x = json_object_array_get_idx(sk, i);
		if (!strcmp(json_object_get_string(json_object_object_get(x, "detector")), "vma.mmap_churn"))
			why = json_object_get_string(json_object_object_get(x, "reason"));
	}
	if (!why || !strstr(why, "shed after") || !strstr(why, "--budget 1%") || !strstr(why, "of a CPU"))
		fail_msg("vma.mmap_churn not skipped as shed: %s", why ? why : "(not skipped)");
	json_object *fs = json_object_object_get(doc, "findings");
	for (size_t i = 0; i < json_object_array_length(fs); i++)
		if (!strcmp(json_object_get_string(json_object_object_get(json_object_array_get_idx(fs, i), "id")),
			    "vma.mmap_churn"))
			fail_msg("vma.mmap_churn raised although its programs were shed");
	json_object_put(doc);
	assert_int_equal(wait_unloaded(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: on a machine the other tests have not disturbed yet
		 * (the producer's 1.3 M negative dentries are pruned when its
		 * directory goes; one run saw timers 7 ms late just after). */
		cmocka_unit_test(test_quiet_machine_raises_nothing),
		cmocka_unit_test(test_nss_producer_is_named),
		cmocka_unit_test(test_line_per_interval_when_not_a_tty),
		cmocka_unit_test(test_busy_compile_raises_nothing),
		cmocka_unit_test(test_nothing_attached_after_sigint_or_sigkill),
		cmocka_unit_test(test_perf_still_sees_events),
		cmocka_unit_test(test_bare_kstall_checks_and_traces),
		cmocka_unit_test(test_memcg_reclaim_names_victim_and_shrinker),
		cmocka_unit_test(test_producer_in_pid_namespace),
		cmocka_unit_test(test_unprivileged_is_clear),
		cmocka_unit_test(test_record_and_report),
		cmocka_unit_test(test_cgroup_filter),
		cmocka_unit_test(test_pid_filter),
		cmocka_unit_test(test_pid_filter_forgets_exited_children),
		cmocka_unit_test(test_path_syscalls_run_one_program),
		cmocka_unit_test(test_seed001_churn_is_named),
		cmocka_unit_test(test_seed001_churn_other_paths),
		cmocka_unit_test(test_churn_seen_after_many_processes),
		cmocka_unit_test(test_churn_time_from_sampled_calls),
		cmocka_unit_test(test_successful_lookups_after_a_failure),
		cmocka_unit_test(test_softirq_counts_agree),
		cmocka_unit_test(test_steal_clock_read),
		cmocka_unit_test(test_slabinfo_reader_and_timers),
		cmocka_unit_test(test_slabinfo_open_by_file),
		cmocka_unit_test(test_short_lived_culprits_are_named),
		cmocka_unit_test(test_budget_sheds_and_says_so),
	};
	test_filter_from_env();
	return cmocka_run_group_tests_name("watch", tests, setup, teardown);
}
