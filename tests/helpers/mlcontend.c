/* Threads of one process contending for its mmap_lock, each way a
 * write hold ends:
 *
 *   mlcontend [-r REGIONS] [-t SECONDS]
 *
 * The holder thread maps 2*REGIONS pages, splits them into 2*REGIONS
 * regions by protecting every other page (one write hold each), and
 * unmaps them all at once: a write hold long enough to be waited for,
 * which munmap ends by downgrading it to a read hold (no write release
 * comes). The waiter thread touches a fresh page and then maps and unmaps
 * one (the lock for writing right after a fault: the wait is the
 * syscall's), and calls mincore (the lock for reading).
 *
 * Bounded: REGIONS (default 2,000, at most 30,000) regions at a time,
 * SECONDS (default 2). Prints "ready PID" at the start and "holder N
 * waiter M" (iterations) at the end. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static long regions = 2000, pg;
static double seconds = 2, t_end;
static volatile int done;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *holder(void *arg)
{
	unsigned long *n = arg;
	size_t len = (size_t)(2 * regions * pg);
	while (now() < t_end) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}
		for (long i = 0; i < regions; i++)
			mprotect(p + 2 * i * pg, (size_t)pg, PROT_READ);
		munmap(p, len);
		(*n)++;
	}
	done = 1;
	return NULL;
}

int main(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "r:t:")) != -1) {
		if (c == 'r')
			regions = atol(optarg);
		else if (c == 't')
			seconds = atof(optarg);
		else
			return 2;
	}
	if (regions < 1 || regions > 30000 || seconds <= 0 || seconds > 60) {
		fprintf(stderr, "mlcontend: -r 1..30000, -t up to 60\n");
		return 2;
	}
	pg = sysconf(_SC_PAGESIZE);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	t_end = now() + seconds;
	unsigned long nh = 0, nw = 0;
	pthread_t th;
	if (pthread_create(&th, NULL, holder, &nh))
		return 1;
	unsigned char vec[1];
	while (!done) {
		char *q = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED)
			break;
		q[0] = 1;
		mincore(q, (size_t)pg, vec);
		munmap(q, (size_t)pg);
		nw++;
	}
	pthread_join(th, NULL);
	printf("holder %lu waiter %lu\n", nh, nw);
	return 0;
}
