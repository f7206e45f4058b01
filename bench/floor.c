/* bench/floor: empty tp_btf programs on the tracepoints named, until
 * SIGINT or SIGTERM; the floor of bench/run's per-program figures.
 *
 *   build/bench/floor [-c|-k] TRACEPOINT...  (e.g. sched_switch mmap_lock_released)
 *
 * -c: each program reads the clock once (bpf_ktime_get_ns), named
 * floor_clock: what timing an event costs at least. -k: jiffies
 * (bpf_jiffies64), named floor_jiffies.
 * Prints "floor PROG_ID TRACEPOINT" per program once attached, then
 * "ready". Each program is named floor_prog; the kernel's run-time
 * statistics (kernel.bpf_stats_enabled) give its ns per run. */
#include <errno.h>
#include <stdbool.h>
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
	int kind = argc > 1 && !strcmp(argv[1], "-c") ? 1 : argc > 1 && !strcmp(argv[1], "-k") ? 2 : 0;
	if (argc < 2 + !!kind) {
		fprintf(stderr, "usage: floor [-c|-k] TRACEPOINT...\n");
		return 2;
	}
	struct floor_bpf *s[argc];
	int n = 0, rc = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (int i = 1 + !!kind; i < argc && !rc; i++) {
		s[n] = floor_bpf__open();
		struct bpf_program *use = NULL;
		if (s[n]) {
			struct bpf_program *progs[] = {s[n]->progs.floor_prog, s[n]->progs.floor_clock,
						       s[n]->progs.floor_jiffies};
			for (int k = 0; k < 3; k++)
				bpf_program__set_autoload(progs[k], k == kind);
			use = progs[kind];
		}
		if (!s[n] || bpf_program__set_attach_target(use, 0, argv[i]) ||
		    floor_bpf__load(s[n]) || floor_bpf__attach(s[n])) {
			fprintf(stderr, "floor: cannot attach to %s: %s\n", argv[i], strerror(errno));
			floor_bpf__destroy(s[n]);
			rc = 1;
			break;
		}
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		bpf_obj_get_info_by_fd(bpf_program__fd(use), &info, &len);
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
