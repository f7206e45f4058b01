/* A process with a large address space of 4 KB pages that forks
 * periodically: the seed-000 situation (fork copies page tables while it
 * holds mmap_lock for writing). Bounded in memory and time.
 *
 *   bigfork SIZE_MB INTERVAL_MS DURATION_S
 *
 * INTERVAL_MS 0: fork back to back without waiting for the children (they
 * are reaped by the kernel), so the parent holds its mmap_lock for writing
 * almost all the time - the worst case for a reader of its /proc files.
 *
 * Prints "ready PID" once the memory is touched, then "forks N max_ms X"
 * at the end: how long each fork() call took in the parent. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bigfork SIZE_MB INTERVAL_MS DURATION_S\n");
		return 2;
	}
	size_t mb = strtoul(argv[1], NULL, 10);
	long interval_ms = strtol(argv[2], NULL, 10);
	double duration = strtod(argv[3], NULL);
	if (mb < 1 || mb > 16384 || interval_ms < 0 || duration <= 0 || duration > 600) {
		fprintf(stderr, "bigfork: size 1..16384 MB, interval >= 0 ms, duration 0..600 s\n");
		return 2;
	}
	size_t len = mb << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise(p, len, MADV_NOHUGEPAGE); /* 4 KB pages, as in the seed */
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
	printf("ready %d\n", getpid());
	fflush(stdout);

	if (interval_ms == 0)
		signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel */
	double end = now() + duration, worst = 0;
	unsigned forks = 0;
	while (now() < end) {
		double t0 = now();
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		double took = now() - t0;
		if (c > 0) {
			if (interval_ms)
				waitpid(c, NULL, 0);
			forks++;
			if (took > worst)
				worst = took;
		}
		if (interval_ms)
			usleep((useconds_t)interval_ms * 1000);
	}
	printf("forks %u max_ms %.1f\n", forks, worst * 1000);
	return 0;
}
