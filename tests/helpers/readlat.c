/* Time repeated reads of one file (e.g. /proc/PID/cmdline) for a while:
 *
 *   readlat PATH DURATION_S
 *
 * Prints "reads N max_ms X p99_ms Y p50_ms Z". */
#include <fcntl.h>
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

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	enum { MAX = 1000000 };
	static double lat[MAX];
	char buf[4096];
	size_t n = 0;

	if (argc != 3)
		return 2;
	double end = now() + strtod(argv[2], NULL);
	while (now() < end && n < MAX) {
		double t0 = now();
		int fd = open(argv[1], O_RDONLY);
		if (fd < 0)
			break;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		lat[n++] = now() - t0;
		usleep(200);
	}
	if (!n)
		return 1;
	qsort(lat, n, sizeof(double), cmp);
	printf("reads %zu max_ms %.2f p99_ms %.3f p50_ms %.3f\n", n, lat[n - 1] * 1000,
	       lat[n * 99 / 100] * 1000, lat[n / 2] * 1000);
	return 0;
}
