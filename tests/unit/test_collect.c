/* The reader over hostile or outsized trees: what it cannot take is said,
 * never dropped. Trees are built in memory (src/lib/memtree.h). */
#include "testutil.h"
#include "collect/collect.h"
#include "lib/memtree.h"

static void add(struct memtree *t, const char *path, const char *text)
{
	assert_int_equal(memtree_add(t, path, text, strlen(text)), 0);
}

/* More processes than a sample reads: the cut is in errors, with how many
 * were left out. */
static void test_process_bound_is_said(void **state UNUSED)
{
	struct memtree t = {0};
	struct sysroot *r;
	struct inputs in;
	const size_t n = 262144 + 100;

	add(&t, "proc/meminfo", "MemTotal: 1000 kB\n");
	for (size_t i = 1; i <= n; i++) {
		char path[64], stat[256];
		snprintf(path, sizeof(path), "proc/%zu/stat", i);
		snprintf(stat, sizeof(stat), "%zu (p) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 100 1000 10 0 0 0\n", i);
		add(&t, path, stat);
	}
	assert_int_equal(sysroot_open_mem(&t, "many", &r), 0);
	assert_int_equal(collect(r, &(struct collect_opts){.interval_s = 1}, &in), 0);
	assert_int_equal(in.cur.nprocs, 262144);
	assert_true(in.cur.procs_truncated);
	bool said = false;
	for (size_t i = 0; i < in.nerrors; i++)
		if (!strcmp(in.errors[i].file, "proc") && strstr(in.errors[i].msg, "100 processes not read"))
			said = true;
	assert_true(said);
	inputs_free(&in);
	sysroot_free(r);
}

/* A tree with kstall/ but no kstall/meta is a snapshot cut short. */
static void test_incomplete_snapshot_is_refused(void **state UNUSED)
{
	struct memtree t = {0};
	struct sysroot *r;
	struct inputs in;

	add(&t, "proc/meminfo", "MemTotal: 1000 kB\n");
	add(&t, "kstall/sample0/proc/meminfo", "MemTotal: 1000 kB\n");
	assert_int_equal(sysroot_open_mem(&t, "cut", &r), 0);
	assert_int_equal(collect(r, &(struct collect_opts){.interval_s = 1}, &in), -EBADMSG);
	inputs_free(&in);
	sysroot_free(r);
	/* A meta that does not say the window (empty: cut while written) is
	 * no better. */
	add(&t, "proc/meminfo", "MemTotal: 1000 kB\n");
	add(&t, "kstall/meta", "");
	assert_int_equal(sysroot_open_mem(&t, "empty meta", &r), 0);
	assert_int_equal(collect(r, &(struct collect_opts){.interval_s = 1}, &in), -EBADMSG);
	inputs_free(&in);
	sysroot_free(r);
	/* With its meta it reads. */
	add(&t, "proc/meminfo", "MemTotal: 1000 kB\n");
	add(&t, "kstall/sample0/proc/meminfo", "MemTotal: 1000 kB\n");
	add(&t, "kstall/meta", "kstall_snapshot_version=1\ninterval_s=0\nt0=0\nt1=0\nuser_hz=100\n");
	assert_int_equal(sysroot_open_mem(&t, "whole", &r), 0);
	assert_int_equal(collect(r, &(struct collect_opts){.interval_s = 1}, &in), 0);
	assert_int_equal(in.mode, WINDOW_SINCE_BOOT); /* interval 0: one sample */
	inputs_free(&in);
	sysroot_free(r);
}

/* A process traced before its exec is named as it is now: the seed-000
 * program run under /usr/bin/time was "the mmap_lock of time". */
static void test_traced_names_after_exec(void **state UNUSED)
{
	struct sample s = {0};
	struct proc_entry procs[2] = {{.stat = {.pid = 42, .comm = "forkstall"}}, {.stat = {.pid = 43, .comm = "worker"}}};
	s.procs = procs;
	s.nprocs = 2;
	struct tr_hist h[2] = {{.tgid = 42, .kind = TR_ML_WAIT_READ, .comm = "time"},
			       {.tgid = 0, .kind = TR_SOFTIRQ, .comm = "cpu0"}};
	struct tr_lookup l[1] = {{.tgid = 43, .comm = "sh"}};
	struct tr_event e[2] = {
		{.kind = TR_ML_WAIT_READ, .tid = 44, .tgid = 42, .comm = "ET_NET 0",
		 .ml = {.present = true, .tid = 42, .tgid = 42, .comm = "time"}},
		{.kind = TR_ML_HOLD, .tid = 42, .tgid = 42, .comm = "time"},
	};
	struct traced t = {.hists = h, .nhists = 2, .lookups = l, .nlookups = 1, .events = e, .nevents = 2};
	traced_name_from_sample(&t, &s);
	assert_string_equal(h[0].comm, "forkstall");
	assert_string_equal(h[1].comm, "cpu0");      /* a CPU, not a process */
	assert_string_equal(l[0].comm, "worker");
	assert_string_equal(e[0].comm, "ET_NET 0");  /* a thread keeps its own name */
	assert_string_equal(e[0].ml.comm, "forkstall");
	assert_string_equal(e[1].comm, "forkstall");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_bound_is_said),
		cmocka_unit_test(test_incomplete_snapshot_is_refused),
		cmocka_unit_test(test_traced_names_after_exec),
	};
	return cmocka_run_group_tests_name("collect", tests, NULL, NULL);
}
