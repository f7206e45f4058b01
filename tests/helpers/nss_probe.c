/* The seed-002 producer: like old NSS under curl, look up a unique
 * non-existent file on every "connection", leaving a negative dentry each
 * time. Bounded in calls and time.
 *
 *   nss_probe DIR SECONDS [MAX_CALLS]
 *
 * Looks up DIR/.<n>_dOeSnotExist_.db (access(2), as NSS's sdb_measureAccess
 * does) and prints "calls N enoent M" at the end. DIR must exist; the
 * caller removes it (which prunes the negative dentries). */
#include <errno.h>
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
		fprintf(stderr, "usage: nss_probe DIR SECONDS [MAX_CALLS]\n");
		return 2;
	}
	double end = now() + strtod(argv[2], NULL);
	unsigned long max = argc > 3 ? strtoul(argv[3], NULL, 10) : 50000000UL;
	unsigned long calls = 0, enoent = 0, n = 6685897;
	char path[4096];

	printf("ready %d\n", getpid());
	fflush(stdout);
	while (calls < max && (calls & 1023 || now() < end)) {
		snprintf(path, sizeof(path), "%s/.%lu_dOeSnotExist_.db", argv[1], n++);
		if (access(path, F_OK) < 0 && errno == ENOENT)
			enoent++;
		calls++;
	}
	printf("calls %lu enoent %lu\n", calls, enoent);
	return 0;
}
