/* Seed 003 on the real kernel: two network namespaces joined by a veth
 * pair, made here and removed in teardown (even after a failed
 * assertion). A sender floods the receiver with small UDP datagrams for
 * 5 s; two bounded busy loops keep both CPUs busy. With RPS on the
 * receiving veth, kstall check run in the receiver's namespace reports
 * irq.rps_on_busy_host naming the interface; with RPS off, or with the
 * CPUs idle (a rate-limited sender, no busy loops), it does not. The
 * receiver's throughput in each setting is printed, as the seed measured
 * QPS. Traffic stays on the veth pair: addresses 10.213.0.1/2 exist only
 * in the two namespaces. */
#include "testutil.h"

#include <json-c/json.h>
#include <sys/wait.h>

static char tmpl[] = "/tmp/kstall-test-rps-XXXXXX";
static char tx[32], rx[32], cwd[4096];
static bool made;

static int sh(const char *fmt, ...) PRINTF_FMT(1, 2);
static int sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	int st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool can_run(void)
{
	return geteuid() == 0 && sh("ip netns list >/dev/null 2>&1") == 0;
}

static int setup(void **state UNUSED)
{
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(tx, sizeof(tx), "kstx%d", getpid());
	snprintf(rx, sizeof(rx), "ksrx%d", getpid());
	/* Namespaces left by an earlier run that crashed before its teardown. */
	if (geteuid() == 0)
		sh("for n in $(ip netns list 2>/dev/null | grep -oE '^ks(tx|rx)[0-9]+'); do ip netns del $n; done; true");
	return getcwd(cwd, sizeof(cwd)) ? 0 : -1;
}

static void netns_remove(void)
{
	if (made)
		sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null; true", tx, rx);
	made = false;
}

static int teardown(void **state UNUSED)
{
	netns_remove();
	/* The busy loops and the flood end by themselves (timeouts); make
	 * sure, stopping only what this test started, by the pids it kept. */
	sh("cd '%s' && [ -f pids ] && for p in $(cat pids); do grep -qas -e udpflood -e timeout /proc/$p/cmdline && "
	   "kill $p; done 2>/dev/null; true", tmpl);
	return sh("rm -rf '%s'", tmpl) == 0 ? 0 : -1;
}

static void netns_make(void)
{
	made = true;
	int rc = sh("ip netns add %s && ip netns add %s && "
		    "ip link add vtx netns %s type veth peer name vrx netns %s && "
		    "ip -n %s addr add 10.213.0.1/24 dev vtx && ip -n %s addr add 10.213.0.2/24 dev vrx && "
		    "ip -n %s link set vtx up && ip -n %s link set vrx up && "
		    "ip -n %s link set lo up && ip -n %s link set lo up",
		    tx, rx, tx, rx, tx, rx, tx, rx, tx, rx);
	assert_int_equal(rc, 0);
}

/* One run: rps_cpus on the receiving veth, busy loops or not, the sender's
 * rate (0: as fast as it can). Returns kstall's report and the receiver's
 * datagrams per second. */
static json_object *run(const char *rps, bool busy, int pps, double *rate)
{
	assert_int_equal(sh("ip netns exec %s sh -c 'echo %s > /sys/class/net/vrx/queues/rx-0/rps_cpus'", rx, rps), 0);
	int rc = sh("cd '%s/' && %s"
		    "(ip netns exec %s '%s/build/tests/helpers/udpflood' recv 9000 6 > rx.out & echo $! >> pids) ; sleep 0.3; "
		    "(ip netns exec %s '%s/build/tests/helpers/udpflood' send 10.213.0.2 9000 5 %d > tx.out & echo $! >> pids) ; "
		    "sleep 1.5; "
		    "ip netns exec %s '%s/build/kstall-asan' check --interval 2 --format json > kstall.json; rc=$?; "
		    "sleep 4.5; exit $rc",
		    tmpl,
		    busy ? "(timeout 7 sh -c 'while :; do :; done' & echo $! >> pids) ; "
			   "(timeout 7 sh -c 'while :; do :; done' & echo $! >> pids) ; " : "",
		    rx, cwd, tx, cwd, pps, rx, cwd);
	assert_int_equal(rc, 0);
	_cleanup_free_ char *rxp = xasprintf("%s/rx.out", tmpl), *kp = xasprintf("%s/kstall.json", tmpl);
	_cleanup_free_ char *rxo = slurp(rxp, NULL), *kj = slurp(kp, NULL);
	unsigned long n = 0;
	assert_non_null(rxo);
	assert_int_equal(sscanf(rxo, "received %lu rate %lf", &n, rate), 2);
	assert_true(n > 1000); /* traffic did flow over the veth */
	json_object *doc = json_tokener_parse(kj);
	assert_non_null(doc);
	return doc;
}

static json_object *finding(json_object *doc, const char *id)
{
	json_object *fs = json_object_object_get(doc, "findings");
	for (size_t i = 0; i < json_object_array_length(fs); i++) {
		json_object *f = json_object_array_get_idx(fs, i);
		if (!strcmp(json_object_get_string(json_object_object_get(f, "id")), id))
			return f;
	}
	return NULL;
}

static void test_rps_on_busy_host(void **state UNUSED)
{
	REQUIRE_OR_SKIP(can_run(), "needs root and ip netns");
	double on_rate, off_rate, idle_rate;
	netns_make();

	json_object *doc = run("3", true, 0, &on_rate);
	json_object *f = finding(doc, "irq.rps_on_busy_host");
	if (!f)
		fail_msg("no irq.rps_on_busy_host with RPS on and both CPUs busy:\n%s", json_object_to_json_string(doc));
	json_object *subj = json_object_array_get_idx(json_object_object_get(f, "subjects"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(subj, "name")), "vrx");
	assert_string_equal(json_object_get_string(json_object_object_get(subj, "kind")), "interface");
	json_object_put(doc);

	doc = run("0", true, 0, &off_rate);
	assert_null(finding(doc, "irq.rps_on_busy_host"));
	json_object_put(doc);

	doc = run("3", false, 20000, &idle_rate);
	assert_null(finding(doc, "irq.rps_on_busy_host"));
	json_object_put(doc);
	print_message("receiver throughput, both CPUs busy: %.0f datagrams/s with RPS, %.0f without (%.2fx); "
		      "idle CPUs, 20 k/s offered, RPS on: %.0f\n", on_rate, off_rate, on_rate / off_rate, idle_rate);
	netns_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rps_on_busy_host),
	};
	return cmocka_run_group_tests_name("rps scenario", tests, setup, teardown);
}
