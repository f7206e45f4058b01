/* The root-relative layer: reads stay under the root, never hang on a
 * FIFO, and deadline reads give up on time and stay bounded. */
#include "testutil.h"
#include "lib/sysroot.h"

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

static void test_plain_read_refuses_fifo_at_once(void **state UNUSED)
{
	struct sysroot *r;
	struct buf b = {0};
	assert_int_equal(sysroot_open(root, &r), 0);
	double t0 = now_monotonic();
	assert_int_equal(sysroot_read(r, "proc/12/cmdline", &b), -EINVAL);
	assert_true(now_monotonic() - t0 < 0.5);
	sysroot_free(r);
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

/* A stuck read that finishes later frees its slot. */
static void test_stuck_worker_recovers(void **state UNUSED)
{
	struct sysroot *r;
	struct buf b = {0};
	_cleanup_free_ char *fifo = xasprintf("%s/proc/12/cmdline", root);

	assert_int_equal(sysroot_open(root, &r), 0);
	sysroot_set_deadline_ms(r, 100);
	assert_int_equal(sysroot_read_deadline(r, "proc/12/cmdline", &b), -ETIMEDOUT);
	assert_int_equal(sysroot_stuck_workers(r), 1);
	/* Become the writer: the worker's open returns, its read sees EOF. */
	int fd = open(fifo, O_WRONLY | O_NONBLOCK);
	assert_true(fd >= 0);
	close(fd);
	double t0 = now_monotonic();
	while (sysroot_stuck_workers(r) && now_monotonic() - t0 < 2)
		usleep(1000);
	assert_int_equal(sysroot_stuck_workers(r), 0);
	/* And a new worker serves the next read. */
	assert_int_equal(sysroot_read_deadline(r, "proc/3/stat", &b), 0);
	buf_free(&b);
	sysroot_free(r);
}

/* Last: it abandons reader threads for the rest of the process. */
static void test_deadline_read_gives_up_and_stays_bounded(void **state UNUSED)
{
	struct sysroot *r;
	struct buf b = {0};

	assert_int_equal(sysroot_open(root, &r), 0);
	sysroot_set_deadline_ms(r, 200);
	/* A working read first: the worker answers. */
	assert_int_equal(sysroot_read_deadline(r, "proc/3/stat", &b), 0);
	assert_string_equal(b.data, "3 (y) S 1\n");
	buf_free(&b);
	for (unsigned i = 0; i < SYSROOT_MAX_STUCK; i++) {
		double t0 = now_monotonic();
		assert_int_equal(sysroot_read_deadline(r, "proc/12/cmdline", &b), -ETIMEDOUT);
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_are_root_relative),
		cmocka_unit_test(test_plain_read_refuses_fifo_at_once),
		cmocka_unit_test(test_capture_log),
		cmocka_unit_test(test_stuck_worker_recovers),
		cmocka_unit_test(test_deadline_read_gives_up_and_stays_bounded),
	};
	return cmocka_run_group_tests_name("sysroot", tests, setup, teardown);
}
