/* The BPF build pipeline, proven end to end: the skeleton generated from
 * src/bpf/pipeline.bpf.c opens, takes a read-only setting, loads (CO-RE
 * relocations against this kernel's BTF), attaches to a tracepoint, counts
 * real events, and detaches leaving nothing behind. */
#include "testutil.h"

#include <bpf/libbpf.h>
#include <sys/syscall.h>

#include "pipeline.skel.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Keep libbpf's warnings, drop its debug chatter. */
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static void test_skeleton_loads_attaches_and_counts(void **state UNUSED)
{
	libbpf_set_print(quiet);
	REQUIRE_OR_SKIP(access("/sys/kernel/btf/vmlinux", R_OK) == 0, "no kernel BTF: tp_btf cannot attach");
	REQUIRE_OR_SKIP(geteuid() == 0, "BPF needs root (or CAP_BPF+CAP_PERFMON)");

	struct pipeline_bpf *skel = pipeline_bpf__open();
	assert_non_null(skel);
	skel->rodata->target_tgid = (__u32)getpid();
	skel->rodata->target_syscall = SYS_getpid;
	int err = pipeline_bpf__load(skel);
	if (err)
		fail_msg("load failed: %s", strerror(-err));
	err = pipeline_bpf__attach(skel);
	if (err)
		fail_msg("attach failed: %s", strerror(-err));

	for (int i = 0; i < 25; i++)
		syscall(SYS_getpid);
	/* Only this process counts: the filter set in rodata works. */
	assert_true(skel->bss->hits >= 25);
	assert_true(skel->bss->hits < 1000);
	assert_int_equal(skel->bss->seen_tgid, getpid());

	pipeline_bpf__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skeleton_loads_attaches_and_counts),
	};
	return cmocka_run_group_tests_name("bpf", tests, NULL, NULL);
}
