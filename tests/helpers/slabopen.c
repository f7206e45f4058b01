/* The seed-003 monitoring agent's access pattern without its cost: opens
 * /proc/slabinfo N times, PERIOD_MS apart, and closes it unread (the
 * kernel counts the slabs only on read, so this harms nothing). Prints
 * how many opens succeeded, for the test to compare with kstall's count.
 *
 *   slabopen [-r] N PERIOD_MS [CPU]
 *
 * With CPU, it runs there: each sleep is then a hard timer on that CPU,
 * for the test to find in kstall's timer-lateness counts. With -r, it
 * opens "slabinfo" from /proc, a relative path. */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = "/proc/slabinfo";
	if (argc > 1 && !strcmp(argv[1], "-r")) {
		if (chdir("/proc") < 0) {
			perror("slabopen: chdir /proc");
			return 2;
		}
		path = "slabinfo";
		argv++;
		argc--;
	}
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: slabopen [-r] N PERIOD_MS [CPU]\n");
		return 2;
	}
	if (argc == 4) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(atoi(argv[3]), &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			perror("slabopen: sched_setaffinity");
			return 2;
		}
	}
	long n = atol(argv[1]), ms = atol(argv[2]), ok = 0;
	if (n < 1 || n > 100000 || ms < 0 || ms > 60000) {
		fprintf(stderr, "slabopen: N in 1..100000, PERIOD_MS in 0..60000\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ok++;
			close(fd);
		}
		if (i + 1 < n) {
			struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	printf("%ld\n", ok);
	return ok == n ? 0 : 1;
}
