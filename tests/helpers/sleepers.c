/* Many sleeping processes, for measuring what a scan of /proc costs with
 * them: fork N children that pause(), print "ready N" once all exist, and
 * on SIGTERM, SIGINT or SIGHUP kill them by PID (SIGKILL), reap them and
 * exit. Children die with the parent too (PR_SET_PDEATHSIG), so a SIGKILL
 * of the parent leaves nothing behind.
 *
 *   sleepers N [SECONDS]
 *
 * SECONDS (accepted for the checkcost branch's bench/check-cost.sh, which
 * passes one): stop by itself after that long too. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) { stop = sig; }

int main(int argc, char **argv)
{
	long n = argc == 2 || argc == 3 ? strtol(argv[1], NULL, 10) : -1;
	if (n < 0) {
		fprintf(stderr, "usage: sleepers N [SECONDS]\n");
		return 2;
	}
	if (argc == 3)
		alarm((unsigned)strtoul(argv[2], NULL, 10));
	pid_t *kids = calloc((size_t)n + 1, sizeof(*kids));
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	pid_t parent = getpid();
	long made = 0;
	int rc = 0;
	for (; made < n && !stop; made++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("sleepers: fork");
			rc = 1;
			break;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			for (;;)
				pause();
		}
		kids[made] = pid;
	}
	if (!rc && !stop) {
		/* Blocked but in sigsuspend: a signal between the test and the
		 * wait cannot be lost. */
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGHUP);
		sigaddset(&block, SIGALRM);
		sigprocmask(SIG_BLOCK, &block, &old);
		printf("ready %ld\n", made);
		fflush(stdout);
		while (!stop)
			sigsuspend(&old);
	}
	for (long i = 0; i < made; i++)
		kill(kids[i], SIGKILL);
	for (long i = 0; i < made; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
	return rc;
}
