/* A pipe ping-pong: two processes pass one byte back and forth through two
 * pipes, so every round trip is two writes, two reads and two wakeups
 * (sched_wakeup, sched_switch: what a scheduler tracer pays on).
 *
 *   pingpong SECONDS CPU_A CPU_B
 *
 * The parent is pinned to CPU_A, the child to CPU_B (the same CPU: every
 * wakeup is a context switch there; two CPUs: a cross-CPU wakeup, and an
 * idle CPU woken each time). Prints "roundtrips N seconds S rate R". */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

/* The child echoes every byte until the parent closes its end. */
static void echo_loop(int in, int out)
{
	char c;
	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			break;
	_exit(0);
}

int main(int argc, char **argv)
{
	int to_child[2], to_parent[2];
	if (argc != 4) {
		fprintf(stderr, "usage: pingpong SECONDS CPU_A CPU_B\n");
		return 2;
	}
	double secs = strtod(argv[1], NULL);
	int cpu_a = atoi(argv[2]), cpu_b = atoi(argv[3]);
	if (secs <= 0 || pipe(to_child) < 0 || pipe(to_parent) < 0) {
		perror("pingpong");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (pin(cpu_b) < 0)
			_exit(1);
		close(to_child[1]);
		close(to_parent[0]);
		echo_loop(to_child[0], to_parent[1]);
	}
	close(to_child[0]);
	close(to_parent[1]);
	if (pin(cpu_a) < 0) {
		perror("sched_setaffinity");
		kill(pid, SIGKILL);
		return 1;
	}
	unsigned long n = 0;
	char c = 'x';
	double t0 = now(), end = t0 + secs, t = t0;
	while (t < end) {
		if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1) {
			perror("pingpong");
			kill(pid, SIGKILL);
			return 1;
		}
		if (++n % 256 == 0)
			t = now();
	}
	t = now();
	close(to_child[1]);
	waitpid(pid, NULL, 0);
	printf("roundtrips %lu seconds %.3f rate %.0f\n", n, t - t0, (double)n / (t - t0));
	return 0;
}
