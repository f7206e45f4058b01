/* The quiet suite: real, benign software that kstall was not written for,
 * each case under `kstall watch` with every detector, on the real kernel.
 * A warning means harm a user would notice; none of these harms anyone, so
 * nothing above information may be raised. Each case is bounded (its load
 * stops itself within 30 s), checks that its load really ran, and cleans
 * up its mounts and processes even when it fails. What each case raised
 * (information included) is printed, for the record.
 *
 * The software comes from Debian (make deps): stress-ng, gcc, xz, zstd,
 * fio, redis-server and redis-benchmark, fuse-overlayfs, e2fsprogs. */
#include "testutil.h"

#include <json-c/json.h>
#include <math.h>

static char tmpl[] = "/tmp/kstall-test-quiet-XXXXXX";

/* Everything a case may have left: its processes (each names the
 * directory in its command line or runs in it) and its mounts. */
static void cleanup_all(void)
{
	/* [/]: the pattern must not match this shell's own command line. */
	_cleanup_free_ char *cmd = xasprintf(
		"pkill -9 -f '[/]%s' 2>/dev/null; sleep 0.2; "
		"for m in $(awk '{print $2}' /proc/mounts | grep '^%s/' | sort -r); do "
		"umount \"$m\" 2>/dev/null || umount -l \"$m\"; done",
		tmpl + 1, tmpl);
	if (system(cmd) < 0)
		fprintf(stderr, "quiet: cleanup failed\n");
}

static int setup(void **state UNUSED)
{
	if (!mkdtemp(tmpl))
		return -1;
	return setenv("T", tmpl, 1);
}

static int teardown(void **state UNUSED)
{
	cleanup_all();
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

struct quiet_case {
	const char *name;
	const char *needs;   /* commands that must exist */
	const char *prep;    /* before the load; must succeed */
	const char *load;    /* in the background, stops itself within 30 s */
	const char *ran;     /* after the load: succeeds only if it did work */
	const char *cleanup; /* always */
	/* The load's own worst request latency in ms, printed after it ran,
	 * or NULL. An irq.* finding above info whose largest figure (its *_max
	 * evidence) the load itself saw is harm that happened, not a false
	 * alarm: on this VM fio once waited 90 ms for a read whose BLOCK
	 * softirq waited as long for ksoftirqd. It is printed and let pass. */
	const char *worst;
};

#define EXT4_MOUNT                                                                                   \
	"truncate -s 1G $T/ext4.img && mkfs.ext4 -q -F $T/ext4.img && mkdir -p $T/ext4 && "          \
	"mount -o loop $T/ext4.img $T/ext4"

/* fio's terse line (version 3): field 39 is the reads' longest total
 * latency, in us. */
#define FIO_WORST_MS "awk -F';' '/^3;fio-/ {print $39 / 1000}' $T/load.out"

static const struct quiet_case cases[] = {
	{"cpu-bound on every CPU", "stress-ng", "true",
	 "stress-ng --cpu 0 --cpu-method all --timeout 12s --metrics-brief > $T/load.out 2>&1",
	 "grep -q 'cpu ' $T/load.out", "true", NULL},
	{"parallel compile", "cc", "mkdir -p $T/obj",
	 "timeout 12 sh -c 'while :; do ls src/lib/*.c src/proc/*.c src/model/*.c src/detect/*.c src/kb/*.c | "
	 "xargs -P $(nproc) -I{} sh -c \"cc -std=gnu11 -O2 -D_GNU_SOURCE -Isrc -c {} -o $T/obj/\\$(basename {}).o\"; "
	 "done' > $T/load.out 2>&1; true",
	 "ls $T/obj/*.o | wc -l | awk '{exit $1 < 20}'", "true", NULL},
	{"compressor", "xz zstd",
	 "find /usr/lib /usr/bin -type f -size +64k 2>/dev/null | head -400 | xargs cat 2>/dev/null | "
	 "head -c 8M > $T/data",
	 "timeout 12 sh -c 'while :; do xz -T0 -6 -c $T/data > $T/data.xz && zstd -q -T0 -12 -f $T/data -o $T/data.zst "
	 "&& echo round >> $T/load.out; done'; true",
	 "grep -q round $T/load.out", "rm -f $T/data $T/data.xz $T/data.zst", NULL},
	{"random reads on ext4", "fio mkfs.ext4", EXT4_MOUNT " && "
	 "fio --name=lay --filename=$T/ext4/f --size=384M --rw=write --bs=1M --end_fsync=1 > /dev/null",
	 "fio --name=r --filename=$T/ext4/f --size=384M --rw=randread --bs=4k --ioengine=psync --numjobs=2 "
	 "--time_based --runtime=12 --group_reporting --output-format=normal,terse > $T/load.out",
	 "grep -q 'READ: bw=' $T/load.out", "umount $T/ext4", FIO_WORST_MS},
	{"random reads on tmpfs", "fio",
	 "mkdir -p $T/tmpfs && mount -t tmpfs -o size=400m kstall-quiet $T/tmpfs && "
	 "fio --name=lay --filename=$T/tmpfs/f --size=256M --rw=write --bs=1M > /dev/null",
	 "fio --name=r --filename=$T/tmpfs/f --size=256M --rw=randread --bs=4k --ioengine=psync --numjobs=2 "
	 "--time_based --runtime=12 --group_reporting --output-format=normal,terse > $T/load.out",
	 "grep -q 'READ: bw=' $T/load.out", "umount $T/tmpfs", FIO_WORST_MS},
	/* Its own default configuration: with 10,000 writes in 60 s redis
	 * saves a snapshot, forking as in seed 000, but a small one. */
	{"redis under redis-benchmark", "redis-server redis-benchmark",
	 "mkdir -p $T/redis && (redis-server --port 16379 --bind 127.0.0.1 --dir $T/redis "
	 "--daemonize no > $T/redis.log 2>&1 &) && "
	 "for i in $(seq 50); do redis-cli -p 16379 ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done",
	 "timeout 20 redis-benchmark -p 16379 -q -c 50 -n 400000 -t set,get,lpush,lpop -r 100000 "
	 "> $T/load.out 2>&1; true",
	 "grep -q 'requests per second' $T/load.out",
	 "redis-cli -p 16379 shutdown nosave > /dev/null 2>&1; sleep 0.3", NULL},
	{"idle FUSE mount", "fuse-overlayfs",
	 "mkdir -p $T/lower $T/upper $T/work $T/ovl && echo hello > $T/lower/a && "
	 "fuse-overlayfs -o lowerdir=$T/lower,upperdir=$T/upper,workdir=$T/work $T/ovl",
	 "sleep 1; cat $T/ovl/a > /dev/null; sleep 10", "grep -q \" $T/ovl fuse\" /proc/mounts",
	 "umount $T/ovl", NULL},
	/* Flow control, not a stall: the kernel throttles a writer to what its
	 * disk takes. */
	{"sequential writer on ext4", "mkfs.ext4", EXT4_MOUNT,
	 "timeout 12 dd if=/dev/zero of=$T/ext4/big bs=1M count=900 status=none; sync; true",
	 "test -s $T/ext4/big", "rm -f $T/ext4/big; umount $T/ext4", NULL},
};

static bool can_trace(void)
{
	return geteuid() == 0 && access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool have(const char *cmds)
{
	_cleanup_free_ char *cmd = xasprintf("for c in %s; do command -v $c > /dev/null || exit 1; done", cmds);
	return run(cmd) == 0;
}

static json_object *field(json_object *o, const char *k) { return json_object_object_get(o, k); }

/* A finding's largest figure: its biggest *_max evidence in seconds
 * (0 if none). */
static double finding_max_s(json_object *f)
{
	double m = 0;
	json_object *ev = field(f, "evidence");
	for (size_t i = 0; i < json_object_array_length(ev); i++) {
		json_object *e = json_object_array_get_idx(ev, i);
		const char *name = json_object_get_string(field(e, "name")), *unit = json_object_get_string(field(e, "unit"));
		if (name && unit && strstr(name, "_max") && !strcmp(unit, "s") &&
		    (json_object_is_type(field(e, "value"), json_type_double) ||
		     json_object_is_type(field(e, "value"), json_type_int)))
			m = fmax(m, json_object_get_double(field(e, "value")));
	}
	return m;
}

/* Every finding, one line each; *ret_loud: how many were above info and
 * not seen by the load itself (worst_ms, its own worst latency; < 0 when
 * it has none). */
static char *findings_of(json_object *doc, double worst_ms, unsigned *ret_loud)
{
	struct buf b = {0};
	unsigned loud = 0;
	json_object *fs = field(doc, "findings");
	for (size_t i = 0; i < json_object_array_length(fs); i++) {
		json_object *f = json_object_array_get_idx(fs, i);
		const char *sev = json_object_get_string(field(f, "severity"));
		/* interrupt-side delays only: what a read can wait behind */
		const char *id = json_object_get_string(field(f, "id"));
		double fig = !strncmp(id, "irq.", 4) ? finding_max_s(f) : 0;
		bool seen = worst_ms >= 0 && fig > 0 && worst_ms / 1e3 >= 0.9 * fig;
		loud += strcmp(sev, "info") != 0 && !seen;
		buf_printf(&b, "  %s %s: %s", sev, json_object_get_string(field(f, "id")),
			   json_object_get_string(field(f, "title")));
		if (strcmp(sev, "info") && seen)
			buf_printf(&b, " (the load's own worst latency was %.1f ms: harm it saw, let pass)", worst_ms);
		buf_printf(&b, "\n");
	}
	buf_reserve(&b, 0);
	*ret_loud = loud;
	return b.data;
}

/* The first number cmd prints, or -1. */
static double number_of(const char *cmd)
{
	double v = -1;
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "%lf", &v) != 1)
		v = -1;
	pclose(p);
	return v;
}

/* What a failed case says: kept outside the case's allocations, which
 * fail_msg's jump would leak. */
static char verdict[8192];

/* Run one case; false (with verdict) if it raised more than info or its
 * load did not run. */
static bool run_case(const struct quiet_case *c)
{
	char *json = xasprintf("%s/watch.json", tmpl);
	char *cmd = xasprintf("set -e; (%s) > $T/prep.out 2>&1 || { cat $T/prep.out; exit 90; }; "
			      "(%s) & load=$!; sleep 1; "
			      "build/kstall-asan watch --budget 0 --duration 8 --interval 8 --format json > '%s' || rc=$?; "
			      "wait $load || true; (%s) || exit 91; exit ${rc:-0}",
			      c->prep, c->load, json, c->ran);
	int st = run(cmd);
	free(cmd);
	double worst_ms = c->worst && st == 0 ? number_of(c->worst) : -1;
	int cl = run(c->cleanup);
	cleanup_all();
	char *text = slurp(json, NULL);
	free(json);
	const char *keep = getenv("QUIET_KEEP"); /* a directory for the reports, to study */
	if (keep && text) {
		char *cp = xasprintf("cp '%s/watch.json' '%s/%zu.json'", tmpl, keep, (size_t)(c - cases));
		if (run(cp) != 0)
			fprintf(stderr, "quiet: could not keep the report in %s\n", keep);
		free(cp);
	}
	json_object *doc = text ? json_tokener_parse(text) : NULL;
	free(text);
	unsigned loud = 0;
	char *list = doc ? findings_of(doc, worst_ms, &loud) : xstrdup("  (no report)\n");
	size_t n = doc ? json_object_array_length(field(doc, "findings")) : 0;
	json_object_put(doc);
	if (c->worst)
		print_message("quiet: %s: the load's own worst latency %.1f ms\n", c->name, worst_ms);
	print_message("quiet: %s raised %zu finding(s)\n%s", c->name, n, list);
	if (st == 90 || st == 91)
		snprintf(verdict, sizeof(verdict), "%s: the load %s", c->name,
			 st == 90 ? "could not be set up" : "did no work");
	else if (st != 0 || cl != 0 || !doc)
		snprintf(verdict, sizeof(verdict), "%s: kstall exit %d, cleanup exit %d", c->name, st, cl);
	else if (loud)
		snprintf(verdict, sizeof(verdict), "%s raised %u finding(s) above info:\n%s", c->name, loud, list);
	else
		verdict[0] = 0;
	free(list);
	return !verdict[0];
}

#define CASE(i, fn)                                                                                  \
	static void fn(void **state UNUSED)                                                          \
	{                                                                                            \
		REQUIRE_OR_SKIP(can_trace(), "live tracing needs root and kernel BTF");              \
		REQUIRE_OR_SKIP(have(cases[i].needs), "needs %s (make deps)", cases[i].needs);       \
		const char *only = getenv("QUIET_ONLY"); /* run the cases whose name has this */     \
		if (only && !strstr(cases[i].name, only)) {                                          \
			print_message("[  SKIP    ] QUIET_ONLY=%s\n", only);                           \
			skip();                                                                      \
		}                                                                                    \
		if (!run_case(&cases[i]))                                                            \
			fail_msg("%s", verdict);                                                     \
	}
CASE(0, test_quiet_cpu_bound)
CASE(1, test_quiet_parallel_compile)
CASE(2, test_quiet_compressor)
CASE(3, test_quiet_random_reads_ext4)
CASE(4, test_quiet_random_reads_tmpfs)
CASE(5, test_quiet_redis_benchmark)
CASE(6, test_quiet_idle_fuse_mount)
CASE(7, test_quiet_sequential_writer)
_Static_assert(ARRAY_SIZE(cases) == 8, "one test per case");

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_cpu_bound),		cmocka_unit_test(test_quiet_parallel_compile),
		cmocka_unit_test(test_quiet_compressor),	cmocka_unit_test(test_quiet_random_reads_ext4),
		cmocka_unit_test(test_quiet_random_reads_tmpfs), cmocka_unit_test(test_quiet_redis_benchmark),
		cmocka_unit_test(test_quiet_idle_fuse_mount),	cmocka_unit_test(test_quiet_sequential_writer),
	};
	test_filter_from_env();
	return cmocka_run_group_tests(tests, setup, teardown);
}
