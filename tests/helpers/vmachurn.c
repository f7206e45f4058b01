/* The seed-001 allocation pattern: fragment the address space with many
 * small mappings and holes, then allocate and free a buffer per
 * "request". Bounded in time, memory (a few MB plus one buffer) and
 * regions (at most 65,000, under the default vm.max_map_count of 65,530).
 *
 *   vmachurn [-f REGIONS] [-m churn|reuse|mmap] [-s BYTES] [-t SECONDS]
 *            [-n ITERATIONS] [-p PAGES] [-w SECONDS] [-l SECONDS]
 *
 *   -f  one-page regions with one-page holes between them (default 0)
 *   -m  churn: malloc/free per iteration with glibc's mmap threshold fixed
 *       at 128 KiB, as a program that sets it does (each buffer is an mmap
 *       and a munmap); reuse: one malloc, reused; mmap: mmap/munmap calls
 *   -s  buffer size (default 512 KiB: a 516 KiB mmap in churn mode)
 *   -p  pages written per iteration (default 2, as one request touches)
 *   -t  stop after SECONDS (default 5); -n: after ITERATIONS
 *   -w  after fragmenting, wait SECONDS before the loop (tracer start-up)
 *   -l  after the loop, linger SECONDS before exiting (so that its maps
 *       can still be read)
 *
 * Prints "ready PID regions N" once fragmented, and at the end
 * "iterations N seconds S ns_per_iteration X". */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_for(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0)
		;
}

static void touch(volatile char *p, size_t size, long pages, unsigned long i)
{
	long pg = sysconf(_SC_PAGESIZE);
	for (long k = 0; k < pages; k++) {
		size_t off = (size_t)k * (size_t)pg * 64;
		if (off >= size)
			off = size - 1 - (size_t)k % size;
		p[off] = (char)i;
	}
}

int main(int argc, char **argv)
{
	long regions = 0, pages = 2;
	size_t size = 512 * 1024;
	double seconds = 5, wait_s = 0, linger_s = 0;
	unsigned long max_iter = 0;
	const char *mode = "churn";
	int c;

	while ((c = getopt(argc, argv, "f:m:s:t:n:p:w:l:")) != -1) {
		switch (c) {
		case 'f': regions = atol(optarg); break;
		case 'm': mode = optarg; break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 't': seconds = strtod(optarg, NULL); break;
		case 'n': max_iter = strtoul(optarg, NULL, 0); break;
		case 'p': pages = atol(optarg); break;
		case 'w': wait_s = strtod(optarg, NULL); break;
		case 'l': linger_s = strtod(optarg, NULL); break;
		default:
			fprintf(stderr, "usage: vmachurn [-f REGIONS] [-m churn|reuse|mmap] [-s BYTES] [-t S] [-n N] "
					"[-p PAGES] [-w S] [-l S]\n");
			return 2;
		}
	}
	if (regions < 0 || regions > 65000 || size == 0 || size > (64UL << 20) || seconds > 600 || wait_s > 600 || linger_s > 600) {
		fprintf(stderr, "vmachurn: out of bounds (regions <= 65000, size <= 64 MiB, seconds <= 600)\n");
		return 2;
	}
	long pg = sysconf(_SC_PAGESIZE);
	if (regions) {
		/* One mapping, then every other page unmapped: REGIONS one-page
		 * regions with one-page holes, just below mmap_base, where the
		 * top-down search starts. */
		size_t len = (size_t)regions * 2 * (size_t)pg;
		char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED) {
			perror("vmachurn: mmap");
			return 1;
		}
		for (long i = 0; i < regions; i++)
			if (munmap(base + (size_t)(2 * i + 1) * (size_t)pg, (size_t)pg) < 0) {
				perror("vmachurn: munmap");
				return 1;
			}
	}
	int mmap_mode = !strcmp(mode, "mmap"), reuse = !strcmp(mode, "reuse");
	if (!mmap_mode && !reuse && strcmp(mode, "churn")) {
		fprintf(stderr, "vmachurn: unknown mode %s\n", mode);
		return 2;
	}
	/* Fixing the threshold switches off glibc's dynamic threshold, which
	 * would otherwise move 512 KiB buffers to the heap after the first
	 * free. */
	if (!mmap_mode)
		mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	printf("ready %d regions %ld\n", getpid(), regions);
	fflush(stdout);
	pause_for(wait_s);

	char *buf = reuse ? malloc(size) : NULL;
	if (reuse && !buf)
		return 1;
	double t0 = now(), end = t0 + seconds, t = t0;
	unsigned long i;
	for (i = 0; max_iter ? i < max_iter : 1; i++) {
		if ((i & 63) == 0 && !max_iter && (t = now()) >= end)
			break;
		if (reuse) {
			touch(buf, size, pages, i);
		} else if (mmap_mode) {
			char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				return 1;
			touch(p, size, pages, i);
			munmap(p, size);
		} else {
			char *p = malloc(size);
			if (!p)
				return 1;
			touch(p, size, pages, i);
			free(p);
		}
	}
	t = now();
	free(buf);
	printf("iterations %lu seconds %.3f ns_per_iteration %.1f\n", i, t - t0, i ? (t - t0) * 1e9 / (double)i : 0);
	fflush(stdout);
	pause_for(linger_s);
	return 0;
}
