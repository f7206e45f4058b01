/* The seed-002 producer: like old NSS under curl, look up a unique
 * non-existent file on every "connection", leaving a negative dentry each
 * time. Bounded in calls and time.
 *
 *   nss_probe DIR SECONDS [access|stat|mixed]
 *
 * Looks up DIR/.<n>_dOeSnotExist_.db with access(2), as NSS's
 * sdb_measureAccess does (or stat(2), which statsnoop can see), and prints
 * "calls N enoent M rate R" at the end. mixed: each failed access is
 * followed by one that succeeds (of DIR), counted in calls. DIR must exist; the caller removes
 * it (which prunes the negative dentries). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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
	if (argc < 3) {
		fprintf(stderr, "usage: nss_probe DIR SECONDS [access|stat]\n");
		return 2;
	}
	double t0 = now(), end = t0 + strtod(argv[2], NULL);
	bool use_stat = argc > 3 && !strcmp(argv[3], "stat"), mixed = argc > 3 && !strcmp(argv[3], "mixed");
	unsigned long max = 50000000UL;
	struct stat st;
	unsigned long calls = 0, enoent = 0, n = 6685897;
	char path[4096];

	printf("ready %d\n", getpid());
	fflush(stdout);
	while (calls < max && (calls & 1023 || now() < end)) {
		snprintf(path, sizeof(path), "%s/.%lu_dOeSnotExist_.db", argv[1], n++);
		if ((use_stat ? stat(path, &st) : access(path, F_OK)) < 0 && errno == ENOENT)
			enoent++;
		calls++;
		if (mixed && access(argv[1], F_OK) == 0)
			calls++;
	}
	printf("calls %lu enoent %lu rate %.0f\n", calls, enoent, (double)calls / (now() - t0));
	return 0;
}
