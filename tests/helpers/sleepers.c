/* N idle processes, for measuring what a host with many processes costs
 * (bench/check-cost.sh): forks N children that pause(), prints
 * "ready N", and waits. On SIGTERM, SIGINT or SIGHUP, or after SECONDS
 * (default 600, so a bench that dies cannot leave them behind for long),
 * it kills its children by the PIDs fork() gave it, reaps them and exits.
 * Each child also dies with its parent (PR_SET_PDEATHSIG), even when the
 * parent is killed with SIGKILL.
 *
 *   sleepers N [SECONDS]
 *
 * Exit 0 after a clean stop, 1 if not all N could be forked (those that
 * were are killed first; the reason is printed), 2 on bad arguments. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void child(pid_t parent, const sigset_t *old)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* the parent died before the line above */
		_exit(0);
	sigprocmask(SIG_SETMASK, old, NULL);
	for (;;)
		pause();
}

static void kill_all(const pid_t *pids, long n)
{
	for (long i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (long i = 0; i < n; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
}

static long parse_count(const char *s, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return errno || *end || end == s || v < 0 || v > max ? -1 : v;
}

int main(int argc, char **argv)
{
	long n = argc >= 2 ? parse_count(argv[1], 4194304) : -1;
	long secs = argc >= 3 ? parse_count(argv[2], 86400) : 600;
	if (argc < 2 || argc > 3 || n < 0 || secs < 1) {
		fprintf(stderr, "usage: sleepers N [SECONDS]  (N 0..4194304, SECONDS 1..86400)\n");
		return 2;
	}
	pid_t *pids = calloc((size_t)n + 1, sizeof(*pids));
	if (!pids) {
		fprintf(stderr, "sleepers: out of memory\n");
		return 1;
	}
	/* Blocked before the first fork: a stop signal that arrives while
	 * forking is taken by sigtimedwait below, not lost, and each child
	 * unblocks it again. */
	sigset_t stop, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	pid_t self = getpid();
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0)
			child(self, &old);
		if (p < 0) {
			int e = errno;
			kill_all(pids, i);
			fprintf(stderr, "sleepers: fork %ld of %ld: %s (see kernel.pid_max, kernel.threads-max)\n",
				i + 1, n, strerror(e));
			return 1;
		}
		pids[i] = p;
	}
	printf("ready %ld\n", n);
	fflush(stdout);
	struct timespec left = {.tv_sec = secs};
	while (sigtimedwait(&stop, NULL, &left) < 0 && errno == EINTR)
		;
	kill_all(pids, n);
	free(pids);
	return 0;
}
