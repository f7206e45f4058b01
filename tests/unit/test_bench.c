/* The benchmark suite's smoke run (bench/run --smoke: one round, a second a
 * workload and mode, check at 0 and 3,000 extra processes), so that the
 * suite does not rot between real runs. It asserts the results document is
 * whole: every workload under every mode with a positive throughput,
 * kstall's per-program figures beside the floor's, the check rows and
 * watch's memory. It compares no figure with a goal: one second a mode
 * proves nothing about cost (that is `make bench`'s job), and a timed
 * unit test would be flaky. Needs root, BTF and the bench's tools (make
 * deps installs them); the output goes to a directory of its own. */
#include "testutil.h"

#include <json-c/json.h>

static char tmpl[] = "/tmp/kstall-test-bench-XXXXXX";

static const char *const workloads[] = {"redis", "pp_cross", "pp_pinned", "lookups", "mmap", "mmapmany"};
static const char *const modes[] = {"none", "floor", "bpftrace", "libbpf", "kstall"};

static int setup(void **state UNUSED) { return mkdtemp(tmpl) ? 0 : -1; }

static int teardown(void **state UNUSED)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

static bool have_tools(void)
{
	return system("for c in bpftrace bpftool perf stress-ng redis-server redis-benchmark python3 "
		      "/usr/sbin/runqlat /usr/sbin/softirqs /usr/bin/time; do "
		      "command -v $c > /dev/null || exit 1; done") == 0;
}

static json_object *field(json_object *o, const char *k)
{
	json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

static double number(json_object *o, const char *k)
{
	json_object *v = field(o, k);
	return v && (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
		       ? json_object_get_double(v)
		       : -1;
}

static bool libbpf_applies(const char *w) { return !strcmp(w, "redis") || !strncmp(w, "pp_", 3); }

/* Every mode of workload W ran (or says why not) with a positive rate. */
static void assert_throughput(json_object *wl, const char *w)
{
	json_object *ms = field(wl, "modes");
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		json_object *m = field(ms, modes[i]);
		if (!m)
			fail_msg("%s: no mode %s", w, modes[i]);
		if (!strcmp(modes[i], "libbpf") && !libbpf_applies(w)) {
			assert_non_null(field(m, "reason"));
			continue;
		}
		if (!(number(m, "median") > 0))
			fail_msg("%s under %s: no positive throughput", w, modes[i]);
		assert_int_equal(json_object_array_length(field(m, "rounds")), 1);
		if (strcmp(modes[i], "none") && !(number(m, "ratio") > 0))
			fail_msg("%s under %s: no ratio to none", w, modes[i]);
	}
	assert_non_null(field(field(wl, "verdict"), "verdict"));
}

/* kstall's programs that ran in workload W, each with ns per run, and at
 * least one beside the empty program on its tracepoints. */
static void assert_programs(json_object *wl, const char *w)
{
	json_object *rows = field(wl, "programs");
	size_t n = rows ? json_object_array_length(rows) : 0, with_floor = 0;
	if (n == 0)
		fail_msg("%s: no kstall program figures", w);
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(rows, i);
		if (!(number(field(r, "kstall_ns"), "median") > 0))
			fail_msg("%s: a kstall program without ns per run", w);
		assert_true(json_object_array_length(field(r, "tracepoints")) > 0);
		with_floor += number(field(r, "floor_ns"), "median") > 0 && number(r, "ratio_to_floor") > 0;
	}
	if (with_floor == 0)
		fail_msg("%s: no kstall program measured beside the floor", w);
}

static void assert_check(json_object *doc)
{
	json_object *rows = field(doc, "check");
	assert_int_equal(json_object_array_length(rows), 2);
	for (size_t i = 0; i < 2; i++) {
		json_object *r = json_object_array_get_idx(rows, i);
		assert_int_equal((int)number(r, "extra_processes"), i ? 3000 : 0);
		assert_true(number(r, "ratio") > 0);
		assert_true(number(r, "rss_kb_max") > 0);
	}
	assert_true(number(field(field(doc, "watch_memory"), "rss_kb"), "max") > 0);
}

/* The one file in DIR whose name ends in EXT, or NULL. */
static char *results_file(const char *dir, const char *ext)
{
	char **names = list_dir(dir);
	char *found = NULL;
	size_t n = 0;
	for (char **p = names; p && *p; p++, n++)
		if (strlen(*p) > strlen(ext) && !strcmp(*p + strlen(*p) - strlen(ext), ext))
			found = xasprintf("%s/%s", dir, *p);
	free_list(names);
	if (n != 2) /* DATE-HOST.json and DATE-HOST.md, nothing else */
		fail_msg("%s holds %zu files, not 2", dir, n);
	return found;
}

static void run_smoke(const char *dir)
{
	char *cmd = xasprintf("bench/run --smoke --out '%s' > '%s/log' 2>&1", dir, tmpl);
	int st = system(cmd);
	free(cmd);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char *logf = xasprintf("%s/log", tmpl);
		char *log = slurp(logf, NULL);
		print_error("%s", log ? log : "");
		free(log);
		free(logf);
		fail_msg("bench/run --smoke failed (status %d); its output is above", st);
	}
}

static void test_smoke_run_is_whole(void **state UNUSED)
{
	REQUIRE_OR_SKIP(geteuid() == 0 && access("/sys/kernel/btf/vmlinux", R_OK) == 0,
			"bench smoke run: needs root and kernel BTF");
	REQUIRE_OR_SKIP(have_tools(), "bench smoke run: bench tools missing (make deps)");
	_cleanup_free_ char *dir = xasprintf("%s/out", tmpl);
	run_smoke(dir);
	_cleanup_free_ char *json_path = results_file(dir, ".json");
	_cleanup_free_ char *md_path = results_file(dir, ".md");
	assert_non_null(json_path);
	assert_non_null(md_path);
	json_object *doc = json_object_from_file(json_path);
	if (!doc)
		fail_msg("%s is not valid JSON", json_path);
	assert_true(json_object_get_boolean(field(doc, "smoke")));
	assert_true(json_object_array_length(field(doc, "kstall_tracepoints")) > 0);
	assert_int_equal(json_object_array_length(field(doc, "floor_missing")), 0);
	for (size_t i = 0; i < ARRAY_SIZE(workloads); i++) {
		json_object *wl = field(field(doc, "workloads"), workloads[i]);
		if (!wl)
			fail_msg("no workload %s", workloads[i]);
		assert_throughput(wl, workloads[i]);
		assert_programs(wl, workloads[i]);
	}
	assert_check(doc);
	json_object_put(doc);
	_cleanup_free_ char *md = slurp(md_path, NULL);
	assert_non_null(md);
	assert_non_null(strstr(md, "| kstall program(s) |"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smoke_run_is_whole),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
