/* The root-relative layer: reads stay under the root, never hang on a
 * FIFO, and deadline reads give up on time and stay bounded. */
#include "testutil.h"
#include "lib/memtree.h"

#include <sys/stat.h>
#include <sys/statfs.h>
#include "lib/sysroot.h"

#include <sched.h>
#include <sys/sysmacros.h>

static char root[] = "/tmp/kstall-test-sysroot-XXXXXX";

static void put(const char *rel, const char *text)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int setup(void **state UNUSED)
{
	if (!mkdtemp(root))
		return -1;
	put("proc/meminfo", "MemTotal: 1 kB\n");
	put("proc/12/stat", "12 (x) S 1\n");
	put("proc/3/stat", "3 (y) S 1\n");
	put("outside", "secret\n");
	put("proc/3/wchan", "");
	_cleanup_free_ char *fifo = xasprintf("%s/proc/12/cmdline", root);
	return mkfifo(fifo, 0600);
}

static int teardown(void **state UNUSED)
{
	stuckfs_cleanup();
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_reads_are_root_relative(void **state UNUSED)
{
	struct sysroot *r;
	struct buf b = {0};
	char **names;

	assert_int_equal(sysroot_open(root, &r), 0);
	assert_false(sysroot_is_live(r));
	assert_int_equal(sysroot_read(r, "proc/meminfo", &b), 0);
	assert_string_equal(b.data, "MemTotal: 1 kB\n");
	buf_free(&b);
	assert_int_equal(sysroot_read(r, "proc/nothere", &b), -ENOENT);
	/* An empty file is an empty C string, for both kinds of read. */
	assert_int_equal(sysroot_read(r, "proc/3/wchan", &b), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
	assert_int_equal(sysroot_read_deadline(r, "proc/3/wchan", &b), 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
	assert_int_equal(sysroot_read(r, "/etc/passwd", &b), -EINVAL);
	assert_int_equal(sysroot_read(r, "proc/../../etc/passwd", &b), -EINVAL);
	assert_int_equal(sysroot_read(r, "proc", &b), -EISDIR);
	assert_int_equal(sysroot_list(r, "proc", &names), 0);
	assert_string_equal(names[0], "12"); /* sorted */
	assert_string_equal(names[1], "3");
	assert_string_equal(names[2], "meminfo");
	assert_null(names[3]);
	strv_free(names);
	sysroot_free(r);
}

/* A FIFO is refused without being opened: a writer blocked in open()
 * would be released by any reader's open. */
static void test_fifo_is_refused_unopened(void **state UNUSED)
{
	struct sysroot *r;
	struct buf b = {0};
	_cleanup_free_ char *fifo = xasprintf("%s/proc/12/cmdline", root);
	pid_t w = fork();
	assert_true(w >= 0);
	if (w == 0) {
		alarm(20); /* gone even if the test fails before it kills this */
		int fd = open(fifo, O_WRONLY); /* blocks until a reader opens */
		_exit(fd >= 0 ? 0 : 1);
	}
	assert_int_equal(sysroot_open(root, &r), 0);
	double t0 = now_monotonic();
	assert_int_equal(sysroot_read(r, "proc/12/cmdline", &b), -EINVAL);
	assert_non_null(strstr(sysroot_why(r), "a FIFO"));
	assert_int_equal(sysroot_read_deadline(r, "proc/12/cmdline", &b), -EINVAL);
	assert_true(now_monotonic() - t0 < 0.5);
	usleep(200000);
	assert_int_equal(waitpid(w, NULL, WNOHANG), 0); /* still waiting for a reader */
	kill(w, SIGKILL);
	waitpid(w, NULL, 0);
	sysroot_free(r);
}

/* Links in a tree resolve inside it, whatever they say; devices, FIFOs and
 * files over the limit are refused before they are opened; an error never
 * quotes what it refused. Run by openat2 and by the component walk. */
static void check_hostile_tree(bool walk)
{
	struct sysroot *r;
	struct buf b = {0};
	char **names;
	_cleanup_free_ char *outside = xasprintf("%s-outside", root);
	_cleanup_free_ char *tree = xasprintf("%s/evil", root);
	_cleanup_free_ char *cmd = xasprintf(
		"set -e; rm -rf '%s' '%s'; mkdir -p '%s' '%s'/proc/7 '%s'/proc/8/net '%s'/sys/class '%s'/etc; "
		"echo TOP-SECRET-LINE > '%s'/shadow; echo inside-host > '%s'/etc/hostname; cd '%s'; "
		"ln -s '%s'/shadow proc/hostname_abs; "              /* absolute, to a real file outside */
		"ln -s ../../../../../../../../'%s'/shadow proc/7/cmdline; " /* .. past the root */
		"ln -s /etc/hostname proc/hostname_in; "            /* absolute, read as inside the root */
		"ln -s 8 proc/self; echo softnet > proc/8/net/softnet_stat; ln -s self/net proc/net; "
		"ln -s /etc sys/class/net; "                         /* a directory link, read in the root */
		"ln -s loop proc/loop; ln -s /dev/zero proc/meminfo; ln -s /dev/urandom proc/7/maps; "
		"truncate -s 100M proc/big; mkfifo proc/fifo",
		tree, outside, outside, tree, tree, tree, tree, outside, tree, tree, outside, outside);
	assert_int_equal(system(cmd), 0);

	sysroot_force_walk(walk);
	assert_int_equal(sysroot_open(tree, &r), 0);
	/* Absolute and ".." links cannot leave the root. */
	assert_int_equal(sysroot_read(r, "proc/hostname_abs", &b), -ENOENT);
	assert_non_null(strstr(sysroot_why(r), "not in the root"));
	assert_int_equal(sysroot_read_deadline(r, "proc/7/cmdline", &b), -ENOENT);
	assert_null(strstr(sysroot_why(r), "SECRET"));
	/* ... and resolve as they would on the host the tree came from. */
	assert_int_equal(sysroot_read(r, "proc/hostname_in", &b), 0);
	assert_string_equal(b.data, "inside-host\n");
	buf_free(&b);
	assert_int_equal(sysroot_read(r, "proc/net/softnet_stat", &b), 0);
	assert_string_equal(b.data, "softnet\n");
	buf_free(&b);
	assert_int_equal(sysroot_list(r, "sys/class/net", &names), 0);
	assert_string_equal(names[0], "hostname");
	assert_null(names[1]);
	strv_free(names);
	assert_false(sysroot_exists(r, "proc/hostname_abs"));
	assert_true(sysroot_exists(r, "proc/net/softnet_stat"));
	/* sysroot_stat looks up as exists does: the file in the root, its
	 * inode that of the tree's own copy, and never one outside. */
	struct stat st, want;
	struct statfs sf;
	_cleanup_free_ char *host = xasprintf("%s/etc/hostname", tree);
	assert_int_equal(stat(host, &want), 0);
	assert_int_equal(sysroot_stat(r, "proc/hostname_in", &st, &sf), 0);
	assert_int_equal(st.st_ino, want.st_ino);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(sysroot_stat(r, "proc/hostname_abs", &st, &sf), -ENOENT);
	assert_int_equal(sysroot_stat(r, "../x", &st, &sf), -EINVAL);
	/* Loops end. */
	assert_int_equal(sysroot_read(r, "proc/loop", &b), -ELOOP);
	/* A device link resolves inside the root (no dev/ there). */
	assert_int_equal(sysroot_read(r, "proc/meminfo", &b), -ENOENT);
	assert_int_equal(sysroot_read_deadline(r, "proc/7/maps", &b), -ENOENT);
	/* Size is checked before reading, and said. */
	double t0 = now_monotonic();
	assert_int_equal(sysroot_read(r, "proc/big", &b), -EFBIG);
	assert_true(now_monotonic() - t0 < 0.5);
	assert_string_equal(sysroot_why(r), "100 MiB is over the 64 MiB limit");
	assert_int_equal(sysroot_read(r, "proc/fifo", &b), -EINVAL);
	assert_string_equal(sysroot_why(r), "not a regular file (a FIFO)");
	sysroot_free(r);

	/* A real device node inside the tree (root only) is refused too. */
	if (geteuid() == 0) {
		_cleanup_free_ char *dev = xasprintf("%s/proc/zero", tree);
		assert_int_equal(mknod(dev, S_IFCHR | 0644, makedev(1, 5)), 0);
		assert_int_equal(sysroot_open(tree, &r), 0);
		assert_int_equal(sysroot_read(r, "proc/zero", &b), -EINVAL);
		assert_string_equal(sysroot_why(r), "not a regular file (a character device)");
		sysroot_free(r);
	}
	sysroot_force_walk(false);
	_cleanup_free_ char *rm = xasprintf("rm -rf '%s'", outside);
	assert_int_equal(system(rm), 0);
}

static void test_hostile_tree_openat2(void **state UNUSED) { check_hostile_tree(false); }
static void test_hostile_tree_walk(void **state UNUSED) { check_hostile_tree(true); }

/* Without openat2 (the walk) and without /proc to reopen through (a
 * container, an early boot), files still read, by their directory and
 * name, and still only if they are what was checked. */
static void test_walk_without_proc(void **state UNUSED)
{
	REQUIRE_OR_SKIP(geteuid() == 0, "hiding /proc in a mount namespace needs root");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sysroot *r;
		struct buf b = {0};
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("none", "/proc", "tmpfs", 0, "size=4k") < 0)
			_exit(10);
		sysroot_force_walk(true);
		if (sysroot_open(root, &r) < 0)
			_exit(11);
		if (sysroot_read(r, "proc/meminfo", &b) < 0 || strcmp(b.data, "MemTotal: 1 kB\n"))
			_exit(12);
		buf_free(&b);
		if (sysroot_read_deadline(r, "proc/3/stat", &b) < 0 || strcmp(b.data, "3 (y) S 1\n"))
			_exit(13);
		buf_free(&b);
		if (sysroot_read(r, "proc/12/cmdline", &b) != -EINVAL) /* the FIFO */
			_exit(14);
		sysroot_free(r);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* The live host resolves through the same code: /proc/self and /proc/net
 * are links inside it. */
static void test_live_links(void **state UNUSED)
{
	for (int walk = 0; walk < 2; walk++) {
		struct sysroot *r;
		struct buf b = {0};
		sysroot_force_walk(walk);
		assert_int_equal(sysroot_open("/", &r), 0);
		assert_true(sysroot_is_live(r));
		assert_int_equal(sysroot_read(r, "proc/self/stat", &b), 0);
		assert_int_equal(atoi(b.data), getpid());
		buf_free(&b);
		assert_int_equal(sysroot_read(r, "proc/net/softnet_stat", &b), 0);
		assert_true(b.len > 0);
		buf_free(&b);
		assert_int_equal(sysroot_read_deadline(r, "proc/self/cmdline", &b), 0);
		assert_non_null(strstr(b.data, "test_sysroot"));
		buf_free(&b);
		sysroot_free(r);
	}
	sysroot_force_walk(false);
}

static void test_capture_log(void **state UNUSED)
{
	struct sysroot *r;
	struct buf b = {0};
	const struct capture_entry *e;

	assert_int_equal(sysroot_open(root, &r), 0);
	sysroot_capture(r, true);
	sysroot_capture_sample(r, 0);
	assert_int_equal(sysroot_read(r, "proc/meminfo", &b), 0);
	buf_free(&b);
	sysroot_capture_sample(r, 1);
	assert_int_equal(sysroot_read_deadline(r, "proc/3/stat", &b), 0);
	buf_free(&b);
	assert_int_equal(sysroot_read(r, "proc/missing", &b), -ENOENT);
	assert_int_equal(sysroot_captured(r, &e), 2);
	assert_string_equal(e[0].path, "proc/meminfo");
	assert_int_equal(e[0].sample, 0);
	assert_string_equal(e[1].path, "proc/3/stat");
	assert_string_equal(e[1].data, "3 (y) S 1\n");
	assert_int_equal(e[1].sample, 1);
	sysroot_free(r);
}

/* A tree in memory reads like a directory. */
static void test_memory_tree(void **state UNUSED)
{
	struct memtree t = {0};
	struct sysroot *r;
	struct buf b = {0};
	char **names;

	assert_int_equal(memtree_add(&t, "proc/1/stat", "1 (init) S 0\n", 13), 0);
	assert_int_equal(memtree_add(&t, "proc/meminfo", "old", 3), 0);
	assert_int_equal(memtree_add(&t, "proc/meminfo", "MemTotal: 1 kB\n", 15), 0); /* the later copy wins */
	assert_int_equal(memtree_add(&t, "proc/a.b", "", 0), 0);
	assert_int_equal(memtree_add(&t, "sys", NULL, 0), 0);
	assert_int_equal(memtree_add(&t, "/etc/passwd", "x", 1), -EINVAL);
	assert_int_equal(memtree_add(&t, "proc/../etc", "x", 1), -EINVAL);
	assert_int_equal(memtree_add(&t, "proc//x", "x", 1), -EINVAL);
	char *c = memtree_clean_path("./proc//1/./stat/");
	assert_string_equal(c, "proc/1/stat");
	free(c);
	assert_null(memtree_clean_path("proc/../../x"));
	assert_null(memtree_clean_path("/abs"));
	assert_int_equal(sysroot_open_mem(&t, "x.tar.gz", &r), 0);
	assert_null(t.v); /* taken */
	assert_false(sysroot_is_live(r));
	assert_string_equal(sysroot_path(r), "x.tar.gz");
	assert_int_equal(sysroot_read(r, "proc/meminfo", &b), 0);
	assert_string_equal(b.data, "MemTotal: 1 kB\n");
	buf_free(&b);
	assert_int_equal(sysroot_read_deadline(r, "proc/1/stat", &b), 0);
	assert_string_equal(b.data, "1 (init) S 0\n");
	buf_free(&b);
	assert_int_equal(sysroot_read(r, "proc/a.b", &b), 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
	assert_int_equal(sysroot_read(r, "proc", &b), -EISDIR);
	assert_int_equal(sysroot_read(r, "proc/nothere", &b), -ENOENT);
	assert_int_equal(sysroot_read(r, "../x", &b), -EINVAL);
	assert_true(sysroot_exists(r, "proc"));
	assert_true(sysroot_exists(r, "proc/1"));
	assert_true(sysroot_exists(r, "sys"));
	assert_false(sysroot_exists(r, "pro"));
	struct stat st;
	struct statfs sf;
	assert_int_equal(sysroot_stat(r, "proc/meminfo", &st, &sf), -EOPNOTSUPP); /* no inodes in memory */
	assert_int_equal(sysroot_list(r, "proc", &names), 0);
	assert_string_equal(names[0], "1");
	assert_string_equal(names[1], "a.b");
	assert_string_equal(names[2], "meminfo");
	assert_null(names[3]);
	strv_free(names);
	assert_int_equal(sysroot_list(r, ".", &names), 0);
	assert_string_equal(names[0], "proc");
	assert_string_equal(names[1], "sys");
	assert_null(names[2]);
	strv_free(names);
	assert_int_equal(sysroot_list(r, "proc/meminfo", &names), -ENOTDIR);
	assert_int_equal(sysroot_list(r, "nope", &names), -ENOENT);
	sysroot_free(r);
}

/* A stuck read (a regular file whose read does not return) that finishes
 * later frees its slot. */
static void test_stuck_worker_recovers(void **state UNUSED)
{
	struct sysroot *r;
	struct buf b = {0};
	_cleanup_free_ char *dir = xasprintf("%s/proc/12", root);

	REQUIRE_OR_SKIP(stuckfs_possible(), "a stuck read needs root, /dev/fuse and build/tests/helpers/stuckfs");
	pid_t fs = stuckfs_mount(dir, 60, "stuck", (char *[]){"stat=12 (x) S 1\\n", NULL});
	assert_true(fs > 0);
	assert_int_equal(sysroot_open(root, &r), 0);
	sysroot_set_deadline_ms(r, 100);
	assert_int_equal(sysroot_read_deadline(r, "proc/12/stuck", &b), -ETIMEDOUT);
	assert_int_equal(sysroot_stuck_workers(r), 1);
	/* The daemon goes: the worker's read fails, and it frees its slot. */
	stuckfs_unmount(dir, fs);
	double t0 = now_monotonic();
	while (sysroot_stuck_workers(r) && now_monotonic() - t0 < 5)
		usleep(1000);
	assert_int_equal(sysroot_stuck_workers(r), 0);
	/* And a new worker serves the next read. */
	assert_int_equal(sysroot_read_deadline(r, "proc/3/stat", &b), 0);
	buf_free(&b);
	sysroot_free(r);
}

/* A batch: the reads in order, a stuck one given up on after the
 * deadline while those after it go on (with a new worker), each outcome
 * handed on once, in order. */
struct batch_log {
	const char *const *rels;
	int rc[4];
	char data[4][64];
	size_t calls, order_errors;
};

static void log_name(void *ctx, size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ((struct batch_log *)ctx)->rels[i]);
}

static void log_each(void *ctx, size_t i, int rc, const char *why, struct buf *data)
{
	struct batch_log *l = ctx;
	l->order_errors += i != l->calls++;
	l->rc[i] = rc;
	snprintf(l->data[i], sizeof(l->data[i]), "%s", rc == 0 ? data->data : why);
}

static void test_deadline_batch(void **state UNUSED)
{
	static const char *const rels[] = {"proc/12/stat", "proc/12/stuck", "proc/3/stat", "../outside"};
	struct sysroot *r;
	_cleanup_free_ char *dir = xasprintf("%s/proc/12", root);

	REQUIRE_OR_SKIP(stuckfs_possible(), "a stuck read needs root, /dev/fuse and build/tests/helpers/stuckfs");
	pid_t fs = stuckfs_mount(dir, 60, "stuck", (char *[]){"stat=12 (x) S 1\\n", NULL});
	assert_true(fs > 0);
	assert_int_equal(sysroot_open(root, &r), 0);
	sysroot_set_deadline_ms(r, 200);
	struct batch_log l = {.rels = rels};
	double t0 = now_monotonic();
	sysroot_read_deadline_batch(r, &(struct sysroot_batch){.n = 4, .name = log_name, .each = log_each, .ctx = &l});
	double took = now_monotonic() - t0;
	assert_true(took >= 0.19 && took < 1.0);
	assert_int_equal(l.calls, 4);
	assert_int_equal(l.order_errors, 0);
	assert_int_equal(l.rc[0], 0);
	assert_string_equal(l.data[0], "12 (x) S 1\n");
	assert_int_equal(l.rc[1], -ETIMEDOUT);
	assert_non_null(strstr(l.data[1], "200 ms"));
	assert_int_equal(l.rc[2], 0);
	assert_string_equal(l.data[2], "3 (y) S 1\n");
	assert_int_equal(l.rc[3], -EINVAL);
	assert_int_equal(sysroot_stuck_workers(r), 1);
	stuckfs_unmount(dir, fs);
	while (sysroot_stuck_workers(r) && now_monotonic() - t0 < 5)
		usleep(1000);
	assert_int_equal(sysroot_stuck_workers(r), 0);
	sysroot_free(r);
}

/* Last: it abandons reader threads for the rest of the process. */
static void test_deadline_read_gives_up_and_stays_bounded(void **state UNUSED)
{
	struct sysroot *r;
	struct buf b = {0};
	_cleanup_free_ char *dir = xasprintf("%s/proc/12", root);

	REQUIRE_OR_SKIP(stuckfs_possible(), "a stuck read needs root, /dev/fuse and build/tests/helpers/stuckfs");
	pid_t fs = stuckfs_mount(dir, 60, "stuck", (char *[]){"stat=12 (x) S 1\\n", NULL});
	assert_true(fs > 0);
	assert_int_equal(sysroot_open(root, &r), 0);
	sysroot_set_deadline_ms(r, 200);
	/* A working read first: the worker answers. */
	assert_int_equal(sysroot_read_deadline(r, "proc/12/stat", &b), 0);
	assert_string_equal(b.data, "12 (x) S 1\n");
	buf_free(&b);
	for (unsigned i = 0; i < SYSROOT_MAX_STUCK; i++) {
		double t0 = now_monotonic();
		assert_int_equal(sysroot_read_deadline(r, "proc/12/stuck", &b), -ETIMEDOUT);
		double took = now_monotonic() - t0;
		assert_true(took >= 0.19 && took < 1.0);
		assert_int_equal(sysroot_stuck_workers(r), i + 1);
	}
	/* Bounded: no more threads are spent; the answer is immediate. */
	double t0 = now_monotonic();
	assert_int_equal(sysroot_read_deadline(r, "proc/3/stat", &b), -EBUSY);
	assert_true(now_monotonic() - t0 < 0.05);
	assert_int_equal(sysroot_stuck_workers(r), SYSROOT_MAX_STUCK);
	sysroot_free(r);
	stuckfs_unmount(dir, fs);
}

/* kstall's own files come from the live host, never from a tree (whose
 * proc/self is someone else's), and are not captured into snapshots. */
static void test_read_self(void **state UNUSED)
{
	struct sysroot *tree, *live;
	struct buf b = {0};
	const struct capture_entry *ce;

	put("proc/self/status", "VmHWM:\t1 kB\n");
	assert_int_equal(sysroot_open(root, &tree), 0);
	assert_int_equal(sysroot_read_self(tree, "proc/self/status", &b), -EXDEV);
	assert_null(b.data);
	sysroot_free(tree);
	assert_int_equal(sysroot_open("/", &live), 0);
	sysroot_capture(live, true);
	assert_int_equal(sysroot_read_self(live, "proc/self/status", &b), 0);
	_cleanup_free_ char *pid = xasprintf("\nPid:\t%d\n", getpid());
	assert_non_null(strstr(b.data, pid));
	buf_free(&b);
	assert_int_equal(sysroot_captured(live, &ce), 0);
	assert_int_equal(sysroot_read_self(live, "proc/meminfo", &b), -EINVAL);
	sysroot_free(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_are_root_relative),
		cmocka_unit_test(test_fifo_is_refused_unopened),
		cmocka_unit_test(test_hostile_tree_openat2),
		cmocka_unit_test(test_hostile_tree_walk),
		cmocka_unit_test(test_live_links),
		cmocka_unit_test(test_walk_without_proc),
		cmocka_unit_test(test_capture_log),
		cmocka_unit_test(test_memory_tree),
		cmocka_unit_test(test_stuck_worker_recovers),
		cmocka_unit_test(test_deadline_batch),
		cmocka_unit_test(test_deadline_read_gives_up_and_stays_bounded),
		cmocka_unit_test(test_read_self),
	};
	return cmocka_run_group_tests_name("sysroot", tests, setup, teardown);
}
