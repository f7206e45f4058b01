/* Seed 004's video program: mmaps a file and writes it page by page, pass
 * after pass, timing itself. Prints its own figures for the test to hold
 * kstall's against:
 *
 *   pid P wall W cpu C offcpu O runq R   (seconds; offcpu = wall - cpu)
 *
 * R is the time the thread waited on a run queue, from the kernel's
 * schedstat (-1 where the kernel has none): off CPU but not blocked, so
 * not dirty throttling either.
 *
 *   mmapwriter FILE MB PASSES
 *
 * The file is created and truncated to MB; the mapping is MAP_SHARED, so
 * every pass dirties MB of page cache that must be written back. The pages
 * are read in first, untimed; the time covers the passes, the munmap and
 * the close (which flush what is left). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* run_delay, the second field of /proc/thread-self/schedstat, in s. */
static double runq_s(void)
{
	FILE *f = fopen("/proc/thread-self/schedstat", "re");
	unsigned long long on, wait;
	int n = f ? fscanf(f, "%llu %llu", &on, &wait) : 0;
	if (f)
		fclose(f);
	return n == 2 ? (double)wait / 1e9 : -1;
}

static double cpu_s(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mmapwriter FILE MB PASSES\n");
		return 2;
	}
	size_t mb = (size_t)atol(argv[2]);
	long passes = atol(argv[3]);
	if (mb < 1 || mb > 1024 || passes < 1 || passes > 1000) {
		fprintf(stderr, "mmapwriter: MB in 1..1024, PASSES in 1..1000\n");
		return 2;
	}
	size_t len = mb << 20;
	long page = sysconf(_SC_PAGESIZE);
	int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)len) < 0) {
		perror("mmapwriter: open/ftruncate");
		return 1;
	}
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmapwriter: mmap");
		return 1;
	}
	/* Read every page in first, untimed: a first write would otherwise
	 * wait for the FUSE daemon to read the page (filemap_fault), which is
	 * not dirty throttling; on a slow day that was a tenth to a third of
	 * the timed off-CPU time. A write to a page read in is a write fault
	 * (page_mkwrite), the seed's path. */
	volatile char sink = 0;
	for (size_t o = 0; o < len; o += (size_t)page)
		sink ^= p[o];
	(void)sink;
	double t0 = now(), c0 = cpu_s(), r0 = runq_s();
	for (long k = 0; k < passes; k++)
		for (size_t o = 0; o < len; o += (size_t)page)
			memset(p + o, (int)(k + 1), 64);
	/* unmapping and closing flush what is still dirty: part of the run */
	munmap(p, len);
	close(fd);
	double wall = now() - t0, cpu = cpu_s() - c0, r1 = runq_s();
	printf("pid %d wall %.3f cpu %.3f offcpu %.3f runq %.3f\n", getpid(), wall, cpu, wall - cpu,
	       r0 < 0 || r1 < 0 ? -1 : r1 - r0);
	return 0;
}
