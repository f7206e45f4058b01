/* Seed 000, small: a server with a large address space whose accept()
 * thread page-faults in copy_to_user (the peer address lands on a page
 * never touched before) while another thread spawns a helper every few
 * hundred ms. With fork()+exec (what system() did before glibc 2.35) the
 * fork holds the mmap_lock for writing while it copies the page tables,
 * and the fault waits; with posix_spawn or the libc's system() (clone
 * with CLONE_VM|CLONE_VFORK) nothing is copied.
 *
 *   forkstall -m MB -s fork|spawn|system -i MS -t SECONDS [-r] [-g]
 *
 * A client process (forked before the memory is taken, so its own address
 * space is small) connects over loopback every 5 ms and times each request;
 * with -r, back to back (for throughput). With -g it says "touched" once
 * its memory is in and waits for SIGUSR1 before the client and the spawns
 * start: touching 4 GB took 5 to 10 s on the CI VM, and a tracer started
 * with a fixed lead missed the forks that came after it ended.
 * Output, one line each:
 *   ready pid P server_tid T plugin_tid T2
 *   client requests N median_ms M worst_ms W      (from the client)
 *   spawns N                                       (from the server)
 * Bounded: MB <= 8192, SECONDS <= 60, one listening socket on 127.0.0.1. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int lfd;
static volatile int stop;
static double secs = 5;
static long interval_ms = 300;
static const char *mode = "fork";
static char *fresh;      /* pages never touched: one per accept */
static size_t fresh_len, fresh_off;
static long spawns;
static pid_t server_tid, plugin_tid;
static int back_to_back, wait_go;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void client(int port, double until)
{
	size_t cap = 2000000, n = 0;
	double *lat = malloc(cap * sizeof(*lat));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (now() < until && n < cap) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		double t0 = now();
		char c = 'q';
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && write(fd, &c, 1) == 1 && read(fd, &c, 1) == 1)
			lat[n++] = (now() - t0) * 1e3;
		close(fd);
		if (!back_to_back)
			usleep(5000);
	}
	qsort(lat, n, sizeof(*lat), cmp);
	printf("client requests %zu median_ms %.3f worst_ms %.3f\n", n, n ? lat[n / 2] : 0, n ? lat[n - 1] : 0);
	fflush(stdout);
}

static void *serve(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "ET_NET 0");
	server_tid = (pid_t)syscall(SYS_gettid);
	while (!stop) {
		socklen_t len = sizeof(struct sockaddr_in);
		/* the peer's address goes to a fresh page: copy_to_user faults */
		struct sockaddr *addr = (struct sockaddr *)(fresh + fresh_off);
		fresh_off = (fresh_off + 4096) % fresh_len;
		int fd = accept(lfd, addr, &len);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;
		}
		char c;
		if (read(fd, &c, 1) == 1 && write(fd, &c, 1) != 1)
			perror("forkstall: write");
		close(fd);
	}
	return NULL;
}

static void *plugin(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "plugin");
	plugin_tid = (pid_t)syscall(SYS_gettid);
	char *argv[] = {"true", NULL};
	while (!stop) {
		usleep((useconds_t)interval_ms * 1000);
		pid_t p = -1;
		if (!strcmp(mode, "fork")) {
			p = fork();
			if (p == 0) {
				execve("/bin/true", argv, environ);
				_exit(127);
			}
		} else if (!strcmp(mode, "spawn")) {
			if (posix_spawn(&p, "/bin/true", NULL, NULL, argv, environ) != 0)
				p = -1;
		} else {
			if (system("true") != 0)
				perror("forkstall: system");
		}
		if (p > 0)
			waitpid(p, NULL, 0);
		spawns++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long mb = 4096;
	int o;
	while ((o = getopt(argc, argv, "m:s:i:t:rg")) != -1) {
		if (o == 'r')
			back_to_back = 1;
		else if (o == 'g')
			wait_go = 1;
		else if (o == 'm')
			mb = atol(optarg);
		else if (o == 's')
			mode = optarg;
		else if (o == 'i')
			interval_ms = atol(optarg);
		else if (o == 't')
			secs = atof(optarg);
		else
			return 2;
	}
	if (mb < 1 || mb > 8192 || secs <= 0 || secs > 60 || interval_ms < 10 ||
	    (strcmp(mode, "fork") && strcmp(mode, "spawn") && strcmp(mode, "system"))) {
		fprintf(stderr, "usage: forkstall -m MB(1..8192) -s fork|spawn|system -i MS(>=10) -t SECONDS(<=60) [-r] [-g]\n");
		return 2;
	}
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof(sa);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 128) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("forkstall: listen");
		return 1;
	}
	/* The memory first (the client must not wait on its faults), then the
	 * client, with a small address space of its own. */
	size_t len = (size_t)mb << 20;
	char *big = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fresh_len = 64 << 20;
	fresh = mmap(NULL, fresh_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED || fresh == MAP_FAILED) {
		perror("forkstall: mmap");
		return 1;
	}
	madvise(big, len, MADV_NOHUGEPAGE); /* 4 KB pages: page tables to copy */
	madvise(fresh, fresh_len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len; i += 4096)
		big[i] = 1;
	if (wait_go) {
		sigset_t go;
		sigemptyset(&go);
		sigaddset(&go, SIGUSR1);
		sigprocmask(SIG_BLOCK, &go, NULL);
		printf("touched\n");
		fflush(stdout);
		struct timespec limit = {.tv_sec = 120};
		if (sigtimedwait(&go, NULL, &limit) != SIGUSR1) {
			fprintf(stderr, "forkstall: no SIGUSR1 within 120 s\n");
			return 1;
		}
	}
	double until = now() + secs;
	pid_t cl = fork();
	if (cl == 0) {
		munmap(big, len); /* the client's own faults must not wait on ours */
		client(ntohs(sa.sin_port), until);
		_exit(0);
	}
	pthread_t ts, tp;
	pthread_create(&ts, NULL, serve, NULL);
	pthread_create(&tp, NULL, plugin, NULL);
	while (!server_tid || !plugin_tid)
		usleep(1000);
	printf("ready pid %d server_tid %d plugin_tid %d\n", getpid(), server_tid, plugin_tid);
	fflush(stdout);
	waitpid(cl, NULL, 0);
	stop = 1;
	shutdown(lfd, SHUT_RDWR);
	pthread_join(tp, NULL);
	printf("spawns %ld\n", spawns);
	fflush(stdout);
	return 0;
}
