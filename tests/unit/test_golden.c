/* Golden outputs: the whole text and JSON output of `kstall check` on
 * every fixture tree, compared byte for byte with tests/golden/NAME.txt
 * and NAME.json. Substring checks elsewhere pin what a finding says; these
 * pin everything else, so that a restructuring that changes any byte of
 * any report fails here, with the diff.
 *
 * Trees: every directory under tests/fixtures with a proc/ in it, the
 * seed-001 tree (tests/fixtures/vma-seed001-tree.sh, also with -p on its
 * process), and every real capture under shared/fixtures/real/trees
 * ("real-NAME"), and `report` on every recording there (NAME.ks, as
 * "report-NAME": the traced histograms, lookups and outliers that no
 * tree holds). Volatile figures are masked before the comparison:
 * kstall.cpu_time (kstall's own CPU time) is the only one.
 *
 * `make golden` (KSTALL_GOLDEN=update) rewrites the expected files from
 * the current build, for a reviewed change. */
#include "clirun.h"
#include "model/groups.h"
#include "record/recfile.h"

static char tmpl[] = "/tmp/kstall-golden-XXXXXX";

struct gcase {
	char *name;      /* expected files: tests/golden/NAME.{txt,json} */
	char *tree;      /* check --root TREE; or, with report set, report TREE */
	const char *pid; /* -p, or NULL */
	bool report;
};

static struct gcase *cases;
static size_t ncases, capcases;

static void add_case(const char *name, const char *tree, const char *pid)
{
	ARRAY_GROW(cases, ncases, capcases);
	cases[ncases++] = (struct gcase){xstrdup(name), xstrdup(tree), pid, false};
}

/* Every recording in tests/fixtures (NAME.ks): `report` on it, whose
 * output holds what was traced, which no tree has. */
static void add_recordings(const char *parent)
{
	char **v = list_dir(parent);
	for (char **e = v; e && *e; e++) {
		size_t l = strlen(*e);
		if (l < 4 || strcmp(*e + l - 3, ".ks"))
			continue;
		_cleanup_free_ char *path = xasprintf("%s/%s", parent, *e);
		_cleanup_free_ char *name = xasprintf("report-%.*s", (int)(l - 3), *e);
		add_case(name, path, NULL);
		cases[ncases - 1].report = true;
	}
	free_list(v);
}

/* A recording with a histogram of every kind kstall traces, each with
 * its detail and extra fields set, two windows apart: report on it pins
 * how each kind is shown, the live ones included. Made with kstall's own
 * writer: the same bytes every run. */
static char *traced_every_kind(double dur, uint64_t n)
{
	struct traced t = {.duration_s = dur, .threshold_ms = 10, .groups = TG_ALL, .nattached = 30};
	for (unsigned k = TR_DIRECT_RECLAIM; k < TR_KIND_END; k++) {
		ARRAY_GROW(t.hists, t.nhists, t.caphists);
		struct tr_hist *h = &t.hists[t.nhists++];
		*h = (struct tr_hist){.tgid = 100 + k, .kind = k,
				      .detail = k == TR_SHRINKER ? 0xffffffff816bd4b0ULL : (8ULL << 20) | k,
				      .count = n * k, .sum_ns = n * k * 3000000, .max_ns = 40000000 + k,
				      .extra1 = n * k * 7, .extra2 = n * k * 11, .max_tid = 1000 + k};
		h->slots[k % 20] = n * k;
		snprintf(h->comm, sizeof(h->comm), "kind%u", k);
		if (k == TR_SHRINKER)
			snprintf(h->name, sizeof(h->name), "super_cache_scan");
	}
	ARRAY_GROW(t.lookups, t.nlookups, t.caplookups);
	t.lookups[t.nlookups++] = (struct tr_lookup){.tgid = 42, .comm = "curl", .failed = n * 5000, .calls = n * 5001};
	pattern_set_add(&t.lookups[0].patterns, "/etc/pki/nssdb/.6685897_dOeSnotExist_.db", n * 9);
	ARRAY_GROW(t.events, t.nevents, t.capevents);
	t.events[t.nevents++] = (struct tr_event){.kind = TR_ML_WAIT_READ, .tid = 50, .tgid = 50, .comm = "server",
						  .t_s = dur / 3, .dur_ns = 300000000, .detail = 43 | TR_ML_FAULT,
						  .ml = {.present = true, .tid = 51, .tgid = 50, .where = 56,
							 .hold_ns = 400000000, .map_count = 9000, .comm = "plugin"}};
	char *s = traced_to_json(&t);
	traced_free(&t);
	return s;
}

static void write_every_kind(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(rec_write_frame(fd, REC_HEADER, "{\"format\":2,\"kstall_version\":\"0.1.0\",\"interval_s\":2,"
					 "\"threshold_ms\":10,\"user_hz\":100,\"t_real\":1700000000}"), 0);
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *tj = traced_every_kind(2.0 + i * 2, 1 + (uint64_t)i * 3);
		_cleanup_free_ char *j = xasprintf(
			"{\"t_mono\":%.9f,\"t_real\":%.6f,\"host_files\":%s,\"files\":{\"proc/stat\":"
			"\"cpu  1 2 3\\n\",\"proc/1/stat\":\"1 (init) S 0\"},\"traced\":%s}",
			100 + i * 2.0, 1.7e9 + i * 2, i == 0 ? "{\"proc/version\":\"Linux version 6.1\"}" : "{}", tj);
		assert_int_equal(rec_write_frame(fd, REC_INTERVAL, j), 0);
	}
	close(fd);
}

static bool is_tree(const char *dir)
{
	_cleanup_free_ char *p = xasprintf("%s/proc", dir);
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void add_trees(const char *parent, const char *prefix)
{
	char **v = list_dir(parent);
	for (char **e = v; e && *e; e++) {
		_cleanup_free_ char *dir = xasprintf("%s/%s", parent, *e);
		_cleanup_free_ char *name = xasprintf("%s%s", prefix, *e);
		if (is_tree(dir))
			add_case(name, dir, NULL);
	}
	free_list(v);
}

/* The number after "value": in the metric named key, replaced by 0. */
static void mask_metric(char *s, const char *key)
{
	char *k = strstr(s, key);
	char *v = k ? strstr(k, "\"value\": ") : NULL;
	if (!v)
		return;
	v += strlen("\"value\": ");
	char *end = v;
	while (*end && strchr("0123456789.eE+-", *end))
		end++;
	if (end == v)
		return;
	*v = '0';
	memmove(v + 1, end, strlen(end) + 1);
}

static bool updating(void)
{
	const char *g = getenv("KSTALL_GOLDEN");
	return g && !strcmp(g, "update");
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	bool ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* Compare (or, updating, write) one output; on a difference, print the
 * diff and return false. */
static bool compare(const char *expected, const char *got)
{
	if (updating())
		return write_file(expected, got);
	_cleanup_free_ char *want = slurp(expected, NULL);
	if (want && !strcmp(want, got))
		return true;
	_cleanup_free_ char *actual = xasprintf("%s/actual", tmpl);
	assert_true(write_file(actual, got));
	if (!want) {
		print_message("%s: missing (make golden writes it)\n", expected);
		return false;
	}
	_cleanup_free_ char *cmd = xasprintf("diff -u '%s' '%s' | head -80", expected, actual);
	print_message("%s differs:\n", expected);
	fflush(stdout);
	if (system(cmd) < 0)
		print_message("(diff could not run)\n");
	return false;
}

static bool run_case(const struct gcase *c, bool json)
{
	struct run_opts o = {.dir = tmpl, .timeout_s = 60};
	char *args[12] = {0};
	int n = 0;
	if (c->report) {
		args[n++] = "report";
		args[n++] = c->tree;
	} else {
		args[n++] = "check";
		args[n++] = "--root";
		args[n++] = c->tree;
	}
	args[n++] = "--color";
	args[n++] = "never";
	if (json) {
		args[n++] = "--format";
		args[n++] = "json";
	}
	if (c->pid) {
		args[n++] = "-p";
		args[n++] = (char *)c->pid;
	}
	struct res r = kstall_run(&o, args);
	bool ok = true;
	if (r.status != 0) {
		print_message("%s: exit %d, stderr: %s\n", c->name, r.status, r.err);
		ok = false;
	} else {
		if (json)
			mask_metric(r.out, "\"kstall.cpu_time\"");
		_cleanup_free_ char *path = xasprintf("tests/golden/%s.%s", c->name, json ? "json" : "txt");
		ok = compare(path, r.out);
	}
	res_free(&r);
	return ok;
}

static void test_golden_outputs(void **state UNUSED)
{
	/* No _cleanup_ here: a failed assertion longjmps past it. */
	char *real = real_path("trees");
	struct stat st;
	bool have_real = stat(real, &st) == 0;
	if (have_real)
		add_trees(real, "real-");
	free(real);
	REQUIRE_OR_SKIP(have_real, "the real captures are not in %s/fixtures/real/trees (KSTALL_SHARED)",
			shared_dir());

	add_trees("tests/fixtures", "");
	add_recordings("tests/fixtures");
	char *seed = xasprintf("%s/seed001-tree", tmpl);
	char *cmd = xasprintf("tests/fixtures/vma-seed001-tree.sh '%s'", seed);
	int rc = system(cmd);
	add_case("vma-seed001-tree", seed, NULL);
	add_case("vma-seed001-tree-p4242", seed, "4242");
	char *every = xasprintf("%s/every-kind.ks", tmpl);
	write_every_kind(every);
	add_case("report-every-kind", every, NULL);
	cases[ncases - 1].report = true;
	free(every);
	free(seed);
	free(cmd);
	assert_int_equal(rc, 0);
	assert_true(ncases >= 10);

	size_t bad = 0;
	for (size_t i = 0; i < ncases; i++)
		for (int json = 0; json < 2; json++)
			if (!run_case(&cases[i], json))
				bad++;
	print_message("%zu trees, %zu outputs%s, %zu differ\n", ncases, 2 * ncases,
		      updating() ? " written" : " compared", bad);
	assert_int_equal(bad, 0);
}

/* Every expected file belongs to a case: a renamed or removed tree
 * leaves no stale golden file behind. */
static void test_no_stale_golden(void **state UNUSED)
{
	if (!ncases)
		skip();
	char **v = list_dir("tests/golden");
	size_t stale = 0;
	for (char **e = v; e && *e; e++) {
		bool found = false;
		for (size_t i = 0; i < ncases && !found; i++) {
			size_t l = strlen(cases[i].name);
			found = !strncmp(*e, cases[i].name, l) && (!strcmp(*e + l, ".txt") || !strcmp(*e + l, ".json"));
		}
		if (!found) {
			print_message("tests/golden/%s: no tree of that name\n", *e);
			stale++;
		}
	}
	free_list(v);
	assert_int_equal(stale, 0);
}

static int setup(void **state UNUSED)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

static int teardown(void **state UNUSED)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	for (size_t i = 0; i < ncases; i++) {
		free(cases[i].name);
		free(cases[i].tree);
	}
	free(cases);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_outputs),
		cmocka_unit_test(test_no_stale_golden),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
