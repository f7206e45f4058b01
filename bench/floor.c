/* bench/floor: empty tp_btf programs on the tracepoints named, until
 * SIGINT or SIGTERM; the floor of bench/run's per-program figures.
 *
 *   build/bench/floor TRACEPOINT...     (e.g. sched_switch mmap_lock_released)
 *
 * Prints "floor PROG_ID TRACEPOINT" per program once attached, then
 * "ready". Each program is named floor_prog; the kernel's run-time
 * statistics (kernel.bpf_stats_enabled) give its ns per run. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: floor TRACEPOINT...\n");
		return 2;
	}
	struct floor_bpf *s[argc];
	int n = 0, rc = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (int i = 1; i < argc && !rc; i++) {
		s[n] = floor_bpf__open();
		if (!s[n] || bpf_program__set_attach_target(s[n]->progs.floor_prog, 0, argv[i]) ||
		    floor_bpf__load(s[n]) || floor_bpf__attach(s[n])) {
			fprintf(stderr, "floor: cannot attach to %s: %s\n", argv[i], strerror(errno));
			floor_bpf__destroy(s[n]);
			rc = 1;
			break;
		}
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		bpf_obj_get_info_by_fd(bpf_program__fd(s[n]->progs.floor_prog), &info, &len);
		printf("floor %u %s\n", info.id, argv[i]);
		n++;
	}
	if (!rc) {
		printf("ready\n");
		fflush(stdout);
		while (!stop)
			pause();
	}
	for (int i = 0; i < n; i++)
		floor_bpf__destroy(s[i]);
	return rc;
}
