/* Trees, archives and output paths made by an attacker or a careless
 * user, end to end through the sanitizer build: nothing outside --root is
 * read, nothing is written through a link, a cut or oversized archive is
 * an error that says why, and no run (a full disk, a signal, a race with
 * another snapshot) leaves a partial snapshot under its name or debris
 * beside it. */
#include "clirun.h"

#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/mount.h>

static char tmpl[] = "/tmp/kstall-test-hostile-XXXXXX";

#define RUN(timeout, ...) \
	kstall_run(&(struct run_opts){.dir = tmpl, .timeout_s = (timeout)}, (char *const[]){__VA_ARGS__, NULL})

#define SECRET "TOP-SECRET-3f9a1c"

static int setup(void **state UNUSED)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

static int teardown(void **state UNUSED)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

static void sh(const char *fmt, ...) PRINTF_FMT(1, 2);
static void sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("shell command failed (%d): %s", rc, cmd);
	free(cmd);
}

/* Does any file under dir hold s? */
static bool tree_holds(const char *dir, const char *s)
{
	_cleanup_free_ char *cmd = xasprintf("grep -rqs -- '%s' '%s'", s, dir);
	return system(cmd) == 0;
}

/* Names in dir that start with a dot and hold ".kstall-": temporaries. */
static unsigned temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;
	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] == '.' && strstr(de->d_name, ".kstall-") != NULL;
	closedir(d);
	return n;
}

static const char *const PID_STAT = "4242 (victim) S 1 4242 4242 0 -1 0 0 0 0 0 10 10 0 0 20 0 9 0 100 1000000 100 "
				    "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

/* A captured tree whose files are links out of it (absolute and ".."),
 * and to devices: no content of what they point at reaches any output,
 * and a snapshot of the tree does not copy it. */
static void test_tree_links_stay_inside(void **state UNUSED)
{
	_cleanup_free_ char *secret = xasprintf("%s/secret", tmpl), *tree = xasprintf("%s/links", tmpl);
	_cleanup_free_ char *snap = xasprintf("%s/links-snap", tmpl);
	sh("echo %s > '%s' && cp -r tests/fixtures/healthy-6.18-vm '%s' && cd '%s' && mkdir -p proc/4242 && "
	   "echo '%s' > proc/4242/stat && ln -sf '%s' proc/sys/kernel/hostname && "
	   "ln -s ../../../../../../../../../'%s' proc/4242/cmdline && ln -s '%s' proc/4242/comm && "
	   "rm -f proc/meminfo && ln -s /dev/zero proc/meminfo && ln -s /dev/urandom proc/4242/maps",
	   SECRET, secret, tree, tree, PID_STAT, secret, secret, secret);
	struct res t = RUN(30, "check", "--root", tree, "-p", "4242");
	assert_int_equal(t.status, 0);
	assert_null(strstr(t.out, SECRET));
	assert_null(strstr(t.err, SECRET));
	assert_non_null(strstr(t.out, "process 4242 (victim)")); /* found, named from stat */
	assert_non_null(strstr(t.out, "proc/meminfo: a symbolic link to a path that is not in the root"));
	struct res j = RUN(30, "check", "--root", tree, "-p", "4242", "--format", "json");
	assert_int_equal(j.status, 0);
	assert_null(strstr(j.out, SECRET));
	json_object *o = parse_json(&j);
	assert_string_equal(json_object_get_string(jget(o, "host.hostname")), "unknown");
	assert_null(jget(o, "processes.0.cmdline"));
	json_object_put(o);
	double t0 = now_monotonic();
	struct res s = RUN(30, "snapshot", "--root", tree, "-o", snap);
	assert_int_equal(s.status, 0);
	assert_true(now_monotonic() - t0 < 10); /* /dev/urandom was not read */
	assert_false(tree_holds(snap, SECRET));
	_cleanup_free_ char *copied = xasprintf("%s/proc/meminfo", snap);
	assert_int_equal(access(copied, F_OK), -1);
	res_free(&t);
	res_free(&j);
	res_free(&s);
}

/* A link planted in the output directory while the snapshot is taken is
 * never written through: the snapshot is built elsewhere and the run says
 * the directory is no longer empty. */
static void test_snapshot_planted_link(void **state UNUSED)
{
	_cleanup_free_ char *out = xasprintf("%s/plant", tmpl), *elsewhere = xasprintf("%s/elsewhere", tmpl);
	sh("mkdir '%s' '%s'", out, elsewhere);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(300000); /* inside the 2 s between the samples */
		_cleanup_free_ char *link = xasprintf("%s/proc", out);
		_exit(symlink(elsewhere, link) == 0 ? 0 : 1);
	}
	struct res r = RUN(60, "snapshot", "-o", out, "--interval", "2");
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "not an empty directory"));
	char **in_elsewhere = list_dir(elsewhere);
	assert_null(in_elsewhere[0]); /* nothing written through the link */
	free_list(in_elsewhere);
	assert_int_equal(temporaries(tmpl), 0);
	res_free(&r);
}

/* Someone who can write the directory holding -o swaps kstall's private
 * temporary for a directory of their own as soon as it appears (the
 * reviewer's attack: 30 of 30 snapshots landed, readable, in the
 * attacker's directory). Every run must either fail or leave at -o a
 * directory that is kstall's own and private; never the attacker's. */
static void test_snapshot_swapped_temporary(void **state UNUSED)
{
	REQUIRE_OR_SKIP(geteuid() == 0, "the attacker runs as nobody, which needs root to switch to");
	_cleanup_free_ char *att = xasprintf("%s/att", tmpl);
	assert_int_equal(chmod(tmpl, 0755), 0);
	assert_int_equal(mkdir(att, 0755), 0);
	assert_int_equal(chown(att, NOBODY, NOBODY), 0);
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t w = fork();
	assert_true(w >= 0);
	if (w == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0)
			_exit(126);
		/* Gone with the test, even one an assertion ended (after the
		 * identity change, which clears the death signal). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(120);
		close(1);
		close(2);
		int in = inotify_init1(0);
		if (in < 0 || inotify_add_watch(in, att, IN_CREATE) < 0)
			_exit(125);
		(void)!write(ready[1], "r", 1);
		char buf[4096] __attribute__((aligned(8)));
		for (int n = 0; n < 100000;) {
			ssize_t k = read(in, buf, sizeof(buf));
			if (k <= 0)
				_exit(0);
			for (char *p = buf; p < buf + k;) {
				struct inotify_event *e = (struct inotify_event *)p;
				p += sizeof(*e) + e->len;
				if (!e->len || !strstr(e->name, ".kstall-") || strstr(e->name, ".moved"))
					continue;
				char from[512], to[512];
				snprintf(from, sizeof(from), "%s/%s", att, e->name);
				snprintf(to, sizeof(to), "%s/%s.moved%d", att, e->name, n++);
				if (rename(from, to) == 0 && mkdir(from, 0777) == 0)
					chmod(from, 0777);
			}
		}
		_exit(0);
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	unsigned landed = 0, refused = 0;
	for (int i = 0; i < 6; i++) {
		_cleanup_free_ char *out = xasprintf("%s/snap%d", att, i);
		struct res r = RUN(30, "snapshot", "-o", out, "--interval", "0.05");
		struct stat st;
		if (r.status == 0) {
			assert_int_equal(lstat(out, &st), 0);
			assert_true(S_ISDIR(st.st_mode));
			assert_int_equal(st.st_uid, 0);
			assert_int_equal(st.st_mode & 0077, 0);
			landed++;
		} else {
			assert_int_equal(r.status, 1);
			/* Whatever the attacker made holds none of root's files. */
			if (lstat(out, &st) == 0 && st.st_uid != 0) {
				char **names = list_dir(out);
				assert_null(names[0]);
				free_list(names);
			}
			refused++;
		}
		res_free(&r);
	}
	kill(w, SIGKILL);
	waitpid(w, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	assert_int_equal(landed + refused, 6);
	assert_true(refused > 0); /* the attack did race each run it could */
	chmod(tmpl, 0700);
}

/* An existing link at -o is refused, for a directory and a tarball, and
 * its target is unchanged. */
static void test_snapshot_refuses_existing_link(void **state UNUSED)
{
	_cleanup_free_ char *victim = xasprintf("%s/victim", tmpl), *vdir = xasprintf("%s/vdir", tmpl);
	_cleanup_free_ char *ltgz = xasprintf("%s/link.tar.gz", tmpl), *ldir = xasprintf("%s/linkdir", tmpl);
	sh("echo precious > '%s' && mkdir '%s' && ln -s '%s' '%s' && ln -s '%s' '%s'", victim, vdir, victim, ltgz, vdir,
	   ldir);
	struct res a = RUN(30, "snapshot", "-o", ltgz, "--interval", "0.1");
	assert_int_equal(a.status, 1);
	assert_non_null(strstr(a.err, "is a symbolic link"));
	struct res b = RUN(30, "snapshot", "-o", ldir, "--interval", "0.1");
	assert_int_equal(b.status, 1);
	assert_non_null(strstr(b.err, "is a symbolic link"));
	_cleanup_free_ char *v = slurp(victim, NULL);
	assert_string_equal(v, "precious\n");
	char **names = list_dir(vdir);
	assert_null(names[0]);
	free_list(names);
	/* A regular file at -o FILE.tar.gz is replaced (as tar czf would),
	 * by a rename: an existing hard link to it keeps the old bytes. */
	_cleanup_free_ char *reg = xasprintf("%s/old.tar.gz", tmpl), *hard = xasprintf("%s/hard", tmpl);
	sh("echo old > '%s' && ln '%s' '%s'", reg, reg, hard);
	struct res c = RUN(30, "snapshot", "-o", reg, "--interval", "0.1");
	assert_int_equal(c.status, 0);
	_cleanup_free_ char *h = slurp(hard, NULL);
	assert_string_equal(h, "old\n");
	struct stat st;
	assert_int_equal(stat(reg, &st), 0);
	assert_true(st.st_size > 1000);
	assert_int_equal(temporaries(tmpl), 0);
	res_free(&a);
	res_free(&b);
	res_free(&c);
}

/* Two snapshots into one directory at once: one wins, the other fails,
 * and the directory holds one whole snapshot, not a blend. */
static void test_concurrent_snapshots(void **state UNUSED)
{
	_cleanup_free_ char *out = xasprintf("%s/race", tmpl), *o2 = xasprintf("%s/race2", tmpl);
	mkdir(o2, 0755);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct res r = kstall_run(&(struct run_opts){.dir = o2, .timeout_s = 60},
					  (char *const[]){"snapshot", "-o", out, "--interval", "1", NULL});
		_exit(r.status == 0 ? 0 : r.status == 1 ? 1 : 3);
	}
	struct res r = RUN(60, "snapshot", "-o", out, "--interval", "1");
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	int other = WEXITSTATUS(st);
	assert_true((r.status == 0 && other == 1) || (r.status == 1 && other == 0));
	struct res back = RUN(30, "check", "--root", out, "--format", "json");
	assert_int_equal(back.status, 0);
	json_object *o = parse_json(&back);
	assert_string_equal(json_object_get_string(jget(o, "window.source")), "snapshot");
	json_object_put(o);
	assert_int_equal(temporaries(tmpl), 0);
	res_free(&r);
	res_free(&back);
}

/* A signal during a snapshot leaves nothing: no output, no temporary. */
static void test_signal_leaves_nothing(void **state UNUSED)
{
	const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		_cleanup_free_ char *dir = xasprintf("%s/sig%zu", tmpl, i), *tgz = xasprintf("%s/sig%zu.tar.gz", tmpl, i);
		const char *outs[] = {dir, tgz};
		for (size_t k = 0; k < 2; k++) {
			struct res r = kstall_run(&(struct run_opts){.dir = tmpl, .timeout_s = 30, .signal = sigs[i],
								     .signal_after_s = 0.5},
						  (char *const[]){"snapshot", "-o", (char *)outs[k], "--interval", "3", NULL});
			assert_int_equal(r.status, 128 + sigs[i]);
			assert_int_equal(access(outs[k], F_OK), -1);
			assert_int_equal(temporaries(tmpl), 0);
			res_free(&r);
		}
	}
	/* check --root of an archive writes nothing to /tmp to leave, even
	 * stopped while it reads it (60 MiB of zeros take ~0.3 s to read). */
	_cleanup_free_ char *src = xasprintf("%s/big-src", tmpl), *tgz = xasprintf("%s/big.tar.gz", tmpl);
	sh("cp -r tests/fixtures/healthy-6.18-vm '%s' && truncate -s 60M '%s/proc/zz' && tar -czf '%s' -C '%s' .", src,
	   src, tgz, src);
	struct res s = RUN(30, "check", "--root", tgz);
	assert_int_equal(s.status, 0);
	char **before = list_dir("/tmp");
	struct res c = kstall_run(&(struct run_opts){.dir = tmpl, .timeout_s = 30, .signal = SIGTERM,
						     .signal_after_s = 0.05},
				  (char *const[]){"check", "--root", tgz, NULL});
	assert_int_equal(c.status, 128 + SIGTERM);
	char **after = list_dir("/tmp");
	for (char **a = after; *a; a++) {
		bool old = false;
		for (char **b = before; *b && !old; b++)
			old = !strcmp(*a, *b);
		if (!old && str_starts_with(*a, "kstall-") && !str_starts_with(*a, "kstall-test-"))
			fail_msg("/tmp/%s appeared", *a);
	}
	free_list(before);
	free_list(after);
	res_free(&s);
	res_free(&c);
}

/* A full file system: the error says so, and nothing is left under the
 * name or beside it. */
static void test_snapshot_full_disk(void **state UNUSED)
{
	REQUIRE_OR_SKIP(geteuid() == 0, "mounting a small tmpfs needs root");
	_cleanup_free_ char *mnt = xasprintf("%s/full", tmpl);
	assert_int_equal(mkdir(mnt, 0755), 0);
	assert_int_equal(mount("kstall-test", mnt, "tmpfs", 0, "size=16k"), 0);
	_cleanup_free_ char *dir = xasprintf("%s/snap", mnt), *tgz = xasprintf("%s/snap.tar.gz", mnt);
	struct res a = RUN(60, "snapshot", "-o", dir, "--interval", "0.1");
	struct res b = RUN(60, "snapshot", "-o", tgz, "--interval", "0.1");
	char **left = list_dir(mnt);
	bool empty = left && !left[0];
	free_list(left);
	/* Listing with dot files too: temporaries start with a dot. */
	unsigned tmps = temporaries(mnt);
	umount2(mnt, MNT_DETACH);
	assert_int_equal(a.status, 1);
	assert_non_null(strstr(a.err, "No space left on device"));
	assert_int_equal(b.status, 1);
	assert_non_null(strstr(b.err, "No space left on device"));
	assert_true(empty);
	assert_int_equal(tmps, 0);
	res_free(&a);
	res_free(&b);
}

/* A snapshot cut short (its meta, written last, missing) is said to be
 * incomplete, never analysed as a smaller host; a meta that is not whole
 * or not in range is refused with what is wrong, never used. */
static void test_incomplete_snapshot(void **state UNUSED)
{
	struct {
		const char *edit, *want;
	} cases[] = {
		{"rm kstall/meta", "No such file or directory"},
		{": > kstall/meta", "kstall_snapshot_version is missing"},
		{"rm kstall/meta && mkdir kstall/meta", "not a regular file (a directory)"},
		{"sed -i 's/^t1=.*/t1=1e300/' kstall/meta", "t1 1e+300: not a time between 1970 and 2100"},
		{"sed -i 's/^interval_s=.*/interval_s=1e-300/' kstall/meta", "interval_s 1e-300: not 0"},
		{"sed -i 's/^interval_s=.*/interval_s=nan/' kstall/meta", "interval_s: not a decimal number"},
		{"sed -i 's/^interval_s=.*/interval_s=0x10/' kstall/meta", "interval_s: not a decimal number"},
		{"sed -i 's/^kstall_snapshot_version=.*/kstall_snapshot_version=99/' kstall/meta",
		 "kstall_snapshot_version 99: this kstall reads version 1"},
		{"echo garbage >> kstall/meta", "expected key=value"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *dir = xasprintf("%s/cut%zu", tmpl, i);
		sh("cp -r tests/fixtures/healthy-6.18-vm '%s' && cd '%s' && %s", dir, dir, cases[i].edit);
		struct res r = RUN(30, "check", "--root", dir);
		if (r.status != 1 || !strstr(r.err, "incomplete or malformed snapshot") || !strstr(r.err, cases[i].want))
			fail_msg("%s: exit %d, stderr: %s", cases[i].edit, r.status, r.err);
		res_free(&r);
	}
}

/* Archives that are cut, corrupt, not ours, or bombs: each refused with
 * its cause, quickly, in bounded memory. */
static void test_hostile_archives(void **state UNUSED)
{
	_cleanup_free_ char *good = xasprintf("%s/good.tar.gz", tmpl), *src = xasprintf("%s/bomb-src", tmpl);
	struct res s = RUN(30, "snapshot", "-o", good, "--interval", "0.1");
	assert_int_equal(s.status, 0);
	res_free(&s);
	struct stat st;
	assert_int_equal(stat(good, &st), 0);
	struct {
		const char *name, *make, *want;
	} cases[] = {
		{"half.tar.gz", "head -c %lld '%s' > '%s'", "truncated"},
		{"crc.tar.gz", "cp '%2$s' '%3$s' && printf '\\377\\377\\377\\377' | dd of='%3$s' bs=1 seek=$((%1$lld - 8)) "
			       "conv=notrunc 2>/dev/null", "incorrect data check"},
		{"noend.tar.gz", "gzip -dc '%2$s' | head -c $(( $(gzip -dc '%2$s' | wc -c) - 10240 )) | gzip > '%3$s'",
		 "no end blocks"},
		{"plain.tar.gz", "gzip -dc '%2$s' > '%3$s'", "not a valid gzip stream"},
		{"empty.tar.gz", ": > '%3$s'", "truncated"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", tmpl, cases[i].name);
		_cleanup_free_ char *cmd = xasprintf(cases[i].make, (long long)st.st_size / 2, good, p);
		if (i == 1) {
			free(cmd);
			cmd = xasprintf(cases[i].make, (long long)st.st_size, good, p);
		}
		assert_int_equal(system(cmd), 0);
		struct res r = RUN(30, "check", "--root", p);
		if (r.status != 1 || !strstr(r.err, cases[i].want))
			fail_msg("%s: exit %d, stderr: %s", cases[i].name, r.status, r.err);
		assert_non_null(strstr(r.err, "cannot read snapshot"));
		res_free(&r);
	}
	/* A member over the read limit is refused at its header: 100 MiB of
	 * zeros (100 KiB compressed) costs neither the time nor the memory. */
	_cleanup_free_ char *bomb = xasprintf("%s/bomb.tar.gz", tmpl);
	sh("mkdir -p '%s/proc' && truncate -s 100M '%s/proc/meminfo' && tar -czf '%s' -C '%s' proc", src, src, bomb, src);
	struct res b = RUN(30, "check", "--root", bomb);
	assert_int_equal(b.status, 1);
	assert_non_null(strstr(b.err, "proc/meminfo: 100 MiB is over the 64 MiB limit"));
	assert_true(b.secs < 3);
	assert_true(b.maxrss_kb < 100 * 1024);
	res_free(&b);
	/* Members each under the limit, together a bomb: 4 x 60 MiB of zeros
	 * in 250 KiB. Refused as it expands, in bounded memory. */
	_cleanup_free_ char *src2 = xasprintf("%s/bomb2-src", tmpl), *bomb2 = xasprintf("%s/bomb2.tar.gz", tmpl);
	sh("mkdir -p '%s/proc' && for i in 1 2 3 4; do truncate -s 60M '%s/proc/f'$i; done && tar -czf '%s' -C '%s' proc",
	   src2, src2, bomb2, src2);
	struct res b2 = RUN(30, "check", "--root", bomb2);
	assert_int_equal(b2.status, 1);
	assert_non_null(strstr(b2.err, "expands more than 100-fold"));
	assert_true(b2.maxrss_kb < 160 * 1024);
	res_free(&b2);
	/* Links and devices in an archive are not followed: a link to a file
	 * outside reads as absent. */
	_cleanup_free_ char *lsrc = xasprintf("%s/lsrc", tmpl), *ltgz = xasprintf("%s/links.tar.gz", tmpl);
	sh("echo %s > '%s/outside' && cp -r tests/fixtures/healthy-6.18-vm '%s' && "
	   "ln -sf '%s/outside' '%s/proc/sys/kernel/hostname' && tar -czf '%s' -C '%s' .",
	   SECRET, tmpl, lsrc, tmpl, lsrc, ltgz, lsrc);
	struct res l = RUN(30, "check", "--root", ltgz, "--format", "json");
	assert_int_equal(l.status, 0);
	assert_null(strstr(l.out, SECRET));
	json_object *o = parse_json(&l);
	assert_string_equal(json_object_get_string(jget(o, "host.hostname")), "unknown");
	json_object_put(o);
	res_free(&l);
	/* A name that leaves the root is refused, and says why. */
	_cleanup_free_ char *evil = xasprintf("%s/evil.tar.gz", tmpl);
	sh("mkdir -p '%s/e/a/b' && echo x > '%s/e/a/x' && cd '%s/e/a/b' && tar -czPf '%s' ../x", tmpl, tmpl, tmpl, evil);
	struct res e = RUN(30, "check", "--root", evil);
	assert_int_equal(e.status, 1);
	assert_non_null(strstr(e.err, "a '..' part in its name"));
	res_free(&e);
	/* Not a file at all. */
	struct res d = RUN(30, "check", "--root", "/dev/zero.tar.gz");
	assert_int_equal(d.status, 1);
	res_free(&d);
	_cleanup_free_ char *fifo = xasprintf("%s/fifo.tar.gz", tmpl);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	struct res f = RUN(10, "check", "--root", fifo);
	assert_int_equal(f.status, 1);
	assert_non_null(strstr(f.err, "not a regular file"));
	res_free(&f);
}

/* Without the rights to make the output, the error says so. */
static void test_unprivileged_output(void **state UNUSED)
{
	REQUIRE_OR_SKIP(geteuid() == 0, "switching to nobody needs root");
	_cleanup_free_ char *priv = xasprintf("%s/private", tmpl), *out = xasprintf("%s/private/x", tmpl);
	assert_int_equal(mkdir(priv, 0700), 0);
	struct res r = kstall_run(&(struct run_opts){.dir = tmpl, .timeout_s = 30, .uid = NOBODY},
				  (char *const[]){"snapshot", "-o", out, "--interval", "0.1", NULL});
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "Permission denied"));
	assert_null(strstr(r.err, "not an empty directory"));
	assert_true(r.secs < 1); /* said before the samples, not after */
	res_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_links_stay_inside),
		cmocka_unit_test(test_snapshot_planted_link),
		cmocka_unit_test(test_snapshot_swapped_temporary),
		cmocka_unit_test(test_snapshot_refuses_existing_link),
		cmocka_unit_test(test_concurrent_snapshots),
		cmocka_unit_test(test_signal_leaves_nothing),
		cmocka_unit_test(test_snapshot_full_disk),
		cmocka_unit_test(test_incomplete_snapshot),
		cmocka_unit_test(test_hostile_archives),
		cmocka_unit_test(test_unprivileged_output),
	};
	return cmocka_run_group_tests_name("hostile_inputs", tests, setup, teardown);
}
