/* Parsers against every real capture in shared/fixtures/real/files, exact
 * values on the quirky ones, clear errors on malformed text, and no crash
 * on any truncation of any real file. */
#include "testutil.h"
#include "proc/proc.h"

/* Parse text with the parser for kind; 0 or -EINVAL. Frees what it made.
 * Kinds kstall does not read (buddyinfo, zoneinfo, smaps, vm) return 1. */
static int parse_kind(const char *kind, const char *file, const char *text, struct perr *e)
{
	int rc;
	if (!strcmp(kind, "meminfo") || !strcmp(kind, "vmstat")) {
		struct kvtab t = {0};
		rc = (kind[0] == 'm' ? proc_meminfo_parse : proc_vmstat_parse)(text, &t, e);
		kvtab_free(&t);
	} else if (!strcmp(kind, "interrupts") || !strcmp(kind, "softirqs")) {
		struct irq_table t = {0};
		rc = (kind[0] == 'i' ? proc_interrupts_parse : proc_softirqs_parse)(text, &t, e);
		irq_table_free(&t);
	} else if (!strcmp(kind, "softnet_stat")) {
		struct softnet s = {0};
		rc = proc_softnet_parse(text, &s, e);
		softnet_free(&s);
	} else if (!strcmp(kind, "stat")) {
		if (strstr(file, "__stat_")) {
			struct pid_stat s;
			rc = proc_pid_stat_parse(text, &s, e);
		} else {
			struct proc_stat s = {0};
			rc = proc_stat_parse(text, &s, e);
			proc_stat_free(&s);
		}
	} else if (!strcmp(kind, "status")) {
		struct pid_status s;
		rc = proc_pid_status_parse(text, &s, e);
	} else if (!strcmp(kind, "dentry-state")) {
		struct dentry_state d;
		rc = proc_dentry_state_parse(text, &d, e);
	} else if (!strcmp(kind, "loadavg")) {
		struct loadavg l;
		rc = proc_loadavg_parse(text, &l, e);
	} else if (!strcmp(kind, "pressure")) {
		struct psi p;
		rc = proc_pressure_parse(text, &p, e);
	} else if (!strcmp(kind, "version")) {
		struct kernel_version v;
		rc = proc_version_parse(text, &v, e);
	} else if (!strcmp(kind, "maps")) {
		struct maps m = {0};
		rc = proc_maps_parse(text, &m, e);
		maps_free(&m);
	} else if (!strcmp(kind, "mountinfo")) {
		struct mounts m = {0};
		rc = proc_mountinfo_parse(text, &m, e);
		mounts_free(&m);
	} else if (!strcmp(kind, "netqueues")) {
		struct cpuset s;
		rc = strstr(file, "list") ? cpulist_parse(text, &s, e) : cpumask_parse(text, &s, e);
	} else {
		return 1;
	}
	return rc;
}

static void test_every_real_file_parses(void **state UNUSED)
{
	_cleanup_free_ char *dir = real_path("files");
	char **kinds = list_dir(dir);
	unsigned parsed = 0, unread = 0;

	assert_non_null(kinds);
	for (char **k = kinds; *k; k++) {
		_cleanup_free_ char *kdir = xasprintf("%s/%s", dir, *k);
		char **files = list_dir(kdir);
		for (char **f = files; f && *f; f++) {
			_cleanup_free_ char *p = xasprintf("%s/%s", kdir, *f);
			_cleanup_free_ char *text = slurp(p, NULL);
			struct perr e = {0};
			assert_non_null(text);
			int rc = parse_kind(*k, *f, text, &e);
			if (rc == 1) {
				unread++;
				continue;
			}
			if (rc != 0)
				fail_msg("%s/%s: line %u: %s", *k, *f, e.line, e.msg);
			parsed++;
		}
		free_list(files);
	}
	free_list(kinds);
	print_message("parsed %u real files (%u of kinds kstall does not read)\n", parsed, unread);
	assert_true(parsed >= 100);
}

/* Every prefix-truncation of every real file: parse or clean -EINVAL, and
 * an error always says why. Run under ASan, this is a small fuzz. */
static void test_truncations_never_crash(void **state UNUSED)
{
	_cleanup_free_ char *dir = real_path("files");
	char **kinds = list_dir(dir);
	unsigned runs = 0;

	for (char **k = kinds; *k; k++) {
		_cleanup_free_ char *kdir = xasprintf("%s/%s", dir, *k);
		char **files = list_dir(kdir);
		for (char **f = files; f && *f; f++) {
			_cleanup_free_ char *p = xasprintf("%s/%s", kdir, *f);
			size_t len;
			_cleanup_free_ char *text = slurp(p, &len);
			size_t step = len / 23 + 1;
			for (size_t cut = 0; cut < len; cut += step) {
				char *t = xstrndup(text, cut);
				struct perr e = {0};
				int rc = parse_kind(*k, *f, t, &e);
				if (rc < 0 && !e.msg[0])
					fail_msg("%s/%s cut at %zu: error without a message", *k, *f, cut);
				free(t);
				runs++;
			}
		}
		free_list(files);
	}
	free_list(kinds);
	assert_true(runs > 1000);
}

static char *real_file(const char *kind, const char *name)
{
	_cleanup_free_ char *p = real_path("files");
	_cleanup_free_ char *f = xasprintf("%s/%s/%s", p, kind, name);
	char *t = slurp(f, NULL);
	if (!t)
		fail_msg("missing fixture %s", f);
	return t;
}

static void test_interrupts_quirks(void **state UNUSED)
{
	struct irq_table t = {0};
	struct perr e = {0};
	_cleanup_free_ char *arm = real_file("interrupts", "node_exporter__aarch64-8cpu-gicv3-its-ipi-rows");
	assert_int_equal(proc_interrupts_parse(arm, &t, &e), 0);
	assert_int_equal(t.ncols, 8);
	const struct irq_row *ipi0 = irq_table_row(&t, "IPI0", 0);
	assert_non_null(ipi0);
	/* "IPI0:2768808080": label fused with the first count. */
	assert_int_equal(ipi0->ncounts, 8);
	assert_true(ipi0->counts[0] == 2768808080ULL);
	assert_string_equal(ipi0->desc, "Rescheduling interrupts");
	irq_table_free(&t);

	_cleanup_free_ char *off = real_file("interrupts", "sysstat-root3__x86_64-offline-cpu6-header-skips");
	assert_int_equal(proc_interrupts_parse(off, &t, &e), 0);
	assert_int_equal(t.ncols, 7);
	assert_int_equal(t.cpu_of_col[5], 5);
	assert_int_equal(t.cpu_of_col[6], 7); /* CPU6 offline: column 6 is CPU7 */
	irq_table_free(&t);

	_cleanup_free_ char *ppc = real_file("interrupts", "ml-qemu-devel__ppc64-pseries-xive-1cpu-dup-LOC-rows");
	assert_int_equal(proc_interrupts_parse(ppc, &t, &e), 0);
	assert_non_null(irq_table_row(&t, "LOC", 0));
	assert_non_null(irq_table_row(&t, "LOC", 1)); /* two LOC rows */
	assert_null(irq_table_row(&t, "LOC", 2));
	irq_table_free(&t);

	_cleanup_free_ char *tight = real_file("interrupts", "datadog__x86_64-4cpu-vm-10digit-counters-touching");
	assert_int_equal(proc_interrupts_parse(tight, &t, &e), 0);
	const struct irq_row *res = irq_table_row(&t, "RES", 0);
	assert_non_null(res);
	assert_true(res->counts[0] == 2600169899ULL);
	assert_true(res->counts[1] == 2343963441ULL);
	irq_table_free(&t);
}

/* A header that names a CPU twice would split one CPU's counts over two
 * columns: per-CPU rates above the line's total. Malformed. */
static void test_irq_header_repeated_cpu(void **state UNUSED)
{
	struct irq_table t = {0};
	struct perr e = {0};

	assert_int_equal(proc_interrupts_parse("           CPU0       CPU0\n"
					       "  0:         10         20   IO-APIC   2-edge      timer\n", &t, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "CPU0 named twice in the header");
	assert_int_equal(e.line, 1);
	e = (struct perr){0};
	assert_int_equal(proc_interrupts_parse("\n    CPU0 CPU1 CPU2 CPU1\n  0: 1 2 3 4 timer\n", &t, &e), -EINVAL);
	assert_string_equal(e.msg, "CPU1 named twice in the header");
	assert_int_equal(e.line, 2);
	e = (struct perr){0};
	assert_int_equal(proc_softirqs_parse("                    CPU7       CPU7\n          HI:          1          2\n",
					     &t, &e), -EINVAL);
	assert_string_equal(e.msg, "CPU7 named twice in the header");
	/* CPUs left out (offline) are fine; so is a large CPU number once. */
	assert_int_equal(proc_softirqs_parse("    CPU0 CPU2 CPU8191\n HI: 1 2 3\n", &t, &e), 0);
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.cpu_of_col[2], 8191);
	irq_table_free(&t);
}

static void test_softirqs_and_softnet(void **state UNUSED)
{
	struct irq_table t = {0};
	struct softnet s = {0};
	struct perr e = {0};
	_cleanup_free_ char *big = real_file("softirqs", "pcp__x86_64-1152cpu-IRQ_POLL");
	assert_int_equal(proc_softirqs_parse(big, &t, &e), 0);
	assert_int_equal(t.ncols, 1152);
	assert_int_equal(t.cpu_of_col[1151], 1151);
	assert_non_null(irq_table_row(&t, "IRQ_POLL", 0));
	assert_int_equal(irq_table_row(&t, "NET_RX", 0)->ncounts, 1152);
	irq_table_free(&t);

	_cleanup_free_ char *sn = real_file("softnet_stat", "sysstat-root4__13col-offline-cpu6-row-missing-edited");
	assert_int_equal(proc_softnet_parse(sn, &s, &e), 0);
	assert_true(s.cpu_from_column);
	assert_int_equal(s.n, 8);
	assert_int_equal(s.rows[5].cpu, 5);
	assert_int_equal(s.rows[6].cpu, 7); /* row index != CPU number */
	softnet_free(&s);

	_cleanup_free_ char *old = real_file("softnet_stat", "goprocinfo__x86_64-8cpu-10col");
	assert_int_equal(proc_softnet_parse(old, &s, &e), 0);
	assert_false(s.cpu_from_column);
	assert_int_equal(s.rows[0].ncols, 10);
	softnet_free(&s);
}

static void test_pid_stat_quirks(void **state UNUSED)
{
	struct pid_stat s;
	struct perr e = {0};
	_cleanup_free_ char *nested = real_file("stat", "procfs__stat_comm_nested_parens_spaces");
	assert_int_equal(proc_pid_stat_parse(nested, &s, &e), 0);
	assert_string_equal(s.comm, "(a b ) ( c d) ");
	assert_int_equal(s.pid, 1020);
	assert_int_equal(s.state, 'R');

	_cleanup_free_ char *sdpam = real_file("stat", "pcp__stat_comm_parens_sd-pam_3.19");
	assert_int_equal(proc_pid_stat_parse(sdpam, &s, &e), 0);
	assert_string_equal(s.comm, "(sd-pam)");

	_cleanup_free_ char *old = real_file("stat", "hikvision__stat_arm_pre2.6.24_41fields");
	assert_int_equal(proc_pid_stat_parse(old, &s, &e), 0);
	/* INDEX.md says 41; the file holds 42 (no guest_time, cguest_time). */
	assert_int_equal(s.nfields, 42);
	assert_int_equal(s.processor, 0);
	assert_true(s.rss == 68 && s.vsize == 1384448);

	_cleanup_free_ char *rhel6 = real_file("stat", "pcp__stat_rhel6_2.6.32_44fields");
	assert_int_equal(proc_pid_stat_parse(rhel6, &s, &e), 0);
	assert_int_equal(s.nfields, 44);
	assert_int_equal(s.pid, 1);

	_cleanup_free_ char *ff = real_file("stat", "pcp__stat_comm_space_tilde_firefox_thread_4.2");
	assert_int_equal(proc_pid_stat_parse(ff, &s, &e), 0);
	assert_string_equal(s.comm, "DNS Res~r #3682");

	assert_int_equal(proc_pid_stat_parse("12 (x) R 1 2 3", &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "at least 24"));
	assert_int_equal(proc_pid_stat_parse("12 x R", &s, &e), -EINVAL);
}

/* A stat line as the kernel prints it, around any comm. */
static char *stat_with_comm(const char *comm)
{
	return xasprintf("4711 (%s) S 1 100 100 0 -1 4194560 500 0 0 0 7 3 0 0 20 0 1 0 12345 10485760 300 "
			 "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0\n", comm);
}

/* comm holds any byte but NUL: a process must not hide behind a newline
 * or a ')' in its name (prctl(PR_SET_NAME) takes 15 bytes of anything). */
static void test_pid_stat_hostile_names(void **state UNUSED)
{
	static const char *const names[] = {
		"a\nb", ")", ") R 1 2", "x\n) R 1 2 3\n", "a b  c ", "", "123456789012345", "((", "\n",
		"\x1b[2J", "\xc2\x9b" "31m", ") S 1 100 100 0 -1 4194560 500 0 0 0 7 3 0 0 20 0 1 0 1 2 3 4",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *text = stat_with_comm(names[i]);
		struct pid_stat s;
		struct perr e = {0};
		if (proc_pid_stat_parse(text, &s, &e) != 0)
			fail_msg("name %zu: rejected: %s", i, e.msg);
		assert_string_equal(s.comm, names[i]);
		assert_int_equal(s.pid, 4711);
		assert_int_equal(s.state, 'S');
		assert_int_equal(s.ppid, 1);
		assert_true(s.utime == 7 && s.stime == 3 && s.num_threads == 1);
		assert_true(s.starttime == 12345 && s.vsize == 10485760 && s.rss == 300);
		assert_int_equal(s.nfields, 44);
	}

	/* What follows the last ')' is what counts: short there is short,
	 * even when the name itself holds a full line of fields. */
	struct pid_stat s;
	struct perr e = {0};
	static const char *const bad[] = {
		"12 (a\nb) R 1 2 3\n",
		"12 (x) S 1 100 100 0 -1 4194560 500 0 0 0 7 3 0 0 20 0 1 0 12345 10485760 300\n) R 1\n",
		"12 (x\n) S 1 2\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		e = (struct perr){0};
		assert_int_equal(proc_pid_stat_parse(bad[i], &s, &e), -EINVAL);
		if (!strstr(e.msg, "expected at least 24"))
			fail_msg("bad %zu: message \"%s\"", i, e.msg);
	}
	assert_int_equal(proc_pid_stat_parse("12 (x)\n", &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "missing state"));
	assert_int_equal(proc_pid_stat_parse("12 (x", &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "pid (comm)"));
	assert_int_equal(proc_pid_stat_parse("12 x) (y S 1", &s, &e), -EINVAL);
	assert_int_equal(proc_pid_stat_parse("12 z (y) S 1", &s, &e), -EINVAL);
	/* the kernel's one line, then something that is not ours */
	_cleanup_free_ char *line = stat_with_comm("a\nb");
	_cleanup_free_ char *tail = xasprintf("%sgarbage 1 2 3\n", line);
	assert_int_equal(proc_pid_stat_parse(tail, &s, &e), 0);
	assert_string_equal(s.comm, "a\nb");
	assert_int_equal(s.nfields, 44);
}

/* /proc/PID/comm is the name and one '\n': only that newline goes. */
static void test_pid_comm(void **state UNUSED)
{
	static const struct {
		const char *data;
		size_t len;
		const char *want;
	} cases[] = {
		{"bash\n", 5, "bash"},
		{"a\nb\n", 4, "a\nb"},
		{"x\n) R 1\n", 8, "x\n) R 1"},
		{"\n\n", 2, "\n"},
		{"\n", 1, ""},
		{"nonl", 4, "nonl"},
		{"123456789012345\n", 16, "123456789012345"},
		{"a b \n", 5, "a b "},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char comm[64];
		proc_comm_parse(cases[i].data, cases[i].len, comm, sizeof(comm));
		if (strcmp(comm, cases[i].want))
			fail_msg("case %zu: got \"%s\"", i, comm);
	}
	char small[4];
	proc_comm_parse("abcdef\n", 7, small, sizeof(small));
	assert_string_equal(small, "abc");
}

static void test_meminfo_quirks(void **state UNUSED)
{
	struct kvtab t = {0};
	struct perr e = {0};
	uint64_t v;
	_cleanup_free_ char *legacy = real_file("meminfo", "gopsutil__meminfo_issue1002_24style_header_highmem");
	assert_int_equal(proc_meminfo_parse(legacy, &t, &e), 0);
	assert_int_equal(kv_get(&t, "MemTotal", &v), 0);
	assert_int_equal(v, 254472);
	assert_int_equal(kv_get(&t, "Mem", &v), -ENOENT); /* 2.4 summary row skipped */
	kvtab_free(&t);

	_cleanup_free_ char *nonl = real_file("meminfo", "dwr956__meminfo_mips_lantiq_2.6.32era_no_trailing_newline");
	assert_int_equal(proc_meminfo_parse(nonl, &t, &e), 0);
	assert_int_equal(kv_get(&t, "VmallocChunk", &v), 0); /* last line, no newline */
	assert_int_equal(kv_get(&t, "MemAvailable", &v), -ENOENT); /* absent, not zero */
	kvtab_free(&t);

	assert_int_equal(proc_meminfo_parse("MemTotal: 100 kB\nMemFree: x kB\n", &t, &e), -EINVAL);
	assert_int_equal(e.line, 2);
	assert_int_equal(proc_meminfo_parse("MemFree: 100 kB\n", &t, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "MemTotal"));
	assert_int_equal(proc_meminfo_parse("MemTotal: 100 MB\n", &t, &e), -EINVAL);
	assert_int_equal(proc_meminfo_parse("MemTotal: 99999999999999999999999 kB\n", &t, &e), -EINVAL);
}

static void test_mounts_masks_misc(void **state UNUSED)
{
	struct mounts m = {0};
	struct cpuset cs;
	struct perr e = {0};
	struct dentry_state d;
	struct kernel_version kv;
	struct psi psi;

	_cleanup_free_ char *esc = real_file("mountinfo", "node_exporter__mountinfo_escapes_040_011_gvfs");
	assert_int_equal(proc_mountinfo_parse(esc, &m, &e), 0);
	bool found = false;
	for (size_t i = 0; i < m.n; i++)
		found |= strstr(m.v[i].mountpoint, "[vsanDatastore] bafb9e5a") != NULL;
	assert_true(found); /* \040 decoded to a space */
	mounts_free(&m);

	_cleanup_free_ char *old = real_file("mountinfo", "util-linux__mountinfo_2.6.3x_no_optional_fields_fuse_cifs");
	assert_int_equal(proc_mountinfo_parse(old, &m, &e), 0);
	assert_true(m.n > 10);
	assert_string_equal(m.v[0].fstype, "proc");
	assert_string_equal(m.v[0].mountpoint, "/proc");
	assert_string_equal(m.v[0].source, "/proc");
	mounts_free(&m);

	_cleanup_free_ char *mask = real_file("netqueues", "node_exporter__pci-local_cpus-256bit-nonzero-groups");
	assert_int_equal(cpumask_parse(mask, &cs, &e), 0);
	assert_int_equal(cpuset_count(&cs), 128);
	assert_true(cpuset_test(&cs, 0) && cpuset_test(&cs, 63) && cpuset_test(&cs, 128));
	assert_false(cpuset_test(&cs, 64) || cpuset_test(&cs, 192));
	struct cpuset cl;
	_cleanup_free_ char *list = real_file("netqueues", "node_exporter__pci-local_cpulist-0-63,128-191");
	assert_int_equal(cpulist_parse(list, &cl, &e), 0);
	assert_memory_equal(cs.bits, cl.bits, sizeof(cs.bits));
	_cleanup_free_ char *shortg = real_file("netqueues", "procfs__pci_bus-cpuaffinity-44cpu-short-first-group");
	assert_int_equal(cpumask_parse(shortg, &cs, &e), 0);
	assert_int_equal(cpuset_count(&cs), 44);
	assert_int_equal(cpumask_parse("1,2,zz", &cs, &e), -EINVAL);
	assert_int_equal(cpulist_parse("3-1", &cs, &e), -EINVAL);

	_cleanup_free_ char *neg = real_file("dentry-state", "khandevops__dentry_state_rhel9_5.14_negative");
	assert_int_equal(proc_dentry_state_parse(neg, &d, &e), 0);
	assert_int_equal(d.nr_negative, 3131);
	assert_int_equal(proc_dentry_state_parse("1 2 3 4 5", &d, &e), -EINVAL);
	assert_int_equal(proc_dentry_state_parse("1 2 3 4 5 6 7", &d, &e), -EINVAL);

	_cleanup_free_ char *gv = real_file("version", "grok_sandbox__version_gvisor_fake_4.4.0");
	assert_int_equal(proc_version_parse(gv, &kv, &e), 0);
	assert_string_equal(kv.release, "4.4.0");
	assert_true(kver_at_least(&kv, 4, 4) && !kver_at_least(&kv, 4, 5) && !kver_at_least(&kv, 5, 0));
	assert_int_equal(kernel_release_parse("6.18.44-fc-v657\n", &kv, &e), 0);
	assert_int_equal(kv.major, 6);
	assert_int_equal(kv.minor, 18);
	assert_int_equal(kv.patch, 44);

	_cleanup_free_ char *some = real_file("pressure", "pcp-pressure001__cpu-some-only-2019");
	assert_int_equal(proc_pressure_parse(some, &psi, &e), 0);
	assert_true(psi.some.present);
	assert_false(psi.full.present);
	_cleanup_free_ char *irq = real_file("pressure", "pcp-pressure002__irq-full-only");
	assert_int_equal(proc_pressure_parse(irq, &psi, &e), 0);
	assert_false(psi.some.present);
	assert_true(psi.full.present);
}

static void test_maps_and_stack(void **state UNUSED)
{
	struct maps m = {0};
	struct kstack k = {0};
	struct perr e = {0};
	_cleanup_free_ char *sp = real_file("maps", "lince-crate__maps_x86_64_path_space_utf8_nvme_major103");
	assert_int_equal(proc_maps_parse(sp, &m, &e), 0);
	bool utf8 = false;
	for (size_t i = 0; i < m.n; i++)
		utf8 |= m.v[i].path && strstr(m.v[i].path, "/哈 哈/test") != NULL;
	assert_true(utf8);
	assert_string_equal(m.v[m.n - 1].path, "[vsyscall]");
	assert_true(m.v[m.n - 1].start == 0xffffffffff600000ULL);
	maps_free(&m);

	_cleanup_free_ char *big = real_file("maps", "unidbg__maps_android_arm64_memfd_deleted_anon_dalvik");
	assert_int_equal(proc_maps_parse(big, &m, &e), 0);
	assert_true(m.n > 2000);
	maps_free(&m);
	assert_int_equal(proc_maps_parse("00400000-00300000 r-xp 0 08:01 1 /x\n", &m, &e), -EINVAL);

	assert_int_equal(proc_stack_parse("[<0>] balance_dirty_pages+0x2f0/0xd40\n"
					  "[<ffffffff811bb914>] __shrink_dcache_sb_locked+0xf4/0x200\n",
					  &k, &e), 0);
	assert_int_equal(k.n, 2);
	assert_string_equal(k.funcs[0], "balance_dirty_pages");
	assert_string_equal(k.funcs[1], "__shrink_dcache_sb_locked");
	kstack_free(&k);
	char *w = proc_wchan_parse("0");
	assert_string_equal(w, "");
	free(w);
	w = proc_wchan_parse("balance_dirty_pages\n");
	assert_string_equal(w, "balance_dirty_pages");
	free(w);
	char *c = proc_cmdline_join("curl\0-s\0http://x\0", 17);
	assert_string_equal(c, "curl -s http://x");
	free(c);
}

static void test_stat_columns(void **state UNUSED)
{
	struct proc_stat s = {0};
	struct perr e = {0};
	_cleanup_free_ char *seven = real_file("stat", "sysstat-root6__10cpu-7col-edited");
	assert_int_equal(proc_stat_parse(seven, &s, &e), 0);
	assert_int_equal(s.total.ncols, 7);
	assert_int_equal(s.ncpus, 10);
	proc_stat_free(&s);

	_cleanup_free_ char *longintr = real_file("stat", "procfs__x86_64-8cpu-2014-10col");
	assert_int_equal(proc_stat_parse(longintr, &s, &e), 0);
	assert_true(s.has_intr && s.has_btime && s.has_ctxt);
	assert_int_equal(s.total.ncols, 10);
	proc_stat_free(&s);

	assert_int_equal(proc_stat_parse("intr 1\nctxt 2\n", &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cpu"));
	assert_int_equal(proc_stat_parse("cpu  1 2 3\n", &s, &e), -EINVAL);
	assert_int_equal(e.line, 1);
}

/* One field of status or fdinfo: the number as printed, kB or not; a key
 * is the whole name before the colon. */
static void test_field_u64(void **state UNUSED)
{
	static const char status[] = "Name:\tkstall\nVmPeak:\t   20000 kB\nVmHWM:\t    2168 kB\nVmHWMx:\t1 kB\n"
				     "Threads:\t1\n";
	struct perr e = {0};
	uint64_t v = 0;
	assert_int_equal(proc_field_u64(status, "VmHWM", &v, &e), 0);
	assert_true(v == 2168);
	assert_int_equal(proc_field_u64(status, "Threads", &v, &e), 0);
	assert_true(v == 1);
	assert_int_equal(proc_field_u64("pos:\t0\nflags:\t02000002\nmemlock:\t1056768\nmap_id:\t7\n", "memlock", &v, &e), 0);
	assert_true(v == 1056768);
	v = 42;
	assert_int_equal(proc_field_u64(status, "VmRSS", &v, &e), -ENOENT);
	assert_true(v == 42); /* written only on success */
	assert_int_equal(proc_field_u64("VmHWM", "VmHWM", &v, &e), -ENOENT);
	assert_int_equal(proc_field_u64(status, "Name", &v, &e), -EINVAL);
	assert_int_equal(e.line, 1);
	assert_int_equal(proc_field_u64("VmHWM:\t12 MB\n", "VmHWM", &v, &e), -EINVAL);
	assert_int_equal(proc_field_u64("VmHWM:\t12 kB 3\n", "VmHWM", &v, &e), -EINVAL);
	assert_true(v == 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_real_file_parses),
		cmocka_unit_test(test_truncations_never_crash),
		cmocka_unit_test(test_interrupts_quirks),
		cmocka_unit_test(test_irq_header_repeated_cpu),
		cmocka_unit_test(test_softirqs_and_softnet),
		cmocka_unit_test(test_pid_stat_quirks),
		cmocka_unit_test(test_pid_stat_hostile_names),
		cmocka_unit_test(test_pid_comm),
		cmocka_unit_test(test_meminfo_quirks),
		cmocka_unit_test(test_mounts_masks_misc),
		cmocka_unit_test(test_maps_and_stack),
		cmocka_unit_test(test_stat_columns),
		cmocka_unit_test(test_field_u64),
	};
	return cmocka_run_group_tests_name("parsers", tests, NULL, NULL);
}
