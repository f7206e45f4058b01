/* Helpers shared by the cmocka tests. Tests run from the repository root. */
#ifndef KSTALL_TESTUTIL_H
#define KSTALL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lib/util.h"

/* shared/ sits beside the checkout (CI clones main with shared/ beside it). */
static inline const char *shared_dir(void)
{
	const char *s = getenv("KSTALL_SHARED");
	return s ? s : "../shared";
}

static inline char *real_path(const char *rel)
{
	return xasprintf("%s/fixtures/real/%s", shared_dir(), rel);
}

/* What fd has to give now (non-blocking) or until its end (blocking). */
static inline void drain_fd(int fd, struct buf *b)
{
	char chunk[65536];
	ssize_t got;
	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(b, chunk, (size_t)got);
}

static inline char *slurp(const char *path, size_t *ret_len)
{
	struct buf b = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	drain_fd(fd, &b);
	close(fd);
	buf_reserve(&b, 0);
	if (ret_len)
		*ret_len = b.len;
	return b.data;
}

static inline bool in_ci(void)
{
	const char *ci = getenv("CI");
	return ci && !strcmp(ci, "true");
}

/* KSTALL_TEST_FILTER=PATTERN (cmocka's, * and ? wildcards): run only the
 * tests of a suite whose names match, to iterate on one live test. */
static inline void test_filter_from_env(void)
{
	const char *f = getenv("KSTALL_TEST_FILTER");
	if (f && *f)
		cmocka_set_test_filter(f);
}

/* A test that needs something the machine lacks: under CI=true that is a
 * failure (CI has root, BPF and tracepoints); elsewhere a visible skip. */
#define REQUIRE_OR_SKIP(cond, ...)                                             \
	do {                                                                   \
		if (!(cond)) {                                                 \
			if (in_ci())                                           \
				fail_msg("CI=true but cannot run: " __VA_ARGS__); \
			print_message("[  SKIP    ] " __VA_ARGS__);            \
			print_message("\n");                                   \
			skip();                                                \
		}                                                              \
	} while (0)

/* Sorted entries of a directory (without . and ..), NULL-terminated. */
static inline char **list_dir(const char *path)
{
	DIR *d = opendir(path);
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ARRAY_GROW(v, n + 1, cap);
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	ARRAY_GROW(v, n + 1, cap);
	v[n] = NULL;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

static inline void free_list(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* A directory whose file `stuck` (named so) blocks every read for `seconds`, with
 * the given NAME=TEXT files beside it (tests/helpers/stuckfs, FUSE): a
 * /proc/PID/cmdline that does not return, made on demand. Needs root and
 * /dev/fuse; returns the daemon's pid, or -1 when it cannot mount. */
static inline bool stuckfs_possible(void)
{
	return geteuid() == 0 && access("/dev/fuse", R_OK | W_OK) == 0 &&
	       access("build/tests/helpers/stuckfs", X_OK) == 0;
}

/* The mount a test made, for its teardown to undo when an assertion
 * ended the test before stuckfs_unmount. */
static pid_t stuckfs_last_pid = -1;
static char stuckfs_last_dir[512];

static inline pid_t stuckfs_mount(const char *dir, int seconds, const char *stuck, char *const files[])
{
	struct stat before, now;
	if (stat(dir, &before) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *argv[24] = {"stuckfs", (char *)dir, xasprintf("%d", seconds)};
		int n = 3;
		for (int i = 0; files[i] && n < 22; i++)
			argv[n++] = files[i];
		argv[n++] = (char *)stuck;
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		execv("build/tests/helpers/stuckfs", argv);
		_exit(127);
	}
	/* Mounted when the directory's device changes. */
	for (int i = 0; i < 500; i++) {
		if (stat(dir, &now) == 0 && now.st_dev != before.st_dev) {
			stuckfs_last_pid = pid;
			snprintf(stuckfs_last_dir, sizeof(stuckfs_last_dir), "%s", dir);
			return pid;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* Kill the daemon (blocked reads then fail at once) and detach the mount. */
static inline void stuckfs_unmount(const char *dir, pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	umount2(dir, MNT_DETACH);
	if (pid == stuckfs_last_pid)
		stuckfs_last_pid = -1;
}

/* For teardown: undo a mount an assertion left behind. */
static inline void stuckfs_cleanup(void)
{
	if (stuckfs_last_pid > 0)
		stuckfs_unmount(stuckfs_last_dir, stuckfs_last_pid);
}

#endif
